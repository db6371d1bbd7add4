package dev.otpgate.totp;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The TOTP factor suite on the embedded H2 database. */
class H2TotpFactorApiTests extends TotpFactorApiContract {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String name = "otpgate_" + java.util.UUID.randomUUID().toString().replace("-", "");
        registry.add("spring.datasource.url",
                () -> "jdbc:h2:mem:" + name + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
    }
}
