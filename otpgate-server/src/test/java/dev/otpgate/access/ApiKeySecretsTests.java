package dev.otpgate.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeySecretsTests {

    @Test
    void generateWhenCalledThenPrefixedChecksummedAndUnique_S03_S24() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String secret = ApiKeySecrets.generate();
            assertThat(secret).startsWith("otpg_").hasSize(51).matches("otpg_[0-9A-Za-z]{46}");
            assertThat(ApiKeySecrets.wellFormed(secret)).isTrue();
            assertThat(seen.add(secret)).isTrue();
        }
    }

    @Test
    void wellFormedWhenAnyCharacterIsMistypedThenFalse_S24() {
        String secret = ApiKeySecrets.generate();
        for (int i = 5; i < secret.length(); i++) {
            char replacement = secret.charAt(i) == 'A' ? 'B' : 'A';
            String typo = secret.substring(0, i) + replacement + secret.substring(i + 1);
            assertThat(ApiKeySecrets.wellFormed(typo)).as("typo at %d", i).isFalse();
        }
        assertThat(ApiKeySecrets.wellFormed(secret.substring(1))).isFalse();
        assertThat(ApiKeySecrets.wellFormed("otpx_" + secret.substring(5))).isFalse();
        assertThat(ApiKeySecrets.wellFormed(null)).isFalse();
    }

    @Test
    void hashAndHintWhenComputedThenRevealNothingBeyondTheLastFourCharacters() {
        String secret = ApiKeySecrets.generate();
        assertThat(ApiKeySecrets.hash(secret)).hasSize(32).isEqualTo(ApiKeySecrets.hash(secret));
        assertThat(ApiKeySecrets.hint(secret)).isEqualTo("otpg_…" + secret.substring(47));
    }

    @Test
    void credentialInUrlWhenAKeyOrACredentialParameterIsInTheQueryThenTrue_S24() {
        assertThat(CredentialsInUrlFilter.credentialInUrl("limit=5&x=" + ApiKeySecrets.generate())).isTrue();
        assertThat(CredentialsInUrlFilter.credentialInUrl("API_KEY=abc")).isTrue();
        assertThat(CredentialsInUrlFilter.credentialInUrl("access_token=abc&limit=1")).isTrue();
        assertThat(CredentialsInUrlFilter.credentialInUrl("limit=5&to=%2B14155550123")).isFalse();
        assertThat(CredentialsInUrlFilter.credentialInUrl("%zz=1")).isFalse();
        assertThat(CredentialsInUrlFilter.credentialInUrl(null)).isFalse();
    }
}
