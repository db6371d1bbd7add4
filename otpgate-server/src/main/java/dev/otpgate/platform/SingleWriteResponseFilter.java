package dev.otpgate.platform;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets an answer leave in one write. Spring MVC flushes the response after writing a {@code ResponseEntity}
 * (every 201 and every problem), which commits it before its length is known: Tomcat then sends the body
 * chunked and the closing chunk in a second write, each a TLS record and a system call. Here a flush before the
 * response is committed does nothing, so Tomcat sends headers and body together, with {@code Content-Length},
 * when the request ends. A body larger than Tomcat's buffer still streams: the buffer commits the response when
 * it fills, and later flushes pass through. An uncommitted response also keeps a late failure answerable as a
 * problem ({@link UnhandledFailureFilter}).
 */
class SingleWriteResponseFilter extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, new Unflushed(response));
    }

    private static final class Unflushed extends HttpServletResponseWrapper {

        Unflushed(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void flushBuffer() throws IOException {
            if (isCommitted()) {
                super.flushBuffer();
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        /** Inside the failure barrier, outside Spring Security, whose own wrapper writes its headers on a flush. */
        @Bean
        FilterRegistrationBean<SingleWriteResponseFilter> singleWriteResponseFilter() {
            FilterRegistrationBean<SingleWriteResponseFilter> registration =
                    new FilterRegistrationBean<>(new SingleWriteResponseFilter());
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 3);
            registration.addUrlPatterns("/*");
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR);
            return registration;
        }
    }
}
