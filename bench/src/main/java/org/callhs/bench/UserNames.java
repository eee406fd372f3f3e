package org.callhs.bench;

import java.security.SecureRandom;

/** Run identifiers and passwords for the accounts the scenarios create. */
public final class UserNames {

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private UserNames() {
    }

    /**
     * A random 8-character run id of {@code [a-z0-9]}, so that user names
     * ({@code bench_<runId>_<n>}) never collide with an earlier run on the same database.
     */
    public static String newRunId() {
        StringBuilder id = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }

    /** The name of a run's account: {@code bench_<runId>_<tag>}. */
    public static String account(String runId, String tag) {
        return "bench_" + runId + "_" + tag;
    }

    /** The password of every account of a run. */
    public static String password(String runId) {
        return "bench-password-" + runId;
    }
}
