package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.StickyEventsApi.FEATURE;
import static org.callhs.complement.StickyEventsApi.ONLY_EXAMPLE;
import static org.callhs.complement.StickyEventsApi.SECTION;
import static org.callhs.complement.StickyEventsApi.STICKY;
import static org.callhs.complement.StickyEventsApi.assertNoTtl;
import static org.callhs.complement.StickyEventsApi.hasStickySection;
import static org.callhs.complement.StickyEventsApi.joined;
import static org.callhs.complement.StickyEventsApi.nextBatch;
import static org.callhs.complement.StickyEventsApi.room;
import static org.callhs.complement.StickyEventsApi.stickySend;
import static org.callhs.complement.StickyEventsApi.sync;
import static org.callhs.complement.StickyEventsApi.timelineIds;
import static org.callhs.complement.StickyEventsApi.unstableFeatures;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
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
 * Sticky events turned off with {@code sticky_events.enabled=false} (as {@code msc4354-sticky}'s
 * {@code StickyEventsDisabledTest} and Synapse's {@code StickyEventsDisabledClientTestCase}, whose
 * default is off): {@code /versions} advertises {@code org.matrix.msc4354: false}; the send parameter
 * is ignored, even when it is not a number, on {@code /send} and {@code /state}; the events carry
 * neither the {@code msc4354_sticky} key nor a TTL; no {@code /sync} response, initial or
 * incremental, has a sticky section. A remote server cannot be configured like this, so it is skipped.
 */
@HomeserverScenario
class StickyEventsDisabledScenario {

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, StickyEventsDisabledScenario.class,
                HomeserverOptions.defaults().set("sticky_events.enabled", "false"));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    @Test
    void advertisedAsOff() {
        JsonNode features = unstableFeatures(deployment.hs1().client());
        assertThat(features.path(FEATURE).isBoolean()).as("%s", features).isTrue();
        assertThat(features.path(FEATURE).asBoolean()).isFalse();
    }

    @Test
    void theParameterIsIgnoredAndNothingIsSticky() {
        CsApiClient alice = deployment.hs1().client().register(Names.unique("off-alice"), "sticky-off-password");
        CsApiClient bob = deployment.hs1().client().register(Names.unique("off-bob"), "sticky-off-password");
        String roomId = room(alice, bob);
        String since = nextBatch(sync(bob, null, ONLY_EXAMPLE));
        List<String> ids = new ArrayList<>();
        for (String value : List.of("60000", "abc", "-1", "")) {
            ids.add(stickySend(alice, roomId, "m.room.message", value).json(obj("msgtype", "m.text", "body", "not sticky " + value))
                    .send().assertOk().path("event_id").asText());
        }
        ids.add(alice.request("PUT", "rooms", roomId, "state", "org.example.state", "k").query(STICKY, "60000").json(obj("a", 1))
                .send().assertOk().path("event_id").asText());
        for (String id : ids) {
            JsonNode event = Rooms.event(alice, roomId, id);
            assertThat(event.has(SECTION)).as("no sticky key in %s", event).isFalse();
            assertNoTtl(event);
        }
        JsonNode initial = sync(bob, null, ONLY_EXAMPLE);
        assertThat(joined(initial, roomId).isObject()).as("the room is in %s", initial).isTrue();
        assertThat(hasStickySection(initial, roomId)).as("initial: %s", initial).isFalse();
        JsonNode incremental = sync(bob, since, ONLY_EXAMPLE);
        assertThat(incremental.toString()).as("incremental: %s", incremental).doesNotContain(SECTION);
        JsonNode unfiltered = sync(bob, null, null);
        assertThat(timelineIds(unfiltered, roomId)).as("the messages are ordinary timeline events").containsAll(ids.subList(0, 4));
        assertThat(unfiltered.toString()).doesNotContain(SECTION);
    }
}
