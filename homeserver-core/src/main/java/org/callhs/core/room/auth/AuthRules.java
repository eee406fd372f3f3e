package org.callhs.core.room.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * The event authorisation rules of room versions 6 to 12 (room version specifications,
 * "Authorisation rules"), checked against the room state before an event.
 *
 * <p>Not covered here, because they need more than the state: signature checks (including the
 * authorising server's signature on restricted joins), whether auth events were themselves
 * rejected, and event format/size checks. {@link #checkAuthEventSelection} covers the
 * remaining parts of the {@code auth_events} rule that only need the auth events' JSON.
 */
public final class AuthRules {
    private AuthRules() {}

    /** Every room version the spec defines; a create event's {@code content.room_version} must be one of them. */
    private static final Set<String> RECOGNISED_VERSIONS = Set.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");

    /**
     * Throws {@link AuthFailure} unless {@code pdu} is allowed by {@code version}'s rules given
     * {@code stateBefore}, the room state before the event (empty for the create event; in v12
     * it must still hold the create event under {@code (m.room.create, "")}).
     */
    public static void check(JsonNode pdu, StateView stateBefore, RoomVersion version) {
        if (pdu == null || !pdu.isObject()) throw new AuthFailure("event is not a JSON object");
        String type = Pdus.text(pdu, "type");
        String sender = Pdus.text(pdu, "sender");
        if (type == null) throw new AuthFailure("event has no type");
        if (sender == null) throw new AuthFailure("event has no sender");
        JsonNode rawContent = pdu.get("content");
        if (rawContent != null && !rawContent.isObject()) throw new AuthFailure("content is not an object");
        JsonNode stateKeyNode = pdu.get("state_key");
        if (stateKeyNode != null && !stateKeyNode.isTextual()) throw new AuthFailure("state_key is not a string");
        String stateKey = Pdus.text(pdu, "state_key");

        if (type.equals(StateKey.CREATE_TYPE)) {
            checkCreate(pdu, sender, stateKey, version);
            return;
        }
        JsonNode create = stateBefore.get(StateKey.CREATE).orElseThrow(() -> new AuthFailure("room has no m.room.create event"));
        if (version.roomIdIsCreateEventHash()) {
            String expected = "!" + Pdus.createEventId(create, version).substring(1);
            if (!expected.equals(Pdus.text(pdu, "room_id"))) throw new AuthFailure("room_id is not the create event's ID");
        }
        if (!federates(create) && !Pdus.sameDomain(sender, Pdus.text(create, "sender"))) {
            throw new AuthFailure("room does not federate and the sender is on another server");
        }
        if (type.equals(StateKey.MEMBER_TYPE)) {
            MembershipRules.check(pdu, sender, create, stateBefore, version);
            return;
        }
        if (!Pdus.isJoined(stateBefore, sender)) throw new AuthFailure("sender is not joined");
        long senderLevel = PowerLevels.userLevel(sender, stateBefore, version);
        if (type.equals(StateKey.THIRD_PARTY_INVITE_TYPE)) {
            if (senderLevel < PowerLevels.namedLevel("invite", stateBefore)) throw new AuthFailure("sender lacks the invite level");
            return;
        }
        long required = PowerLevels.requiredLevel(type, stateKey != null, stateBefore);
        if (senderLevel < required) {
            throw new AuthFailure("sender's level " + senderLevel + " is below the " + required + " needed for " + type);
        }
        if (stateKey != null && stateKey.startsWith("@") && !stateKey.equals(sender)) {
            throw new AuthFailure("state_key names another user");
        }
        if (type.equals(StateKey.POWER_LEVELS_TYPE)) {
            PowerLevels.checkEvent(pdu, sender, senderLevel, create, stateBefore, version);
        }
    }

    /** {@code userId}'s power level (v12 creators: {@link Long#MAX_VALUE}; no power levels: creator 100, others 0). */
    public static long powerLevel(String userId, StateView state, RoomVersion version) {
        return PowerLevels.userLevel(userId, state, version);
    }

    /** The level needed to send an event of {@code eventType}. */
    public static long requiredLevel(String eventType, boolean isState, StateView state) {
        return PowerLevels.requiredLevel(eventType, isState, state);
    }

    /**
     * The state slots whose current events become an event's {@code auth_events} (server-server
     * API "Auth events selection"); the caller lists those that exist. Empty for the create event.
     */
    public static List<StateKey> authEventKeys(String type, String sender, String stateKey, JsonNode content, RoomVersion version) {
        if (StateKey.CREATE_TYPE.equals(type)) return List.of();
        Set<StateKey> keys = new LinkedHashSet<>();
        if (version.createEventInAuthEvents()) keys.add(StateKey.CREATE);
        keys.add(StateKey.POWER_LEVELS);
        keys.add(StateKey.member(sender));
        if (StateKey.MEMBER_TYPE.equals(type) && stateKey != null) {
            JsonNode c = content != null && content.isObject() ? content : Json.object();
            String membership = Pdus.text(c, "membership");
            keys.add(StateKey.member(stateKey));
            if ("join".equals(membership) || "invite".equals(membership) || "knock".equals(membership)) keys.add(StateKey.JOIN_RULES);
            if ("invite".equals(membership)) {
                String token = Pdus.text(c.path("third_party_invite").path("signed"), "token");
                if (token != null) keys.add(StateKey.of(StateKey.THIRD_PARTY_INVITE_TYPE, token));
            }
            if ("join".equals(membership) && version.restrictedJoins()) {
                String authoriser = Pdus.text(c, MembershipRules.AUTHORISING_USER);
                if (authoriser != null) keys.add(StateKey.member(authoriser));
            }
        }
        return List.copyOf(keys);
    }

    /**
     * The parts of the {@code auth_events} rule that need only the auth events themselves: no
     * two for the same slot, only slots the selection algorithm allows, the create event
     * present (v10/v11) or absent (v12), and all in the event's room. Whether an auth event was
     * rejected is the caller's to check.
     */
    public static void checkAuthEventSelection(JsonNode pdu, List<JsonNode> authEvents, RoomVersion version) {
        String type = Pdus.text(pdu, "type");
        if (StateKey.CREATE_TYPE.equals(type)) {
            if (!authEvents.isEmpty()) throw new AuthFailure("the create event must have no auth events");
            return;
        }
        Set<StateKey> allowed = new HashSet<>(authEventKeys(type, Pdus.text(pdu, "sender"), Pdus.text(pdu, "state_key"),
                Pdus.content(pdu), version));
        Set<StateKey> seen = new HashSet<>();
        String roomId = Pdus.text(pdu, "room_id");
        for (JsonNode auth : authEvents) {
            String authType = Pdus.text(auth, "type");
            String authKey = Pdus.text(auth, "state_key");
            if (authType == null || authKey == null) throw new AuthFailure("an auth event is not a state event");
            StateKey key = StateKey.of(authType, authKey);
            if (!seen.add(key)) throw new AuthFailure("duplicate auth events for " + key);
            if (!allowed.contains(key)) throw new AuthFailure("auth event " + key + " is not one the selection rules allow");
            if (roomId == null || !roomId.equals(Pdus.text(auth, "room_id"))) throw new AuthFailure("an auth event is from another room");
        }
        if (version.createEventInAuthEvents() && !seen.contains(StateKey.CREATE)) throw new AuthFailure("auth_events lack the create event");
    }

    /** False when the create event's {@code m.federate} is present and not {@code true} (Synapse's reading of "set to false"). */
    static boolean federates(JsonNode create) {
        JsonNode federate = Pdus.content(create).get("m.federate");
        return federate == null || (federate.isBoolean() && federate.booleanValue());
    }

    private static void checkCreate(JsonNode pdu, String sender, String stateKey, RoomVersion version) {
        if (!"".equals(stateKey)) throw new AuthFailure("m.room.create must have an empty state_key");
        JsonNode prev = pdu.get("prev_events");
        if (prev != null && !(prev.isArray() && prev.isEmpty())) throw new AuthFailure("create event has prev_events");
        if (version.roomIdIsCreateEventHash()) {
            if (pdu.has("room_id")) throw new AuthFailure("create event must not have a room_id");
        } else {
            String roomDomain = Pdus.domain(Pdus.text(pdu, "room_id"));
            if (roomDomain == null || !roomDomain.equals(Pdus.domain(sender))) {
                throw new AuthFailure("create event's room_id domain differs from the sender's");
            }
        }
        JsonNode content = Pdus.content(pdu);
        JsonNode roomVersion = content.get("room_version");
        if (roomVersion != null && !(roomVersion.isTextual() && RECOGNISED_VERSIONS.contains(roomVersion.textValue()))) {
            throw new AuthFailure("create event names an unknown room version");
        }
        if (!version.creatorIsCreateSender() && !content.has("creator")) throw new AuthFailure("create event has no creator");
        if (version.creatorsHaveInfinitePower() && content.has("additional_creators")) {
            JsonNode extra = content.get("additional_creators");
            if (!extra.isArray()) throw new AuthFailure("additional_creators is not an array");
            List<String> bad = new ArrayList<>();
            for (JsonNode user : extra) {
                if (!user.isTextual() || !MatrixIds.isValidUserId(user.textValue())) bad.add(user.toString());
            }
            if (!bad.isEmpty()) throw new AuthFailure("additional_creators holds invalid user IDs: " + bad);
        }
    }
}
