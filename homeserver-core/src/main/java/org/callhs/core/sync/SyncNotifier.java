package org.callhs.core.sync;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The in-memory side of {@code /sync}: the newest committed position of every stream, and the
 * long-polls waiting for news. A waiting request registers under its user and its rooms
 * before it looks for news, so an update that commits in between still wakes it (no lost
 * wake-ups). Waking is a signal only: the woken request reads the database again.
 *
 * <p>Positions only grow. Writers allocate positions in commit order (see
 * {@code StreamPositionRepository}), so once position N was notified everything up to N is
 * committed and readable.
 */
public final class SyncNotifier implements UpdateNotifier {
    private final Map<String, AtomicLong> positions = new ConcurrentHashMap<>();
    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private final Function<String, Collection<String>> joinedRooms;
    /** Per room: the newest event position, and the newest member event position, seen since start-up. */
    private final Map<String, Long> roomLatest = new ConcurrentHashMap<>();
    private final Map<String, Long> roomLatestMember = new ConcurrentHashMap<>();
    private final long startEvents;
    /** Where updates go for the other instances (cluster mode), or null. */
    private volatile Relay relay;
    /** Set while this thread runs work every instance does itself (delivering events): its updates are not relayed. */
    private final ThreadLocal<Boolean> derived = ThreadLocal.withInitial(() -> false);

    /** Takes this instance's updates to the other instances of a cluster. */
    public interface Relay {
        void relay(Update update);
    }

    /**
     * One update as {@link UpdateNotifier} was told it: {@code kind} {@code u} (these users),
     * {@code r} (the rooms' members), {@code p} (the users and everyone sharing a room with
     * them) or {@code a} (everyone: too many keys to name).
     */
    public record Update(String stream, long position, char kind, List<String> keys) {}

    /** @param joinedRooms a user's joined rooms, for updates that concern everyone sharing a room */
    public SyncNotifier(Map<String, Long> initialPositions, Function<String, Collection<String>> joinedRooms) {
        initialPositions.forEach((stream, position) -> positions.put(stream, new AtomicLong(position)));
        this.joinedRooms = joinedRooms;
        this.startEvents = initialPositions.getOrDefault(Streams.EVENTS, 0L);
    }

    public long current(String stream) {
        AtomicLong position = positions.get(stream);
        return position == null ? 0 : position.get();
    }

    /** Moves a stream forward without waking anyone (e.g. at start-up, or for streams read on a timer). */
    public void advance(String stream, long position) {
        positions.computeIfAbsent(stream, s -> new AtomicLong()).accumulateAndGet(position, Math::max);
    }

    @Override
    public void usersUpdated(String stream, long position, Collection<String> userIds) {
        advance(stream, position);
        for (String user : userIds) wake("u:" + user);
        relay(new Update(stream, position, 'u', List.copyOf(userIds)));
    }

    @Override
    public void roomUpdated(String stream, long position, String roomId) {
        advance(stream, position);
        wake("r:" + roomId);
        relay(new Update(stream, position, 'r', List.of(roomId)));
    }

    @Override
    public void peersUpdated(String stream, long position, String userId) {
        wakePeers(stream, position, userId);
        relay(new Update(stream, position, 'p', List.of(userId)));
    }

    private void wakePeers(String stream, long position, String userId) {
        advance(stream, position);
        wake("u:" + userId);
        for (String room : joinedRooms.apply(userId)) wake("r:" + room);
    }

    /** Catches up with tokens other instances handed out (cluster mode), or null. */
    private volatile java.util.function.Consumer<Map<String, Long>> reach;

    /** Sets how a token from another instance is caught up with ({@link #reach}). */
    public void reachWith(java.util.function.Consumer<Map<String, Long>> reach) {
        this.reach = reach;
    }

    /**
     * Before serving a request with a token that may come from another instance of a cluster:
     * waits briefly until this instance has read as far as the token says, so that the answer
     * neither repeats nor skips what the other instance served. Nothing to do for a lone instance.
     */
    public void reach(Map<String, Long> positions) {
        var r = reach;
        if (r != null) r.accept(positions);
    }

    /** Sends this instance's updates to the other instances (cluster mode). */
    public void relayTo(Relay relay) {
        this.relay = relay;
    }

    private void relay(Update update) {
        Relay r = relay;
        if (r != null && !derived.get()) r.relay(update);
    }

    /** Runs work whose updates every instance makes for itself (events delivery): they are not relayed. */
    public void derived(Runnable work) {
        if (derived.get()) {
            work.run();
            return;
        }
        derived.set(true);
        try {
            work.run();
        } finally {
            derived.set(false);
        }
    }

    /** Applies an update another instance made: positions move and long-polls wake as if it were made here. */
    public void applyRelayed(Update update) {
        switch (update.kind()) {
            case 'u' -> {
                advance(update.stream(), update.position());
                for (String user : update.keys()) wake("u:" + user);
            }
            case 'r' -> {
                advance(update.stream(), update.position());
                for (String room : update.keys()) wake("r:" + room);
            }
            case 'p' -> {
                for (String user : update.keys()) wakePeers(update.stream(), update.position(), user);
            }
            default -> {
                advance(update.stream(), update.position());
                wakeAll();
            }
        }
    }

    /** Wakes every waiting request (after updates may have been missed). */
    public void wakeAll() {
        waiters.values().forEach(set -> set.forEach(Waiter::signal));
    }

    /** Records a committed room event (called by core's event listener before it wakes anyone). */
    public void eventCommitted(String roomId, long position, boolean memberEvent) {
        roomLatest.merge(roomId, position, Math::max);
        if (memberEvent) roomLatestMember.merge(roomId, position, Math::max);
    }

    /** The newest event position of a room if known in memory (it is after any event since start-up). */
    public Long latestInRoom(String roomId) {
        return roomLatest.get(roomId);
    }

    /** Caches a room's newest position read from the database. */
    public void rememberLatest(String roomId, long position) {
        roomLatest.merge(roomId, position, Math::max);
    }

    /**
     * The newest event position of each room: from memory, and from {@code database} (whose
     * answers are remembered) only for rooms not seen since start-up. Rooms without events are absent.
     */
    public Map<String, Long> latestInRooms(Collection<String> roomIds,
                                           Function<Collection<String>, Map<String, Long>> database) {
        Map<String, Long> latest = new java.util.HashMap<>();
        List<String> unknown = new java.util.ArrayList<>();
        for (String roomId : roomIds) {
            Long known = roomLatest.get(roomId);
            if (known != null) latest.put(roomId, known); else unknown.add(roomId);
        }
        if (!unknown.isEmpty()) {
            database.apply(unknown).forEach((roomId, position) -> {
                rememberLatest(roomId, position);
                latest.put(roomId, position);
            });
        }
        return latest;
    }

    /**
     * Whether a member event may have been committed in the room after {@code position}:
     * true when one was, and whenever {@code position} is older than this process (nothing is
     * known about that time).
     */
    public boolean membersMayHaveChanged(String roomId, long position) {
        if (position < startEvents) return true;
        Long latest = roomLatestMember.get(roomId);
        return latest != null && latest > position;
    }

    private void wake(String key) {
        Set<Waiter> set = waiters.get(key);
        if (set != null) set.forEach(Waiter::signal);
    }

    /** Long-polls waiting now (registered and not yet closed). */
    public int waiting() { return waiting.get(); }

    /** Registers a waiter for a user and their rooms; close it when the request ends. */
    public Waiter register(String userId, Collection<String> roomIds) {
        Waiter waiter = new Waiter(userId, Set.copyOf(roomIds));
        waiting.incrementAndGet();
        add("u:" + userId, waiter);
        roomIds.forEach(room -> add("r:" + room, waiter));
        return waiter;
    }

    /**
     * Adds inside the map's atomic {@code compute}: adding to the set {@code computeIfAbsent}
     * returned, after it, could put the waiter into a set a concurrent {@link #remove} had just
     * emptied and unmapped, where no wake-up would ever find it.
     */
    private void add(String key, Waiter waiter) {
        waiters.compute(key, (k, set) -> {
            Set<Waiter> target = set == null ? ConcurrentHashMap.newKeySet() : set;
            target.add(waiter);
            return target;
        });
    }

    private void remove(String key, Waiter waiter) {
        waiters.computeIfPresent(key, (k, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    /** One waiting request. Signals that arrive before {@link #await} are not lost. */
    public final class Waiter implements AutoCloseable {
        private final String userId;
        private final Set<String> roomIds;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private boolean signalled;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private Waiter(String userId, Set<String> roomIds) {
            this.userId = userId;
            this.roomIds = roomIds;
        }

        void signal() {
            lock.lock();
            try {
                signalled = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until signalled or the time is up; true when signalled. Clears the signal. */
        public boolean await(long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            lock.lock();
            try {
                while (!signalled) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return false;
                    changed.awaitNanos(left);
                }
                signalled = false;
                return true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) waiting.decrementAndGet();
            remove("u:" + userId, this);
            roomIds.forEach(room -> remove("r:" + room, this));
        }
    }
}
