package org.callhs.delayed;

import org.callhs.core.spi.DelayedEventActions;

/**
 * Delayed-event actions for other modules (the MatrixRTC LiveKit service), through the same
 * paths as the client endpoints: restarts join the {@link RestartBatcher}'s durable batches,
 * sends go through {@link DelayedEventService}, owner-checked and exactly once.
 */
final class ModuleDelayedEventActions implements DelayedEventActions {
    private final DelayedEventService service;
    private final RestartBatcher restarts;

    ModuleDelayedEventActions(DelayedEventService service, RestartBatcher restarts) {
        this.service = service;
        this.restarts = restarts;
    }

    @Override
    public Outcome restart(String delayId, String userId) {
        if (userId == null) throw new IllegalArgumentException("a restart for a module needs the owner");
        return restarts.restart(delayId, userId) ? Outcome.DONE : Outcome.NOT_FOUND;
    }

    @Override
    public Outcome sendNow(String delayId, String userId) {
        if (userId == null) throw new IllegalArgumentException("a send for a module needs the owner");
        return service.sendNowFor(delayId, userId) ? Outcome.DONE : Outcome.NOT_FOUND;
    }
}
