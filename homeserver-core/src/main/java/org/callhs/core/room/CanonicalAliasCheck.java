package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.auth.StateKey;

/**
 * What a client may put in {@code m.room.canonical_alias} (Client-Server API
 * "m.room.canonical_alias": the aliases must point at the room), as Synapse checks it: every
 * alias that is new against the current event ({@code alias}, and each of {@code alt_aliases})
 * must be a well-formed room alias (400 {@code M_INVALID_PARAM}) that exists and resolves to
 * this room (400 {@code M_BAD_ALIAS}; a remote alias is asked of its server);
 * {@code alt_aliases} must be a list of strings (400 {@code M_INVALID_PARAM}). Aliases kept from
 * the current event are not checked again, so removing one never needs the others to resolve.
 */
public final class CanonicalAliasCheck {
    private final RoomReader reader;
    /** The room an alias points at, or empty when it does not exist (or its server cannot say). */
    private final Function<String, Optional<String>> resolver;

    public CanonicalAliasCheck(RoomReader reader, Function<String, Optional<String>> resolver) {
        this.reader = reader;
        this.resolver = resolver;
    }

    public void check(EventDraft draft) {
        if (!draft.type().equals("m.room.canonical_alias") || !"".equals(draft.stateKey())) return;
        Map<StateKey, String> state = reader.currentState(draft.roomId());
        JsonNode current = reader.stateEvent(state, "m.room.canonical_alias", "").map(e -> e.pdu().path("content"))
                .orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        JsonNode content = draft.content();
        JsonNode alias = content.path("alias");
        if (!alias.isMissingNode() && !alias.isNull()) {
            if (!alias.isTextual()) throw MatrixException.invalidParam("alias must be a string");
            if (!alias.textValue().equals(current.path("alias").asText(null))) requirePointsHere(alias.textValue(), draft.roomId());
        }
        JsonNode alt = content.path("alt_aliases");
        if (alt.isMissingNode() || alt.isNull()) return;
        if (!alt.isArray()) throw MatrixException.invalidParam("The alt_aliases property must be a list");
        Set<String> known = new HashSet<>();
        if (current.path("alt_aliases").isArray()) current.path("alt_aliases").forEach(a -> known.add(a.asText()));
        for (JsonNode a : alt) {
            if (!a.isTextual()) throw MatrixException.invalidParam("alt_aliases must hold strings");
            if (!known.contains(a.textValue())) requirePointsHere(a.textValue(), draft.roomId());
        }
    }

    private void requirePointsHere(String alias, String roomId) {
        if (!wellFormed(alias)) throw MatrixException.invalidParam("Invalid room alias " + alias);
        Optional<String> target = resolver.apply(alias);
        if (target.isEmpty() || !target.get().equals(roomId)) {
            throw new MatrixException(ErrCode.BAD_ALIAS, 400, "Room alias " + alias + " does not point to the room");
        }
    }

    /** {@code #localpart:server}, at most 255 bytes, no whitespace. */
    public static boolean wellFormed(String alias) {
        int colon = alias.indexOf(':');
        return alias.startsWith("#") && colon >= 2 && colon < alias.length() - 1
                && alias.getBytes(StandardCharsets.UTF_8).length <= 255 && alias.chars().noneMatch(Character::isWhitespace);
    }
}
