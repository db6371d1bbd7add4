package dev.otpgate.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Builds the {@link RateLimiter} over the store that {@code otpgate.rate-limit.store} names. */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

    @Bean
    RateLimiter rateLimiter(RateLimitProperties properties, Clock clock, ObjectProvider<DataSource> dataSource,
            MeterRegistry meters) {
        if (!properties.enabled()) {
            return RateLimiter.disabled();
        }
        BucketStore store = switch (properties.store()) {
            case MEMORY -> new MemoryBucketStore(clock, properties.memoryMaxKeys());
            case REDIS -> new RedisBucketStore(properties.redisUrl(), properties.redisKeyPrefix(), properties.timeout(), clock);
            case DATABASE -> new DatabaseBucketStore(dataSource.getObject(), properties.timeout(), clock);
        };
        return new RateLimiter(store, meters);
    }
}
