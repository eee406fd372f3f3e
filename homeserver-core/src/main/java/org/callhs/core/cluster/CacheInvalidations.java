package org.callhs.core.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Evictions of in-memory caches whose truth is a database row that any instance may change
 * (access tokens: a logout on one instance must end the token on all of them). A cache
 * registers its evictor under a name; {@link #invalidate} evicts here and, in cluster mode,
 * sends the keys to the other instances ({@link ClusterBus}), which evict the same keys.
 * A lone instance only evicts locally. Modules use the same channel for their own short
 * messages ({@link org.callhs.core.spi.ClusterBroadcast}).
 */
public final class CacheInvalidations implements org.callhs.core.spi.ClusterBroadcast {
    /** Takes invalidations to the other instances. */
    public interface Relay {
        void relay(String cache, List<String> keys);
    }

    private final Map<String, Consumer<Collection<String>>> caches = new ConcurrentHashMap<>();
    private volatile Relay relay;

    /** Registers a cache's evictor; an empty collection means "everything". */
    public void register(String cache, Consumer<Collection<String>> evict) {
        if (caches.putIfAbsent(cache, evict) != null) throw new IllegalStateException("cache registered twice: " + cache);
    }

    @Override
    public void onBroadcast(String topic, Consumer<List<String>> handler) {
        register(topic, keys -> handler.accept(List.copyOf(keys)));
    }

    @Override
    public void broadcast(String topic, List<String> keys) {
        Relay r = relay;
        if (r != null) r.relay(topic, List.copyOf(keys));
    }

    /** Evicts {@code keys} of {@code cache} here and on every other instance. Call it after the change committed. */
    public void invalidate(String cache, Collection<String> keys) {
        if (keys.isEmpty()) return;
        evict(cache, keys);
        Relay r = relay;
        if (r != null) r.relay(cache, List.copyOf(keys));
    }

    /** Applies an invalidation another instance sent (an empty key list evicts the whole cache). */
    void applyRelayed(String cache, Collection<String> keys) {
        evict(cache, keys);
    }

    /** Empties every registered cache (after this instance may have missed invalidations). */
    void evictAll() {
        caches.values().forEach(evict -> evict.accept(List.of()));
    }

    void relayTo(Relay relay) {
        this.relay = relay;
    }

    private void evict(String cache, Collection<String> keys) {
        Consumer<Collection<String>> evictor = caches.get(cache);
        if (evictor != null) evictor.accept(keys);
    }
}
