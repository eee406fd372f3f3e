package org.callhs.sticky;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.SyncContext;
import org.callhs.core.spi.SyncStream;
import org.callhs.core.storage.Database;
import org.callhs.core.sync.UpdateNotifier;

/**
 * {@code rooms.join.{roomId}.msc4354_sticky.events} in {@code /sync}: the unexpired sticky events
 * of the user's joined rooms, outside the timeline limit, at most {@code max_events_per_sync} per
 * response across rooms (the rest follow in the next responses, which then answer at once).
 *
 * <p>Two parts fill a response, each in stream order:
 * <ol>
 * <li><b>Join backlog.</b> For every room the user joined since the token (every room on an
 *     initial sync), the unexpired sticky events up to and including their join. This is the
 *     MSC's "a user who joins receives all unexpired sticky events", also in an incremental sync,
 *     which Synapse leaves out. When the backlog does not fit, the token carries where it stopped
 *     ({@value #BACKLOG_JOIN}: the join's position, {@value #BACKLOG_AT}: the last event handed
 *     out) and the next response goes on from there.
 * <li><b>New sticky events</b> in the joined rooms after the token's position on this stream and
 *     after the user's join. The position in the next token is the last event looked at.
 * </ol>
 * An event already in this response's timeline for the room is left out (the timeline filter
 * applies first, so an event the filter hides still comes here); so are ignored users' events.
 * History visibility does not apply. Leaving a room ends its sticky events.
 *
 * <p>Positions are event stream orderings: rows are written in the events' own transactions and
 * events commit in stream order, so this stream has no gaps to wait for. Reads come from the
 * in-memory {@link StickyIndex}, never from the database.
 *
 * <p>MSC4354 (branch kegan/persist-edu), "Sticky events in /sync".
 */
final class StickyStream implements SyncStream {
    static final String NAME = "sticky";
    static final String SECTION = "msc4354_sticky";
    static final String BACKLOG_JOIN = "sticky_join";
    static final String BACKLOG_AT = "sticky_join_at";

    private final Database database;
    private final StickyEventRepository repository;
    private final StickyIndex index;
    private final Clock clock;
    private final UpdateNotifier notifier;
    private final int maxPerSync;
    private final AtomicLong position = new AtomicLong();

    StickyStream(Database database, StickyEventRepository repository, StickyIndex index, Clock clock, UpdateNotifier notifier,
                 int maxPerSync) {
        this.database = database;
        this.repository = repository;
        this.index = index;
        this.clock = clock;
        this.notifier = notifier;
        this.maxPerSync = maxPerSync;
    }

    /** Start-up: the index is loaded from the table, and the stream resumes after the newest recorded sticky event. */
    void resume() {
        repository.unexpired(database.dsl(), clock.millis()).forEach(index::add);
        position.accumulateAndGet(repository.maxPosition(database.dsl()), Math::max);
    }

    /** A sticky event committed at {@code ordering}: move on and wake the room's long-polls. */
    void committed(long ordering, String roomId) {
        position.accumulateAndGet(ordering, Math::max);
        notifier.roomUpdated(NAME, ordering, roomId);
    }

    @Override
    public String name() { return NAME; }

    @Override
    public long currentPosition() { return position.get(); }

    @Override
    public long contribute(SyncContext context, long since, long upTo) {
        return deliver(context, since, upTo, maxPerSync, roomId -> {
            ObjectNode section = context.joinedRoomSection(roomId);
            ObjectNode sticky = section.get(SECTION) instanceof ObjectNode existing ? existing : section.putObject(SECTION);
            return sticky.get("events") instanceof ArrayNode a ? a : sticky.putArray("events");
        });
    }

    /**
     * Hands out up to {@code budget} sticky events of the context's joined rooms in
     * {@code (since, upTo]} (join backlog first), each into {@code sink}'s array for its room, and
     * returns the position the next token carries (see {@link SyncStream#contribute}). Shared by
     * {@code /sync} and the sliding sync extension.
     */
    long deliver(SyncContext context, long since, long upTo, int budget, java.util.function.Function<String, ArrayNode> sink) {
        if (context.joinedRooms().isEmpty()) return upTo;
        long now = clock.millis();
        Delivery delivery = new Delivery(context, budget, sink);
        try {
            if (!backlog(context, delivery, now)) return since;
            if (since >= upTo) return upTo;
            int limit = delivery.left();
            if (limit == 0) return since;
            List<StickyEventRepository.Row> rows = index.inRooms(context.joinedRooms(), since, upTo, now, limit + 1);
            boolean more = rows.size() > limit;
            if (more) rows = rows.subList(0, limit);
            List<StickyEventRepository.Row> afterJoin = new ArrayList<>();
            for (StickyEventRepository.Row row : rows) {
                if (row.position() > context.membershipPosition(row.roomId())) afterJoin.add(row);
            }
            delivery.add(afterJoin, rows.size());
            return more ? rows.get(rows.size() - 1).position() : upTo;
        } finally {
            delivery.flush();
        }
    }

    /**
     * Hands out the join backlog of the rooms joined since the token (or after the join whose
     * backlog the token says is part done, that one included). Returns false when the budget ran
     * out first; the token then carries where to go on. A room's backlog is read up to the join
     * itself, whatever this stream's current position: the join is committed, so every sticky
     * event before it is too.
     */
    private boolean backlog(SyncContext context, Delivery delivery, long now) {
        OptionalLong carriedJoin = context.carried(BACKLOG_JOIN);
        long doneJoin = context.initial() ? 0 : carriedJoin.orElse(context.sinceEventsPosition());
        long doneAt = carriedJoin.isPresent() ? context.carried(BACKLOG_AT).orElse(0) : 0;
        List<String> pending = new ArrayList<>();
        for (String roomId : context.joinedRooms()) {
            long join = context.membershipPosition(roomId);
            if (join > doneJoin || (join == doneJoin && doneAt > 0)) pending.add(roomId);
        }
        pending.sort(Comparator.comparingLong(context::membershipPosition));
        for (String roomId : pending) {
            long join = context.membershipPosition(roomId);
            long after = join == doneJoin ? doneAt : 0;
            int limit = delivery.left();
            List<StickyEventRepository.Row> rows = limit == 0 ? List.of()
                    : index.inRooms(List.of(roomId), after, join, now, limit + 1);
            if (limit > 0 && rows.size() <= limit) {
                delivery.add(rows, rows.size());
                continue;
            }
            List<StickyEventRepository.Row> handed = rows.subList(0, limit);
            delivery.add(handed, handed.size());
            long at = handed.isEmpty() ? after : handed.get(handed.size() - 1).position();
            // "at = 0" reads as "room done", so a room not started yet is carried as the join before it, done.
            context.carry(BACKLOG_JOIN, at == 0 ? join - 1 : join);
            context.carry(BACKLOG_AT, at);
            return false;
        }
        return true;
    }

    /** The events handed out by one response, grouped into the rooms' sections once all are chosen. */
    private static final class Delivery {
        private final SyncContext context;
        private final java.util.function.Function<String, ArrayNode> sink;
        private int left;
        private final List<StickyEventRepository.Row> chosen = new ArrayList<>();

        Delivery(SyncContext context, int budget, java.util.function.Function<String, ArrayNode> sink) {
            this.context = context;
            this.left = budget;
            this.sink = sink;
        }

        int left() { return left; }

        /** Hands out {@code rows} (less ignored users' and the timeline's), spending {@code looked} of the budget. */
        void add(List<StickyEventRepository.Row> rows, int looked) {
            left -= looked;
            for (StickyEventRepository.Row row : rows) {
                if (context.ignoredUsers().contains(row.sender())) continue;
                if (context.timelineEventIds(row.roomId()).contains(row.eventId())) continue;
                chosen.add(row);
            }
        }

        void flush() {
            if (chosen.isEmpty()) return;
            Map<String, PersistedEvent> byId = new HashMap<>();
            for (PersistedEvent event : context.events(chosen.stream().map(StickyEventRepository.Row::eventId).toList())) {
                byId.put(event.eventId(), event);
            }
            for (StickyEventRepository.Row row : chosen) {
                PersistedEvent event = byId.get(row.eventId());
                if (event == null || event.redactedBy() != null) continue;
                sink.apply(row.roomId()).add(context.render(event));
            }
            chosen.clear();
        }
    }
}
