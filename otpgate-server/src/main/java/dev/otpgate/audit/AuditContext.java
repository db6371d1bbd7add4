package dev.otpgate.audit;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Who is acting in the request being served: the authentication filter binds the caller's key id (or OAuth
 * client id) and the client address it resolved (S-27), and every entry recorded during that request carries
 * them. Never a secret: the key id, not the key.
 */
public final class AuditContext {

    private static final String ACTOR = AuditContext.class.getName() + ".actor";
    private static final String ADDRESS = AuditContext.class.getName() + ".address";
    private static final String APP = AuditContext.class.getName() + ".app";

    /** The actor of rows written by jobs and by the service itself. */
    public static final String SYSTEM = "system";

    private AuditContext() {}

    /** Binds the authenticated caller of {@code request}: its key or client id, its app (null: instance-wide). */
    public static void bind(HttpServletRequest request, String actor, String appId, String clientAddress) {
        request.setAttribute(ACTOR, actor);
        request.setAttribute(APP, appId);
        request.setAttribute(ADDRESS, clientAddress);
    }

    /** Binds only the client address of a request that is not (or not yet) authenticated. */
    public static void bindAddress(HttpServletRequest request, String clientAddress) {
        request.setAttribute(ADDRESS, clientAddress);
    }

    static String appOf(HttpServletRequest request) {
        Object app = request.getAttribute(APP);
        return app == null ? null : app.toString();
    }

    static AuditEntry complete(AuditEntry entry) {
        if (entry.actor() != null) {
            return entry;
        }
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes == null) {
            return entry.by(SYSTEM, entry.clientAddress());
        }
        Object actor = attributes.getAttribute(ACTOR, RequestAttributes.SCOPE_REQUEST);
        Object address = attributes.getAttribute(ADDRESS, RequestAttributes.SCOPE_REQUEST);
        return entry.by(actor == null ? "anonymous" : actor.toString(),
                entry.clientAddress() != null ? entry.clientAddress() : address == null ? null : address.toString());
    }
}
