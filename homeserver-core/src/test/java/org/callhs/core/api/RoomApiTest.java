package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** Creating rooms, sending, state, membership, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class RoomApiTest extends BackendSuite {
    private static String room(String token, String body) {
        Resp r = client.post("/_matrix/client/v3/createRoom", token, body);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("room_id");
    }

    private static String path(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    @Test
    void createRoomWritesThePresetStateInEveryVersion() {
        String token = server.registerToken("founder");
        for (String version : org.callhs.core.event.RoomVersion.supportedIds()) {
            String roomId = room(token, "{\"room_version\":\"" + version + "\",\"name\":\"Calls\",\"topic\":\"t\",\"preset\":\"public_chat\"}");
            if (version.equals("12")) assertThat(roomId).doesNotContain(":").startsWith("!");
            else assertThat(roomId).endsWith(":localhost");
            Resp state = client.get(path(roomId) + "/state", token);
            List<String> types = new ArrayList<>();
            state.body().forEach(e -> types.add(e.path("type").asText()));
            assertThat(types).contains("m.room.create", "m.room.member", "m.room.power_levels", "m.room.join_rules",
                    "m.room.history_visibility", "m.room.name", "m.room.topic");
            JsonNode create = client.get(path(roomId) + "/state/m.room.create", token).body();
            assertThat(create.path("room_version").asText()).isEqualTo(version);
            assertThat(client.get(path(roomId) + "/state/m.room.join_rules/", token).body().path("join_rule").asText()).isEqualTo("public");
            assertThat(client.get(path(roomId) + "/state/m.room.name", token).body().path("name").asText()).isEqualTo("Calls");
            JsonNode levels = client.get(path(roomId) + "/state/m.room.power_levels", token).body();
            assertThat(levels.path("users").has("@founder:localhost")).isEqualTo(!version.equals("12"));
        }
        assertThat(client.get("/_matrix/client/v3/joined_rooms", token).body().path("joined_rooms").size())
                .isEqualTo(org.callhs.core.event.RoomVersion.supportedIds().size());
        for (String old : List.of("1", "5", "13")) {
            Resp refused = client.post("/_matrix/client/v3/createRoom", token, Json.parse("{\"room_version\":\"" + old + "\"}"));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.text("errcode")).isEqualTo("M_UNSUPPORTED_ROOM_VERSION");
        }
    }

    @Test
    void aRefusedCreateRoomLeavesNoStateBehindForTheNextRoom() {
        String token = server.registerToken("refused-founder");
        // The create, member and power-level events are written (and their state groups) before the
        // initial state event is refused: the whole room rolls back, and the numbers it took are
        // handed out again to the next room, which must find only its own state under them.
        String refused = "{\"initial_state\":[{\"type\":\"org.example\",\"state_key\":\"@someone-else:localhost\","
                + "\"content\":{}}]}";
        assertThat(client.post("/_matrix/client/v3/createRoom", token, refused).status()).isEqualTo(403);
        String roomId = room(token, "{\"name\":\"after\"}");
        TestClient.Resp state = client.get("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/state", token);
        assertThat(state.status()).as(state.body().toString()).isEqualTo(200);
        for (com.fasterxml.jackson.databind.JsonNode event : state.body()) {
            assertThat(event.path("room_id").asText()).isEqualTo(roomId);
        }
        assertThat(client.get("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/state/m.room.name/", token).text("name"))
                .isEqualTo("after");
        // The state at a later event is read from the state groups: it is this room's.
        String message = client.put("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/send/m.room.message/after1", token,
                Json.object().put("msgtype", "m.text").put("body", "after")).text("event_id");
        TestClient.Resp context = client.get("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/context/"
                + TestClient.seg(message) + "?limit=0", token);
        assertThat(context.status()).as(context.body().toString()).isEqualTo(200);
        assertThat(context.body().path("state").size()).isGreaterThanOrEqualTo(4);
        for (com.fasterxml.jackson.databind.JsonNode event : context.body().path("state")) {
            assertThat(event.path("room_id").asText()).isEqualTo(roomId);
        }
        assertThat(client.get("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/members?at="
                + TestClient.seg(context.body().path("end").asText()), token).status()).isEqualTo(200);
    }

    @Test
    void sendsAreIdempotentPerTransactionAndReadable() {
        String token = server.registerToken("sender");
        String roomId = room(token, "{}");
        ObjectNode message = Json.object().put("msgtype", "m.text").put("body", "hello");
        Resp first = client.put(path(roomId) + "/send/m.room.message/txn1", token, message);
        Resp again = client.put(path(roomId) + "/send/m.room.message/txn1", token, message);
        assertThat(first.status()).isEqualTo(200);
        assertThat(again.text("event_id")).isEqualTo(first.text("event_id")).startsWith("$");
        Resp other = client.put(path(roomId) + "/send/m.room.message/txn2", token, message);
        assertThat(other.text("event_id")).isNotEqualTo(first.text("event_id"));

        JsonNode event = client.get(path(roomId) + "/event/" + TestClient.seg(first.text("event_id")), token).body();
        assertThat(event.path("content").path("body").asText()).isEqualTo("hello");
        assertThat(event.path("sender").asText()).isEqualTo("@sender:localhost");
        assertThat(event.path("room_id").asText()).isEqualTo(roomId);
        assertThat(event.path("unsigned").path("transaction_id").asText()).isEqualTo("txn1");
        assertThat(event.has("hashes")).isFalse();
        assertThat(event.has("auth_events")).isFalse();
        String otherDevice = client.login("sender", "password-sender", null).text("access_token");
        JsonNode seenElsewhere = client.get(path(roomId) + "/event/" + TestClient.seg(first.text("event_id")), otherDevice).body();
        assertThat(seenElsewhere.path("unsigned").has("transaction_id")).isFalse();
        assertThat(seenElsewhere.path("unsigned").has("age")).isTrue();
    }

    @Test
    void stateKeysMayContainSlashesAndBeEmpty() {
        String token = server.registerToken("stater");
        String roomId = room(token, "{}");
        String key = "_@stater:localhost_DEVICE/with/slash";
        assertThat(client.put(path(roomId) + "/state/org.example.thing/" + TestClient.seg(key), token, Json.object().put("a", 1)).status())
                .isEqualTo(200);
        assertThat(client.get(path(roomId) + "/state/org.example.thing/" + TestClient.seg(key), token).body().path("a").asInt()).isEqualTo(1);
        assertThat(client.put(path(roomId) + "/state/org.example.empty", token, Json.object().put("b", 2)).status()).isEqualTo(200);
        assertThat(client.get(path(roomId) + "/state/org.example.empty/", token).body().path("b").asInt()).isEqualTo(2);
        assertThat(client.get(path(roomId) + "/state/org.example.missing", token).errcode()).isEqualTo("M_NOT_FOUND");
        Resp event = client.get(path(roomId) + "/state/org.example.empty?format=event", token);
        assertThat(event.body().path("state_key").asText()).isEqualTo("");
    }

    @Test
    void membershipFollowsTheRules() {
        String owner = server.registerToken("owner");
        String guest = server.registerToken("visitor");
        String roomId = room(owner, "{\"preset\":\"private_chat\"}");
        Resp uninvited = client.post(path(roomId) + "/join", guest, Json.object());
        assertThat(uninvited.status()).isEqualTo(403);
        assertThat(uninvited.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.put(path(roomId) + "/send/m.room.message/t1", guest, Json.object().put("msgtype", "m.text").put("body", "x")).status()).isEqualTo(403);
        assertThat(client.get(path(roomId) + "/state", guest).status()).isEqualTo(403);

        assertThat(client.post(path(roomId) + "/invite", owner, Json.object().put("user_id", "@visitor:localhost")).status()).isEqualTo(200);
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(roomId), guest, Json.object()).text("room_id")).isEqualTo(roomId);
        JsonNode joined = client.get(path(roomId) + "/joined_members", owner).body().path("joined");
        assertThat(joined.has("@visitor:localhost")).isTrue();
        assertThat(joined.path("@visitor:localhost").path("display_name").asText()).isEqualTo("visitor");
        assertThat(client.put(path(roomId) + "/state/m.room.name", guest, Json.object().put("name", "mine")).status()).isEqualTo(403);

        assertThat(client.post(path(roomId) + "/kick", guest, Json.object().put("user_id", "@owner:localhost")).status()).isEqualTo(403);
        assertThat(client.post(path(roomId) + "/ban", owner, Json.object().put("user_id", "@visitor:localhost").put("reason", "spam"))
                .status()).isEqualTo(200);
        assertThat(client.post(path(roomId) + "/join", guest, Json.object()).status()).isEqualTo(403);
        assertThat(client.get(path(roomId) + "/members?membership=ban", owner).body().path("chunk").size()).isEqualTo(1);
        assertThat(client.get(path(roomId) + "/state", guest).status()).isEqualTo(200);
        assertThat(client.post(path(roomId) + "/unban", owner, Json.object().put("user_id", "@visitor:localhost")).status()).isEqualTo(200);
        assertThat(client.post(path(roomId) + "/unban", owner, Json.object().put("user_id", "@visitor:localhost")).status()).isEqualTo(403);
        assertThat(client.post(path(roomId) + "/leave", owner, Json.object()).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/joined_rooms", owner).body().path("joined_rooms").toString()).doesNotContain(roomId);
    }

    @Test
    void badInputGetsSpecErrors() {
        String token = server.registerToken("baddie");
        String roomId = room(token, "{}");
        assertThat(client.put(path("!nowhere:localhost") + "/send/m.room.message/t", token, Json.object()).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.put("/_matrix/client/v3/rooms/not-a-room/send/m.room.message/t", token, Json.object()).errcode())
                .isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(path(roomId) + "/send/m.room.message/t", token, "[1]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path(roomId) + "/send/m.room.message/t", token, "{\"x\": 1.5}").errcode()).isEqualTo("M_BAD_JSON");
        // Content checks for the event type, as Synapse makes them (before the authorization rules).
        assertThat(client.put(path(roomId) + "/send/m.room.message/nomsgtype", token, "{\"body\":\"x\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path(roomId) + "/send/m.room.message/intbody", token, "{\"body\":1,\"msgtype\":\"m.text\"}").status())
                .isEqualTo(400);
        assertThat(client.put(path(roomId) + "/state/m.room.topic", token, "{\"topic\":5}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path(roomId) + "/send/m.room.topic/t", token, "{\"topic\":\"x\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path(roomId) + "/state/m.room.member/@x:localhost", token, "{\"membership\":\"dance\"}").errcode())
                .isEqualTo("M_BAD_JSON");
        assertThat(client.post(path(roomId) + "/send/m.room.message", token, "{\"body\":\"posted\",\"msgtype\":\"m.text\"}").status())
                .isEqualTo(200);
        Resp huge = client.put(path(roomId) + "/send/m.room.message/big", token, Json.object().put("msgtype", "m.text").put("body", "x".repeat(70_000)));
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.errcode()).isEqualTo("M_TOO_LARGE");
        assertThat(client.put(path(roomId) + "/send/" + "t".repeat(300) + "/x", token, Json.object()).status()).isEqualTo(413);
        assertThat(client.post("/_matrix/client/v3/createRoom", token, "{\"room_version\":\"5\"}").errcode()).isEqualTo("M_UNSUPPORTED_ROOM_VERSION");
        assertThat(client.post("/_matrix/client/v3/createRoom", token, "{\"preset\":\"party\"}").status()).isEqualTo(400);
        assertThat(client.post("/_matrix/client/v3/createRoom", token, "{\"invite\":[\"nobody\"]}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.post("/_matrix/client/v3/createRoom", token, "{\"room_alias_name\":\"dup\"}").status()).isEqualTo(200);
        assertThat(client.post("/_matrix/client/v3/createRoom", token, "{\"room_alias_name\":\"dup\"}").errcode()).isEqualTo("M_ROOM_IN_USE");
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg("#dup:localhost"), token, Json.object()).status()).isEqualTo(200);
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg("#nope:localhost"), token, Json.object()).errcode())
                .isEqualTo("M_NOT_FOUND");
        assertThat(client.get(path(roomId) + "/event/" + TestClient.seg("$missing"), token).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get(path(roomId) + "/members?at=yesterday", token).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path("!nowhere:localhost") + "/state", token).errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.get(path("!nowhere:localhost") + "/joined_members", token).errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.post(path(roomId) + "/invite", token, Json.object().put("user_id", "not-a-user")).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.post(path(roomId) + "/kick", token, Json.object()).errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg("bogus"), token, Json.object()).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(path(roomId) + "/state/m.room.name", token, "\"text\"").errcode()).isEqualTo("M_BAD_JSON");
    }
}
