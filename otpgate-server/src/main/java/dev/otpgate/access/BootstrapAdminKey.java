package dev.otpgate.access;

import dev.otpgate.platform.OtpgateProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

/**
 * On the first start against an empty database, creates the instance-wide admin key: from
 * {@code OTPGATE_BOOTSTRAP_ADMIN_KEY} when set (scripted setups), otherwise generated, printed once to the
 * console (not to the log) and written to {@code <data-dir>/bootstrap-admin-key} with mode 600. It is an admin key
 * like any other: it can be rotated and revoked. Each start says once when the file still exists although other
 * admin keys were created, so that the operator deletes it.
 */
@Component
class BootstrapAdminKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);

    private final ApiKeyRepository repository;
    private final ApiKeyService keys;
    private final OtpgateProperties properties;

    BootstrapAdminKey(ApiKeyRepository repository, ApiKeyService keys, OtpgateProperties properties) {
        this.repository = repository;
        this.keys = keys;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (repository.countAdminKeys() == 0) {
            create();
        }
        Path file = properties.dataDir().resolve("bootstrap-admin-key");
        if (Files.exists(file) && repository.countOtherAdminKeys() > 0) {
            log.warn("{} still holds the bootstrap admin key, and other admin keys exist now: delete the file, and "
                    + "revoke the bootstrap key (DELETE /v1/admin/api-keys/{{id}}) once nothing uses it", file);
        }
    }

    private void create() {
        String given = properties.bootstrapAdminKey();
        if (given != null && !given.isBlank()) {
            if (!ApiKeySecrets.wellFormed(given.strip())) {
                throw new IllegalStateException("OTPGATE_BOOTSTRAP_ADMIN_KEY is not a well-formed otpgate key "
                        + "(otpg_ + 40 base62 characters + a 6-character checksum); generate one with "
                        + "java -jar otpgate.jar generate-key");
            }
            if (insertUnlessRaced(given.strip())) {
                log.info("Created the bootstrap admin key from OTPGATE_BOOTSTRAP_ADMIN_KEY");
            }
            return;
        }
        String secret = ApiKeySecrets.generate();
        if (!insertUnlessRaced(secret)) {
            return;
        }
        Path file = properties.dataDir().resolve("bootstrap-admin-key");
        write(file, secret);
        // Printed, not logged: log sinks never hold a key (S-45); this console line is the one exception.
        System.out.println();
        System.out.println("  Bootstrap admin key (shown once, also in " + file + ", mode 600):");
        System.out.println("    " + secret);
        System.out.println();
        log.info("Created the bootstrap admin key; it was printed once and written to {}", file);
    }

    @EventListener
    void announce(ApplicationReadyEvent ready) {
        Environment env = ready.getApplicationContext().getEnvironment();
        boolean tls = env.getProperty("server.ssl.enabled", Boolean.class, false);
        String url = (tls ? "https" : "http") + "://localhost:" + env.getProperty("local.server.port", "8443");
        Path dataDir = properties.dataDir();
        String cacert = tls && "otpgate-generated".equals(env.getProperty("server.ssl.bundle"))
                ? "--cacert " + dataDir.resolve("tls/ca.pem") + " " : "";
        Path keyFile = dataDir.resolve("bootstrap-admin-key");
        String key = java.nio.file.Files.exists(keyFile) ? "$(cat " + keyFile + ")" : "$OTPGATE_BOOTSTRAP_ADMIN_KEY";
        log.info("otpgate is ready at {} ({} mode). Try it:\n  curl {}-H \"Authorization: Bearer {}\" {}/v1/apps",
                url, properties.mode().name().toLowerCase(java.util.Locale.ROOT), cacert, key, url);
    }

    /**
     * Inserts the bootstrap key; false when another node starting at the same time inserted its own first (one row
     * only may be marked bootstrap), so that this node neither prints nor writes a key that does not exist.
     */
    private boolean insertUnlessRaced(String secret) {
        try {
            keys.insertBootstrap(secret);
            return true;
        } catch (DuplicateKeyException e) {
            log.info("Another node created the bootstrap admin key first");
            return false;
        }
    }

    private static void write(Path file, String secret) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, secret + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (UnsupportedOperationException e) {
            throw new IllegalStateException("the data directory must be on a POSIX file system to protect " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
