package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Membership and state as the spec and Synapse behave: joins carry the body's keys, joining or
 * setting state again unchanged creates no event, kicking someone who is not in the room is 403.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class MembershipConformanceApiTest extends BackendSuite {
    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String publicRoom(String token) {
        return client.post("/_matrix/client/v3/createRoom", token, "{\"preset\":\"public_chat\"}").text("room_id");
    }

    private static long memberEventsOf(String token, String roomId, String userId) {
        JsonNode chunk = client.get(room(roomId) + "/messages?dir=b&limit=100", token).body().path("chunk");
        long n = 0;
        for (JsonNode e : chunk) {
            if (e.path("type").asText().equals("m.room.member") && e.path("state_key").asText().equals(userId)) n++;
        }
        return n;
    }

    @Test
    void joinsCarryTheBodysKeysAndAnUnchangedJoinCreatesNoEvent() {
        String alice = server.registerToken("mc_alice1");
        String bob = server.registerToken("mc_bob1");
        String bobId = "@mc_bob1:localhost";
        String roomId = publicRoom(alice);
        assertThat(client.post(room(roomId) + "/join", bob, "{\"reason\":\"hello\",\"org.example.key\":42}").status()).isEqualTo(200);
        JsonNode member = client.get(room(roomId) + "/state/m.room.member/" + TestClient.seg(bobId), bob).body();
        assertThat(member.path("membership").asText()).isEqualTo("join");
        assertThat(member.path("reason").asText()).isEqualTo("hello");
        assertThat(member.path("org.example.key").asInt()).isEqualTo(42);
        assertThat(member.path("displayname").asText()).isEqualTo("mc_bob1");
        long before = memberEventsOf(alice, roomId, bobId);
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(roomId), bob, "{\"reason\":\"hello\",\"org.example.key\":42}")
                .status()).isEqualTo(200);
        assertThat(memberEventsOf(alice, roomId, bobId)).isEqualTo(before);
        // Other content is a new join event.
        assertThat(client.post(room(roomId) + "/join", bob, "{}").status()).isEqualTo(200);
        assertThat(memberEventsOf(alice, roomId, bobId)).isEqualTo(before + 1);
        Resp badReason = client.post(room(roomId) + "/join", bob, "{\"reason\":5}");
        assertThat(badReason.status()).isEqualTo(400);
    }

    @Test
    void joinedMembersLeaveOutUnsetFields() {
        String alice = server.registerToken("mc_alice4");
        String roomId = publicRoom(alice);
        JsonNode me = client.get(room(roomId) + "/joined_members", alice).body().path("joined").path("@mc_alice4:localhost");
        assertThat(me.path("display_name").asText()).isEqualTo("mc_alice4");
        assertThat(me.has("avatar_url")).isFalse();
    }

    @Test
    void joinedMembersIsForCurrentMembersAndMembersShowsFormerMembersTheRoomAsTheyLeftIt() {
        String alice = server.registerToken("mc_alice6");
        String bob = server.registerToken("mc_bob6");
        String carol = server.registerToken("mc_carol6");
        String roomId = publicRoom(alice);
        assertThat(client.post(room(roomId) + "/join", bob, "{}").status()).isEqualTo(200);
        assertThat(client.get(room(roomId) + "/joined_members", bob).body().path("joined").has("@mc_bob6:localhost")).isTrue();
        assertThat(client.post(room(roomId) + "/leave", bob, "{}").status()).isEqualTo(200);
        assertThat(client.post(room(roomId) + "/join", carol, "{}").status()).isEqualTo(200);
        var joined = client.get(room(roomId) + "/joined_members", bob);
        assertThat(joined.status()).isEqualTo(403);
        assertThat(joined.errcode()).isEqualTo("M_FORBIDDEN");
        JsonNode members = client.get(room(roomId) + "/members", bob).body().path("chunk");
        assertThat(client.get(room(roomId) + "/members?membership=joined", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(room(roomId) + "/members?not_membership=x", alice).status()).isEqualTo(400);
        assertThat(client.get(room(roomId) + "/members?membership=join", alice).status()).isEqualTo(200);
        assertThat(members.toString()).contains("@mc_bob6:localhost").doesNotContain("@mc_carol6:localhost");
    }

    @Test
    void settingTheSameStateAgainAnswersTheSameEvent() {
        String alice = server.registerToken("mc_alice2");
        String roomId = publicRoom(alice);
        String first = client.put(room(roomId) + "/state/m.room.topic/", alice, "{\"topic\":\"same\"}").text("event_id");
        String again = client.put(room(roomId) + "/state/m.room.topic/", alice, "{\"topic\":\"same\"}").text("event_id");
        assertThat(again).isEqualTo(first);
        String changed = client.put(room(roomId) + "/state/m.room.topic/", alice, "{\"topic\":\"other\"}").text("event_id");
        assertThat(changed).isNotEqualTo(first);
    }

    @Test
    void createRoomsTopicIsAlsoARichTextPlainTopic() {
        String alice = server.registerToken("mc_alice5");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice,
                "{\"topic\":\"param topic\",\"initial_state\":[{\"type\":\"m.room.topic\",\"state_key\":\"\",\"content\":{\"topic\":\"initial\"}}]}")
                .text("room_id");
        JsonNode topic = client.get(room(roomId) + "/state/m.room.topic/", alice).body();
        assertThat(topic.path("topic").asText()).isEqualTo("param topic");
        JsonNode block = topic.path("m.topic").path("m.text").get(0);
        assertThat(block.path("mimetype").asText()).isEqualTo("text/plain");
        assertThat(block.path("body").asText()).isEqualTo("param topic");
    }

    @Test
    void kickingSomeoneNotInTheRoomIsForbidden() {
        String alice = server.registerToken("mc_alice3");
        String bob = server.registerToken("mc_bob3");
        String roomId = publicRoom(alice);
        Resp never = client.post(room(roomId) + "/kick", alice, Json.object().put("user_id", "@mc_nobody3:localhost"));
        assertThat(never.status()).isEqualTo(403);
        assertThat(never.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.post(room(roomId) + "/join", bob, "{}").status()).isEqualTo(200);
        assertThat(client.post(room(roomId) + "/kick", alice, Json.object().put("user_id", "@mc_bob3:localhost")).status()).isEqualTo(200);
        Resp again = client.post(room(roomId) + "/kick", alice, Json.object().put("user_id", "@mc_bob3:localhost"));
        assertThat(again.status()).isEqualTo(403);
        Resp unknownRoom = client.post(room("!nope:localhost") + "/kick", alice, Json.object().put("user_id", "@mc_bob3:localhost"));
        assertThat(unknownRoom.status()).isEqualTo(404);
    }
}
