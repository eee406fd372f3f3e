package org.callhs.core.sync;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.auth.StateKey;

/**
 * A sliding sync {@code required_state}: {@code [type, state_key]} pairs naming the state a
 * room result carries. {@code "*"} as the key means every key of the type; {@code "*"} as the
 * type means all state (as Synapse reads it); {@code $ME} is the requester's own user ID;
 * {@code ["m.room.member", "$LAZY"]} means the members who sent the response's timeline events
 * (and those whose membership changed in it).
 */
public final class RequiredState {
    public static final String WILDCARD = "*";
    public static final String ME = "$ME";
    public static final String LAZY = "$LAZY";
    static final RequiredState NONE = new RequiredState(Map.of(), false);

    /** Keys wanted per type ({@code "*"} among them for every key). */
    private final Map<String, Set<String>> keys;
    private final boolean all;

    private RequiredState(Map<String, Set<String>> keys, boolean all) {
        this.keys = keys;
        this.all = all;
    }

    static RequiredState parse(String where, JsonNode node) {
        if (!node.isArray()) throw MatrixException.badJson(where + " must be an array of [type, state_key] pairs");
        Map<String, Set<String>> keys = new HashMap<>();
        boolean all = false;
        for (JsonNode pair : node) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                throw MatrixException.badJson(where + ": each entry is a [type, state_key] pair of strings");
            }
            String type = pair.get(0).textValue();
            if (type.equals(WILDCARD)) all = true;
            else keys.computeIfAbsent(type, t -> new HashSet<>()).add(pair.get(1).textValue());
        }
        return new RequiredState(freeze(keys), all);
    }

    private static Map<String, Set<String>> freeze(Map<String, Set<String>> keys) {
        Map<String, Set<String>> out = new HashMap<>();
        keys.forEach((type, set) -> out.put(type, Collections.unmodifiableSet(new HashSet<>(set))));
        return Collections.unmodifiableMap(out);
    }

    RequiredState union(RequiredState other) {
        if (other == this || other.keys.isEmpty() && !other.all) return this;
        Map<String, Set<String>> merged = new HashMap<>();
        keys.forEach((type, set) -> merged.computeIfAbsent(type, t -> new HashSet<>()).addAll(set));
        other.keys.forEach((type, set) -> merged.computeIfAbsent(type, t -> new HashSet<>()).addAll(set));
        return new RequiredState(freeze(merged), all || other.all);
    }

    boolean isEmpty() { return keys.isEmpty() && !all; }

    /** Whether members are loaded lazily ({@code ["m.room.member", "$LAZY"]}). */
    boolean lazyMembers() {
        return keys.getOrDefault(StateKey.MEMBER_TYPE, Set.of()).contains(LAZY);
    }

    /** Whether the state entry {@code key} is wanted; {@code lazyUsers} are the members {@code $LAZY} stands for. */
    boolean wants(StateKey key, String userId, Set<String> lazyUsers) {
        if (all) return true;
        Set<String> wanted = keys.get(key.type());
        if (wanted == null) return false;
        if (wanted.contains(WILDCARD) || wanted.contains(key.stateKey())) return true;
        if (wanted.contains(ME) && key.stateKey().equals(userId)) return true;
        return key.type().equals(StateKey.MEMBER_TYPE) && wanted.contains(LAZY) && lazyUsers.contains(key.stateKey());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RequiredState o && o.all == all && o.keys.equals(keys);
    }

    @Override
    public int hashCode() { return keys.hashCode() * 31 + Boolean.hashCode(all); }
}
