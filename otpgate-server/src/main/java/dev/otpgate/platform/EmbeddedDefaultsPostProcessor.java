package dev.otpgate.platform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Turns {@code otpgate.mode} and {@code otpgate.tls.*} into Spring Boot settings before anything starts: TLS
 * on by default with a generated certificate (S-37), the dev inbox and Swagger UI off in production, and a
 * refusal to start when production mode meets an insecure setting, naming that setting. Among those: an SMPP
 * provider without TLS (S-08), unless the operator marks it {@code private-link: true}, which is logged once.
 */
public class EmbeddedDefaultsPostProcessor implements EnvironmentPostProcessor, Ordered {

    private final Log log;

    /** Logging is not set up yet when this runs: lines are held and written once it is. */
    public EmbeddedDefaultsPostProcessor(DeferredLogFactory logs) {
        this.log = logs.getLog(EmbeddedDefaultsPostProcessor.class);
    }

    static final String TLS_PROTOCOLS = "TLSv1.3,TLSv1.2";
    // AEAD suites with forward secrecy only; the TLS 1.3 suites are all strong.
    static final String TLS_CIPHERS = String.join(",", List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));

    @Override
    public int getOrder() {
        // After application.yml and the command line have been read.
        return Ordered.LOWEST_PRECEDENCE;
    }

    /**
     * The environment variables the docs name, mapped to their properties. Spring Boot's binder reads
     * {@code OTPGATE_DATA_DIR} as {@code otpgate.data.dir}, not {@code otpgate.data-dir}, so these are bound
     * explicitly, below command-line arguments and above application.yml.
     */
    static final Map<String, String> ENVIRONMENT_ALIASES = Map.of(
            "OTPGATE_MODE", "otpgate.mode",
            "OTPGATE_DATA_DIR", "otpgate.data-dir",
            "OTPGATE_MASTER_KEY", "otpgate.master-key",
            "OTPGATE_MASTER_KEY_PREVIOUS", "otpgate.master-key-previous",
            "OTPGATE_BOOTSTRAP_ADMIN_KEY", "otpgate.bootstrap-admin-key",
            "OTPGATE_DEV_INBOX_ENABLED", "otpgate.dev-inbox.enabled",
            "OTPGATE_TLS_BEHIND_PROXY", "otpgate.tls.behind-proxy");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> aliases = new LinkedHashMap<>();
        ENVIRONMENT_ALIASES.forEach((variable, property) -> {
            Object value = env.getSystemEnvironment().get(variable);
            if (value != null && !value.toString().isBlank()) {
                aliases.put(property, value);
            }
        });
        if (!aliases.isEmpty()) {
            env.getPropertySources().addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new MapPropertySource("otpgateEnvironmentAliases", aliases));
        }
        boolean production = "production".equalsIgnoreCase(env.getProperty("otpgate.mode", "embedded"));
        boolean behindProxy = env.getProperty("otpgate.tls.behind-proxy", Boolean.class, false);
        Map<String, Object> settings = new LinkedHashMap<>();

        String apiPort = env.getProperty("server.port", "8443");
        if (!"0".equals(apiPort) && apiPort.equals(env.getProperty("management.server.port"))) {
            throw new IllegalStateException("management.server.port must differ from server.port: metrics and "
                    + "health are served on a separate port, never the API port");
        }
        if (production) {
            refuseInsecureProductionSettings(env, behindProxy);
            refusePlainSmpp(env);
            settings.put("otpgate.dev-inbox.enabled", "false");
            settings.put("springdoc.swagger-ui.enabled", "false");
        }

        if (behindProxy) {
            settings.put("server.ssl.enabled", "false");
        } else {
            if ("false".equalsIgnoreCase(env.getProperty("server.ssl.enabled"))) {
                throw new IllegalStateException("server.ssl.enabled=false is refused: plain HTTP is only served "
                        + "behind a TLS-terminating proxy; set otpgate.tls.behind-proxy=true to say so");
            }
            settings.put("server.ssl.enabled", "true");
            refuseWeakCiphers(env.getProperty("server.ssl.ciphers"));
            if (certificateConfigured(env)) {
                settings.put("server.ssl.enabled-protocols", TLS_PROTOCOLS);
                settings.put("server.ssl.ciphers", TLS_CIPHERS);
            } else {
                // Generated once the data directory is known, by GeneratedTlsBundle.
                settings.put("server.ssl.bundle", GeneratedTlsBundle.NAME);
            }
        }
        // Explicit operator settings win over these defaults, except the refusals above.
        settings.keySet().removeIf(key -> !key.startsWith("otpgate.") && !key.startsWith("springdoc.")
                && !key.equals("server.ssl.enabled") && !key.equals("server.ssl.enabled-protocols")
                && !key.equals("server.ssl.bundle") && env.containsProperty(key));
        env.getPropertySources().addFirst(new MapPropertySource("otpgateDefaults", settings));
        addDatabaseDefaults(env);
    }

    /**
     * Defaults that depend on the database, below every other source, so that any setting of the operator's wins. On
     * the embedded H2 the node's own delivery dispatcher is off ({@code otpgate.delivery.handoff-threads = 0}):
     * measured with bench/run-h2.sh, H2 ran the pairs at two thirds of the rate with it, its writers contending for
     * the store that every commit writes to, while the pollers, woken after each commit, deliver as fast there.
     */
    static void addDatabaseDefaults(ConfigurableEnvironment env) {
        String url;
        try {
            url = env.getProperty("spring.datasource.url", "");
        } catch (IllegalArgumentException unresolvable) {
            return;
        }
        if (url.startsWith("jdbc:h2:")) {
            env.getPropertySources().addLast(new MapPropertySource("otpgateDatabaseDefaults",
                    Map.of("otpgate.delivery.handoff-threads", "0")));
        }
    }

    /** Operators may narrow the suites, never widen them past AEAD with forward secrecy (S-37). */
    private static void refuseWeakCiphers(String ciphers) {
        if (ciphers == null || ciphers.isBlank()) {
            return;
        }
        for (String cipher : ciphers.split(",")) {
            String suite = cipher.strip();
            boolean tls13 = suite.startsWith("TLS_AES_") || suite.equals("TLS_CHACHA20_POLY1305_SHA256");
            boolean aeadWithForwardSecrecy = suite.startsWith("TLS_ECDHE_")
                    && (suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_"));
            if (!tls13 && !aeadWithForwardSecrecy) {
                throw new IllegalStateException("server.ssl.ciphers holds " + suite + ", which is refused: only TLS 1.3 "
                        + "suites and ECDHE suites with GCM or ChaCha20-Poly1305 are allowed");
            }
        }
    }

    /** The keys of an {@code otpgate.providers.<id>} entry that say how an SMPP provider reaches its SMSC. */
    record SmppTransport(String type, boolean tls, boolean privateLink) {}

    /**
     * S-08: in production an SMPP bind runs over TLS, or over a link the operator vouches for as private (a private
     * network, a VPN); such a provider is named in one warning, since its password and codes rely on that link.
     */
    private void refusePlainSmpp(ConfigurableEnvironment env) {
        Map<String, SmppTransport> providers = Binder.get(env)
                .bind("otpgate.providers", Bindable.mapOf(String.class, SmppTransport.class)).orElse(Map.of());
        providers.forEach((id, provider) -> {
            if (!"smpp".equals(provider.type()) || provider.tls()) {
                return;
            }
            String prefix = "otpgate.providers." + id;
            if (!provider.privateLink()) {
                throw new IllegalStateException("production mode refuses SMPP provider " + id + " without TLS: set "
                        + prefix + ".tls=true, or " + prefix + ".private-link=true when the SMSC is reached over a "
                        + "private network or a VPN");
            }
            log.warn("SMPP provider " + id + " binds without TLS (" + prefix + ".private-link=true): its password "
                    + "and messages are protected by the private link alone");
        });
    }

    private static boolean certificateConfigured(ConfigurableEnvironment env) {
        return env.containsProperty("server.ssl.certificate")
                || env.containsProperty("server.ssl.key-store")
                || env.containsProperty("server.ssl.bundle");
    }

    private static void refuseInsecureProductionSettings(ConfigurableEnvironment env, boolean behindProxy) {
        String masterKey = env.getProperty("otpgate.master-key");
        if (masterKey == null || masterKey.isBlank()) {
            throw new IllegalStateException("production mode needs the master key: set OTPGATE_MASTER_KEY "
                    + "(32 random bytes, base64); it is never generated in production");
        }
        if (env.getProperty("otpgate.dev-inbox.enabled", Boolean.class, false)) {
            throw new IllegalStateException("production mode refuses otpgate.dev-inbox.enabled=true: the dev "
                    + "inbox shows codes in clear");
        }
        if (!behindProxy && !certificateConfigured(env)) {
            throw new IllegalStateException("production mode needs a certificate (server.ssl.certificate and "
                    + "server.ssl.certificate-private-key, or server.ssl.bundle), or otpgate.tls.behind-proxy=true "
                    + "behind a TLS-terminating proxy; a generated self-signed certificate is for embedded mode");
        }
        String url = env.getProperty("spring.datasource.url", "");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalStateException("production mode needs PostgreSQL: set spring.datasource.url to a "
                    + "jdbc:postgresql: URL (the embedded H2 file is for embedded mode)");
        }
    }
}
