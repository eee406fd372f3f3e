package org.callhs.core.e2e;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import org.callhs.core.account.PasswordCheck;
import org.callhs.core.account.UserInteractiveAuth;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CrossSigningKeyRepository;
import org.callhs.core.storage.repo.CrossSigningSignatureRepository;
import org.callhs.core.storage.repo.DeviceKeyRepository;
import org.callhs.core.storage.repo.DeviceListChangeRepository;
import org.callhs.core.storage.repo.DeviceRepository;
import org.callhs.core.storage.repo.FallbackKeyRepository;
import org.callhs.core.storage.repo.MembershipChangeRepository;
import org.callhs.core.storage.repo.OneTimeKeyRepository;
import org.callhs.core.storage.repo.RoomKeyBackupSessionRepository;
import org.callhs.core.storage.repo.RoomKeyBackupVersionRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.sync.UpdateNotifier;

/** Assembles the end-to-end encryption services and endpoints (called from {@code Homeserver.start}). */
public final class E2eWiring {
    private final Database database;
    private final KeyService keys;
    private final CrossSigningService crossSigning;
    private final SignatureUploadService signatures;
    private final KeyBackupService backups;

    public E2eWiring(String serverName, Database database, DeviceListUpdates deviceLists, Clock clock,
                     org.callhs.core.spi.RemoteServers remote, org.callhs.core.cluster.CacheInvalidations invalidations) {
        this.database = database;
        DeviceKeyRepository deviceKeys = new DeviceKeyRepository();
        CrossSigningKeyRepository crossSigningKeys = new CrossSigningKeyRepository();
        CrossSigningSignatureRepository signatureRows = new CrossSigningSignatureRepository();
        KeyQuery query = new KeyQuery(serverName, database, new UserRepository(), deviceKeys, crossSigningKeys, signatureRows, remote);
        DeviceListTracker tracker = new DeviceListTracker(database, new DeviceListChangeRepository(), new MembershipChangeRepository());
        this.keys = new KeyService(serverName, database, deviceKeys, new OneTimeKeyRepository(), new FallbackKeyRepository(),
                signatureRows, query, deviceLists, tracker, clock, remote, invalidations);
        this.crossSigning = new CrossSigningService(database, crossSigningKeys, new DeviceRepository(), deviceLists, clock);
        this.signatures = new SignatureUploadService(serverName, database, crossSigningKeys, deviceKeys, signatureRows, deviceLists);
        this.backups = new KeyBackupService(database, new RoomKeyBackupVersionRepository(), new RoomKeyBackupSessionRepository());
    }

    /** The device-list stream writer that {@code DeviceService} and the key services share. */
    public static DeviceListUpdates deviceLists(Database database, UpdateNotifier notifier, org.callhs.core.spi.RemoteServers remote) {
        return new DeviceListUpdates(database, new StreamPositionRepository(), new DeviceListChangeRepository(),
                new DeviceKeyRepository(), new OneTimeKeyRepository(), new FallbackKeyRepository(),
                new CrossSigningSignatureRepository(), notifier, remote);
    }

    /** A writer that records changes but wakes nobody, for commands that run without a server (register-user). */
    public static DeviceListUpdates offlineDeviceLists(Database database) {
        return deviceLists(database, new UpdateNotifier() {
            @Override public void usersUpdated(String stream, long position, Collection<String> userIds) { }
            @Override public void roomUpdated(String stream, long position, String roomId) { }
            @Override public void peersUpdated(String stream, long position, String userId) { }
        }, new org.callhs.core.s2s.NoFederation());
    }

    /** The key service, for {@code /sync} (one-time key counts, fallback key types, device-list changes). */
    public KeyService keys() {
        return keys;
    }

    public List<Routes> routes(UserInteractiveAuth uia, PasswordCheck passwordCheck) {
        StreamPositionRepository positions = new StreamPositionRepository();
        return List.of(
                new KeysEndpoints(keys, crossSigning, signatures, uia, passwordCheck, stream -> positions.current(database.dsl(), stream)),
                new KeyBackupEndpoints(backups));
    }
}
