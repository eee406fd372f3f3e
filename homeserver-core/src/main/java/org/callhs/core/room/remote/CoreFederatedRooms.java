package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.callhs.core.room.StateStore;
import org.callhs.core.spi.FederatedRooms;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;

/** Core's side of federated rooms, as the federation module reaches it. */
public final class CoreFederatedRooms implements FederatedRooms {
    private final PduReceiver receiver;
    private final FederationReads reads;
    private final JoinHandshake joins;
    private final RoomRepository rooms;
    private final StateStore states;
    private final org.callhs.core.storage.repo.CurrentStateRepository currentState;
    private final RemoteInvites invites;
    private final org.callhs.core.room.EventStore eventStore;
    private final List<org.callhs.core.spi.InboundPduGate> gates;
    private final org.callhs.core.room.BlockedRooms blocked;

    public CoreFederatedRooms(PduReceiver receiver, FederationReads reads, JoinHandshake joins, RoomRepository rooms, StateStore states,
                              org.callhs.core.storage.repo.CurrentStateRepository currentState, RemoteInvites invites,
                              org.callhs.core.room.EventStore eventStore, List<org.callhs.core.spi.InboundPduGate> gates,
                              org.callhs.core.room.BlockedRooms blocked) {
        this.blocked = blocked;
        this.eventStore = eventStore;
        this.gates = List.copyOf(gates);
        this.invites = invites;
        this.currentState = currentState;
        this.receiver = receiver;
        this.reads = reads;
        this.joins = joins;
        this.rooms = rooms;
        this.states = states;
    }

    @Override
    public List<PduResult> receive(String origin, List<JsonNode> pdus) {
        for (org.callhs.core.spi.InboundPduGate gate : gates) gate.admit(origin, pdus);
        List<PduResult> results = new ArrayList<>(pdus.size());
        for (JsonNode pdu : pdus) {
            PduReceiver.Receipt receipt = receiver.receive(origin, pdu);
            results.add(new PduResult(receipt.eventId(), receipt.error()));
        }
        return results;
    }

    @Override
    public java.util.Optional<ObjectNode> storedPdu(DSLContext tx, String eventId) {
        return eventStore.pdu(tx, eventId);
    }

    @Override
    public ObjectNode event(String origin, String eventId) {
        return reads.event(origin, eventId);
    }

    @Override
    public ObjectNode stateIds(String origin, String roomId, String eventId) {
        FederationReads.StateAt at = reads.stateAt(origin, roomId, eventId);
        ObjectNode answer = Json.object();
        ArrayNode pduIds = answer.putArray("pdu_ids");
        at.stateIds().forEach(pduIds::add);
        ArrayNode chain = answer.putArray("auth_chain_ids");
        at.authChainIds().forEach(chain::add);
        return answer;
    }

    @Override
    public ObjectNode state(String origin, String roomId, String eventId) {
        FederationReads.StateAt at = reads.stateAt(origin, roomId, eventId);
        ObjectNode answer = Json.object();
        ArrayNode pdus = answer.putArray("pdus");
        reads.pdus(at.stateIds()).forEach(pdus::add);
        ArrayNode chain = answer.putArray("auth_chain");
        reads.pdus(at.authChainIds()).forEach(chain::add);
        return answer;
    }

    @Override
    public List<ObjectNode> eventAuth(String origin, String roomId, String eventId) {
        return reads.eventAuth(origin, roomId, eventId);
    }

    @Override
    public List<ObjectNode> missingEvents(String origin, String roomId, List<String> earliest, List<String> latest, int limit,
                                          long minDepth) {
        return reads.missingEvents(origin, roomId, earliest, latest, limit, minDepth);
    }

    @Override
    public ObjectNode timestampToEvent(String origin, String roomId, long ts, boolean forwards) {
        return reads.timestampToEvent(origin, roomId, ts, forwards);
    }

    @Override
    public List<ObjectNode> backfill(String origin, String roomId, List<String> from, int limit) {
        return reads.backfill(origin, roomId, from, limit);
    }

    @Override
    public ObjectNode makeMembership(String origin, String roomId, String userId, String membership, List<String> versions) {
        return joins.make(origin, roomId, userId, membership, versions);
    }

    @Override
    public MembershipAccepted sendMembership(String origin, String roomId, String eventId, JsonNode event, String membership) {
        JoinHandshake.JoinAccepted accepted = joins.send(origin, roomId, eventId, event, membership);
        return new MembershipAccepted(accepted.answer(), accepted.event() == null ? null : accepted.event().pdu(), accepted.serversInRoom());
    }

    @Override
    public ObjectNode invite(String origin, String roomId, String eventId, String roomVersion, JsonNode event, JsonNode inviteRoomState) {
        blocked.requireNotBlocked(roomId);
        return invites.receive(origin, roomId, eventId, roomVersion, event, inviteRoomState);
    }

    private volatile PublicRooms directory = (limit, since, term) -> Json.object().put("total_room_count_estimate", 0).set("chunk", Json.array());

    /** A page of the public room directory, as the client endpoint lists it. */
    @FunctionalInterface
    public interface PublicRooms {
        ObjectNode list(int limit, String since, String searchTerm);
    }

    public void useDirectory(PublicRooms directory) { this.directory = directory; }

    @Override
    public ObjectNode publicRooms(int limit, String since, String searchTerm) {
        return directory.list(limit, since, searchTerm);
    }

    @Override
    public Set<String> joinedServers(DSLContext tx, String roomId) {
        Set<String> servers = new java.util.TreeSet<>();
        for (String member : currentState.members(tx, roomId, "join")) {
            if (org.callhs.core.util.MatrixIds.isValidUserId(member)) servers.add(org.callhs.core.util.MatrixIds.serverName(member));
        }
        return servers;
    }
}
