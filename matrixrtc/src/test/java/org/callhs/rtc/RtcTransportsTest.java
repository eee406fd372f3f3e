package org.callhs.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MSC4143 transport discovery without the built-in LiveKit service: transports as configured
 * (one, or none), and the service's paths unknown. {@link LiveKitServiceTest} covers the service.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RtcTransportsTest {
    private static final String TRANSPORTS = "/_matrix/client/unstable/org.matrix.msc4143/rtc/transports";

    @Parameter
    Backend backend;

    @Test
    void configuredTransportsAreServedToUsersAndInTheWellKnown() {
        try (TestServer server = TestServer.start(backend, List.of(new MatrixRtcModule()),
                "rtc.transports=[{\"type\": \"livekit\", \"livekit_service_url\": \"https://jwt.example.org\"}]")) {
            TestClient client = server.client();
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
            Resp off = client.post(LiveKitService.PATH + "/get_token", null, "{}");
            assertThat(off.status()).as("the built-in service is off").isEqualTo(404);
            assertThat(off.errcode()).isEqualTo("M_UNRECOGNIZED");
            assertThat(client.post(LiveKitService.PATH + "/sfu_webhook", null, "{}").status()).isEqualTo(404);
        }
    }

    @Test
    void withNoTransportsTheListIsEmptyAndTheWellKnownHasNone() {
        try (TestServer server = TestServer.start(backend, List.of(new MatrixRtcModule()))) {
            TestClient client = server.client();
            Resp r = client.get(TRANSPORTS, server.registerToken("rtc-none"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("rtc_transports").isArray()).isTrue();
            assertThat(r.body().path("rtc_transports")).isEmpty();
            assertThat(client.get("/.well-known/matrix/client", null).body().has("org.matrix.msc4143.rtc_foci")).isFalse();
        }
    }

    @Test
    void aLiveKitSectionWithoutItsSecretStopsStartUp() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(backend, List.of(new MatrixRtcModule()),
                        "rtc.livekit.url=\"ws://127.0.0.1:7880\"", "rtc.livekit.key=\"k\""))
                .hasStackTraceContaining("set exactly one of secret and secret_path");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(backend, List.of(new MatrixRtcModule()),
                        "rtc.livekit.url=\"ws://127.0.0.1:7880\"", "rtc.livekit.key=\"k\"", "rtc.livekit.secret=\"short\""))
                .hasStackTraceContaining("32 bytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(backend, List.of(new MatrixRtcModule()),
                        "rtc.livekit.url=\"http://127.0.0.1:7880\"", "rtc.livekit.key=\"k\"", "rtc.livekit.secret=\"" + "s".repeat(40) + "\""))
                .hasStackTraceContaining("ws://");
    }
}
