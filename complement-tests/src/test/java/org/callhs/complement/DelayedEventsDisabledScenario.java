package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.DelayedEventsApi.TYPE;
import static org.callhs.complement.DelayedEventsApi.delaySend;
import static org.callhs.complement.DelayedEventsApi.room;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Delayed events turned off with {@code delayed_events.max_scheduled_per_user=0} (as
 * {@code msc4140-delayed}'s {@code DelayedEventsDisabledTest}): scheduling is 403, {@code /versions}
 * says {@code false}, the capability says 0, and sends without a delay are unaffected.
 */
@HomeserverScenario
class DelayedEventsDisabledScenario {

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, DelayedEventsDisabledScenario.class,
                HomeserverOptions.defaults().set("delayed_events.max_scheduled_per_user", "0"));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    @Test
    void schedulingIsForbiddenAndAdvertisedAsOff() {
        CsApiClient alice = deployment.hs1().client().register(Names.unique("off-alice"), "delayed-off-password");
        String roomId = room(alice);
        delaySend(alice, roomId, TYPE, "t", 1000).json(obj()).send().assertError(403, "M_FORBIDDEN");
        JsonNode versions = alice.anonymous().requestAt("GET", "_matrix", "client", "versions").send().assertOk();
        assertThat(versions.path("unstable_features").path("org.matrix.msc4140").asBoolean(true)).isFalse();
        JsonNode cap = alice.get("capabilities").assertOk().path("capabilities").path("org.matrix.msc4140.delayed_events");
        assertThat(cap.path("max_scheduled").asInt(-1)).isZero();
        // Sends without the parameter are unaffected.
        Rooms.send(alice, roomId, TYPE, obj());
    }
}
