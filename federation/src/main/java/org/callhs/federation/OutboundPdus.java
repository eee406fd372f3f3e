package org.callhs.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.EventListener;
import org.callhs.core.spi.EventWriteHook;
import org.callhs.core.spi.FederatedRooms;
import org.callhs.core.spi.ServerOutbox;
import org.callhs.core.storage.Database;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * Sends this server's room events to the other servers in the room: queued in the event's own
 * transaction (a write hook), so an event that commits is never lost to a crash before it is
 * sent, and the destinations woken once it committed (a listener). The destinations are the
 * servers with a joined member, plus the target's server of a membership event (an invite, a
 * kick or a ban reaches the server of the user it is about).
 *
 * <p>It is also core's {@link ServerOutbox}: feature modules queue stored events for one server
 * (MSC4354's push of sticky events to a server that newly joined, in that join's transaction), and
 * a committed join of another server's user wakes that server's sender, so what was queued with
 * the join leaves at once.
 */
final class OutboundPdus implements EventWriteHook, EventListener, ServerOutbox {
    private final String ourName;
    private final Database database;
    private final OutboundQueue queue;
    private final Supplier<FederatedRooms> rooms;
    /**
     * The servers with a joined member, per room: read once, grown by committed joins, dropped
     * by any other membership change (and after a minute at most, should state resolution change
     * the members without one), so a busy room does not read its member list for every event.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, Set<String>> joined = com.github.benmanes.caffeine.cache.Caffeine
            .newBuilder().maximumSize(10_000).expireAfterWrite(java.time.Duration.ofMinutes(1)).build();

    OutboundPdus(String ourName, Database database, OutboundQueue queue, Supplier<FederatedRooms> rooms) {
        this.ourName = ourName;
        this.database = database;
        this.queue = queue;
        this.rooms = rooms;
    }

    private boolean ours(PersistedEvent event) {
        String sender = event.sender();
        return MatrixIds.isValidUserId(sender) && MatrixIds.serverName(sender).equals(ourName);
    }

    private Set<String> destinations(DSLContext tx, PersistedEvent event) {
        Set<String> servers = joined.getIfPresent(event.roomId());
        if (servers == null) {
            servers = Set.copyOf(rooms.get().joinedServers(tx, event.roomId()));
            joined.put(event.roomId(), servers);
        }
        Set<String> destinations = new TreeSet<>(servers);
        if (event.type().equals("m.room.member") && event.stateKey() != null && MatrixIds.isValidUserId(event.stateKey())) {
            destinations.add(MatrixIds.serverName(event.stateKey()));
        }
        destinations.remove(ourName);
        return destinations;
    }

    @Override
    public void written(DSLContext tx, PersistedEvent event) {
        if (!ours(event)) return;
        for (String destination : destinations(tx, event)) queue.enqueuePdu(tx, destination, event.pdu());
    }

    @Override
    public void onEvent(PersistedEvent event) {
        if (event.type().equals("m.room.member")) {
            membershipCommitted(event);
            String member = event.stateKey();
            if (!ours(event) && member != null && MatrixIds.isValidUserId(member)
                    && "join".equals(event.pdu().path("content").path("membership").asText())) {
                queue.wake(List.of(MatrixIds.serverName(member)));
            }
        }
        if (!ours(event)) return;
        queue.wake(destinations(database.dsl(), event));
    }

    @Override
    public void enqueueEvents(DSLContext tx, String destination, List<String> eventIds) {
        for (String eventId : eventIds) {
            rooms.get().storedPdu(tx, eventId).ifPresent(pdu -> queue.enqueuePdu(tx, destination, pdu));
        }
    }

    /**
     * A committed membership event: a join adds the member's server to the room's cached set (a
     * join storm reads the member list once, not once per join); anything else drops the set,
     * to be read again.
     */
    private void membershipCommitted(PersistedEvent event) {
        String member = event.stateKey();
        Set<String> servers = joined.getIfPresent(event.roomId());
        if (servers != null && "join".equals(event.pdu().path("content").path("membership").asText())
                && member != null && MatrixIds.isValidUserId(member)) {
            Set<String> grown = new TreeSet<>(servers);
            grown.add(MatrixIds.serverName(member));
            joined.put(event.roomId(), Set.copyOf(grown));
        } else {
            joined.invalidate(event.roomId());
        }
    }

    /** Sends an event another server wrote (a join it sent here) on to {@code destinations}. */
    void send(String roomId, ObjectNode pdu, Collection<String> destinations) {
        if (destinations.isEmpty()) return;
        database.transaction(tx -> {
            for (String destination : destinations) queue.enqueuePdu(tx, destination, pdu);
            return null;
        });
        queue.wake(destinations);
    }
}
