package dev.otpgate.events;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.platform.OtpgateProperties;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The egress: the address policy with the operator's allowlist (warned about in production mode), the resolver,
 * the trust (the SSL bundle named by {@code otpgate.webhooks.ssl-bundle}, or the JVM's trust store; certificates
 * and host names are always checked), the retry schedule, and the retention sweep.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookProperties.class)
class WebhookConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WebhookConfiguration.class);

    @Bean
    HostResolver webhookHostResolver() {
        return HostResolver.system();
    }

    @Bean
    WebhookTargets webhookTargets(ObjectProvider<HostResolver> resolvers, WebhookProperties properties, OtpgateProperties otpgate) {
        if (!properties.allowedPrivateNetworks().isEmpty() && otpgate.production()) {
            log.warn("otpgate.webhooks.allowed-private-networks is set ({}): webhooks may reach these private networks",
                    properties.allowedPrivateNetworks());
        }
        return new WebhookTargets(resolvers.getIfUnique(HostResolver::system), new AddressPolicy(properties.allowedPrivateNetworks()));
    }

    @Bean
    PinnedHttps webhookHttps(WebhookProperties properties, ObjectProvider<SslBundles> bundles, Clock clock) {
        SSLContext tls = ProviderHttp.sslContext(bundles.getIfAvailable(), "otpgate.webhooks.ssl-bundle", properties.sslBundle());
        if (tls == null) {
            try {
                tls = SSLContext.getInstance("TLS");
                tls.init(null, null, null);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no TLS", e);
            }
        }
        return new PinnedHttps(tls, clock);
    }

    @Bean
    RetrySchedule webhookRetrySchedule(WebhookProperties properties) {
        if (properties.maxPayloadBytes() < 1024 || properties.maxPayloadBytes() > 20480) {
            // The outbox column holds 20 kB: a larger payload would fail the transaction of the change it reports.
            throw new IllegalStateException("otpgate.webhooks.max-payload-bytes must be 1024–20480");
        }
        if (properties.lease().compareTo(properties.timeout().plusSeconds(5)) < 0) {
            // A lease that ends while its attempt may still run would let another poll send the same delivery again.
            throw new IllegalStateException("otpgate.webhooks.lease must be at least otpgate.webhooks.timeout + 5s");
        }
        return new RetrySchedule(properties.retrySchedule(), properties.jitter(), new SecureRandom());
    }

    @Bean
    RecurringTask<Void> webhookRetention(DeliveryStore deliveries, WebhookProperties properties, Clock clock) {
        return Tasks.recurring("webhook-retention", FixedDelay.ofHours(1))
                .execute((instance, context) -> deliveries.forgetOlderThan(clock.instant().minus(properties.retention())));
    }
}
