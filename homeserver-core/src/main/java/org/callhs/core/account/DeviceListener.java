package org.callhs.core.account;

import java.util.Collection;
import org.jooq.DSLContext;

/**
 * What device management tells the end-to-end encryption side
 * ({@link org.callhs.core.e2e.DeviceListUpdates}): a new device or deleted devices change the
 * user's device list. The first two methods run inside the writing transaction; {@link #committed}
 * runs after it committed, to wake the {@code /sync} long-polls of the user and their peers.
 */
public interface DeviceListener {
    /** A device was created (not reused) in this transaction. */
    void deviceCreated(DSLContext tx, String userId, String deviceId);

    /** Devices were deleted in this transaction: drop their keys and record the change. */
    void devicesDeleted(DSLContext tx, String userId, Collection<String> deviceIds);

    /** After the transaction that called one of the methods above committed. */
    void committed(String userId);
}
