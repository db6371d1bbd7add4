package dev.otpgate.audit;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.signature.SignatureConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The check that needs only an export and the checkpoint signing key's public half (no secret key, no database).
 * It proves: every checkpoint was signed by the key; the rows link to each other by {@code prev_hash} without a gap
 * from the purge boundary on; every row up to the last checkpoint is exactly what the checkpoints signed (their
 * head hash and rows digest); and the export reaches the last checkpoint it holds, or the last one of a given
 * sink file. It cannot prove rows after the last checkpoint were not edited together with their hashes: only the
 * online check, which holds the audit key, can.
 */
public final class OfflineVerifier {

    private OfflineVerifier() {}

    /**
     * Verifies an export; {@code moreCheckpoints} (lines of a sink file, for instance) adds checkpoints seen
     * elsewhere, so an export cut short against them is found.
     */
    public static VerificationReport verify(BufferedReader export, String publicKeySet, BufferedReader moreCheckpoints)
            throws IOException {
        List<AuditRow> rows = new ArrayList<>();
        java.util.Map<Long, Checkpoint> checkpoints = new java.util.TreeMap<>();
        read(export, rows, checkpoints, true);
        if (moreCheckpoints != null) {
            read(moreCheckpoints, new ArrayList<>(), checkpoints, false);
        }
        ChainVerifier verifier = new ChainVerifier(List.copyOf(checkpoints.values()), signatureCheck(publicKeySet), null);
        rows.forEach(verifier::row);
        return verifier.finish(null, null);
    }

    private static void read(BufferedReader in, List<AuditRow> rows, java.util.Map<Long, Checkpoint> checkpoints,
            boolean keepRows) throws IOException {
        String line;
        int number = 0;
        java.util.Set<AuditRow> seen = new java.util.HashSet<>();
        while ((line = in.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            AuditLines.Line parsed;
            try {
                parsed = AuditLines.parse(line);
            } catch (RuntimeException e) {
                throw new IOException("line " + number + " is not an audit line: " + e.getMessage());
            }
            switch (parsed) {
                case AuditLines.RowLine row -> {
                    // A sink delivers at least once: a batch re-sent after a failure repeats rows exactly.
                    if (keepRows && !seen.contains(row.row())) {
                        rows.add(row.row());
                        seen.add(row.row());
                    }
                }
                case AuditLines.CheckpointLine checkpoint -> checkpoints.putIfAbsent(checkpoint.checkpoint().id(), checkpoint.checkpoint());
            }
        }
    }

    /** A signature check under a Tink public key set (JSON), as {@code AuditKeys.publicKeySet()} writes it. */
    static BiPredicate<byte[], byte[]> signatureCheck(String publicKeySet) {
        PublicKeyVerify verify;
        try {
            SignatureConfig.register();
            KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeysetWithoutSecret(publicKeySet);
            verify = handle.getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the public key is not a Tink public key set: " + e.getMessage());
        }
        return (payload, signature) -> {
            try {
                verify.verify(signature, payload);
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        };
    }
}
