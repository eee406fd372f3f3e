package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.storage.repo.ContentReportRepository;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Reporting events and rooms: stored for the admins; nothing revealed about events the reporter cannot see; bad input. */
@ParameterizedClass
@EnumSource(Backend.class)
class ReportApiTest extends BackendSuite {
    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    @Test
    void eventsAndRoomsCanBeReported() {
        String alice = server.registerToken("rep_alice");
        String bob = server.registerToken("rep_bob");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(client.post(room(roomId) + "/join", bob, "{}").status()).isEqualTo(200);
        String eventId = client.put(room(roomId) + "/send/m.room.message/r1", alice, Json.object().put("msgtype", "m.text").put("body", "bad"))
                .text("event_id");
        assertThat(client.post(room(roomId) + "/report/" + TestClient.seg(eventId), bob, "{\"reason\":\"spam\",\"score\":-100}").status())
                .isEqualTo(200);
        assertThat(client.post(room(roomId) + "/report/" + TestClient.seg(eventId), bob, "{}").status()).isEqualTo(200);
        assertThat(client.post(room(roomId) + "/report", bob, "{\"reason\":\"the whole room\"}").status()).isEqualTo(200);
        assertThat(new ContentReportRepository().count(server.homeserver().database().dsl(), roomId)).isEqualTo(3);
    }

    @Test
    void nothingIsRevealedAndBadInputIsRefused() {
        String alice = server.registerToken("rep_alice2");
        String mallory = server.registerToken("rep_mallory2");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"private_chat\"}").text("room_id");
        String eventId = client.put(room(roomId) + "/send/m.room.message/r2", alice, Json.object().put("msgtype", "m.text").put("body", "x"))
                .text("event_id");
        Resp unseen = client.post(room(roomId) + "/report/" + TestClient.seg(eventId), mallory, "{\"reason\":\"?\"}");
        assertThat(unseen.status()).isEqualTo(404);
        assertThat(unseen.errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.post(room(roomId) + "/report/" + TestClient.seg("$nope"), alice, "{}").status()).isEqualTo(404);
        assertThat(client.post(room("!unknown:localhost") + "/report", alice, "{}").status()).isEqualTo(404);
        assertThat(client.post(room(roomId) + "/report/" + TestClient.seg(eventId), alice, "{\"score\":5}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(room(roomId) + "/report/" + TestClient.seg(eventId), alice, "{\"score\":\"-1\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(room(roomId) + "/report/" + TestClient.seg(eventId), alice, "{\"reason\":7}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(room(roomId) + "/report", alice, "[]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(room(roomId) + "/report", null, "{}").status()).isEqualTo(401);
        assertThat(new ContentReportRepository().count(server.homeserver().database().dsl(), roomId)).isZero();
    }
}
