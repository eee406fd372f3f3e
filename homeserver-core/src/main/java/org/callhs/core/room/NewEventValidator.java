package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.callhs.core.error.MatrixException;

/**
 * Content checks a client's new event must pass before the authorization rules run, the ones
 * Synapse makes on every local send: {@code m.room.message} needs string {@code body} and
 * {@code msgtype}; {@code m.room.topic} and {@code m.room.name} need a string {@code topic} /
 * {@code name} and a state key; {@code m.room.member} needs a valid {@code membership};
 * {@code m.room.tombstone} needs a {@code replacement_room} other than its own room. A failure is
 * 400 {@code M_BAD_JSON}. Delayed events (MSC4140) are checked the same way when scheduled.
 */
public final class NewEventValidator {
    private static final Set<String> MEMBERSHIPS = Set.of("invite", "join", "knock", "leave", "ban");

    private NewEventValidator() {}

    public static void check(EventDraft draft) {
        ObjectNode content = draft.content();
        switch (draft.type()) {
            case "m.room.message" -> requireStrings(content, "body", "msgtype");
            case "m.room.topic" -> {
                requireStrings(content, "topic");
                requireState(draft);
            }
            case "m.room.name" -> {
                requireStrings(content, "name");
                requireState(draft);
            }
            case "m.room.member" -> {
                JsonNode membership = content.get("membership");
                if (membership == null) throw MatrixException.badJson("Content has no membership key");
                if (!membership.isTextual() || !MEMBERSHIPS.contains(membership.textValue())) {
                    throw MatrixException.badJson("Invalid membership key");
                }
                requireState(draft);
            }
            case "m.room.tombstone" -> {
                JsonNode replacement = content.get("replacement_room");
                if (replacement == null) throw MatrixException.badJson("Content has no replacement_room key");
                if (replacement.asText().equals(draft.roomId())) {
                    throw MatrixException.badJson("Tombstone cannot reference the room it was sent in");
                }
                requireState(draft);
            }
            default -> { }
        }
    }

    private static void requireStrings(ObjectNode content, String... keys) {
        for (String key : keys) {
            JsonNode value = content.get(key);
            if (value == null) throw MatrixException.badJson("'" + key + "' not in content");
            if (!value.isTextual()) throw MatrixException.badJson("'" + key + "' not a string type");
        }
    }

    private static void requireState(EventDraft draft) {
        if (!draft.isState()) throw MatrixException.badJson("'" + draft.type() + "' must be a state event");
    }
}
