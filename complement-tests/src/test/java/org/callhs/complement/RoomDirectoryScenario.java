package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** Room aliases, the public room directory and a room's directory visibility. */
@HomeserverScenario
class RoomDirectoryScenario {

    private static final String PASSWORD = "room-directory-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, RoomDirectoryScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    private static CsApiClient newUser(String prefix) {
        return hs().client().register(Names.unique(prefix), PASSWORD);
    }

    private static String localAlias(String prefix) {
        return "#" + prefix + "-" + Names.random(8) + ":" + hs().serverName();
    }

    @Test
    void aliasesCanBeCreatedResolvedListedAndDeleted() {
        CsApiClient alice = newUser("aliaser");
        CsApiClient bob = newUser("outsider");
        String roomId = Rooms.create(alice, obj("preset", "private_chat"));
        String otherRoom = Rooms.create(alice, obj("preset", "private_chat"));
        String alias = localAlias("chat");
        String second = localAlias("chat2");

        alice.put(obj("room_id", roomId), "directory", "room", alias).assertOk();
        alice.put(obj("room_id", roomId), "directory", "room", second).assertOk();
        JsonNode resolved = hs().client().get("directory", "room", alias).assertOk();
        assertThat(resolved.path("room_id").asText()).isEqualTo(roomId);
        List<String> servers = new ArrayList<>();
        resolved.path("servers").forEach(s -> servers.add(s.asText()));
        assertThat(servers).as("servers in %s", resolved).contains(hs().serverName());
        assertThat(bob.get("directory", "room", alias).assertOk().path("room_id").asText()).isEqualTo(roomId);

        alice.put(obj("room_id", otherRoom), "directory", "room", alias).assertStatus(409);
        alice.put(obj("room_id", roomId), "directory", "room", alias).assertStatus(409);
        bob.put(obj("room_id", otherRoom), "directory", "room", alias).assertStatus(409);
        assertThat(alice.get("directory", "room", alias).assertOk().path("room_id").asText())
                .as("a refused PUT changes nothing").isEqualTo(roomId);

        List<String> aliases = new ArrayList<>();
        alice.get("rooms", roomId, "aliases").assertOk().path("aliases").forEach(a -> aliases.add(a.asText()));
        assertThat(aliases).containsExactlyInAnyOrder(alias, second);
        assertThat(alice.get("rooms", otherRoom, "aliases").assertOk().path("aliases")).isEmpty();
        bob.get("rooms", roomId, "aliases").assertError(403, "M_FORBIDDEN");

        bob.delete(null, "directory", "room", alias).assertError(403, "M_FORBIDDEN");
        alice.delete(null, "directory", "room", alias).assertOk();
        hs().client().get("directory", "room", alias).assertError(404, "M_NOT_FOUND");
        alice.delete(null, "directory", "room", alias).assertError(404, "M_NOT_FOUND");
        List<String> left = new ArrayList<>();
        alice.get("rooms", roomId, "aliases").assertOk().path("aliases").forEach(a -> left.add(a.asText()));
        assertThat(left).containsExactly(second);

        // A deleted alias is free again, for any room.
        bob.put(obj("room_id", otherRoom), "directory", "room", alias).assertOk();
        assertThat(hs().client().get("directory", "room", alias).assertOk().path("room_id").asText()).isEqualTo(otherRoom);
    }

    @Test
    void invalidAndUnknownAliases() {
        CsApiClient alice = newUser("badalias");
        String roomId = Rooms.create(alice, obj());
        hs().client().get("directory", "room", localAlias("never")).assertError(404, "M_NOT_FOUND");
        for (String bad : List.of("no-hash:" + hs().serverName(), "#no-colon", "#:" + hs().serverName(), "#a b:" + hs().serverName())) {
            CsResponse put = alice.put(obj("room_id", roomId), "directory", "room", bad);
            put.assertStatus(400);
            assertThat(put.errcode()).as("errcode of %s", put.describe()).isNotBlank();
            hs().client().get("directory", "room", bad).assertStatus(400);
        }
        alice.put(obj("room_id", roomId), "directory", "room", "#remote-" + Names.random(6) + ":elsewhere.example")
                .assertStatus(400);
        alice.put(obj(), "directory", "room", localAlias("noroom")).assertStatus(400);
    }

    /** Every room of {@code /publicRooms} paginated with {@code limit} (GET, or POST with a search term). */
    private static List<JsonNode> allPublicRooms(CsApiClient client, int limit, String searchTerm) {
        List<JsonNode> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String since = null;
        for (int page = 0; page < 1000; page++) {
            JsonNode body;
            if (searchTerm == null) {
                var request = client.request("GET", "publicRooms").query("limit", String.valueOf(limit));
                if (since != null) request.query("since", since);
                body = request.send().assertOk();
            } else {
                Map<String, Object> query = new LinkedHashMap<>(obj("limit", limit, "filter", obj("generic_search_term", searchTerm)));
                if (since != null) query.put("since", since);
                body = client.post(query, "publicRooms").assertOk();
            }
            assertThat(body.path("chunk").size()).as("page within limit %d: %s", limit, body).isLessThanOrEqualTo(limit);
            if (page > 0) assertThat(body.path("prev_batch").isTextual()).as("prev_batch on a later page: %s", body).isTrue();
            for (JsonNode room : body.path("chunk")) {
                assertThat(seen.add(room.path("room_id").asText())).as("room listed twice: %s", room).isTrue();
                all.add(room);
            }
            if (!body.path("next_batch").isTextual()) return all;
            since = body.path("next_batch").asText();
        }
        throw new AssertionError("publicRooms pagination does not end");
    }

    @Test
    void publicRoomsListsPublishedRoomsWithSearchAndPaging() {
        CsApiClient alice = newUser("publisher");
        CsApiClient bob = newUser("browser");
        String term = "orchid" + Names.random(6);
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            published.add(Rooms.create(alice, obj("visibility", "public", "preset", "public_chat",
                    "name", "The " + term + " room " + i, "topic", "Topic " + i)));
        }
        String byTopic = Rooms.create(alice, obj("visibility", "public", "name", "Unrelated", "topic", "about " + term + " too"));
        String aliasName = "dir-" + Names.random(8);
        String byAlias = Rooms.create(alice, obj("visibility", "public", "room_alias_name", aliasName + term));
        String unpublished = Rooms.create(alice, obj("visibility", "private", "preset", "public_chat", "name", "The " + term + " secret"));
        Rooms.join(bob, published.get(0));

        List<JsonNode> found = allPublicRooms(bob, 2, term);
        List<String> foundIds = found.stream().map(r -> r.path("room_id").asText()).toList();
        List<String> expected = new ArrayList<>(published);
        expected.add(byTopic);
        expected.add(byAlias);
        assertThat(foundIds).as("search on name, topic and alias").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(foundIds).doesNotContain(unpublished);

        JsonNode first = found.stream().filter(r -> r.path("room_id").asText().equals(published.get(0))).findFirst().orElseThrow();
        assertThat(first.path("name").asText()).isEqualTo("The " + term + " room 0");
        assertThat(first.path("topic").asText()).isEqualTo("Topic 0");
        assertThat(first.path("num_joined_members").asInt()).isEqualTo(2);
        assertThat(first.path("world_readable").isBoolean()).as("world_readable in %s", first).isTrue();
        assertThat(first.path("world_readable").asBoolean()).isFalse();
        assertThat(first.path("guest_can_join").asBoolean(true)).isFalse();
        assertThat(first.path("join_rule").asText("public")).isEqualTo("public");
        JsonNode aliased = found.stream().filter(r -> r.path("room_id").asText().equals(byAlias)).findFirst().orElseThrow();
        assertThat(aliased.path("canonical_alias").asText()).isEqualTo("#" + aliasName + term + ":" + hs().serverName());

        // GET, without a search term, pages through everything published.
        List<String> everything = allPublicRooms(hs().client(), 3, null).stream().map(r -> r.path("room_id").asText()).toList();
        assertThat(everything).containsAll(expected).doesNotContain(unpublished);

        JsonNode estimate = bob.post(obj("limit", 1, "filter", obj("generic_search_term", term)), "publicRooms").assertOk();
        assertThat(estimate.path("chunk")).hasSize(1);
        assertThat(estimate.path("next_batch").isTextual()).isTrue();
        if (estimate.has("total_room_count_estimate")) {
            assertThat(estimate.path("total_room_count_estimate").asInt()).isGreaterThanOrEqualTo(1);
        }
        assertThat(bob.post(obj("filter", obj("generic_search_term", "nomatch" + Names.random(10))), "publicRooms").assertOk()
                .path("chunk")).isEmpty();
    }

    @Test
    void directoryVisibilityCanBeReadAndChanged() {
        CsApiClient alice = newUser("lister");
        CsApiClient bob = newUser("notmod");
        String term = "vis" + Names.random(8);
        String roomId = Rooms.create(alice, obj("preset", "public_chat", "name", "Visible " + term));
        Rooms.join(bob, roomId);
        assertThat(hs().client().get("directory", "list", "room", roomId).assertOk().path("visibility").asText())
                .isEqualTo("private");
        assertThat(searchIds(bob, term)).isEmpty();

        alice.put(obj("visibility", "public"), "directory", "list", "room", roomId).assertOk();
        assertThat(hs().client().get("directory", "list", "room", roomId).assertOk().path("visibility").asText())
                .isEqualTo("public");
        assertThat(searchIds(bob, term)).containsExactly(roomId);

        bob.put(obj("visibility", "private"), "directory", "list", "room", roomId).assertError(403, "M_FORBIDDEN");
        assertThat(searchIds(bob, term)).containsExactly(roomId);

        alice.put(obj("visibility", "private"), "directory", "list", "room", roomId).assertOk();
        assertThat(alice.get("directory", "list", "room", roomId).assertOk().path("visibility").asText()).isEqualTo("private");
        assertThat(searchIds(bob, term)).isEmpty();

        String unknown = "!nosuchroom" + Names.random(8) + ":" + hs().serverName();
        hs().client().get("directory", "list", "room", unknown).assertError(404, "M_NOT_FOUND");
        alice.put(obj("visibility", "sideways"), "directory", "list", "room", roomId).assertStatus(400);
    }

    private static List<String> searchIds(CsApiClient client, String term) {
        return allPublicRooms(client, 10, term).stream().map(r -> r.path("room_id").asText()).toList();
    }
}
