package dev.otpgate.access;

import dev.otpgate.ratelimit.ClientAddresses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Behind a TLS-terminating proxy ({@code otpgate.tls.behind-proxy=true}): a request whose peer is one of
 * {@code otpgate.rate-limit.trusted-proxies} and whose {@code X-Forwarded-Proto} says {@code https} is treated
 * as the HTTPS request it was, so URLs built from it (receipt URLs without {@code public-url}, the OpenAPI
 * servers) say {@code https} (S-27, S-37). Any other peer's header is ignored. Host and port stay the request's
 * own; set {@code otpgate.public-url} for URLs that must name the public host.
 */
public final class ForwardedSchemeFilter extends OncePerRequestFilter {

    private final ClientAddresses addresses;

    public ForwardedSchemeFilter(ClientAddresses addresses) {
        this.addresses = addresses;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String scheme = addresses.forwardedScheme(request);
        chain.doFilter("https".equals(scheme) && !request.isSecure() ? new Https(request) : request, response);
    }

    /** The request as the client sent it to the proxy: over HTTPS. */
    private static final class Https extends HttpServletRequestWrapper {

        Https(HttpServletRequest request) {
            super(request);
        }

        @Override
        public boolean isSecure() {
            return true;
        }

        @Override
        public String getScheme() {
            return "https";
        }

        @Override
        public StringBuffer getRequestURL() {
            StringBuffer url = super.getRequestURL();
            if (url.indexOf("http://") == 0) {
                url.replace(0, "http".length(), "https");
            }
            return url;
        }
    }
}
