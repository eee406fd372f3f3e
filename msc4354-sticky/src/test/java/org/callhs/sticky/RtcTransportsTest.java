package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** MSC4143 transport discovery with one LiveKit transport configured; {@link StickyEventsApiTest}'s server has none. */
@ParameterizedClass
@EnumSource(Backend.class)
class RtcTransportsTest extends StickyEventsSuite {
    private static final String TRANSPORTS = "/_matrix/client/unstable/org.matrix.msc4143/rtc/transports";

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "rtc.transports=[{\"type\": \"livekit\", \"livekit_service_url\": \"https://jwt.example.org\"}]");
    }

    @Test
    void configuredTransportsAreServedToUsersAndInTheWellKnown() {
        String alice = server.registerToken("rtc-alice");
        Resp r = client.get(TRANSPORTS, alice);
        assertThat(r.status()).isEqualTo(200);
        JsonNode transports = r.body().path("rtc_transports");
        assertThat(transports).hasSize(1);
        assertThat(transports.get(0).path("type").asText()).isEqualTo("livekit");
        assertThat(transports.get(0).path("livekit_service_url").asText()).isEqualTo("https://jwt.example.org");
        JsonNode wellKnown = client.get("/.well-known/matrix/client", null).body();
        assertThat(wellKnown.path("org.matrix.msc4143.rtc_foci")).isEqualTo(transports);
        assertThat(wellKnown.path("m.homeserver").path("base_url").asText()).isNotBlank();
        assertThat(client.get(TRANSPORTS, null).status()).as("needs an access token").isEqualTo(401);
    }
}
