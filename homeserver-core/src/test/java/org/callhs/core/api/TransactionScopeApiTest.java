package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Transaction IDs are scoped per device and per endpoint path (spec "Transaction identifiers"). */
@ParameterizedClass
@EnumSource(Backend.class)
class TransactionScopeApiTest extends BackendSuite {
    private static String send(String token, String roomId, String type, String txnId) {
        return client.put("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/send/" + TestClient.seg(type) + "/" + txnId, token,
                Json.object().put("msgtype", "m.text").put("body", "b")).text("event_id");
    }

    @Test
    void theSameTransactionIdOnAnotherPathIsAnotherSend() {
        String alice = server.registerToken("txs_alice");
        String one = client.post("/_matrix/client/v3/createRoom", alice, "{}").text("room_id");
        String two = client.post("/_matrix/client/v3/createRoom", alice, "{}").text("room_id");
        String first = send(alice, one, "m.room.message", "shared");
        assertThat(send(alice, one, "m.room.message", "shared")).isEqualTo(first);
        String otherRoom = send(alice, two, "m.room.message", "shared");
        assertThat(otherRoom).isNotNull().isNotEqualTo(first);
        String otherType = send(alice, one, "org.example.custom", "shared");
        assertThat(otherType).isNotNull().isNotEqualTo(first).isNotEqualTo(otherRoom);
        // Another device of the same user is another scope too.
        String laptop = client.login("txs_alice", "password-txs_alice", "LAPTOP").text("access_token");
        assertThat(send(laptop, one, "m.room.message", "shared")).isNotEqualTo(first);
    }
}
