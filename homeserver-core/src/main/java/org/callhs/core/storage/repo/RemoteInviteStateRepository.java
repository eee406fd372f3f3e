package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.REMOTE_INVITE_STATE;

import java.util.Optional;
import org.jooq.DSLContext;

/** Statements on {@code remote_invite_state}: the stripped state another server sent with an invite. */
public final class RemoteInviteStateRepository {
    public void insert(DSLContext tx, String eventId, String roomId, String strippedState) {
        tx.insertInto(REMOTE_INVITE_STATE)
                .set(REMOTE_INVITE_STATE.EVENT_ID, eventId).set(REMOTE_INVITE_STATE.ROOM_ID, roomId)
                .set(REMOTE_INVITE_STATE.STRIPPED_STATE, strippedState)
                .onConflictDoNothing().execute();
    }

    public Optional<String> find(DSLContext dsl, String eventId) {
        return dsl.select(REMOTE_INVITE_STATE.STRIPPED_STATE).from(REMOTE_INVITE_STATE)
                .where(REMOTE_INVITE_STATE.EVENT_ID.eq(eventId)).fetchOptional(REMOTE_INVITE_STATE.STRIPPED_STATE);
    }
}
