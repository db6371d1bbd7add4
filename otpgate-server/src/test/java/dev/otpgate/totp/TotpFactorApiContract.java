package dev.otpgate.totp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.Concurrently;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.totp.TotpEvents.CodeReplayed;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * TOTP factors over real HTTPS with the server's clock held still, so that steps are exact. Subclasses run the
 * suite on H2 and on PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "logging.level.org.springframework.web=DEBUG"})
@ExtendWith(OutputCaptureExtension.class)
abstract class TotpFactorApiContract extends ServerTestSupport {

    /** The middle of a 30-second step, so that ±1 step stays inside the minute around it. */
    static final Instant NOW = Instant.parse("2026-11-23T10:00:15Z");

    @Autowired
    TotpService service;

    TestApp app;
    String key;

    record Factor(String id, byte[] seed, Response enrollment) {}

    @BeforeEach
    void connect() {
        app = fixtures.app(Map.of("brand", "Acme Bank"));
        key = fixtures.key(app.id(), List.of("totp:manage", "totp:check"));
        clock.fixAt(NOW);
    }

    Factor enroll(String account, Map<String, Object> options) {
        Map<String, Object> body = new HashMap<>(options);
        body.put("account", account);
        Response enrolled = api.post("/v1/totp-factors", key, body);
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        return new Factor(enrolled.json().get("factor").get("id").asString(),
                new Base32().decode(enrolled.text("secret")), enrolled);
    }

    String code(Factor factor, int stepOffset) {
        return code(factor, stepOffset, 6, OtpAlgorithm.SHA1, 30);
    }

    String code(Factor factor, int stepOffset, int digits, OtpAlgorithm algorithm, int period) {
        long step = OneTimePasswords.timeStep(clock.instant(), Duration.ofSeconds(period)) + stepOffset;
        return OneTimePasswords.hotp(factor.seed(), step, digits, algorithm);
    }

    Factor active(String account) {
        Factor factor = enroll(account, Map.of());
        Response activated = api.post("/v1/totp-factors/" + factor.id() + "/activate", key, Map.of("code", code(factor, 0)));
        assertThat(activated.status()).as(activated.body()).isEqualTo(200);
        return factor;
    }

    Response check(Factor factor, String code) {
        return api.post("/v1/totp-factors/" + factor.id() + "/check", key, Map.of("code", code));
    }

    @Test
    void enrollWhenDefaultsThenTheSecretUriAndQrAreShownOnceAndTheSeedHas160Bits_S16_S21() throws Exception {
        Factor factor = enroll("jane@example.com", Map.of());
        Response enrolled = factor.enrollment();
        assertThat(factor.seed()).hasSize(20);
        assertThat(enrolled.text("secret")).matches("[A-Z2-7]{32}");
        String uri = enrolled.text("uri");
        assertThat(uri).isEqualTo("otpauth://totp/Acme%20Bank:jane%40example.com?secret=" + enrolled.text("secret")
                + "&issuer=Acme%20Bank&algorithm=SHA1&digits=6&period=30");
        var image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(enrolled.text("qr_png"))));
        String decoded = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image))),
                    // The PNG is the bare code with its quiet zone. ZXing's finder-pattern detector, made for camera
                    // frames, misreads about 1 in 200 such synthetic images; the pure-barcode mode reads them all.
                    java.util.Map.of(com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE))
                .getText();
        assertThat(decoded).isEqualTo(uri);
        assertThat(enrolled.json().get("factor").get("status").asString()).isEqualTo("unverified");

        Response read = api.get("/v1/totp-factors/" + factor.id(), key);
        Response listed = api.post("/v1/totp-factors/search", key, Map.of("account", "jane@example.com"));
        assertThat(listed.json().get("totp_factors").get(0).get("id").asString()).isEqualTo(factor.id());
        for (Response response : List.of(read, listed)) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).doesNotContain(enrolled.text("secret")).doesNotContain("secret").doesNotContain("otpauth");
        }
        byte[] stored = jdbc.sql("select seed_ciphertext from totp_factors where id = ?").param(factor.id()).query(byte[].class).single();
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(factor.seed(), java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void enrollWhenSha256Or512ThenLongerSeedsAndCodesOfThatAlgorithmActivate_S16() {
        for (OtpAlgorithm algorithm : List.of(OtpAlgorithm.SHA256, OtpAlgorithm.SHA512)) {
            Factor factor = enroll("alg-" + algorithm, Map.of("algorithm", algorithm.name(), "digits", 8, "period", 60));
            assertThat(factor.seed()).hasSize(algorithm.seedBytes());
            assertThat(factor.enrollment().text("uri")).endsWith("&algorithm=" + algorithm.name() + "&digits=8&period=60");
            Response activated = api.post("/v1/totp-factors/" + factor.id() + "/activate", key,
                    Map.of("code", code(factor, 0, 8, algorithm, 60)));
            assertThat(activated.status()).as(activated.body()).isEqualTo(200);
        }
        assertThat(api.post("/v1/totp-factors", key, Map.of("account", "x", "algorithm", "MD5")).status()).isEqualTo(400);
        assertThat(api.post("/v1/totp-factors", key, Map.of("account", "x", "digits", 7)).status()).isEqualTo(400);
        assertThat(api.post("/v1/totp-factors", key, Map.of("account", "x", "period", 45)).status()).isEqualTo(400);
        assertThat(api.post("/v1/totp-factors", key, Map.of("account", "a".repeat(129))).status()).isEqualTo(400);
    }

    @Test
    void activateWhenTheFirstCodeIsRightThenActiveWithTenSingleUseRecoveryCodes_S21_S41() {
        Factor factor = enroll("activation", Map.of());
        assertThat(check(factor, code(factor, 0)).status()).isEqualTo(409);
        String wrong = code(factor, 0).equals("000000") ? "111111" : "000000";
        assertThat(api.post("/v1/totp-factors/" + factor.id() + "/activate", key, Map.of("code", wrong)).status()).isEqualTo(422);
        Response activated = api.post("/v1/totp-factors/" + factor.id() + "/activate", key, Map.of("code", code(factor, 0)));
        assertThat(activated.status()).isEqualTo(200);
        assertThat(activated.json().get("factor").get("status").asString()).isEqualTo("active");
        List<String> codes = new ArrayList<>();
        activated.json().get("recovery_codes").forEach(node -> codes.add(node.asString()));
        assertThat(codes).hasSize(10).allMatch(c -> c.matches("[a-z2-9]{4}(-[a-z2-9]{4}){3}"));
        assertThat(new HashSet<>(codes)).hasSize(10);
        assertThat(api.post("/v1/totp-factors/" + factor.id() + "/activate", key, Map.of("code", code(factor, 1))).status())
                .isEqualTo(409);

        Response recovered = api.post("/v1/totp-factors/" + factor.id() + "/recover", key,
                Map.of("recovery_code", codes.get(3).toUpperCase(java.util.Locale.ROOT)));
        assertThat(recovered.status()).as(recovered.body()).isEqualTo(200);
        assertThat(recovered.json().get("recovery_codes_remaining").asInt()).isEqualTo(9);
        Response again = api.post("/v1/totp-factors/" + factor.id() + "/recover", key, Map.of("recovery_code", codes.get(3)));
        assertThat(again.status()).isEqualTo(422);
        assertThat(api.post("/v1/totp-factors/" + factor.id() + "/recover", key, Map.of("recovery_code", "short")).status())
                .isEqualTo(400);
        byte[][] stored = jdbc.sql("select code_hash from totp_recovery_codes where factor_id = ?").param(factor.id())
                .query(byte[].class).list().toArray(byte[][]::new);
        assertThat(stored.length).isEqualTo(10);
        for (byte[] hash : stored) {
            assertThat(new String(hash, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(codes.get(0).substring(0, 4));
        }
    }

    @Test
    void checkWhenTheCodeIsForStepsMinusTwoToPlusTwoThenOnlyTheSkewWindowIsAccepted_S18_S20() {
        Factor factor = enroll("skew", Map.of());
        assertThat(api.post("/v1/totp-factors/" + factor.id() + "/activate", key, Map.of("code", code(factor, -1))).status())
                .isEqualTo(200);
        assertThat(check(factor, code(factor, -2)).status()).isEqualTo(422);
        assertThat(check(factor, code(factor, 2)).status()).isEqualTo(422);
        assertThat(check(factor, code(factor, -1)).status()).isEqualTo(409);
        assertThat(check(factor, code(factor, 0)).status()).isEqualTo(200);
        assertThat(check(factor, code(factor, 1)).status()).isEqualTo(200);

        TestApp strict = fixtures.app(Map.of("totp_skew_steps", 0));
        String strictKey = fixtures.key(strict.id(), List.of("totp:manage", "totp:check"));
        Response enrolled = api.post("/v1/totp-factors", strictKey, Map.of("account", "strict"));
        Factor exact = new Factor(enrolled.json().get("factor").get("id").asString(), new Base32().decode(enrolled.text("secret")), enrolled);
        assertThat(api.post("/v1/totp-factors/" + exact.id() + "/activate", strictKey, Map.of("code", code(exact, -1))).status())
                .isEqualTo(422);
        assertThat(api.post("/v1/totp-factors/" + exact.id() + "/activate", strictKey, Map.of("code", code(exact, 1))).status())
                .isEqualTo(422);
        assertThat(api.post("/v1/totp-factors/" + exact.id() + "/activate", strictKey, Map.of("code", code(exact, 0))).status())
                .isEqualTo(200);
    }

    @Test
    void checkWhenTheSameCodeComesAgainThen409CodeReplayedAndAnEvent_S19() {
        Factor factor = active("replay");
        clock.advance(Duration.ofSeconds(30));
        String code = code(factor, 0);
        assertThat(check(factor, code).status()).isEqualTo(200);
        Response replayed = check(factor, code);
        assertThat(replayed.status()).isEqualTo(409);
        assertThat(replayed.text("type")).isEqualTo("https://otpgate.dev/problems/code-replayed");
        assertThat(events.of(CodeReplayed.class)).anyMatch(e -> e.factorId().equals(factor.id()));
        // The replay is in the audit trail too, queued durably and appended off the check's path, without the code.
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
        java.util.List<String> details;
        do {
            details = jdbc.sql("select details from audit_events where action = 'totp.code_replayed' and target_id = ?")
                    .param(factor.id()).query(String.class).list();
        } while (details.isEmpty() && java.time.Instant.now().isBefore(deadline) && pause());
        assertThat(details).hasSize(1);
        assertThat(details.getFirst()).doesNotContain(code);
    }

    private static boolean pause() {
        try {
            Thread.sleep(100);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void checkWhen50ParallelChecksPresentOneCodeThenExactlyOneApproves_S19() throws Exception {
        Factor factor = active("concurrent");
        clock.advance(Duration.ofSeconds(30));
        String code = code(factor, 0);
        List<Integer> statuses = Concurrently.run(50, i -> check(factor, code).status());
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(statuses).filteredOn(status -> status != 200).allMatch(status -> status == 409);
    }

    @Test
    void checkWhenFiveFailuresThenLockedEvenForTheRightCodeAndTheLockDoubles_S22() {
        Factor factor = active("lockout");
        clock.advance(Duration.ofSeconds(30));
        String right = code(factor, 0);
        String wrong = right.equals("000000") ? "111111" : "000000";
        for (int remaining = 4; remaining >= 1; remaining--) {
            Response failed = check(factor, wrong);
            assertThat(failed.status()).isEqualTo(422);
            assertThat(failed.json().get("attempts_remaining").asInt()).isEqualTo(remaining);
        }
        Response locking = check(factor, wrong);
        assertThat(locking.status()).isEqualTo(429);
        Response locked = check(factor, right);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.text("type")).isEqualTo("https://otpgate.dev/problems/factor-locked");
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isBetween(1, 30);

        clock.advance(Duration.ofSeconds(31));
        for (int i = 0; i < 5; i++) {
            check(factor, wrong);
        }
        Response second = check(factor, code(factor, 0));
        assertThat(second.status()).isEqualTo(429);
        assertThat(Integer.parseInt(second.header("Retry-After"))).isBetween(31, 60);

        clock.advance(Duration.ofSeconds(61));
        assertThat(check(factor, code(factor, 0)).status()).isEqualTo(200);
        assertThat(check(factor, wrong).json().get("attempts_remaining").asInt()).isEqualTo(4);
        assertThat(TotpService.lockDuration(20)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void checkWhenTheCodeIsNotExactlyTheConfiguredDigitsThen400BeforeAnyComputation() {
        Factor factor = active("format");
        for (String bad : List.of("12345", "1234567", " 123456", "+12345", "12 345", "１２３４５６", "12345a")) {
            Response response = check(factor, bad);
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("code");
        }
        assertThat(jdbc.sql("select failures from totp_factors where id = ?").param(factor.id()).query(Integer.class).single()).isZero();
    }

    @Test
    void factorsWhenAnotherAppAsksOrTheFactorIsRevokedThen404_S23_S28() {
        Factor factor = active("tenancy");
        TestApp other = fixtures.app();
        String otherKey = fixtures.key(other.id(), List.of("totp:manage", "totp:check"));
        String code = code(factor, 1);
        for (Response response : List.of(
                api.get("/v1/totp-factors/" + factor.id(), otherKey),
                api.post("/v1/totp-factors/" + factor.id() + "/check", otherKey, Map.of("code", code)),
                api.post("/v1/totp-factors/" + factor.id() + "/recover", otherKey, Map.of("recovery_code", "aaaa-bbbb-cccc-dddd")),
                api.post("/v1/totp-factors/" + factor.id() + "/activate", otherKey, Map.of("code", code)),
                api.delete("/v1/totp-factors/" + factor.id(), otherKey))) {
            assertThat(response.status()).isEqualTo(404);
        }
        assertThat(api.post("/v1/totp-factors/search", otherKey, Map.of("account", "tenancy")).json().get("totp_factors")).isEmpty();
        assertThat(api.delete("/v1/totp-factors/" + factor.id(), key).status()).isEqualTo(204);
        assertThat(check(factor, code).status()).isEqualTo(404);
    }

    @Test
    void scopesWhenTheKeyLacksTotpScopesThen403_S31() {
        String checkOnly = fixtures.key(app.id(), List.of("totp:check"));
        assertThat(api.post("/v1/totp-factors", checkOnly, Map.of("account", "x")).status()).isEqualTo(403);
        assertThat(api.post("/v1/totp-factors", app.key(), Map.of("account", "x")).status()).isEqualTo(403);
        Factor factor = active("scopes");
        assertThat(api.post("/v1/totp-factors/" + factor.id() + "/check", checkOnly, Map.of("code", code(factor, 1))).status())
                .isEqualTo(200);
    }

    @Test
    void activateWhenTheFactorIsOlderThan24HoursThenGoneAndTheSweeperDeletesIt() {
        Factor factor = enroll("late", Map.of());
        clock.advance(Duration.ofHours(24));
        assertThat(api.post("/v1/totp-factors/" + factor.id() + "/activate", key, Map.of("code", code(factor, 0))).status())
                .isEqualTo(410);
        assertThat(service.deleteExpiredUnverified()).isGreaterThanOrEqualTo(1);
        assertThat(api.get("/v1/totp-factors/" + factor.id(), key).status()).isEqualTo(404);
    }

    @Test
    void flowWhenCodesSeedsAndRecoveryCodesAreUsedThenNoneReachesTheLog_S45(CapturedOutput output) {
        Factor factor = enroll("quiet", Map.of());
        String first = code(factor, 0);
        Response activated = api.post("/v1/totp-factors/" + factor.id() + "/activate", key, Map.of("code", first));
        String recovery = activated.json().get("recovery_codes").get(0).asString();
        String second = code(factor, 1);
        check(factor, second);
        check(factor, second);
        api.post("/v1/totp-factors/" + factor.id() + "/recover", key, Map.of("recovery_code", recovery));
        assertThat(output.getAll()).contains(factor.id());
        for (String secret : List.of(factor.enrollment().text("secret"), first, second, recovery, key)) {
            assertThat(output.getAll()).doesNotContain(secret);
        }
    }

    @Test
    void rotateWhenTheDataKeyChangesThenSeedsAreReencryptedInTheBackgroundAndCodesStillCheck_S22_S42() {
        Factor factor = active("rotation");
        assertThat(api.post("/v1/admin/keys/data/rotate", key, null).status()).isEqualTo(403);
        Response rotated = api.post("/v1/admin/keys/data/rotate", ADMIN_KEY, null);
        assertThat(rotated.status()).isEqualTo(202);
        int primary = Integer.parseUnsignedInt(rotated.text("primary_key_id"));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            byte[] stored = jdbc.sql("select seed_ciphertext from totp_factors where id = ?").param(factor.id())
                    .query(byte[].class).single();
            assertThat(java.nio.ByteBuffer.wrap(stored, 1, 4).getInt()).isEqualTo(primary);
        });
        assertThat(check(factor, code(factor, 1)).status()).isEqualTo(200);
        Factor later = active("after-rotation");
        assertThat(check(later, code(later, 1)).status()).isEqualTo(200);
    }
}
