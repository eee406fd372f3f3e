package org.callhs.rtc;

import static org.callhs.rtc.schema.Tables.RTC_DELEGATED_LEAVES;

import java.util.List;
import org.jooq.DSLContext;

/** The {@code rtc_delegated_leaves} table: delayed leaves the LiveKit service watches over. */
final class DelegatedLeaveRepository {
    /** Records {@code leave}, replacing an earlier one of the same participant. */
    void put(DSLContext tx, DelegatedLeave leave, long now) {
        tx.insertInto(RTC_DELEGATED_LEAVES)
                .set(RTC_DELEGATED_LEAVES.LIVEKIT_ROOM, leave.room())
                .set(RTC_DELEGATED_LEAVES.LIVEKIT_IDENTITY, leave.identity())
                .set(RTC_DELEGATED_LEAVES.USER_ID, leave.userId())
                .set(RTC_DELEGATED_LEAVES.DELAY_ID, leave.delayId())
                .set(RTC_DELEGATED_LEAVES.TIMEOUT_MS, leave.timeoutMs())
                .set(RTC_DELEGATED_LEAVES.CREATED_TS, now)
                .onConflict(RTC_DELEGATED_LEAVES.LIVEKIT_ROOM, RTC_DELEGATED_LEAVES.LIVEKIT_IDENTITY).doUpdate()
                .set(RTC_DELEGATED_LEAVES.USER_ID, leave.userId())
                .set(RTC_DELEGATED_LEAVES.DELAY_ID, leave.delayId())
                .set(RTC_DELEGATED_LEAVES.TIMEOUT_MS, leave.timeoutMs())
                .set(RTC_DELEGATED_LEAVES.CREATED_TS, now)
                .execute();
    }

    /** Forgets {@code leave}, unless a newer one of the same participant replaced it. */
    void remove(DSLContext tx, DelegatedLeave leave) {
        tx.deleteFrom(RTC_DELEGATED_LEAVES)
                .where(RTC_DELEGATED_LEAVES.LIVEKIT_ROOM.eq(leave.room()), RTC_DELEGATED_LEAVES.LIVEKIT_IDENTITY.eq(leave.identity()),
                        RTC_DELEGATED_LEAVES.DELAY_ID.eq(leave.delayId()))
                .execute();
    }

    List<DelegatedLeave> all(DSLContext tx) {
        return tx.selectFrom(RTC_DELEGATED_LEAVES).fetch(r -> new DelegatedLeave(r.getLivekitRoom(), r.getLivekitIdentity(), r.getUserId(),
                r.getDelayId(), r.getTimeoutMs()));
    }
}
