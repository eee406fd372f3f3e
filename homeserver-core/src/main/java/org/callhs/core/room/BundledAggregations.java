package org.callhs.core.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.callhs.core.auth.Requester;
import org.callhs.core.spi.EventListener;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.EventRelationRepository;
import org.callhs.core.storage.schema.tables.records.EventRelationsRecord;
import org.callhs.core.util.Json;

/**
 * Bundled aggregations
 * (<a href="https://spec.matrix.org/v1.16/client-server-api/#aggregations-of-child-events">spec</a>):
 * the {@code unsigned.m.relations} of an event served to a client.
 * <ul>
 * <li>{@code m.thread}: {@code latest_event} (the thread's newest event, rendered for the
 *     requester), {@code count}, and {@code current_user_participated} (the requester sent the
 *     root or an event in the thread);
 * <li>{@code m.replace}: the newest valid replacement (same sender and type, neither a state
 *     event, the original not itself a replacement, {@code m.new_content} present unless
 *     encrypted; newest by {@code origin_server_ts}, then the greater event ID), whole;
 * <li>{@code m.reference}: {@code chunk} of the referencing events' IDs (oldest first).
 * </ul>
 * State events and redacted events get none, as Synapse does. What events relate to a parent
 * is cached per parent; the cache entry goes when a relating event or the redaction of one is
 * delivered ({@link EventListener}, on every instance, before sync long-polls wake).
 */
public final class BundledAggregations implements EventListener {
    /** Most references bundled; the rest are read through {@code /relations}. */
    static final int MAX_REFERENCES = 100;
    private static final List<String> BUNDLED = List.of(RelatesTo.THREAD, RelatesTo.REPLACE, RelatesTo.REFERENCE);
    private static final Summary NONE = new Summary(null, List.of(), null);

    private final Database database;
    private final EventRelationRepository relations;
    private final RoomReader reader;
    private final Cache<String, Summary> byParent = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();

    /** A thread's size, newest event and who took part (the root's sender is added per requester). */
    private record ThreadSummary(int count, String latestEventId, Set<String> senders) {}

    private record Summary(ThreadSummary thread, List<String> references, String replacement) {}

    public BundledAggregations(Database database, EventRelationRepository relations, RoomReader reader) {
        this.database = database;
        this.relations = relations;
        this.reader = reader;
    }

    /**
     * The {@code m.relations} object for an event, or null when it has none to bundle.
     *
     * @param render renders a bundled event (a thread's latest event, a replacement) for the same requester
     */
    public ObjectNode bundle(PersistedEvent event, Requester requester, Function<PersistedEvent, ObjectNode> render) {
        if (event.isState() || event.redactedBy() != null) return null;
        Summary summary = byParent.get(event.eventId(), id -> load(event));
        if (summary == NONE) return null;
        ObjectNode out = Json.object();
        if (summary.thread() != null) {
            Optional<PersistedEvent> latest = reader.event(summary.thread().latestEventId());
            if (latest.isPresent()) {
                ObjectNode thread = out.putObject(RelatesTo.THREAD);
                thread.set("latest_event", render.apply(latest.get()));
                thread.put("count", summary.thread().count());
                String user = requester == null ? null : requester.userId();
                thread.put("current_user_participated",
                        user != null && (user.equals(event.sender()) || summary.thread().senders().contains(user)));
            }
        }
        if (summary.replacement() != null) {
            reader.event(summary.replacement()).filter(e -> e.redactedBy() == null)
                    .ifPresent(replacement -> out.set(RelatesTo.REPLACE, render.apply(replacement)));
        }
        if (!summary.references().isEmpty()) {
            var chunk = out.putObject(RelatesTo.REFERENCE).putArray("chunk");
            summary.references().forEach(id -> chunk.addObject().put("event_id", id));
        }
        return out.isEmpty() ? null : out;
    }

    /** Drops what is cached about the parent of a relating event that was just committed, or whose relation a redaction removed. */
    @Override
    public void onEvent(PersistedEvent event) {
        RelatesTo.of(event.pdu()).ifPresent(r -> byParent.invalidate(r.eventId()));
        if (event.type().equals("m.room.redaction")) {
            var target = event.version().redactsInContent() ? event.pdu().path("content").path("redacts") : event.pdu().path("redacts");
            if (target.isTextual()) {
                byParent.invalidate(target.textValue());
                reader.event(target.textValue()).flatMap(e -> RelatesTo.of(e.pdu())).ifPresent(r -> byParent.invalidate(r.eventId()));
            }
        }
    }

    private Summary load(PersistedEvent parent) {
        var dsl = database.dsl();
        List<EventRelationRepository.Tally> tallies = relations.tallies(dsl, parent.roomId(), parent.eventId(), BUNDLED);
        if (tallies.isEmpty()) return NONE;
        ThreadSummary thread = null;
        List<String> references = List.of();
        String replacement = null;
        for (EventRelationRepository.Tally tally : tallies) {
            switch (tally.relType()) {
                case RelatesTo.THREAD -> {
                    Optional<String> latest = relations.at(dsl, parent.roomId(), parent.eventId(), tally.latestOrdering());
                    if (latest.isPresent()) {
                        thread = new ThreadSummary(tally.count(), latest.get(),
                                Set.copyOf(relations.senders(dsl, parent.roomId(), parent.eventId(), RelatesTo.THREAD)));
                    }
                }
                case RelatesTo.REFERENCE -> references = relations.children(dsl, parent.roomId(), parent.eventId(), RelatesTo.REFERENCE,
                        MAX_REFERENCES).stream().map(EventRelationsRecord::getEventId).toList();
                case RelatesTo.REPLACE -> replacement = newestValidReplacement(parent);
                default -> { }
            }
        }
        if (thread == null && references.isEmpty() && replacement == null) return NONE;
        return new Summary(thread, references, replacement);
    }

    /** The newest replacement of an event that the spec's validity rules allow, or null. */
    private String newestValidReplacement(PersistedEvent original) {
        if (original.isState() || RelatesTo.of(original.pdu()).filter(r -> r.relType().equals(RelatesTo.REPLACE)).isPresent()) return null;
        List<String> ids = new ArrayList<>();
        for (EventRelationsRecord r : relations.children(database.dsl(), original.roomId(), original.eventId(), RelatesTo.REPLACE,
                Integer.MAX_VALUE)) {
            if (r.getSender().equals(original.sender()) && r.getEventType().equals(original.type())) ids.add(r.getEventId());
        }
        return reader.events(ids).stream()
                .filter(e -> !e.isState() && e.redactedBy() == null)
                .filter(e -> e.type().equals("m.room.encrypted") || e.pdu().path("content").path("m.new_content").isObject())
                .max(Comparator.comparingLong(PersistedEvent::originServerTs).thenComparing(PersistedEvent::eventId))
                .map(PersistedEvent::eventId).orElse(null);
    }
}
