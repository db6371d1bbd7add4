package dev.otpgate.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * The data directory holds the embedded database (with the dev inbox's codes and numbers), the wrapped key sets
 * and the TLS private key, so only its owner may read it (S-40, S-43): the directory and every folder in it
 * {@code 0700}, every file {@code 0600}. Before anything opens it, it is created that way or its looser
 * entries are tightened, each named in one warning; once the server is ready, the files this start created
 * (H2's among them, made with the process's umask) are tightened quietly.
 *
 * <p>It does nothing on a file system without POSIX permissions; there the operator protects the directory.
 */
public class DataDirectoryGuard implements ApplicationListener<SpringApplicationEvent> {

    private static final Logger log = LoggerFactory.getLogger(DataDirectoryGuard.class);
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    @Override
    public void onApplicationEvent(SpringApplicationEvent event) {
        Environment environment;
        boolean warn;
        if (event instanceof ApplicationPreparedEvent prepared) {
            environment = prepared.getApplicationContext().getEnvironment();
            warn = true;
        } else if (event instanceof ApplicationReadyEvent ready) {
            environment = ready.getApplicationContext().getEnvironment();
            warn = false;
        } else {
            return;
        }
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Path dataDir = Path.of(environment.getProperty("otpgate.data-dir", "./data")).toAbsolutePath().normalize();
        List<Path> tightened = secure(dataDir);
        if (warn && !tightened.isEmpty()) {
            log.warn("The data directory {} had entries others could read; they are now owner-only: {}", dataDir,
                    tightened.stream().map(dataDir::relativize).map(Path::toString).map(p -> p.isEmpty() ? "." : p).toList());
        }
    }

    /** Creates {@code dataDir} owner-only, or tightens it and everything in it; returns what was looser. */
    static List<Path> secure(Path dataDir) {
        List<Path> tightened = new ArrayList<>();
        try {
            if (!Files.exists(dataDir)) {
                Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(DIRECTORY));
                return tightened;
            }
            try (Stream<Path> entries = Files.walk(dataDir)) {
                for (Path entry : entries.toList()) {
                    if (Files.isSymbolicLink(entry)) {
                        continue;
                    }
                    Set<PosixFilePermission> wanted = Files.isDirectory(entry) ? DIRECTORY : FILE;
                    if (!Files.getPosixFilePermissions(entry).equals(wanted)) {
                        Files.setPosixFilePermissions(entry, wanted);
                        tightened.add(entry);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the data directory " + dataDir + " cannot be made owner-only", e);
        }
        return tightened;
    }
}
