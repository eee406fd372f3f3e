package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.testing.AdjustableClock;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.delayed.DelayedEventsModule;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** A server with the sticky-events (and delayed-events) modules on each backend and an adjustable clock, and shared calls. */
abstract class StickyEventsSuite {
    static final String STICKY = "org.matrix.msc4354.sticky_duration_ms";
    static final String TTL = "msc4354_sticky_duration_ttl_ms";
    protected static TestServer server;
    protected static TestClient client;
    protected static AdjustableClock clock;

    @Parameter
    protected Backend backend;

    /** Each test class starts its server from its own {@code @BeforeParameterizedClassInvocation}, with its settings. */
    static void start(Backend backend, String... sets) {
        clock = new AdjustableClock();
        List<HomeserverModule> modules = List.of(new StickyEventsModule(), new DelayedEventsModule());
        server = TestServer.start(backend, modules, clock, sets);
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    static String rooms(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    static String enc(String value) { return URLEncoder.encode(value, StandardCharsets.UTF_8); }

    /** A public room {@code owner} created that {@code others} joined. */
    static String room(String owner, String... others) {
        return roomWith(owner, "{\"preset\":\"public_chat\"}", others);
    }

    static String roomWith(String owner, String createBody, String... others) {
        Resp r = client.post("/_matrix/client/v3/createRoom", owner, createBody);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        String roomId = r.text("room_id");
        for (String other : others) join(other, roomId);
        return roomId;
    }

    static void join(String token, String roomId) {
        Resp r = client.post(rooms(roomId) + "/join", token, "{}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    }

    private static int txn;

    static synchronized String nextTxn() { return "t" + (++txn) + "-" + System.nanoTime(); }

    /** Sends a sticky {@code m.room.message} and returns its event ID. */
    static String sendSticky(String token, String roomId, long durationMs, String body) {
        Resp r = client.put(rooms(roomId) + "/send/m.room.message/" + nextTxn() + "?" + STICKY + "=" + durationMs, token,
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("event_id");
    }

    static String sendMessage(String token, String roomId, String type, String body) {
        Resp r = client.put(rooms(roomId) + "/send/" + TestClient.seg(type) + "/" + nextTxn(), token,
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("event_id");
    }

    static JsonNode sync(String token, String since, String filter) {
        return sync(token, since, filter, 0);
    }

    static JsonNode sync(String token, String since, String filter, long timeoutMs) {
        StringBuilder path = new StringBuilder("/_matrix/client/v3/sync?timeout=" + timeoutMs);
        if (since != null) path.append("&since=").append(enc(since));
        if (filter != null) path.append("&filter=").append(enc(filter));
        Resp r = client.get(path.toString(), token);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    static JsonNode stickyEvents(JsonNode sync, String roomId) {
        return sync.path("rooms").path("join").path(roomId).path("msc4354_sticky").path("events");
    }

    static List<String> stickyIds(JsonNode sync, String roomId) {
        return ids(stickyEvents(sync, roomId));
    }

    static List<String> timelineIds(JsonNode sync, String roomId) {
        return ids(sync.path("rooms").path("join").path(roomId).path("timeline").path("events"));
    }

    static List<String> ids(JsonNode events) {
        List<String> ids = new ArrayList<>();
        for (JsonNode e : events) ids.add(e.path("event_id").asText());
        return ids;
    }

    static JsonNode event(String token, String roomId, String eventId) {
        Resp r = client.get(rooms(roomId) + "/event/" + TestClient.seg(eventId), token);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }
}
