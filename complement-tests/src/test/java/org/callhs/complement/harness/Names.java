package org.callhs.complement.harness;

import java.security.SecureRandom;

/** Unique names, so that scenarios never collide (also when re-run against one remote server). */
public final class Names {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Names() {}

    /** {@code prefix-} followed by 8 random lowercase letters and digits: a valid localpart. */
    public static String unique(String prefix) {
        return prefix + "-" + random(8);
    }

    public static String random(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        return sb.toString();
    }
}
