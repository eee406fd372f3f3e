package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Sending and reading history: {@code /messages} in both directions with tokens, limits and
 * filters, {@code /context}, redactions, transaction IDs, and the errors of the send endpoints.
 */
@HomeserverScenario
class RoomHistoryScenario {

    private static final String PASSWORD = "room-history-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, RoomHistoryScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    private static CsApiClient newUser(String prefix) {
        return hs().client().register(Names.unique(prefix), PASSWORD);
    }

    /** Sends {@code prefix0 .. prefix(n-1)} and returns their event IDs in order. */
    private static List<String> sendNumbered(CsApiClient client, String roomId, String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(Rooms.sendText(client, roomId, prefix + i));
        return ids;
    }

    private static List<String> numbered(String prefix, int fromInclusive, int toInclusive) {
        List<String> out = new ArrayList<>();
        if (fromInclusive <= toInclusive) for (int i = fromInclusive; i <= toInclusive; i++) out.add(prefix + i);
        else for (int i = fromInclusive; i >= toInclusive; i--) out.add(prefix + i);
        return out;
    }

    @Test
    void messagesPaginateBothWaysWithTokensAndLimits() {
        CsApiClient alice = newUser("paginator");
        String roomId = Rooms.create(alice, obj("preset", "private_chat"));
        List<String> sent = sendNumbered(alice, roomId, "m", 30);

        JsonNode page1 = Rooms.messages(alice, roomId, "b", null, 10);
        assertThat(Rooms.bodies(page1.path("chunk"))).isEqualTo(numbered("m", 29, 20));
        assertThat(Rooms.ids(page1.path("chunk"))).isEqualTo(reversed(sent.subList(20, 30)));
        String end1 = page1.path("end").asText(null);
        assertThat(end1).as("end token of a page with more before it: %s", page1).isNotBlank();

        JsonNode page2 = Rooms.messages(alice, roomId, "b", end1, 10);
        assertThat(page2.path("start").asText()).as("start is the from token").isEqualTo(end1);
        assertThat(Rooms.bodies(page2.path("chunk"))).isEqualTo(numbered("m", 19, 10));
        String end2 = page2.path("end").asText();
        JsonNode page3 = Rooms.messages(alice, roomId, "b", end2, 10);
        assertThat(Rooms.bodies(page3.path("chunk"))).isEqualTo(numbered("m", 9, 0));

        // The rest is the room's creation; the very first event is m.room.create, and then the end.
        List<JsonNode> backwards = Rooms.paginateAll(alice, roomId, "b", 7);
        List<JsonNode> forwards = Rooms.paginateAll(alice, roomId, "f", 7);
        assertThat(Rooms.ids(forwards)).as("forwards is backwards reversed").isEqualTo(reversed(Rooms.ids(backwards)));
        assertThat(forwards.get(0).path("type").asText()).isEqualTo("m.room.create");
        assertThat(Rooms.bodies(forwards)).isEqualTo(numbered("m", 0, 29));
        assertThat(forwards.subList(forwards.size() - 30, forwards.size())).extracting(e -> e.path("event_id").asText())
                .isEqualTo(sent);
        for (JsonNode event : forwards) {
            assertThat(event.path("room_id").asText()).isEqualTo(roomId);
            assertThat(event.path("origin_server_ts").isIntegralNumber()).as("origin_server_ts in %s", event).isTrue();
            assertThat(event.has("prev_events") || event.has("auth_events") || event.has("hashes") || event.has("signatures"))
                    .as("client events carry no federation fields: %s", event).isFalse();
        }

        // Forwards from a backwards token starts just after it.
        JsonNode forwardFromEnd1 = Rooms.messages(alice, roomId, "f", end1, 5);
        assertThat(Rooms.bodies(forwardFromEnd1.path("chunk"))).isEqualTo(numbered("m", 20, 24));
        // Bounded by "to".
        JsonNode bounded = Rooms.messages(alice, roomId, "b", null, 100, "to", end1);
        assertThat(Rooms.bodies(bounded.path("chunk"))).isEqualTo(numbered("m", 29, 20));
        JsonNode boundedForwards = Rooms.messages(alice, roomId, "f", end2, 100, "to", end1);
        assertThat(Rooms.bodies(boundedForwards.path("chunk"))).isEqualTo(numbered("m", 10, 19));

        // The start token of the newest page sees what is sent later, and only that.
        String head = page1.path("start").asText();
        String later = Rooms.sendText(alice, roomId, "m30");
        JsonNode fresh = Rooms.messages(alice, roomId, "f", head, 10);
        assertThat(Rooms.ids(fresh.path("chunk"))).containsExactly(later);

        alice.request("GET", "rooms", roomId, "messages").query("dir", "sideways").send().assertError(400, "M_INVALID_PARAM");
        alice.request("GET", "rooms", roomId, "messages").query("dir", "b").query("from", "not-a-token").send()
                .assertStatus(400);
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        Collections.reverse(copy);
        return copy;
    }

    @Test
    void roomEventFiltersSelectTypesAndSenders() {
        CsApiClient alice = newUser("filterer");
        CsApiClient bob = newUser("filtered");
        String roomId = Rooms.create(alice, obj("preset", "public_chat"));
        Rooms.join(bob, roomId);
        List<String> other = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Rooms.sendText(alice, roomId, "text" + i);
            other.add(Rooms.send(bob, roomId, "org.example.other", obj("n", i)));
        }

        JsonNode onlyOther = Rooms.messages(alice, roomId, "b", null, 100,
                "filter", Json.MAPPER.valueToTree(obj("types", List.of("org.example.other"))).toString());
        assertThat(Rooms.ids(onlyOther.path("chunk"))).isEqualTo(reversed(other));

        JsonNode noMessages = Rooms.messages(alice, roomId, "f", null, 100,
                "filter", Json.tree(obj("not_types", List.of("m.room.message", "org.example.other"))).toString());
        assertThat(noMessages.path("chunk")).as("only state remains").allSatisfy(e -> assertThat(e.has("state_key")).isTrue());
        assertThat(noMessages.path("chunk")).isNotEmpty();

        JsonNode bobsMessages = Rooms.messages(alice, roomId, "f", null, 100,
                "filter", Json.tree(obj("senders", List.of(bob.userId()), "types", List.of("org.example.*"))).toString());
        assertThat(Rooms.ids(bobsMessages.path("chunk"))).as("types with a wildcard, and senders").isEqualTo(other);

        JsonNode lazy = Rooms.messages(alice, roomId, "b", null, 2,
                "filter", Json.tree(obj("types", List.of("org.example.other"), "lazy_load_members", true)).toString());
        List<String> lazyMembers = new ArrayList<>();
        lazy.path("state").forEach(e -> lazyMembers.add(e.path("type").asText() + "|" + e.path("state_key").asText()));
        assertThat(lazyMembers).as("lazy-loaded members of the chunk's senders: %s", lazy)
                .containsExactly("m.room.member|" + bob.userId());

        JsonNode limited = Rooms.messages(alice, roomId, "b", null, 2,
                "filter", Json.tree(obj("types", List.of("org.example.other"))).toString());
        assertThat(Rooms.ids(limited.path("chunk"))).isEqualTo(reversed(other).subList(0, 2));
        JsonNode next = Rooms.messages(alice, roomId, "b", limited.path("end").asText(), 2,
                "filter", Json.tree(obj("types", List.of("org.example.other"))).toString());
        assertThat(Rooms.ids(next.path("chunk"))).isEqualTo(reversed(other).subList(2, 4));
    }

    @Test
    void contextShowsTheEventWithItsNeighbours() {
        CsApiClient alice = newUser("context");
        String roomId = Rooms.create(alice, obj("preset", "private_chat", "name", "Context room"));
        List<String> sent = sendNumbered(alice, roomId, "c", 20);

        JsonNode context = alice.request("GET", "rooms", roomId, "context", sent.get(10)).query("limit", "6").send().assertOk();
        assertThat(context.path("event").path("event_id").asText()).isEqualTo(sent.get(10));
        assertThat(context.path("event").path("content").path("body").asText()).isEqualTo("c10");
        List<String> before = Rooms.bodies(context.path("events_before"));
        List<String> after = Rooms.bodies(context.path("events_after"));
        assertThat(before.size() + after.size()).as("limit applies to both lists together: %s", context).isLessThanOrEqualTo(6);
        assertThat(before).isNotEmpty();
        assertThat(after).isNotEmpty();
        assertThat(before).as("events_before newest first").isEqualTo(numbered("c", 9, 10 - before.size()));
        assertThat(after).as("events_after oldest first").isEqualTo(numbered("c", 11, 10 + after.size()));

        // The tokens continue exactly where the lists stop.
        JsonNode earlier = Rooms.messages(alice, roomId, "b", context.path("start").asText(), 3);
        assertThat(Rooms.bodies(earlier.path("chunk")))
                .isEqualTo(numbered("c", 9 - before.size(), 7 - before.size()));
        JsonNode later = Rooms.messages(alice, roomId, "f", context.path("end").asText(), 3);
        assertThat(Rooms.bodies(later.path("chunk")))
                .isEqualTo(numbered("c", 11 + after.size(), 13 + after.size()));

        List<String> stateTypes = new ArrayList<>();
        context.path("state").forEach(e -> stateTypes.add(e.path("type").asText()));
        assertThat(stateTypes).contains("m.room.create", "m.room.member", "m.room.power_levels", "m.room.name");

        alice.get("rooms", roomId, "context", "$doesnotexist" + Names.random(20)).assertError(404, "M_NOT_FOUND");
        CsApiClient stranger = newUser("nosy");
        int strangerStatus = stranger.get("rooms", roomId, "context", sent.get(10)).status();
        assertThat(strangerStatus).as("a stranger may not read the context").isIn(403, 404);
    }

    @Test
    void historyVisibilityHidesWhatWasSentBeforeJoining() {
        CsApiClient alice = newUser("historian");
        CsApiClient bob = newUser("latecomer");
        String roomId = Rooms.create(alice, obj("preset", "public_chat", "initial_state", List.of(
                obj("type", "m.room.history_visibility", "state_key", "", "content", obj("history_visibility", "joined")))));
        String before = Rooms.sendText(alice, roomId, "before bob");
        Rooms.join(bob, roomId);
        Rooms.sendText(alice, roomId, "after bob");

        List<String> seen = Rooms.bodies(Rooms.paginateAll(bob, roomId, "b", 50));
        assertThat(seen).contains("after bob").doesNotContain("before bob");
        bob.get("rooms", roomId, "event", before).assertError(404, "M_NOT_FOUND");

        // With the preset's "shared", a new member sees the history.
        CsApiClient carol = newUser("sharer");
        String shared = Rooms.create(alice, obj("preset", "public_chat"));
        Rooms.sendText(alice, shared, "old news");
        Rooms.join(carol, shared);
        assertThat(Rooms.bodies(Rooms.paginateAll(carol, shared, "b", 50))).contains("old news");
    }

    @Test
    void redactedEventsAreServedRedacted() {
        CsApiClient alice = newUser("redact");
        String roomId = Rooms.create(alice, obj("preset", "private_chat", "room_version", "11"));
        String target = Rooms.send(alice, roomId, "m.room.message", obj("msgtype", "m.text", "body", "oops", "extra", 1));
        String txn = Rooms.txnId();
        String redaction = alice.put(obj("reason", "typo"), "rooms", roomId, "redact", target, txn).assertOk().path("event_id").asText();
        assertThat(redaction).startsWith("$");
        assertThat(alice.put(obj("reason", "typo"), "rooms", roomId, "redact", target, txn).assertOk().path("event_id").asText())
                .as("redaction transaction IDs are idempotent too").isEqualTo(redaction);

        JsonNode redacted = Rooms.event(alice, roomId, target);
        assertThat(redacted.path("type").asText()).isEqualTo("m.room.message");
        assertThat(redacted.path("sender").asText()).isEqualTo(alice.userId());
        assertThat(redacted.path("content").isObject() && redacted.path("content").isEmpty())
                .as("content of a redacted message: %s", redacted).isTrue();
        JsonNode because = redacted.path("unsigned").path("redacted_because");
        assertThat(because.isObject()).as("unsigned.redacted_because in %s", redacted).isTrue();
        assertThat(because.path("event_id").asText()).isEqualTo(redaction);

        JsonNode redactionEvent = Rooms.event(alice, roomId, redaction);
        assertThat(redactionEvent.path("type").asText()).isEqualTo("m.room.redaction");
        assertThat(redactionEvent.path("content").path("redacts").asText()).as("v11: redacts in content").isEqualTo(target);
        assertThat(redactionEvent.path("content").path("reason").asText()).isEqualTo("typo");

        List<JsonNode> timeline = Rooms.paginateAll(alice, roomId, "b", 50);
        JsonNode inTimeline = timeline.stream().filter(e -> e.path("event_id").asText().equals(target)).findFirst().orElseThrow();
        assertThat(inTimeline.path("content").isEmpty()).as("redacted in /messages too: %s", inTimeline).isTrue();

        alice.put(obj(), "rooms", roomId, "redact", "$nosuchevent" + Names.random(20), Rooms.txnId()).assertError(404, "M_NOT_FOUND");

        // Before v11, redacts is a top-level key.
        String v10 = Rooms.create(alice, obj("preset", "private_chat", "room_version", "10"));
        String oldTarget = Rooms.sendText(alice, v10, "old style");
        String oldRedaction = alice.put(obj(), "rooms", v10, "redact", oldTarget, Rooms.txnId()).assertOk().path("event_id").asText();
        assertThat(Rooms.event(alice, v10, oldRedaction).path("redacts").asText()).as("v10: top-level redacts").isEqualTo(oldTarget);
        assertThat(Rooms.event(alice, v10, oldTarget).path("content").isEmpty()).isTrue();

        // A redacted state event stays in the state, with its content stripped.
        Rooms.putState(alice, roomId, "m.room.topic", "", obj("topic", "regrettable"));
        String topicId = Rooms.stateEvent(alice, roomId, "m.room.topic", "").path("event_id").asText();
        alice.put(obj(), "rooms", roomId, "redact", topicId, Rooms.txnId()).assertOk();
        assertThat(Rooms.state(alice, roomId, "m.room.topic", "").path("topic").isMissingNode())
                .as("topic of a redacted m.room.topic").isTrue();
    }

    @Test
    void redactedBecauseIsTheRedactionEvent() {
        // Client-Server API, UnsignedData: "redacted_because: ClientEvent, the event that redacted this event".
        CsApiClient alice = newUser("because");
        String roomId = Rooms.create(alice, obj("preset", "private_chat"));
        String target = Rooms.sendText(alice, roomId, "to be redacted");
        String redaction = alice.put(obj("reason", "why"), "rooms", roomId, "redact", target, Rooms.txnId())
                .assertOk().path("event_id").asText();
        JsonNode because = Rooms.event(alice, roomId, target).path("unsigned").path("redacted_because");
        assertThat(because.path("event_id").asText()).isEqualTo(redaction);
        assertThat(because.path("type").asText()).as("redacted_because is the whole redaction event: %s", because)
                .isEqualTo("m.room.redaction");
        assertThat(because.path("sender").asText()).as("sender in %s", because).isEqualTo(alice.userId());
        assertThat(because.path("content").path("reason").asText()).as("content.reason in %s", because).isEqualTo("why");
        assertThat(because.path("origin_server_ts").isIntegralNumber()).as("origin_server_ts in %s", because).isTrue();
    }

    @Test
    void transactionIdsMakeSendsIdempotent() {
        CsApiClient alice = newUser("txn");
        CsApiClient aliceElsewhere = alice.loginAgain();
        CsApiClient bob = newUser("txnbob");
        String roomId = Rooms.create(alice, obj("preset", "public_chat"));
        Rooms.join(bob, roomId);
        String txn = Rooms.txnId();

        String first = alice.put(obj("msgtype", "m.text", "body", "once"), "rooms", roomId, "send", "m.room.message", txn)
                .assertOk().path("event_id").asText();
        String again = alice.put(obj("msgtype", "m.text", "body", "once"), "rooms", roomId, "send", "m.room.message", txn)
                .assertOk().path("event_id").asText();
        assertThat(again).isEqualTo(first);
        String otherDevice = aliceElsewhere.put(obj("msgtype", "m.text", "body", "once"), "rooms", roomId, "send",
                "m.room.message", txn).assertOk().path("event_id").asText();
        assertThat(otherDevice).as("transaction IDs are scoped to the device").isNotEqualTo(first);

        assertThat(Rooms.bodies(Rooms.paginateAll(alice, roomId, "b", 50))).filteredOn("once"::equals).hasSize(2);

        assertThat(Rooms.event(alice, roomId, first).path("unsigned").path("transaction_id").asText(null))
                .as("the sending device sees its transaction ID").isEqualTo(txn);
        assertThat(Rooms.event(aliceElsewhere, roomId, first).path("unsigned").has("transaction_id"))
                .as("another device does not").isFalse();
        assertThat(Rooms.event(bob, roomId, first).path("unsigned").has("transaction_id")).as("nor another user").isFalse();
    }

    @Test
    void sendErrors() {
        CsApiClient alice = newUser("senderr");
        String roomId = Rooms.create(alice, obj("preset", "private_chat"));

        String big = "x".repeat(70_000);
        alice.put(obj("msgtype", "m.text", "body", big), "rooms", roomId, "send", "m.room.message", Rooms.txnId())
                .assertError(413, "M_TOO_LARGE");
        Rooms.putStateRaw(alice, roomId, "org.example.big", "", obj("v", big)).assertError(413, "M_TOO_LARGE");
        Rooms.sendText(alice, roomId, "x".repeat(60_000)); // under the limit
        alice.put(obj("v", 1), "rooms", roomId, "send", "t".repeat(256), Rooms.txnId()).assertError(413, "M_TOO_LARGE");

        alice.request("PUT", "rooms", roomId, "send", "m.room.message", Rooms.txnId())
                .body("[1, 2, 3]".getBytes(StandardCharsets.UTF_8), "application/json").send().assertError(400, "M_BAD_JSON");
        alice.request("PUT", "rooms", roomId, "send", "m.room.message", Rooms.txnId())
                .body("\"just a string\"".getBytes(StandardCharsets.UTF_8), "application/json").send()
                .assertError(400, "M_BAD_JSON");
        alice.request("PUT", "rooms", roomId, "send", "m.room.message", Rooms.txnId())
                .body("{\"body\": 1.5}".getBytes(StandardCharsets.UTF_8), "application/json").send()
                .assertError(400, "M_BAD_JSON");

        String unknown = "!nosuchroom" + Names.random(10) + ":" + hs().serverName();
        alice.put(obj("body", "hi"), "rooms", unknown, "send", "m.room.message", Rooms.txnId()).assertError(404, "M_NOT_FOUND");
        Rooms.putStateRaw(alice, unknown, "m.room.name", "", obj("name", "x")).assertError(404, "M_NOT_FOUND");
        alice.put(obj("body", "hi"), "rooms", "!" + "A".repeat(43), "send", "m.room.message", Rooms.txnId())
                .assertError(404, "M_NOT_FOUND");

        alice.put(obj("body", "hi"), "rooms", "not-a-room-id", "send", "m.room.message", Rooms.txnId())
                .assertError(400, "M_INVALID_PARAM");
        alice.put(obj("body", "hi"), "rooms", "#an-alias:" + hs().serverName(), "send", "m.room.message", Rooms.txnId())
                .assertError(400, "M_INVALID_PARAM");
        alice.request("GET", "rooms", "not-a-room-id", "messages").query("dir", "b").send().assertError(400, "M_INVALID_PARAM");

        alice.get("rooms", roomId, "event", "$nosuchevent" + Names.random(20)).assertError(404, "M_NOT_FOUND");

        // Nothing refused made it into the room.
        assertThat(Rooms.paginateAll(alice, roomId, "b", 100)).filteredOn(e -> !e.has("state_key")).hasSize(1);
    }
}
