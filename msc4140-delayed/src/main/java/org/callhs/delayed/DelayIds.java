package org.callhs.delayed;

import java.security.SecureRandom;

/**
 * Delay IDs: {@code dly_} and 24 characters from a 62-letter alphabet drawn from a
 * {@link SecureRandom}, about 143 bits. The ID is the only credential an unauthenticated
 * management call has, so it must be infeasible to guess.
 */
final class DelayIds {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final int LENGTH = 24;
    private final SecureRandom random = new SecureRandom();

    String next() {
        StringBuilder id = new StringBuilder(4 + LENGTH).append("dly_");
        for (int i = 0; i < LENGTH; i++) id.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        return id.toString();
    }
}
