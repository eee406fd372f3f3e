package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.testing.TestClient;
import org.callhs.core.util.Json;

/** PDUs a test writes by hand, hashed and signed with a real server key, to send in a transaction of its own. */
final class CraftedPdus {
    private CraftedPdus() {}

    /**
     * A PDU signed by {@code signer}, on top of {@code prev} (its depth read from {@code resident}
     * through {@code asOrigin}), citing {@code auth} and the sender's member event.
     */
    static ObjectNode pdu(FederationClient asOrigin, String resident, RoomVersion version, JsonSigner signer, String roomId, String sender,
                          String type, String stateKey, ObjectNode content, String prev, List<String> auth, String memberEvent) {
        return pdu(asOrigin, resident, version, signer, roomId, sender, type, stateKey, content, prev, auth, memberEvent, null);
    }

    /** As above, with extra top-level keys (MSC4354's {@code msc4354_sticky}) when {@code extra} is not null. */
    static ObjectNode pdu(FederationClient asOrigin, String resident, RoomVersion version, JsonSigner signer, String roomId, String sender,
                          String type, String stateKey, ObjectNode content, String prev, List<String> auth, String memberEvent,
                          ObjectNode extra) {
        JsonNode prevPdu = asOrigin.request(resident, "GET", "/_matrix/federation/v1/event/" + TestClient.seg(prev), null, 10_000)
                .path("pdus").get(0);
        ObjectNode pdu = Json.object();
        pdu.put("type", type).put("room_id", roomId).put("sender", sender);
        if (stateKey != null) pdu.put("state_key", stateKey);
        pdu.set("content", content);
        pdu.put("origin_server_ts", System.currentTimeMillis());
        pdu.putArray("prev_events").add(prev);
        pdu.put("depth", prevPdu.path("depth").asLong() + 1);
        ArrayNode authEvents = pdu.putArray("auth_events");
        auth.forEach(authEvents::add);
        authEvents.add(memberEvent);
        if (extra != null) extra.fields().forEachRemaining(e -> pdu.set(e.getKey(), e.getValue()));
        return EventHashes.hashAndSign(pdu, version, signer);
    }
}
