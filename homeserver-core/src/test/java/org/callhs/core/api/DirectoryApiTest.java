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

    /** m.room.canonical_alias: new aliases must exist and point at the room; deleting an alias takes it out of the event. */
    @Test
    void canonicalAliasesMustPointAtTheRoomAndADeletedAliasLeavesTheEvent() {
        String token = server.registerToken("canon");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{\"room_alias_name\":\"canon-main\"}").text("room_id");
        String otherRoom = client.post("/_matrix/client/v3/createRoom", token, "{\"room_alias_name\":\"canon-elsewhere\"}").text("room_id");
        assertThat(client.put(dir("#canon-alt:localhost"), token, Json.object().put("room_id", roomId)).status()).isEqualTo(200);
        String event = path(roomId) + "/state/m.room.canonical_alias/";

        assertThat(client.put(event, token, "{\"alias\":\"#canon-main:localhost\",\"alt_aliases\":[\"#canon-alt:localhost\"]}").status())
                .isEqualTo(200);
        Resp missing = client.put(event, token, "{\"alias\":\"#canon-nowhere:localhost\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errcode()).isEqualTo("M_BAD_ALIAS");
        assertThat(client.put(event, token, "{\"alias\":\"#canon-elsewhere:localhost\"}").errcode()).as("points at another room")
                .isEqualTo("M_BAD_ALIAS");
        assertThat(client.put(event, token, "{\"alias\":\"#canon-main:localhost\",\"alt_aliases\":[\"#canon-elsewhere:localhost\"]}")
                .errcode()).isEqualTo("M_BAD_ALIAS");
        assertThat(client.put(event, token, "{\"alias\":\"not-an-alias\"}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(event, token, "{\"alias\":5}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(event, token, "{\"alt_aliases\":\"#canon-alt:localhost\"}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(event, token, "{\"alt_aliases\":[5]}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(path(otherRoom) + "/state/m.room.canonical_alias/", token).text("alias")).isEqualTo("#canon-elsewhere:localhost");

        // Deleting the alt alias takes it out of the event; the main alias stays.
        assertThat(client.delete(dir("#canon-alt:localhost"), token, null).status()).isEqualTo(200);
        Resp after = client.get(event, token);
        assertThat(after.text("alias")).isEqualTo("#canon-main:localhost");
        assertThat(after.body().path("alt_aliases")).isEmpty();
        // An event without aliases is always fine; one that keeps an alias that no longer resolves is too (it was not added).
        assertThat(client.put(event, token, "{}").status()).isEqualTo(200);
    }

    /** {@code GET /room_summary/{roomIdOrAlias}}: public rooms to anyone, private ones to members and invitees only. */
    @Test
    void roomSummariesFollowTheRoomsOpennessAndTheRequestersMembership() {
        String owner = server.registerToken("summ_owner");
        String guest = server.registerToken("summ_invitee");
        String stranger = server.registerToken("summ_stranger");
        String open = client.post("/_matrix/client/v3/createRoom", owner,
                "{\"preset\":\"public_chat\",\"name\":\"Open call\",\"topic\":\"all welcome\",\"room_alias_name\":\"summ-open\"}")
                .text("room_id");
        String closed = client.post("/_matrix/client/v3/createRoom", owner,
                "{\"preset\":\"private_chat\",\"name\":\"Closed\",\"initial_state\":[{\"type\":\"m.room.encryption\",\"state_key\":\"\","
                        + "\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\"}}]}").text("room_id");
        String summary = "/_matrix/client/v1/room_summary/";

        Resp anonymous = client.get(summary + TestClient.seg("#summ-open:localhost"), null);
        assertThat(anonymous.status()).as(anonymous.body().toString()).isEqualTo(200);
        assertThat(anonymous.text("room_id")).isEqualTo(open);
        assertThat(anonymous.text("name")).isEqualTo("Open call");
        assertThat(anonymous.text("topic")).isEqualTo("all welcome");
        assertThat(anonymous.text("join_rule")).isEqualTo("public");
        assertThat(anonymous.body().path("num_joined_members").asInt()).isEqualTo(1);
        assertThat(anonymous.body().path("world_readable").isBoolean()).isTrue();
        assertThat(anonymous.body().path("guest_can_join").isBoolean()).isTrue();
        assertThat(anonymous.body().has("room_version")).isTrue();
        assertThat(anonymous.body().has("membership")).as("no membership without a token").isFalse();
        assertThat(client.get(summary + TestClient.seg(open), stranger).text("membership")).isEqualTo("leave");
        assertThat(client.get(summary + TestClient.seg(open), owner).text("membership")).isEqualTo("join");
        assertThat(client.get("/_matrix/client/unstable/im.nheko.summary/summary/" + TestClient.seg(open), null).text("room_id"))
                .isEqualTo(open);

        assertThat(client.get(summary + TestClient.seg(closed), null).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get(summary + TestClient.seg(closed), stranger).errcode()).as("reveals nothing").isEqualTo("M_NOT_FOUND");
        assertThat(client.post(path(closed) + "/invite", owner, "{\"user_id\":\"@summ_invitee:localhost\"}").status()).isEqualTo(200);
        Resp invited = client.get(summary + TestClient.seg(closed), guest);
        assertThat(invited.status()).isEqualTo(200);
        assertThat(invited.text("membership")).isEqualTo("invite");
        assertThat(invited.text("encryption")).isEqualTo("m.megolm.v1.aes-sha2");
        assertThat(invited.text("join_rule")).isEqualTo("invite");

        assertThat(client.get(summary + TestClient.seg("!unknown:localhost"), owner).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get(summary + TestClient.seg("#nothing-here:localhost"), owner).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get(summary + "not-a-room", owner).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(summary + TestClient.seg("#bad alias:localhost"), owner).errcode()).isEqualTo("M_INVALID_PARAM");
    }

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
