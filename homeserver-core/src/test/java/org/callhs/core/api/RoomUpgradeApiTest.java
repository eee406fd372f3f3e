package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code POST /rooms/{roomId}/upgrade} and room tags, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class RoomUpgradeApiTest extends BackendSuite {
    private static final AtomicInteger TXN = new AtomicInteger();

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String user(String localpart) { return "@" + localpart + ":localhost"; }

    private JsonNode state(String token, String roomId, String type, String key) {
        Resp r = client.get(room(roomId) + "/state/" + type + "/" + TestClient.seg(key), token);
        assertThat(r.status()).as(type + " " + r.body()).isEqualTo(200);
        return r.body();
    }

    private Resp say(String token, String roomId, String body) {
        return client.put(room(roomId) + "/send/m.room.message/u" + TXN.incrementAndGet(), token,
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}");
    }

    private Resp upgrade(String token, String roomId, String body) {
        return client.post(room(roomId) + "/upgrade", token, body);
    }

    @Test
    void anUpgradeMovesTheRoomAndItsPeopleAndSettings() {
        String alice = server.registerToken("upg_alice");
        String bob = server.registerToken("upg_bob");
        String carol = server.registerToken("upg_carol");
        server.registerToken("upg_dave");
        String oldRoom = client.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"public_chat\",\"visibility\":\"public\","
                + "\"room_alias_name\":\"upgraded\",\"name\":\"Old name\",\"topic\":\"Old topic\",\"room_version\":\"10\","
                + "\"creation_content\":{\"m.federate\":true}}").text("room_id");
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(oldRoom), bob, "{}").status()).isEqualTo(200);
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(oldRoom), carol, "{}").status()).isEqualTo(200);
        assertThat(client.post(room(oldRoom) + "/ban", alice, "{\"user_id\":\"" + user("upg_carol") + "\",\"reason\":\"spam\"}").status())
                .isEqualTo(200);
        assertThat(client.post(room(oldRoom) + "/invite", alice, "{\"user_id\":\"" + user("upg_dave") + "\"}").status()).isEqualTo(200);
        assertThat(say(alice, oldRoom, "history before the upgrade mentions walruses").status()).isEqualTo(200);
        assertThat(client.put("/_matrix/client/v3/pushrules/global/room/" + TestClient.seg(oldRoom), alice,
                "{\"actions\":[]}").status()).isEqualTo(200);
        assertThat(client.put("/_matrix/client/v3/pushrules/global/override/mute-old", bob, "{\"actions\":[],\"conditions\":"
                + "[{\"kind\":\"event_match\",\"key\":\"room_id\",\"pattern\":\"" + oldRoom + "\"}]}").status()).isEqualTo(200);
        String tags = "/_matrix/client/v3/user/" + TestClient.seg(user("upg_alice")) + "/rooms/";
        assertThat(client.put(tags + TestClient.seg(oldRoom) + "/tags/m.favourite", alice, "{\"order\":0.25}").status()).isEqualTo(200);

        int roomsBefore = server.homeserver().database().dsl().fetchCount(server.homeserver().database().dsl().selectFrom("rooms"));
        assertThat(upgrade(bob, oldRoom, "{\"new_version\":\"11\"}").errcode()).as("bob may not send a tombstone").isEqualTo("M_FORBIDDEN");
        assertThat(server.homeserver().database().dsl().fetchCount(server.homeserver().database().dsl().selectFrom("rooms")))
                .as("a refused upgrade makes no room").isEqualTo(roomsBefore);
        Resp upgraded = upgrade(alice, oldRoom, "{\"new_version\":\"11\"}");
        assertThat(upgraded.status()).as(upgraded.body().toString()).isEqualTo(200);
        String newRoom = upgraded.text("replacement_room");
        assertThat(newRoom).isNotEqualTo(oldRoom);

        JsonNode tombstone = state(alice, oldRoom, "m.room.tombstone", "");
        assertThat(tombstone.path("replacement_room").asText()).isEqualTo(newRoom);
        assertThat(say(bob, oldRoom, "still here?").errcode()).as("the old room is closed to ordinary members").isEqualTo("M_FORBIDDEN");
        assertThat(state(alice, oldRoom, "m.room.canonical_alias", "").has("alias")).isFalse();

        JsonNode create = state(alice, newRoom, "m.room.create", "");
        assertThat(create.path("room_version").asText()).isEqualTo("11");
        assertThat(create.path("predecessor").path("room_id").asText()).isEqualTo(oldRoom);
        assertThat(create.path("predecessor").path("event_id").asText()).startsWith("$");
        assertThat(create.path("m.federate").asBoolean()).isTrue();
        assertThat(state(alice, newRoom, "m.room.name", "").path("name").asText()).isEqualTo("Old name");
        assertThat(state(alice, newRoom, "m.room.topic", "").path("topic").asText()).isEqualTo("Old topic");
        assertThat(state(alice, newRoom, "m.room.join_rules", "").path("join_rule").asText()).isEqualTo("public");
        assertThat(state(alice, newRoom, "m.room.member", user("upg_carol")).path("membership").asText()).isEqualTo("ban");
        assertThat(state(alice, newRoom, "m.room.member", user("upg_carol")).path("reason").asText()).isEqualTo("spam");
        assertThat(state(alice, newRoom, "m.room.member", user("upg_dave")).path("membership").asText()).isEqualTo("invite");
        assertThat(state(alice, newRoom, "m.room.power_levels", "").path("users").path(user("upg_alice")).asInt()).isEqualTo(100);
        assertThat(state(alice, newRoom, "m.room.canonical_alias", "").path("alias").asText()).isEqualTo("#upgraded:localhost");
        assertThat(client.get("/_matrix/client/v3/directory/room/" + TestClient.seg("#upgraded:localhost"), alice).text("room_id"))
                .isEqualTo(newRoom);
        String listed = client.get("/_matrix/client/v3/publicRooms", alice).body().toString();
        assertThat(listed).contains(newRoom).doesNotContain(oldRoom);

        assertThat(client.get("/_matrix/client/v3/pushrules/global/room/" + TestClient.seg(newRoom), alice).status())
                .as("the upgrader's room rule came along").isEqualTo(200);
        assertThat(client.get(tags + TestClient.seg(newRoom) + "/tags", alice).body().path("tags").path("m.favourite").path("order")
                .asDouble()).isEqualTo(0.25);
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(newRoom), bob, "{}").status()).isEqualTo(200);
        JsonNode bobsRule = client.get("/_matrix/client/v3/pushrules/global/override/mute-old." + TestClient.seg(newRoom), bob).body();
        assertThat(bobsRule.path("conditions").get(0).path("pattern").asText()).as("a later joiner's rule came along").isEqualTo(newRoom);

        JsonNode found = client.post("/_matrix/client/v3/search", bob, "{\"search_categories\":{\"room_events\":{\"search_term\":"
                + "\"walruses\",\"filter\":{\"rooms\":[\"" + newRoom + "\"]}}}}").body().path("search_categories").path("room_events");
        assertThat(found.path("results").size()).as("search takes in the predecessor").isEqualTo(1);
        assertThat(found.path("results").get(0).path("result").path("room_id").asText()).isEqualTo(oldRoom);
    }

    @Test
    void upgradesIntoAndOutOfVersion12PlaceTheCreatorsAsEachVersionNeeds() {
        String alice = server.registerToken("upg12_alice");
        String bob = server.registerToken("upg12_bob");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"private_chat\",\"room_version\":\"11\"}")
                .text("room_id");
        Resp up = upgrade(alice, roomId, "{\"new_version\":\"12\",\"additional_creators\":[\"" + user("upg12_bob") + "\"]}");
        assertThat(up.status()).as(up.body().toString()).isEqualTo(200);
        String v12 = up.text("replacement_room");
        JsonNode create = state(alice, v12, "m.room.create", "");
        assertThat(create.path("room_version").asText()).isEqualTo("12");
        assertThat(create.path("additional_creators").toString()).contains(user("upg12_bob"));
        JsonNode users = state(alice, v12, "m.room.power_levels", "").path("users");
        assertThat(users.has(user("upg12_alice"))).as("creators are not listed in v12").isFalse();
        assertThat(users.has(user("upg12_bob"))).isFalse();

        Resp down = upgrade(alice, v12, "{\"new_version\":\"11\"}");
        assertThat(down.status()).as(down.body().toString()).isEqualTo(200);
        JsonNode usersAfter = state(alice, down.text("replacement_room"), "m.room.power_levels", "").path("users");
        assertThat(usersAfter.path(user("upg12_alice")).asInt()).isEqualTo(100);
        assertThat(usersAfter.path(user("upg12_bob")).asInt()).as("v12's creators keep their power").isEqualTo(100);
        assertThat(bob).isNotNull();
    }

    @Test
    void badUpgradeRequestsGetClearErrors() {
        String alice = server.registerToken("upgbad_alice");
        String stranger = server.registerToken("upgbad_stranger");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{}").text("room_id");
        assertThat(upgrade(alice, roomId, "{}").errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(upgrade(alice, roomId, "{\"new_version\":\"99\"}").errcode()).isEqualTo("M_UNSUPPORTED_ROOM_VERSION");
        assertThat(upgrade(alice, roomId, "{\"new_version\":12}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(upgrade(alice, roomId, "{\"new_version\":\"12\",\"additional_creators\":\"x\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(upgrade(alice, roomId, "{\"new_version\":\"12\",\"additional_creators\":[\"bob\"]}").errcode())
                .isEqualTo("M_INVALID_PARAM");
        assertThat(upgrade(stranger, roomId, "{\"new_version\":\"11\"}").errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(upgrade(alice, "!nowhere:localhost", "{\"new_version\":\"11\"}").errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.post(room(roomId) + "/upgrade", alice, null).errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.get(room(roomId), alice).status()).isNotEqualTo(500);
    }

    @Test
    void tagsAreSetReadAndRemoved() {
        String alice = server.registerToken("tag_alice");
        String bob = server.registerToken("tag_bob");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{}").text("room_id");
        String tags = "/_matrix/client/v3/user/" + TestClient.seg(user("tag_alice")) + "/rooms/" + TestClient.seg(roomId) + "/tags";
        assertThat(client.get(tags, alice).body().path("tags").size()).isZero();
        assertThat(client.put(tags + "/m.favourite", alice, "{\"order\":0.5}").status()).isEqualTo(200);
        assertThat(client.put(tags + "/u.work", alice, "{}").status()).isEqualTo(200);
        JsonNode got = client.get(tags, alice).body().path("tags");
        assertThat(got.path("m.favourite").path("order").asDouble()).isEqualTo(0.5);
        assertThat(got.has("u.work")).isTrue();
        assertThat(client.delete(tags + "/u.work", alice, null).status()).isEqualTo(200);
        assertThat(client.delete(tags + "/never.set", alice, null).status()).isEqualTo(200);
        assertThat(client.get(tags, alice).body().path("tags").has("u.work")).isFalse();
        JsonNode sync = client.get("/_matrix/client/v3/sync", alice).body().path("rooms").path("join").path(roomId).path("account_data");
        List<String> types = new ArrayList<>();
        sync.path("events").forEach(e -> types.add(e.path("type").asText()));
        assertThat(types).contains("m.tag");
        assertThat(client.put(tags + "/x", alice, "{\"order\":\"first\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(tags + "/x", bob, "{}").errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.get(tags, bob).errcode()).isEqualTo("M_FORBIDDEN");
    }

    @Test
    void version12RoomsAreMadeAsTheSpecSaysAndMalformedRequestsAre400() {
        String alice = server.registerToken("v12_alice");
        String bob = server.registerToken("v12_bob");
        Resp made = client.post("/_matrix/client/v3/createRoom", alice, "{\"room_version\":\"12\",\"preset\":\"public_chat\","
                + "\"creation_content\":{\"additional_creators\":[\"" + user("v12_bob") + "\"]}}");
        assertThat(made.status()).as(made.body().toString()).isEqualTo(200);
        String roomId = made.text("room_id");
        JsonNode pl = state(alice, roomId, "m.room.power_levels", "");
        assertThat(pl.path("events").path("m.room.tombstone").asInt()).as("above state_default").isEqualTo(150);
        assertThat(pl.path("users").has(user("v12_alice"))).as("creators are not listed").isFalse();
        assertThat(state(alice, roomId, "m.room.create", "").path("additional_creators").get(0).asText()).isEqualTo(user("v12_bob"));

        Resp listed = client.put(room(roomId) + "/state/m.room.power_levels", alice,
                "{\"users\":{\"" + user("v12_alice") + "\":100},\"events\":{\"m.room.tombstone\":150}}");
        assertThat(listed.status()).as("a power-levels event listing a creator is malformed in v12").isEqualTo(400);
        assertThat(listed.errcode()).isEqualTo("M_BAD_JSON");
        Resp secondCreate = client.put(room(roomId) + "/state/m.room.create", alice, "{\"room_version\":\"12\"}");
        assertThat(secondCreate.status()).isEqualTo(400);
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(roomId), bob, "{}").status()).isEqualTo(200);
        assertThat(client.put(room(roomId) + "/state/m.room.power_levels", bob, "{\"users\":{}}").status())
                .as("bob is an additional creator").isEqualTo(200);

        for (String bad : List.of("\"creation_content\":{\"additional_creators\":\"" + user("v12_bob") + "\"}",
                "\"creation_content\":{\"additional_creators\":[5]}",
                "\"power_level_content_override\":{\"users\":{\"" + user("v12_alice") + "\":100}}")) {
            Resp r = client.post("/_matrix/client/v3/createRoom", alice, "{\"room_version\":\"12\"," + bad + "}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errcode()).as(bad).isEqualTo("M_BAD_JSON");
        }
        Resp secondCreateAtStart = client.post("/_matrix/client/v3/createRoom", alice,
                "{\"room_version\":\"12\",\"initial_state\":[{\"type\":\"m.room.create\",\"state_key\":\"\",\"content\":{}}]}");
        assertThat(secondCreateAtStart.status()).isEqualTo(400);
        assertThat(secondCreateAtStart.errcode()).isEqualTo("M_INVALID_PARAM");
        Resp notUser = client.post("/_matrix/client/v3/createRoom", alice,
                "{\"room_version\":\"12\",\"creation_content\":{\"additional_creators\":[\"bob\"]}}");
        assertThat(notUser.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(state(alice, client.post("/_matrix/client/v3/createRoom", alice, "{\"room_version\":\"11\"}").text("room_id"),
                "m.room.power_levels", "").path("events").path("m.room.tombstone").asInt()).isEqualTo(100);
    }
}
