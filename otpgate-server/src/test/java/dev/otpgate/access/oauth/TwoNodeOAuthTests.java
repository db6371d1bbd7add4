package dev.otpgate.access.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.OAuthTestClient;
import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

/**
 * Two nodes sharing one PostgreSQL database and one keys directory, as in a cluster, with one configured issuer:
 * a token from either node works on the other, a signing key rotated on one node is known to the other with its
 * first token, and a deleted client gets no token from either.
 */
class TwoNodeOAuthTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static final String ISSUER = "https://otpgate.cluster.test";
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;
    static ApiClient nodeA;
    static ApiClient nodeB;
    static Path dataDir;
    static TestApps fixtures;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        PostgresTestDatabase.requireReachable();
        String url = PostgresTestDatabase.create();
        dataDir = Files.createTempDirectory("otpgate-oauth-cluster-");
        first = node(url, "node-a");
        second = node(url, "node-b");
        nodeA = client(first);
        nodeB = client(second);
        fixtures = new TestApps(nodeA, ADMIN_KEY);
    }

    @AfterAll
    static void stopNodes() {
        for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] {first, second}) {
            if (node != null) {
                node.close();
            }
        }
    }

    static ConfigurableApplicationContext node(String url, String name) {
        return new SpringApplicationBuilder(OtpgateApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + PostgresTestDatabase.USER,
                "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD,
                "--otpgate.bootstrap-admin-key=" + ADMIN_KEY, "--db-scheduler.scheduler-name=" + name,
                "--otpgate.oauth.issuer=" + ISSUER);
    }

    static String base(ConfigurableApplicationContext node) {
        return "https://localhost:" + node.getEnvironment().getProperty("local.server.port");
    }

    static ApiClient client(ConfigurableApplicationContext node) {
        return new ApiClient(base(node), dataDir.resolve("tls/ca.pem"));
    }

    record Client(String id, String secret) {}

    static Client newClient(TestApp app) {
        ApiClient.Response created = nodeA.post("/v1/apps/" + app.id() + "/oauth-clients", ADMIN_KEY,
                Map.of("name", "backend", "scopes", List.of("verifications:start", "verifications:check")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new Client(created.text("client_id"), created.text("client_secret"));
    }

    static String token(ConfigurableApplicationContext node, Client client) {
        return new OAuthTestClient(base(node), dataDir.resolve("tls/ca.pem"), client.id(), client.secret(),
                ClientAuthenticationMethod.CLIENT_SECRET_BASIC).accessToken();
    }

    static int start(ApiClient node, String token) {
        return node.post("/v1/verifications", token, Map.of("to", TestApps.newPhone())).status();
    }

    @Test
    void aTokenFromEitherNodeWorksOnTheOther() throws Exception {
        Client client = newClient(fixtures.app());
        String fromA = token(first, client);
        String fromB = token(second, client);
        assertThat(SignedJWT.parse(fromA).getJWTClaimsSet().getIssuer()).isEqualTo(ISSUER);
        assertThat(start(nodeB, fromA)).isEqualTo(201);
        assertThat(start(nodeA, fromB)).isEqualTo(201);
    }

    @Test
    void aKeyRotatedOnOneNodeIsKnownToTheOtherWithItsFirstToken_S42() throws Exception {
        Client client = newClient(fixtures.app());
        String beforeRotation = token(first, client);
        ApiClient.Response rotated = nodeA.post("/v1/admin/keys/jwt/rotate", ADMIN_KEY, null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String afterRotation = token(first, client);
        assertThat(SignedJWT.parse(afterRotation).getHeader().getKeyID()).isEqualTo(rotated.text("key_id"));
        assertThat(start(nodeB, afterRotation)).as("node B reads the key set again for an unknown key id").isEqualTo(201);
        assertThat(start(nodeB, beforeRotation)).as("the old key stays accepted").isEqualTo(201);
        assertThat(JWKSet.parse(nodeB.get("/oauth2/jwks", null).body()).getKeys()).extracting(key -> key.getKeyID())
                .contains(rotated.text("key_id"), rotated.text("previous_key_id"));
    }

    @Test
    void aDeletedClientGetsNoTokenFromEitherNode_S26() {
        TestApp app = fixtures.app();
        Client client = newClient(app);
        assertThat(start(nodeB, token(second, client))).isEqualTo(201);
        assertThat(nodeA.delete("/v1/apps/" + app.id() + "/oauth-clients/" + client.id(), ADMIN_KEY).status()).isEqualTo(204);
        for (ApiClient node : List.of(nodeA, nodeB)) {
            ApiClient.Response refused = node.send("POST", "/oauth2/token", null, "grant_type=client_credentials",
                    Map.of("Content-Type", "application/x-www-form-urlencoded", "Authorization", "Basic "
                            + java.util.Base64.getEncoder().encodeToString((client.id() + ":" + client.secret()).getBytes())));
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.text("error")).isEqualTo("invalid_client");
        }
    }
}
