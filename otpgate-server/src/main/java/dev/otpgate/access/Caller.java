package dev.otpgate.access;

import java.util.Set;

/**
 * The authenticated caller: the key it used, the app it belongs to ({@code null} for an instance-wide admin
 * key) and its scopes. Controllers take the app id from here, never from the request (S-28).
 */
public record Caller(String keyId, String appId, Set<Scope> scopes) {

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }
}
