package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Relations and threads: {@code /relations}, {@code /threads}, bundled aggregations,
 * thread-aware unread counts and {@code related_by_*} filters, on SQLite and PostgreSQL.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RelationsApiTest extends BackendSuite {
    private static final AtomicInteger TXN = new AtomicInteger();

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String relations(String roomId, String eventId) {
        return "/_matrix/client/v1/rooms/" + TestClient.seg(roomId) + "/relations/" + TestClient.seg(eventId);
    }

    private static String threads(String roomId) { return "/_matrix/client/v1/rooms/" + TestClient.seg(roomId) + "/threads"; }

    private String send(String token, String roomId, String type, String content) {
        Resp r = client.put(room(roomId) + "/send/" + type + "/t" + TXN.incrementAndGet(), token, content);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("event_id");
    }

    private String message(String token, String roomId, String body) {
        return send(token, roomId, "m.room.message", "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}");
    }

    private String reply(String token, String roomId, String root, String body) {
        return send(token, roomId, "m.room.message", "{\"msgtype\":\"m.text\",\"body\":\"" + body
                + "\",\"m.relates_to\":{\"rel_type\":\"m.thread\",\"event_id\":\"" + root + "\"}}");
    }

    private String edit(String token, String roomId, String original, String body) {
        return send(token, roomId, "m.room.message", "{\"msgtype\":\"m.text\",\"body\":\"* " + body
                + "\",\"m.new_content\":{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"},"
                + "\"m.relates_to\":{\"rel_type\":\"m.replace\",\"event_id\":\"" + original + "\"}}");
    }

    private String react(String token, String roomId, String target, String key) {
        return send(token, roomId, "m.reaction", "{\"m.relates_to\":{\"rel_type\":\"m.annotation\",\"event_id\":\"" + target
                + "\",\"key\":\"" + key + "\"}}");
    }

    private String publicRoom(String owner, String... joiners) {
        String roomId = client.post("/_matrix/client/v3/createRoom", owner, "{\"preset\":\"public_chat\"}").text("room_id");
        for (String joiner : joiners) assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(roomId), joiner, "{}").status())
                .isEqualTo(200);
        return roomId;
    }

    private static List<String> ids(JsonNode events) {
        List<String> ids = new ArrayList<>();
        events.forEach(e -> ids.add(e.path("event_id").asText()));
        return ids;
    }

    private JsonNode event(String token, String roomId, String eventId) {
        Resp r = client.get(room(roomId) + "/event/" + TestClient.seg(eventId), token);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    @Test
    void relationsArePagedFilteredAndFollowedRecursively() {
        String alice = server.registerToken("rel_alice");
        String bob = server.registerToken("rel_bob");
        String roomId = publicRoom(alice, bob);
        String root = message(alice, roomId, "root");
        String r1 = reply(bob, roomId, root, "one");
        String reaction = react(alice, roomId, r1, "+1");
        String r2 = reply(alice, roomId, root, "two");
        String reference = send(bob, roomId, "m.room.message", "{\"msgtype\":\"m.text\",\"body\":\"see\","
                + "\"m.relates_to\":{\"rel_type\":\"m.reference\",\"event_id\":\"" + root + "\"}}");
        message(alice, roomId, "unrelated");

        Resp all = client.get(relations(roomId, root), bob);
        assertThat(all.status()).as(all.body().toString()).isEqualTo(200);
        assertThat(ids(all.body().path("chunk"))).as("newest first by default; the reaction relates to a reply, not the root")
                .containsExactly(reference, r2, r1);
        assertThat(all.body().has("recursion_depth")).isFalse();

        assertThat(ids(client.get(relations(roomId, root) + "?dir=f", bob).body().path("chunk"))).containsExactly(r1, r2, reference);
        assertThat(ids(client.get(relations(roomId, root) + "/m.thread", bob).body().path("chunk"))).containsExactly(r2, r1);
        assertThat(ids(client.get(relations(roomId, root) + "/m.thread/m.room.message", bob).body().path("chunk")))
                .containsExactly(r2, r1);
        assertThat(client.get(relations(roomId, root) + "/m.thread/m.reaction", bob).body().path("chunk").size()).isZero();

        Resp first = client.get(relations(roomId, root) + "?limit=2", bob);
        assertThat(ids(first.body().path("chunk"))).containsExactly(reference, r2);
        String next = first.text("next_batch");
        assertThat(next).isNotNull();
        Resp second = client.get(relations(roomId, root) + "?limit=2&from=" + TestClient.seg(next), bob);
        assertThat(ids(second.body().path("chunk"))).containsExactly(r1);
        assertThat(second.body().has("next_batch")).isFalse();
        Resp forwards = client.get(relations(roomId, root) + "?dir=f&limit=1", bob);
        assertThat(ids(forwards.body().path("chunk"))).containsExactly(r1);
        assertThat(ids(client.get(relations(roomId, root) + "?dir=f&limit=5&from=" + TestClient.seg(forwards.text("next_batch")), bob)
                .body().path("chunk"))).containsExactly(r2, reference);

        Resp recursive = client.get(relations(roomId, root) + "?recurse=true&dir=f", bob);
        assertThat(ids(recursive.body().path("chunk"))).as("relations of relations too, in stream order")
                .containsExactly(r1, reaction, r2, reference);
        assertThat(recursive.body().path("recursion_depth").asInt()).isEqualTo(3);
        assertThat(ids(client.get(relations(roomId, root) + "/m.annotation?org.matrix.msc3981.recurse=true", bob).body().path("chunk")))
                .containsExactly(reaction);
    }

    @Test
    void bundledAggregationsCarryTheThreadTheNewestValidEditAndReferences() {
        String alice = server.registerToken("agg_alice");
        String bob = server.registerToken("agg_bob");
        String carol = server.registerToken("agg_carol");
        String roomId = publicRoom(alice, bob, carol);
        String root = message(alice, roomId, "root");
        reply(bob, roomId, root, "one");
        String latest = reply(bob, roomId, root, "two");
        String edit1 = edit(alice, roomId, root, "root, edited");
        String edit2 = edit(alice, roomId, root, "root, edited again");
        edit(bob, roomId, root, "not yours to edit");
        String reference = send(carol, roomId, "m.room.message", "{\"msgtype\":\"m.text\",\"body\":\"ref\","
                + "\"m.relates_to\":{\"rel_type\":\"m.reference\",\"event_id\":\"" + root + "\"}}");

        JsonNode forBob = event(bob, roomId, root).path("unsigned").path("m.relations");
        JsonNode thread = forBob.path("m.thread");
        assertThat(thread.path("count").asInt()).isEqualTo(2);
        assertThat(thread.path("latest_event").path("event_id").asText()).isEqualTo(latest);
        assertThat(thread.path("latest_event").path("content").path("body").asText()).isEqualTo("two");
        assertThat(thread.path("current_user_participated").asBoolean()).isTrue();
        assertThat(event(alice, roomId, root).path("unsigned").path("m.relations").path("m.thread").path("current_user_participated")
                .asBoolean()).as("the root's sender takes part").isTrue();
        assertThat(event(carol, roomId, root).path("unsigned").path("m.relations").path("m.thread").path("current_user_participated")
                .asBoolean()).isFalse();
        assertThat(forBob.path("m.replace").path("event_id").asText()).as("the newest edit by the original sender").isEqualTo(edit2);
        assertThat(forBob.path("m.replace").path("content").path("m.new_content").path("body").asText()).isEqualTo("root, edited again");
        assertThat(ids(forBob.path("m.reference").path("chunk"))).containsExactly(reference);

        // /messages and /sync carry the same bundles.
        JsonNode messages = client.get(room(roomId) + "/messages?dir=b&limit=50", bob).body().path("chunk");
        JsonNode inMessages = null;
        for (JsonNode e : messages) if (e.path("event_id").asText().equals(root)) inMessages = e;
        assertThat(inMessages).isNotNull();
        assertThat(inMessages.path("unsigned").path("m.relations").path("m.thread").path("count").asInt()).isEqualTo(2);
        JsonNode timeline = client.get("/_matrix/client/v3/sync?filter=" + TestClient.seg("{\"room\":{\"timeline\":{\"limit\":50}}}"), bob)
                .body().path("rooms").path("join").path(roomId).path("timeline").path("events");
        JsonNode inSync = null;
        for (JsonNode e : timeline) if (e.path("event_id").asText().equals(root)) inSync = e;
        assertThat(inSync).isNotNull();
        assertThat(inSync.path("unsigned").path("m.relations").path("m.replace").path("event_id").asText()).isEqualTo(edit2);

        // A new reply and a redacted edit change the bundle at once.
        String newest = reply(carol, roomId, root, "three");
        assertThat(client.put(room(roomId) + "/redact/" + TestClient.seg(edit2) + "/x" + TXN.incrementAndGet(), alice, "{}").status())
                .isEqualTo(200);
        JsonNode after = event(carol, roomId, root).path("unsigned").path("m.relations");
        assertThat(after.path("m.thread").path("count").asInt()).isEqualTo(3);
        assertThat(after.path("m.thread").path("latest_event").path("event_id").asText()).isEqualTo(newest);
        assertThat(after.path("m.thread").path("current_user_participated").asBoolean()).isTrue();
        assertThat(after.path("m.replace").path("event_id").asText()).as("the redacted edit no longer counts").isEqualTo(edit1);
        assertThat(ids(client.get(relations(roomId, root) + "/m.replace", bob).body().path("chunk"))).doesNotContain(edit2);

        // Redacted events and state events get no bundle.
        assertThat(client.put(room(roomId) + "/redact/" + TestClient.seg(root) + "/x" + TXN.incrementAndGet(), alice, "{}").status())
                .isEqualTo(200);
        assertThat(event(bob, roomId, root).path("unsigned").has("m.relations")).isFalse();
        String topic = client.put(room(roomId) + "/state/m.room.topic", alice, "{\"topic\":\"t\"}").text("event_id");
        edit(alice, roomId, topic, "state edits are not edits");
        assertThat(event(bob, roomId, topic).path("unsigned").has("m.relations")).isFalse();
    }

    @Test
    void threadsAreListedByNewestActivityAndByParticipation() {
        String alice = server.registerToken("thr_alice");
        String bob = server.registerToken("thr_bob");
        String roomId = publicRoom(alice, bob);
        String first = message(alice, roomId, "first");
        String second = message(bob, roomId, "second");
        String third = message(bob, roomId, "third");
        reply(bob, roomId, first, "a");
        reply(alice, roomId, second, "b");
        reply(bob, roomId, third, "c");
        reply(bob, roomId, first, "d");
        message(alice, roomId, "no thread");

        Resp all = client.get(threads(roomId), alice);
        assertThat(all.status()).as(all.body().toString()).isEqualTo(200);
        assertThat(ids(all.body().path("chunk"))).containsExactly(first, third, second);
        assertThat(all.body().path("chunk").get(0).path("unsigned").path("m.relations").path("m.thread").path("count").asInt()).isEqualTo(2);
        assertThat(ids(client.get(threads(roomId) + "?include=participated", alice).body().path("chunk")))
                .as("alice sent the first root and replied in the second").containsExactly(first, second);
        assertThat(ids(client.get(threads(roomId) + "?include=participated", bob).body().path("chunk")))
                .containsExactly(first, third, second);

        Resp page1 = client.get(threads(roomId) + "?limit=2", alice);
        assertThat(ids(page1.body().path("chunk"))).containsExactly(first, third);
        Resp page2 = client.get(threads(roomId) + "?limit=2&from=" + TestClient.seg(page1.text("next_batch")), alice);
        assertThat(ids(page2.body().path("chunk"))).containsExactly(second);
        assertThat(page2.body().has("next_batch")).isFalse();
    }

    @Test
    void unreadCountsAreSplitByThreadWhenAskedAndFollowThreadedReceipts() {
        String alice = server.registerToken("unr_alice");
        String bob = server.registerToken("unr_bob");
        String roomId = publicRoom(alice, bob);
        String bobsOwn = message(bob, roomId, "mine");
        assertThat(client.post(room(roomId) + "/receipt/m.read/" + TestClient.seg(bobsOwn), bob, "{}").status()).isEqualTo(200);
        String root = message(alice, roomId, "root");
        String r1 = reply(alice, roomId, root, "one");
        String r2 = reply(alice, roomId, root, "two");
        react(alice, roomId, r2, "x");

        String threaded = TestClient.seg("{\"room\":{\"timeline\":{\"unread_thread_notifications\":true}}}");
        JsonNode split = client.get("/_matrix/client/v3/sync?filter=" + threaded, bob).body().path("rooms").path("join").path(roomId);
        assertThat(split.path("unread_notifications").path("notification_count").asInt()).as("the root is in the main timeline").isEqualTo(1);
        assertThat(split.path("unread_thread_notifications").path(root).path("notification_count").asInt()).isEqualTo(2);
        JsonNode combined = client.get("/_matrix/client/v3/sync", bob).body().path("rooms").path("join").path(roomId);
        assertThat(combined.path("unread_notifications").path("notification_count").asInt()).isEqualTo(3);
        assertThat(combined.has("unread_thread_notifications")).isFalse();

        assertThat(client.post(room(roomId) + "/receipt/m.read/" + TestClient.seg(r1), bob, "{\"thread_id\":\"" + root + "\"}").status())
                .isEqualTo(200);
        split = client.get("/_matrix/client/v3/sync?filter=" + threaded, bob).body().path("rooms").path("join").path(roomId);
        assertThat(split.path("unread_notifications").path("notification_count").asInt()).as("a thread receipt leaves the main timeline")
                .isEqualTo(1);
        assertThat(split.path("unread_thread_notifications").path(root).path("notification_count").asInt()).isEqualTo(1);

        assertThat(client.post(room(roomId) + "/receipt/m.read/" + TestClient.seg(root), bob, "{\"thread_id\":\"main\"}").status())
                .isEqualTo(200);
        assertThat(client.post(room(roomId) + "/receipt/m.read/" + TestClient.seg(r2), bob, "{\"thread_id\":\"" + root + "\"}").status())
                .isEqualTo(200);
        split = client.get("/_matrix/client/v3/sync?filter=" + threaded, bob).body().path("rooms").path("join").path(roomId);
        assertThat(split.path("unread_notifications").path("notification_count").asInt()).isZero();
        assertThat(split.has("unread_thread_notifications")).isFalse();

        message(alice, roomId, "later");
        String three = reply(alice, roomId, root, "three");
        assertThat(client.post(room(roomId) + "/receipt/m.read/" + TestClient.seg(three), bob, "{}").status()).isEqualTo(200);
        combined = client.get("/_matrix/client/v3/sync", bob).body().path("rooms").path("join").path(roomId);
        assertThat(combined.path("unread_notifications").path("notification_count").asInt())
                .as("an unthreaded receipt reads everything before it, threads included").isZero();
    }

    @Test
    void messagesCanBeFilteredByTheirRelations() {
        String alice = server.registerToken("rby_alice");
        String bob = server.registerToken("rby_bob");
        String roomId = publicRoom(alice, bob);
        String threadRoot = message(alice, roomId, "root");
        String reacted = message(alice, roomId, "reacted");
        message(alice, roomId, "plain");
        reply(bob, roomId, threadRoot, "reply");
        react(alice, roomId, reacted, "x");

        String byThread = TestClient.seg("{\"related_by_rel_types\":[\"m.thread\"]}");
        assertThat(ids(client.get(room(roomId) + "/messages?dir=b&limit=20&filter=" + byThread, bob).body().path("chunk")))
                .containsExactly(threadRoot);
        String byAlice = TestClient.seg("{\"related_by_senders\":[\"@rby_alice:localhost\"]}");
        assertThat(ids(client.get(room(roomId) + "/messages?dir=b&limit=20&filter=" + byAlice, bob).body().path("chunk")))
                .containsExactly(reacted);
        Resp badFilter = client.post("/_matrix/client/v3/user/" + TestClient.seg("@rby_bob:localhost") + "/filter", bob,
                "{\"room\":{\"timeline\":{\"related_by_senders\":[\"not a user\"]}}}");
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.errcode()).isEqualTo("M_BAD_JSON");
    }

    @Test
    void badRequestsGetClearErrors() {
        String alice = server.registerToken("relbad_alice");
        String stranger = server.registerToken("relbad_stranger");
        String roomId = client.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"private_chat\"}").text("room_id");
        String root = message(alice, roomId, "root");
        assertThat(client.get(relations(roomId, "$unknown"), alice).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.get(relations(roomId, root), stranger).errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.get(threads(roomId), stranger).errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.get(relations(roomId, root), null).status()).isEqualTo(401);
        assertThat(client.get(relations("not-a-room", root), alice).errcode()).isEqualTo("M_INVALID_PARAM");
        for (String bad : List.of("dir=x", "limit=-1", "limit=0", "limit=many", "recurse=maybe", "from=nonsense", "to=s")) {
            Resp r = client.get(relations(roomId, root) + "?" + bad, alice);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errcode()).as(bad).isEqualTo("M_INVALID_PARAM");
        }
        for (String bad : List.of("include=some", "limit=0", "limit=x", "from=s5", "from=tx")) {
            Resp r = client.get(threads(roomId) + "?" + bad, alice);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errcode()).as(bad).isEqualTo("M_INVALID_PARAM");
        }
    }

    @Test
    void theMigrationIndexesRelationsOfEventsStoredBeforeIt() throws Exception {
        String alice = server.registerToken("mig_alice");
        String roomId = publicRoom(alice);
        String root = message(alice, roomId, "root");
        String reply = reply(alice, roomId, root, "reply");
        String redacted = reply(alice, roomId, root, "gone");
        assertThat(client.put(room(roomId) + "/redact/" + TestClient.seg(redacted) + "/x" + TXN.incrementAndGet(), alice, "{}").status())
                .isEqualTo(200);
        var database = server.homeserver().database();
        int before = database.dsl().fetchCount(database.dsl().selectFrom("event_relations"));
        database.transaction(tx -> {
            tx.execute("DELETE FROM event_relations");
            tx.connection(connection -> new db.migration.core.V16__event_relations_backfill().migrate(
                    new org.flywaydb.core.api.migration.Context() {
                        @Override public org.flywaydb.core.api.configuration.Configuration getConfiguration() { return null; }
                        @Override public java.sql.Connection getConnection() { return connection; }
                    }));
            return null;
        });
        assertThat(database.dsl().fetchCount(database.dsl().selectFrom("event_relations"))).isEqualTo(before);
        assertThat(ids(client.get(relations(roomId, root), alice).body().path("chunk"))).containsExactly(reply);
    }
}
