package org.callhs.core.sync;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * At most a fixed number of sync responses ({@code /sync} and sliding sync together) are built
 * at once, the rest wait in a fair queue. Fewer than the read pool's connections, so that one
 * event waking hundreds of long-polls cannot take every connection from the requests that send,
 * join or restart.
 */
public final class SyncBuildGate {
    private final Semaphore permits;

    public SyncBuildGate(int concurrentBuilds) {
        if (concurrentBuilds < 1) throw new IllegalArgumentException("concurrentBuilds must be at least 1");
        this.permits = new Semaphore(concurrentBuilds, true);
    }

    /** Runs {@code build} once a permit is free. */
    public <T> T build(Supplier<T> build) throws InterruptedException {
        permits.acquire();
        try {
            return build.get();
        } finally {
            permits.release();
        }
    }
}
