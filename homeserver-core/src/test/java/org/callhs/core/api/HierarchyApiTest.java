package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code GET /rooms/{roomId}/hierarchy} (spaces), on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class HierarchyApiTest extends BackendSuite {
    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String hierarchy(String roomId) { return "/_matrix/client/v1/rooms/" + TestClient.seg(roomId) + "/hierarchy"; }

    private String create(String token, String body) {
        return client.post("/_matrix/client/v3/createRoom", token, body).text("room_id");
    }

    private void child(String token, String parent, String child, String content) {
        assertThat(client.put(room(parent) + "/state/m.space.child/" + TestClient.seg(child), token, content).status()).isEqualTo(200);
    }

    private static List<String> ids(Resp r) {
        List<String> ids = new ArrayList<>();
        for (JsonNode room : r.body().path("rooms")) ids.add(room.path("room_id").asText());
        return ids;
    }

    @Test
    void walksTheSpaceBreadthFirstInTheSpecsOrderAndSkipsWhatTheRequesterMayNotSee() {
        String owner = server.registerToken("hi_owner");
        String stranger = server.registerToken("hi_stranger");
        String space = create(owner, "{\"preset\":\"public_chat\",\"name\":\"Space\",\"creation_content\":{\"type\":\"m.space\"}}");
        String open = create(owner, "{\"preset\":\"public_chat\",\"name\":\"Open\"}");
        String hidden = create(owner, "{\"preset\":\"private_chat\",\"name\":\"Hidden\"}");
        String suggested = create(owner, "{\"preset\":\"public_chat\",\"name\":\"Suggested\"}");
        String grandchild = create(owner, "{\"preset\":\"public_chat\",\"name\":\"Grandchild\"}");
        String removed = create(owner, "{\"preset\":\"public_chat\",\"name\":\"Removed\"}");
        child(owner, space, hidden, "{\"via\":[\"localhost\"],\"order\":\"a\"}");
        child(owner, space, open, "{\"via\":[\"localhost\"],\"order\":\"b\"}");
        child(owner, space, suggested, "{\"via\":[\"localhost\"],\"suggested\":true}");
        child(owner, space, removed, "{}");
        child(owner, open, grandchild, "{\"via\":[\"localhost\"]}");

        Resp all = client.get(hierarchy(space), stranger);
        assertThat(all.status()).as(all.body().toString()).isEqualTo(200);
        assertThat(ids(all)).as("the private room is left out; ordered children first, then the rest; then the next level")
                .containsExactly(space, open, suggested, grandchild);
        JsonNode root = all.body().path("rooms").get(0);
        assertThat(root.path("room_type").asText()).isEqualTo("m.space");
        assertThat(root.path("name").asText()).isEqualTo("Space");
        List<String> childKeys = new ArrayList<>();
        root.path("children_state").forEach(c -> childKeys.add(c.path("state_key").asText()));
        assertThat(childKeys).as("children with a via, in order; the emptied one is gone").containsExactly(hidden, open, suggested);
        assertThat(root.path("children_state").get(0).path("origin_server_ts").isNumber()).isTrue();
        assertThat(root.path("children_state").get(0).has("event_id")).as("stripped").isFalse();
        assertThat(all.body().has("next_batch")).isFalse();

        assertThat(ids(client.get(hierarchy(space), owner))).as("the owner sees the private room").contains(hidden);
        assertThat(ids(client.get(hierarchy(space) + "?max_depth=0", stranger))).containsExactly(space);
        assertThat(ids(client.get(hierarchy(space) + "?max_depth=1", stranger))).containsExactly(space, open, suggested);
        assertThat(ids(client.get(hierarchy(space) + "?suggested_only=true", stranger))).containsExactly(space, suggested);

        Resp first = client.get(hierarchy(space) + "?limit=2", stranger);
        assertThat(ids(first)).containsExactly(space, open);
        String next = first.text("next_batch");
        Resp second = client.get(hierarchy(space) + "?limit=2&from=" + TestClient.seg(next), stranger);
        assertThat(ids(second)).containsExactly(suggested, grandchild);
        assertThat(second.body().has("next_batch")).isFalse();
        assertThat(client.get(hierarchy(space) + "?limit=2&max_depth=1&from=" + TestClient.seg(next), stranger).errcode())
                .as("a token of other parameters").isEqualTo("M_INVALID_PARAM");
    }

    @Test
    void aRoomTheRequesterMayNotSeeIsForbiddenAndBadParametersAreRefused() {
        String owner = server.registerToken("hi_owner2");
        String stranger = server.registerToken("hi_stranger2");
        String secret = create(owner, "{\"preset\":\"private_chat\",\"creation_content\":{\"type\":\"m.space\"}}");
        String open = create(owner, "{\"preset\":\"public_chat\"}");
        assertThat(client.get(hierarchy(secret), stranger).errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.get(hierarchy("!unknown:localhost"), stranger).errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.get(hierarchy(open), null).status()).isEqualTo(401);
        for (String bad : List.of("limit=x", "limit=-1", "limit=0", "max_depth=-1", "max_depth=deep", "suggested_only=maybe", "from=nonsense",
                "from=5_0")) {
            Resp r = client.get(hierarchy(open) + "?" + bad, owner);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errcode()).as(bad).isEqualTo("M_INVALID_PARAM");
        }
    }
}
