package org.callhs.core;

import java.time.Clock;
import java.util.List;
import org.callhs.core.account.AccountDataService;
import org.callhs.core.api.EphemeralEndpoints;
import org.callhs.core.api.SlidingSyncEndpoint;
import org.callhs.core.api.SyncEndpoint;
import org.callhs.core.api.ToDeviceEndpoint;
import org.callhs.core.config.HomeserverConfig;
import org.callhs.core.ephemeral.ReceiptService;
import org.callhs.core.ephemeral.TypingService;
import org.callhs.core.presence.PresenceService;
import org.callhs.core.push.PushRuleService;
import org.callhs.core.push.PushUnreadCounter;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.DeviceRepository;
import org.callhs.core.storage.repo.FilterRepository;
import org.callhs.core.storage.repo.ForgottenRoomRepository;
import org.callhs.core.storage.repo.ReceiptRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.repo.ToDeviceRepository;
import org.callhs.core.sync.EncryptionSyncSource;
import org.callhs.core.sync.SlidingCoreExtensions;
import org.callhs.core.sync.SlidingSyncService;
import org.callhs.core.sync.SyncBuildGate;
import org.callhs.core.sync.SyncNotifier;
import org.callhs.core.sync.SyncService;
import org.callhs.core.todevice.ToDeviceService;

/** Builds the real-time part of core: /sync, typing, receipts, read markers and to-device messages. */
final class SyncWiring {
    private SyncWiring() {}

    static List<Routes> routes(HomeserverConfig config, Database database, Clock clock, RoomWiring.Rooms rooms,
                               SyncNotifier notifier, AccountDataService accountData, PresenceService presence,
                               EncryptionSyncSource encryption, PushRuleService pushRules, ModuleRegistry modules,
                               ToDeviceService toDevice, org.callhs.core.cluster.CacheInvalidations invalidations) {
        StreamPositionRepository streams = new StreamPositionRepository();
        TypingService typing = new TypingService(notifier, clock, invalidations);
        modules.onStop(typing);
        ReceiptService receipts = new ReceiptService(database, new ReceiptRepository(), streams, rooms.reader(), notifier, clock, invalidations);
        org.callhs.core.ephemeral.RoomEduRelay relay = new org.callhs.core.ephemeral.RoomEduRelay(config.serverName(), database,
                new org.callhs.core.storage.repo.CurrentStateRepository(), modules::remoteServers, typing, receipts, presence);
        presence.publishTo(relay::localPresence);
        relay.useAcls(rooms.acls()::allows);
        modules.bindRoomEdus(relay);
        PushUnreadCounter unread = new PushUnreadCounter(rooms.reader(), receipts, pushRules);
        ForgottenRoomRepository forgotten = new ForgottenRoomRepository();
        SyncBuildGate gate = new SyncBuildGate(Math.max(1, database.readConnections() - 2));
        SyncService sync = new SyncService(rooms.reader(), rooms.visibility(),
                rooms.clientEvents(), notifier, typing, receipts, toDevice, presence, accountData, encryption, unread,
                user -> forgotten.forgotten(database.dsl(), user), modules.syncStreams(), pushRules::ruleset, gate);
        SlidingSyncService sliding = new SlidingSyncService(rooms.reader(), rooms.visibility(), rooms.clientEvents(), notifier, sync,
                new SlidingCoreExtensions(toDevice, encryption, accountData, pushRules::ruleset), accountData, unread,
                user -> forgotten.forgotten(database.dsl(), user), modules.slidingSyncExtensions(), gate);
        return List.of(
                new org.callhs.core.api.NotificationsEndpoint(rooms.reader(), unread, receipts, rooms.clientEvents()),
                new SyncEndpoint(sync, database, new FilterRepository()),
                new SlidingSyncEndpoint(sliding),
                new EphemeralEndpoints(typing, receipts, accountData, rooms.reader(), relay),
                new ToDeviceEndpoint(toDevice));
    }
}
