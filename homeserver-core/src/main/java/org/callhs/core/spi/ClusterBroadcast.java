package org.callhs.core.spi;

import java.util.List;
import java.util.function.Consumer;

/**
 * Short messages between the instances of a cluster (several processes on one PostgreSQL
 * database): a topic and a few keys, delivered after a commit, at most once and possibly not at
 * all (a disconnected listener loses them), so they may only say "look now" about something the
 * database already holds. A lone instance has no one to tell: {@link #broadcast} does nothing.
 */
public interface ClusterBroadcast {
    /**
     * Calls {@code handler} with the keys another instance broadcast on {@code topic}. An empty
     * list means "all keys" (a message with too many keys is sent that way).
     */
    void onBroadcast(String topic, Consumer<List<String>> handler);

    /** Sends {@code keys} to the other instances' handlers of {@code topic}. */
    void broadcast(String topic, List<String> keys);
}
