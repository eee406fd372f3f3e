package org.callhs.core.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * An event before it exists: what the client asked for, plus extra top-level PDU keys that
 * modules add (MSC4354's {@code msc4354_sticky}, for instance). A draft is plain data, so it
 * can be stored and sent later (MSC4140 delayed events) through the same path.
 *
 * @param roomId    target room
 * @param sender    user ID
 * @param deviceId  sending device, for transaction-ID idempotency and {@code unsigned.transaction_id}; may be null
 * @param txnId     client transaction ID; may be null (server-generated events)
 * @param type      event type
 * @param stateKey  state key for state events, null for message events
 * @param content   event content
 * @param extraKeys extra top-level PDU keys (copied into the PDU as they are); never null
 * @param originServerTs the event's {@code origin_server_ts}, or null for the time of writing (a delayed
 *                  event that timed out is stamped with its due time)
 * @param internal  server-side facts stored with the event but not in the PDU (e.g. the MSC4140 delay
 *                  ID), or null
 */
public record EventDraft(String roomId, String sender, String deviceId, String txnId, String type, String stateKey,
                         ObjectNode content, ObjectNode extraKeys, Long originServerTs, ObjectNode internal) {
    public EventDraft {
        Objects.requireNonNull(roomId);
        Objects.requireNonNull(sender);
        Objects.requireNonNull(type);
        Objects.requireNonNull(content);
        Objects.requireNonNull(extraKeys);
    }

    public EventDraft(String roomId, String sender, String deviceId, String txnId, String type, String stateKey,
                      ObjectNode content, ObjectNode extraKeys) {
        this(roomId, sender, deviceId, txnId, type, stateKey, content, extraKeys, null, null);
    }

    public boolean isState() { return stateKey != null; }

    public EventDraft withOriginServerTs(Long ts) {
        return new EventDraft(roomId, sender, deviceId, txnId, type, stateKey, content, extraKeys, ts, internal);
    }

    public EventDraft withInternal(ObjectNode facts) {
        return new EventDraft(roomId, sender, deviceId, txnId, type, stateKey, content, extraKeys, originServerTs, facts);
    }

    public EventDraft withExtraKeys(ObjectNode keys) {
        return new EventDraft(roomId, sender, deviceId, txnId, type, stateKey, content, keys, originServerTs, internal);
    }
}
