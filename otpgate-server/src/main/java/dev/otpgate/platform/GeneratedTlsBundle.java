package dev.otpgate.platform;

import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.stereotype.Component;

/**
 * The TLS bundle of the embedded default (S-37): the certificate {@link SelfSignedTls} generates under
 * {@code <data-dir>/tls/} on first start, served with TLS 1.3 and 1.2 only and AEAD suites with forward
 * secrecy. Used when no certificate is configured and otpgate is not behind a TLS-terminating proxy.
 */
@Component
@ConditionalOnProperty(name = "server.ssl.bundle", havingValue = GeneratedTlsBundle.NAME)
class GeneratedTlsBundle implements SslBundleRegistrar {

    static final String NAME = "otpgate-generated";

    private final OtpgateProperties properties;

    GeneratedTlsBundle(OtpgateProperties properties) {
        this.properties = properties;
    }

    @Override
    public void registerBundles(SslBundleRegistry registry) {
        SelfSignedTls.Material tls = SelfSignedTls.ensure(properties.dataDir().resolve("tls"));
        PemSslStoreDetails keyStore = PemSslStoreDetails.forCertificates("file:" + tls.certificateChain())
                .withPrivateKey("file:" + tls.privateKey());
        SslOptions options = SslOptions.of(
                Set.of(EmbeddedDefaultsPostProcessor.TLS_CIPHERS.split(",")),
                Set.of(EmbeddedDefaultsPostProcessor.TLS_PROTOCOLS.split(",")));
        registry.registerBundle(NAME, SslBundle.of(new PemSslStoreBundle(keyStore, null), null, options));
    }
}
