package dev.otpgate.platform;

import com.nimbusds.jose.jwk.RSAKey;

/** Lets tests sign hostile tokens with a key the server holds (its current primary), as only a thief could. */
public final class JwtSigningKeys {

    private JwtSigningKeys() {}

    public static RSAKey primary(JwtKeySet keys) {
        return keys.signingKey();
    }
}
