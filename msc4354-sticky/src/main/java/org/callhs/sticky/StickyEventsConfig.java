package org.callhs.sticky;

/**
 * The {@code sticky_events} configuration section.
 *
 * @param enabled           MSC4354 on: the send parameter is honoured, sticky events are tracked and served. Off: the
 *                          parameter is ignored (events are sent as normal events), as Synapse does with the feature off
 * @param maxEventsPerSync  most sticky events one {@code /sync} response carries across all rooms; the rest follow in the
 *                          next responses. Larger answers fewer round trips after a join but makes single responses heavier
 * @param cleanupIntervalMs how often expired rows are deleted; readers skip them anyway, so this only bounds the table size
 */
public record StickyEventsConfig(boolean enabled, int maxEventsPerSync, long cleanupIntervalMs) {
    public static final String SECTION = "sticky_events";

    public static StickyEventsConfig defaults() {
        return new StickyEventsConfig(true, 100, 600_000);
    }

    /** Start-up check: every value in range, or an exception naming the key. */
    public void validate() {
        if (maxEventsPerSync < 1 || maxEventsPerSync > 10_000) {
            throw new IllegalArgumentException(SECTION + ".max_events_per_sync must be between 1 and 10000");
        }
        if (cleanupIntervalMs < 1_000) throw new IllegalArgumentException(SECTION + ".cleanup_interval_ms must be at least 1000");
    }
}
