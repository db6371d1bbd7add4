package dev.otpgate.audit;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A JSON Lines file. The file is opened for appending for each batch and closed after it is forced to disk, so a
 * rotation (the file renamed or removed by logrotate) is followed without a signal: the next batch creates the file
 * again. A file kept whole is an export the offline verifier reads.
 */
final class FileAuditSink implements AuditSink {

    private final Path file;

    FileAuditSink(Path file) {
        this.file = file;
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public void deliver(List<Line> lines) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
                Writer writer = java.nio.channels.Channels.newWriter(channel, StandardCharsets.UTF_8)) {
            for (Line line : lines) {
                writer.write(line.json());
                writer.write('\n');
            }
            writer.flush();
            channel.force(false);
        }
    }
}
