package org.callhs.core.push;

import java.util.BitSet;
import java.util.Locale;

/**
 * A compiled glob of a push rule (appendix "Glob-style matching": {@code *} matches zero or more
 * characters, {@code ?} exactly one; every other character, {@code \} included, is literal).
 *
 * <p>Matching is case-insensitive: pattern and value are both lower-cased with
 * {@link Locale#ROOT} first, as Synapse does (the spec leaves "case-insensitive" to the server).
 * A character is a Unicode code point, so {@code ?} matches one emoji. Wildcards match line breaks.
 *
 * <p>Patterns come from users and values from any sender, so matching simulates the glob as a
 * nondeterministic automaton (one pass over the value, at most pattern-length states at a time)
 * instead of using a backtracking regular expression: no pattern can make it super-linear in the
 * value's length.
 */
final class PushGlob {
    private static final int STAR = -1;
    private static final int ANY = -2;

    /** Code points of the lower-cased pattern, with {@link #STAR} and {@link #ANY} for the wildcards. */
    private final int[] tokens;
    /** The lower-cased pattern when it has no wildcard (fast paths), otherwise null. */
    private final String literal;

    private PushGlob(String pattern, boolean wildcards) {
        String lower = lower(pattern);
        boolean plain = !wildcards || (lower.indexOf('*') < 0 && lower.indexOf('?') < 0);
        this.tokens = plain ? lower.codePoints().toArray()
                : lower.codePoints().map(c -> c == '*' ? STAR : c == '?' ? ANY : c).toArray();
        this.literal = plain ? lower : null;
    }

    /** Compiled globs by pattern: rule sets repeat the same few patterns for every event and recipient. */
    private static final com.github.benmanes.caffeine.cache.Cache<String, PushGlob> COMPILED =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000).build();

    /** The glob {@code pattern}. */
    static PushGlob of(String pattern) {
        return COMPILED.get(pattern, p -> new PushGlob(p, true));
    }

    /** {@code text} as a pattern without wildcards ({@code *} and {@code ?} match themselves). */
    static PushGlob literal(String text) {
        return new PushGlob(text, false);
    }

    /** True when the glob matches all of {@code value} ({@code event_match} on any key but {@code content.body}). */
    boolean matchesWhole(String value) {
        String lower = lower(value);
        if (literal != null) return literal.equals(lower);
        int[] text = lower.codePoints().toArray();
        BitSet active = new BitSet(tokens.length + 1);
        enter(active, 0);
        for (int i = 0; i < text.length && !active.isEmpty(); i++) active = step(active, text[i]);
        return active.get(tokens.length);
    }

    /**
     * True when the glob matches a substring of {@code text} that starts and ends at a word
     * boundary (Client-Server API "Push Rules", {@code event_match} on {@code content.body} and
     * content rules). The spec defines a boundary as the start or end of the value or any
     * character outside {@code [A-Za-z0-9_]}; as in Synapse, a substring may itself begin or end
     * with such a character ({@code @room} matches in {@code "hi@room"}).
     */
    boolean matchesWords(String text) {
        String lower = lower(text);
        if (literal != null && !lower.contains(literal)) return false;
        int[] cps = lower.codePoints().toArray();
        int accept = tokens.length;
        BitSet active = new BitSet(accept + 1);
        for (int p = 0; ; p++) {
            if (startsAt(cps, p)) enter(active, 0);
            if (active.get(accept) && endsAt(cps, p)) return true;
            if (p == cps.length) return false;
            active = step(active, cps[p]);
        }
    }

    /** Activates state {@code k} and, since {@code *} may match nothing, every state right after a run of stars. */
    private void enter(BitSet states, int k) {
        states.set(k);
        while (k < tokens.length && tokens[k] == STAR) states.set(++k);
    }

    private BitSet step(BitSet active, int c) {
        BitSet next = new BitSet(tokens.length + 1);
        for (int k = active.nextSetBit(0); k >= 0 && k < tokens.length; k = active.nextSetBit(k + 1)) {
            int t = tokens[k];
            if (t == STAR) enter(next, k);
            else if (t == ANY || t == c) enter(next, k + 1);
        }
        return next;
    }

    private static boolean startsAt(int[] cps, int p) {
        return p == 0 || !isWord(cps[p - 1]) || (p < cps.length && !isWord(cps[p]));
    }

    private static boolean endsAt(int[] cps, int p) {
        return p == cps.length || !isWord(cps[p]) || (p > 0 && !isWord(cps[p - 1]));
    }

    private static boolean isWord(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
