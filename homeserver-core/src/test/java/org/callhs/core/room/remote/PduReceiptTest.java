package org.callhs.core.room.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.spi.FederatedRooms;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.ModuleContext;
import org.callhs.core.spi.RemoteEvents;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checks on receipt of a PDU, in order, each with its negative case, on a real database
 * and real signatures: a second server, {@code remote.test}, exists only as a signing key and
 * the events it builds and serves (this test plays its side of {@code /event},
 * {@code /event_auth}, {@code /get_missing_events} and {@code /state_ids}). The local room is
 * created through the client API; the remote user joins it by PDU.
 */
@ParameterizedClass
@CsvSource({"SQLITE, 11", "POSTGRES, 11", "SQLITE, 12", "POSTGRES, 12"})
class PduReceiptTest {
    static final String REMOTE = "remote.test";
    static final String BOB = "@bob:" + REMOTE;
    static final String CAROL = "@carol:" + REMOTE;

    @Parameter(0)
    Backend backend;
    @Parameter(1)
    String versionId;

    private final SigningKey remoteKey = new SigningKey("r1", seed());
    private final JsonSigner remoteSigner = new JsonSigner(REMOTE, remoteKey);
    private final Map<String, ObjectNode> served = new LinkedHashMap<>();
    private final List<String> missingEventsAnswer = new ArrayList<>();
    private final Map<String, RemoteEvents.StateIds> stateIdsAnswers = new HashMap<>();
    private FederatedRooms rooms;
    private org.callhs.core.spi.SoftFailedEvents softFailures;
    /** What the modules' hooks heard: timeline events written, soft-failed events stored, servers that became resident. */
    private final List<String> hookedTimeline = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> hookedSoftFailed = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> hookedServerJoins = new java.util.concurrent.CopyOnWriteArrayList<>();
    private TestServer server;
    private TestClient client;
    private RoomVersion version;
    private String alice;
    private String roomId;
    private final Map<String, String> state = new HashMap<>();
    private final Map<String, Long> depths = new HashMap<>();

    @BeforeEach
    void start() {
        version = RoomVersion.require(versionId);
        HomeserverModule fakeFederation = new HomeserverModule() {
            @Override public String name() { return "fake-remote"; }
            @Override public void install(ModuleContext ctx) {
                ctx.setServerKeys((server, keyId, validAt) ->
                        server.equals(REMOTE) && keyId.equals("ed25519:r1")
                                ? Optional.of(org.callhs.core.crypto.UnpaddedBase64.decode(remoteKey.publicKeyBase64())) : Optional.empty());
                ctx.setRemoteEvents(new ServedEvents());
                ctx.addEventWriteHook((tx, event) -> hookedTimeline.add(event.eventId()));
                ctx.addSoftFailedHook((tx, room, eventId, pdu) -> hookedSoftFailed.add(eventId));
                ctx.addServerJoinListener((tx, room, joined, join) -> hookedServerJoins.add(joined + " " + join.eventId()));
                ctx.onStarted(() -> {
                    rooms = ctx.federatedRooms();
                    softFailures = ctx.softFailedEvents();
                });
            }
        };
        server = TestServer.start(backend, List.of(fakeFederation));
        client = server.client();
        alice = server.registerToken("alice");
        Resp created = client.post("/_matrix/client/v3/createRoom", alice,
                Json.parse("{\"preset\": \"public_chat\", \"room_version\": \"" + versionId + "\"}"));
        assertThat(created.status()).isEqualTo(200);
        roomId = created.text("room_id");
        refreshState();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] seed() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return seed;
    }

    private String path() { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    /** The room's forward extremities as stored. */
    private List<String> extremities() {
        return server.homeserver().database().dsl()
                .fetch("SELECT event_id FROM room_forward_extremities WHERE room_id = ? ORDER BY event_id", roomId)
                .map(r -> r.get(0, String.class));
    }

    private long depthOf(String eventId) {
        Long known = depths.get(eventId);
        if (known != null) return known;
        return server.homeserver().database().dsl().fetch("SELECT depth FROM events WHERE event_id = ?", eventId).get(0).get(0, Long.class);
    }

    /** A signed remote PDU; {@code auth} lists state keys ("type|key") resolved from the test's view of the state. */
    private ObjectNode pdu(String type, String stateKey, String sender, String content, List<String> prevs, List<String> authKeys) {
        ObjectNode pdu = Json.object();
        pdu.put("type", type);
        pdu.put("room_id", roomId);
        pdu.put("sender", sender);
        if (stateKey != null) pdu.put("state_key", stateKey);
        pdu.set("content", Json.parse(content));
        pdu.put("origin_server_ts", System.currentTimeMillis());
        long depth = 0;
        ArrayNode prevArray = pdu.putArray("prev_events");
        for (String prev : prevs) {
            prevArray.add(prev);
            depth = Math.max(depth, depthOf(prev));
        }
        pdu.put("depth", depth + 1);
        ArrayNode auth = pdu.putArray("auth_events");
        if (version.createEventInAuthEvents()) auth.add(state.get("m.room.create|"));
        for (String key : authKeys) if (state.containsKey(key)) auth.add(state.get(key));
        EventHashes.hashAndSign(pdu, version, remoteSigner);
        depths.put(EventHashes.eventId(pdu, version), depth + 1);
        return pdu;
    }

    private static String id(ObjectNode pdu, RoomVersion version) { return EventHashes.eventId(pdu, version); }

    private String id(ObjectNode pdu) { return id(pdu, version); }

    private FederatedRooms.PduResult receive(ObjectNode pdu) {
        List<FederatedRooms.PduResult> results = rooms.receive(REMOTE, List.of(pdu));
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    /** Bob (remote.test) joins the public room; returns his join event ID. */
    private String bobJoins() {
        ObjectNode join = pdu("m.room.member", BOB, BOB, "{\"membership\": \"join\"}", extremities(),
                List.of("m.room.power_levels|", "m.room.join_rules|"));
        FederatedRooms.PduResult result = receive(join);
        assertThat(result.error()).isNull();
        assertThat(result.eventId()).isEqualTo(id(join));
        state.put("m.room.member|" + BOB, id(join));
        return id(join);
    }

    private ObjectNode message(String sender, String body, List<String> prevs) {
        return pdu("m.room.message", null, sender, "{\"msgtype\": \"m.text\", \"body\": \"" + body + "\"}", prevs,
                List.of("m.room.power_levels|", "m.room.member|" + sender));
    }

    private List<String> timelineBodies() {
        List<String> bodies = new ArrayList<>();
        for (JsonNode event : client.get(path() + "/messages?dir=b&limit=50", alice).body().path("chunk")) {
            if (event.path("type").asText().equals("m.room.message")) bodies.add(event.path("content").path("body").asText());
        }
        return bodies;
    }

    @Test
    void aRemoteJoinAndMessageReachTheRoomAndMoveTheExtremities() {
        String join = bobJoins();
        assertThat(extremities()).containsExactly(join);
        JsonNode members = client.get(path() + "/joined_members", alice).body().path("joined");
        assertThat(members.has(BOB)).isTrue();
        ObjectNode hello = message(BOB, "hello from remote", List.of(join));
        assertThat(receive(hello).error()).isNull();
        assertThat(timelineBodies()).containsExactly("hello from remote");
        assertThat(extremities()).containsExactly(id(hello));
        // Sending it again changes nothing.
        assertThat(receive(hello).error()).isNull();
        assertThat(timelineBodies()).containsExactly("hello from remote");
        // A local send now follows the remote event.
        Resp local = client.put(path() + "/send/m.room.message/t1", alice, Json.parse("{\"msgtype\": \"m.text\", \"body\": \"reply\"}"));
        JsonNode pdu = Json.parse(server.homeserver().database().dsl()
                .fetch("SELECT pdu FROM events WHERE event_id = ?", local.text("event_id")).get(0).get(0, String.class));
        assertThat(pdu.path("prev_events").get(0).asText()).isEqualTo(id(hello));
    }

    @Test
    void aBadSignatureDropsTheEventAndNothingElse() {
        String join = bobJoins();
        ObjectNode forged = message(BOB, "forged", List.of(join));
        ((ObjectNode) forged.get("content")).put("body", "changed after signing");
        forged.put("depth", 99); // covered by the signature: it no longer verifies
        ObjectNode good = message(BOB, "good", List.of(join));
        List<FederatedRooms.PduResult> results = rooms.receive(REMOTE, List.of(forged, good));
        assertThat(results.get(0).error()).contains("signature");
        assertThat(results.get(1).error()).isNull();
        assertThat(timelineBodies()).containsExactly("good");
        // Unsigned by the sender's server (a key nobody knows) is dropped the same way.
        ObjectNode unknownKey = message(BOB, "unknown key", List.of(id(good)));
        ObjectNode signatures = (ObjectNode) unknownKey.get("signatures").get(REMOTE);
        signatures.set("ed25519:other", signatures.remove("ed25519:r1"));
        assertThat(receive(unknownKey).error()).contains("no valid signature of remote.test");
        assertThat(server.homeserver().database().dsl().fetchCount(
                server.homeserver().database().dsl().selectFrom("events").where("event_id = ?", id(forged)))).isZero();
    }

    @Test
    void aContentHashMismatchKeepsTheRedactedEvent() {
        String join = bobJoins();
        ObjectNode tampered = message(BOB, "original", List.of(join));
        ((ObjectNode) tampered.get("content")).put("body", "tampered"); // content is outside the signed redacted form
        FederatedRooms.PduResult result = receive(tampered);
        assertThat(result.error()).isNull();
        JsonNode chunk = client.get(path() + "/messages?dir=b&limit=1", alice).body().path("chunk").get(0);
        assertThat(chunk.path("event_id").asText()).isEqualTo(id(tampered));
        assertThat(chunk.path("content").size()).isZero();
    }

    @Test
    void anEventItsAuthEventsDoNotAllowIsRejected() {
        String join = bobJoins();
        // Carol never joined: her own auth events hold no membership for her.
        ObjectNode intruder = message(CAROL, "let me in", List.of(join));
        FederatedRooms.PduResult result = receive(intruder);
        assertThat(result.error()).contains("not allowed by its auth events");
        // Citing an auth event that is not allowed for it (join rules on a message) is rejected too.
        ObjectNode odd = pdu("m.room.message", null, BOB, "{\"body\": \"x\"}", List.of(join),
                List.of("m.room.power_levels|", "m.room.member|" + BOB, "m.room.join_rules|"));
        assertThat(receive(odd).error()).contains("not one the selection rules allow");
        assertThat(timelineBodies()).isEmpty();
        assertThat(extremities()).containsExactly(join);
        String rejected = server.homeserver().database().dsl()
                .fetch("SELECT rejected_reason FROM events WHERE event_id = ?", id(intruder)).get(0).get(0, String.class);
        assertThat(rejected).contains("sender is not joined");
    }

    @Test
    void anEventTheStateBeforeItDoesNotAllowIsRejected() {
        String join = bobJoins();
        // Bob leaves; an event after his leave citing his old join as auth event passes its auth events
        // but not the state before it.
        ObjectNode leave = pdu("m.room.member", BOB, BOB, "{\"membership\": \"leave\"}", List.of(join),
                List.of("m.room.power_levels|", "m.room.member|" + BOB));
        assertThat(receive(leave).error()).isNull();
        ObjectNode ghost = message(BOB, "ghost", List.of(id(leave)));
        assertThat(receive(ghost).error()).contains("not allowed by the state before it");
        assertThat(timelineBodies()).isEmpty();
    }

    @Test
    void anEventTheCurrentStateNoLongerAllowsIsSoftFailed() {
        String join = bobJoins();
        Resp ban = client.post(path() + "/ban", alice, Json.parse("{\"user_id\": \"" + BOB + "\"}"));
        assertThat(ban.status()).isEqualTo(200);
        // Written before Bob saw the ban: allowed by the state before it, not by the current state.
        ObjectNode late = message(BOB, "sent before the ban arrived", List.of(join));
        FederatedRooms.PduResult result = receive(late);
        assertThat(result.error()).isNull();
        assertThat(timelineBodies()).isEmpty();
        assertThat(extremities()).containsExactly(ban.body().path("event_id").asText(null) == null
                ? extremities().get(0) : ban.body().path("event_id").asText());
        Boolean softFailed = server.homeserver().database().dsl()
                .fetch("SELECT soft_failed FROM events WHERE event_id = ?", id(late)).get(0).get(0, Boolean.class);
        assertThat(softFailed).isTrue();
    }

    @Test
    void forksMergeAndTheNextLocalEventNamesEveryExtremity() {
        String join = bobJoins();
        ObjectNode left = message(BOB, "left", List.of(join));
        ObjectNode right = message(BOB, "right", List.of(join));
        assertThat(rooms.receive(REMOTE, List.of(left, right))).allMatch(r -> r.error() == null);
        assertThat(extremities()).containsExactlyInAnyOrder(id(left), id(right));
        Resp local = client.put(path() + "/send/m.room.message/t1", alice, Json.parse("{\"msgtype\": \"m.text\", \"body\": \"merge\"}"));
        assertThat(extremities()).containsExactly(local.text("event_id"));
        JsonNode pdu = Json.parse(server.homeserver().database().dsl()
                .fetch("SELECT pdu FROM events WHERE event_id = ?", local.text("event_id")).get(0).get(0, String.class));
        List<String> prevs = new ArrayList<>();
        pdu.path("prev_events").forEach(p -> prevs.add(p.asText()));
        assertThat(prevs).containsExactlyInAnyOrder(id(left), id(right));
        assertThat(pdu.path("depth").asLong()).isEqualTo(depthOf(id(left)) + 1);
    }

    @Test
    void aForkThatChangesStateIsResolved() {
        String join = bobJoins();
        // Alice makes Bob a moderator; concurrently (not knowing it) Bob sends a message. Then Bob,
        // now a moderator in the merged state, sets the topic with both as prev events.
        Resp levels = client.get(path() + "/state/m.room.power_levels", alice);
        ObjectNode content = (ObjectNode) levels.body();
        ((ObjectNode) content.withObject("users")).put(BOB, 50);
        Resp promoted = client.put(path() + "/state/m.room.power_levels", alice, content);
        assertThat(promoted.status()).isEqualTo(200);
        state.put("m.room.power_levels|", promoted.text("event_id"));
        ObjectNode meanwhile = message(BOB, "meanwhile", List.of(join));
        assertThat(receive(meanwhile).error()).isNull();
        assertThat(extremities()).containsExactlyInAnyOrder(promoted.text("event_id"), id(meanwhile));
        ObjectNode topic = pdu("m.room.topic", "", BOB, "{\"topic\": \"set by bob\"}", List.of(promoted.text("event_id"), id(meanwhile)),
                List.of("m.room.power_levels|", "m.room.member|" + BOB));
        assertThat(receive(topic).error()).isNull();
        assertThat(client.get(path() + "/state/m.room.topic", alice).body().path("topic").asText()).isEqualTo("set by bob");
        assertThat(extremities()).containsExactly(id(topic));
    }

    @Test
    void missingPrevEventsAreFetchedWithGetMissingEvents() {
        String join = bobJoins();
        ObjectNode first = message(BOB, "first", List.of(join));
        ObjectNode second = message(BOB, "second", List.of(id(first)));
        served.put(id(first), first);
        missingEventsAnswer.add(id(first));
        assertThat(receive(second).error()).isNull();
        assertThat(timelineBodies()).containsExactly("second", "first");
        assertThat(extremities()).containsExactly(id(second));
    }

    @Test
    void missingAuthEventsAreFetchedFromTheAuthChain() {
        String join = bobJoins();
        // Bob changes his display name; that event is not delivered, but the next one names it as an auth event.
        ObjectNode rename = pdu("m.room.member", BOB, BOB, "{\"membership\": \"join\", \"displayname\": \"Bob\"}", List.of(join),
                List.of("m.room.power_levels|", "m.room.member|" + BOB, "m.room.join_rules|"));
        served.put(id(rename), rename);
        state.put("m.room.member|" + BOB, id(rename));
        ObjectNode message = message(BOB, "renamed", List.of(join));
        assertThat(receive(message).error()).isNull();
        assertThat(timelineBodies()).containsExactly("renamed");
        Boolean outlier = server.homeserver().database().dsl()
                .fetch("SELECT outlier FROM events WHERE event_id = ?", id(rename)).get(0).get(0, Boolean.class);
        assertThat(outlier).isTrue();
    }

    /** Reads the room's current state into the test's view of it (the auth events of the PDUs it builds). */
    private void refreshState() {
        for (JsonNode event : client.get(path() + "/state", alice).body()) {
            state.put(event.path("type").asText() + "|" + event.path("state_key").asText(), event.path("event_id").asText());
        }
    }

    /** The server joins the listeners heard for the remote server (this server's own first join, alice's, is heard too). */
    private List<String> remoteServerJoins() {
        return hookedServerJoins.stream().filter(j -> j.startsWith(REMOTE + " ")).toList();
    }

    /** An event first stored as an outlier (an auth event) that arrives itself later joins the timeline, and the write hooks hear it then. */
    @Test
    void anOutlierThatArrivesLaterJoinsTheTimelineAndTheWriteHooks() {
        String join = bobJoins();
        ObjectNode rename = pdu("m.room.member", BOB, BOB, "{\"membership\": \"join\", \"displayname\": \"Bob\"}", List.of(join),
                List.of("m.room.power_levels|", "m.room.member|" + BOB, "m.room.join_rules|"));
        served.put(id(rename), rename);
        state.put("m.room.member|" + BOB, id(rename));
        assertThat(receive(message(BOB, "renamed", List.of(join))).error()).isNull();
        assertThat(hookedTimeline).doesNotContain(id(rename));
        assertThat(receive(rename).error()).isNull();
        var row = server.homeserver().database().dsl().fetch("SELECT outlier, stream_ordering FROM events WHERE event_id = ?", id(rename))
                .get(0);
        assertThat(row.get(0, Boolean.class)).isFalse();
        assertThat(row.get(1, Long.class)).isNotNull();
        assertThat(hookedTimeline).contains(id(rename));
    }

    /**
     * A soft-failed event is heard by the soft-failure hooks, stays out while the current state refuses it, and is
     * readmitted (a new stream position, the write hooks, the timeline) once the state allows it; a soft-failed state
     * event is never readmitted.
     */
    @Test
    void aSoftFailedEventIsReadmittedOnceTheCurrentStateAllowsIt() {
        // Members may set org.example.thing, so bob's late state event passes against the state before it.
        JsonNode levels = client.get(path() + "/state/m.room.power_levels", alice).body();
        ((ObjectNode) levels.path("events")).put("org.example.thing", 0);
        assertThat(client.put(path() + "/state/m.room.power_levels", alice, levels).status()).isEqualTo(200);
        refreshState();
        String join = bobJoins();
        assertThat(remoteServerJoins()).containsExactly(REMOTE + " " + join);
        Resp kick = client.post(path() + "/kick", alice, Json.parse("{\"user_id\": \"" + BOB + "\"}"));
        assertThat(kick.status()).isEqualTo(200);
        ObjectNode late = message(BOB, "sent before the kick arrived", List.of(join));
        ObjectNode lateState = pdu("org.example.thing", "", BOB, "{\"v\": 1}", List.of(join),
                List.of("m.room.power_levels|", "m.room.member|" + BOB));
        assertThat(receive(late).error()).isNull();
        assertThat(receive(lateState).error()).isNull();
        assertThat(hookedSoftFailed).containsExactly(id(late), id(lateState));
        assertThat(softFailures.readmit(roomId, List.of(id(late), id(lateState)))).isEmpty();
        assertThat(timelineBodies()).isEmpty();

        // Bob joins again: his late message now passes against the current state.
        refreshState();
        ObjectNode rejoin = pdu("m.room.member", BOB, BOB, "{\"membership\": \"join\"}", extremities(),
                List.of("m.room.power_levels|", "m.room.join_rules|", "m.room.member|" + BOB));
        assertThat(receive(rejoin).error()).isNull();
        assertThat(remoteServerJoins()).containsExactly(REMOTE + " " + join, REMOTE + " " + id(rejoin));
        assertThat(softFailures.readmit(roomId, List.of(id(late), id(lateState), "$unknown"))).containsExactly(id(late));
        assertThat(timelineBodies()).containsExactly("sent before the kick arrived");
        assertThat(hookedTimeline).contains(id(late)).doesNotContain(id(lateState));
        // Readmitting it again does nothing.
        assertThat(softFailures.readmit(roomId, List.of(id(late)))).isEmpty();
    }

    @Test
    void aGapGetMissingEventsCannotCloseIsFilledFromTheStateAtTheMissingEvent() {
        String join = bobJoins();
        ObjectNode unseen = message(BOB, "unseen", List.of(join));
        ObjectNode after = message(BOB, "after the gap", List.of(id(unseen)));
        // get_missing_events answers nothing; /state_ids and /event describe the missing event.
        served.put(id(unseen), unseen);
        List<String> stateIds = new ArrayList<>(state.values());
        stateIdsAnswers.put(id(unseen), new RemoteEvents.StateIds(stateIds, List.of()));
        assertThat(receive(after).error()).isNull();
        assertThat(timelineBodies()).containsExactly("after the gap");
        assertThat(extremities()).contains(id(after));
    }

    @Test
    void eventsForRoomsThisServerIsNotInAreRefused() {
        ObjectNode elsewhere = message(BOB, "x", List.of());
        elsewhere.put("room_id", "!unknown:remote.test");
        FederatedRooms.PduResult result = rooms.receive(REMOTE, List.of(elsewhere)).get(0);
        assertThat(result.error()).contains("not in room");
        assertThat(rooms.receive(REMOTE, List.of(Json.parse("[1]"), Json.parse("{\"room_id\": 5}"))))
                .allMatch(r -> r.error() != null);
    }

    /** The remote server's answers to fetches, from what the test put in {@link #served}. */
    private final class ServedEvents implements RemoteEvents {
        @Override public Optional<JsonNode> event(String server, String eventId) {
            return Optional.ofNullable(served.get(eventId));
        }

        @Override public List<JsonNode> eventAuth(String server, String roomId, String eventId) {
            List<JsonNode> chain = new ArrayList<>(served.values());
            for (String id : state.values()) {
                var rows = PduReceiptTest.this.server.homeserver().database().dsl().fetch("SELECT pdu FROM events WHERE event_id = ?", id);
                if (!rows.isEmpty()) chain.add(Json.parse(rows.get(0).get(0, String.class)));
            }
            return chain;
        }

        @Override public List<JsonNode> missingEvents(String server, String roomId, List<String> earliest, List<String> latest,
                                                      int limit, long minDepth) {
            List<JsonNode> out = new ArrayList<>();
            for (String id : missingEventsAnswer) out.add(served.get(id));
            return out;
        }

        @Override public Optional<StateIds> stateIds(String server, String roomId, String eventId) {
            return Optional.ofNullable(stateIdsAnswers.get(eventId));
        }
    }

    @Test
    void aSyncTokenAtARedactionOfAnUnknownEventStillWorks() {
        String join = bobJoins();
        ObjectNode redaction = pdu("m.room.redaction", null, BOB, "{\"redacts\": \"$12345\"}", List.of(join),
                List.of("m.room.power_levels|", "m.room.member|" + BOB));
        redaction.put("redacts", "$12345");
        EventHashes.hashAndSign(stripSignatures(redaction), version, remoteSigner);
        depths.put(id(redaction), depthOf(join) + 1);
        assertThat(receive(redaction).error()).isNull();
        String filter = TestClient.seg("{\"room\":{\"timeline\":{\"limit\":10}}}");
        Resp first = client.get("/_matrix/client/v3/sync?filter=" + filter, alice);
        assertThat(first.status()).isEqualTo(200);
        String since = first.text("next_batch");
        List<String> prevs = List.of(id(redaction));
        String last = null;
        for (int i = 0; i < 11; i++) {
            ObjectNode filler = message(BOB, "filler " + i, prevs);
            assertThat(receive(filler).error()).isNull();
            last = id(filler);
            prevs = List.of(last);
        }
        Resp gappy = client.get("/_matrix/client/v3/sync?timeout=0&filter=" + filter + "&since=" + TestClient.seg(since), alice);
        assertThat(gappy.status()).as(gappy.body().toString()).isEqualTo(200);
        JsonNode timeline = gappy.body().path("rooms").path("join").path(roomId).path("timeline");
        assertThat(timeline.path("limited").asBoolean()).isTrue();
        assertThat(timeline.path("events").size()).isEqualTo(10);
        assertThat(timeline.path("events").get(9).path("event_id").asText()).isEqualTo(last);
        assertThat(client.get(path() + "/messages?dir=b&limit=20&from=" + TestClient.seg(since), alice).status()).isEqualTo(200);
    }

    private static ObjectNode stripSignatures(ObjectNode pdu) {
        pdu.remove("signatures");
        pdu.remove("hashes");
        return pdu;
    }
}
