package org.callhs.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;

/**
 * The redaction algorithm (Client-Server API "Redactions"; room version specifications):
 * what survives when an event is redacted, which is also what event signatures and reference
 * hashes cover. Works on PDUs and on client-format events alike.
 */
public final class Redaction {
    private static final Set<String> TOP_LEVEL = Set.of("event_id", "type", "room_id", "sender", "state_key", "content",
            "hashes", "signatures", "depth", "prev_events", "auth_events", "origin_server_ts");
    private static final Set<String> LEGACY_TOP_LEVEL = Set.of("origin", "membership", "prev_state");

    private Redaction() {}

    /** A redacted copy of {@code event}; the input is not changed. */
    public static ObjectNode redact(JsonNode event, RoomVersion version) {
        ObjectNode out = event.deepCopy();
        for (Iterator<String> it = out.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_LEVEL.contains(key) && !(version.redactionKeepsLegacyKeys() && LEGACY_TOP_LEVEL.contains(key))) it.remove();
        }
        JsonNode content = event.get("content");
        ObjectNode redactedContent = out.objectNode();
        if (content instanceof ObjectNode c) {
            String type = event.path("type").asText("");
            for (String key : keptContentKeys(type, version)) {
                if (c.has(key)) redactedContent.set(key, c.get(key).deepCopy());
            }
            if (type.equals("m.room.create") && version.redactionKeepsAllCreateContent()) redactedContent = c.deepCopy();
            if (type.equals("m.room.member") && version.redactionKeepsThirdPartyInviteSigned()
                    && c.path("third_party_invite").has("signed")) {
                redactedContent.putObject("third_party_invite").set("signed", c.get("third_party_invite").get("signed").deepCopy());
            }
        }
        if (out.has("content") || content != null) out.set("content", redactedContent);
        return out;
    }

    private static Set<String> keptContentKeys(String type, RoomVersion version) {
        return switch (type) {
            case "m.room.member" -> version.redactionKeepsJoinAuthoriser() ? Set.of("membership", "join_authorised_via_users_server")
                    : Set.of("membership");
            case "m.room.create" -> Set.of("creator");
            case "m.room.join_rules" -> version.redactionKeepsJoinRulesAllow() ? Set.of("join_rule", "allow") : Set.of("join_rule");
            case "m.room.power_levels" -> version.redactionKeepsInvitePowerLevel()
                    ? Set.of("ban", "events", "events_default", "invite", "kick", "redact", "state_default", "users", "users_default")
                    : Set.of("ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default");
            case "m.room.history_visibility" -> Set.of("history_visibility");
            case "m.room.redaction" -> version.redactsInContent() ? Set.of("redacts") : Set.of();
            default -> Set.of();
        };
    }
}
