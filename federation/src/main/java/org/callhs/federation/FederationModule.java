package org.callhs.federation;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.Migrations;
import org.callhs.core.spi.ModuleContext;
import org.callhs.core.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Server-Server API transport: discovery, keys and notary, X-Matrix signing and
 * verification, the durable outbound queue, inbound transactions, EDUs and queries. Owns its
 * tables (Flyway history {@code federation}) and the client-side keys of the {@code federation}
 * configuration section; core keeps the listener. Inactive when {@code federation.enabled} is false.
 */
public final class FederationModule implements HomeserverModule {
    private static final Logger log = LoggerFactory.getLogger(FederationModule.class);
    public static final ConfigSection<FederationConfig> CONFIG =
            new ConfigSection<>(FederationConfig.SECTION, FederationConfig.class, FederationConfig.defaults());
    /** Inbound transaction IDs are remembered this long (a sender retries within minutes, not days). */
    private static final long INBOUND_TXN_RETENTION_MS = 7L * 24 * 3_600_000;

    @Override
    public String name() { return "federation"; }

    @Override
    public List<ConfigSection<?>> configSections() { return List.of(CONFIG); }

    @Override
    public List<Migrations> migrations() { return List.of(new Migrations("federation", "classpath:db/migration/federation")); }

    @Override
    public void install(ModuleContext context) throws Exception {
        FederationConfig config = context.config(CONFIG);
        config.validate();
        if (!context.coreConfig().federation().enabled()) {
            log.info("federation is disabled (federation.enabled=false): no Server-Server API");
            return;
        }
        if (!config.verifyCertificates()) {
            log.warn("FEDERATION CERTIFICATE CHECKS ARE OFF (federation.verify_certificates=false): anyone on the network path can "
                    + "impersonate other servers. Use this only for loopback tests.");
        }
        String ourName = context.coreConfig().serverName();
        context.rateLimits().define(QueryEndpoints.RATE_LIMIT, config.queryRateLimit().perSecond(), config.queryRateLimit().burst());
        context.rateLimits().define(NotaryEndpoints.RATE_LIMIT, 10, 50);
        Database database = context.database();
        Clock clock = context.clock();
        FederationClient client = new FederationClient(ourName, context.signingKey(), config, Dns.system(), clock);
        KeyRing keys = new KeyRing(ourName, context.signingKey(), database, new KeyStoreRepository(), client,
                config.trustedKeyServers(), clock);
        var cluster = context.coreConfig().cluster();
        OutboxRepository outbox = new OutboxRepository();
        FederationQueueMetrics queueMetrics = new FederationQueueMetrics(context.meters(), context.coreConfig().metrics().enabled(),
                () -> outbox.countsByDestination(database.dsl()));
        OutboundQueue queue = new OutboundQueue(ourName, database, outbox, client, config, clock,
                cluster.enabled() ? cluster.effectiveInstanceName() : null, context.broadcasts(), queueMetrics);
        RemoteDeviceLists deviceLists = new RemoteDeviceLists(database, new RemoteDeviceRepository(), client, config, clock);
        deviceLists.onChange(userId -> context.localDevices().remoteDeviceListChanged(userId));
        EduDispatcher edus = new EduDispatcher(Map.of(
                "m.direct_to_device", new ToDeviceEdu(context::localDevices),
                "m.device_list_update", deviceLists::onDeviceListUpdate,
                "m.signing_key_update", deviceLists::onSigningKeyUpdate,
                "m.typing", (origin, content) -> context.roomEdus().typing(origin, content),
                "m.receipt", (origin, content) -> context.roomEdus().receipts(origin, content),
                "m.presence", (origin, content) -> context.roomEdus().presence(origin, content)));
        InboundTxnRepository inboundTxns = new InboundTxnRepository();

        context.setServerRequestAuthenticator(new RequestVerifier(ourName, keys, clock, queue::originSeen));
        context.addFederationRoutes(new InboundTransactions(database, inboundTxns, edus, new PduIds(), context::federatedRooms, clock));
        context.setServerKeys(keys::key);
        OutboundPdus outboundPdus = new OutboundPdus(ourName, database, queue, context::federatedRooms);
        context.addEventWriteHook(outboundPdus);
        context.addEventListener(outboundPdus);
        context.setServerOutbox(outboundPdus);
        context.addFederationRoutes(new RoomEndpoints(ourName, context::federatedRooms, outboundPdus, clock));
        context.setRemoteEvents(new RemoteEventFetcher(client, config.requestTimeoutMs()));
        context.addFederationRoutes(new QueryEndpoints(ourName, context::localDirectory, context::localDevices));
        context.addFederationRoutes(new NotaryEndpoints(ourName, context.signingKey(), keys, clock));
        context.setRemoteServers(new FederatedRemoteServers(client, queue, deviceLists, context::localDirectory, context::localDevices,
                database, config));

        context.clusterJobs().every("federation.inbound_transactions", 60 * 60_000L,
                () -> database.transaction(tx -> inboundTxns.deleteBefore(tx, clock.millis() - INBOUND_TXN_RETENTION_MS)));
        context.onStarted(queue::start);
        context.onStop(client);
        context.onStop(queue);
    }
}
