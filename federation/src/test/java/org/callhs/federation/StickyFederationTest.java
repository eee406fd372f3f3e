package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.callhs.sticky.StickyEventsModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MSC4354 sticky events across three in-process servers over loopback HTTPS, each with the
 * federation and sticky-events modules: a server that joins a room late gets every unexpired
 * sticky event of the servers already there (pushed by each, received as old events, served in
 * its users' {@code /sync}), and one no server pushes, from the room's recent history; a soft-failed sticky event is readmitted when its sender's membership
 * changes; and bad sticky input from another server (wrong key types, a sender not in the room, a
 * flood) is handled as the MSC and the spec say.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class StickyFederationTest {
    static final String STICKY = "org.matrix.msc4354.sticky_duration_ms";
    static final String TTL = "msc4354_sticky_duration_ttl_ms";
    static TestServer a;
    static TestServer b;
    static TestServer c;
    static int portA;
    static int portB;
    static int portC;
    static FederationClient asB;

    @Parameter
    Backend backend;

    @BeforeParameterizedClassInvocation
    static void startServers(Backend backend) {
        portA = FederatedPair.freePort();
        portB = FederatedPair.freePort();
        portC = FederatedPair.freePort();
        String[] limit = {"sticky_events.federation_rate_limit.per_second=2", "sticky_events.federation_rate_limit.burst=50"};
        a = FederatedPair.start(backend, portA, List.of(new StickyEventsModule()), limit);
        b = FederatedPair.start(backend, portB, List.of(new StickyEventsModule()), limit);
        c = FederatedPair.start(backend, portC, List.of(new StickyEventsModule()), limit);
        asB = FederatedPair.clientAs(name(portB), FederatedPair.signingKey(b));
    }

    @AfterParameterizedClassInvocation
    static void stopServers() throws Exception {
        asB.close();
        a.close();
        b.close();
        c.close();
    }

    static String name(int port) { return FederatedPair.name(port); }

    private String n() { return String.valueOf(backend.ordinal()); }

    static String sendSticky(TestServer server, String token, String roomId, long durationMs, String key) {
        Resp sent = server.client().put(FederatedRoomsTest.path(roomId) + "/send/org.example.member/" + System.nanoTime() + "?" + STICKY
                + "=" + durationMs, token, Json.object().put("msc4354_sticky_key", key));
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
        return sent.text("event_id");
    }

    static Resp join(TestServer server, String token, String roomId, int viaPort) {
        return server.client().post("/_matrix/client/v3/join/" + TestClient.seg(roomId) + "?server_name=" + TestClient.seg(name(viaPort)),
                token, Json.object());
    }

    /**
     * The sticky events of a room in the user's initial {@code /sync}, by event ID, with their
     * unsigned TTL: from the sticky section, and the timeline's events that carry a TTL (an event in
     * the timeline is left out of the section).
     */
    static Map<String, Long> stickyInSync(TestServer server, String token, String roomId) {
        JsonNode room = server.client().get("/_matrix/client/v3/sync", token).body().path("rooms").path("join").path(roomId);
        Map<String, Long> out = new HashMap<>();
        for (JsonNode event : room.path("msc4354_sticky").path("events")) {
            out.put(event.path("event_id").asText(), event.path("unsigned").path(TTL).asLong(-1));
        }
        for (JsonNode event : room.path("timeline").path("events")) {
            if (event.path("unsigned").has(TTL)) out.put(event.path("event_id").asText(), event.path("unsigned").path(TTL).asLong());
        }
        return out;
    }

    /** The event IDs of a room in the sliding sync extension {@code org.matrix.msc4354.sticky_events} (no {@code since}: all due). */
    static List<String> stickyInSlidingSync(TestServer server, String token, String roomId) {
        ObjectNode body = Json.object();
        ObjectNode list = body.putObject("lists").putObject("all");
        list.putArray("ranges").addArray().add(0).add(20);
        list.putArray("required_state");
        list.put("timeline_limit", 0);
        body.putObject("extensions").putObject("org.matrix.msc4354.sticky_events").put("enabled", true);
        Resp answer = server.client().post("/_matrix/client/unstable/org.matrix.simplified_msc3575/sync?timeout=0", token, body);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode event : answer.body().path("extensions").path("org.matrix.msc4354.sticky_events").path("rooms").path(roomId)
                .path("events")) {
            assertThat(event.path("unsigned").path(TTL).asLong()).isPositive();
            ids.add(event.path("event_id").asText());
        }
        return ids;
    }

    static void awaitJoined(TestServer server, String token, String roomId, String userId) {
        FederationApiTest.waitFor(() -> server.client().get(FederatedRoomsTest.path(roomId) + "/joined_members", token).body()
                .path("joined").has(userId) ? Json.object() : null);
    }

    @Test
    void aServerThatJoinsLateGetsEveryServersUnexpiredStickyEvents() {
        String alice = a.registerToken("late-alice" + n());
        String bob = b.registerToken("late-bob" + n());
        String carol = c.registerToken("late-carol" + n());
        String bobId = "@late-bob" + n() + ":" + name(portB);
        String carolId = "@late-carol" + n() + ":" + name(portC);
        String roomId = FederatedRoomsTest.createRoom(a, alice, "11");
        assertThat(join(b, bob, roomId, portA).status()).isEqualTo(200);
        awaitJoined(a, alice, roomId, bobId);
        String aliceSticky = sendSticky(a, alice, roomId, 3_600_000, "alice-device");
        String bobSticky = sendSticky(b, bob, roomId, 3_600_000, "bob-device");
        FederationApiTest.waitFor(() -> stickyInSync(a, alice, roomId).containsKey(bobSticky) ? Json.object() : null);
        // A sticky event of bob's that only A holds (B's key signed it, but B never stored it, so B cannot push it): C's server
        // takes it from A's recent history when it joins, as it would from a server that pushes nothing (Synapse).
        Map<String, String> state = stateAtA(alice, roomId);
        RoomVersion version = RoomVersion.require("11");
        ObjectNode onlyOnA = CraftedPdus.pdu(asB, name(portA), version, new JsonSigner(name(portB), FederatedPair.signingKey(b)), roomId,
                bobId, "org.example.member", null, Json.object().put("msc4354_sticky_key", "bob-second-device"),
                latestAtA(alice, roomId), List.of(state.get("m.room.create|"), state.get("m.room.power_levels|")),
                state.get("m.room.member|" + bobId), sticky(3_600_000));
        String pulledSticky = EventHashes.eventId(onlyOnA, version);
        assertThat(sendTxn(List.of(onlyOnA)).path("pdus").path(pulledSticky).has("error")).isFalse();
        // Well beyond a timeline limit and beyond the last few events a catch-up would send.
        for (int i = 0; i < 70; i++) FederatedRoomsTest.send(a, alice, roomId, "filler " + i);

        Resp joined = join(c, carol, roomId, portA);
        assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
        JsonNode atC = FederationApiTest.waitFor(() -> {
            Map<String, Long> found = stickyInSync(c, carol, roomId);
            if (!found.containsKey(aliceSticky) || !found.containsKey(bobSticky) || !found.containsKey(pulledSticky)) return null;
            ObjectNode ttls = Json.object();
            found.forEach(ttls::put);
            return ttls;
        });
        assertThat(atC.path(aliceSticky).asLong()).isBetween(1L, 3_600_000L);
        assertThat(atC.path(bobSticky).asLong()).isBetween(1L, 3_600_000L);
        // The sliding sync extension serves them too (no timeline, so every one comes through the extension).
        assertThat(stickyInSlidingSync(c, carol, roomId)).contains(aliceSticky, bobSticky, pulledSticky);
        // The history carol's server got pushed is only the sticky events, not the fillers before them.
        assertThat(c.client().get(FederatedRoomsTest.path(roomId) + "/event/" + TestClient.seg(aliceSticky), carol).status()).isEqualTo(200);

        // A's push went ahead of what A sent after the join: on C the later message comes after alice's sticky event.
        FederatedRoomsTest.send(a, alice, roomId, "after carol " + n());
        FederatedRoomsTest.awaitBody(c, carol, roomId, "after carol " + n());
        List<String> order = new ArrayList<>();
        for (JsonNode event : c.client().get(FederatedRoomsTest.path(roomId) + "/messages?dir=b&limit=100", carol).body().path("chunk")) {
            order.add(event.path("event_id").asText());
            if (event.path("content").path("body").asText().equals("after carol " + n())) order.add("after");
        }
        assertThat(order.indexOf("after")).isLessThan(order.indexOf(aliceSticky));

        // The room carries on for everyone.
        FederatedRoomsTest.send(c, carol, roomId, "hello from C " + n());
        FederatedRoomsTest.awaitBody(b, bob, roomId, "hello from C " + n());
        awaitJoined(b, bob, roomId, carolId);
    }

    /** B's state in the room as A holds it: type|state_key to event ID. */
    private static Map<String, String> stateAtA(String token, String roomId) {
        Map<String, String> state = new HashMap<>();
        for (JsonNode event : a.client().get(FederatedRoomsTest.path(roomId) + "/state", token).body()) {
            state.put(event.path("type").asText() + "|" + event.path("state_key").asText(), event.path("event_id").asText());
        }
        return state;
    }

    private static String latestAtA(String token, String roomId) {
        return a.client().get(FederatedRoomsTest.path(roomId) + "/messages?dir=b&limit=1", token).body().path("chunk").get(0)
                .path("event_id").asText();
    }

    private static ObjectNode sticky(long durationMs) {
        ObjectNode extra = Json.object();
        extra.putObject("msc4354_sticky").put("duration_ms", durationMs);
        return extra;
    }

    private static JsonNode sendTxn(List<ObjectNode> pdus) {
        ObjectNode txn = Json.object().put("origin", name(portB)).put("origin_server_ts", System.currentTimeMillis());
        ArrayNode list = txn.putArray("pdus");
        pdus.forEach(list::add);
        txn.putArray("edus");
        return asB.request(name(portA), "PUT", "/_matrix/federation/v1/send/sticky-" + System.nanoTime(), txn, 30_000);
    }

    /** B's PDUs crafted into a version-11 room of A's: the room, A's user, B's joined user, and the state and latest event as A has them. */
    private record SharedRoom(String roomId, String alice, String bobToken, String bobId, Map<String, String> state, String latest) {
        static final RoomVersion VERSION = RoomVersion.require("11");

        /** A PDU of {@code sender} (a user of B) on top of {@code prev}, signed with B's key, with {@code extra} top-level keys. */
        ObjectNode pdu(String sender, String prev, String type, ObjectNode content, ObjectNode extra) {
            return CraftedPdus.pdu(asB, name(portA), VERSION, new JsonSigner(name(portB), FederatedPair.signingKey(b)), roomId, sender,
                    type, null, content, prev, List.of(state.get("m.room.create|"), state.get("m.room.power_levels|")),
                    state.get("m.room.member|" + sender), extra);
        }

        ObjectNode pdu(String sender, String type, ObjectNode content, ObjectNode extra) { return pdu(sender, latest, type, content, extra); }

        static String id(ObjectNode pdu) { return EventHashes.eventId(pdu, VERSION); }
    }

    /** A room of A's (version 11) that a fresh user of B has joined; names start with {@code prefix}. */
    private SharedRoom sharedRoom(String prefix) {
        String alice = a.registerToken(prefix + "-alice" + n());
        String bob = b.registerToken(prefix + "-bob" + n());
        String bobId = "@" + prefix + "-bob" + n() + ":" + name(portB);
        String roomId = FederatedRoomsTest.createRoom(a, alice, "11");
        assertThat(join(b, bob, roomId, portA).status()).isEqualTo(200);
        awaitJoined(a, alice, roomId, bobId);
        return new SharedRoom(roomId, alice, bob, bobId, stateAtA(alice, roomId), latestAtA(alice, roomId));
    }

    @Test
    void aSoftFailedStickyEventIsReadmittedWhenItsSendersMembershipChanges() {
        SharedRoom room = sharedRoom("soft");
        String roomId = room.roomId();
        String alice = room.alice();
        String dave = room.bobToken();
        String daveId = room.bobId();
        assertThat(b.client().post(FederatedRoomsTest.path(roomId) + "/leave", dave, Json.object()).status()).isEqualTo(200);
        FederationApiTest.waitFor(() -> a.client().get(FederatedRoomsTest.path(roomId) + "/joined_members", alice).body().path("joined")
                .has(daveId) ? null : Json.object());

        // Dave's sticky event from before his leave (as a server that had not seen the leave would send it): the state before it
        // allows it, the current state does not. A keeps it soft-failed, out of the timeline.
        ObjectNode late = room.pdu(daveId, "org.example.member", Json.object().put("msc4354_sticky_key", "dave-device"), sticky(600_000));
        String lateId = SharedRoom.id(late);
        JsonNode answer = sendTxn(List.of(late));
        assertThat(answer.path("pdus").path(lateId).has("error")).as(answer.toString()).isFalse();
        assertThat(a.client().get(FederatedRoomsTest.path(roomId) + "/event/" + TestClient.seg(lateId), alice).status()).isEqualTo(404);
        assertThat(stickyInSync(a, alice, roomId)).doesNotContainKey(lateId);

        // Dave comes back: his membership changed, so the event is checked again, passes, and reaches alice with its TTL.
        assertThat(join(b, dave, roomId, portA).status()).isEqualTo(200);
        JsonNode ttl = FederationApiTest.waitFor(() -> {
            Long found = stickyInSync(a, alice, roomId).get(lateId);
            return found == null ? null : Json.object().put("ttl", found);
        });
        assertThat(ttl.path("ttl").asLong()).isBetween(1L, 600_000L);
        assertThat(a.client().get(FederatedRoomsTest.path(roomId) + "/event/" + TestClient.seg(lateId), alice).status()).isEqualTo(200);
    }

    @Test
    void badStickyInputFromAnotherServerIsHandledAsTheSpecSays() {
        SharedRoom room = sharedRoom("bad");
        String roomId = room.roomId();
        String alice = room.alice();
        String bobId = room.bobId();
        String eveId = "@bad-eve" + n() + ":" + name(portB); // never joined
        RoomVersion version = SharedRoom.VERSION;

        // Sticky keys of the wrong type or out of range: ordinary events, in the timeline, never sticky.
        List<JsonNode> badKeys = List.of(Json.parse("{\"duration_ms\": \"60000\"}"), Json.parse("{\"duration_ms\": -1}"),
                Json.parse("{\"duration_ms\": true}"), Json.parse("5"), Json.parse("{\"duration\": 60000}"));
        List<ObjectNode> pdus = new ArrayList<>();
        for (int i = 0; i < badKeys.size(); i++) {
            ObjectNode extra = Json.object();
            extra.set("msc4354_sticky", badKeys.get(i));
            pdus.add(room.pdu(bobId, "m.room.message", Json.object().put("msgtype", "m.text").put("body", "bad key " + i), extra));
        }
        // Beyond the one-hour cap: sticky for one hour.
        ObjectNode huge = Json.object();
        huge.putObject("msc4354_sticky").put("duration_ms", 7_200_000L);
        ObjectNode capped = room.pdu(bobId, "org.example.member", Json.object().put("msc4354_sticky_key", "capped"), huge);
        pdus.add(capped);
        // From a user of B who is not in the room: rejected by its auth events, never sticky.
        // Eve's PDU cites Bob's member event: she has none.
        ObjectNode outsider = CraftedPdus.pdu(asB, name(portA), version, new JsonSigner(name(portB), FederatedPair.signingKey(b)), roomId,
                eveId, "org.example.member", null, Json.object().put("msc4354_sticky_key", "eve"), room.latest(),
                List.of(room.state().get("m.room.create|"), room.state().get("m.room.power_levels|")),
                room.state().get("m.room.member|" + bobId), sticky(600_000));
        pdus.add(outsider);

        JsonNode answer = sendTxn(pdus);
        for (int i = 0; i < badKeys.size(); i++) {
            assertThat(answer.path("pdus").path(EventHashes.eventId(pdus.get(i), version)).has("error")).as(answer.toString()).isFalse();
        }
        assertThat(answer.path("pdus").path(EventHashes.eventId(outsider, version)).path("error").asText()).isNotEmpty();
        List<String> bodies = FederatedRoomsTest.bodies(a, alice, roomId);
        for (int i = 0; i < badKeys.size(); i++) assertThat(bodies).contains("bad key " + i);
        Map<String, Long> sticky = stickyInSync(a, alice, roomId);
        String cappedId = EventHashes.eventId(capped, version);
        assertThat(sticky.keySet()).containsExactly(cappedId);
        assertThat(sticky.get(cappedId)).isBetween(1L, 3_600_000L);
        for (int i = 0; i < badKeys.size(); i++) {
            JsonNode served = a.client().get(FederatedRoomsTest.path(roomId) + "/event/" + TestClient.seg(EventHashes.eventId(pdus.get(i),
                    version)), alice).body();
            assertThat(served.path("unsigned").has(TTL)).as(served.toString()).isFalse();
        }
    }

    @Test
    void aFloodOfStickyEventsIsRefusedWholeUntilItsOriginRetriesLater() throws Exception {
        SharedRoom room = sharedRoom("flood");
        String roomId = room.roomId();
        String alice = room.alice();
        String bob = room.bobToken();
        RoomVersion version = SharedRoom.VERSION;
        List<ObjectNode> flood = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            flood.add(room.pdu(room.bobId(), "org.example.member", Json.object().put("msc4354_sticky_key", "k" + i), sticky(600_000)));
        }
        // The first 50 (the burst) pass.
        JsonNode first = sendTxn(flood.subList(0, 50));
        assertThat(first.path("pdus").size()).isEqualTo(50);
        // The next ten are refused whole, and nothing of them is stored.
        List<ObjectNode> rest = flood.subList(50, 60);
        try {
            sendTxn(rest);
            throw new AssertionError("expected 429");
        } catch (FederationException e) {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
        }
        String restId = EventHashes.eventId(rest.get(0), version);
        assertThat(a.client().get(FederatedRoomsTest.path(roomId) + "/event/" + TestClient.seg(restId), alice).status()).isEqualTo(404);
        // Other rooms and non-sticky events are not held up by this room's budget.
        FederatedRoomsTest.send(b, bob, roomId, "plain " + n());
        FederatedRoomsTest.awaitBody(a, alice, roomId, "plain " + n());
        // Retried once the bucket refilled (2 per second), the transaction passes and every event is there.
        Thread.sleep(5_500);
        JsonNode retried = sendTxn(rest);
        assertThat(retried.path("pdus").path(restId).has("error")).as(retried.toString()).isFalse();
        Map<String, Long> sticky = stickyInSync(a, alice, roomId);
        for (ObjectNode pdu : flood) assertThat(sticky).containsKey(EventHashes.eventId(pdu, version));
    }
}
