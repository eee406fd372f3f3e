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

    /** More hashes than processors at once: the extra ones wait, so no more than one 19 MiB block per processor is held. */
    @Test
    void atMostOneHashPerProcessorRunsAtATime() throws Exception {
        PasswordHasher hasher = new PasswordHasher();
        int processors = Math.max(1, Runtime.getRuntime().availableProcessors());
        int callers = processors + 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
        try {
            java.util.List<java.util.concurrent.Future<String>> hashes = new java.util.ArrayList<>();
            for (int i = 0; i < callers; i++) hashes.add(pool.submit(() -> hasher.hash("burst")));
            int mostWaiting = 0;
            while (hashes.stream().anyMatch(f -> !f.isDone())) {
                mostWaiting = Math.max(mostWaiting, PasswordHasher.waiting());
                assertThat(PasswordHasher.freeSlots()).isBetween(0, processors);
                Thread.sleep(1);
            }
            for (var f : hashes) assertThat(hasher.verify("burst", f.get())).isTrue();
            assertThat(mostWaiting).as("callers beyond the processors wait for a turn").isPositive();
            assertThat(PasswordHasher.freeSlots()).isEqualTo(processors);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tokensAreRandomAndOnlyTheirHashIsStored() {
        String a = Tokens.newAccessToken();
        assertThat(a).startsWith("chs_").hasSizeGreaterThan(40).isNotEqualTo(Tokens.newAccessToken());
        assertThat(Tokens.hash(a)).isEqualTo(Tokens.hash(a)).doesNotContain(a.substring(4));
    }
}
