package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rooms shared by two in-process servers over loopback HTTPS: a user of B joins a room of A
 * (make_join, send_join, the state checked and stored), messages and state flow both ways,
 * a leave goes across; and the room endpoints answer bad requests with the spec's errors.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class FederatedRoomsTest extends TwoServersSuite {

    static String path(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    static String createRoom(TestServer server, String token, String version) {
        Resp created = server.client().post("/_matrix/client/v3/createRoom", token,
                Json.parse("{\"preset\": \"public_chat\", \"room_version\": \"" + version + "\"}"));
        assertThat(created.status()).isEqualTo(200);
        return created.text("room_id");
    }

    static List<String> bodies(TestServer server, String token, String roomId) {
        List<String> out = new ArrayList<>();
        for (JsonNode event : server.client().get(path(roomId) + "/messages?dir=b&limit=50", token).body().path("chunk")) {
            if (event.path("type").asText().equals("m.room.message")) out.add(event.path("content").path("body").asText());
        }
        return out;
    }

    static void awaitBody(TestServer server, String token, String roomId, String body) {
        FederationApiTest.waitFor(() -> bodies(server, token, roomId).contains(body) ? Json.object() : null);
    }

    /** A user of B joins {@code roomId} through A. */
    static Resp joinThroughA(String token, String roomId) {
        return b.client().post("/_matrix/client/v3/join/" + TestClient.seg(roomId) + "?server_name=" + TestClient.seg(nameA()), token,
                Json.object());
    }

    static void send(TestServer server, String token, String roomId, String body) {
        Resp sent = server.client().put(path(roomId) + "/send/m.room.message/" + System.nanoTime(), token,
                Json.object().put("msgtype", "m.text").put("body", body));
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
    }

    @Test
    void aRemoteUserJoinsAndMessagesFlowBothWays() {
        String alice = a.registerToken("alice" + backend.ordinal());
        String bob = b.registerToken("bob" + backend.ordinal());
        String aliceId = "@alice" + backend.ordinal() + ":" + nameA();
        String bobId = "@bob" + backend.ordinal() + ":" + nameB();
        for (String version : List.of("9", "10", "11", "12")) {
            String roomId = createRoom(a, alice, version);
            Resp joined = joinThroughA(bob, roomId);
            assertThat(joined.status()).as(version + ": " + joined).isEqualTo(200);
            assertThat(joined.text("room_id")).isEqualTo(roomId);
            // Both servers agree on the members.
            FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined").has(bobId)
                    ? Json.object() : null);
            JsonNode onB = b.client().get(path(roomId) + "/joined_members", bob).body().path("joined");
            assertThat(onB.has(aliceId)).as(version + ": " + onB).isTrue();
            assertThat(onB.has(bobId)).isTrue();

            send(a, alice, roomId, "hello bob " + version);
            awaitBody(b, bob, roomId, "hello bob " + version);
            send(b, bob, roomId, "hello alice " + version);
            awaitBody(a, alice, roomId, "hello alice " + version);

            // State, with a slash in the state key, goes across too.
            Resp state = a.client().put(path(roomId) + "/state/org.example.thing/" + TestClient.seg("a/b"), alice,
                    Json.object().put("value", version));
            assertThat(state.status()).isEqualTo(200);
            FederationApiTest.waitFor(() -> {
                Resp read = b.client().get(path(roomId) + "/state/org.example.thing/" + TestClient.seg("a/b"), bob);
                return read.status() == 200 && read.body().path("value").asText().equals(version) ? read.body() : null;
            });

            // Bob leaves: A sees it.
            assertThat(b.client().post(path(roomId) + "/leave", bob, Json.object()).status()).isEqualTo(200);
            FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined").has(bobId)
                    ? null : Json.object());
        }
    }

    /**
     * One transaction from B, over HTTPS and signed with B's real key, carrying a good message
     * among bad PDUs: one whose signature no longer verifies (dropped, with an error for it), one
     * whose content does not match its hash (kept redacted), one its auth events refuse (a power
     * levels change by a user without the power: rejected) and one that passes against the state
     * before it but not the current state (a message from a user who has since left:
     * soft-failed, kept out of the timeline). The good one is in A's timeline; so is a message
     * sent afterwards.
     */
    @Test
    void badPdusInOneTransactionSpareTheirNeighbours() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("badpdu-alice" + n);
        String bob = b.registerToken("badpdu-bob" + n);
        String dave = b.registerToken("badpdu-dave" + n);
        String bobId = "@badpdu-bob" + n + ":" + nameB();
        String daveId = "@badpdu-dave" + n + ":" + nameB();
        String roomId = createRoom(a, alice, "11");
        for (String token : List.of(bob, dave)) {
            Resp joined = joinThroughA(token, roomId);
            assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
        }
        FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined").has(daveId)
                ? Json.object() : null);
        java.util.Map<String, String> state = new java.util.HashMap<>();
        for (JsonNode event : a.client().get(path(roomId) + "/state", alice).body()) {
            state.put(event.path("type").asText() + "|" + event.path("state_key").asText(), event.path("event_id").asText());
        }
        String beforeLeave = latestEvent(alice, roomId);
        assertThat(b.client().post(path(roomId) + "/leave", dave, Json.object()).status()).isEqualTo(200);
        FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined").has(daveId)
                ? null : Json.object());
        String latest = latestEvent(alice, roomId);

        RoomVersion version = RoomVersion.require("11");
        JsonSigner signer = new JsonSigner(nameB(), FederatedPair.signingKey(b));
        List<String> messageAuth = List.of(state.get("m.room.create|"), state.get("m.room.power_levels|"));
        ObjectNode good = remotePdu(version, signer, roomId, bobId, "m.room.message", null,
                Json.object().put("msgtype", "m.text").put("body", "good one " + n), latest, messageAuth, state.get("m.room.member|" + bobId));
        ObjectNode badSignature = remotePdu(version, signer, roomId, bobId, "m.room.message", null,
                Json.object().put("msgtype", "m.text").put("body", "forged " + n), latest, messageAuth, state.get("m.room.member|" + bobId));
        badSignature.put("origin_server_ts", badSignature.path("origin_server_ts").asLong() + 1); // signed: no longer verifies
        ObjectNode badHash = remotePdu(version, signer, roomId, bobId, "m.room.message", null,
                Json.object().put("msgtype", "m.text").put("body", "original " + n), latest, messageAuth, state.get("m.room.member|" + bobId));
        ((ObjectNode) badHash.get("content")).put("body", "tampered " + n); // content is outside the signed redacted form
        ObjectNode levels = Json.object();
        levels.putObject("users").put(bobId, 100);
        ObjectNode noPower = remotePdu(version, signer, roomId, bobId, "m.room.power_levels", "", levels, latest, messageAuth,
                state.get("m.room.member|" + bobId));
        ObjectNode afterLeaving = remotePdu(version, signer, roomId, daveId, "m.room.message", null,
                Json.object().put("msgtype", "m.text").put("body", "after leaving " + n), beforeLeave, messageAuth, state.get("m.room.member|" + daveId));

        ObjectNode txn = Json.object().put("origin", nameB()).put("origin_server_ts", System.currentTimeMillis());
        ArrayNode pdus = txn.putArray("pdus");
        for (ObjectNode pdu : List.of(badSignature, good, badHash, noPower, afterLeaving)) pdus.add(pdu);
        txn.putArray("edus");
        JsonNode answer = asB.request(nameA(), "PUT", "/_matrix/federation/v1/send/bad-pdus-" + n + "-" + System.nanoTime(), txn, 30_000);
        assertThat(answer.path("pdus").path(EventHashes.eventId(badSignature, version)).path("error").asText()).contains("signature");
        assertThat(answer.path("pdus").path(EventHashes.eventId(good, version)).has("error")).as(answer.toString()).isFalse();

        List<String> timeline = bodies(a, alice, roomId);
        assertThat(timeline).contains("good one " + n).doesNotContain("forged " + n, "after leaving " + n, "tampered " + n, "original " + n);
        Resp redacted = a.client().get(path(roomId) + "/event/" + TestClient.seg(EventHashes.eventId(badHash, version)), alice);
        assertThat(redacted.status()).as(redacted.toString()).isEqualTo(200);
        assertThat(redacted.body().path("content").has("body")).as(redacted.toString()).isFalse();
        Resp rejected = a.client().get(path(roomId) + "/event/" + TestClient.seg(EventHashes.eventId(noPower, version)), alice);
        assertThat(rejected.status()).as(rejected.toString()).isEqualTo(404);
        assertThat(a.client().get(path(roomId) + "/state/m.room.power_levels", alice).body().path("users").has(bobId)).isFalse();
        Resp softFailed = a.client().get(path(roomId) + "/event/" + TestClient.seg(EventHashes.eventId(afterLeaving, version)), alice);
        assertThat(softFailed.status()).as(softFailed.toString()).isEqualTo(404);

        // The room goes on: a message sent the usual way afterwards arrives.
        send(b, bob, roomId, "still here " + n);
        awaitBody(a, alice, roomId, "still here " + n);
    }

    /** The newest event of the room's timeline as {@code token} sees it on A. */
    private static String latestEvent(String token, String roomId) {
        return a.client().get(path(roomId) + "/messages?dir=b&limit=1", token).body().path("chunk").get(0).path("event_id").asText();
    }

    /** A PDU of B, hashed and signed with B's key, on top of {@code prev} (whose depth A serves). */
    private static ObjectNode remotePdu(RoomVersion version, JsonSigner signer, String roomId, String sender, String type, String stateKey,
                                        ObjectNode content, String prev, List<String> auth, String memberEvent) {
        return CraftedPdus.pdu(asB, nameA(), version, signer, roomId, sender, type, stateKey, content, prev, auth, memberEvent);
    }

    /**
     * Five users of B join A's room at once: one joins over federation, the others wait for it and
     * join on B (a second remote join would replace the room's state and extremities on B). All
     * five are members on both servers, and what each sends reaches A.
     */
    @Test
    void concurrentJoinsOfOneServerAllSucceed() throws Exception {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("concurrent-alice" + n);
        String roomId = createRoom(a, alice, "11");
        List<String> tokens = new java.util.ArrayList<>();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tokens.add(b.registerToken("concurrent-" + i + "-" + n));
            ids.add("@concurrent-" + i + "-" + n + ":" + nameB());
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(5);
        try {
            List<java.util.concurrent.Future<Resp>> joins = new java.util.ArrayList<>();
            for (String token : tokens) {
                joins.add(pool.submit(() -> joinThroughA(token, roomId)));
            }
            for (var join : joins) {
                Resp r = join.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String id : ids) {
            FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined").has(id)
                    ? Json.object() : null);
        }
        JsonNode onB = b.client().get(path(roomId) + "/joined_members", tokens.get(0)).body().path("joined");
        assertThat(onB.size()).as(onB.toString()).isEqualTo(6);
        for (int i = 0; i < tokens.size(); i++) send(b, tokens.get(i), roomId, "after the joins " + i);
        for (int i = 0; i < tokens.size(); i++) awaitBody(a, alice, roomId, "after the joins " + i);
    }

    /** The room's ephemeral events in {@code token}'s sync of {@code server}, once one of {@code type} satisfies {@code test}. */
    static JsonNode awaitEphemeral(TestServer server, String token, String roomId, String type, java.util.function.Predicate<JsonNode> test) {
        return FederationApiTest.waitFor(() -> {
            JsonNode sync = server.client().get("/_matrix/client/v3/sync?timeout=0", token).body();
            for (JsonNode event : sync.path("rooms").path("join").path(roomId).path("ephemeral").path("events")) {
                if (event.path("type").asText().equals(type) && test.test(event)) return event;
            }
            return null;
        });
    }

    @Test
    void typingAndReceiptsGoAcross() {
        String alice = a.registerToken("hana" + backend.ordinal());
        String bob = b.registerToken("ivan" + backend.ordinal());
        String aliceId = "@hana" + backend.ordinal() + ":" + nameA();
        String bobId = "@ivan" + backend.ordinal() + ":" + nameB();
        String roomId = createRoom(a, alice, "11");
        assertThat(joinThroughA(bob, roomId).status()).isEqualTo(200);
        FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined").has(bobId)
                ? Json.object() : null);
        assertThat(a.client().put(path(roomId) + "/typing/" + TestClient.seg(aliceId), alice,
                Json.parse("{\"typing\": true, \"timeout\": 20000}")).status()).isEqualTo(200);
        awaitEphemeral(b, bob, roomId, "m.typing", e -> e.path("content").path("user_ids").toString().contains(aliceId));

        send(a, alice, roomId, "read me");
        awaitBody(b, bob, roomId, "read me");
        String eventId = b.client().get(path(roomId) + "/messages?dir=b&limit=1", bob).body().path("chunk").get(0).path("event_id").asText();
        assertThat(b.client().post(path(roomId) + "/receipt/m.read/" + TestClient.seg(eventId), bob, Json.object()).status())
                .isEqualTo(200);
        awaitEphemeral(a, alice, roomId, "m.receipt", e -> e.path("content").path(eventId).path("m.read").has(bobId));
        // Private receipts stay home.
        assertThat(b.client().post(path(roomId) + "/receipt/m.read.private/" + TestClient.seg(eventId), bob, Json.object()).status())
                .isEqualTo(200);
        // A server cannot type for another server's users, nor for users not in the room.
        var body = Json.object().put("origin", nameB()).put("origin_server_ts", System.currentTimeMillis());
        body.putArray("pdus");
        body.putArray("edus").addObject().put("edu_type", "m.typing").set("content",
                Json.object().put("room_id", roomId).put("user_id", "@mallory:" + nameA()).put("typing", true));
        asB.request(nameA(), "PUT", "/_matrix/federation/v1/send/forged" + System.nanoTime(), body, 5000);
        JsonNode typing = awaitEphemeral(a, alice, roomId, "m.typing", e -> true);
        assertThat(typing.path("content").path("user_ids").toString()).doesNotContain("mallory");
    }

    /** The rooms in {@code section} ("invite", "join", "leave") of an initial sync. */
    static JsonNode syncRooms(TestServer server, String token, String section) {
        return server.client().get("/_matrix/client/v3/sync?timeout=0", token).body().path("rooms").path(section);
    }

    @Test
    void invitesAcrossServersAreAcceptedOrRejected() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("jane" + n);
        String dave = a.registerToken("kurt" + n);
        String bob = b.registerToken("liam" + n);
        String carol = b.registerToken("mona" + n);
        String bobId = "@liam" + n + ":" + nameB();
        String carolId = "@mona" + n + ":" + nameB();
        String daveId = "@kurt" + n + ":" + nameA();
        for (String version : List.of("10", "12")) {
            Resp created = a.client().post("/_matrix/client/v3/createRoom", alice,
                    Json.parse("{\"preset\": \"private_chat\", \"name\": \"Secret " + version + "\", \"room_version\": \"" + version + "\"}"));
            String roomId = created.text("room_id");
            // Alice invites Bob (B signs the invite first); Bob sees it with the room's name, then joins through the inviter's server.
            Resp invited = a.client().post(path(roomId) + "/invite", alice, Json.object().put("user_id", bobId));
            assertThat(invited.status()).as(invited.toString()).isEqualTo(200);
            JsonNode invite = FederationApiTest.waitFor(() -> {
                JsonNode room = syncRooms(b, bob, "invite").path(roomId);
                return room.isMissingNode() ? null : room;
            });
            assertThat(invite.path("invite_state").toString()).contains("Secret " + version).contains("\"invite\"");
            Resp joined = b.client().post(path(roomId) + "/join", bob, Json.object());
            assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
            FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined").has(bobId)
                    ? Json.object() : null);
            send(b, bob, roomId, "thanks for the invite " + version);
            awaitBody(a, alice, roomId, "thanks for the invite " + version);

            // Carol is invited and rejects: the inviting server hears it, Carol's room moves to "leave".
            assertThat(a.client().post(path(roomId) + "/invite", alice, Json.object().put("user_id", carolId)).status()).isEqualTo(200);
            FederationApiTest.waitFor(() -> syncRooms(b, carol, "invite").has(roomId) ? Json.object() : null);
            Resp rejected = b.client().post(path(roomId) + "/leave", carol, Json.object());
            assertThat(rejected.status()).as(rejected.toString()).isEqualTo(200);
            FederationApiTest.waitFor(() -> {
                Resp member = a.client().get(path(roomId) + "/state/m.room.member/" + TestClient.seg(carolId), alice);
                return member.status() == 200 && member.body().path("membership").asText().equals("leave") ? member.body() : null;
            });
            assertThat(syncRooms(b, carol, "invite").has(roomId)).isFalse();

            // Bob, now in the room, invites Dave of A (A is in the room: the invite is signed and arrives as a PDU too).
            Resp bobInvites = b.client().post(path(roomId) + "/invite", bob, Json.object().put("user_id", daveId));
            assertThat(bobInvites.status()).as(bobInvites.toString()).isEqualTo(200);
            FederationApiTest.waitFor(() -> syncRooms(a, dave, "invite").has(roomId) ? Json.object() : null);
        }
    }

    @Test
    void createRoomInvitesUsersOfOtherServers() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("direct-alice" + n);
        String bob = b.registerToken("direct-bob" + n);
        String bobId = "@direct-bob" + n + ":" + nameB();
        String missingId = "@nobody" + n + ":" + nameB();
        Resp created = a.client().post("/_matrix/client/v3/createRoom", alice, Json.parse("{\"preset\": \"trusted_private_chat\", "
                + "\"is_direct\": true, \"name\": \"Direct " + n + "\", \"invite\": [\"" + bobId + "\"]}"));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String roomId = created.text("room_id");
        JsonNode invite = FederationApiTest.waitFor(() -> {
            JsonNode room = syncRooms(b, bob, "invite").path(roomId);
            return room.isMissingNode() ? null : room;
        });
        assertThat(invite.path("invite_state").toString()).contains("Direct " + n).contains("\"is_direct\":true");
        // The invitee's server refuses an invite for a user it does not have: createRoom fails with
        // that error, as Synapse's does, and the room it created stays.
        Resp refused = a.client().post("/_matrix/client/v3/createRoom", alice,
                Json.parse("{\"preset\": \"private_chat\", \"invite\": [\"" + missingId + "\"]}"));
        assertThat(refused.status()).as(refused.toString()).isBetween(400, 599);
        assertThat(refused.body().path("errcode").asText()).as(refused.toString()).isNotEmpty();
        assertThat(refused.status()).as(refused.toString()).isNotEqualTo(500);
    }

    @Test
    void aKnockFromAnotherServerIsAnsweredWithAnInvite() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("quin" + n);
        String bob = b.registerToken("rita" + n);
        String bobId = "@rita" + n + ":" + nameB();
        Resp created = a.client().post("/_matrix/client/v3/createRoom", alice, Json.parse(
                "{\"preset\": \"private_chat\", \"name\": \"Knock here\", \"room_version\": \"11\","
                        + " \"initial_state\": [{\"type\": \"m.room.join_rules\", \"content\": {\"join_rule\": \"knock\"}}]}"));
        String roomId = created.text("room_id");
        Resp knocked = b.client().post("/_matrix/client/v3/knock/" + TestClient.seg(roomId) + "?server_name=" + TestClient.seg(nameA()), bob,
                Json.object().put("reason", "let me in"));
        assertThat(knocked.status()).as(knocked.toString()).isEqualTo(200);
        FederationApiTest.waitFor(() -> {
            Resp member = a.client().get(path(roomId) + "/state/m.room.member/" + TestClient.seg(bobId), alice);
            return member.status() == 200 && member.body().path("membership").asText().equals("knock") ? member.body() : null;
        });
        JsonNode knock = syncRooms(b, bob, "knock").path(roomId);
        assertThat(knock.path("knock_state").toString()).contains("Knock here");
        assertThat(a.client().post(path(roomId) + "/invite", alice, Json.object().put("user_id", bobId)).status()).isEqualTo(200);
        FederationApiTest.waitFor(() -> syncRooms(b, bob, "invite").has(roomId) ? Json.object() : null);
        Resp joined = b.client().post(path(roomId) + "/join", bob, Json.object());
        assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
        FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined").has(bobId)
                ? Json.object() : null);
        // Knocking on a room whose rules do not allow it is the resident's 403.
        String closed = a.client().post("/_matrix/client/v3/createRoom", alice, Json.parse("{\"preset\": \"private_chat\"}")).text("room_id");
        Resp refused = b.client().post("/_matrix/client/v3/knock/" + TestClient.seg(closed) + "?server_name=" + TestClient.seg(nameA()), bob,
                Json.object());
        assertThat(refused.status()).isEqualTo(403);

        // A knock on a v12 room (whose ID names no server) is withdrawn through the servers of its stripped state.
        String v12 = a.client().post("/_matrix/client/v3/createRoom", alice, Json.parse("{\"preset\": \"private_chat\", "
                + "\"room_version\": \"12\", \"initial_state\": [{\"type\": \"m.room.join_rules\", \"content\": {\"join_rule\": \"knock\"}}]}"))
                .text("room_id");
        Resp knock12 = b.client().post("/_matrix/client/v3/knock/" + TestClient.seg(v12) + "?server_name=" + TestClient.seg(nameA()), bob,
                Json.object());
        assertThat(knock12.status()).as(knock12.toString()).isEqualTo(200);
        Resp withdrawn = b.client().post(path(v12) + "/leave", bob, Json.object());
        assertThat(withdrawn.status()).as(withdrawn.toString()).isEqualTo(200);
        FederationApiTest.waitFor(() -> {
            Resp member = a.client().get(path(v12) + "/state/m.room.member/" + TestClient.seg(bobId), alice);
            return member.status() == 200 && member.body().path("membership").asText().equals("leave") ? member.body() : null;
        });
        assertThat(syncRooms(b, bob, "knock").has(v12)).isFalse();
    }

    @Test
    void invitesWithBadInputAreRefused() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("nina" + n);
        String roomId = createRoom(a, alice, "11");
        String p = "/_matrix/federation/v2/invite/" + Paths.segment(roomId) + "/" + Paths.segment("$x");
        FederationException version = assertThrows(() -> asB.request(nameA(), "PUT", p,
                Json.parse("{\"room_version\": \"5\", \"event\": {}, \"invite_room_state\": []}"), 5000));
        assertThat(version.status()).isEqualTo(400);
        assertThat(version.body().path("errcode").asText()).isEqualTo("M_INCOMPATIBLE_ROOM_VERSION");
        JsonNode notInvite = Json.parse("{\"room_version\": \"11\", \"event\": {\"type\": \"m.room.member\", \"room_id\": \"" + roomId
                + "\", \"sender\": \"@x:" + nameB() + "\", \"state_key\": \"@nina" + n + ":" + nameA() + "\", \"content\": {\"membership\": \"join\"}}}");
        assertThat(assertThrows(() -> asB.request(nameA(), "PUT", p, notInvite, 5000)).status()).isEqualTo(400);
        JsonNode otherServer = Json.parse(notInvite.toString().replace("\"join\"", "\"invite\"").replace("@nina" + n + ":" + nameA(), "@y:" + nameB()));
        assertThat(assertThrows(() -> asB.request(nameA(), "PUT", p, otherServer, 5000)).status()).isEqualTo(403);
        JsonNode unsigned = Json.parse(notInvite.toString().replace("\"join\"", "\"invite\""));
        assertThat(assertThrows(() -> asB.request(nameA(), "PUT", p, unsigned, 5000)).status()).isEqualTo(400);
        JsonNode unknownUser = Json.parse(unsigned.toString().replace("@nina" + n, "@nobody" + n));
        assertThat(assertThrows(() -> asB.request(nameA(), "PUT", p, unknownUser, 5000)).status()).isEqualTo(404);
        JsonNode noVersion = Json.parse("{\"event\": {}}");
        assertThat(assertThrows(() -> asB.request(nameA(), "PUT", p, noVersion, 5000)).status()).isEqualTo(400);
    }

    @Test
    void aRemoteUsersNewDeviceReachesDeviceListsInSync() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("olga" + n);
        String bob = b.registerToken("paul" + n);
        String bobId = "@paul" + n + ":" + nameB();
        String roomId = createRoom(a, alice, "11");
        String before = a.client().get("/_matrix/client/v3/sync?timeout=0", alice).body().path("next_batch").asText();
        assertThat(joinThroughA(bob, roomId).status()).isEqualTo(200);
        // Alice's sync after Bob joined lists him as changed (his devices are new to her).
        String since = FederationApiTest.waitFor(() -> {
            JsonNode sync = a.client().get("/_matrix/client/v3/sync?timeout=0&since=" + before, alice).body();
            return sync.path("device_lists").path("changed").toString().contains(bobId) ? sync.path("next_batch") : null;
        }).asText();
        // Bob logs in on a second device: B tells A, and Alice's next sync lists Bob again.
        Resp login = b.client().login("paul" + n, "password-paul" + n, "SECOND");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        FederationApiTest.waitFor(() -> {
            JsonNode sync = a.client().get("/_matrix/client/v3/sync?timeout=0&since=" + since, alice).body();
            return sync.path("device_lists").path("changed").toString().contains(bobId) ? sync : null;
        });
    }

    @Test
    void aLateJoinerPagesBackThroughHistoryBackfilledFromTheResident() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("sara" + n);
        String bob = b.registerToken("tom" + n);
        String roomId = createRoom(a, alice, "11");
        for (int i = 0; i < 30; i++) send(a, alice, roomId, "history " + i);
        assertThat(joinThroughA(bob, roomId).status()).isEqualTo(200);
        // Bob pages back from the end: the room's history before his join comes from A, in order, then the room's creation.
        List<String> seen = new ArrayList<>();
        List<String> types = new ArrayList<>();
        String from = null;
        for (int page = 0; page < 10; page++) {
            JsonNode body = b.client().get(path(roomId) + "/messages?dir=b&limit=10" + (from == null ? "" : "&from=" + from), bob).body();
            for (JsonNode event : body.path("chunk")) {
                types.add(event.path("type").asText());
                if (event.path("type").asText().equals("m.room.message")) seen.add(event.path("content").path("body").asText());
            }
            if (!body.has("end")) break;
            from = body.path("end").asText();
        }
        List<String> expected = new ArrayList<>();
        for (int i = 29; i >= 0; i--) expected.add("history " + i);
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(types.get(types.size() - 1)).isEqualTo("m.room.create");
        // A second pass reads it all from here, without asking A again.
        JsonNode again = b.client().get(path(roomId) + "/messages?dir=b&limit=100", bob).body();
        assertThat(again.path("chunk").size()).isEqualTo(types.size());
    }

    @Test
    void aServerTheAclDeniesIsKeptOut() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("uma" + n);
        String bob = b.registerToken("vic" + n);
        String bobId = "@vic" + n + ":" + nameB();
        String roomId = createRoom(a, alice, "11");
        assertThat(joinThroughA(bob, roomId).status()).isEqualTo(200);
        send(b, bob, roomId, "before the acl");
        awaitBody(a, alice, roomId, "before the acl");
        // Alice denies B (by host, whatever the port): B's events and requests are refused from then on.
        Resp acl = a.client().put(path(roomId) + "/state/m.room.server_acl/", alice,
                Json.parse("{\"allow\": [\"*\"], \"deny\": [\"localhost\"], \"allow_ip_literals\": true}"));
        assertThat(acl.status()).isEqualTo(200);
        send(b, bob, roomId, "after the acl");
        FederationException join = assertThrowsFederation(() -> asB.request(nameA(), "GET", "/_matrix/federation/v1/make_join/"
                + Paths.segment(roomId) + "/" + Paths.segment(bobId) + "?ver=11", null, 5000));
        assertThat(join.status()).isEqualTo(403);
        String latest = a.client().get(path(roomId) + "/messages?dir=b&limit=1", alice).body().path("chunk").get(0).path("event_id").asText();
        FederationException backfill = assertThrowsFederation(() -> asB.request(nameA(), "GET", "/_matrix/federation/v1/backfill/"
                + Paths.segment(roomId) + "?limit=5&v=" + Paths.query(latest), null, 5000));
        assertThat(backfill.status()).isEqualTo(403);
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        assertThat(bodies(a, alice, roomId)).doesNotContain("after the acl");
    }

    private static FederationException assertThrowsFederation(Runnable call) {
        return assertThrows(call);
    }

    @Test
    void anotherServersPublicRoomsAndTimestampsAreReadable() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("wes" + n);
        String bob = b.registerToken("xena" + n);
        String name = "Directory " + n + " " + System.nanoTime();
        Resp created = a.client().post("/_matrix/client/v3/createRoom", alice,
                Json.parse("{\"preset\": \"public_chat\", \"visibility\": \"public\", \"name\": \"" + name + "\"}"));
        String roomId = created.text("room_id");
        JsonNode listed = b.client().get("/_matrix/client/v3/publicRooms?limit=100&server=" + TestClient.seg(nameA()), bob).body();
        assertThat(listed.path("chunk").toString()).contains(roomId).contains(name);
        JsonNode filtered = b.client().post("/_matrix/client/v3/publicRooms?server=" + TestClient.seg(nameA()), bob,
                Json.parse("{\"filter\": {\"generic_search_term\": \"" + name + "\"}}")).body();
        assertThat(filtered.path("chunk").size()).isEqualTo(1);
        FederationException badLimit = assertThrows(() -> asB.request(nameA(), "GET", "/_matrix/federation/v1/publicRooms?limit=lots", null, 5000));
        assertThat(badLimit.status()).isEqualTo(400);
        // timestamp_to_event over federation, for a server with a member in the room.
        assertThat(joinThroughA(bob, roomId).status()).isEqualTo(200);
        JsonNode closest = asB.request(nameA(), "GET", "/_matrix/federation/v1/timestamp_to_event/" + Paths.segment(roomId)
                + "?dir=b&ts=" + System.currentTimeMillis(), null, 5000);
        assertThat(closest.path("event_id").asText()).startsWith("$");
        FederationException badDir = assertThrows(() -> asB.request(nameA(), "GET", "/_matrix/federation/v1/timestamp_to_event/"
                + Paths.segment(roomId) + "?dir=up&ts=1", null, 5000));
        assertThat(badDir.status()).isEqualTo(400);
    }

    @Test
    void presenceGoesToServersSharingARoom() {
        String n = String.valueOf(backend.ordinal());
        String alice = a.registerToken("yara" + n);
        String bob = b.registerToken("zeno" + n);
        String aliceId = "@yara" + n + ":" + nameA();
        String roomId = createRoom(a, alice, "11");
        assertThat(joinThroughA(bob, roomId).status()).isEqualTo(200);
        FederationApiTest.waitFor(() -> a.client().get(path(roomId) + "/joined_members", alice).body().path("joined")
                .has("@zeno" + n + ":" + nameB()) ? Json.object() : null);
        assertThat(a.client().put("/_matrix/client/v3/presence/" + TestClient.seg(aliceId) + "/status", alice,
                Json.parse("{\"presence\": \"unavailable\", \"status_msg\": \"in a call\"}")).status()).isEqualTo(200);
        JsonNode seen = FederationApiTest.waitFor(() -> {
            Resp read = b.client().get("/_matrix/client/v3/presence/" + TestClient.seg(aliceId) + "/status", bob);
            return read.status() == 200 && "in a call".equals(read.body().path("status_msg").asText()) ? read.body() : null;
        });
        assertThat(seen.path("presence").asText()).isEqualTo("unavailable");
        // A server cannot set the presence of another server's users.
        var body = Json.object().put("origin", nameB()).put("origin_server_ts", System.currentTimeMillis());
        body.putArray("pdus");
        var push = Json.object();
        push.putArray("push").addObject().put("user_id", aliceId).put("presence", "offline").put("status_msg", "forged");
        body.putArray("edus").addObject().put("edu_type", "m.presence").set("content", push);
        asB.request(nameA(), "PUT", "/_matrix/federation/v1/send/presence" + System.nanoTime(), body, 5000);
        assertThat(a.client().get("/_matrix/client/v3/presence/" + TestClient.seg(aliceId) + "/status", alice).body()
                .path("status_msg").asText()).isEqualTo("in a call");
    }

    @Test
    void aRemoteAliasLeadsToTheRoom() {
        String alice = a.registerToken("carol" + backend.ordinal());
        String bob = b.registerToken("dave" + backend.ordinal());
        String roomId = createRoom(a, alice, "11");
        String alias = "#lobby" + backend.ordinal() + ":" + nameA();
        assertThat(a.client().put("/_matrix/client/v3/directory/room/" + TestClient.seg(alias), alice,
                Json.object().put("room_id", roomId)).status()).isEqualTo(200);
        Resp joined = b.client().post("/_matrix/client/v3/join/" + TestClient.seg(alias), bob, Json.object());
        assertThat(joined.status()).as(joined.toString()).isEqualTo(200);
        assertThat(joined.text("room_id")).isEqualTo(roomId);
    }

    @Test
    void joiningAnInviteOnlyRoomIsRefusedWithTheResidentsError() {
        String alice = a.registerToken("erin" + backend.ordinal());
        String bob = b.registerToken("frank" + backend.ordinal());
        Resp created = a.client().post("/_matrix/client/v3/createRoom", alice, Json.parse("{\"preset\": \"private_chat\"}"));
        String roomId = created.text("room_id");
        Resp refused = joinThroughA(bob, roomId);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errcode()).isEqualTo("M_FORBIDDEN");
        // A room nobody knows: 404 from the resident.
        Resp unknown = b.client().post("/_matrix/client/v3/join/" + TestClient.seg("!nothing:" + nameA()), bob, Json.object());
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void roomEndpointsAnswerBadRequestsWithSpecErrors() {
        String alice = a.registerToken("gina" + backend.ordinal());
        String roomId = createRoom(a, alice, "11");
        String p = "/_matrix/federation/v1";
        String bobOfB = "@x:" + nameB();
        // make_join: a version the joiner lacks, a user of another server, an unknown room.
        FederationException incompatible = assertThrows(() -> asB.request(nameA(), "GET",
                p + "/make_join/" + Paths.segment(roomId) + "/" + Paths.segment(bobOfB) + "?ver=10", null, 5000));
        assertThat(incompatible.status()).isEqualTo(400);
        assertThat(incompatible.body().path("errcode").asText()).isEqualTo("M_INCOMPATIBLE_ROOM_VERSION");
        assertThat(incompatible.body().path("room_version").asText()).isEqualTo("11");
        FederationException otherServer = assertThrows(() -> asB.request(nameA(), "GET",
                p + "/make_join/" + Paths.segment(roomId) + "/" + Paths.segment("@x:" + nameA()) + "?ver=11", null, 5000));
        assertThat(otherServer.status()).isEqualTo(403);
        FederationException unknown = assertThrows(() -> asB.request(nameA(), "GET",
                p + "/make_join/" + Paths.segment("!none:" + nameA()) + "/" + Paths.segment(bobOfB) + "?ver=11", null, 5000));
        assertThat(unknown.status()).isEqualTo(404);
        // A template is a join of that user with the room's extremities.
        JsonNode made = asB.request(nameA(), "GET", p + "/make_join/" + Paths.segment(roomId) + "/" + Paths.segment(bobOfB) + "?ver=11",
                null, 5000);
        assertThat(made.path("room_version").asText()).isEqualTo("11");
        assertThat(made.path("event").path("content").path("membership").asText()).isEqualTo("join");
        assertThat(made.path("event").path("prev_events").size()).isEqualTo(1);
        assertThat(made.path("event").has("signatures")).isFalse();
        // send_join: not a join, or not signed at all.
        JsonNode notJoin = Json.parse(made.path("event").toString().replace("\"join\"", "\"leave\""));
        FederationException leave = assertThrows(() -> asB.request(nameA(), "PUT",
                "/_matrix/federation/v2/send_join/" + Paths.segment(roomId) + "/" + Paths.segment("$x"), notJoin, 5000));
        assertThat(leave.status()).isEqualTo(400);
        FederationException unsigned = assertThrows(() -> asB.request(nameA(), "PUT",
                "/_matrix/federation/v2/send_join/" + Paths.segment(roomId) + "/" + Paths.segment("$x"), made.path("event"), 5000));
        assertThat(unsigned.status()).isEqualTo(400);
        assertThat(unsigned.body().path("errcode").asText()).isEqualTo("M_BAD_JSON");
        // Reads of a room B has no member in are refused; bad bodies and parameters get 400.
        FederationException stateIds = assertThrows(() -> asB.request(nameA(), "GET",
                p + "/state_ids/" + Paths.segment(roomId) + "?event_id=" + Paths.query(made.path("event").path("prev_events").get(0).asText()),
                null, 5000));
        assertThat(stateIds.status()).isEqualTo(403);
        FederationException noEventId = assertThrows(() -> asB.request(nameA(), "GET", p + "/state_ids/" + Paths.segment(roomId), null, 5000));
        assertThat(noEventId.status()).isEqualTo(400);
        FederationException badBody = assertThrows(() -> asB.request(nameA(), "POST", p + "/get_missing_events/" + Paths.segment(roomId),
                Json.parse("{\"earliest_events\": 5, \"latest_events\": []}"), 5000));
        assertThat(badBody.status()).isEqualTo(400);
        FederationException noV = assertThrows(() -> asB.request(nameA(), "GET", p + "/backfill/" + Paths.segment(roomId) + "?limit=5",
                null, 5000));
        assertThat(noV.status()).isEqualTo(400);
        FederationException noEvent = assertThrows(() -> asB.request(nameA(), "GET", p + "/event/" + Paths.segment("$nothing"), null, 5000));
        assertThat(noEvent.status()).isEqualTo(404);
    }

    private static FederationException assertThrows(Runnable call) {
        try {
            call.run();
        } catch (FederationException e) {
            return e;
        }
        throw new AssertionError("the request succeeded");
    }
}
