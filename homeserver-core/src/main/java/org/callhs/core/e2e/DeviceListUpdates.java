package org.callhs.core.e2e;

import java.util.Collection;
import java.util.List;
import org.callhs.core.account.DeviceListener;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CrossSigningSignatureRepository;
import org.callhs.core.storage.repo.DeviceKeyRepository;
import org.callhs.core.storage.repo.DeviceListChangeRepository;
import org.callhs.core.storage.repo.FallbackKeyRepository;
import org.callhs.core.storage.repo.OneTimeKeyRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.UpdateNotifier;
import org.jooq.DSLContext;

/**
 * Writes the {@code device_lists} stream: every change of a user's devices or keys takes the
 * next position inside the writing transaction and appends a {@code device_list_changes} row;
 * after the commit the {@link UpdateNotifier} wakes the {@code /sync} long-polls of the user and
 * of everyone sharing a room with them. Also receives device creation and deletion from
 * {@link org.callhs.core.account.DeviceService}: deleted devices lose their keys here.
 */
public final class DeviceListUpdates implements DeviceListener {
    private final Database database;
    private final StreamPositionRepository streams;
    private final DeviceListChangeRepository changes;
    private final DeviceKeyRepository deviceKeys;
    private final OneTimeKeyRepository oneTimeKeys;
    private final FallbackKeyRepository fallbackKeys;
    private final CrossSigningSignatureRepository signatures;
    private final UpdateNotifier notifier;
    private final org.callhs.core.spi.RemoteServers remote;

    public DeviceListUpdates(Database database, StreamPositionRepository streams, DeviceListChangeRepository changes,
                             DeviceKeyRepository deviceKeys, OneTimeKeyRepository oneTimeKeys, FallbackKeyRepository fallbackKeys,
                             CrossSigningSignatureRepository signatures, UpdateNotifier notifier,
                             org.callhs.core.spi.RemoteServers remote) {
        this.remote = remote;
        this.database = database;
        this.streams = streams;
        this.changes = changes;
        this.deviceKeys = deviceKeys;
        this.oneTimeKeys = oneTimeKeys;
        this.fallbackKeys = fallbackKeys;
        this.signatures = signatures;
        this.notifier = notifier;
    }

    /** Inside the writing transaction: records a change of {@code userId}'s devices everyone sharing a room hears about. */
    public long append(DSLContext tx, String userId) {
        long position = streams.next(tx, Streams.DEVICE_LISTS);
        changes.insert(tx, position, userId, null);
        return position;
    }

    /**
     * Inside the writing transaction: records, at {@code position} (from {@link #append} or
     * {@link #nextPosition}), a change of {@code userId}'s keys only {@code observer} hears about
     * (the observer's own signature on that user's key).
     */
    public void appendPrivate(DSLContext tx, long position, String userId, String observer) {
        changes.insert(tx, position, userId, observer);
    }

    /** A remote user's devices changed (their server told us): recorded on the stream, peers woken; nothing is sent out. */
    public void remoteChanged(String userId) {
        long position = database.transaction(tx -> append(tx, userId));
        notifier.peersUpdated(Streams.DEVICE_LISTS, position, userId);
    }

    public long nextPosition(DSLContext tx) {
        return streams.next(tx, Streams.DEVICE_LISTS);
    }

    /**
     * After the commit: wakes the user and everyone sharing a room with them, and tells the
     * other servers that share a room with them ({@code m.device_list_update}).
     */
    public void published(String userId, long position) {
        notifier.peersUpdated(Streams.DEVICE_LISTS, position, userId);
        remote.deviceListChanged(userId);
    }

    /** After the commit of a change only {@code observer} hears about. */
    public void publishedTo(String observer, long position) {
        notifier.usersUpdated(Streams.DEVICE_LISTS, position, List.of(observer));
    }

    @Override
    public void deviceCreated(DSLContext tx, String userId, String deviceId) {
        append(tx, userId);
    }

    @Override
    public void devicesDeleted(DSLContext tx, String userId, Collection<String> deviceIds) {
        deviceKeys.deleteForDevices(tx, userId, deviceIds);
        oneTimeKeys.deleteForDevices(tx, userId, deviceIds);
        fallbackKeys.deleteForDevices(tx, userId, deviceIds);
        signatures.deleteForTargets(tx, userId, deviceIds);
        append(tx, userId);
    }

    /**
     * The position is read after the commit: every position up to the stream's current one is
     * committed (positions are taken under the row lock of {@code stream_positions}), and the
     * current one is at least the one this change took.
     */
    @Override
    public void committed(String userId) {
        published(userId, streams.current(database.dsl(), Streams.DEVICE_LISTS));
    }
}
