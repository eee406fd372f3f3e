package org.callhs.core.room.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.util.Json;

/** Builds small rooms as maps of PDUs for the authorisation rule tests. */
final class RoomFixture {
    static final String ALICE = "@alice:a.test";
    static final String BOB = "@bob:a.test";
    static final String CAROL = "@carol:b.test";
    static final String DAVE = "@dave:b.test";
    static final String EVE = "@eve:c.test";

    final RoomVersion version;
    final Map<StateKey, JsonNode> state = new HashMap<>();
    final ObjectNode create;
    final String createId;
    final String roomId;
    private int depth = 1;

    private RoomFixture(RoomVersion version, ObjectNode create) {
        this.version = version;
        this.create = create;
        this.createId = EventHashes.eventId(create, version);
        this.roomId = version.roomIdIsCreateEventHash() ? "!" + createId.substring(1) : create.get("room_id").textValue();
        state.put(StateKey.CREATE, create);
    }

    /** A create event sent by {@code sender} with the version's usual content plus {@code extraContent}. */
    static ObjectNode createEvent(RoomVersion version, String sender, String extraContent) {
        ObjectNode pdu = Json.object();
        pdu.put("type", "m.room.create").put("state_key", "").put("sender", sender).put("origin_server_ts", 1000).put("depth", 1);
        if (!version.roomIdIsCreateEventHash()) pdu.put("room_id", "!room:" + sender.substring(sender.indexOf(':') + 1));
        ObjectNode content = (ObjectNode) Json.parse(extraContent == null ? "{}" : extraContent);
        content.put("room_version", version.id());
        if (!version.creatorIsCreateSender() && !content.has("creator")) content.put("creator", sender);
        pdu.set("content", content);
        pdu.putArray("prev_events");
        pdu.putArray("auth_events");
        pdu.putObject("hashes").put("sha256", "x");
        return pdu;
    }

    /** Only the create event. */
    static RoomFixture bare(RoomVersion version, String creator, String extraCreateContent) {
        return new RoomFixture(version, createEvent(version, creator, extraCreateContent));
    }

    /**
     * Alice created the room and joined; power levels give Alice 100 (v12: Alice is the creator and
     * not listed), Bob 50; join rule {@code joinRule}.
     */
    static RoomFixture standard(RoomVersion version, String joinRule) {
        RoomFixture room = bare(version, ALICE, null);
        room.member(ALICE, "join");
        room.powerLevels(version.creatorsHaveInfinitePower() ? "{\"users\": {\"@bob:a.test\": 50}}"
                : "{\"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 50}}");
        room.joinRule(joinRule);
        return room;
    }

    ObjectNode event(String type, String sender, String stateKey, String content) {
        ObjectNode pdu = Json.object();
        pdu.put("type", type).put("sender", sender).put("room_id", roomId).put("origin_server_ts", 1000 + depth)
                .put("depth", ++depth);
        if (stateKey != null) pdu.put("state_key", stateKey);
        pdu.set("content", Json.parse(content == null ? "{}" : content));
        pdu.putArray("prev_events").add("$previous");
        pdu.putArray("auth_events");
        return pdu;
    }

    ObjectNode memberEvent(String sender, String target, String membership) {
        return event("m.room.member", sender, target, "{\"membership\": \"" + membership + "\"}");
    }

    RoomFixture put(JsonNode pdu) {
        state.put(StateKey.of(pdu.get("type").textValue(), pdu.get("state_key").textValue()), pdu);
        return this;
    }

    RoomFixture member(String user, String membership) { return put(memberEvent(user, user, membership)); }

    RoomFixture members(String membership, String... users) {
        for (String user : users) member(user, membership);
        return this;
    }

    RoomFixture powerLevels(String content) { return put(event("m.room.power_levels", ALICE, "", content)); }

    RoomFixture joinRule(String rule) {
        return put(event("m.room.join_rules", ALICE, "", "{\"join_rule\": \"" + rule + "\"}"));
    }

    StateView view() { return StateView.of(state); }

    void allows(JsonNode pdu) {
        assertThatCode(() -> AuthRules.check(pdu, view(), version)).as("%s should be allowed", pdu).doesNotThrowAnyException();
    }

    void denies(JsonNode pdu, String reasonPart) {
        assertThatThrownBy(() -> AuthRules.check(pdu, view(), version)).as("%s should be denied", pdu)
                .isInstanceOf(AuthFailure.class).hasMessageContaining(reasonPart);
    }

    long level(String user) { return AuthRules.powerLevel(user, view(), version); }
}
