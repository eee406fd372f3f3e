package org.callhs.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** A server with the delayed-events module on each backend, and the calls the tests share. */
abstract class DelayedEventsSuite {
    static final String U = "/_matrix/client/unstable/org.matrix.msc4140";
    static final String TYPE = "com.example.test";
    protected static TestServer server;
    protected static TestClient client;

    @Parameter
    protected Backend backend;

    /** Each test class starts its server from its own {@code @BeforeParameterizedClassInvocation}, with its settings. */
    static void start(Backend backend, String... sets) {
        server = TestServer.start(backend, List.of(new DelayedEventsModule()), sets);
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    static String rooms(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    /** A public room {@code owner} created (with {@value #TYPE} at power 0) that {@code others} joined. */
    static String room(String owner, String... others) {
        Resp r = client.post("/_matrix/client/v3/createRoom", owner,
                "{\"preset\":\"public_chat\",\"power_level_content_override\":{\"events\":{\"" + TYPE + "\":0}}}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        String roomId = r.text("room_id");
        for (String other : others) assertThat(client.post(rooms(roomId) + "/join", other, "{}").status()).isEqualTo(200);
        return roomId;
    }

    static String delayState(String token, String roomId, String type, String key, long delay, String content) {
        Resp r = client.put(rooms(roomId) + "/state/" + TestClient.seg(type) + "/" + TestClient.seg(key) + "?org.matrix.msc4140.delay=" + delay,
                token, content);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(r.body().has("event_id")).isFalse();
        return r.text("delay_id");
    }

    static JsonNode scheduled(String token) {
        Resp r = client.get(U + "/delayed_events", token);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body().get("delayed_events");
    }

    static Resp action(String delayId, String action, String token) {
        return client.post(U + "/delayed_events/" + TestClient.seg(delayId) + "/" + action, token, "{}");
    }

    static Resp state(String token, String roomId, String type, String key) {
        return client.get(rooms(roomId) + "/state/" + TestClient.seg(type) + "/" + TestClient.seg(key), token);
    }

    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            sleep(50);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
