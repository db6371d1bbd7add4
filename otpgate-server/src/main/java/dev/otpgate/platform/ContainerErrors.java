package dev.otpgate.platform;

import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Puts {@link ProblemReportValve} in place of Tomcat's HTML error page, on the API port and on the management
 * port, so that what the container refuses by itself also answers with a problem and the security headers.
 */
@Configuration(proxyBeanMethods = false)
class ContainerErrors {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReportValve(OtpgateProperties properties) {
        return new ProblemReportValveCustomizer(properties.tls().behindProxy());
    }

    /** The management port runs in a child context of its own, which does not see the bean above. */
    @ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
    static class ManagementPort {

        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> managementProblemReportValve(OtpgateProperties properties) {
            return new ProblemReportValveCustomizer(properties.tls().behindProxy());
        }
    }

    /**
     * Runs last: Spring Boot adds its own {@code ErrorReportValve} (without report or server info) in a context
     * customizer of its own, which must be in the pipeline already so that it can be taken out here.
     */
    static final class ProblemReportValveCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        private final boolean behindProxy;

        ProblemReportValveCustomizer(boolean behindProxy) {
            this.behindProxy = behindProxy;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> install(context.getParent(), behindProxy));
        }

        static void install(Container host, boolean behindProxy) {
            for (Valve valve : host.getPipeline().getValves()) {
                if (valve instanceof ErrorReportValve) {
                    host.getPipeline().removeValve(valve);
                }
            }
            host.getPipeline().addValve(new ProblemReportValve(behindProxy));
            if (host instanceof StandardHost standard) {
                // The host adds its configured error valve at start unless one of that class is present.
                standard.setErrorReportValveClass(ProblemReportValve.class.getName());
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
