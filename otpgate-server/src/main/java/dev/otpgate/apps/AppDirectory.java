package dev.otpgate.apps;

import java.util.List;
import java.util.Optional;

/** Read access to apps for other modules. */
public interface AppDirectory {

    /** The {@link dev.otpgate.platform.Invalidations} topic on which a changed or deleted app's id is announced. */
    String CHANGED = "app";


    Optional<App> find(String appId);

    /** Every app, for start-up checks and background jobs; never on a request path. */
    List<App> all();
}
