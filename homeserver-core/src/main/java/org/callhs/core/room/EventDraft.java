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
 */
public record EventDraft(String roomId, String sender, String deviceId, String txnId, String type, String stateKey,
                         ObjectNode content, ObjectNode extraKeys) {
    public EventDraft {
        Objects.requireNonNull(roomId);
        Objects.requireNonNull(sender);
        Objects.requireNonNull(type);
        Objects.requireNonNull(content);
        Objects.requireNonNull(extraKeys);
    }

    public boolean isState() { return stateKey != null; }

    public EventDraft withExtraKeys(ObjectNode keys) {
        return new EventDraft(roomId, sender, deviceId, txnId, type, stateKey, content, keys);
    }
}
