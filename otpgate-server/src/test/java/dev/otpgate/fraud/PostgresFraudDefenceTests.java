package dev.otpgate.fraud;

import dev.otpgate.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The fraud defences on PostgreSQL. */
class PostgresFraudDefenceTests extends FraudDefenceContract {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.postgres(registry);
    }
}
