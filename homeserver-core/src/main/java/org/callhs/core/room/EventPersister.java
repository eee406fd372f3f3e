package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.EventWriteHook;
import org.callhs.core.spi.ServerJoinListener;
import org.callhs.core.spi.SoftFailedHook;
import org.callhs.core.util.MatrixIds;
import org.callhs.core.storage.repo.EventEdgeRepository;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.jooq.DSLContext;

/**
 * Writes one event, local or remote, inside the caller's transaction: its row, its prev-event
 * edges, the state group after it, the redaction it applies, its relation and search index
 * entries ({@link EventIndexes}), the modules' write hooks and the PDU cache. The room's head (current state, forward extremities) is the caller's: a local
 * send moves it one event at a time, a remote event may need state resolution first.
 */
public final class EventPersister {
    /** What kind of event a row is: which timeline and state it takes part in. */
    public enum Kind {
        /** Accepted and in the room's timeline: a stream position, state before and after. */
        TIMELINE,
        /** Known without its state (auth chains, the state a join returned): no stream position, no state groups. */
        OUTLIER,
        /** Allowed by the state before it, not by the current state: state groups, but no stream position; never sent to clients. */
        SOFT_FAILED,
        /** Failed the checks on receipt: kept so it is not fetched again, never served, never applied to state. */
        REJECTED
    }

    /**
     * One event to write.
     *
     * @param canonical      the PDU's canonical JSON (what is stored)
     * @param prevEvents     the PDU's {@code prev_events}
     * @param stateBefore    the room state before the event; null for the create event and outliers
     * @param streamOrdering its stream position; null unless {@link Kind#TIMELINE}
     */
    public record Row(String eventId, String roomId, RoomVersion version, ObjectNode pdu, byte[] canonical, List<String> prevEvents,
                      StateStore.Group stateBefore, Long streamOrdering, Kind kind, String rejectedReason,
                      String deviceId, String txnId, ObjectNode internal) {}

    /**
     * What was written: the event as readers see it (null unless it is a timeline event) and the
     * state after it (null for outliers).
     */
    public record Written(PersistedEvent event, StateStore.Group stateAfter, String replacesState) {}

    private final EventRepository events;
    private final EventEdgeRepository edges;
    private final StateStore states;
    private final EventStore eventStore;
    private final Hooks hooks;
    private final EventIndexes indexes;

    /**
     * What the modules hear in the writing transaction: every timeline event (write hooks), the
     * join that makes a server resident in a room, and soft-failed events.
     */
    public record Hooks(List<EventWriteHook> writes, List<ServerJoinListener> serverJoins, List<SoftFailedHook> softFailed) {
        public Hooks {
            writes = List.copyOf(writes);
            serverJoins = List.copyOf(serverJoins);
            softFailed = List.copyOf(softFailed);
        }
    }

    public EventPersister(EventRepository events, EventEdgeRepository edges, StateStore states, EventStore eventStore, Hooks hooks,
                          EventIndexes indexes) {
        this.indexes = indexes;
        this.events = events;
        this.edges = edges;
        this.states = states;
        this.eventStore = eventStore;
        this.hooks = hooks;
    }

    public Written write(DSLContext tx, Row row) {
        ObjectNode pdu = row.pdu();
        String type = pdu.path("type").asText();
        JsonNode stateKeyNode = pdu.get("state_key");
        String stateKey = stateKeyNode != null && stateKeyNode.isTextual() ? stateKeyNode.textValue() : null;
        StateStore.Group before = row.stateBefore();
        StateStore.Group after = switch (row.kind()) {
            case OUTLIER -> null;
            case REJECTED -> before;
            case TIMELINE, SOFT_FAILED -> stateKey == null ? before
                    : states.append(tx, row.roomId(), before, Map.of(StateKey.of(type, stateKey), row.eventId()));
        };
        String replaces = stateKey != null && before != null && row.kind() != Kind.OUTLIER
                ? before.state().get(StateKey.of(type, stateKey)) : null;
        EventsRecord record = new EventsRecord();
        record.setEventId(row.eventId());
        record.setRoomId(row.roomId());
        record.setStreamOrdering(row.kind() == Kind.TIMELINE ? row.streamOrdering() : null);
        record.setDepth(pdu.path("depth").asLong());
        record.setEventType(type);
        record.setStateKey(stateKey);
        record.setSender(pdu.path("sender").asText());
        record.setOriginServerTs(pdu.path("origin_server_ts").asLong());
        record.setPdu(new String(row.canonical(), StandardCharsets.UTF_8));
        record.setStateGroupBefore(before == null ? null : before.id());
        record.setStateGroupAfter(after == null ? null : after.id());
        record.setSenderDevice(row.deviceId());
        record.setTxnId(row.txnId());
        record.setInternalMetadata(row.internal() == null || row.internal().isEmpty() ? null : row.internal().toString());
        record.setReplacesState(replaces);
        record.setOutlier(row.kind() == Kind.OUTLIER);
        record.setSoftFailed(row.kind() == Kind.SOFT_FAILED);
        record.setRejectedReason(row.kind() == Kind.REJECTED ? (row.rejectedReason() == null ? "rejected" : row.rejectedReason()) : null);
        events.insert(tx, record);
        edges.insert(tx, row.eventId(), row.prevEvents());
        eventStore.remember(row.eventId(), pdu);
        if (row.kind() == Kind.SOFT_FAILED) {
            for (SoftFailedHook hook : hooks.softFailed()) hook.softFailed(tx, row.roomId(), row.eventId(), pdu);
        }
        if (row.kind() != Kind.TIMELINE) return new Written(null, after, replaces);

        if (type.equals("m.room.redaction")) {
            String target = row.version().redactsInContent() ? pdu.path("content").path("redacts").asText(null)
                    : pdu.path("redacts").asText(null);
            if (target != null) {
                events.markRedacted(tx, target, row.eventId());
                indexes.redacted(tx, target);
            }
        }
        indexes.written(tx, row.eventId(), row.roomId(), pdu, row.streamOrdering());
        ObjectNode internal = row.internal() == null || row.internal().isEmpty() ? null : row.internal();
        PersistedEvent event = new PersistedEvent(row.eventId(), row.roomId(), row.streamOrdering(), pdu, row.version(), row.deviceId(),
                row.txnId(), null, replaces, record.getStateGroupBefore(), internal);
        for (EventWriteHook hook : hooks.writes()) hook.written(tx, event);
        String joinedServer = newlyResidentServer(tx, type, stateKey, pdu, before);
        if (joinedServer != null) {
            for (ServerJoinListener listener : hooks.serverJoins()) listener.serverJoined(tx, row.roomId(), joinedServer, event);
        }
        return new Written(event, after, replaces);
    }

    /**
     * A soft-failed event now allowed by the current state joins the timeline at {@code ordering}
     * (its row keeps its state groups); the write hooks hear it as a new timeline event.
     */
    public PersistedEvent readmit(DSLContext tx, EventsRecord record, ObjectNode pdu, RoomVersion version, long ordering) {
        events.readmit(tx, record.getEventId(), ordering);
        if (record.getRedactedBy() == null) indexes.written(tx, record.getEventId(), record.getRoomId(), pdu, ordering);
        PersistedEvent event = new PersistedEvent(record.getEventId(), record.getRoomId(), ordering, pdu, version, null, null,
                record.getRedactedBy(), record.getReplacesState(), record.getStateGroupBefore(), null);
        for (EventWriteHook hook : hooks.writes()) hook.written(tx, event);
        return event;
    }

    /**
     * The server of a join's user when no user of that server was joined in the state before it
     * (the join makes the server resident); null otherwise, and for every other event.
     */
    private String newlyResidentServer(DSLContext tx, String type, String stateKey, ObjectNode pdu, StateStore.Group before) {
        if (hooks.serverJoins().isEmpty() || !type.equals(StateKey.MEMBER_TYPE) || stateKey == null) return null;
        if (!"join".equals(pdu.path("content").path("membership").asText()) || !MatrixIds.isValidUserId(stateKey)) return null;
        String server = MatrixIds.serverName(stateKey);
        if (before == null) return server;
        String suffix = ":" + server;
        for (Map.Entry<StateKey, String> entry : before.state().entrySet()) {
            StateKey key = entry.getKey();
            if (!key.type().equals(StateKey.MEMBER_TYPE) || !key.stateKey().endsWith(suffix)) continue;
            if (!MatrixIds.serverName(key.stateKey()).equals(server)) continue;
            boolean joined = eventStore.pdu(tx, entry.getValue())
                    .map(p -> "join".equals(p.path("content").path("membership").asText())).orElse(false);
            if (joined) return null;
        }
        return server;
    }
}
