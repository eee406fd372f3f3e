package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sliding sync extension {@code org.matrix.msc4354.sticky_events} on SQLite and PostgreSQL:
 * the cases of Synapse's {@code test_extension_sticky_events.py}, the join backlog Synapse
 * leaves out, and bad input.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class StickySlidingSyncTest extends StickyEventsSuite {
    static final String SSS = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";
    static final String EXT = "org.matrix.msc4354.sticky_events";

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend);
    }

    /** A body with one list over the first {@code rangeEnd + 1} rooms and the extension. */
    static ObjectNode body(int rangeEnd, int timelineLimit, Integer limit, String since) {
        ObjectNode body = Json.object();
        ObjectNode list = body.putObject("lists").putObject("main");
        list.putArray("ranges").addArray().add(0).add(rangeEnd);
        list.putArray("required_state");
        list.put("timeline_limit", timelineLimit);
        ObjectNode ext = body.putObject("extensions").putObject(EXT).put("enabled", true);
        if (limit != null) ext.put("limit", limit);
        if (since != null) ext.put("since", since);
        return body;
    }

    static ObjectNode dummy() { return body(0, 0, null, null); }

    static JsonNode sss(String token, String pos, ObjectNode body) {
        return sss(token, pos, body, 0);
    }

    static JsonNode sss(String token, String pos, ObjectNode body, long timeoutMs) {
        Resp r = client.post(SSS + "?timeout=" + timeoutMs + (pos == null ? "" : "&pos=" + enc(pos)), token, body);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    /** The extension as room → event IDs, or null when absent; checks the shape Synapse's tests check. */
    static Map<String, List<String>> extension(JsonNode response) {
        JsonNode ext = response.path("extensions").path(EXT);
        if (ext.isMissingNode()) return null;
        assertThat(ext.path("next_batch").isTextual()).isTrue();
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        ext.path("rooms").fields().forEachRemaining(room -> {
            for (JsonNode event : room.getValue().path("events")) {
                assertThat(event.path("unsigned").path(TTL).isIntegralNumber()).as("TTL on " + event).isTrue();
                assertThat(event.has("room_id")).isFalse();
            }
            out.put(room.getKey(), ids(room.getValue().path("events")));
        });
        return out;
    }

    static String nextBatch(JsonNode response) {
        return response.path("extensions").path(EXT).path("next_batch").asText();
    }

    static String userId(String token) {
        return client.get("/_matrix/client/v3/account/whoami", token).text("user_id");
    }

    @Test
    void emptySyncHasNoExtension() {
        String alice = server.registerToken("sss-empty");
        room(alice);
        JsonNode first = sss(alice, null, dummy());
        assertThat(extension(first)).isNull();
        assertThat(extension(sss(alice, first.path("pos").asText(), dummy()))).isNull();
    }

    @Test
    void initialSyncThenSinceThenANewEvent() {
        String alice = server.registerToken("sss-init-a");
        String bob = server.registerToken("sss-init-b");
        String roomId = room(bob, alice);
        String s1 = sendSticky(bob, roomId, 300_000, "s1");
        JsonNode first = sss(alice, null, dummy());
        assertThat(extension(first)).isEqualTo(Map.of(roomId, List.of(s1)));
        ObjectNode again = body(0, 0, null, nextBatch(first));
        assertThat(extension(sss(alice, null, again))).isNull();
        String s2 = sendSticky(alice, roomId, 300_000, "s2");
        assertThat(extension(sss(alice, null, again))).isEqualTo(Map.of(roomId, List.of(s2)));
    }

    @Test
    void expiredEventsAreNotReturned() {
        String alice = server.registerToken("sss-exp");
        String roomId = room(alice);
        String s = sendSticky(alice, roomId, 2_000, "short");
        assertThat(extension(sss(alice, null, dummy()))).isEqualTo(Map.of(roomId, List.of(s)));
        clock.advance(3_000);
        assertThat(extension(sss(alice, null, dummy()))).isNull();
    }

    @Test
    void aLongPollEndsWhenAStickyEventArrives() throws Exception {
        String alice = server.registerToken("sss-wait-a");
        String bob = server.registerToken("sss-wait-b");
        String roomId = room(bob, alice);
        JsonNode first = sss(alice, null, dummy());
        assertThat(extension(first)).isNull();
        CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(() -> sss(alice, first.path("pos").asText(), dummy(), 10_000));
        Thread.sleep(500);
        assertThat(poll).as("nothing to say yet: still waiting").isNotDone();
        String s = sendSticky(bob, roomId, 300_000, "wake");
        JsonNode woken = poll.get(9, TimeUnit.SECONDS);
        assertThat(extension(woken)).isEqualTo(Map.of(roomId, List.of(s)));
    }

    @Test
    void aLongPollWokenByOtherNewsTimesOutWithoutTheExtension() throws Exception {
        String alice = server.registerToken("sss-timeout");
        room(alice);
        JsonNode first = sss(alice, null, dummy());
        CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(() -> sss(alice, first.path("pos").asText(), dummy(), 3_000));
        Thread.sleep(500);
        Resp put = client.put("/_matrix/client/v3/user/" + enc(userId(alice)) + "/account_data/org.example.wake", alice, "{\"a\":1}");
        assertThat(put.status()).isEqualTo(200);
        Thread.sleep(500);
        assertThat(poll).as("account data is not news for this request").isNotDone();
        JsonNode timedOut = poll.get(10, TimeUnit.SECONDS);
        assertThat(extension(timedOut)).isNull();
        assertThat(timedOut.path("pos").asText()).isNotEmpty();
        assertThat(timedOut.path("rooms").isObject()).isTrue();
    }

    @Test
    void ignoredUsersStickyEventsAreLeftOut() {
        String alice = server.registerToken("sss-ign-a");
        String bob = server.registerToken("sss-ign-b");
        String roomId = room(bob, alice);
        Resp put = client.put("/_matrix/client/v3/user/" + enc(userId(alice)) + "/account_data/m.ignored_user_list", alice,
                "{\"ignored_users\":{\"" + userId(bob) + "\":{}}}");
        assertThat(put.status()).isEqualTo(200);
        String s = sendSticky(bob, roomId, 300_000, "ignored");
        JsonNode response = sss(alice, null, body(10, 10, null, null));
        assertThat(ids(response.path("rooms").path(roomId).path("timeline"))).doesNotContain(s);
        assertThat(extension(response)).isNull();
    }

    @Test
    void historyVisibilityDoesNotHideStickyEvents() {
        String alice = server.registerToken("sss-hv-a");
        String bob = server.registerToken("sss-hv-b");
        String roomId = roomWith(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":\"m.room.history_visibility\","
                + "\"state_key\":\"\",\"content\":{\"history_visibility\":\"joined\"}}]}");
        String s = sendSticky(alice, roomId, 300_000, "before bob");
        String m = sendMessage(alice, roomId, "m.room.message", "not for bob");
        join(bob, roomId);
        JsonNode response = sss(bob, null, body(10, 10, null, null));
        assertThat(extension(response)).isEqualTo(Map.of(roomId, List.of(s)));
        assertThat(ids(response.path("rooms").path(roomId).path("timeline"))).doesNotContain(m, s);
    }

    @Test
    void eventsArePaginatedWithLimitAndSince() {
        String alice = server.registerToken("sss-page");
        String roomId = room(alice);
        String s0 = sendSticky(alice, roomId, 300_000, "0");
        String s1 = sendSticky(alice, roomId, 300_000, "1");
        String s2 = sendSticky(alice, roomId, 300_000, "2");
        String s3 = sendSticky(alice, roomId, 300_000, "3");
        JsonNode first = sss(alice, null, body(0, 0, 2, null));
        assertThat(extension(first)).isEqualTo(Map.of(roomId, List.of(s0, s1)));
        JsonNode second = sss(alice, null, body(0, 0, 3, nextBatch(first)));
        assertThat(extension(second)).isEqualTo(Map.of(roomId, List.of(s2, s3)));
        assertThat(extension(sss(alice, null, body(0, 0, 3, nextBatch(second))))).isNull();
    }

    @Test
    void eventsInTheTimelineAreNotRepeated() {
        String alice = server.registerToken("sss-dedup");
        String roomId = room(alice);
        String s0 = sendSticky(alice, roomId, 300_000, "0");
        String s1 = sendSticky(alice, roomId, 300_000, "1");
        String n = sendMessage(alice, roomId, "m.room.message", "n");
        JsonNode response = sss(alice, null, body(0, 2, 2, null));
        assertThat(extension(response)).isEqualTo(Map.of(roomId, List.of(s0)));
        assertThat(ids(response.path("rooms").path(roomId).path("timeline"))).containsExactly(s1, n);
    }

    @Test
    void aRoomJoinedAfterSinceBringsItsEarlierStickyEventsInPages() {
        String alice = server.registerToken("sss-backlog-a");
        String bob = server.registerToken("sss-backlog-b");
        String own = room(bob);
        String b0 = sendSticky(bob, own, 300_000, "b0");
        String roomId = room(alice);
        String a0 = sendSticky(alice, roomId, 300_000, "a0");
        String a1 = sendSticky(alice, roomId, 300_000, "a1");
        String a2 = sendSticky(alice, roomId, 300_000, "a2");
        // Bob's position moves past alice's events before he joins: Synapse would never send them.
        JsonNode caughtUp = sss(bob, null, body(5, 0, null, null));
        assertThat(extension(caughtUp)).isEqualTo(Map.of(own, List.of(b0)));
        join(bob, roomId);
        JsonNode page1 = sss(bob, null, body(5, 0, 2, nextBatch(caughtUp)));
        assertThat(extension(page1)).isEqualTo(Map.of(roomId, List.of(a0, a1)));
        JsonNode page2 = sss(bob, null, body(5, 0, 2, nextBatch(page1)));
        assertThat(extension(page2)).isEqualTo(Map.of(roomId, List.of(a2)));
        assertThat(extension(sss(bob, null, body(5, 0, 2, nextBatch(page2))))).isNull();
    }

    @Test
    void badExtensionInputIsRefused() {
        String alice = server.registerToken("sss-bad");
        room(alice);
        for (String ext : List.of("{\"enabled\":true,\"limit\":-1}", "{\"enabled\":true,\"limit\":\"ten\"}", "{\"enabled\":\"yes\"}")) {
            ObjectNode body = dummy();
            body.putObject("extensions").set(EXT, Json.parse(ext));
            Resp r = client.post(SSS, alice, body);
            assertThat(r.status()).as(ext).isEqualTo(400);
            assertThat(r.errcode()).as(ext).isEqualTo("M_BAD_JSON");
        }
        for (String since : List.of("\"sticky_x\"", "\"12\"", "7")) {
            ObjectNode body = dummy();
            body.putObject("extensions").set(EXT, Json.parse("{\"enabled\":true,\"since\":" + since + "}"));
            Resp r = client.post(SSS, alice, body);
            assertThat(r.status()).as(since).isEqualTo(400);
            assertThat(r.errcode()).as(since).isEqualTo("M_INVALID_PARAM");
        }
    }
}
