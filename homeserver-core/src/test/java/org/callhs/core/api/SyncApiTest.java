package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

/** /sync: initial and incremental, long-polls, filters, room sections and bad input, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class SyncApiTest extends BackendSuite {
    private static final String SYNC = "/_matrix/client/v3/sync";

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String q(String value) { return TestClient.seg(value); }

    private String createRoom(String token, String body) {
        return client.post("/_matrix/client/v3/createRoom", token, body).text("room_id");
    }

    private String send(String token, String roomId, String body) {
        return client.put(room(roomId) + "/send/m.room.message/t" + System.nanoTime(), token,
                Json.object().put("msgtype", "m.text").put("body", body)).text("event_id");
    }

    private static List<String> bodies(JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> { if (e.path("type").asText().equals("m.room.message")) out.add(e.path("content").path("body").asText()); });
        return out;
    }

    private static List<String> types(JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.path("type").asText()));
        return out;
    }

    @Test
    void initialSyncHasTimelineStateAndSummary() {
        String alice = server.registerToken("s_alice1");
        String roomId = createRoom(alice, "{\"name\":\"Sync room\"}");
        for (int i = 0; i < 12; i++) send(alice, roomId, "m" + i);
        Resp sync = client.get(SYNC, alice);
        assertThat(sync.status()).isEqualTo(200);
        assertThat(sync.text("next_batch")).isNotBlank();
        JsonNode joined = sync.body().path("rooms").path("join").path(roomId);
        JsonNode timeline = joined.path("timeline");
        assertThat(bodies(timeline.path("events"))).containsExactly("m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11");
        assertThat(timeline.path("limited").asBoolean()).isTrue();
        assertThat(types(joined.path("state").path("events"))).contains("m.room.create", "m.room.member", "m.room.power_levels",
                "m.room.name", "m.room.join_rules");
        assertThat(joined.path("summary").path("m.joined_member_count").asInt()).isEqualTo(1);
        assertThat(joined.path("unread_notifications").has("notification_count")).isTrue();

        // prev_batch continues backwards with /messages.
        Resp older = client.get(room(roomId) + "/messages?dir=b&limit=2&from=" + q(timeline.path("prev_batch").asText()), alice);
        assertThat(bodies(older.body().path("chunk"))).containsExactly("m1", "m0");
    }

    @Test
    void incrementalSyncReturnsOnlyNewEventsAndOmitsEmptySections() {
        String alice = server.registerToken("s_alice2");
        String roomId = createRoom(alice, "{}");
        String since = client.get(SYNC, alice).text("next_batch");
        Resp quiet = client.get(SYNC + "?since=" + q(since), alice);
        assertThat(quiet.body().has("rooms")).isFalse();
        assertThat(quiet.body().has("account_data")).isFalse();
        assertThat(quiet.body().has("to_device")).isFalse();
        send(alice, roomId, "hello");
        Resp next = client.get(SYNC + "?since=" + q(quiet.text("next_batch")), alice);
        JsonNode timeline = next.body().path("rooms").path("join").path(roomId).path("timeline");
        assertThat(bodies(timeline.path("events"))).containsExactly("hello");
        assertThat(timeline.path("limited").asBoolean()).isFalse();
        assertThat(next.body().path("rooms").path("join").path(roomId).has("state")).isFalse();
        assertThat(timeline.path("events").get(0).path("unsigned").has("transaction_id")).isTrue();
    }

    @Test
    void incrementalSyncServesEventsRedactedSinceAsRedacted() {
        String alice = server.registerToken("s_alice12");
        String roomId = createRoom(alice, "{}");
        String since = client.get(SYNC, alice).text("next_batch");
        String eventId = send(alice, roomId, "secret");
        client.put(room(roomId) + "/redact/" + q(eventId) + "/r1", alice, "{}");
        JsonNode events = client.get(SYNC + "?since=" + q(since), alice).body().path("rooms").path("join").path(roomId)
                .path("timeline").path("events");
        assertThat(types(events)).containsExactly("m.room.message", "m.room.redaction");
        assertThat(events.get(0).path("content").size()).isZero();
        assertThat(events.get(0).path("unsigned").path("redacted_because").path("type").asText()).isEqualTo("m.room.redaction");
    }

    @Test
    void gappyIncrementalSyncCarriesTheStateChangedInTheGap() {
        String alice = server.registerToken("s_alice3");
        String roomId = createRoom(alice, "{}");
        String since = client.get(SYNC, alice).text("next_batch");
        client.put(room(roomId) + "/state/m.room.topic", alice, "{\"topic\":\"gap topic\"}");
        for (int i = 0; i < 15; i++) send(alice, roomId, "g" + i);
        JsonNode joined = client.get(SYNC + "?since=" + q(since), alice).body().path("rooms").path("join").path(roomId);
        assertThat(joined.path("timeline").path("limited").asBoolean()).isTrue();
        assertThat(types(joined.path("state").path("events"))).containsExactly("m.room.topic");
        assertThat(joined.path("state").path("events").get(0).path("content").path("topic").asText()).isEqualTo("gap topic");
    }

    @Test
    void longPollWakesOnAMessageAndTimesOutOtherwise() throws Exception {
        String alice = server.registerToken("s_alice4");
        String bob = server.registerToken("s_bob4");
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        client.post(room(roomId) + "/join", bob, "{}");
        String since = client.get(SYNC, bob).text("next_batch");

        long started = System.nanoTime();
        Resp empty = client.get(SYNC + "?timeout=300&since=" + q(since), bob);
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(empty.body().has("rooms")).isFalse();

        CompletableFuture<Resp> waiting = CompletableFuture.supplyAsync(
                () -> client.get(SYNC + "?timeout=20000&since=" + q(empty.text("next_batch")), bob));
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        send(alice, roomId, "wake up");
        Resp woke = waiting.get(10, TimeUnit.SECONDS);
        assertThat(bodies(woke.body().path("rooms").path("join").path(roomId).path("timeline").path("events")))
                .containsExactly("wake up");
    }

    @Test
    void invitesJoinsAndLeavesMoveRoomsBetweenSections() throws Exception {
        String alice = server.registerToken("s_alice5");
        String bob = server.registerToken("s_bob5");
        String roomId = createRoom(alice, "{\"name\":\"Invite room\"}");
        String since = client.get(SYNC, bob).text("next_batch");

        CompletableFuture<Resp> waiting = CompletableFuture.supplyAsync(
                () -> client.get(SYNC + "?timeout=20000&since=" + q(since), bob));
        Thread.sleep(100);
        client.post(room(roomId) + "/invite", alice, Json.object().put("user_id", "@s_bob5:localhost"));
        Resp invited = waiting.get(10, TimeUnit.SECONDS);
        JsonNode inviteState = invited.body().path("rooms").path("invite").path(roomId).path("invite_state").path("events");
        assertThat(types(inviteState)).contains("m.room.create", "m.room.name", "m.room.member");
        assertThat(invited.body().path("rooms").has("join")).isFalse();

        for (int i = 0; i < 12; i++) send(alice, roomId, "before bob joined " + i);
        client.post(room(roomId) + "/join", bob, "{}");
        Resp joined = client.get(SYNC + "?since=" + q(invited.text("next_batch")), bob);
        JsonNode joinedRoom = joined.body().path("rooms").path("join").path(roomId);
        assertThat(types(joinedRoom.path("state").path("events"))).contains("m.room.create", "m.room.power_levels");
        assertThat(joinedRoom.path("summary").path("m.joined_member_count").asInt()).isEqualTo(2);

        client.post(room(roomId) + "/leave", bob, "{}");
        Resp left = client.get(SYNC + "?since=" + q(joined.text("next_batch")), bob);
        JsonNode leftRoom = left.body().path("rooms").path("leave").path(roomId);
        assertThat(types(leftRoom.path("timeline").path("events"))).contains("m.room.member");
        assertThat(left.body().path("rooms").has("join")).isFalse();

        // Later events in the room no longer reach bob.
        send(alice, roomId, "after bob left");
        Resp after = client.get(SYNC + "?since=" + q(left.text("next_batch")), bob);
        assertThat(after.body().has("rooms")).isFalse();

        // An initial sync lists the left room only with include_leave.
        assertThat(client.get(SYNC, bob).body().path("rooms").has("leave")).isFalse();
        String includeLeave = q("{\"room\":{\"include_leave\":true}}");
        assertThat(client.get(SYNC + "?filter=" + includeLeave, bob).body().path("rooms").path("leave").has(roomId)).isTrue();
    }

    @Test
    void knocksAppearWithTheirStrippedState() {
        String alice = server.registerToken("s_alice11");
        String bob = server.registerToken("s_bob11");
        String roomId = createRoom(alice, "{\"name\":\"Knock room\",\"initial_state\":[{\"type\":\"m.room.join_rules\","
                + "\"state_key\":\"\",\"content\":{\"join_rule\":\"knock\"}}]}");
        String since = client.get(SYNC, bob).text("next_batch");
        assertThat(client.post("/_matrix/client/v3/knock/" + q(roomId), bob, "{\"reason\":\"let me in\"}").status()).isEqualTo(200);
        Resp knocked = client.get(SYNC + "?since=" + q(since), bob);
        JsonNode knockState = knocked.body().path("rooms").path("knock").path(roomId).path("knock_state").path("events");
        assertThat(types(knockState)).contains("m.room.create", "m.room.name", "m.room.join_rules", "m.room.member");
        assertThat(knocked.body().path("rooms").has("join")).isFalse();
    }

    @Test
    void filtersLimitTypesLazyMembersAndEventFields() {
        String alice = server.registerToken("s_alice6");
        String bob = server.registerToken("s_bob6");
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        client.post(room(roomId) + "/join", bob, "{}");
        for (int i = 0; i < 5; i++) send(alice, roomId, "f" + i);
        String inline = q("{\"room\":{\"timeline\":{\"limit\":2,\"types\":[\"m.room.message\"]},"
                + "\"state\":{\"lazy_load_members\":true}},\"event_fields\":[\"type\",\"content.body\"]}");
        JsonNode joined = client.get(SYNC + "?filter=" + inline, bob).body().path("rooms").path("join").path(roomId);
        JsonNode events = joined.path("timeline").path("events");
        assertThat(bodies(events)).containsExactly("f3", "f4");
        assertThat(events.get(0).has("event_id")).isFalse();
        assertThat(events.get(0).path("content").has("msgtype")).isFalse();
        List<String> members = new ArrayList<>();
        joined.path("state").path("events").forEach(e -> { if (e.path("type").asText().equals("m.room.member")) members.add(e.path("type").asText()); });
        // Lazy loading: alice (the only sender) and bob himself, not every member.
        assertThat(members).hasSize(2);

        String filterId = client.post("/_matrix/client/v3/user/" + q("@s_bob6:localhost") + "/filter", bob,
                "{\"room\":{\"timeline\":{\"limit\":1}}}").text("filter_id");
        JsonNode stored = client.get(SYNC + "?filter=" + filterId, bob).body().path("rooms").path("join").path(roomId);
        assertThat(stored.path("timeline").path("events").size()).isEqualTo(1);

        String federation = q("{\"event_format\":\"federation\",\"room\":{\"timeline\":{\"limit\":1}}}");
        JsonNode pdu = client.get(SYNC + "?filter=" + federation, bob).body().path("rooms").path("join").path(roomId)
                .path("timeline").path("events").get(0);
        assertThat(pdu.has("hashes")).isTrue();
        assertThat(pdu.has("signatures")).isTrue();
        assertThat(pdu.has("auth_events")).isTrue();

        String notRooms = q("{\"room\":{\"not_rooms\":[\"" + roomId + "\"]}}");
        assertThat(client.get(SYNC + "?filter=" + notRooms, bob).body().path("rooms").path("join").has(roomId)).isFalse();
    }

    @Test
    void fullStateReturnsEveryJoinedRoomWithItsState() {
        String alice = server.registerToken("s_alice7");
        String roomId = createRoom(alice, "{}");
        String since = client.get(SYNC, alice).text("next_batch");
        JsonNode joined = client.get(SYNC + "?full_state=true&since=" + q(since), alice).body().path("rooms").path("join").path(roomId);
        assertThat(types(joined.path("state").path("events"))).contains("m.room.create", "m.room.member");
    }

    @Test
    void accountDataAndPresenceAppearInSync() {
        String alice = server.registerToken("s_alice8");
        String roomId = createRoom(alice, "{}");
        String since = client.get(SYNC, alice).text("next_batch");
        client.put("/_matrix/client/v3/user/" + q("@s_alice8:localhost") + "/account_data/org.example.global", alice, "{\"a\":1}");
        client.put("/_matrix/client/v3/user/" + q("@s_alice8:localhost") + "/rooms/" + q(roomId) + "/account_data/org.example.room",
                alice, "{\"b\":2}");
        client.put("/_matrix/client/v3/presence/" + q("@s_alice8:localhost") + "/status", alice,
                "{\"presence\":\"unavailable\",\"status_msg\":\"away\"}");
        Resp next = client.get(SYNC + "?set_presence=offline&since=" + q(since), alice);
        assertThat(types(next.body().path("account_data").path("events"))).containsExactly("org.example.global");
        assertThat(types(next.body().path("rooms").path("join").path(roomId).path("account_data").path("events")))
                .containsExactly("org.example.room");
        JsonNode presence = next.body().path("presence").path("events").get(0);
        // Push rules: in every initial sync, and again after a change.
        assertThat(client.get(SYNC, alice).body().path("account_data").toString()).contains("m.push_rules").contains(".m.rule.master");
        client.put("/_matrix/client/v3/pushrules/global/room/" + q(roomId), alice, "{\"actions\":[]}");
        Resp rules = client.get(SYNC + "?since=" + q(next.text("next_batch")), alice);
        assertThat(types(rules.body().path("account_data").path("events"))).containsExactly("m.push_rules");
        assertThat(rules.body().path("account_data").path("events").get(0).path("content").path("global").path("room").toString())
                .contains(roomId);
        assertThat(presence.path("sender").asText()).isEqualTo("@s_alice8:localhost");
        assertThat(presence.path("content").path("status_msg").asText()).isEqualTo("away");
    }

    private static List<String> presenceSenders(Resp sync) {
        List<String> senders = new java.util.ArrayList<>();
        for (JsonNode e : sync.body().path("presence").path("events")) senders.add(e.path("sender").asText());
        return senders;
    }

    /**
     * Presence reaches those who share a room: a user who joins a room gets its members' presence
     * in the same incremental sync (though it did not change since the token), and the members
     * get the newcomer's.
     */
    @Test
    void joiningARoomBringsItsMembersPresenceAndTheMembersGetTheNewcomers() {
        String alice = server.registerToken("s_alice_p");
        String bob = server.registerToken("s_bob_p");
        client.put("/_matrix/client/v3/presence/" + q("@s_alice_p:localhost") + "/status", alice, "{\"presence\":\"online\",\"status_msg\":\"here\"}");
        client.put("/_matrix/client/v3/presence/" + q("@s_bob_p:localhost") + "/status", bob, "{\"presence\":\"unavailable\"}");
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        String aliceSince = client.get(SYNC + "?set_presence=offline", alice).text("next_batch");
        String bobSince = client.get(SYNC + "?set_presence=offline", bob).text("next_batch");
        assertThat(presenceSenders(client.get(SYNC + "?set_presence=offline&since=" + q(bobSince), bob)))
                .as("no room shared yet").doesNotContain("@s_alice_p:localhost");

        assertThat(client.post(room(roomId) + "/join", bob, "{}").status()).isEqualTo(200);
        Resp bobs = client.get(SYNC + "?set_presence=offline&since=" + q(bobSince), bob);
        assertThat(bobs.body().path("rooms").path("join").has(roomId)).isTrue();
        assertThat(presenceSenders(bobs)).as("the members' presence comes with the room").contains("@s_alice_p:localhost");
        Resp alices = client.get(SYNC + "?set_presence=offline&since=" + q(aliceSince), alice);
        assertThat(presenceSenders(alices)).as("the newcomer's presence reaches the members").contains("@s_bob_p:localhost");
        // Once told, not again.
        assertThat(presenceSenders(client.get(SYNC + "?set_presence=offline&since=" + q(alices.text("next_batch")), alice))).isEmpty();
    }

    /** Spec v1.11 {@code unsigned.membership}: the requesting user's membership at each served event. */
    @Test
    void servedEventsCarryTheRequestersMembershipAtTheEvent() {
        String alice = server.registerToken("s_alice_m");
        String bob = server.registerToken("s_bob_m");
        String roomId = createRoom(alice, "{\"preset\":\"private_chat\"}");
        String before = send(alice, roomId, "before the invite");
        client.post(room(roomId) + "/invite", alice, "{\"user_id\":\"@s_bob_m:localhost\"}");
        String invited = send(alice, roomId, "while invited");
        client.post(room(roomId) + "/join", bob, "{}");
        String joined = send(alice, roomId, "after the join");

        java.util.Map<String, String> seen = new java.util.HashMap<>();
        for (JsonNode e : client.get(room(roomId) + "/messages?dir=b&limit=50", bob).body().path("chunk")) {
            seen.put(e.path("event_id").asText(), e.path("unsigned").path("membership").asText(null));
        }
        assertThat(seen.get(before)).as("before bob was invited").isEqualTo("leave");
        assertThat(seen.get(invited)).isEqualTo("invite");
        assertThat(seen.get(joined)).isEqualTo("join");
        JsonNode bobsJoin = client.get(room(roomId) + "/state/m.room.member/" + q("@s_bob_m:localhost"), bob).body();
        assertThat(bobsJoin.path("membership").asText()).isEqualTo("join");
        assertThat(client.get(room(roomId) + "/event/" + q(joined), bob).body().path("unsigned").path("membership").asText())
                .isEqualTo("join");
        // Alice's view of the same event: her own membership.
        assertThat(client.get(room(roomId) + "/event/" + q(invited), alice).body().path("unsigned").path("membership").asText())
                .isEqualTo("join");
        // In /sync: bob's own join event says join (the membership it sets).
        for (JsonNode e : client.get(SYNC, bob).body().path("rooms").path("join").path(roomId).path("timeline").path("events")) {
            assertThat(e.path("unsigned").path("membership").asText()).as("%s", e).isIn("join", "invite", "leave");
            if (e.path("event_id").asText().equals(joined)) assertThat(e.path("unsigned").path("membership").asText()).isEqualTo("join");
            if (e.path("type").asText().equals("m.room.member") && e.path("state_key").asText().equals("@s_bob_m:localhost")
                    && e.path("content").path("membership").asText().equals("join")) {
                assertThat(e.path("unsigned").path("membership").asText()).isEqualTo("join");
            }
        }
    }

    @Test
    void unreadNotificationsFollowPushRulesAndReceipts() {
        String alice = server.registerToken("s_alice10");
        String bob = server.registerToken("s_bob10");
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        client.post(room(roomId) + "/join", bob, "{}");
        send(bob, roomId, "one");
        send(bob, roomId, "two");
        String last = client.put(room(roomId) + "/send/m.room.message/mention", bob,
                Json.object().put("msgtype", "m.text").put("body", "hey s_alice10, look")).text("event_id");
        JsonNode counts = client.get(SYNC, alice).body().path("rooms").path("join").path(roomId).path("unread_notifications");
        assertThat(counts.path("notification_count").asInt()).isEqualTo(3);
        assertThat(counts.path("highlight_count").asInt()).isEqualTo(1);
        // The sender's own messages never count for them.
        JsonNode bobCounts = client.get(SYNC, bob).body().path("rooms").path("join").path(roomId).path("unread_notifications");
        assertThat(bobCounts.path("notification_count").asInt()).isZero();

        client.post(room(roomId) + "/receipt/m.read/" + q(last), alice, "{}");
        JsonNode read = client.get(SYNC, alice).body().path("rooms").path("join").path(roomId).path("unread_notifications");
        assertThat(read.path("notification_count").asInt()).isZero();
        assertThat(read.path("highlight_count").asInt()).isZero();
    }

    @Test
    void invitesFromIgnoredUsersNeverAppear() {
        String alice = server.registerToken("s_igi_alice");
        String mallory = server.registerToken("s_igi_mallory");
        String carol = server.registerToken("s_igi_carol");
        String aliceId = client.get("/_matrix/client/v3/account/whoami", alice).text("user_id");
        String malloryId = client.get("/_matrix/client/v3/account/whoami", mallory).text("user_id");
        assertThat(client.put("/_matrix/client/v3/user/" + q(aliceId) + "/account_data/m.ignored_user_list", alice,
                "{\"ignored_users\":{\"" + malloryId + "\":{}}}").status()).isEqualTo(200);
        String since = client.get(SYNC, alice).text("next_batch");
        String fromMallory = createRoom(mallory, "{}");
        String fromCarol = createRoom(carol, "{}");
        assertThat(client.post(room(fromMallory) + "/invite", mallory, Json.object().put("user_id", aliceId)).status()).isEqualTo(200);
        assertThat(client.post(room(fromCarol) + "/invite", carol, Json.object().put("user_id", aliceId)).status()).isEqualTo(200);
        JsonNode incremental = client.get(SYNC + "?since=" + q(since), alice).body().path("rooms").path("invite");
        assertThat(incremental.has(fromCarol)).isTrue();
        assertThat(incremental.has(fromMallory)).isFalse();
        JsonNode initial = client.get(SYNC, alice).body().path("rooms").path("invite");
        assertThat(initial.has(fromCarol)).isTrue();
        assertThat(initial.has(fromMallory)).isFalse();
    }

    @Test
    void ignoredUsersMessagesLeaveTheTimelineButTheirStateStays() {
        String alice = server.registerToken("s_ign_alice");
        String bob = server.registerToken("s_ign_bob");
        String aliceId = client.get("/_matrix/client/v3/account/whoami", alice).text("user_id");
        String bobId = client.get("/_matrix/client/v3/account/whoami", bob).text("user_id");
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        assertThat(client.post(room(roomId) + "/join", bob, "{}").status()).isEqualTo(200);
        send(bob, roomId, "before ignoring");
        assertThat(client.put("/_matrix/client/v3/user/" + q(aliceId) + "/account_data/m.ignored_user_list", alice,
                "{\"ignored_users\":{\"" + bobId + "\":{}}}").status()).isEqualTo(200);
        send(bob, roomId, "while ignored");
        assertThat(client.put(room(roomId) + "/state/m.room.topic/", bob, "{\"topic\":\"bob's topic\"}").status()).isEqualTo(403);
        JsonNode timeline = client.get(SYNC, alice).body().path("rooms").path("join").path(roomId).path("timeline").path("events");
        assertThat(bodies(timeline)).isEmpty();
        assertThat(types(timeline)).contains("m.room.member");
        assertThat(bodies(client.get(SYNC, bob).body().path("rooms").path("join").path(roomId).path("timeline").path("events")))
                .containsExactly("before ignoring", "while ignored");

        // Un-ignoring takes effect at once.
        assertThat(client.put("/_matrix/client/v3/user/" + q(aliceId) + "/account_data/m.ignored_user_list", alice,
                "{\"ignored_users\":{}}").status()).isEqualTo(200);
        assertThat(bodies(client.get(SYNC, alice).body().path("rooms").path("join").path(roomId).path("timeline").path("events")))
                .containsExactly("before ignoring", "while ignored");
    }

    @Test
    void badInputGetsMatrixErrors() {
        String alice = server.registerToken("s_alice9");
        assertThat(client.get(SYNC + "?since=garbage", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?since=" + q("events.-1"), alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?since=" + q("events.1~events.2"), alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?since=" + q("events.99999999999999999999"), alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?filter=12345", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?filter=abc", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?filter=" + q("{nope"), alice).errcode()).isEqualTo("M_NOT_JSON");
        Resp shape = client.get(SYNC + "?filter=" + q("{\"room\":{\"timeline\":{\"limit\":\"ten\"}}}"), alice);
        assertThat(shape.status()).isEqualTo(400);
        assertThat(shape.errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.get(SYNC + "?filter=" + q("[1]"), alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?timeout=soon", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?timeout=-5", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?full_state=maybe", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC + "?set_presence=busy", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(SYNC, null).status()).isEqualTo(401);
    }

    @Test
    void archivedRoomsHoldTheHistoryFromBeforeTheLeaveAndAppearOnlyWhenTheSpecSays() {
        String alice = server.registerToken("arch_alice");
        String bob = server.registerToken("arch_bob");
        String includeLeave = q("{\"room\":{\"include_leave\":true}}");
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":\"m.room.history_visibility\","
                + "\"state_key\":\"\",\"content\":{\"history_visibility\":\"joined\"}}]}");
        client.post(room(roomId) + "/join", bob, "{}");
        send(alice, roomId, "before");
        String beforeLeave = client.get(SYNC + "?filter=" + includeLeave, bob).text("next_batch");
        assertThat(client.post(room(roomId) + "/leave", bob, "{}").status()).isEqualTo(200);
        send(alice, roomId, "after");

        JsonNode initial = client.get(SYNC + "?filter=" + includeLeave, bob).body().path("rooms").path("leave").path(roomId);
        JsonNode timeline = initial.path("timeline").path("events");
        assertThat(bodies(timeline)).contains("before").doesNotContain("after");
        JsonNode last = timeline.get(timeline.size() - 1);
        assertThat(last.path("type").asText()).as("bob sees his own leave, history visibility joined or not").isEqualTo("m.room.member");
        assertThat(last.path("content").path("membership").asText()).isEqualTo("leave");
        assertThat(initial.has("state")).isTrue();

        Resp incremental = client.get(SYNC + "?filter=" + includeLeave + "&since=" + q(beforeLeave), bob);
        JsonNode left = incremental.body().path("rooms").path("leave").path(roomId);
        assertThat(bodies(left.path("timeline").path("events"))).doesNotContain("after");
        assertThat(types(left.path("timeline").path("events"))).contains("m.room.member");

        String afterLeave = incremental.text("next_batch");
        JsonNode full = client.get(SYNC + "?filter=" + includeLeave + "&full_state=true&since=" + q(afterLeave), bob).body();
        assertThat(full.path("rooms").path("leave").path(roomId).has("timeline")).as("a full-state sync lists left rooms").isTrue();
        assertThat(full.path("rooms").path("leave").path(roomId).has("state")).isTrue();

        client.put(room(roomId) + "/state/m.room.topic", alice, "{\"topic\":\"changed after bob left\"}");
        send(alice, roomId, "filler");
        Resp later = client.get(SYNC + "?timeout=0&filter=" + includeLeave + "&since=" + q(afterLeave), bob);
        assertThat(later.body().path("rooms").path("leave").has(roomId)).as("a room left before the token is not listed again").isFalse();

        String carolRoom = createRoom(alice, "{}");
        String carol = server.registerToken("arch_carol");
        String carolSince = client.get(SYNC, carol).text("next_batch");
        client.post(room(carolRoom) + "/invite", alice, "{\"user_id\":\"@arch_carol:localhost\"}");
        assertThat(client.post(room(carolRoom) + "/leave", carol, "{}").status()).isEqualTo(200);
        JsonNode rejected = client.get(SYNC + "?since=" + q(carolSince), carol).body().path("rooms").path("leave").path(carolRoom);
        JsonNode rejectedTimeline = rejected.path("timeline").path("events");
        assertThat(rejectedTimeline.size()).as("carol sees her own rejection").isPositive();
        assertThat(rejectedTimeline.get(rejectedTimeline.size() - 1).path("content").path("membership").asText()).isEqualTo("leave");
    }
}
