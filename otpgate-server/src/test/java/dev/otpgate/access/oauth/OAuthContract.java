package dev.otpgate.access.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.otpgate.fraud.StatementCounter;
import dev.otpgate.platform.JwtKeySet;
import dev.otpgate.platform.JwtSigningKeys;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.AuditRows;
import dev.otpgate.support.OAuthTestClient;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import tools.jackson.databind.JsonNode;

/**
 * OAuth 2.0 client credentials end to end over HTTPS: clients managed through the API, tokens fetched by Spring
 * Security's OAuth 2.0 client, verifications started and checked with them, Nimbus-built hostile tokens refused,
 * secret and signing-key rotation, and the token endpoint's own errors. Subclasses run it on H2 and PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.rate-limit.trusted-proxies=127.0.0.1,::1", "otpgate.audit.rollup-interval=1s"})
@Import(StatementCounter.class)
abstract class OAuthContract extends ServerTestSupport {

    @Autowired
    JwtKeySet jwtKeys;

    TestApp app;

    @BeforeEach
    void newApp() {
        app = fixtures.app();
    }

    record Client(String id, String secret) {}

    String base() {
        return "https://localhost:" + port;
    }

    Client client(TestApp owner, List<String> scopes, Integer ttl) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "backend", "scopes", scopes));
        if (ttl != null) {
            body.put("token_ttl_seconds", ttl);
        }
        Response created = api.post("/v1/apps/" + owner.id() + "/oauth-clients", ADMIN_KEY, body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new Client(created.text("client_id"), created.text("client_secret"));
    }

    Client client() {
        return client(app, List.of("verifications:start", "verifications:check"), null);
    }

    OAuthTestClient caller(Client client, ClientAuthenticationMethod method, String... scopes) {
        return new OAuthTestClient(base(), properties.dataDir().resolve("tls/ca.pem"), client.id(), client.secret(), method, scopes);
    }

    String token(Client client) {
        return caller(client, ClientAuthenticationMethod.CLIENT_SECRET_BASIC).accessToken();
    }

    /** A hand-made token request, for the answers the OAuth client library turns into exceptions. */
    Response tokenRequest(String basicUser, String basicSecret, String form) {
        return tokenRequest(basicUser, basicSecret, form, CALLER_ADDRESS);
    }

    /**
     * Each test class's hand-made requests come from one documentation address through the trusted local proxy,
     * so the lock-out test's own address (below) counts only its failures.
     */
    static final String CALLER_ADDRESS = "198.51.100.7";
    static final String GUESSER_ADDRESS = "203.0.113.9";

    Response tokenRequest(String basicUser, String basicSecret, String form, String from) {
        Map<String, String> headers = new java.util.HashMap<>(Map.of("Content-Type", "application/x-www-form-urlencoded",
                "X-Forwarded-For", from));
        if (basicUser != null) {
            headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (encode(basicUser) + ":" + encode(basicSecret)).getBytes(StandardCharsets.UTF_8)));
        }
        return api.send("POST", "/oauth2/token", null, form, headers);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void aStartAndACheckSucceedWithATokenFromTheTokenEndpoint_S25() {
        String token = token(client());
        String to = TestApps.newPhone();
        Response started = api.post("/v1/verifications", token, Map.of("to", to));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        Response checked = api.post("/v1/verifications/" + started.text("id") + "/check", token,
                Map.of("code", fixtures.codeFor(to)));
        assertThat(checked.status()).as(checked.body()).isEqualTo(200);
        assertThat(checked.text("status")).isEqualTo("approved");
    }

    @Test
    void callerWhenTheCredentialIsAnAccessTokenThenAnswersTheClientItsAppAndTheTokensScopes_S25_S45() {
        Client client = client();
        String token = caller(client, ClientAuthenticationMethod.CLIENT_SECRET_BASIC, "verifications:check").accessToken();
        Response me = api.get("/v1/caller", token);
        assertThat(me.status()).as(me.body()).isEqualTo(200);
        assertThat(me.text("key_id")).isEqualTo(client.id());
        assertThat(me.text("app_id")).isEqualTo(app.id());
        assertThat(me.json().get("scopes").toString()).as("the token's scopes, not the client's").isEqualTo("[\"verifications:check\"]");
        assertThat(me.body()).doesNotContain(token).doesNotContain(client.secret());
    }

    @Test
    void clientSecretPostWorksAsWellAsBasic() {
        Client client = client();
        String token = caller(client, ClientAuthenticationMethod.CLIENT_SECRET_POST, "verifications:start").accessToken();
        assertThat(api.post("/v1/verifications", token, Map.of("to", TestApps.newPhone())).status()).isEqualTo(201);
    }

    @Test
    void theTokenCarriesTheClaimsAndIsSignedByAPublishedKey() throws Exception {
        Client client = client(app, List.of("verifications:start", "totp:check"), 120);
        var authorized = caller(client, ClientAuthenticationMethod.CLIENT_SECRET_BASIC).authorize();
        SignedJWT jwt = SignedJWT.parse(authorized.getAccessToken().getTokenValue());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("at+jwt"));
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(base());
        assertThat(claims.getSubject()).isEqualTo(client.id());
        assertThat(claims.getAudience()).containsExactly("otpgate");
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getStringClaim("app_id")).isEqualTo(app.id());
        assertThat(claims.getStringClaim("scope")).isEqualTo("totp:check verifications:start");
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
                .isEqualTo(Duration.ofSeconds(120));
        assertThat(authorized.getAccessToken().getScopes()).containsExactlyInAnyOrder("verifications:start", "totp:check");

        Response jwks = api.get("/oauth2/jwks", null);
        assertThat(jwks.status()).isEqualTo(200);
        JWKSet published = JWKSet.parse(jwks.body());
        RSAKey key = (RSAKey) published.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(key).isNotNull();
        assertThat(key.isPrivate()).as("only public parts are published").isFalse();
        assertThat(jwks.body()).doesNotContain("\"d\"", "\"p\"", "\"q\"");
        assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
    }

    @Test
    void theIssuerMetadataDescribesOnlyWhatIsServed() {
        Response metadata = api.get("/.well-known/oauth-authorization-server", null);
        assertThat(metadata.status()).as(metadata.body()).isEqualTo(200);
        assertThat(metadata.text("issuer")).isEqualTo(base());
        assertThat(metadata.text("token_endpoint")).isEqualTo(base() + "/oauth2/token");
        assertThat(metadata.text("jwks_uri")).isEqualTo(base() + "/oauth2/jwks");
        assertThat(metadata.json().get("grant_types_supported").toString()).isEqualTo("[\"client_credentials\"]");
        assertThat(metadata.json().get("token_endpoint_auth_methods_supported").toString())
                .isEqualTo("[\"client_secret_basic\",\"client_secret_post\"]");
        assertThat(metadata.json().has("introspection_endpoint")).isFalse();
        assertThat(metadata.json().has("revocation_endpoint")).isFalse();
        // Not served: the API chain answers with a problem, not the library's endpoint.
        assertThat(api.send("POST", "/oauth2/introspect", null, "token=x",
                Map.of("Content-Type", "application/x-www-form-urlencoded")).status()).isEqualTo(401);
    }

    @Test
    void aScopeTheClientDoesNotHoldAnswersInvalidScope() {
        Client client = client(app, List.of("verifications:check"), null);
        for (String scope : List.of("verifications:start", "admin", "no-such-scope")) {
            Response refused = tokenRequest(client.id(), client.secret(), "grant_type=client_credentials&scope=" + encode(scope));
            assertThat(refused.status()).as(scope + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.text("error")).isEqualTo("invalid_scope");
        }
        assertThatThrownBy(() -> caller(client, ClientAuthenticationMethod.CLIENT_SECRET_BASIC, "totp:manage").accessToken())
                .isInstanceOfSatisfying(OAuth2AuthorizationException.class,
                        e -> assertThat(e.getError().getErrorCode()).isEqualTo("invalid_scope"));
    }

    @Test
    void badClientCredentialsAnswerInvalidClient() {
        Client client = client();
        for (Response refused : List.of(
                tokenRequest(client.id(), client.secret() + "x", "grant_type=client_credentials"),
                tokenRequest("oc_nosuchclient", client.secret(), "grant_type=client_credentials"),
                tokenRequest(null, null, "grant_type=client_credentials&client_id=" + client.id()
                        + "&client_secret=" + encode(client.secret() + "x")))) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
            assertThat(refused.text("error")).isEqualTo("invalid_client");
            assertThat(refused.header("WWW-Authenticate")).as("RFC 6749 5.2").startsWith("Basic realm=");
            assertThat(refused.header("Cache-Control")).contains("no-store");
            assertThat(refused.body()).doesNotContain(client.secret());
        }
        Response anonymous = tokenRequest(null, null, "grant_type=client_credentials&client_id=" + client.id());
        assertThat(anonymous.status()).as("no client authentication at all (RFC 6749 5.2 allows 400)").isEqualTo(400);
        assertThat(anonymous.text("error")).isEqualTo("invalid_client");
        Response inUrl = api.send("POST", "/oauth2/token?client_id=" + client.id() + "&client_secret=" + encode(client.secret()),
                null, "grant_type=client_credentials", Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(inUrl.status()).as("a secret in the URL is refused before anything reads it (S-24)").isEqualTo(400);
        assertThat(inUrl.text("type")).endsWith("/credentials-in-url");
        Response otherGrant = tokenRequest(client.id(), client.secret(), "grant_type=password&username=a&password=b");
        assertThat(otherGrant.status()).isEqualTo(400);
        assertThat(otherGrant.text("error")).isEqualTo("unsupported_grant_type");
        assertThatThrownBy(() -> caller(new Client(client.id(), "otpgcs_wrong"), ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .accessToken())
                // Spring's client reads an OAuth error body only from a 400; a 401 reaches it as a failed response.
                .isInstanceOf(OAuth2AuthorizationException.class)
                .hasMessageContaining("401 Unauthorized").hasMessageContaining("\"error\":\"invalid_client\"");
    }

    @Test
    void aTokenSeesOnlyItsOwnAppAndItsOwnScopes_S28_S31() {
        TestApp other = fixtures.app();
        String othersVerification = fixtures.start(other, TestApps.newPhone());
        String token = token(client(app, List.of("verifications:check"), null));
        assertThat(api.get("/v1/verifications/" + othersVerification, token).status()).isEqualTo(404);
        assertThat(api.post("/v1/verifications/" + othersVerification + "/check", token, Map.of("code", "123456")).status())
                .isEqualTo(404);
        Response start = api.post("/v1/verifications", token, Map.of("to", TestApps.newPhone()));
        assertThat(start.status()).as("no start scope").isEqualTo(403);
        assertThat(api.get("/v1/apps", token).status()).as("never admin").isEqualTo(403);
    }

    @Test
    void checkingATokenReadsNothingFromTheDatabase() {
        String token = token(client());
        String id = fixtures.start(app, TestApps.newPhone());
        // A key this node has not cached yet: its first use is looked up, which shows the counter sees look-ups.
        String freshKey = fixtures.key(app.id(), List.of("verifications:start", "verifications:check"));
        StatementCounter.EXECUTED.clear();
        assertThat(api.get("/v1/verifications/" + id, freshKey).status()).isEqualTo(200);
        List<String> withKey = StatementCounter.EXECUTED.stream().map(StatementCounter.Executed::sql).toList();
        StatementCounter.EXECUTED.clear();
        assertThat(api.get("/v1/verifications/" + id, token).status()).isEqualTo(200);
        List<String> withToken = StatementCounter.EXECUTED.stream().map(StatementCounter.Executed::sql).toList();
        assertThat(withKey).as("the counter sees the API key look-up").anyMatch(sql -> sql.contains("api_keys"));
        assertThat(withToken).noneMatch(sql -> sql.contains("api_keys") || sql.contains("oauth_clients"));
    }

    // Hostile tokens, built with Nimbus.

    RSAKey signingKey() {
        return JwtSigningKeys.primary(jwtKeys);
    }

    JWTClaimsSet.Builder validClaims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(base()).subject("oc_attacker").audience("otpgate")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID("jti-1").claim("app_id", app.id()).claim("scope", "verifications:start verifications:check");
    }

    String signed(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(new JOSEObjectType("at+jwt")).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    void assertRefused(String token, String why) {
        Response refused = api.post("/v1/verifications", token, Map.of("to", TestApps.newPhone()));
        assertThat(refused.status()).as(why + ": " + refused.body()).isEqualTo(401);
        String challenge = refused.header("WWW-Authenticate");
        assertThat(challenge).as(why).startsWith("Bearer ").contains("error=\"invalid_token\"").contains("error_description=\"");
        assertThat(refused.body()).doesNotContain(token);
        for (String part : token.split("\\.")) {
            if (part.length() > 8) {
                assertThat(challenge + refused.body()).as(why + ": nothing of the token is echoed").doesNotContain(part);
            }
        }
    }

    @Test
    void aTokenBuiltLikeOursWithTheServersKeyIsAccepted() throws Exception {
        // The control for the hostile tokens below: only the one thing each changes makes it fail.
        String token = signed(signingKey(), validClaims().build());
        assertThat(api.post("/v1/verifications", token, Map.of("to", TestApps.newPhone())).status()).isEqualTo(201);
    }

    @Test
    void hostileTokensAnswer401NamingInvalidToken_S25() throws Exception {
        RSAKey key = signingKey();
        Instant now = clock.instant();
        assertRefused(signed(key, validClaims().issueTime(Date.from(now.minusSeconds(900)))
                .expirationTime(Date.from(now.minusSeconds(600))).build()), "expired");
        assertRefused(signed(key, validClaims().notBeforeTime(Date.from(now.plusSeconds(600)))
                .issueTime(Date.from(now.plusSeconds(600))).expirationTime(Date.from(now.plusSeconds(900))).build()),
                "not yet valid");
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(key.getKeyID()).generate();
        assertRefused(signed(stranger, validClaims().build()), "wrongly signed, same key id");
        assertRefused(signed(key, validClaims().audience("someone-else").build()), "wrong audience");
        assertRefused(signed(key, validClaims().issuer("https://evil.example").build()), "wrong issuer");
        assertRefused(signed(key, validClaims().expirationTime(Date.from(now.plus(Duration.ofHours(5)))).build()),
                "longer than any token otpgate issues");
        assertRefused(new PlainJWT(validClaims().build()).serialize(), "alg none");
        // alg none with a signature part left empty, the classic form.
        String[] parts = signed(key, validClaims().build()).split("\\.");
        assertRefused(Base64URL.encode("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "." + parts[1] + ".", "alg none, RS256 body");
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID())
                .type(new JOSEObjectType("at+jwt")).build(), validClaims().build());
        hmac.sign(new MACSigner(key.toRSAPublicKey().getEncoded()));
        assertRefused(hmac.serialize(), "HS256 with the public key as secret");
        SignedJWT untyped = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), validClaims().build());
        untyped.sign(new RSASSASigner(key));
        assertRefused(untyped.serialize(), "not an access token (typ)");
        assertRefused(signed(key, validClaims().claim("app_id", null).build()), "no app");
        assertRefused("aaaa.bbbb.cccc", "garbage");
    }

    @Test
    void aRotatedSigningKeyStaysPublishedUntilItsTokensExpireThenIsWithdrawn_S42() throws Exception {
        RSAKey old = signingKey();
        String before = token(client());
        Response rotated = api.post("/v1/admin/keys/jwt/rotate", ADMIN_KEY, null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.text("previous_key_id")).isEqualTo(old.getKeyID());
        assertThat(rotated.text("key_id")).isNotEqualTo(old.getKeyID());
        Instant withdrawnAt = Instant.parse(rotated.text("previous_withdrawn_at"));
        assertThat(withdrawnAt).isAfterOrEqualTo(clock.instant().plus(JwtKeySet.MAX_TOKEN_LIFETIME));
        assertThat(app.key()).isNotNull();
        assertThat(api.post("/v1/admin/keys/jwt/rotate", app.key(), null).status()).as("admin only").isEqualTo(403);

        String after = token(client());
        assertThat(SignedJWT.parse(after).getHeader().getKeyID()).isEqualTo(rotated.text("key_id"));
        assertThat(JWKSet.parse(api.get("/oauth2/jwks", null).body()).getKeys()).extracting(k -> k.getKeyID())
                .contains(old.getKeyID(), rotated.text("key_id"));
        assertThat(api.post("/v1/verifications", before, Map.of("to", TestApps.newPhone())).status())
                .as("a token of the old key still works").isEqualTo(201);
        assertThat(api.post("/v1/verifications", after, Map.of("to", TestApps.newPhone())).status()).isEqualTo(201);

        clock.advance(Duration.between(clock.instant(), withdrawnAt).plusSeconds(1));
        assertThat(JWKSet.parse(api.get("/oauth2/jwks", null).body()).getKeys()).extracting(k -> k.getKeyID())
                .doesNotContain(old.getKeyID()).contains(rotated.text("key_id"));
        assertRefused(signed(old, validClaims().build()), "a fresh token under the withdrawn key");
        assertThat(api.post("/v1/verifications", signed(signingKey(), validClaims().build()), Map.of("to", TestApps.newPhone()))
                .status()).isEqualTo(201);
    }

    // Client management.

    @Test
    void clientsAreManagedByAnAdminAndTheirSecretsShownOnce_S29_S30() {
        Client client = client();
        Response listed = api.get("/v1/apps/" + app.id() + "/oauth-clients", ADMIN_KEY);
        assertThat(listed.status()).isEqualTo(200);
        JsonNode first = listed.json().get("oauth_clients").get(0);
        assertThat(first.get("client_id").asString()).isEqualTo(client.id());
        assertThat(first.get("token_ttl_seconds").asInt()).isEqualTo(300);
        assertThat(first.has("client_secret")).isFalse();
        assertThat(first.get("secret_hint").asString()).startsWith("otpgcs_…");
        assertThat(listed.body()).doesNotContain(client.secret());
        assertThat(api.get("/v1/apps/" + app.id() + "/oauth-clients", app.key()).status()).isEqualTo(403);
        assertThat(api.post("/v1/apps/" + app.id() + "/oauth-clients", token(client),
                Map.of("name", "x", "scopes", List.of("verifications:start"))).status()).isEqualTo(403);
        assertThat(api.get("/v1/apps/app_nosuchapp/oauth-clients", ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void invalidClientRequestsAnswer400Problems() {
        String path = "/v1/apps/" + app.id() + "/oauth-clients";
        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of("name", "x", "scopes", List.of("admin")),
                Map.of("name", "x", "scopes", List.of("nope")),
                Map.of("name", "x", "scopes", List.of()),
                Map.of("scopes", List.of("verifications:start")),
                Map.of("name", "x", "scopes", List.of("verifications:start"), "token_ttl_seconds", 59),
                Map.of("name", "x", "scopes", List.of("verifications:start"), "token_ttl_seconds", 3601))) {
            Response refused = api.post(path, ADMIN_KEY, body);
            assertThat(refused.status()).as(body + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(api.post(path, ADMIN_KEY, Map.of("name", "x", "scopes", List.of("verifications:start"),
                "token_ttl_seconds", 3600)).status()).isEqualTo(201);
    }

    @Test
    void aRotatedSecretKeepsWorkingUntilItsGracePeriodEnds() {
        Client client = client();
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        clock.fixAt(now);
        String path = "/v1/apps/" + app.id() + "/oauth-clients/" + client.id() + "/rotate-secret";
        Response rotated = api.post(path, ADMIN_KEY, Map.of("grace_seconds", 3600));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        Client renewed = new Client(client.id(), rotated.text("client_secret"));
        assertThat(renewed.secret()).startsWith("otpgcs_").isNotEqualTo(client.secret());
        assertThat(Instant.parse(rotated.text("previous_secret_expires_at"))).isEqualTo(now.plusSeconds(3600));

        assertThat(tokenRequest(client.id(), client.secret(), "grant_type=client_credentials").status()).isEqualTo(200);
        assertThat(tokenRequest(renewed.id(), renewed.secret(), "grant_type=client_credentials").status()).isEqualTo(200);
        Response again = api.post(path, ADMIN_KEY, Map.of("grace_seconds", 60));
        assertThat(again.status()).as("already in grace").isEqualTo(409);
        assertThat(again.body()).doesNotContain(renewed.secret());

        clock.advance(Duration.ofSeconds(3600));
        assertThat(tokenRequest(client.id(), client.secret(), "grant_type=client_credentials").status()).isEqualTo(401);
        assertThat(tokenRequest(renewed.id(), renewed.secret(), "grant_type=client_credentials").status()).isEqualTo(200);

        Response immediate = api.post(path, ADMIN_KEY, Map.of("grace_seconds", 0));
        assertThat(immediate.status()).isEqualTo(201);
        assertThat(tokenRequest(renewed.id(), renewed.secret(), "grant_type=client_credentials").status())
                .as("grace 0 stops the old secret at once").isEqualTo(401);
        assertThat(tokenRequest(client.id(), immediate.text("client_secret"), "grant_type=client_credentials").status())
                .isEqualTo(200);
        for (Object grace : List.of(-1, 604801)) {
            assertThat(api.post(path, ADMIN_KEY, Map.of("grace_seconds", grace)).status()).isEqualTo(400);
        }
        assertThat(api.post("/v1/apps/" + app.id() + "/oauth-clients/oc_nosuchclient/rotate-secret", ADMIN_KEY,
                Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aDeletedClientGetsNoNewTokenWhileIssuedTokensLiveUntilExp_S26() {
        Client client = client(app, List.of("verifications:start"), 60);
        String issued = token(client);
        Response deleted = api.delete("/v1/apps/" + app.id() + "/oauth-clients/" + client.id(), ADMIN_KEY);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(tokenRequest(client.id(), client.secret(), "grant_type=client_credentials").status()).isEqualTo(401);
        assertThat(api.post("/v1/verifications", issued, Map.of("to", TestApps.newPhone())).status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(61).plus(AccessTokens.CLOCK_SKEW));
        assertRefused(issued, "expired after delete");
        assertThat(api.delete("/v1/apps/" + app.id() + "/oauth-clients/" + client.id(), ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void failedClientAuthenticationsLockTheAddressOut_S32() {
        Client client = client();
        for (int i = 0; i < 10; i++) {
            Response wrong = tokenRequest(client.id(), "otpgcs_guess" + i, "grant_type=client_credentials", GUESSER_ADDRESS);
            assertThat(wrong.status()).as("failure " + (i + 1)).isEqualTo(401);
        }
        Response locked = tokenRequest(client.id(), client.secret(), "grant_type=client_credentials", GUESSER_ADDRESS);
        assertThat(locked.status()).as("even the right secret waits").isEqualTo(429);
        assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 900L);
        assertThat(locked.text("error")).isEqualTo("temporarily_unavailable");
        assertThat(locked.body()).doesNotContain(client.secret());
        assertThat(tokenRequest(client.id(), client.secret(), "grant_type=client_credentials").status())
                .as("another address is not locked out").isEqualTo(200);
    }


    // The audit rows of client and signing-key changes, and of failed client authentications.

    @Test
    void auditWhenAClientIsCreatedRotatedAndDeletedThenEachLeavesOneRowWithActorAndNoSecret_S44_S45() {
        Client client = client(app, List.of("verifications:start"), 120);
        String path = "/v1/apps/" + app.id() + "/oauth-clients/" + client.id();
        Response rotated = api.post(path + "/rotate-secret", ADMIN_KEY, Map.of("grace_seconds", 600));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        assertThat(api.post(path + "/rotate-secret", ADMIN_KEY, Map.of()).status()).as("already in grace").isEqualTo(409);
        assertThat(api.delete(path, ADMIN_KEY).status()).isEqualTo(204);
        assertThat(api.delete(path, ADMIN_KEY).status()).isEqualTo(404);

        String actor = AuditRows.adminActor(jdbc);
        AuditRows.Row created = AuditRows.only(jdbc, "oauth_client.created", client.id());
        assertThat(created.appId()).isEqualTo(app.id());
        assertThat(created.actor()).isEqualTo(actor);
        assertThat(created.details().get("name").asString()).isEqualTo("backend");
        assertThat(created.details().get("scopes").asString()).isEqualTo("verifications:start");
        assertThat(created.details().get("token_ttl_seconds").asInt()).isEqualTo(120);
        assertThat(created.detailNames()).containsExactly("name", "scopes", "token_ttl_seconds");

        AuditRows.Row rotation = AuditRows.only(jdbc, "oauth_client.secret_rotated", client.id());
        assertThat(rotation.appId()).isEqualTo(app.id());
        assertThat(rotation.actor()).isEqualTo(actor);
        assertThat(rotation.details().get("grace_seconds").asLong()).isEqualTo(600);
        assertThat(rotation.detailNames()).containsExactly("grace_seconds", "previous_secret_expires_at");

        AuditRows.Row deleted = AuditRows.only(jdbc, "oauth_client.deleted", client.id());
        assertThat(deleted.appId()).isEqualTo(app.id());
        assertThat(deleted.actor()).isEqualTo(actor);
        assertThat(api.get("/v1/audit-events/export", ADMIN_KEY).body()).doesNotContain(client.secret())
                .doesNotContain(rotated.text("client_secret"));
    }

    @Test
    void auditWhenTheRowCannotBeWrittenThenTheClientIsNotCreated() {
        int before = jdbc.sql("select count(*) from oauth_clients").query(Integer.class).single();
        jdbc.sql("alter table audit_events rename to audit_events_away").update();
        try {
            Response refused = api.post("/v1/apps/" + app.id() + "/oauth-clients", ADMIN_KEY,
                    Map.of("name", "unrecorded", "scopes", List.of("verifications:start")));
            assertThat(refused.status()).as(refused.body()).isEqualTo(500);
            assertThat(refused.body()).doesNotContain("otpgcs_");
        } finally {
            jdbc.sql("alter table audit_events_away rename to audit_events").update();
        }
        assertThat(jdbc.sql("select count(*) from oauth_clients").query(Integer.class).single()).isEqualTo(before);
    }

    @Test
    void auditWhenTheSigningKeyIsRotatedThenOneRowNamingBothKeyIds_S42_S44() {
        Response rotated = api.post("/v1/admin/keys/jwt/rotate", ADMIN_KEY, null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        AuditRows.Row row = AuditRows.only(jdbc, "key.jwt_rotated", rotated.text("key_id"));
        assertThat(row.actor()).isEqualTo(AuditRows.adminActor(jdbc));
        assertThat(row.appId()).isNull();
        assertThat(row.details().get("previous_key_id").asString()).isEqualTo(rotated.text("previous_key_id"));
        assertThat(Instant.parse(row.details().get("previous_withdrawn_at").asString()))
                .isEqualTo(Instant.parse(rotated.text("previous_withdrawn_at")));
        assertThat(row.detailNames()).containsExactly("previous_key_id", "previous_withdrawn_at");
        assertThat(api.get("/v1/audit-events/export", ADMIN_KEY).body()).doesNotContain("\"d\":").doesNotContain("\"p\":");
    }

    @Test
    void auditWhenClientAuthenticationFailsThenTheFailuresAreRolledUpPerAddressWithoutTheSecret_S44_S45() {
        Client client = client();
        String from = "192.0.2.44";
        for (int i = 0; i < 5; i++) {
            assertThat(tokenRequest(client.id(), "otpgcs_wrong" + i, "grant_type=client_credentials", from).status())
                    .isEqualTo(401);
        }
        assertThat(tokenRequest(client.id(), client.secret(), "grant_type=client_credentials", from).status())
                .as("a success is not a failure").isEqualTo(200);
        List<AuditRows.Row> rows = AuditRows.awaitCounted(jdbc, "oauth_client.auth_failed", from, 5);
        assertThat(rows.size()).as("rolled up, not one row per request").isLessThan(5);
        for (AuditRows.Row row : rows) {
            assertThat(row.outcome()).isEqualTo("failure");
            assertThat(row.actor()).isEqualTo("anonymous");
            assertThat(row.targetId()).isNull();
            assertThat(row.detailNames()).containsExactly("count", "first_at", "last_at");
        }
        assertThat(api.get("/v1/audit-events/export", ADMIN_KEY).body()).doesNotContain("otpgcs_wrong")
                .doesNotContain(client.secret());
    }

    @Test
    void noClientSecretOrTokenAppearsInAnyLaterResponse_S45() {
        Client client = client();
        String token = token(client);
        api.bodies().clear();
        api.get("/v1/apps/" + app.id() + "/oauth-clients", ADMIN_KEY);
        assertRefused(token.substring(0, token.length() - 4) + "AAAA", "tampered signature");
        api.post("/v1/verifications", token, Map.of("to", TestApps.newPhone()));
        assertThat(api.bodies()).noneMatch(body -> body.contains(client.secret()) || body.contains(token));
    }
}
