package dev.otpgate.platform;

import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Which transports carry cache invalidations between nodes: PostgreSQL when the database is PostgreSQL, Redis
 * when rate limits live in Redis ({@code otpgate.rate-limit.store=redis}), both when both.
 */
@Configuration(proxyBeanMethods = false)
class InvalidationConfiguration {

    @Bean(destroyMethod = "close")
    Invalidations invalidations(Environment env, JdbcClient jdbc) {
        Invalidations bus = new Invalidations();
        String url = env.getProperty("spring.datasource.url", "");
        if (url.startsWith("jdbc:postgresql:")) {
            bus.add(new PostgresInvalidations(jdbc, url, env.getProperty("spring.datasource.username"),
                    env.getProperty("spring.datasource.password"), bus::received, bus::missedSome));
        }
        if ("redis".equalsIgnoreCase(env.getProperty("otpgate.rate-limit.store", ""))) {
            bus.add(new RedisInvalidations(env.getProperty("otpgate.rate-limit.redis-url", "redis://127.0.0.1:6379"),
                    env.getProperty("otpgate.rate-limit.redis-key-prefix", "otpgate:rate-limit:"),
                    env.getProperty("otpgate.rate-limit.timeout", Duration.class, Duration.ofSeconds(2)),
                    bus::received, bus::missedSome));
        }
        return bus;
    }
}
