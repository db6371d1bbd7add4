package dev.otpgate.apps;

import dev.otpgate.platform.IndexKeyUsers;
import java.util.Base64;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Test destinations are kept as blind indexes only, with nothing to compute a new index from: an app whose test
 * destinations were saved under an index key holds that key in the set until they are saved again.
 */
@Component
class TestDestinationIndexes implements IndexKeyUsers {

    private final AppRepository apps;

    TestDestinationIndexes(AppRepository apps) {
        this.apps = apps;
    }

    @Override
    public List<String> stillUsing(int keyId) {
        return apps.findAll().stream()
                .filter(app -> app.delivery().testDestinations().stream()
                        .anyMatch(test -> test.index() != null && IndexKeyUsers.keyIdOf(Base64.getDecoder().decode(test.index())) == keyId))
                .map(app -> "app " + app.id() + " test destinations")
                .toList();
    }
}
