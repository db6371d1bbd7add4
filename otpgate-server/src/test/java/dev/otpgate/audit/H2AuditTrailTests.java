package dev.otpgate.audit;

import dev.otpgate.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The audit suite on H2. */
class H2AuditTrailTests extends AuditTrailContract {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.h2(registry);
    }
}
