package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.DEVICE_LIST_CHANGES;

import java.util.HashSet;
import java.util.Set;
import org.jooq.DSLContext;

/** Statements on {@code device_list_changes}, the rows of the 'device_lists' stream. */
public final class DeviceListChangeRepository {
    /** Appends a change; {@code observer} null tells everyone sharing a room with {@code userId}, else only the observer. */
    public void insert(DSLContext tx, long streamId, String userId, String observer) {
        tx.insertInto(DEVICE_LIST_CHANGES)
                .set(DEVICE_LIST_CHANGES.STREAM_ID, streamId).set(DEVICE_LIST_CHANGES.USER_ID, userId)
                .set(DEVICE_LIST_CHANGES.OBSERVER, observer)
                .onConflictDoNothing()
                .execute();
    }

    /** Users with a change everyone may see, at positions in (fromExclusive, toInclusive]. */
    public Set<String> publicChanges(DSLContext tx, long fromExclusive, long toInclusive) {
        return new HashSet<>(tx.selectDistinct(DEVICE_LIST_CHANGES.USER_ID).from(DEVICE_LIST_CHANGES)
                .where(DEVICE_LIST_CHANGES.STREAM_ID.gt(fromExclusive), DEVICE_LIST_CHANGES.STREAM_ID.le(toInclusive),
                        DEVICE_LIST_CHANGES.OBSERVER.isNull())
                .fetch(DEVICE_LIST_CHANGES.USER_ID));
    }

    /** Users with a change only {@code observer} is told about, at positions in (fromExclusive, toInclusive]. */
    public Set<String> changesFor(DSLContext tx, String observer, long fromExclusive, long toInclusive) {
        return new HashSet<>(tx.selectDistinct(DEVICE_LIST_CHANGES.USER_ID).from(DEVICE_LIST_CHANGES)
                .where(DEVICE_LIST_CHANGES.STREAM_ID.gt(fromExclusive), DEVICE_LIST_CHANGES.STREAM_ID.le(toInclusive),
                        DEVICE_LIST_CHANGES.OBSERVER.eq(observer))
                .fetch(DEVICE_LIST_CHANGES.USER_ID));
    }
}
