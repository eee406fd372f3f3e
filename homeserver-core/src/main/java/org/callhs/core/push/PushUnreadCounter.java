package org.callhs.core.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.callhs.core.ephemeral.ReceiptService;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RelatesTo;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.auth.PowerLevels;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.room.auth.StateView;
import org.callhs.core.sync.UnreadCounter;

/**
 * {@code unread_notifications} and {@code unread_thread_notifications} of {@code /sync}: the
 * events their push rules make notify, and of those the highlighted ones, that the user has
 * not read. An event is read when the user's unthreaded receipt (public or private) reaches it,
 * or their receipt in the event's thread ({@code main} for events outside threads; an event
 * relating to a thread's event belongs to that thread); without any receipt, what came before
 * their join is read. Evaluated when asked, against the
 * room's current state (member count, display name, power levels), over at most
 * {@value #MAX_SCANNED} events. Tallies are kept per (user, room, receipt position) with the
 * position they reach, so a later sync evaluates only the events that arrived since.
 */
public final class PushUnreadCounter implements UnreadCounter {
    /** Most events looked at per room: counts beyond this are not exact (a client shows "99+" long before). */
    public static final int MAX_SCANNED = 1000;
    private final RoomReader reader;
    private final ReceiptService receipts;
    private final PushRuleService rules;
    private final PushRuleEvaluator evaluator = new PushRuleEvaluator();
    private final Cache<Key, Tally> tallies = Caffeine.newBuilder().maximumSize(50_000).expireAfterAccess(Duration.ofMinutes(10)).build();
    /** Room state for evaluation: member count and power levels lag by at most this. */
    private final Cache<String, RoomContext> roomContexts = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofSeconds(2)).build();
    /** Rule sets change rarely; a change shows in counts within this time. */
    private final Cache<String, JsonNode> rulesets = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(5)).build();

    private record Key(String userId, String roomId, ReceiptService.ReadMarks marks) {}

    /** Counts of the unread events up to {@code end}, per thread ({@code main} for the main timeline). */
    private record Tally(long end, Map<String, long[]> threads) {
        Tally {
            threads = Map.copyOf(threads);
        }
    }

    public PushUnreadCounter(RoomReader reader, ReceiptService receipts, PushRuleService rules) {
        this.reader = reader;
        this.receipts = receipts;
        this.rules = rules;
    }

    @Override
    public Counts counts(String userId, String roomId, long upToPosition, List<PersistedEvent> recent, long recentAfter) {
        ReceiptService.ReadMarks marks = receipts.readMarks(roomId, userId);
        long floor = floor(userId, roomId, marks);
        if (floor >= upToPosition) return Counts.ZERO;
        Key key = new Key(userId, roomId, marks);
        Tally tally = tallies.getIfPresent(key);
        if (tally == null || tally.end() > upToPosition) {
            Tally fresh = evaluate(key, floor, upToPosition, new Tally(floor, Map.of()), recent, recentAfter);
            if (tally == null) tallies.put(key, fresh);
            return counts(fresh);
        }
        if (tally.end() < upToPosition) {
            tally = evaluate(key, tally.end(), upToPosition, tally, recent, recentAfter);
            tallies.put(key, tally);
        }
        return counts(tally);
    }

    private static Counts counts(Tally tally) {
        long[] main = tally.threads().getOrDefault(MAIN, new long[2]);
        Map<String, Counts> threads = new java.util.HashMap<>();
        tally.threads().forEach((thread, c) -> {
            if (!thread.equals(MAIN)) threads.put(thread, new Counts(c[0], c[1], Map.of()));
        });
        return new Counts(main[0], main[1], threads);
    }

    /** Everything at or before this position is read: the unthreaded receipt, else the lowest threaded one, not before the join. */
    private long floor(String userId, String roomId, ReceiptService.ReadMarks marks) {
        if (marks.unthreaded() > 0) return marks.unthreaded();
        return reader.memberships(userId).stream().filter(m -> m.roomId().equals(roomId)).findFirst()
                .flatMap(m -> reader.event(m.eventId())).map(PersistedEvent::streamOrdering).orElse(0L);
    }

    private static final String MAIN = "main";

    /**
     * What the user's push rules do with an event of a room they are in, against the room's
     * current state (as the counts are evaluated); empty for their own events and redacted ones.
     */
    public java.util.Optional<PushRuleEvaluator.Outcome> outcome(String userId, PersistedEvent event) {
        if (event.sender().equals(userId) || event.redactedBy() != null) return java.util.Optional.empty();
        return java.util.Optional.of(judge(userId, event.roomId()).apply(event));
    }

    /** Evaluates events of one room for one user, with the room's state, the user's display name and rules read once. */
    private java.util.function.Function<PersistedEvent, PushRuleEvaluator.Outcome> judge(String userId, String roomId) {
        RoomContext room = roomContexts.get(roomId, this::roomContext);
        String displayName = reader.stateEvent(room.state(), StateKey.MEMBER_TYPE, userId)
                .map(e -> e.pdu().path("content").path("displayname").textValue()).orElse(null);
        JsonNode ruleset = rulesets.get(userId, rules::ruleset);
        return event -> evaluator.evaluate(ruleset, new PushContext(event.pdu(), userId, displayName, room.members(),
                PowerLevels.userLevel(event.sender(), room.view(), event.version()), room.notificationLevels()));
    }

    /** The thread an event belongs to: the root of its thread, or {@code main}. */
    public String threadOf(PersistedEvent event) {
        RelatesTo relation = RelatesTo.of(event.pdu()).orElse(null);
        if (relation == null) return MAIN;
        if (relation.relType().equals(RelatesTo.THREAD)) return relation.eventId();
        return reader.event(relation.eventId()).flatMap(parent -> RelatesTo.of(parent.pdu()))
                .filter(r -> r.relType().equals(RelatesTo.THREAD)).map(RelatesTo::eventId).orElse(MAIN);
    }

    /** Adds the unread events in (after, end] (the newest {@value #MAX_SCANNED}) to a tally. */
    private Tally evaluate(Key key, long after, long end, Tally base, List<PersistedEvent> recent, long recentAfter) {
        List<PersistedEvent> events = recent != null && recentAfter <= after
                ? recent.stream().filter(e -> e.streamOrdering() > after && e.streamOrdering() <= end).toList()
                : reader.backwards(key.roomId(), end, after, MAX_SCANNED);
        if (events.isEmpty()) return new Tally(end, base.threads());
        var judge = judge(key.userId(), key.roomId());
        Map<String, long[]> threads = new java.util.HashMap<>();
        base.threads().forEach((thread, c) -> threads.put(thread, c.clone()));
        for (PersistedEvent event : events) {
            if (event.sender().equals(key.userId()) || event.redactedBy() != null) continue;
            String thread = threadOf(event);
            if (event.streamOrdering() <= key.marks().readUpTo(thread)) continue;
            PushRuleEvaluator.Outcome outcome = judge.apply(event);
            if (!outcome.notifies() && !outcome.highlight()) continue;
            long[] c = threads.computeIfAbsent(thread, t -> new long[2]);
            if (outcome.notifies()) c[0]++;
            if (outcome.highlight()) c[1]++;
        }
        return new Tally(end, threads);
    }

    /** What evaluation needs of a room's state; shared by its members for a moment. */
    private record RoomContext(Map<StateKey, String> state, StateView view, Map<String, Long> notificationLevels, long members) {}

    private RoomContext roomContext(String roomId) {
        Map<StateKey, String> state = reader.currentState(roomId);
        Map<StateKey, JsonNode> pdus = new java.util.HashMap<>();
        String powerId = state.get(StateKey.POWER_LEVELS);
        String createId = state.get(StateKey.CREATE);
        if (powerId != null) reader.event(powerId).ifPresent(e -> pdus.put(StateKey.POWER_LEVELS, e.pdu()));
        if (createId != null) reader.event(createId).ifPresent(e -> pdus.put(StateKey.CREATE, e.pdu()));
        JsonNode powerContent = pdus.containsKey(StateKey.POWER_LEVELS) ? pdus.get(StateKey.POWER_LEVELS).path("content") : null;
        return new RoomContext(state, StateView.of(pdus), PushContext.notificationLevels(powerContent),
                reader.members(roomId, "join").size());
    }
}
