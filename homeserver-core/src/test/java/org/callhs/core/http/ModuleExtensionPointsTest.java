package org.callhs.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.callhs.core.spi.SyncContext;
import org.callhs.core.spi.SyncStream;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.ModuleContext;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event-path extension points, used the way the MSC modules use them: a query parameter
 * that adds a top-level PDU key, a send that is taken over, a listener that sees committed
 * events, and a per-requester {@code unsigned} field.
 */
class ModuleExtensionPointsTest {
    private static final List<PersistedEvent> SEEN = new CopyOnWriteArrayList<>();
    private static TestServer server;
    private static TestClient client;

    static final class ProbeModule implements HomeserverModule {
        @Override public String name() { return "probe"; }

        @Override
        public void install(ModuleContext context) {
            context.addDraftDecorator((draft, request) -> request.query("org.example.tag")
                    .map(tag -> draft.withExtraKeys(draft.extraKeys().deepCopy().put("org_example_tag", tag)))
                    .orElse(draft));
            context.addSendInterceptor((draft, request) -> request.query("org.example.later").isPresent()
                    ? Optional.of(ApiResponse.ok(Json.object().put("held", draft.type() + "|" + draft.extraKeys().path("org_example_tag").asText())))
                    : Optional.empty());
            context.addEventListener(SEEN::add);
            context.addUnsignedContributor((event, requester, now, unsigned) -> {
                if (requester != null && requester.userId().equals(event.sender())) unsigned.put("org.example.mine", true);
            });
            context.addRoutes(() -> List.of(new Endpoint("PUT", "/_matrix/client/unstable/org.example/notes/{roomId}", AuthKind.USER,
                    null, request -> {
                        String roomId = request.path("roomId");
                        long position;
                        synchronized (NOTES) {
                            NOTES.add(new Note(NOTES.size() + 1, roomId, request.jsonObject().path("text").asText()));
                            position = NOTES.size();
                        }
                        context.notifier().roomUpdated("probe_notes", position, roomId);
                        return ApiResponse.empty();
                    })));
            context.addSyncStream(new NotesStream());
        }
    }

    record Note(long position, String roomId, String text) {}

    static final List<Note> NOTES = new CopyOnWriteArrayList<>();

    /** A module stream: notes per room, at most two per response. */
    static final class NotesStream implements SyncStream {
        @Override public String name() { return "probe_notes"; }

        @Override public long currentPosition() { return NOTES.size(); }

        @Override
        public long contribute(SyncContext context, long since, long upTo) {
            long next = upTo;
            int handed = 0;
            for (Note note : NOTES) {
                if (note.position() <= since || note.position() > upTo || !context.joinedRooms().contains(note.roomId())) continue;
                if (handed == 2) {
                    next = note.position() - 1;
                    break;
                }
                ObjectNode section = context.joinedRoomSection(note.roomId());
                ArrayNode notes = section.get("org.example.notes") instanceof ArrayNode a ? a : section.putArray("org.example.notes");
                notes.add(note.text());
                handed++;
            }
            return next;
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(Backend.SQLITE, List.of(new ProbeModule()));
        client = server.client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void modulesDecorateInterceptObserveAndAnnotate() {
        String token = server.registerToken("prober");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{}").text("room_id");
        String path = "/_matrix/client/v3/rooms/" + TestClient.seg(roomId);
        Resp held = client.put(path + "/send/m.example/t1?org.example.tag=blue&org.example.later=1", token, Json.object());
        assertThat(held.text("held")).isEqualTo("m.example|blue");

        Resp sent = client.put(path + "/send/m.example/t2?org.example.tag=red", token, Json.object().put("x", 1));
        String eventId = sent.text("event_id");
        JsonNode event = client.get(path + "/event/" + TestClient.seg(eventId), token).body();
        assertThat(event.path("org_example_tag").asText()).isEqualTo("red");
        assertThat(event.path("unsigned").path("org.example.mine").asBoolean()).isTrue();
        assertThat(SEEN).anyMatch(e -> e.eventId().equals(eventId) && e.pdu().path("org_example_tag").asText().equals("red"));
        assertThat(SEEN).anyMatch(e -> e.type().equals("m.room.create") && e.roomId().equals(roomId));

        String other = server.registerToken("onlooker");
        client.post(path + "/invite", token, Json.object().put("user_id", "@onlooker:localhost"));
        client.post(path + "/join", other, Json.object());
        JsonNode seenByOther = client.get(path + "/event/" + TestClient.seg(eventId), other).body();
        assertThat(seenByOther.path("unsigned").has("org.example.mine")).isFalse();
    }

    @Test
    void moduleStreamsAddSyncSectionsWakeLongPollsAndPage() throws Exception {
        String token = server.registerToken("noter");
        String roomId = client.post("/_matrix/client/v3/createRoom", token, "{}").text("room_id");
        String since = client.get("/_matrix/client/v3/sync", token).text("next_batch");
        assertThat(since).contains("probe_notes.");
        CompletableFuture<Resp> waiting = CompletableFuture.supplyAsync(() -> client.get(
                "/_matrix/client/v3/sync?timeout=20000&since=" + TestClient.seg(since), token));
        Thread.sleep(100);
        String notesPath = "/_matrix/client/unstable/org.example/notes/" + TestClient.seg(roomId);
        client.put(notesPath, token, "{\"text\":\"n1\"}");
        Resp woke = waiting.get(10, TimeUnit.SECONDS);
        assertThat(woke.body().path("rooms").path("join").path(roomId).path("org.example.notes").toString()).isEqualTo("[\"n1\"]");

        for (String text : List.of("n2", "n3", "n4")) client.put(notesPath, token, "{\"text\":\"" + text + "\"}");
        Resp first = client.get("/_matrix/client/v3/sync?since=" + TestClient.seg(woke.text("next_batch")), token);
        assertThat(first.body().path("rooms").path("join").path(roomId).path("org.example.notes").toString()).isEqualTo("[\"n2\",\"n3\"]");
        Resp second = client.get("/_matrix/client/v3/sync?since=" + TestClient.seg(first.text("next_batch")), token);
        assertThat(second.body().path("rooms").path("join").path(roomId).path("org.example.notes").toString()).isEqualTo("[\"n4\"]");
    }
}
