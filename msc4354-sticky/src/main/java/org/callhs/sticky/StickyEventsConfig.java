package org.callhs.sticky;

/**
 * The {@code sticky_events} configuration section.
 *
 * @param enabled           MSC4354 on: the send parameter is honoured, sticky events are tracked and served. Off: the
 *                          parameter is ignored (events are sent as normal events), as Synapse does with the feature off
 * @param maxEventsPerSync  most sticky events one {@code /sync} response carries across all rooms; the rest follow in the
 *                          next responses. Larger answers fewer round trips after a join but makes single responses heavier
 * @param cleanupIntervalMs how often expired rows are deleted; readers skip them anyway, so this only bounds the table size
 * @param federationRateLimit sticky events another server may send into one room: {@code per_second} refill and {@code burst};
 *                          a transaction beyond it is refused with 429 and retried by its origin. The default (1000 at once,
 *                          then 50 per second) lets a 500-person call on one server join at once and send its memberships'
 *                          updates, and stops a flood
 * @param joinCatchUpEvents how much of a room's recent history this server reads from another server when it joins a room,
 *                          to take the unexpired sticky events of servers that do not push them to new servers (Synapse);
 *                          0 turns it off. The default, 2000 (20 requests of 100), covers a call of hundreds whose
 *                          memberships are buried under other events; the walk also stops at events older than one hour
 */
public record StickyEventsConfig(boolean enabled, int maxEventsPerSync, long cleanupIntervalMs, RateLimit federationRateLimit,
                                 int joinCatchUpEvents) {
    public static final String SECTION = "sticky_events";

    /** A token bucket: {@code perSecond} refill, up to {@code burst}. */
    public record RateLimit(double perSecond, int burst) {}

    public static StickyEventsConfig defaults() {
        return new StickyEventsConfig(true, 100, 600_000, new RateLimit(50, 1000), 2000);
    }

    /** Start-up check: every value in range, or an exception naming the key. */
    public void validate() {
        if (maxEventsPerSync < 1 || maxEventsPerSync > 10_000) {
            throw new IllegalArgumentException(SECTION + ".max_events_per_sync must be between 1 and 10000");
        }
        if (cleanupIntervalMs < 1_000) throw new IllegalArgumentException(SECTION + ".cleanup_interval_ms must be at least 1000");
        if (federationRateLimit == null || !(federationRateLimit.perSecond() > 0) || federationRateLimit.burst() < 50) {
            throw new IllegalArgumentException(SECTION + ".federation_rate_limit needs per_second above 0 and a burst of at least 50 "
                    + "(one transaction)");
        }
        if (joinCatchUpEvents < 0 || joinCatchUpEvents > 10_000) {
            throw new IllegalArgumentException(SECTION + ".join_catch_up_events must be between 0 and 10000");
        }
    }
}
