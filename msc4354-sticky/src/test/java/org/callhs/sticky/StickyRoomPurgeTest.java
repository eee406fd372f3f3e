package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestServer;
import org.callhs.sticky.schema.Tables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Deleting a room (the admin room deletion API) takes its sticky events out of the table and the in-memory index. */
@ParameterizedClass
@EnumSource(Backend.class)
class StickyRoomPurgeTest extends StickyEventsSuite {
    private static final String SECRET = "sticky purge secret";

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "metrics.listen=\"127.0.0.1:0\"", "registration.shared_secret=\"" + SECRET + "\"");
    }

    @Test
    void aPurgedRoomsStickyEventsAreGone() {
        String admin = server.registerAdmin(SECRET, "sticky-root");
        String alice = server.registerToken("purge-alice");
        String doomed = room(alice);
        String kept = room(alice);
        sendSticky(alice, doomed, 600_000, "one");
        sendSticky(alice, doomed, 600_000, "two");
        String survivor = sendSticky(alice, kept, 600_000, "three");
        sendMessage(alice, kept, "m.room.message", "after");
        double indexed = TestServer.sample(server.metrics(), "callhs_sticky_events_index_size");
        var dsl = server.homeserver().database().dsl();
        assertThat(dsl.fetchCount(Tables.STICKY_EVENTS, Tables.STICKY_EVENTS.ROOM_ID.eq(doomed))).isEqualTo(2);

        var deleted = client.delete("/_synapse/admin/v1/rooms/" + TestClient.seg(doomed), admin, "{}");
        assertThat(deleted.status()).as("%s", deleted.body()).isEqualTo(200);

        assertThat(dsl.fetchCount(Tables.STICKY_EVENTS, Tables.STICKY_EVENTS.ROOM_ID.eq(doomed))).isZero();
        assertThat(dsl.fetchCount(Tables.STICKY_SOFT_FAILED, Tables.STICKY_SOFT_FAILED.ROOM_ID.eq(doomed))).isZero();
        assertThat(TestServer.sample(server.metrics(), "callhs_sticky_events_index_size")).isEqualTo(indexed - 2);
        // The other room keeps its sticky event: beyond a one-event timeline, the index still serves it.
        assertThat(stickyIds(sync(alice, null, "{\"room\":{\"timeline\":{\"limit\":1}}}"), kept)).containsExactly(survivor);
        assertThat(dsl.fetchCount(Tables.STICKY_EVENTS, Tables.STICKY_EVENTS.ROOM_ID.eq(kept))).isEqualTo(1);
    }
}
