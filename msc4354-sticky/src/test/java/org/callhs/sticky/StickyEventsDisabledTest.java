package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.testing.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code sticky_events.enabled: false}: advertised as off, the parameter ignored, nothing sticky served. */
@ParameterizedClass
@EnumSource(Backend.class)
class StickyEventsDisabledTest extends StickyEventsSuite {

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "sticky_events.enabled=false");
    }

    @Test
    void theParameterIsIgnoredAndNothingIsSticky() {
        assertThat(client.get("/_matrix/client/versions", null).body().path("unstable_features").path("org.matrix.msc4354").asBoolean())
                .isFalse();
        String alice = server.registerToken("off-alice");
        String roomId = room(alice);
        String id = sendSticky(alice, roomId, 60_000, "not sticky");
        JsonNode event = event(alice, roomId, id);
        assertThat(event.has("msc4354_sticky")).isFalse();
        assertThat(event.path("unsigned").has(TTL)).isFalse();
        JsonNode sync = sync(alice, null, "{\"room\":{\"timeline\":{\"types\":[\"io.element.example\"]}}}");
        assertThat(sync.path("rooms").path("join").path(roomId).has("msc4354_sticky")).isFalse();
    }
}
