package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Simplified sliding sync (MSC4186) over HTTP on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class SlidingSyncApiTest extends BackendSuite {
    private static final String SSS = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";

    private static String path(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    private static String room(String token, String body) {
        Resp r = client.post("/_matrix/client/v3/createRoom", token, body);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("room_id");
    }

    private static String send(String token, String roomId, String body) {
        Resp r = client.put(path(roomId) + "/send/m.room.message/" + System.nanoTime(), token,
                Json.object().put("msgtype", "m.text").put("body", body));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("event_id");
    }

    private static String userId(String token) { return client.get("/_matrix/client/v3/account/whoami", token).text("user_id"); }

    /** One list "all" over rooms 0..end with the given timeline limit and required state pairs. */
    private static ObjectNode listBody(int end, int timelineLimit, String... requiredState) {
        ObjectNode body = Json.object();
        ObjectNode list = body.putObject("lists").putObject("all");
        list.putArray("ranges").addArray().add(0).add(end);
        list.put("timeline_limit", timelineLimit);
        ArrayNode required = list.putArray("required_state");
        for (int i = 0; i < requiredState.length; i += 2) required.addArray().add(requiredState[i]).add(requiredState[i + 1]);
        return body;
    }

    private static Resp post(String token, String pos, long timeout, Object body) {
        return client.post(SSS + "?timeout=" + timeout + (pos == null ? "" : "&pos=" + enc(pos)), token, body);
    }

    private static JsonNode sss(String token, String pos, Object body) {
        Resp r = post(token, pos, 0, body);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    private static List<String> ids(JsonNode events) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) out.add(e.path("event_id").asText());
        return out;
    }

    @Test
    void advertisesTheUnstableFeature() {
        assertThat(client.get("/_matrix/client/versions", null).body().path("unstable_features")
                .path("org.matrix.simplified_msc3575").asBoolean()).isTrue();
    }

    @Test
    void aNewConnectionListsRoomsNewestFirstWithTheirConfig() {
        String alice = server.registerToken("sss-list");
        String older = room(alice, "{\"name\":\"Older\"}");
        String newer = room(alice, "{\"name\":\"Newer\"}");
        String third = room(alice, "{}");
        String last = send(alice, older, "bump");
        JsonNode r = sss(alice, null, listBody(1, 2, "m.room.name", "", "m.room.member", "$ME"));
        assertThat(r.path("pos").asText()).isNotEmpty();
        assertThat(r.path("lists").path("all").path("count").asInt()).isEqualTo(3);
        assertThat(r.path("rooms").has(older)).isTrue();
        assertThat(r.path("rooms").has(third)).as("second newest").isTrue();
        assertThat(r.path("rooms").has(newer)).as("out of range").isFalse();
        JsonNode room = r.path("rooms").path(older);
        assertThat(room.path("initial").asBoolean()).isTrue();
        assertThat(room.path("name").asText()).isEqualTo("Older");
        assertThat(room.path("timeline")).hasSize(2);
        assertThat(room.path("timeline").get(1).path("event_id").asText()).isEqualTo(last);
        assertThat(room.path("timeline").get(1).has("room_id")).isFalse();
        assertThat(room.path("limited").asBoolean()).isTrue();
        assertThat(room.path("prev_batch").asText()).startsWith("s");
        assertThat(room.path("num_live").asInt()).isZero();
        assertThat(room.path("joined_count").asInt()).isEqualTo(1);
        assertThat(room.path("bump_stamp").asLong()).isPositive();
        assertThat(room.path("notification_count").isIntegralNumber()).isTrue();
        List<String> types = new ArrayList<>();
        room.path("required_state").forEach(e -> types.add(e.path("type").asText() + "|" + e.path("state_key").asText()));
        assertThat(types).containsExactlyInAnyOrder("m.room.name|", "m.room.member|" + userId(alice));
        JsonNode unnamed = r.path("rooms").path(third);
        assertThat(unnamed.has("name")).isFalse();
        assertThat(unnamed.path("heroes").isArray()).isTrue();
        // The returned prev_batch pages back through /messages.
        Resp back = client.get(path(older) + "/messages?dir=b&limit=5&from=" + enc(room.path("prev_batch").asText()), alice);
        assertThat(back.status()).isEqualTo(200);
        assertThat(ids(back.body().path("chunk"))).doesNotContain(last);
    }

    @Test
    void anIncrementalSyncSendsOnlyRoomsWithNews() {
        String alice = server.registerToken("sss-inc");
        String quiet = room(alice, "{}");
        String busy = room(alice, "{}");
        JsonNode first = sss(alice, null, listBody(9, 5));
        assertThat(first.path("rooms").has(quiet)).isTrue();
        String message = send(alice, busy, "news");
        JsonNode second = sss(alice, first.path("pos").asText(), listBody(9, 5));
        assertThat(second.path("rooms").has(quiet)).isFalse();
        JsonNode room = second.path("rooms").path(busy);
        assertThat(room.has("initial")).isFalse();
        assertThat(ids(room.path("timeline"))).containsExactly(message);
        assertThat(room.path("limited").asBoolean()).isFalse();
        assertThat(room.path("num_live").asInt()).isEqualTo(1);
        assertThat(second.path("lists").path("all").path("count").asInt()).isEqualTo(2);
        // Nothing new: no rooms at all.
        JsonNode third = sss(alice, second.path("pos").asText(), listBody(9, 5));
        assertThat(third.path("rooms")).isEmpty();
    }

    @Test
    void aRoomEnteringTheRangeComesWithItsTimeline() {
        String alice = server.registerToken("sss-missed");
        String a = room(alice, "{}");
        String b = room(alice, "{}");
        JsonNode first = sss(alice, null, listBody(0, 10));
        assertThat(first.path("rooms").has(b)).isTrue();
        String earlier = send(alice, a, "first");
        String top = send(alice, a, "a on top");
        JsonNode back = sss(alice, first.path("pos").asText(), listBody(0, 10));
        assertThat(back.path("rooms").has(b)).as("out of range now, and nothing new").isFalse();
        JsonNode room = back.path("rooms").path(a);
        assertThat(room.path("initial").asBoolean()).as("never sent before").isTrue();
        assertThat(ids(room.path("timeline"))).contains(earlier, top);
    }

    @Test
    void aLargerTimelineLimitResendsOlderEvents() {
        String alice = server.registerToken("sss-expand");
        String roomId = room(alice, "{}");
        send(alice, roomId, "1");
        send(alice, roomId, "2");
        JsonNode first = sss(alice, null, listBody(0, 1));
        assertThat(first.path("rooms").path(roomId).path("timeline")).hasSize(1);
        JsonNode second = sss(alice, first.path("pos").asText(), listBody(0, 3));
        JsonNode room = second.path("rooms").path(roomId);
        assertThat(room.path("unstable_expanded_timeline").asBoolean()).isTrue();
        assertThat(room.path("timeline")).hasSize(3);
    }

    @Test
    void requiredStateSendsOnlyWhatTheConnectionLacks() {
        String alice = server.registerToken("sss-state");
        String roomId = room(alice, "{\"name\":\"one\",\"topic\":\"t\"}");
        JsonNode first = sss(alice, null, listBody(0, 0, "m.room.name", ""));
        assertThat(first.path("rooms").path(roomId).path("required_state")).hasSize(1);
        // The config grows: the topic comes, the name does not come again.
        JsonNode second = sss(alice, first.path("pos").asText(), listBody(0, 0, "m.room.name", "", "m.room.topic", ""));
        JsonNode state = second.path("rooms").path(roomId).path("required_state");
        assertThat(state).hasSize(1);
        assertThat(state.get(0).path("type").asText()).isEqualTo("m.room.topic");
        client.put(path(roomId) + "/state/m.room.name", alice, "{\"name\":\"two\"}");
        JsonNode third = sss(alice, second.path("pos").asText(), listBody(0, 0, "m.room.name", "", "m.room.topic", ""));
        JsonNode room = third.path("rooms").path(roomId);
        assertThat(room.path("name").asText()).isEqualTo("two");
        assertThat(room.path("required_state")).hasSize(1);
        assertThat(room.path("required_state").get(0).path("content").path("name").asText()).isEqualTo("two");
        // All state with the wildcard.
        JsonNode all = sss(alice, null, listBody(0, 0, "*", "*"));
        assertThat(all.path("rooms").path(roomId).path("required_state").size()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void lazyMembersAreTheTimelineSenders() {
        String alice = server.registerToken("sss-lazy-a");
        String bob = server.registerToken("sss-lazy-b");
        String carol = server.registerToken("sss-lazy-c");
        String roomId = room(alice, "{\"preset\":\"public_chat\"}");
        client.post(path(roomId) + "/join", bob, "{}");
        client.post(path(roomId) + "/join", carol, "{}");
        send(bob, roomId, "from bob");
        JsonNode r = sss(alice, null, listBody(0, 1, "m.room.member", "$LAZY"));
        List<String> members = new ArrayList<>();
        r.path("rooms").path(roomId).path("required_state").forEach(e -> members.add(e.path("state_key").asText()));
        assertThat(members).containsExactly(userId(bob));
    }

    @Test
    void subscriptionsInvitesAndFilters() {
        String alice = server.registerToken("sss-sub-a");
        String bob = server.registerToken("sss-sub-b");
        String mine = room(alice, "{}");
        String bobs = room(bob, "{}");
        String invite = room(bob, "{\"invite\":[\"" + userId(alice) + "\"]}");
        ObjectNode body = listBody(0, 1);
        ObjectNode lists = (ObjectNode) body.get("lists");
        ((ObjectNode) lists.get("all")).putObject("filters").put("is_invite", false);
        ObjectNode invites = lists.putObject("invites");
        invites.putArray("ranges").addArray().add(0).add(9);
        invites.put("timeline_limit", 5);
        invites.putObject("filters").put("is_invite", true);
        body.putObject("room_subscriptions").putObject(bobs).put("timeline_limit", 1);
        JsonNode r = sss(alice, null, body);
        assertThat(r.path("lists").path("all").path("count").asInt()).isEqualTo(1);
        assertThat(r.path("lists").path("invites").path("count").asInt()).isEqualTo(1);
        assertThat(r.path("rooms").has(mine)).isTrue();
        assertThat(r.path("rooms").has(bobs)).as("no membership: no peeking").isFalse();
        JsonNode invited = r.path("rooms").path(invite);
        assertThat(invited.path("invite_state").isArray()).isTrue();
        List<String> types = new ArrayList<>();
        invited.path("invite_state").forEach(e -> types.add(e.path("type").asText()));
        assertThat(types).contains("m.room.create", "m.room.member");
        assertThat(invited.has("timeline")).isFalse();
        // A subscription works for a room out of every range.
        String other = room(alice, "{}");
        send(alice, mine, "keeps mine first");
        ObjectNode sub = listBody(0, 1);
        sub.putObject("room_subscriptions").putObject(other).put("timeline_limit", 1);
        assertThat(sss(alice, null, sub).path("rooms").has(other)).isTrue();
    }

    @Test
    void aKickedOrNewlyLeftRoomShowsTheLeave() {
        String alice = server.registerToken("sss-leave-a");
        String bob = server.registerToken("sss-leave-b");
        String roomId = room(alice, "{\"preset\":\"public_chat\"}");
        client.post(path(roomId) + "/join", bob, "{}");
        JsonNode first = sss(bob, null, listBody(9, 1, "m.room.member", "$ME"));
        assertThat(first.path("rooms").has(roomId)).isTrue();
        assertThat(client.post(path(roomId) + "/leave", bob, "{}").status()).isEqualTo(200);
        send(alice, roomId, "after bob left");
        JsonNode second = sss(bob, first.path("pos").asText(), listBody(9, 1, "m.room.member", "$ME"));
        JsonNode room = second.path("rooms").path(roomId);
        assertThat(room.path("required_state").get(0).path("content").path("membership").asText()).isEqualTo("leave");
        assertThat(room.path("timeline").get(0).path("type").asText()).as("the timeline stops at the leave").isEqualTo("m.room.member");
        // On a new connection a room the user left by themselves is gone; one they were kicked from stays.
        assertThat(sss(bob, null, listBody(9, 1)).path("rooms").has(roomId)).isFalse();
        String kicked = room(alice, "{\"preset\":\"public_chat\"}");
        client.post(path(kicked) + "/join", bob, "{}");
        client.post(path(kicked) + "/kick", alice, "{\"user_id\":\"" + userId(bob) + "\"}");
        assertThat(sss(bob, null, listBody(9, 1)).path("rooms").has(kicked)).isTrue();
    }

    @Test
    void aLongPollWaitsForNewsAndAnswersWhenItComes() throws Exception {
        String alice = server.registerToken("sss-poll");
        String roomId = room(alice, "{}");
        JsonNode first = sss(alice, null, listBody(0, 1));
        CompletableFuture<Resp> poll = CompletableFuture.supplyAsync(() -> post(alice, first.path("pos").asText(), 10_000, listBody(0, 1)));
        Thread.sleep(500);
        assertThat(poll).isNotDone();
        String message = send(alice, roomId, "wake up");
        Resp woken = poll.get(9, TimeUnit.SECONDS);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(ids(woken.body().path("rooms").path(roomId).path("timeline"))).containsExactly(message);
    }

    @Test
    void positionsAreTheConnectionsOwn() {
        String alice = server.registerToken("sss-pos-a");
        String bob = server.registerToken("sss-pos-b");
        room(alice, "{}");
        String p1 = sss(alice, null, listBody(0, 1)).path("pos").asText();
        Resp foreign = post(bob, p1, 0, listBody(0, 1));
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.errcode()).isEqualTo("M_UNKNOWN_POS");
        ObjectNode otherConn = listBody(0, 1).put("conn_id", "other");
        assertThat(post(alice, p1, 0, otherConn).errcode()).isEqualTo("M_UNKNOWN_POS");
        assertThat(sss(alice, p1, listBody(0, 1)).path("pos").asText()).isNotEqualTo(p1);
        assertThat(sss(alice, p1, listBody(0, 1)).path("pos").asText()).as("a retry of the same pos works").isNotEmpty();
        for (String bad : List.of("999999", "nonsense", "-1")) {
            Resp r = post(alice, bad, 0, listBody(0, 1));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errcode()).isEqualTo("M_UNKNOWN_POS");
        }
    }

    @Test
    void anOlderPositionIsForgottenOnceANewerOneIsUsed() {
        String alice = server.registerToken("sss-old");
        room(alice, "{}");
        String p1 = sss(alice, null, listBody(0, 1)).path("pos").asText();
        String p2 = sss(alice, p1, listBody(0, 1)).path("pos").asText();
        sss(alice, p2, listBody(0, 1));
        Resp old = post(alice, p1, 0, listBody(0, 1));
        assertThat(old.status()).isEqualTo(400);
        assertThat(old.errcode()).isEqualTo("M_UNKNOWN_POS");
    }

    @Test
    void extensionsToDeviceE2eeAndAccountData() {
        String alice = server.registerToken("sss-ext-a");
        String bob = server.registerToken("sss-ext-b");
        JsonNode who = client.get("/_matrix/client/v3/account/whoami", alice).body();
        String aliceId = who.path("user_id").asText();
        String device = who.path("device_id").asText();
        Resp sent = client.put("/_matrix/client/v3/sendToDevice/m.test/" + System.nanoTime(), bob,
                "{\"messages\":{\"" + aliceId + "\":{\"" + device + "\":{\"hello\":1}}}}");
        assertThat(sent.status()).isEqualTo(200);
        client.put("/_matrix/client/v3/user/" + enc(aliceId) + "/account_data/org.example.a", alice, "{\"x\":1}");
        ObjectNode body = Json.object();
        ObjectNode ext = body.putObject("extensions");
        ext.putObject("to_device").put("enabled", true);
        ext.putObject("e2ee").put("enabled", true);
        ext.putObject("account_data").put("enabled", true);
        ext.putObject("org.example.unknown").put("enabled", true);
        JsonNode first = sss(alice, null, body);
        JsonNode toDevice = first.path("extensions").path("to_device");
        assertThat(toDevice.path("events")).hasSize(1);
        assertThat(toDevice.path("events").get(0).path("content").path("hello").asInt()).isEqualTo(1);
        assertThat(first.path("extensions").path("e2ee").path("device_one_time_keys_count").isObject()).isTrue();
        List<String> types = new ArrayList<>();
        first.path("extensions").path("account_data").path("global").forEach(e -> types.add(e.path("type").asText()));
        assertThat(types).contains("org.example.a", "m.push_rules");
        assertThat(first.path("extensions").has("org.example.unknown")).isFalse();
        // Confirming with since deletes the message; nothing new comes.
        ((ObjectNode) ext.get("to_device")).put("since", toDevice.path("next_batch").asText());
        JsonNode second = sss(alice, first.path("pos").asText(), body);
        assertThat(second.path("extensions").path("to_device").path("events")).isEmpty();
        assertThat(second.path("extensions").has("account_data")).isFalse();
    }

    @Test
    void badInputGetsMatrixErrors() {
        String alice = server.registerToken("sss-bad");
        record Case(String body, String errcode) {}
        List<Case> cases = List.of(
                new Case("[1]", "M_BAD_JSON"),
                new Case("{\"lists\":[]}", "M_BAD_JSON"),
                new Case("{\"lists\":{\"a\":{\"ranges\":[[0,1]]}}}", "M_MISSING_PARAM"),
                new Case("{\"lists\":{\"a\":{\"timeline_limit\":1001}}}", "M_BAD_JSON"),
                new Case("{\"lists\":{\"a\":{\"timeline_limit\":-1}}}", "M_BAD_JSON"),
                new Case("{\"lists\":{\"a\":{\"timeline_limit\":1,\"ranges\":[[2,1]]}}}", "M_BAD_JSON"),
                new Case("{\"lists\":{\"a\":{\"timeline_limit\":1,\"ranges\":[[0]]}}}", "M_BAD_JSON"),
                new Case("{\"lists\":{\"a\":{\"timeline_limit\":1,\"required_state\":[[\"m.room.name\"]]}}}", "M_BAD_JSON"),
                new Case("{\"lists\":{\"a\":{\"timeline_limit\":1,\"filters\":{\"is_dm\":\"yes\"}}}}", "M_BAD_JSON"),
                new Case("{\"lists\":{\"a\":{\"timeline_limit\":1,\"filters\":{\"spaces\":[\"!s:x\"]}}}}", "M_INVALID_PARAM"),
                new Case("{\"lists\":{\"" + "x".repeat(65) + "\":{\"timeline_limit\":1}}}", "M_BAD_JSON"),
                new Case("{\"room_subscriptions\":{\"!r:x\":{}}}", "M_MISSING_PARAM"),
                new Case("{\"room_subscriptions\":{\"not-a-room\":{\"timeline_limit\":1}}}", "M_BAD_JSON"),
                new Case("{\"conn_id\":5}", "M_BAD_JSON"),
                new Case("{\"extensions\":{\"to_device\":{\"enabled\":true,\"since\":\"abc\"}}}", "M_INVALID_PARAM"),
                new Case("{\"extensions\":{\"to_device\":{\"enabled\":true,\"limit\":0}}}", "M_BAD_JSON"),
                new Case("{\"extensions\":{\"e2ee\":true}}", "M_BAD_JSON"));
        for (Case c : cases) {
            Resp r = client.post(SSS, alice, c.body());
            assertThat(r.status()).as(c.body()).isEqualTo(400);
            assertThat(r.errcode()).as(c.body()).isEqualTo(c.errcode());
        }
        Resp notJson = client.call("POST", SSS, alice, "{not json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.errcode()).isEqualTo("M_NOT_JSON");
        for (String timeout : List.of("-1", "soon")) {
            Resp r = client.post(SSS + "?timeout=" + timeout, alice, "{}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errcode()).isEqualTo("M_INVALID_PARAM");
        }
        assertThat(client.post(SSS, null, "{}").status()).isEqualTo(401);
    }
}
