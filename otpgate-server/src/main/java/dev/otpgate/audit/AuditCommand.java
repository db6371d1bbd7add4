package dev.otpgate.audit;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar otpgate.jar audit verify --export FILE --public-key FILE [--checkpoints FILE]}: the offline
 * check of an export ({@code GET /v1/audit-events/export}) against the checkpoint signing key's public half
 * ({@code GET /v1/audit-events/public-key}). Exit status 0 when the chain holds, 1 when it breaks (the first bad
 * sequence number is printed), 2 when the files cannot be read. Starts no server and opens no database.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit trail tools.",
        subcommands = AuditCommand.Verify.class)
public final class AuditCommand {

    /** Runs the command line and answers its exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new AuditCommand());
        line.setOut(out);
        line.setErr(err);
        line.setExecutionExceptionHandler((e, command, parsed) -> {
            String why = e instanceof java.nio.file.NoSuchFileException missing ? "no such file: " + missing.getFile()
                    : e instanceof java.nio.file.AccessDeniedException denied ? "cannot read " + denied.getFile()
                    : e.getMessage();
            command.getErr().println("audit verify: " + why);
            return 2;
        });
        return line.execute(args);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify an exported audit trail offline: checkpoint signatures, links, signed digests, tail.")
    static final class Verify implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--export", required = true, description = "the export, JSON Lines (GET /v1/audit-events/export)")
        Path export;

        @Option(names = "--public-key", required = true, description = "the public key set (GET /v1/audit-events/public-key)")
        Path publicKey;

        @Option(names = "--checkpoints", description = "a sink's JSON Lines file whose checkpoints the export must reach")
        Path checkpoints;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String key = Files.readString(publicKey, StandardCharsets.UTF_8);
            VerificationReport report;
            try (BufferedReader rows = Files.newBufferedReader(export, StandardCharsets.UTF_8);
                    BufferedReader more = checkpoints == null ? null : Files.newBufferedReader(checkpoints, StandardCharsets.UTF_8)) {
                report = OfflineVerifier.verify(rows, key, more);
            }
            if (report.valid()) {
                out.printf("OK: rows %d–%d link without a gap; %d checkpoints verified, the last at sequence %s%n",
                        report.firstSequence(), report.lastSequence(), report.checkpointsChecked(),
                        report.lastCheckpointSequence() == null ? "-" : report.lastCheckpointSequence());
                out.println("Rows after the last checkpoint are linked but can be fully checked only online.");
                out.flush();
                return 0;
            }
            out.printf("BROKEN at sequence %d: %s%n", report.firstBadSequence(), report.problem());
            out.flush();
            return 1;
        }
    }
}
