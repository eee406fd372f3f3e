package org.callhs.core.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    @Test
    void hashesVerifyOnlyTheRightPasswordAndAreSalted() {
        PasswordHasher hasher = new PasswordHasher();
        String hash = hasher.hash("correct horse");
        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(hasher.verify("correct horse", hash)).isTrue();
        assertThat(hasher.verify("correct horse!", hash)).isFalse();
        assertThat(hasher.hash("correct horse")).isNotEqualTo(hash);
        assertThat(hasher.verify("x", "not a hash")).isFalse();
        assertThat(hasher.verify("x", null)).isFalse();
    }

    @Test
    void tokensAreRandomAndOnlyTheirHashIsStored() {
        String a = Tokens.newAccessToken();
        assertThat(a).startsWith("chs_").hasSizeGreaterThan(40).isNotEqualTo(Tokens.newAccessToken());
        assertThat(Tokens.hash(a)).isEqualTo(Tokens.hash(a)).doesNotContain(a.substring(4));
    }
}
