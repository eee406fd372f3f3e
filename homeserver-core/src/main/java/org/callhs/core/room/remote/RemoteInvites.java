package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.Redaction;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.EventBuilder;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.EventListeners;
import org.callhs.core.room.EventPersister;
import org.callhs.core.room.RemoteEventAppender;
import org.callhs.core.room.RoomLocks;
import org.callhs.core.room.RoomWriter;
import org.callhs.core.room.StateStore;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.RemoteInviteStateRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * Invites across servers (Server-Server API "Inviting to a room", "Leaving rooms (rejecting
 * invites)"). Outbound: a local user's invite of another server's user is built and signed
 * here, sent to the invitee's server with {@code /v2/invite}, and the copy it returns (signed
 * by both servers) is written into the room. Inbound: an invite to a local user is checked,
 * signed and answered; when this server is not in the room it becomes a stub room (the
 * invitee's membership only, plus the stripped state the inviter sent), so it reaches
 * {@code /sync}. Rejecting such an invite goes through {@code make_leave}/{@code send_leave}
 * on the inviting server; accepting it is a remote join.
 */
public final class RemoteInvites {
    private final Database database;
    private final String serverName;
    private final RoomRepository rooms;
    private final EventRepository events;
    private final CurrentStateRepository currentState;
    private final StreamPositionRepository streams;
    private final StateStore states;
    private final RoomLocks locks;
    private final RoomWriter writer;
    private final EventBuilder builder;
    private final EventPersister persister;
    private final EventListeners listeners;
    private final RemoteEventAppender appender;
    private final PduChecks checks;
    private final JsonSigner signer;
    private final RemoteInviteStateRepository inviteStates;
    private final Supplier<RemoteServers> remote;
    private final java.util.function.Predicate<String> localUserExists;
    private final Clock clock;
    private final ServerAcls acls;

    public RemoteInvites(Database database, String serverName, RoomRepository rooms, EventRepository events,
                         CurrentStateRepository currentState, StreamPositionRepository streams, StateStore states, RoomLocks locks,
                         RoomWriter writer, EventBuilder builder, EventPersister persister, EventListeners listeners,
                         RemoteEventAppender appender, PduChecks checks, JsonSigner signer, RemoteInviteStateRepository inviteStates,
                         Supplier<RemoteServers> remote, java.util.function.Predicate<String> localUserExists, Clock clock,
                         ServerAcls acls) {
        this.acls = acls;
        this.database = database;
        this.serverName = serverName;
        this.rooms = rooms;
        this.events = events;
        this.currentState = currentState;
        this.streams = streams;
        this.states = states;
        this.locks = locks;
        this.writer = writer;
        this.builder = builder;
        this.persister = persister;
        this.listeners = listeners;
        this.appender = appender;
        this.checks = checks;
        this.signer = signer;
        this.inviteStates = inviteStates;
        this.remote = remote;
        this.localUserExists = localUserExists;
        this.clock = clock;
    }

    /** Whether {@code roomId} is a stub: known here only through an invite. */
    public boolean isStub(String roomId) {
        return rooms.find(database.dsl(), roomId).map(r -> Boolean.TRUE.equals(r.getIsStub())).orElse(false);
    }

    // --- outbound ------------------------------------------------------------------------------

    /** A local user invites {@code draft}'s target, a user of another server. Returns the event ID. */
    public String invite(EventDraft draft) {
        String target = draft.stateKey();
        String destination = MatrixIds.serverName(target);
        RoomVersion version = rooms.find(database.dsl(), draft.roomId()).map(r -> RoomVersion.require(r.getRoomVersion()))
                .orElseThrow(() -> MatrixException.notFound("Unknown room"));
        EventBuilder.Signed signed = writer.prepare(draft);
        ObjectNode body = Json.object();
        body.put("room_version", version.id());
        body.set("event", signed.pdu());
        body.set("invite_room_state", strippedState(draft.roomId(), version));
        ObjectNode answer = remote.get().sendInvite(destination, draft.roomId(), signed.eventId(), body);
        JsonNode returned = answer.get("event");
        ObjectNode event = signed.pdu();
        if (returned != null && returned.isObject()) {
            PduChecks.Checked theirs;
            try {
                theirs = checks.check(returned, version, draft.roomId());
            } catch (InvalidPdu e) {
                throw new MatrixException(ErrCode.UNKNOWN, 502, destination + " returned an invalid invite: " + e.getMessage());
            }
            if (!theirs.eventId().equals(signed.eventId()) || theirs.redactedOnReceipt()) {
                throw new MatrixException(ErrCode.UNKNOWN, 502, destination + " returned another event than the invite");
            }
            if (!theirs.pdu().path("signatures").has(destination)) {
                throw new MatrixException(ErrCode.UNKNOWN, 502, destination + " did not sign the invite");
            }
            event = theirs.pdu();
        }
        RemoteEventAppender.Result result = appender.append(new RemoteEventAppender.Incoming(signed.eventId(), draft.roomId(), event,
                CanonicalJson.encode(event), List.of()));
        if (result.outcome() == RemoteEventAppender.Outcome.REJECTED || result.outcome() == RemoteEventAppender.Outcome.SOFT_FAILED) {
            throw MatrixException.forbidden("The invite is no longer allowed: " + result.reason());
        }
        return signed.eventId();
    }

    /**
     * The stripped state sent with an invite: the create event in full (v12 needs it to check
     * the room ID) and the name, avatar, join rules, canonical alias, encryption and the
     * inviter's membership, stripped to {@code type}, {@code state_key}, {@code sender} and
     * {@code content}.
     */
    public ArrayNode strippedState(String roomId, RoomVersion version) {
        DSLContext dsl = database.dsl();
        RoomsRecord room = rooms.find(dsl, roomId).orElseThrow();
        Map<StateKey, String> state = states.load(dsl, room.getStateGroup()).state();
        ArrayNode out = Json.array();
        for (Map.Entry<StateKey, String> entry : state.entrySet()) {
            StateKey key = entry.getKey();
            boolean wanted = List.of("m.room.create", "m.room.name", "m.room.avatar", "m.room.join_rules", "m.room.canonical_alias",
                    "m.room.encryption", "m.room.topic").contains(key.type()) && key.stateKey().isEmpty();
            if (!wanted) continue;
            events.findAny(dsl, entry.getValue()).ifPresent(record -> {
                ObjectNode pdu = (ObjectNode) Json.parse(record.getPdu());
                if (key.type().equals("m.room.create") && version.roomIdIsCreateEventHash()) {
                    out.add(pdu);
                    return;
                }
                ObjectNode stripped = Json.object();
                stripped.put("type", key.type());
                stripped.put("state_key", key.stateKey());
                stripped.put("sender", pdu.path("sender").asText());
                stripped.set("content", pdu.path("content"));
                out.add(stripped);
            });
        }
        return out;
    }

    // --- inbound -------------------------------------------------------------------------------

    /**
     * {@code PUT /v2/invite/{roomId}/{eventId}} ({@code /v1}: {@code versionId} null, version 1
     * assumed): checks the invite, signs it as the invitee's server, and when this server is
     * not in the room records it in a stub room. Returns the event with our signature.
     */
    public ObjectNode receive(String origin, String roomId, String eventId, String versionId, JsonNode event, JsonNode inviteRoomState) {
        RoomVersion version = RoomVersion.find(versionId == null ? "1" : versionId).orElseThrow(() ->
                new MatrixException(ErrCode.INCOMPATIBLE_ROOM_VERSION, 400, "Room version " + versionId + " is not supported here",
                        Map.of("room_version", String.valueOf(versionId)), Map.of()));
        if (event == null || !event.isObject()) throw MatrixException.badJson("event must be the invite event");
        if (!StateKey.MEMBER_TYPE.equals(event.path("type").asText()) || !"invite".equals(event.path("content").path("membership").asText())) {
            throw MatrixException.badJson("The event is not an invite");
        }
        if (!roomId.equals(event.path("room_id").asText(null))) throw MatrixException.badJson("The event is for another room");
        String sender = event.path("sender").asText("");
        if (!MatrixIds.isValidUserId(sender) || !MatrixIds.serverName(sender).equals(origin)) {
            throw MatrixException.forbidden("The inviter is not a user of " + origin);
        }
        String invitee = event.path("state_key").asText("");
        if (!MatrixIds.isValidUserId(invitee) || !MatrixIds.serverName(invitee).equals(serverName)) {
            throw MatrixException.forbidden("The invitee is not a user of this server");
        }
        if (!localUserExists.test(invitee)) throw MatrixException.notFound("Unknown user " + invitee);
        acls.require(roomId, origin);
        PduChecks.Checked checked;
        try {
            checked = checks.check(event, version, roomId);
        } catch (InvalidPdu e) {
            throw MatrixException.badJson("Invalid invite: " + e.getMessage());
        }
        if (checked.redactedOnReceipt()) throw MatrixException.badJson("The invite's content hash does not match");
        if (!checked.eventId().equals(eventId)) throw MatrixException.badJson("The event ID in the path is not the event's");
        ObjectNode pdu = checked.pdu();
        ObjectNode ours = signer.sign(Redaction.redact(pdu, version));
        ((ObjectNode) pdu.with("signatures")).set(serverName, ours.path("signatures").path(serverName));

        boolean resident = rooms.find(database.dsl(), roomId).filter(r -> !Boolean.TRUE.equals(r.getIsStub())).isPresent()
                && localJoined(roomId);
        if (!resident) {
            ArrayNode stripped = Json.array();
            if (inviteRoomState != null && inviteRoomState.isArray()) {
                for (JsonNode s : inviteRoomState) if (s.isObject()) stripped.add(s);
            }
            recordOutOfRoom(roomId, version, eventId, pdu, stripped);
        }
        ObjectNode answer = Json.object();
        answer.set("event", pdu);
        return answer;
    }

    private boolean localJoined(String roomId) {
        for (String member : currentState.members(database.dsl(), roomId, "join")) {
            if (MatrixIds.isValidUserId(member) && MatrixIds.serverName(member).equals(serverName)) return true;
        }
        return false;
    }

    /**
     * Writes a membership event of a local user in a room this server is not in (an invite it
     * received, the leave that rejects it) into the room's stub, with a stream position so
     * {@code /sync} carries it; {@code stripped} (may be null) is kept as the invite's stripped state.
     */
    private void recordOutOfRoom(String roomId, RoomVersion version, String eventId, ObjectNode pdu, ArrayNode stripped) {
        String userId = pdu.path("state_key").asText();
        List<org.callhs.core.room.PersistedEvent> written = new ArrayList<>(1);
        locks.withLock(roomId, () -> {
            database.transaction(tx -> {
                if (events.findAny(tx, eventId).isPresent()) return null;
                Optional<RoomsRecord> room = rooms.findForWrite(tx, roomId);
                StateStore.Group before;
                if (room.isEmpty()) {
                    before = states.append(tx, roomId, null, Map.of());
                    String creator = creatorFrom(stripped, pdu.path("sender").asText());
                    rooms.insert(tx, roomId, version.id(), creator, false, clock.millis(), pdu.path("depth").asLong(), before.id());
                    rooms.setStub(tx, roomId, true);
                } else {
                    before = states.load(tx, room.get().getStateGroup());
                }
                List<String> prevs = new ArrayList<>();
                pdu.path("prev_events").forEach(p -> prevs.add(p.asText()));
                EventPersister.Written w = persister.write(tx, new EventPersister.Row(eventId, roomId, version, pdu, CanonicalJson.encode(pdu),
                        prevs, before, streams.next(tx, "events"), EventPersister.Kind.TIMELINE, null, null, null, null));
                currentState.put(tx, roomId, StateKey.MEMBER_TYPE, userId, eventId, pdu.path("content").path("membership").asText());
                rooms.advance(tx, roomId, pdu.path("depth").asLong(), w.stateAfter().id());
                if (stripped != null) inviteStates.insert(tx, eventId, roomId, Json.write(stripped));
                written.add(w.event());
                return null;
            });
            listeners.committed(written);
            return null;
        });
    }

    private static String creatorFrom(ArrayNode stripped, String fallback) {
        if (stripped != null) {
            for (JsonNode s : stripped) {
                if ("m.room.create".equals(s.path("type").asText())) {
                    String creator = s.path("content").path("creator").asText(null);
                    return creator != null ? creator : s.path("sender").asText(fallback);
                }
            }
        }
        return fallback;
    }

    /**
     * Rejects (or retracts a knock on) a stub room's invite: {@code make_leave} and
     * {@code send_leave} on the inviting server (then the room ID's server), and the leave
     * recorded here so {@code /sync} moves the room to {@code leave}.
     */
    public void reject(String userId, String roomId, String reason) {
        DSLContext dsl = database.dsl();
        RoomsRecord room = rooms.find(dsl, roomId).orElseThrow(() -> MatrixException.notFound("Unknown room"));
        RoomVersion version = RoomVersion.require(room.getRoomVersion());
        String inviteId = states.load(dsl, room.getStateGroup()).state().get(StateKey.member(userId));
        if (inviteId == null) throw MatrixException.forbidden("You are not invited to this room");
        JsonNode invite = Json.parse(events.findAny(dsl, inviteId).orElseThrow().getPdu());
        List<String> servers = new ArrayList<>();
        servers.add(MatrixIds.serverName(invite.path("sender").asText()));
        int colon = roomId.indexOf(':');
        if (colon > 0) servers.add(roomId.substring(colon + 1));
        // The servers whose users sent the room's stripped state (the creator's first) are in the
        // room: the only ones to go through for a knock (sent by this server's own user) in a v12
        // room (whose ID names no server), and further candidates for an invite.
        strippedStateOf(inviteId).ifPresent(stripped -> {
            List<String> senders = new ArrayList<>();
            for (JsonNode event : stripped) {
                String sender = event.path("sender").asText("");
                if (!MatrixIds.isValidUserId(sender)) continue;
                if (StateKey.CREATE_TYPE.equals(event.path("type").asText())) senders.add(0, MatrixIds.serverName(sender));
                else senders.add(MatrixIds.serverName(sender));
            }
            servers.addAll(senders);
        });
        servers.removeIf(serverName::equals);
        MatrixException last = MatrixException.notFound("No server to reject the invite through");
        for (String server : new java.util.LinkedHashSet<>(servers)) {
            try {
                ObjectNode made = remote.get().makeMembership(server, roomId, userId, "leave", null);
                ObjectNode template = made.path("event").deepCopy();
                if (!StateKey.MEMBER_TYPE.equals(template.path("type").asText()) || !userId.equals(template.path("state_key").asText())
                        || !userId.equals(template.path("sender").asText()) || !"leave".equals(template.path("content").path("membership").asText())) {
                    throw new MatrixException(ErrCode.UNKNOWN, 502, "The leave template from " + server + " is not a leave of this user");
                }
                template.remove(List.of("hashes", "signatures", "unsigned", "event_id"));
                if (reason != null) ((ObjectNode) template.get("content")).put("reason", reason);
                template.put("origin_server_ts", clock.millis());
                EventBuilder.Signed signed = builder.sign(template, version);
                remote.get().sendMembership(server, roomId, signed.eventId(), "leave", signed.pdu());
                recordOutOfRoom(roomId, version, signed.eventId(), signed.pdu(), null);
                return;
            } catch (MatrixException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * Knocks on a room this server is not in: {@code make_knock} (with every supported
     * {@code ver}) and {@code send_knock} on the first of {@code servers} that lets it; the knock
     * is kept in a stub room with the {@code knock_room_state} the resident returned, so
     * {@code /sync} shows it. Returns the knock's event ID.
     */
    public String knock(String userId, String roomId, List<String> servers, String reason) {
        MatrixException last = MatrixException.notFound("No server to knock through");
        for (String server : new java.util.LinkedHashSet<>(servers)) {
            if (server.equals(serverName)) continue;
            try {
                ObjectNode made = remote.get().makeMembership(server, roomId, userId, "knock", RoomVersion.supportedIds());
                String versionId = made.path("room_version").asText("1");
                RoomVersion version = RoomVersion.find(versionId).orElseThrow(() -> new MatrixException(ErrCode.UNSUPPORTED_ROOM_VERSION, 400,
                        "Room " + roomId + " has version " + versionId + ", which this server does not support"));
                ObjectNode template = made.path("event").deepCopy();
                if (!StateKey.MEMBER_TYPE.equals(template.path("type").asText()) || !userId.equals(template.path("state_key").asText())
                        || !userId.equals(template.path("sender").asText()) || !roomId.equals(template.path("room_id").asText())
                        || !"knock".equals(template.path("content").path("membership").asText())) {
                    throw new MatrixException(ErrCode.UNKNOWN, 502, "The knock template from " + server + " is not a knock of this user");
                }
                template.remove(List.of("hashes", "signatures", "unsigned", "event_id"));
                if (reason != null) ((ObjectNode) template.get("content")).put("reason", reason);
                template.put("origin_server_ts", clock.millis());
                EventBuilder.Signed signed = builder.sign(template, version);
                ObjectNode answer = remote.get().sendMembership(server, roomId, signed.eventId(), "knock", signed.pdu());
                ArrayNode stripped = Json.array();
                JsonNode state = answer.has("knock_room_state") ? answer.get("knock_room_state") : answer.path("knock_state");
                if (state.isArray()) for (JsonNode s : state) if (s.isObject()) stripped.add(s);
                recordOutOfRoom(roomId, version, signed.eventId(), signed.pdu(), stripped);
                return signed.eventId();
            } catch (MatrixException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The stripped state kept for an invite event, if it came from another server. */
    public Optional<ArrayNode> strippedStateOf(String eventId) {
        return inviteStates.find(database.dsl(), eventId).map(text -> (ArrayNode) Json.parse(text));
    }
}
