package dev.otpgate.audit;

import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.stereotype.Component;

/** The sinks {@code otpgate.audit.sinks.*} configures; none by default (the database chain is always kept). */
@Component
class AuditSinks {

    private final List<AuditSink> sinks;

    AuditSinks(AuditProperties properties, ObjectProvider<SslBundles> bundles) {
        List<AuditSink> configured = new ArrayList<>();
        AuditProperties.Sinks settings = properties.sinks();
        if (settings.file() != null) {
            configured.add(new FileAuditSink(settings.file()));
        }
        if (settings.stdout()) {
            configured.add(new StdoutAuditSink());
        }
        AuditProperties.Syslog syslog = settings.syslog();
        if (syslog.host() != null && !syslog.host().isBlank()) {
            SSLContext tls = null;
            if (syslog.sslBundle() != null && !syslog.sslBundle().isBlank()) {
                SslBundles available = bundles.getIfAvailable();
                if (available == null) {
                    throw new IllegalStateException("otpgate.audit.sinks.syslog.ssl-bundle names " + syslog.sslBundle()
                            + " but no spring.ssl.bundle is configured");
                }
                tls = available.getBundle(syslog.sslBundle()).createSslContext();
            }
            configured.add(new SyslogAuditSink(syslog, tls));
        }
        this.sinks = List.copyOf(configured);
    }

    List<AuditSink> all() {
        return sinks;
    }
}
