package dev.streamhook.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void theRightPasswordMatchesItsHashAndAWrongOneDoesNot() {
        String stored = hasher.hash("correct horse battery");
        assertThat(hasher.matches("correct horse battery", stored)).isTrue();
        assertThat(hasher.matches("correct horse batterY", stored)).isFalse();
    }

    @Test
    void theHashNamesItsSchemeAndCostAndUsesAFreshSaltEachTime() {
        String first = hasher.hash("same password");
        String second = hasher.hash("same password");
        assertThat(first).startsWith("pbkdf2-sha256$600000$");
        assertThat(first.split("\\$")).hasSize(4);
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aHashMadeWithFewerIterationsStillMatchesAndIsMarkedForRehashing() throws Exception {
        // a hash as an older, cheaper version would have stored it (1,000 iterations)
        byte[] salt = new byte[16];
        var spec = new javax.crypto.spec.PBEKeySpec("old password".toCharArray(), salt, 1000, 256);
        byte[] hash = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        var b64 = java.util.Base64.getEncoder();
        String old = "pbkdf2-sha256$1000$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);

        assertThat(hasher.matches("old password", old)).isTrue();
        assertThat(hasher.needsRehash(old)).isTrue();
        assertThat(hasher.needsRehash(hasher.hash("new password"))).isFalse();
    }

    @Test
    void anAccountWithoutAPasswordOrWithAMangledHashNeverMatches() {
        assertThat(hasher.matches("anything at all", null)).isFalse();
        assertThat(hasher.matches("anything at all", "plain-text-password")).isFalse();
        assertThat(hasher.matches("anything at all", "pbkdf2-sha256$x$y$z")).isFalse();
    }

    @Test
    void aNewPasswordMustBeTenToTwoHundredCharacters() {
        assertThat(PasswordHasher.problem("short")).contains("at least 10");
        assertThat(PasswordHasher.problem("x".repeat(201))).contains("at most 200");
        assertThat(PasswordHasher.problem("ten chars!")).isNull();
    }
}
