package org.callhs.core.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** The in-memory window of recent room events that incremental syncs read. */
class RecentEventsTest {
    private static PersistedEvent event(String roomId, long ordering) {
        return new PersistedEvent("$e" + ordering, roomId, ordering, Json.object().put("type", "m.room.message"),
                RoomVersion.require("11"), null, null, null, null, 1L, null);
    }

    private static List<Long> orderings(List<PersistedEvent> events) {
        return events.stream().map(PersistedEvent::streamOrdering).toList();
    }

    @Test
    void servesOnlyRangesItCoversCompletely() {
        RecentEvents recent = new RecentEvents();
        assertThat(recent.backwards("!a", 10, 0, 10)).isEmpty();
        recent.committed(event("!a", 5));
        recent.committed(event("!b", 6));
        recent.committed(event("!a", 7));
        // The window of !a covers everything after 4 (the position before the first event it saw).
        assertThat(recent.backwards("!a", 7, 4, 10)).hasValueSatisfying(l -> assertThat(orderings(l)).containsExactly(7L, 5L));
        assertThat(recent.backwards("!a", 7, 5, 10)).hasValueSatisfying(l -> assertThat(orderings(l)).containsExactly(7L));
        assertThat(recent.backwards("!a", 6, 4, 10)).hasValueSatisfying(l -> assertThat(orderings(l)).containsExactly(5L));
        assertThat(recent.backwards("!a", 7, 4, 1)).hasValueSatisfying(l -> assertThat(orderings(l)).containsExactly(7L));
        // Older than the window: the caller must read the database.
        assertThat(recent.backwards("!a", 7, 3, 10)).isEmpty();
    }

    @Test
    void dropsTheOldestBeyondItsSizeAndNarrowsWhatItCovers() {
        RecentEvents recent = new RecentEvents();
        for (long i = 1; i <= RecentEvents.PER_ROOM + 10; i++) recent.committed(event("!a", i));
        assertThat(recent.backwards("!a", 1000, 5, 1000)).isEmpty();
        assertThat(recent.backwards("!a", 1000, 10, 1000)).hasValueSatisfying(l -> assertThat(l).hasSize(RecentEvents.PER_ROOM));
    }

    @Test
    void redactionsReplaceTheirTarget() {
        RecentEvents recent = new RecentEvents();
        recent.committed(event("!a", 1));
        recent.committed(event("!a", 2));
        recent.redacted("!a", "$e1", "$r");
        List<PersistedEvent> events = recent.backwards("!a", 2, 0, 10).orElseThrow();
        assertThat(events.get(1).redactedBy()).isEqualTo("$r");
        assertThat(events.get(0).redactedBy()).isNull();
    }
}
