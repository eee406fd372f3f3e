package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** /messages, /context, redactions and history visibility, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class HistoryApiTest extends BackendSuite {
    private static String path(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static List<String> bodies(JsonNode chunk) {
        List<String> out = new ArrayList<>();
        chunk.forEach(e -> { if (e.path("type").asText().equals("m.room.message")) out.add(e.path("content").path("body").asText()); });
        return out;
    }

    @Test
    void messagesPageBothWaysWithTokensAndFilters() {
        String token = server.registerToken("pager");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{}").text("room_id");
        for (int i = 0; i < 25; i++) {
            client.put(path(roomId) + "/send/m.room.message/m" + i, token, Json.object().put("msgtype", "m.text").put("body", "n" + i));
        }
        Resp newest = client.get(path(roomId) + "/messages?dir=b&limit=5", token);
        assertThat(bodies(newest.body().path("chunk"))).containsExactly("n24", "n23", "n22", "n21", "n20");
        Resp next = client.get(path(roomId) + "/messages?dir=b&limit=5&from=" + newest.text("end"), token);
        assertThat(bodies(next.body().path("chunk"))).containsExactly("n19", "n18", "n17", "n16", "n15");
        Resp forward = client.get(path(roomId) + "/messages?dir=f&limit=3&from=" + next.text("end"), token);
        assertThat(bodies(forward.body().path("chunk"))).containsExactly("n15", "n16", "n17");

        String filter = TestClient.seg("{\"types\":[\"m.room.message\"],\"limit\":4}");
        Resp filtered = client.get(path(roomId) + "/messages?dir=f&filter=" + filter, token);
        assertThat(filtered.body().path("chunk").size()).isEqualTo(4);
        assertThat(bodies(filtered.body().path("chunk"))).containsExactly("n0", "n1", "n2", "n3");

        Resp everything = client.get(path(roomId) + "/messages?dir=b&limit=1000", token);
        assertThat(everything.body().has("end")).isFalse();
        assertThat(everything.body().path("chunk").size()).isGreaterThan(25);

        String lazy = TestClient.seg("{\"lazy_load_members\":true}");
        Resp withMembers = client.get(path(roomId) + "/messages?dir=b&limit=2&filter=" + lazy, token);
        assertThat(withMembers.body().path("state").get(0).path("state_key").asText()).isEqualTo("@pager:localhost");

        assertThat(client.get(path(roomId) + "/messages?dir=sideways", token).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path(roomId) + "/messages?from=garbage", token).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path(roomId) + "/messages?limit=x", token).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path(roomId) + "/messages?filter=%7Bnope", token).errcode()).isEqualTo("M_INVALID_PARAM");
    }

    @Test
    void messagesAcceptASyncTokenAsFrom() {
        String token = server.registerToken("sincer");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{}").text("room_id");
        String since = client.get("/_matrix/client/v3/sync", token).text("next_batch");
        client.put(path(roomId) + "/send/m.room.message/after", token, Json.object().put("msgtype", "m.text").put("body", "after sync"));
        Resp page = client.get(path(roomId) + "/messages?dir=f&from=" + TestClient.seg(since), token);
        assertThat(bodies(page.body().path("chunk"))).containsExactly("after sync");
        assertThat(client.get(path(roomId) + "/messages?dir=f&from=typing.3", token).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path(roomId) + "/messages?dir=f&from=events.x", token).errcode()).isEqualTo("M_INVALID_PARAM");
    }

    @Test
    void contextSurroundsTheEvent() {
        String token = server.registerToken("contexter");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{}").text("room_id");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ids.add(client.put(path(roomId) + "/send/m.room.message/c" + i, token, Json.object().put("msgtype", "m.text").put("body", "c" + i)).text("event_id"));
        }
        Resp context = client.get(path(roomId) + "/context/" + TestClient.seg(ids.get(4)) + "?limit=4", token);
        assertThat(context.body().path("event").path("content").path("body").asText()).isEqualTo("c4");
        assertThat(bodies(context.body().path("events_before"))).containsExactly("c3", "c2");
        assertThat(bodies(context.body().path("events_after"))).containsExactly("c5", "c6");
        assertThat(context.body().path("state").size()).isGreaterThan(3);
        Resp after = client.get(path(roomId) + "/messages?dir=f&limit=2&from=" + context.text("end"), token);
        assertThat(bodies(after.body().path("chunk"))).containsExactly("c7", "c8");
        assertThat(client.get(path(roomId) + "/context/" + TestClient.seg("$nope"), token).errcode()).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void redactedEventsAreServedRedacted() {
        String owner = server.registerToken("redactor");
        String member = server.registerToken("redactee");
        String roomId = client.post("/_matrix/client/v3/createRoom", owner, "{\"preset\":\"public_chat\"}").text("room_id");
        client.post(path(roomId) + "/join", member, Json.object());
        String mine = client.put(path(roomId) + "/send/m.room.message/r1", member, Json.object().put("body", "oops").put("msgtype", "m.text"))
                .text("event_id");
        String theirs = client.put(path(roomId) + "/send/m.room.message/r2", owner, Json.object().put("msgtype", "m.text").put("body", "keep")).text("event_id");
        Resp forbidden = client.put(path(roomId) + "/redact/" + TestClient.seg(theirs) + "/x1", member, Json.object());
        assertThat(forbidden.status()).isEqualTo(403);
        Resp redaction = client.put(path(roomId) + "/redact/" + TestClient.seg(mine) + "/x2", member, Json.object().put("reason", "typo"));
        assertThat(redaction.status()).isEqualTo(200);
        assertThat(client.put(path(roomId) + "/redact/" + TestClient.seg(mine) + "/x2", member, Json.object()).text("event_id"))
                .isEqualTo(redaction.text("event_id"));
        JsonNode redacted = client.get(path(roomId) + "/event/" + TestClient.seg(mine), owner).body();
        assertThat(redacted.path("content").size()).isZero();
        assertThat(redacted.path("unsigned").path("redacted_because").path("event_id").asText()).isEqualTo(redaction.text("event_id"));
        JsonNode redactionEvent = client.get(path(roomId) + "/event/" + TestClient.seg(redaction.text("event_id")), owner).body();
        assertThat(redactionEvent.path("content").path("redacts").asText()).isEqualTo(mine);
        assertThat(client.put(path(roomId) + "/redact/" + TestClient.seg(theirs) + "/x3", owner, Json.object()).status()).isEqualTo(200);
        assertThat(client.put(path(roomId) + "/redact/" + TestClient.seg("$missing") + "/x4", owner, Json.object()).errcode())
                .isEqualTo("M_NOT_FOUND");
    }

    @Test
    void historyVisibilityLimitsWhatLaterMembersSee() {
        String owner = server.registerToken("historian");
        String late = server.registerToken("latecomer");
        String roomId = client.post("/_matrix/client/v3/createRoom", owner,
                "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":\"m.room.history_visibility\",\"content\":{\"history_visibility\":\"joined\"}}]}")
                .text("room_id");
        String before = client.put(path(roomId) + "/send/m.room.message/h1", owner, Json.object().put("msgtype", "m.text").put("body", "before")).text("event_id");
        client.post(path(roomId) + "/join", late, Json.object());
        assertThat(client.get(path(roomId) + "/event/" + TestClient.seg(before), late).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get(path(roomId) + "/event/" + TestClient.seg(before), owner).status()).isEqualTo(200);
        client.put(path(roomId) + "/send/m.room.message/h2", owner, Json.object().put("msgtype", "m.text").put("body", "after"));
        assertThat(bodies(client.get(path(roomId) + "/messages?dir=b&limit=50", late).body().path("chunk"))).containsExactly("after");
        assertThat(bodies(client.get(path(roomId) + "/messages?dir=b&limit=50", owner).body().path("chunk"))).containsExactly("after", "before");
        String stranger = server.registerToken("stranger");
        assertThat(client.get(path(roomId) + "/messages", stranger).status()).isEqualTo(403);
    }
}
