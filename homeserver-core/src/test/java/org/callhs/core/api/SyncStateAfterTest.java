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

/**
 * {@code use_state_after} (spec v1.16, MSC4222; matrix-js-sdk's unstable name): rooms carry
 * {@code state_after}, the state at the end of the timeline, instead of {@code state}; state
 * events also in the timeline are in it; changes outside the timeline (a gap, a filter) are too.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class SyncStateAfterTest extends BackendSuite {
    private static final String SYNC = "/_matrix/client/v3/sync";

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String q(String value) { return TestClient.seg(value); }

    private static List<String> keys(JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.path("type").asText() + "|" + e.path("state_key").asText()));
        return out;
    }

    private static String topic(String token, String roomId, String topic) {
        return client.put(room(roomId) + "/state/m.room.topic/", token, Json.object().put("topic", topic)).text("event_id");
    }

    private static void send(String token, String roomId, int n) {
        for (int i = 0; i < n; i++) {
            Resp sent = client.put(room(roomId) + "/send/m.room.message/t" + System.nanoTime(), token,
                    Json.object().put("msgtype", "m.text").put("body", "m" + i));
            assertThat(sent.status()).as(sent.body().toString()).isEqualTo(200);
        }
    }

    @Test
    void initialSyncCarriesTheWholeStateAsStateAfter() {
        String alice = server.registerToken("sa_alice1");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{\"name\":\"After\"}").text("room_id");
        JsonNode joined = client.get(SYNC + "?use_state_after=true", alice).body().path("rooms").path("join").path(roomId);
        assertThat(joined.has("state")).isFalse();
        assertThat(keys(joined.path("state_after").path("events"))).contains("m.room.create|", "m.room.name|",
                "m.room.power_levels|", "m.room.member|@sa_alice1:localhost");
        // The unstable parameter answers the unstable field, as matrix-js-sdk reads it.
        JsonNode unstable = client.get(SYNC + "?org.matrix.msc4222.use_state_after=true", alice).body().path("rooms").path("join")
                .path(roomId);
        assertThat(unstable.has("state")).isFalse();
        assertThat(keys(unstable.path("org.matrix.msc4222.state_after").path("events"))).contains("m.room.name|");
        // false is the classic state section.
        JsonNode classic = client.get(SYNC + "?use_state_after=false", alice).body().path("rooms").path("join").path(roomId);
        assertThat(classic.has("timeline")).isTrue();
        assertThat(classic.has("state_after")).isFalse();
    }

    @Test
    void aStateEventInTheTimelineIsAlsoInStateAfter() {
        String alice = server.registerToken("sa_alice2");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{}").text("room_id");
        String since = client.get(SYNC + "?use_state_after=true", alice).text("next_batch");
        String topicId = topic(alice, roomId, "new topic");
        JsonNode joined = client.get(SYNC + "?use_state_after=true&since=" + q(since), alice).body().path("rooms").path("join")
                .path(roomId);
        assertThat(joined.path("timeline").path("events").toString()).contains(topicId);
        JsonNode after = joined.path("state_after").path("events");
        assertThat(after.size()).isEqualTo(1);
        assertThat(after.get(0).path("event_id").asText()).isEqualTo(topicId);
        // A message alone: an empty state_after.
        String next = client.get(SYNC + "?use_state_after=true&since=" + q(since), alice).text("next_batch");
        send(alice, roomId, 1);
        JsonNode quiet = client.get(SYNC + "?use_state_after=true&since=" + q(next), alice).body().path("rooms").path("join")
                .path(roomId);
        assertThat(quiet.path("state_after").path("events").isEmpty()).isTrue();
    }

    @Test
    void changesOutsideTheTimelineAreInStateAfter() {
        String alice = server.registerToken("sa_alice3");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{}").text("room_id");
        String since = client.get(SYNC + "?use_state_after=true", alice).text("next_batch");
        // A gap: the topic change falls before a timeline of 3.
        String topicId = topic(alice, roomId, "gap topic");
        send(alice, roomId, 5);
        String filter = q("{\"room\":{\"timeline\":{\"limit\":3}}}");
        JsonNode gappy = client.get(SYNC + "?use_state_after=true&filter=" + filter + "&since=" + q(since), alice).body()
                .path("rooms").path("join").path(roomId);
        assertThat(gappy.path("timeline").path("limited").asBoolean()).as(gappy.toString()).isTrue();
        assertThat(gappy.path("timeline").path("events").toString()).doesNotContain(topicId);
        assertThat(gappy.path("state_after").path("events").toString()).contains(topicId);
        // A filter that hides the state event from the timeline.
        String hide = q("{\"room\":{\"timeline\":{\"not_types\":[\"m.room.topic\"]}}}");
        String next = client.get(SYNC + "?use_state_after=true&since=" + q(since), alice).text("next_batch");
        String secondTopic = topic(alice, roomId, "hidden topic");
        JsonNode hidden = client.get(SYNC + "?use_state_after=true&filter=" + hide + "&since=" + q(next), alice).body()
                .path("rooms").path("join").path(roomId);
        assertThat(hidden.path("timeline").path("events").toString()).doesNotContain(secondTopic);
        assertThat(hidden.path("state_after").path("events").toString()).contains(secondTopic);
    }

    @Test
    void lazyLoadedMembersAreTheTimelineSenders() {
        String alice = server.registerToken("sa_alice4");
        String bob = server.registerToken("sa_bob4");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(client.post(room(roomId) + "/join", bob, "{}").status()).isEqualTo(200);
        send(alice, roomId, 3);
        String lazy = q("{\"room\":{\"timeline\":{\"limit\":3},\"state\":{\"lazy_load_members\":true}}}");
        JsonNode joined = client.get(SYNC + "?use_state_after=true&filter=" + lazy, bob).body().path("rooms").path("join")
                .path(roomId);
        List<String> members = keys(joined.path("state_after").path("events")).stream().filter(k -> k.startsWith("m.room.member")).toList();
        assertThat(members).containsExactlyInAnyOrder("m.room.member|@sa_alice4:localhost", "m.room.member|@sa_bob4:localhost");
    }

    @Test
    void badValuesAreRefused() {
        String alice = server.registerToken("sa_alice5");
        Resp bad = client.get(SYNC + "?use_state_after=yes", alice);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?org.matrix.msc4222.use_state_after=1", alice).status()).isEqualTo(400);
    }
}
