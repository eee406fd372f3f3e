package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.Redaction;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.EventBuilder;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.EventStore;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RemoteEventAppender;
import org.callhs.core.room.StateStore;
import org.callhs.core.room.auth.AuthFailure;
import org.callhs.core.room.auth.AuthRules;
import org.callhs.core.room.auth.PowerLevels;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.room.auth.StateView;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.ExtremityRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * The resident server's side of a join, leave or knock over federation (Server-Server API
 * "Joining rooms", "Leaving rooms", "Knocking"): {@code make_*} answers a template built from
 * the current extremities and state, {@code send_*} checks the signed event the joining server
 * returns and writes it like any remote event. A send is refused unless it carries exactly the
 * membership its endpoint is for.
 */
public final class JoinHandshake {
    private final Database database;
    private final String serverName;
    private final RoomRepository rooms;
    private final ExtremityRepository extremities;
    private final EventRepository events;
    private final EventStore eventStore;
    private final StateStore states;
    private final EventBuilder builder;
    private final JsonSigner signer;
    private final PduChecks checks;
    private final RemoteEventAppender appender;
    private final FederationReads reads;
    private final ServerAcls acls;

    public JoinHandshake(Database database, String serverName, RoomRepository rooms, ExtremityRepository extremities,
                         EventRepository events, EventStore eventStore, StateStore states, EventBuilder builder, JsonSigner signer,
                         PduChecks checks, RemoteEventAppender appender, FederationReads reads, ServerAcls acls) {
        this.acls = acls;
        this.database = database;
        this.serverName = serverName;
        this.rooms = rooms;
        this.extremities = extremities;
        this.events = events;
        this.eventStore = eventStore;
        this.states = states;
        this.builder = builder;
        this.signer = signer;
        this.checks = checks;
        this.appender = appender;
        this.reads = reads;
    }

    /**
     * {@code GET /make_join}, {@code /make_leave}, {@code /make_knock}: the template of
     * {@code userId}'s membership event, and the room version. {@code supportedVersions} is the
     * joining server's {@code ver} list (null for make_leave, which has none).
     */
    public ObjectNode make(String origin, String roomId, String userId, String membership, List<String> supportedVersions) {
        if (!MatrixIds.isValidUserId(userId)) throw MatrixException.badJson("Invalid user ID " + userId);
        if (!MatrixIds.serverName(userId).equals(origin)) throw MatrixException.forbidden("User " + userId + " is not of server " + origin);
        acls.require(roomId, origin);
        DSLContext dsl = database.dsl();
        RoomsRecord room = rooms.find(dsl, roomId).filter(r -> !Boolean.TRUE.equals(r.getIsStub()))
                .orElseThrow(() -> MatrixException.notFound("Unknown room"));
        RoomVersion version = RoomVersion.require(room.getRoomVersion());
        if (supportedVersions != null && !supportedVersions.contains(version.id())) {
            throw new MatrixException(ErrCode.INCOMPATIBLE_ROOM_VERSION, 400,
                    "Your server does not support room version " + version.id(), Map.of("room_version", version.id()), Map.of());
        }
        Map<StateKey, String> current = states.load(dsl, room.getStateGroup()).state();
        if (reads.joinedServers(dsl, current).stream().noneMatch(serverName::equals)) {
            throw MatrixException.notFound("This server is no longer in room " + roomId);
        }
        if (membership.equals("knock") && !version.knocking()) {
            throw new MatrixException(ErrCode.FORBIDDEN, 403, "Room version " + version.id() + " does not allow knocking");
        }
        ObjectNode content = Json.object().put("membership", membership);
        StateView view = view(dsl, current);
        if (membership.equals("join")) addAuthoriser(dsl, content, userId, current, view, version);
        EventDraft draft = new EventDraft(roomId, userId, null, null, StateKey.MEMBER_TYPE, userId, content, Json.object());
        List<EventBuilder.Prev> prevs = new ArrayList<>();
        for (ExtremityRepository.Extremity e : extremities.list(dsl, roomId)) prevs.add(new EventBuilder.Prev(e.eventId(), e.depth()));
        ObjectNode template = builder.template(version, roomId, draft, prevs, current);
        try {
            AuthRules.check(template, view, version);
        } catch (AuthFailure e) {
            throw MatrixException.forbidden("You are not allowed to " + membership + " this room: " + e.getMessage());
        }
        ObjectNode answer = Json.object();
        answer.put("room_version", version.id());
        answer.set("event", template);
        return answer;
    }

    /**
     * For a restricted room the user is not invited to: a local joined user who may invite, to
     * name in {@code join_authorised_via_users_server}, when the user is joined to one of the
     * rooms the join rules allow (as far as this server knows).
     */
    private void addAuthoriser(DSLContext dsl, ObjectNode content, String userId, Map<StateKey, String> state, StateView view,
                               RoomVersion version) {
        String rule = view.get(StateKey.JOIN_RULES).map(e -> e.path("content").path("join_rule").asText("invite")).orElse("invite");
        boolean restricted = (rule.equals("restricted") && version.restrictedJoins())
                || (rule.equals("knock_restricted") && version.knockRestrictedJoins());
        if (!restricted) return;
        String current = view.get(StateKey.member(userId)).map(e -> e.path("content").path("membership").asText("")).orElse("");
        if (current.equals("join") || current.equals("invite")) return;
        boolean allowed = false;
        JsonNode allow = view.get(StateKey.JOIN_RULES).map(e -> e.path("content").path("allow")).orElse(Json.array());
        for (JsonNode condition : allow) {
            if (!"m.room_membership".equals(condition.path("type").asText())) continue;
            String other = condition.path("room_id").asText(null);
            if (other == null) continue;
            Optional<RoomsRecord> otherRoom = rooms.find(dsl, other);
            if (otherRoom.isEmpty()) continue;
            String id = states.load(dsl, otherRoom.get().getStateGroup()).state().get(StateKey.member(userId));
            if (id != null && "join".equals(eventStore.pdu(dsl, id).map(p -> p.path("content").path("membership").asText()).orElse(""))) {
                allowed = true;
            }
        }
        if (!allowed) {
            throw new MatrixException(ErrCode.UNABLE_TO_AUTHORISE_JOIN, 400,
                    "This server cannot tell that " + userId + " meets the room's join conditions");
        }
        long inviteLevel = PowerLevels.namedLevel("invite", view);
        for (Map.Entry<StateKey, String> entry : state.entrySet()) {
            String member = entry.getKey().stateKey();
            if (!entry.getKey().type().equals(StateKey.MEMBER_TYPE) || !MatrixIds.isValidUserId(member)) continue;
            if (!MatrixIds.serverName(member).equals(serverName)) continue;
            boolean joined = eventStore.pdu(dsl, entry.getValue()).map(p -> "join".equals(p.path("content").path("membership").asText()))
                    .orElse(false);
            if (joined && AuthRules.powerLevel(member, view, version) >= inviteLevel) {
                content.put("join_authorised_via_users_server", member);
                return;
            }
        }
        throw new MatrixException(ErrCode.UNABLE_TO_GRANT_JOIN, 400, "No user of this server may invite " + userId);
    }

    /** The answer to {@code send_join}: the state before the join, its auth chain, the event as stored. */
    public record JoinAccepted(ObjectNode answer, PersistedEvent event, Set<String> serversInRoom) {}

    /**
     * {@code PUT /send_join}, {@code /send_leave}, {@code /send_knock}: checks and writes the
     * membership event {@code origin} signed, which must be {@code membership} for its own user;
     * 400 when it is malformed or not that, 403 when the room's rules refuse it.
     */
    public JoinAccepted send(String origin, String roomId, String eventId, JsonNode body, String membership) {
        acls.require(roomId, origin);
        DSLContext dsl = database.dsl();
        RoomsRecord room = rooms.find(dsl, roomId).filter(r -> !Boolean.TRUE.equals(r.getIsStub()))
                .orElseThrow(() -> MatrixException.notFound("Unknown room"));
        RoomVersion version = RoomVersion.require(room.getRoomVersion());
        if (body == null || !body.isObject()) throw MatrixException.badJson("The body must be the signed event");
        if (!roomId.equals(body.path("room_id").asText(null))) throw MatrixException.badJson("The event is for another room");
        if (!StateKey.MEMBER_TYPE.equals(body.path("type").asText())) throw MatrixException.badJson("The event is not a membership event");
        if (!membership.equals(body.path("content").path("membership").asText(null))) {
            throw MatrixException.badJson("The event's membership is not " + membership);
        }
        String sender = body.path("sender").asText("");
        if (!sender.equals(body.path("state_key").asText(null))) throw MatrixException.badJson("The event's state_key is not its sender");
        if (!MatrixIds.isValidUserId(sender) || !MatrixIds.serverName(sender).equals(origin)) {
            throw MatrixException.forbidden("The event's sender is not of server " + origin);
        }
        PduChecks.Checked checked;
        try {
            checked = checks.check(body, version, roomId);
        } catch (InvalidPdu e) {
            throw MatrixException.badJson("Invalid event: " + e.getMessage());
        }
        if (checked.redactedOnReceipt()) throw MatrixException.badJson("The event's content hash does not match");
        if (!checked.eventId().equals(eventId)) throw MatrixException.badJson("The event ID in the path is not the event's");
        ObjectNode pdu = checked.pdu();
        byte[] canonical = checked.canonical();
        String authoriser = pdu.path("content").path("join_authorised_via_users_server").asText(null);
        if (membership.equals("join") && authoriser != null && MatrixIds.isValidUserId(authoriser)
                && MatrixIds.serverName(authoriser).equals(serverName) && version.restrictedJoins()) {
            // Our user authorised the join: our server's signature goes on the event (over its redacted form).
            ObjectNode signed = signer.sign(Redaction.redact(pdu, version));
            ((ObjectNode) pdu.with("signatures")).set(serverName, signed.path("signatures").path(serverName));
            canonical = CanonicalJson.encode(pdu);
        }
        RemoteEventAppender.Result result = appender.append(new RemoteEventAppender.Incoming(eventId, roomId, pdu, canonical, List.of()));
        switch (result.outcome()) {
            case REJECTED, SOFT_FAILED -> throw MatrixException.forbidden("The room does not allow this " + membership + ": " + result.reason());
            default -> { }
        }
        EventsRecord stored = events.findAny(dsl, eventId).orElseThrow();
        if (stored.getRejectedReason() != null || stored.getStreamOrdering() == null) {
            throw MatrixException.forbidden("The room does not allow this " + membership);
        }
        if (membership.equals("knock")) {
            ObjectNode answer = Json.object();
            answer.set("knock_room_state", stripped.apply(roomId, version));
            return new JoinAccepted(answer, result.event(), servers(dsl, roomId));
        }
        ObjectNode answer = Json.object();
        answer.put("origin", serverName);
        Map<StateKey, String> before = stored.getStateGroupBefore() == null ? Map.of() : states.load(dsl, stored.getStateGroupBefore()).state();
        ArrayNode stateArray = answer.putArray("state");
        List<String> stateIds = new ArrayList<>(before.values());
        reads.pdus(stateIds).forEach(stateArray::add);
        Set<String> chainRoots = new LinkedHashSet<>(stateIds);
        chainRoots.add(eventId);
        ArrayNode chain = answer.putArray("auth_chain");
        reads.pdus(reads.authChain(dsl, chainRoots)).forEach(chain::add);
        answer.set("event", eventStore.pdu(dsl, eventId).orElseThrow());
        answer.put("members_omitted", false);
        Set<String> servers = servers(dsl, roomId);
        ArrayNode serversArray = answer.putArray("servers_in_room");
        servers.forEach(serversArray::add);
        return new JoinAccepted(answer, result.event(), servers);
    }

    private Set<String> servers(DSLContext dsl, String roomId) {
        RoomsRecord after = rooms.find(dsl, roomId).orElseThrow();
        return reads.joinedServers(dsl, states.load(dsl, after.getStateGroup()).state());
    }

    /** How the stripped state of a room is made (RemoteInvites', shared with knocks); set once wiring is done. */
    private java.util.function.BiFunction<String, RoomVersion, ArrayNode> stripped = (roomId, version) -> Json.array();

    public void strippedStateFrom(java.util.function.BiFunction<String, RoomVersion, ArrayNode> source) {
        this.stripped = source;
    }

    private StateView view(DSLContext dsl, Map<StateKey, String> state) {
        return key -> {
            String id = state.get(key);
            return id == null ? Optional.empty() : eventStore.pdu(dsl, id).map(p -> (JsonNode) p);
        };
    }
}
