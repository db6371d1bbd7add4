package dev.otpgate.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request the application could not read, before anything reads it: a query string that is not
 * percent-encoded UTF-8, a header value with a control character, and a {@code Content-Type} that is not one
 * concrete media type. Later, Tomcat, Spring Security's firewall and Spring MVC would each fail on these with an
 * exception whose message quotes the offending value, a key or a phone number, into a log line and a 500
 * (S-45, S-47). This filter answers 400 (415 for the content type) and quotes nothing. It also has Tomcat parse
 * the parameters here, once (except for a form body, which must stay unread), so that one Tomcat refuses (an
 * empty name, too many) fails now and quietly, not later in whichever code asks first (Spring MVC's DEBUG request
 * log does).
 *
 * <p>It does not judge what the values mean: a well-formed query with an unknown or wrong parameter is left to
 * the endpoint.
 */
public class MalformedRequestFilter extends OncePerRequestFilter {

    private final ProblemWriter problems;
    private final boolean behindProxy;

    MalformedRequestFilter(ProblemWriter problems, boolean behindProxy) {
        this.problems = problems;
        this.behindProxy = behindProxy;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ApiProblem problem = refusal(request);
        if (problem != null) {
            SecurityHeaders.addMissing(response, request.isSecure() || behindProxy);
            problems.write(response, problem);
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean formBody(HttpServletRequest request) {
        return isFormBody(request.getContentType());
    }

    /**
     * True for an {@code application/x-www-form-urlencoded} body: the one kind this filter leaves unread, and
     * the one the receipts endpoint decodes itself from the raw bytes.
     */
    public static boolean isFormBody(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            return MediaType.APPLICATION_FORM_URLENCODED.includes(MediaType.parseMediaType(contentType));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static ApiProblem refusal(HttpServletRequest request) {
        if (!wellFormedQuery(request.getQueryString())) {
            return ApiProblem.invalid("query", "is not valid percent-encoded UTF-8");
        }
        // A form body is left unread: provider receipts (Twilio, Vonage) are form posts whose raw body the
        // receipts endpoint reads and checks against their signature. Parsing parameters would consume it.
        if (!formBody(request)) {
            try {
                request.getParameterMap();
            } catch (IllegalStateException e) {
                // Tomcat's InvalidParameterException.
                return ApiProblem.invalid("query", "has a parameter the server cannot read");
            }
        }
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                if (hasControlCharacter(values.nextElement())) {
                    // The header's name is ours to repeat; its value never is.
                    return ApiProblem.invalid(headerName(name), "contains a control character");
                }
            }
        }
        String contentType = request.getContentType();
        if (contentType != null && !concrete(contentType)) {
            return new ApiProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type",
                    "Content-Type must be one concrete media type, such as application/json");
        }
        return null;
    }

    /** {@code %} followed by two hex digits everywhere, and the decoded bytes are UTF-8. */
    static boolean wellFormedQuery(String query) {
        if (query == null) {
            return true;
        }
        ByteBuffer bytes = ByteBuffer.allocate(query.length());
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '%') {
                if (i + 2 >= query.length()) {
                    return false;
                }
                int high = Character.digit(query.charAt(i + 1), 16);
                int low = Character.digit(query.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return false;
                }
                bytes.put((byte) (high << 4 | low));
                i += 2;
            } else if (c > 0x7e || c < 0x20) {
                return false;
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** C0 controls except tab, DEL and the C1 controls (0x80–0x9F as Tomcat reads header bytes, ISO-8859-1). */
    static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f)) {
                return true;
            }
        }
        return false;
    }

    private static boolean concrete(String contentType) {
        try {
            return MediaType.parseMediaType(contentType).isConcrete();
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    /** Tomcat has already checked that a header name is an RFC 9110 token, so it is safe to echo. */
    private static String headerName(String name) {
        return name.length() > 64 ? "header" : name;
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        /** Right after the credentials-in-URL check (the first filter), before Spring Security. */
        @Bean
        FilterRegistrationBean<MalformedRequestFilter> malformedRequestFilter(ProblemWriter problems,
                OtpgateProperties properties) {
            FilterRegistrationBean<MalformedRequestFilter> registration = new FilterRegistrationBean<>(
                    new MalformedRequestFilter(problems, properties.tls().behindProxy()));
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
            registration.addUrlPatterns("/*");
            return registration;
        }
    }
}
