package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Directory, knock, forget, guest joins, prev_content and concurrent sends, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class DirectoryApiTest extends BackendSuite {
    private static String path(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String dir(String alias) { return "/_matrix/client/v3/directory/room/" + TestClient.seg(alias); }

    @Test
    void aliasesAndPublicRooms() {
        String token = server.registerToken("lister");
        String other = server.registerToken("unrelated");
        Resp created = client.post("/_matrix/client/v3/createRoom", token,
                "{\"visibility\":\"public\",\"name\":\"Standup call\",\"topic\":\"daily\",\"room_alias_name\":\"standup\"}");
        String roomId = created.text("room_id");
        assertThat(created.text("room_alias")).isEqualTo("#standup:localhost");
        assertThat(client.get(dir("#standup:localhost"), null).text("room_id")).isEqualTo(roomId);
        assertThat(client.put(dir("#second:localhost"), token, Json.object().put("room_id", roomId)).status()).isEqualTo(200);
        assertThat(client.put(dir("#second:localhost"), token, Json.object().put("room_id", roomId)).status()).isEqualTo(409);
        assertThat(client.put(dir("#x:elsewhere.org"), token, Json.object().put("room_id", roomId)).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(dir("no-hash"), token, Json.object().put("room_id", roomId)).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(dir("#ghost:localhost"), token, Json.object().put("room_id", "!ghost:localhost")).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get(path(roomId) + "/aliases", token).body().path("aliases").toString()).contains("#second:localhost", "#standup:localhost");
        assertThat(client.get(path(roomId) + "/aliases", other).status()).isEqualTo(403);
        assertThat(client.delete(dir("#second:localhost"), other, null).status()).isEqualTo(403);
        assertThat(client.delete(dir("#second:localhost"), token, null).status()).isEqualTo(200);
        assertThat(client.get(dir("#second:localhost"), null).errcode()).isEqualTo("M_NOT_FOUND");

        JsonNode rooms = client.get("/_matrix/client/v3/publicRooms?limit=50", null).body();
        JsonNode entry = null;
        for (JsonNode r : rooms.path("chunk")) if (r.path("room_id").asText().equals(roomId)) entry = r;
        assertThat(entry).isNotNull();
        assertThat(entry.path("name").asText()).isEqualTo("Standup call");
        assertThat(entry.path("num_joined_members").asInt()).isEqualTo(1);
        assertThat(entry.path("canonical_alias").asText()).isEqualTo("#standup:localhost");
        assertThat(client.post("/_matrix/client/v3/publicRooms", token, "{\"filter\":{\"generic_search_term\":\"STANDUP\"}}")
                .body().path("chunk").size()).isGreaterThanOrEqualTo(1);
        assertThat(client.post("/_matrix/client/v3/publicRooms", token, "{\"filter\":{\"generic_search_term\":\"zzzz\"}}")
                .body().path("chunk").size()).isZero();
        assertThat(client.get("/_matrix/client/v3/publicRooms?since=bogus", null).errcode()).isEqualTo("M_INVALID_PARAM");

        String list = "/_matrix/client/v3/directory/list/room/" + TestClient.seg(roomId);
        assertThat(client.get(list, null).text("visibility")).isEqualTo("public");
        assertThat(client.put(list, other, Json.object().put("visibility", "private")).status()).isEqualTo(403);
        assertThat(client.put(list, token, Json.object().put("visibility", "secret")).status()).isEqualTo(400);
        assertThat(client.put(list, token, Json.object().put("visibility", "private")).status()).isEqualTo(200);
        assertThat(client.get(list, null).text("visibility")).isEqualTo("private");
    }

    @Test
    void knockingNeedsAKnockRoomAndAnInviteLetsIn() {
        String owner = server.registerToken("doorkeeper");
        String knocker = server.registerToken("knocker");
        String closed = client.post("/_matrix/client/v3/createRoom", owner, "{}").text("room_id");
        assertThat(client.post("/_matrix/client/v3/knock/" + TestClient.seg(closed), knocker, Json.object()).status()).isEqualTo(403);
        String knockRoom = client.post("/_matrix/client/v3/createRoom", owner,
                "{\"initial_state\":[{\"type\":\"m.room.join_rules\",\"content\":{\"join_rule\":\"knock\"}}]}").text("room_id");
        assertThat(client.post("/_matrix/client/v3/knock/" + TestClient.seg(knockRoom), knocker, Json.object().put("reason", "hi")).status())
                .isEqualTo(200);
        assertThat(client.get(path(knockRoom) + "/members?membership=knock", owner).body().path("chunk").size()).isEqualTo(1);
        assertThat(client.post(path(knockRoom) + "/invite", owner, Json.object().put("user_id", "@knocker:localhost")).status()).isEqualTo(200);
        assertThat(client.post(path(knockRoom) + "/join", knocker, Json.object()).status()).isEqualTo(200);
        assertThat(client.post("/_matrix/client/v3/knock/" + TestClient.seg("#nowhere:localhost"), knocker, Json.object()).errcode())
                .isEqualTo("M_NOT_FOUND");
    }

    @Test
    void forgetOnlyAfterLeaving() {
        String token = server.registerToken("forgetful");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{}").text("room_id");
        assertThat(client.post(path(roomId) + "/forget", token, Json.object()).status()).isEqualTo(400);
        client.post(path(roomId) + "/leave", token, Json.object());
        assertThat(client.get(path(roomId) + "/messages?dir=b", token).status()).isEqualTo(200);
        assertThat(client.post(path(roomId) + "/forget", token, Json.object()).status()).isEqualTo(200);
        assertThat(client.post(path("!unknown:localhost") + "/forget", token, Json.object()).errcode()).isEqualTo("M_NOT_FOUND");
        // A forgotten room's history is no longer readable.
        var messages = client.get(path(roomId) + "/messages?dir=b", token);
        assertThat(messages.status()).isEqualTo(403);
        assertThat(messages.errcode()).isEqualTo("M_FORBIDDEN");
    }

    @Test
    void guestsJoinOnlyWhereGuestAccessAllows() {
        String owner = server.registerToken("host");
        String guest = client.post("/_matrix/client/v3/register?kind=guest", null, Json.object()).text("access_token");
        String privateRoom = client.post("/_matrix/client/v3/createRoom", owner, "{\"preset\":\"public_chat\"}").text("room_id");
        Resp refused = client.post(path(privateRoom) + "/join", guest, Json.object());
        assertThat(refused.status()).isEqualTo(403);
        String open = client.post("/_matrix/client/v3/createRoom", owner,
                "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":\"m.room.guest_access\",\"content\":{\"guest_access\":\"can_join\"}}]}")
                .text("room_id");
        assertThat(client.post(path(open) + "/join", guest, Json.object()).status()).isEqualTo(200);
    }

    @Test
    void stateEventsCarryPrevContent() {
        String token = server.registerToken("renamer");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{\"name\":\"first\"}").text("room_id");
        String second = client.put(path(roomId) + "/state/m.room.name", token, Json.object().put("name", "second")).text("event_id");
        JsonNode event = client.get(path(roomId) + "/event/" + TestClient.seg(second), token).body();
        assertThat(event.path("unsigned").path("prev_content").path("name").asText()).isEqualTo("first");
        assertThat(event.path("unsigned").path("replaces_state").asText()).startsWith("$");
    }

    @Test
    void concurrentSendsNeverForkTheRoom() throws Exception {
        String token = server.registerToken("racer");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{}").text("room_id");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Resp>> sends = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            sends.add(pool.submit(() -> client.put(path(roomId) + "/send/m.room.message/race" + n, token, Json.object().put("msgtype", "m.text").put("body", "r" + n))));
        }
        for (Future<Resp> f : sends) assertThat(f.get().status()).isEqualTo(200);
        pool.shutdown();
        List<JsonNode> pdus = new ArrayList<>();
        server.homeserver().database().dsl().fetch("SELECT pdu FROM events WHERE room_id = ? ORDER BY stream_ordering", roomId)
                .forEach(r -> pdus.add(Json.parse(r.get(0, String.class))));
        assertThat(pdus).hasSizeGreaterThan(40);
        for (int i = 1; i < pdus.size(); i++) {
            assertThat(pdus.get(i).path("prev_events").size()).isEqualTo(1);
            assertThat(pdus.get(i).path("depth").asLong()).isEqualTo(pdus.get(i - 1).path("depth").asLong() + 1);
        }
    }
}
