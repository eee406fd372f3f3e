package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.STATE_GROUPS;
import static org.callhs.core.storage.schema.Tables.STATE_GROUP_ENTRIES;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.StateGroupEntriesRecord;
import org.callhs.core.storage.schema.tables.records.StateGroupsRecord;
import org.jooq.DSLContext;

/** Statements on {@code state_groups} and {@code state_group_entries}. */
public final class StateGroupRepository {
    public void insertGroup(DSLContext tx, long groupId, String roomId, Long parent, int generation) {
        tx.insertInto(STATE_GROUPS).set(STATE_GROUPS.GROUP_ID, groupId).set(STATE_GROUPS.ROOM_ID, roomId)
                .set(STATE_GROUPS.PARENT_GROUP, parent).set(STATE_GROUPS.GENERATION, generation).execute();
    }

    /** Inserts entries as (type, state_key) → event ID. */
    public void insertEntries(DSLContext tx, long groupId, Map<List<String>, String> entries) {
        if (entries.isEmpty()) return;
        var insert = tx.insertInto(STATE_GROUP_ENTRIES, STATE_GROUP_ENTRIES.GROUP_ID, STATE_GROUP_ENTRIES.EVENT_TYPE,
                STATE_GROUP_ENTRIES.STATE_KEY, STATE_GROUP_ENTRIES.EVENT_ID);
        for (Map.Entry<List<String>, String> e : entries.entrySet()) {
            insert = insert.values(groupId, e.getKey().get(0), e.getKey().get(1), e.getValue());
        }
        insert.execute();
    }

    public Optional<StateGroupsRecord> findGroup(DSLContext tx, long groupId) {
        return tx.selectFrom(STATE_GROUPS).where(STATE_GROUPS.GROUP_ID.eq(groupId)).fetchOptional();
    }

    public List<StateGroupEntriesRecord> entries(DSLContext tx, long groupId) {
        return tx.selectFrom(STATE_GROUP_ENTRIES).where(STATE_GROUP_ENTRIES.GROUP_ID.eq(groupId)).fetch();
    }
}
