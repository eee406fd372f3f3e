package org.callhs.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
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
}
