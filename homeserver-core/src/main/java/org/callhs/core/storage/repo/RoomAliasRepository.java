package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.ROOM_ALIASES;

import java.util.Optional;
import org.jooq.DSLContext;

/** Statements on {@code room_aliases}. */
public final class RoomAliasRepository {
    /** Inserts the alias; false when it exists already. */
    public boolean insert(DSLContext tx, String alias, String roomId, String creator) {
        return tx.insertInto(ROOM_ALIASES).set(ROOM_ALIASES.ROOM_ALIAS, alias).set(ROOM_ALIASES.ROOM_ID, roomId)
                .set(ROOM_ALIASES.CREATOR, creator).onConflict(ROOM_ALIASES.ROOM_ALIAS).doNothing().execute() == 1;
    }

    public Optional<String> roomId(DSLContext tx, String alias) {
        return tx.select(ROOM_ALIASES.ROOM_ID).from(ROOM_ALIASES).where(ROOM_ALIASES.ROOM_ALIAS.eq(alias)).fetchOptional(ROOM_ALIASES.ROOM_ID);
    }

    public Optional<String> creator(DSLContext tx, String alias) {
        return tx.select(ROOM_ALIASES.CREATOR).from(ROOM_ALIASES).where(ROOM_ALIASES.ROOM_ALIAS.eq(alias)).fetchOptional(ROOM_ALIASES.CREATOR);
    }

    public java.util.List<String> aliasesOf(DSLContext tx, String roomId) {
        return tx.select(ROOM_ALIASES.ROOM_ALIAS).from(ROOM_ALIASES).where(ROOM_ALIASES.ROOM_ID.eq(roomId))
                .orderBy(ROOM_ALIASES.ROOM_ALIAS).fetch(ROOM_ALIASES.ROOM_ALIAS);
    }

    public int delete(DSLContext tx, String alias) {
        return tx.deleteFrom(ROOM_ALIASES).where(ROOM_ALIASES.ROOM_ALIAS.eq(alias)).execute();
    }

    /** Points every alias of one room at another (a room upgrade); the aliases moved. */
    public java.util.List<String> moveAll(DSLContext tx, String fromRoomId, String toRoomId) {
        java.util.List<String> moved = aliasesOf(tx, fromRoomId);
        tx.update(ROOM_ALIASES).set(ROOM_ALIASES.ROOM_ID, toRoomId).where(ROOM_ALIASES.ROOM_ID.eq(fromRoomId)).execute();
        return moved;
    }
}
