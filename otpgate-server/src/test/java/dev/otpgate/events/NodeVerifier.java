package dev.otpgate.events;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/**
 * The npm package {@code standardwebhooks} 1.1.1, run with Node: an implementation of Standard Webhooks that
 * shares no code with otpgate. Its dependencies are installed from {@code src/test/node/package-lock.json}
 * ({@code npm ci}) the first time they are missing.
 */
final class NodeVerifier implements AutoCloseable {

    private static final Path DIR = Path.of("src/test/node");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final Writer in;
    private final BufferedReader out;

    NodeVerifier() throws IOException, InterruptedException {
        if (!Files.isDirectory(DIR.resolve("node_modules/standardwebhooks"))) {
            Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIR.toFile())
                    .redirectErrorStream(true).redirectOutput(new File(System.getProperty("java.io.tmpdir"), "npm-ci.log"))
                    .start();
            if (!install.waitFor(120, TimeUnit.SECONDS) || install.exitValue() != 0) {
                throw new IllegalStateException("npm ci in " + DIR + " failed; see npm-ci.log in the temp directory");
            }
        }
        process = new ProcessBuilder("node", "verify.js").directory(DIR.toFile()).redirectErrorStream(true).start();
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** "ok", or "fail" and the package's reason. */
    String verify(String secret, String id, String timestamp, String signature, String body) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", id);
        headers.put("webhook-timestamp", timestamp);
        headers.put("webhook-signature", signature);
        in.write(JSON.writeValueAsString(Map.of("secret", secret, "headers", headers, "body", body)) + "\n");
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the Node verifier ended");
        }
        return line;
    }

    String verify(String secret, WebhookReceiver.Received request) throws IOException {
        return verify(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
                request.header("webhook-signature"), request.body());
    }

    @Override
    public void close() {
        process.destroy();
    }
}
