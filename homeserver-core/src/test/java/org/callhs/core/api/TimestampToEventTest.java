package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event}: the closest event each way, and bad input. */
@ParameterizedClass
@EnumSource(Backend.class)
class TimestampToEventTest extends BackendSuite {
    private static String path(String roomId) { return "/_matrix/client/v1/rooms/" + TestClient.seg(roomId) + "/timestamp_to_event"; }

    @Test
    void findsTheClosestEventEachWay() throws Exception {
        String token = server.registerToken("tte" + backend.ordinal());
        String roomId = client.post("/_matrix/client/v3/createRoom", token, Json.object()).text("room_id");
        String send = "/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/send/m.room.message/";
        String first = client.put(send + "a", token, Json.object().put("msgtype", "m.text").put("body", "a")).text("event_id");
        Thread.sleep(20);
        long between = System.currentTimeMillis();
        Thread.sleep(20);
        String second = client.put(send + "b", token, Json.object().put("msgtype", "m.text").put("body", "b")).text("event_id");
        assertThat(client.get(path(roomId) + "?dir=f&ts=" + between, token).text("event_id")).isEqualTo(second);
        assertThat(client.get(path(roomId) + "?dir=b&ts=" + between, token).text("event_id")).isEqualTo(first);
        Resp later = client.get(path(roomId) + "?dir=f&ts=" + (System.currentTimeMillis() + 60_000), token);
        assertThat(later.status()).isEqualTo(404);
        assertThat(later.errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get(path(roomId) + "?dir=x&ts=1", token).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path(roomId) + "?dir=f&ts=soon", token).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path(roomId) + "?dir=f", token).errcode()).isEqualTo("M_MISSING_PARAM");
        String stranger = server.registerToken("tte-stranger" + backend.ordinal());
        assertThat(client.get(path(roomId) + "?dir=b&ts=" + between, stranger).status()).as("not in the room, not world-readable").isEqualTo(403);
    }
}
