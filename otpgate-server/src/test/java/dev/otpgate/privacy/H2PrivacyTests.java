package dev.otpgate.privacy;

import dev.otpgate.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The privacy suite on the embedded H2 database. */
class H2PrivacyTests extends PrivacyContract {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.h2(registry);
    }
}
