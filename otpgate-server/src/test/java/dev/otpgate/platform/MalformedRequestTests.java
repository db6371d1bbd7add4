package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.RawHttps;
import dev.otpgate.support.RawHttps.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Requests that are broken at the HTTP level, sent byte for byte over TLS to a real server: whoever refuses
 * them (Tomcat before routing, the firewall, a filter, Spring MVC), the answer is a 4xx problem with the API's
 * security headers (S-47, S-38), and the key or personal data in the request reaches no log line (S-45).
 */
@ExtendWith(OutputCaptureExtension.class)
class MalformedRequestTests {

    private static final String ADMIN_KEY = ApiKeySecrets.generate();
    private static final String PHONE = "+12125550177";
    private static final String EMAIL = "malformed.probe@example.com";

    @TempDir
    static Path dataDir;

    private static ConfigurableApplicationContext server;
    private static RawHttps api;
    private static RawHttps management;
    private static String appKey;

    @BeforeAll
    static void startServer() {
        List<String> arguments = new ArrayList<>(TestServers.embeddedArguments(dataDir));
        arguments.removeIf(argument -> argument.startsWith("--otpgate.bootstrap-admin-key="));
        arguments.addAll(List.of("--otpgate.bootstrap-admin-key=" + ADMIN_KEY,
                // The application's and the frameworks' own DEBUG output is searched too.
                "--logging.level.dev.otpgate=DEBUG", "--logging.level.org.springframework.web=DEBUG",
                "--logging.level.org.springframework.security=DEBUG"));
        server = TestServers.start(arguments);
        Path ca = dataDir.resolve("tls/ca.pem");
        api = new RawHttps(ca, "localhost", TestServers.apiPort(server), Duration.ofSeconds(10));
        management = new RawHttps(ca, "localhost", TestServers.managementPort(server), Duration.ofSeconds(10));
        ApiClient client = new ApiClient("https://localhost:" + TestServers.apiPort(server), ca);
        String appId = client.post("/v1/apps", ADMIN_KEY, Map.of("name", "Malformed")).text("id");
        appKey = client.post("/v1/apps/" + appId + "/api-keys", ADMIN_KEY, Map.of("name", "probe")).text("secret");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void requestWhenTomcatRefusesItBeforeRoutingThenA400ProblemWithTheSecurityHeadersAnswers_S47_S38() throws Exception {
        String bearer = "Authorization: Bearer " + appKey;
        Map<String, Answer> answers = new LinkedHashMap<>();
        answers.put("%00 in the path", api.send("GET /v1/apps%00x HTTP/1.1", List.of(bearer), null));
        answers.put("%2f in the path", api.send("GET /v1/verifications/a%2fb HTTP/1.1", List.of(bearer), null));
        answers.put("backslash in the path", api.send("GET /v1/verifications/a\\b HTTP/1.1", List.of(bearer), null));
        answers.put("| in the path", api.send("GET /v1/a|pps HTTP/1.1", List.of(bearer), null));
        answers.put("| in the query", api.send("GET /v1/fraud/blocks?limit=|1 HTTP/1.1", List.of(bearer), null));
        answers.put("backslash in the query", api.send("GET /v1/fraud/blocks?limit=\\1 HTTP/1.1", List.of(bearer), null));
        answers.put("a header over the size limit", api.send("GET /v1/apps HTTP/1.1",
                List.of(bearer, "X-Padding: " + "a".repeat(20_000)), null));
        answers.put("a control byte in a header", api.send("GET /v1/apps HTTP/1.1", List.of(bearer, "X-Probe: a\u0001b"), null));
        answers.put("a broken chunk size", api.send("POST /v1/verifications HTTP/1.1",
                List.of(bearer, "Content-Type: application/json", "Transfer-Encoding: chunked"), "zz\r\n{}\r\n0\r\n\r\n"));
        answers.put("a chunk without its end", api.send("POST /v1/verifications HTTP/1.1",
                List.of(bearer, "Content-Type: application/json", "Transfer-Encoding: chunked"), "2\r\n{}XX0\r\n\r\n"));

        // Tomcat answers these two 501: a request the API will never take, not a failure of the server.
        answers.put("an unknown transfer coding", api.send("POST /v1/verifications HTTP/1.1",
                List.of(bearer, "Content-Type: application/json", "Transfer-Encoding: gzip"), ""));
        answers.put("CONNECT", api.send("CONNECT /v1/apps HTTP/1.1", List.of(bearer), null));

        answers.forEach((what, answer) -> {
            assertThat(answer.status()).as(what + ": " + answer).isEqualTo(400);
            assertProblemWithSecurityHeaders(what, answer);
        });
        Answer expectation = api.send("GET /v1/apps HTTP/1.1", List.of(bearer, "Expect: nonsense"), null);
        assertThat(expectation.status()).as(expectation.toString()).isEqualTo(417);
        assertProblemWithSecurityHeaders("an unknown expectation", expectation);
    }

    @Test
    void requestWhenItCarriesAKeyOrPersonalDataInABrokenPlaceThenA400ProblemAnswersAndNoLogLineHoldsIt_S45(
            CapturedOutput output) throws Exception {
        String bearer = "Authorization: Bearer " + appKey;
        Map<String, Answer> answers = new LinkedHashMap<>();
        answers.put("a control byte after the key", api.send("GET /v1/verifications/vrf_x HTTP/1.1",
                List.of("Authorization: Bearer " + appKey + "\u0001"), null));
        answers.put("a C1 byte after the key", api.send("GET /v1/verifications/vrf_x HTTP/1.1",
                List.of("Authorization: Bearer " + appKey + "\u0085"), null));
        answers.put("| beside a key in the query", api.send("GET /v1/verifications/vrf_x?api_key=" + appKey + "| HTTP/1.1",
                List.of(), null));
        answers.put("a phone number with broken percent-encoding", api.send(
                "GET /v1/dev/messages?to=%2B" + PHONE.substring(1) + "%ff HTTP/1.1", List.of("Authorization: Bearer " + ADMIN_KEY), null));
        answers.put("an email with broken percent-encoding", api.send(
                "GET /v1/totp-factors?account=" + EMAIL + "%ff HTTP/1.1", List.of(bearer), null));
        answers.put("a number that is not percent-encoded", api.send("GET /v1/fraud/blocks?limit=%zz HTTP/1.1",
                List.of(bearer), null));
        // Well-encoded, but Tomcat refuses a parameter without a name, quoting its value, wherever it is first read.
        answers.put("a parameter without a name", api.send("POST /v1/verifications/vrf_x/cancel?=" + PHONE + " HTTP/1.1",
                List.of(bearer, "Content-Length: 0"), ""));
        answers.put("a truncated escape", api.send("GET /v1/dev/messages?to=" + PHONE + "% HTTP/1.1",
                List.of("Authorization: Bearer " + ADMIN_KEY), null));

        answers.forEach((what, answer) -> {
            assertThat(answer.status()).as(what + ": " + answer).isEqualTo(400);
            assertProblemWithSecurityHeaders(what, answer);
        });
        String everything = output.getAll() + answers.values();
        // Control: the refusals went through the server while this output was captured.
        assertThat(output.getAll()).contains("o.s.security");
        for (String secret : List.of(appKey, ADMIN_KEY, PHONE, PHONE.substring(1), EMAIL)) {
            assertThat(everything).as("the output must not hold a secret").doesNotContain(secret);
        }
        assertThat(output.getAll()).doesNotContain("InvalidParameterException").doesNotContain("Unhandled failure");
    }

    @Test
    void requestWhenTheApplicationCouldNotReadAHeaderThenA4xxProblemAnswersInsteadOfA500_S47() throws Exception {
        String bearer = "Authorization: Bearer " + appKey;
        Answer wildcard = api.send("POST /v1/verifications/vrf_x/resend HTTP/1.1",
                List.of(bearer, "Content-Type: */*", "Content-Length: 2"), "{}");
        Answer typeWildcard = api.send("POST /v1/verifications HTTP/1.1",
                List.of(bearer, "Content-Type: application/*", "Content-Length: 2"), "{}");
        Answer unparsable = api.send("POST /v1/verifications HTTP/1.1",
                List.of(bearer, "Content-Type: ;;", "Content-Length: 2"), "{}");
        String start = "{\"to\":\"" + PHONE + "\"}";
        Answer idempotencyC1 = api.send("POST /v1/verifications HTTP/1.1", List.of(bearer, "Content-Type: application/json",
                "Idempotency-Key: order\u0085" + "42", "Content-Length: " + start.length()), start);

        for (Answer answer : List.of(wildcard, typeWildcard, unparsable)) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(415);
            assertProblemWithSecurityHeaders("content type", answer);
        }
        assertThat(idempotencyC1.status()).as(idempotencyC1.toString()).isEqualTo(400);
        assertProblemWithSecurityHeaders("Idempotency-Key", idempotencyC1);
        assertThat(idempotencyC1.body()).contains("invalid-request").contains("Idempotency-Key");
    }

    @Test
    void getErrorWhenAskedForDirectlyThenA404ProblemAnswersAsForAnyUnknownPath_S47() throws Exception {
        for (String method : List.of("GET", "POST", "DELETE")) {
            Answer answer = api.send(method + " /error HTTP/1.1", List.of("Content-Length: 0"), "");

            assertThat(answer.status()).as(method + " " + answer).isEqualTo(404);
            assertProblemWithSecurityHeaders(method + " /error", answer);
        }
    }

    @Test
    void requestWhenTomcatRefusesItOnTheManagementPortThenAProblemAnswersThereToo_S47() throws Exception {
        Answer answer = management.send("GET /actuator/health%00 HTTP/1.1", List.of(), null);

        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
        assertThat(answer.body()).contains("\"status\":400").doesNotContain("<html");
    }

    private static void assertProblemWithSecurityHeaders(String what, Answer answer) {
        assertThat(answer.contentType()).as(what).isEqualTo("application/problem+json");
        assertThat(answer.body()).as(what).startsWith("{").contains("\"status\":" + answer.status())
                .contains("https://otpgate.dev/problems/").doesNotContain("<html").doesNotContain("Exception")
                .doesNotContain("at org.");
        assertThat(answer.header("Cache-Control")).as(what).contains("no-store");
        assertThat(answer.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
        assertThat(answer.header("Content-Security-Policy")).as(what).startsWith("default-src 'none'; frame-ancestors 'none'");
        assertThat(answer.header("Strict-Transport-Security")).as(what).contains("max-age=31536000");
    }
}
