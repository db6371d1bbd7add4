package dev.otpgate.platform;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.crypto.tink.signature.SignatureConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import org.springframework.stereotype.Component;

/**
 * The audit trail's two key sets, kept by the {@link KeyRing} under the master key: the audit MAC key
 * ({@code audit.json}, HMAC-SHA256) that chains the rows, and the Ed25519 checkpoint signing key
 * ({@code audit-signing.json}) whose public half anyone may hold to check checkpoints offline. Tink prefixes each
 * tag and signature with the id of the key that made it, so both key sets can be rotated without breaking the
 * chain. This class offers no way to read the secret halves.
 */
@Component
public class AuditKeys {

    private final Mac mac;
    private final PublicKeySign signer;
    private final String publicKeySet;

    public AuditKeys(KeyRing keys) {
        try {
            SignatureConfig.register();
            this.mac = keys.keySet("audit", PredefinedMacParameters.HMAC_SHA256_256BITTAG)
                    .getPrimitive(RegistryConfiguration.get(), Mac.class);
            KeysetHandle signing = keys.keySet("audit-signing", PredefinedSignatureParameters.ED25519);
            this.signer = signing.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class);
            this.publicKeySet = TinkJsonProtoKeysetFormat.serializeKeysetWithoutSecret(signing.getPublicKeysetHandle());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open the audit key sets: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the audit key sets", e);
        }
    }

    /** HMAC-SHA256 under the audit key's primary key. */
    public byte[] tag(byte[] data) {
        try {
            return mac.computeMac(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MAC computation failed", e);
        }
    }

    /** True when {@code tag} is an audit key's tag of {@code data}; Tink compares in constant time. */
    public boolean tagMatches(byte[] tag, byte[] data) {
        try {
            mac.verifyMac(tag, data);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** An Ed25519 signature of {@code data} under the checkpoint signing key. */
    public byte[] sign(byte[] data) {
        try {
            return signer.sign(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    /** The checkpoint signing key set's public half, as Tink JSON: what an offline verifier needs. */
    public String publicKeySet() {
        return publicKeySet;
    }
}
