package org.callhs.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A per-user limit of 0 turns scheduling off: 403, and the flag in /versions is false. */
@ParameterizedClass
@EnumSource(Backend.class)
class DelayedEventsDisabledTest extends DelayedEventsSuite {

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "delayed_events.max_scheduled_per_user=0");
    }

    @Test
    void schedulingIsForbiddenAndAdvertisedAsOff() {
        String alice = server.registerToken("off-alice");
        String roomId = room(alice);
        Resp r = client.put(rooms(roomId) + "/send/" + TYPE + "/t?org.matrix.msc4140.delay=1000", alice, "{}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.get("/_matrix/client/versions", null).body().path("unstable_features").path("org.matrix.msc4140").asBoolean(true))
                .isFalse();
        JsonNode cap = client.get("/_matrix/client/v3/capabilities", alice).body().path("capabilities").path("org.matrix.msc4140.delayed_events");
        assertThat(cap.path("max_scheduled").asInt(-1)).isZero();
        // Sends without the parameter are unaffected.
        assertThat(client.put(rooms(roomId) + "/send/" + TYPE + "/u", alice, "{}").status()).isEqualTo(200);
    }
}
