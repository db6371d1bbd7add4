package dev.otpgate.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps.TestApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.transaction.IllegalTransactionStateException;
import tools.jackson.databind.JsonNode;

/**
 * The audit trail end to end over real HTTPS: admin actions recorded in their transaction, reading with filters,
 * cursors and tenancy, the online and offline checks against rows edited, inserted, reordered and deleted in SQL
 * and a tail cut off, and a retention purge the chain survives. Subclasses run it on H2 and on PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.audit.rollup-interval=1s", "otpgate.audit.checkpoint-rows=5"})
abstract class AuditTrailContract extends ServerTestSupport {

    @Autowired
    AuditTrail trail;

    @Autowired
    AuditChain chain;

    JsonNode events(String query, String key) {
        Response page = api.get("/v1/audit-events" + query, key);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        return page.json().get("events");
    }

    List<String> actions(JsonNode events) {
        List<String> actions = new ArrayList<>();
        events.forEach(event -> actions.add(event.get("action").asString() + ":" + event.get("target_id").asString()));
        return actions;
    }

    JsonNode verify() {
        Response report = api.get("/v1/audit-events/verify", ADMIN_KEY);
        assertThat(report.status()).as(report.body()).isEqualTo(200);
        return report.json();
    }

    long headSequence() {
        return jdbc.sql("select sequence from audit_head where id = 1").query(Long.class).single();
    }

    @Test
    void adminActionsAreRecordedWithActorAddressAndNoSecret_S44_S45() {
        TestApp app = fixtures.app();
        Response key = api.post("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY, Map.of("name", "ops", "scopes", List.of()));
        String keyId = key.text("id");
        String secret = key.text("secret");
        assertThat(api.patch("/v1/apps/" + app.id(), ADMIN_KEY, Map.of("brand", "Renamed")).status()).isEqualTo(200);
        assertThat(api.delete("/v1/apps/" + app.id() + "/api-keys/" + keyId, ADMIN_KEY).status()).isEqualTo(204);

        JsonNode rows = events("?app_id=" + app.id(), ADMIN_KEY);
        assertThat(actions(rows)).containsSubsequence("api_key.revoked:" + keyId, "app.updated:" + app.id(),
                "api_key.created:" + keyId, "app.created:" + app.id());
        for (JsonNode row : rows) {
            assertThat(row.get("actor").asString()).startsWith("key_");
            assertThat(row.get("client_address").asString()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
            assertThat(row.get("outcome").asString()).isEqualTo("success");
        }
        assertThat(api.get("/v1/audit-events/export", ADMIN_KEY).body()).doesNotContain(secret).doesNotContain(ADMIN_KEY)
                .doesNotContain(app.key());
    }

    @Test
    void anAppKeySeesOnlyItsOwnAppsRows_S28() {
        TestApp mine = fixtures.app();
        TestApp theirs = fixtures.app();
        String reader = fixtures.key(mine.id(), List.of("audit:read"));

        JsonNode rows = events("", reader);
        assertThat(rows).isNotEmpty();
        rows.forEach(row -> assertThat(row.get("app_id").asString()).isEqualTo(mine.id()));
        assertThat(events("?app_id=" + theirs.id(), reader)).isEmpty();
        assertThat(api.get("/v1/audit-events", mine.key()).status()).as("a key without audit:read").isEqualTo(403);
        assertThat(api.get("/v1/audit-events/verify", reader).status()).isEqualTo(403);
        assertThat(api.get("/v1/audit-events/export", reader).status()).isEqualTo(403);
        assertThat(api.get("/v1/audit-events", null).status()).isEqualTo(401);
    }

    @Test
    void aCursorWalksEveryRowOnceNewestFirst() {
        for (int i = 0; i < 5; i++) {
            fixtures.app();
        }
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        do {
            Response page = api.get("/v1/audit-events?action=app.created&limit=2" + (cursor == null ? "" : "&cursor=" + cursor), ADMIN_KEY);
            assertThat(page.status()).isEqualTo(200);
            page.json().get("events").forEach(event -> seen.add(event.get("sequence").asLong()));
            cursor = page.json().has("next_cursor") ? page.json().get("next_cursor").asString() : null;
        } while (cursor != null);
        long created = jdbc.sql("select count(*) from audit_events where action = 'app.created'").query(Long.class).single();
        assertThat(seen).hasSize((int) created).doesNotHaveDuplicates();
        assertThat(seen).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void filtersByTimeAndActorAndRefusesMalformedOnes() {
        Instant before = Instant.now().minusSeconds(1);
        TestApp app = fixtures.app();
        String actor = events("?app_id=" + app.id(), ADMIN_KEY).get(0).get("actor").asString();
        assertThat(actions(events("?app_id=" + app.id() + "&from=" + before + "&actor=" + actor, ADMIN_KEY)))
                .contains("app.created:" + app.id());
        assertThat(events("?app_id=" + app.id() + "&to=" + before, ADMIN_KEY)).isEmpty();
        assertThat(events("?app_id=" + app.id() + "&actor=key_nobody", ADMIN_KEY)).isEmpty();
        Response bad = api.get("/v1/audit-events?from=yesterday", ADMIN_KEY);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
        assertThat(api.get("/v1/audit-events?cursor=abc", ADMIN_KEY).status()).isEqualTo(400);
        assertThat(api.get("/v1/audit-events?limit=0", ADMIN_KEY).status()).isEqualTo(400);
    }

    @Test
    void anActionWhoseRowCannotBeWrittenFailsAndLeavesNothing() {
        long apps = jdbc.sql("select count(*) from apps").query(Long.class).single();
        jdbc.sql("alter table audit_events rename to audit_events_away").update();
        try {
            Response refused = api.post("/v1/apps", ADMIN_KEY, Map.of("name", "Unrecorded"));
            assertThat(refused.status()).isEqualTo(500);
            assertThat(refused.body()).doesNotContainIgnoringCase("audit_events").doesNotContainIgnoringCase("sql");
        } finally {
            jdbc.sql("alter table audit_events_away rename to audit_events").update();
        }
        assertThat(jdbc.sql("select count(*) from apps").query(Long.class).single()).isEqualTo(apps);
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void recordingWithoutATransactionIsRefused() {
        assertThatThrownBy(() -> trail.record(AuditEntry.success("test.recorded", null, null)))
                .isInstanceOf(IllegalTransactionStateException.class);
    }

    @Test
    void securityEventsQueuedLaterAndBurstsRolledUpReachTheChain() throws Exception {
        String target = "vrf_" + System.nanoTime();
        trail.recordLater(AuditEntry.detected("verification.destination_locked", null, target).with("locked_seconds", 60));
        for (int i = 0; i < 7; i++) {
            assertThat(api.get("/v1/apps", "otpg_wrong" + i).status()).isEqualTo(401);
        }
        await(() -> jdbc.sql("select count(*) from audit_events where target_id = ?").param(target).query(Long.class).single() == 1,
                "the queued security event");
        // The failures may fall into two windows: wait until the rows written so far count all seven.
        await(() -> countedFailures() >= 7, "the rolled-up authentication failures");
        for (JsonNode row : events("?action=auth.failed", ADMIN_KEY)) {
            assertThat(row.get("details").has("first_at")).isTrue();
            assertThat(row.get("details").has("last_at")).isTrue();
            assertThat(row.get("actor").asString()).isEqualTo("anonymous");
        }
        assertThat(events("?action=auth.failed", ADMIN_KEY).size()).as("rolled up, not one row per request").isLessThan(7);
        assertThat(api.get("/v1/audit-events/export", ADMIN_KEY).body()).doesNotContain("otpg_wrong");
    }

    @Test
    void anUntouchedChainVerifiesOnlineAndOffline_S46() throws Exception {
        for (int i = 0; i < 7; i++) {
            fixtures.app();
        }
        JsonNode report = verify();
        assertThat(report.get("valid").asBoolean()).as(report.toString()).isTrue();
        assertThat(report.get("macs_checked").asBoolean()).isTrue();
        assertThat(report.get("checkpoints_checked").asInt()).isPositive();
        assertThat(offline(export(), publicKey()).exit()).isZero();
    }

    @Autowired
    AuditVerifier verifier;

    @Test
    void aChainVerifiedWhileActionsCommitIsReadFromOneSnapshot_S46() throws Exception {
        fixtures.app();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = Thread.ofVirtual().start(() -> {
            Instant until = Instant.now().plusSeconds(3);
            while (Instant.now().isBefore(until)) {
                fixtures.app();
            }
            writing.set(false);
        });
        List<String> problems = new ArrayList<>();
        int verified = 0;
        while (writing.get()) {
            VerificationReport report = verifier.verify();
            verified++;
            if (!report.valid()) {
                problems.add(report.problem());
            }
        }
        writer.join();
        assertThat(verified).as("verifications while actions committed").isPositive();
        // Without one snapshot, a row committed after the head was read looks like an insertion past the head.
        assertThat(problems).as("of %d verifications", verified).isEmpty();
        assertThat(verifier.verify().valid()).isTrue();
    }

    @Test
    void anEditedColumnIsNamedByItsRowsSequence_S46() {
        fixtures.app();
        assertEditFound("actor", "'key_innocent'", headSequence() - 1);
        assertEditFound("details", "'{\"name\":\"forged\"}'", headSequence());
        assertEditFound("occurred_at", "occurred_at + interval '1' second", headSequence());
        assertEditFound("hash", "prev_hash", headSequence() - 1);
    }

    /** Sets one column of one row in SQL, expects the online check to name that row, and puts it back. */
    void assertEditFound(String column, String expression, long victim) {
        Map<String, Object> row = jdbc.sql("select * from audit_events where sequence = ?").param(victim).query().singleRow();
        jdbc.sql("update audit_events set " + column + " = " + expression + " where sequence = ?").param(victim).update();
        try {
            assertBrokenAt(victim);
        } finally {
            jdbc.sql("delete from audit_events where sequence = ?").param(victim).update();
            reinsert(row);
        }
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void aDeletedRowIsNamedByItsSequence_firstAndMiddleAlike_S46() {
        fixtures.app();
        fixtures.app();
        long first = jdbc.sql("select min(sequence) from audit_events").query(Long.class).single();
        for (long victim : List.of(first, headSequence() - 1)) {
            Map<String, Object> row = jdbc.sql("select * from audit_events where sequence = ?").param(victim).query().singleRow();
            jdbc.sql("delete from audit_events where sequence = ?").param(victim).update();
            try {
                assertBrokenAt(victim);
            } finally {
                reinsert(row);
            }
        }
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void anInsertedRowIsNamedByItsSequence_S46() {
        fixtures.app();
        long head = headSequence();
        Map<String, Object> last = jdbc.sql("select * from audit_events where sequence = ?").param(head).query().singleRow();
        // A forged row at the end, linked to the real last row: the forger has no audit key.
        jdbc.sql("insert into audit_events (sequence, occurred_at, actor, app_id, action, target_id, outcome, client_address, "
                + "details, prev_hash, hash) values (?, ?, 'key_forger', null, 'app.deleted', 'app_x', 'success', null, '{}', ?, ?)")
                .params(head + 1, last.get("occurred_at"), last.get("hash"), last.get("hash")).update();
        try {
            assertBrokenAt(head + 1);
        } finally {
            jdbc.sql("delete from audit_events where sequence = ?").param(head + 1).update();
        }
        // Shifting rows up to make room in the middle breaks the chain where the shift starts.
        long middle = head - 1;
        jdbc.sql("update audit_events set sequence = sequence + 1000000 where sequence >= ?").param(middle).update();
        jdbc.sql("update audit_events set sequence = sequence - 999999 where sequence >= ?").param(middle + 1000000).update();
        try {
            assertBrokenAt(middle);
        } finally {
            jdbc.sql("update audit_events set sequence = sequence + 999999 where sequence > ?").param(middle).update();
            jdbc.sql("update audit_events set sequence = sequence - 1000000 where sequence >= ?").param(middle + 1000000).update();
        }
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void reorderedRowsAreNamedByTheFirstMoved_S46() {
        fixtures.app();
        long a = headSequence() - 1;
        long b = headSequence();
        jdbc.sql("update audit_events set sequence = -1 where sequence = ?").param(a).update();
        jdbc.sql("update audit_events set sequence = ? where sequence = ?").params(a, b).update();
        jdbc.sql("update audit_events set sequence = ? where sequence = -1").param(b).update();
        try {
            assertBrokenAt(a);
        } finally {
            jdbc.sql("update audit_events set sequence = -1 where sequence = ?").param(a).update();
            jdbc.sql("update audit_events set sequence = ? where sequence = ?").params(a, b).update();
            jdbc.sql("update audit_events set sequence = ? where sequence = -1").param(b).update();
        }
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void aTailCutOffIsFoundAgainstTheHeadAndTheLastCheckpoint_S46() throws Exception {
        for (int i = 0; i < 6; i++) {
            fixtures.app();
        }
        String export = export();
        String key = publicKey();
        long head = headSequence();
        // Everything the test removes, kept to put back.
        List<Map<String, Object>> tail = jdbc.sql("select * from audit_events where sequence > ? order by sequence")
                .param(head - 8).query().listOfRows();
        jdbc.sql("delete from audit_events where sequence > ?").param(head - 2).update();
        try {
            assertThat(verify().get("first_bad_sequence").asLong()).isEqualTo(head - 1);
            // Also with the head row wound back to match, the signed checkpoints give the cut away.
            Map<String, Object> headRow = jdbc.sql("select * from audit_head").query().singleRow();
            long lastCheckpoint = jdbc.sql("select max(sequence) from audit_checkpoints").query(Long.class).single();
            long cut = Math.min(lastCheckpoint - 1, head - 2);
            jdbc.sql("delete from audit_events where sequence > ?").param(cut).update();
            jdbc.sql("update audit_head set sequence = ?, hash = (select hash from audit_events where sequence = ?) where id = 1")
                    .params(cut, cut).update();
            try {
                JsonNode report = verify();
                assertThat(report.get("valid").asBoolean()).isFalse();
                assertThat(report.get("first_bad_sequence").asLong()).as(report.toString()).isEqualTo(cut + 1);
            } finally {
                jdbc.sql("update audit_head set sequence = ?, hash = ? where id = 1")
                        .params(headRow.get("sequence"), headRow.get("hash")).update();
            }
        } finally {
            jdbc.sql("delete from audit_events where sequence > ?").param(head - 8).update();
            for (Map<String, Object> row : tail) {
                reinsert(row);
            }
        }
        List<String> lines = export.lines().toList();
        int lastRow = lines.size() - 1;
        while (!lines.get(lastRow).contains("\"audit_event\"")) {
            lastRow--;
        }
        long lastCheckpointInExport = lines.stream().filter(line -> line.contains("\"audit_checkpoint\""))
                .mapToLong(line -> AuditLines.parse(line) instanceof AuditLines.CheckpointLine c ? c.checkpoint().sequence() : 0)
                .max().orElseThrow();
        String cut = String.join("\n", lines.stream().filter(line -> !(AuditLines.parse(line) instanceof AuditLines.RowLine row
                && row.row().sequence() >= lastCheckpointInExport)).toList());
        Offline result = offline(cut, key);
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).contains("BROKEN at sequence " + lastCheckpointInExport);
        // Cut together with the checkpoints that sealed the cut rows, the export alone holds; the checkpoints a
        // sink kept give it away.
        String cutClean = String.join("\n", lines.stream().filter(line -> switch (AuditLines.parse(line)) {
            case AuditLines.RowLine row -> row.row().sequence() < lastCheckpointInExport;
            case AuditLines.CheckpointLine checkpoint -> checkpoint.checkpoint().sequence() < lastCheckpointInExport;
        }).toList());
        assertThat(offline(cutClean, key).exit()).isZero();
        Offline against = offline(cutClean, key, export);
        assertThat(against.exit()).as(against.out()).isEqualTo(1);
        assertThat(against.out()).contains("BROKEN at sequence " + lastCheckpointInExport);
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void theOfflineCheckNamesEditedDeletedAndReorderedLinesOfAnExport_S46() throws Exception {
        for (int i = 0; i < 6; i++) {
            fixtures.app();
        }
        String key = publicKey();
        List<String> lines = new ArrayList<>(export().lines().toList());
        int index = -1;
        long sequence = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (AuditLines.parse(lines.get(i)) instanceof AuditLines.RowLine row) {
                index = i;
                sequence = row.row().sequence();
                if (lines.size() - i < 8) {
                    break;
                }
            }
        }
        List<String> edited = new ArrayList<>(lines);
        edited.set(index, lines.get(index).replace("\"actor\":\"key_", "\"actor\":\"key_x"));
        assertThat(offline(String.join("\n", edited), key).exit()).isEqualTo(1);

        List<String> deleted = new ArrayList<>(lines);
        deleted.remove(index);
        Offline gap = offline(String.join("\n", deleted), key);
        assertThat(gap.out()).contains("BROKEN at sequence " + sequence);

        List<String> forgedKey = new ArrayList<>(lines);
        Offline wrongKey = offline(String.join("\n", forgedKey), otherPublicKey());
        assertThat(wrongKey.exit()).isEqualTo(1);
        assertThat(wrongKey.out()).contains("signature");
    }

    @Test
    void aPurgeKeepsTheRestVerifiable_S48() {
        fixtures.app();
        long before = headSequence();
        clock.fixAt(Instant.now().plus(Duration.ofDays(401)));
        int purged = chain.purge();
        assertThat(purged).isPositive();
        assertThat(jdbc.sql("select count(*) from audit_events where sequence <= ?").param(before).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select kind from audit_checkpoints order by id desc limit 1").query(String.class).single()).isEqualTo("purge");
        TestApp after = fixtures.app();
        JsonNode report = verify();
        assertThat(report.get("valid").asBoolean()).as(report.toString()).isTrue();
        assertThat(report.get("first_sequence").asLong()).isGreaterThan(before);
        assertThat(actions(events("?app_id=" + after.id(), ADMIN_KEY))).contains("app.created:" + after.id());
        // A row deleted after the purge is still found.
        long victim = jdbc.sql("select min(sequence) from audit_events").query(Long.class).single();
        Map<String, Object> row = jdbc.sql("select * from audit_events where sequence = ?").param(victim).query().singleRow();
        jdbc.sql("delete from audit_events where sequence = ?").param(victim).update();
        try {
            assertBrokenAt(victim);
        } finally {
            reinsert(row);
        }
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    long countedFailures() {
        long counted = 0;
        for (JsonNode row : events("?action=auth.failed", ADMIN_KEY)) {
            counted += row.get("details").get("count").asLong();
        }
        return counted;
    }

    void assertBrokenAt(long sequence) {
        JsonNode report = verify();
        assertThat(report.get("valid").asBoolean()).as(report.toString()).isFalse();
        assertThat(report.get("first_bad_sequence").asLong()).as(report.toString()).isEqualTo(sequence);
    }

    void reinsert(Map<String, Object> row) {
        jdbc.sql("insert into audit_events (sequence, occurred_at, actor, app_id, action, target_id, outcome, client_address, "
                + "details, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(row.get("sequence"), row.get("occurred_at"), row.get("actor"), row.get("app_id"), row.get("action"),
                        row.get("target_id"), row.get("outcome"), row.get("client_address"), row.get("details"),
                        row.get("prev_hash"), row.get("hash"))
                .update();
    }

    String export() {
        Response export = api.get("/v1/audit-events/export", ADMIN_KEY);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.header("Content-Type")).startsWith("application/jsonl");
        return export.body();
    }

    String publicKey() {
        Response key = api.get("/v1/audit-events/public-key", ADMIN_KEY);
        assertThat(key.status()).isEqualTo(200);
        assertThat(key.body()).doesNotContain("privateKey").doesNotContain("\"keyMaterialType\":\"ASYMMETRIC_PRIVATE\"");
        return key.body();
    }

    static String otherPublicKey() throws Exception {
        com.google.crypto.tink.signature.SignatureConfig.register();
        return com.google.crypto.tink.TinkJsonProtoKeysetFormat.serializeKeysetWithoutSecret(
                com.google.crypto.tink.KeysetHandle.generateNew(com.google.crypto.tink.signature.PredefinedSignatureParameters.ED25519)
                        .getPublicKeysetHandle());
    }

    record Offline(int exit, String out) {}

    /** The command line, in process, on files as an operator would pass them. */
    static Offline offline(String export, String publicKey) throws Exception {
        return offline(export, publicKey, null);
    }

    static Offline offline(String export, String publicKey, String sinkFile) throws Exception {
        Path dir = Files.createTempDirectory("audit-offline-");
        Path exportFile = Files.writeString(dir.resolve("export.jsonl"), export);
        Path keyFile = Files.writeString(dir.resolve("public-key.json"), publicKey);
        List<String> args = new ArrayList<>(List.of("verify", "--export", exportFile.toString(), "--public-key", keyFile.toString()));
        if (sinkFile != null) {
            args.addAll(List.of("--checkpoints", Files.writeString(dir.resolve("sink.jsonl"), sinkFile).toString()));
        }
        StringWriter out = new StringWriter();
        int exit = AuditCommand.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(out));
        return new Offline(exit, out.toString());
    }

    static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.get()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
