package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.AuthRules;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.util.Json;

/**
 * Turns a draft into a PDU: {@link #template} fills in {@code prev_events}, {@code depth},
 * {@code auth_events} and the timestamp (what a {@code make_join} answer holds), and
 * {@link #sign} adds the content hash and this server's signature and derives the event ID.
 * It reads nothing and writes nothing: the caller supplies the prev events and the state
 * before the event.
 */
public final class EventBuilder {
    /** Largest PDU accepted, in canonical JSON bytes (spec "Size limits"). */
    public static final int MAX_PDU_BYTES = 65_536;
    /** Most prev events a new event names (as Synapse): the deepest extremities. */
    public static final int MAX_PREV_EVENTS = 10;
    /** Greatest depth an event may have (2^53 - 1, the canonical JSON integer limit). */
    public static final long MAX_DEPTH = (1L << 53) - 1;
    /** Top-level keys a draft's extra keys may not override. */
    private static final Set<String> RESERVED = Set.of("type", "room_id", "sender", "content", "state_key", "origin_server_ts",
            "depth", "prev_events", "auth_events", "hashes", "signatures", "unsigned", "event_id", "origin");

    /** A prev event: its ID and depth. */
    public record Prev(String eventId, long depth) {}

    /** A signed PDU, its event ID and its canonical JSON. */
    public record Signed(String eventId, ObjectNode pdu, byte[] canonical) {}

    private final JsonSigner signer;
    private final Clock clock;

    public EventBuilder(JsonSigner signer, Clock clock) {
        this.signer = signer;
        this.clock = clock;
    }

    /**
     * The unsigned PDU of {@code draft} in {@code roomId}: {@code prevs} (the first
     * {@value #MAX_PREV_EVENTS}) as {@code prev_events}, depth one past the deepest of them,
     * {@code auth_events} chosen from {@code stateBefore} by the version's selection rules (none
     * for the create event), and the draft's extra keys. {@code stateBefore} is null for the
     * create event.
     */
    public ObjectNode template(RoomVersion version, String roomId, EventDraft draft, List<Prev> prevs, Map<StateKey, String> stateBefore) {
        boolean isCreate = stateBefore == null;
        ObjectNode pdu = Json.object();
        pdu.put("type", draft.type());
        if (!(isCreate && version.roomIdIsCreateEventHash())) pdu.put("room_id", roomId);
        pdu.put("sender", draft.sender());
        pdu.set("content", draft.content().deepCopy());
        if (draft.isState()) pdu.put("state_key", draft.stateKey());
        pdu.put("origin_server_ts", draft.originServerTs() != null ? draft.originServerTs() : clock.millis());
        List<Prev> named = prevs.subList(0, Math.min(MAX_PREV_EVENTS, prevs.size()));
        long prevDepth = 0;
        ArrayNode prev = pdu.putArray("prev_events");
        for (Prev p : named) {
            prevDepth = Math.max(prevDepth, p.depth());
            prev.add(p.eventId());
        }
        pdu.put("depth", Math.min(prevDepth + 1, MAX_DEPTH));
        ArrayNode auth = pdu.putArray("auth_events");
        if (!isCreate) {
            for (StateKey key : AuthRules.authEventKeys(draft.type(), draft.sender(), draft.stateKey(), draft.content(), version)) {
                String id = stateBefore.get(key);
                if (id != null) auth.add(id);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = draft.extraKeys().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> extra = it.next();
            if (!RESERVED.contains(extra.getKey())) pdu.set(extra.getKey(), extra.getValue().deepCopy());
        }
        return pdu;
    }

    /**
     * Hashes and signs {@code pdu} in place and derives its event ID: 400 {@code M_BAD_JSON}
     * when it cannot be canonical JSON (floats, integers beyond 2^53, lone surrogates), 413
     * {@code M_TOO_LARGE} beyond {@value #MAX_PDU_BYTES} bytes.
     */
    public Signed sign(ObjectNode pdu, RoomVersion version) {
        byte[] canonical;
        try {
            EventHashes.hashAndSign(pdu, version, signer);
            canonical = CanonicalJson.encode(pdu);
        } catch (IllegalArgumentException e) {
            throw MatrixException.badJson("Event is not valid canonical JSON: " + e.getMessage());
        }
        if (canonical.length > MAX_PDU_BYTES) {
            throw new MatrixException(ErrCode.TOO_LARGE, 413, "Event larger than " + MAX_PDU_BYTES + " bytes");
        }
        return new Signed(EventHashes.eventId(pdu, version), pdu, canonical);
    }
}
