package org.callhs.bench;

import java.time.Duration;

/**
 * The sizes some scenarios take beyond {@code --users} and {@code --rate} (the delayed-event
 * scenarios). A value of 0 (or a null delay) means "the scenario's default".
 *
 * @param events       {@code heartbeats}: delayed events scheduled during setup; {@code mass-expiry}: events due at once
 * @param accounts     {@code heartbeats}: accounts owning those events
 * @param participants {@code matrixrtc}: simulated call participants
 * @param delay        {@code punctuality}: the delay of each event; {@code matrixrtc}: the delay of each leave
 */
public record ScenarioOptions(int events, int accounts, int participants, Duration delay) {

    /** Every size at its scenario's default. */
    public static final ScenarioOptions DEFAULTS = new ScenarioOptions(0, 0, 0, null);

    public ScenarioOptions {
        if (events < 0 || accounts < 0 || participants < 0) {
            throw new IllegalArgumentException("--events, --accounts and --participants must be >= 0");
        }
        if (delay != null && delay.toMillis() < 1) {
            throw new IllegalArgumentException("--delay must be at least 1 ms");
        }
    }

    int eventsOr(int fallback) {
        return events > 0 ? events : fallback;
    }

    int accountsOr(int fallback) {
        return accounts > 0 ? accounts : fallback;
    }

    int participantsOr(int fallback) {
        return participants > 0 ? participants : fallback;
    }

    long delayMillisOr(long fallback) {
        return delay != null ? delay.toMillis() : fallback;
    }
}
