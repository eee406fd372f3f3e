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

/** {@code GET /notifications}, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class NotificationsApiTest extends BackendSuite {
    private static final AtomicInteger TXN = new AtomicInteger();
    private static final String NOTIFICATIONS = "/_matrix/client/v3/notifications";

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private String say(String token, String roomId, String body) {
        Resp r = client.put(room(roomId) + "/send/m.room.message/n" + TXN.incrementAndGet(), token,
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}");
        assertThat(r.status()).isEqualTo(200);
        return r.text("event_id");
    }

    private static List<String> ids(JsonNode response) {
        List<String> ids = new ArrayList<>();
        response.path("notifications").forEach(n -> ids.add(n.path("event").path("event_id").asText()));
        return ids;
    }

    @Test
    void listsWhatNotifiesNewestFirstWithReadStateAndPages() {
        String alice = server.registerToken("ntf_alice");
        String bob = server.registerToken("ntf_bob");
        String dm = client.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"private_chat\",\"invite\":[\"@ntf_bob:localhost\"]}")
                .text("room_id");
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(dm), bob, "{}").status()).isEqualTo(200);
        String before = say(alice, dm, "hello bob");
        say(bob, dm, "my own message");
        String mention = say(alice, dm, "ntf_bob, look at this");
        String latest = say(alice, dm, "one more");
        assertThat(client.post(room(dm) + "/receipt/m.read/" + TestClient.seg(before), bob, "{}").status()).isEqualTo(200);

        Resp all = client.get(NOTIFICATIONS, bob);
        assertThat(all.status()).as(all.body().toString()).isEqualTo(200);
        assertThat(ids(all.body())).as("not bob's own, not alice's room creation").containsExactly(latest, mention, before);
        JsonNode first = all.body().path("notifications").get(0);
        assertThat(first.path("room_id").asText()).isEqualTo(dm);
        assertThat(first.path("read").asBoolean()).isFalse();
        assertThat(first.path("ts").asLong()).isPositive();
        assertThat(first.path("actions").toString()).contains("notify");
        assertThat(all.body().path("notifications").get(2).path("read").asBoolean()).as("before bob's receipt").isTrue();
        assertThat(all.body().has("next_token")).isFalse();

        assertThat(ids(client.get(NOTIFICATIONS + "?only=highlight", bob).body())).as("the mention highlights").containsExactly(mention);
        Resp page = client.get(NOTIFICATIONS + "?limit=2", bob);
        assertThat(ids(page.body())).containsExactly(latest, mention);
        Resp rest = client.get(NOTIFICATIONS + "?limit=2&from=" + TestClient.seg(page.text("next_token")), bob);
        assertThat(ids(rest.body())).containsExactly(before);
        assertThat(ids(client.get(NOTIFICATIONS, alice).body())).as("alice's invite-time events do not notify her").doesNotContain(latest);
    }

    @Test
    void badParametersAreRefused() {
        String alice = server.registerToken("ntfbad_alice");
        for (String bad : List.of("limit=0", "limit=x", "only=everything", "from=garbage")) {
            Resp r = client.get(NOTIFICATIONS + "?" + bad, alice);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errcode()).as(bad).isEqualTo("M_INVALID_PARAM");
        }
        assertThat(client.get(NOTIFICATIONS, null).status()).isEqualTo(401);
        assertThat(client.get(NOTIFICATIONS, alice).body().path("notifications").size()).isZero();
    }
}
