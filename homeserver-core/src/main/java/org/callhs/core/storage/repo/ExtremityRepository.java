package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.ROOM_FORWARD_EXTREMITIES;

import java.util.Collection;
import java.util.List;
import org.jooq.DSLContext;

/** Statements on {@code room_forward_extremities}: a room's events that no accepted event names as a prev event yet. */
public final class ExtremityRepository {
    /** One forward extremity: an event ID and its depth. */
    public record Extremity(String eventId, long depth) {}

    /** The room's extremities, deepest first (then by event ID, for a stable choice). */
    public List<Extremity> list(DSLContext tx, String roomId) {
        return tx.select(ROOM_FORWARD_EXTREMITIES.EVENT_ID, ROOM_FORWARD_EXTREMITIES.DEPTH).from(ROOM_FORWARD_EXTREMITIES)
                .where(ROOM_FORWARD_EXTREMITIES.ROOM_ID.eq(roomId))
                .orderBy(ROOM_FORWARD_EXTREMITIES.DEPTH.desc(), ROOM_FORWARD_EXTREMITIES.EVENT_ID)
                .fetch(r -> new Extremity(r.value1(), r.value2()));
    }

    /** Removes {@code replaced} from the room's extremities and adds {@code added}. */
    public void replace(DSLContext tx, String roomId, Collection<String> replaced, Collection<Extremity> added) {
        if (!replaced.isEmpty()) {
            tx.deleteFrom(ROOM_FORWARD_EXTREMITIES)
                    .where(ROOM_FORWARD_EXTREMITIES.ROOM_ID.eq(roomId), ROOM_FORWARD_EXTREMITIES.EVENT_ID.in(replaced))
                    .execute();
        }
        for (Extremity extremity : added) {
            tx.insertInto(ROOM_FORWARD_EXTREMITIES)
                    .set(ROOM_FORWARD_EXTREMITIES.ROOM_ID, roomId)
                    .set(ROOM_FORWARD_EXTREMITIES.EVENT_ID, extremity.eventId())
                    .set(ROOM_FORWARD_EXTREMITIES.DEPTH, extremity.depth())
                    .execute();
        }
    }
}
