package org.callhs.sticky;

import java.util.List;
import java.util.Map;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.Features;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.Migrations;
import org.callhs.core.spi.ModuleContext;

/**
 * MSC4354 sticky events. Owns the {@code sticky_events} table (its own Flyway history) and the
 * {@code sticky_events} configuration section; adds the sticky send parameter, the in-transaction
 * recording of sticky events, the unsigned TTL, the {@code msc4354_sticky} section of
 * {@code /sync}, and the background clean-up. Over federation: this server's unexpired sticky
 * events are pushed to a server that newly joins a room ({@link NewServerPush}), soft-failed
 * sticky events from other servers are checked again when the room's state changes
 * ({@link SoftFailedStickies}), a room this server joins has the unexpired sticky events of its recent
 * history taken from a resident ({@link StickyCatchUpOnJoin}, for servers that do not push them),
 * and other servers' sticky events are rate limited per room
 * ({@link StickyFederationRateLimit}). Switched off, it only advertises
 * {@code org.matrix.msc4354: false} and the send parameter is ignored.
 * The MatrixRTC glue beside it (transports, the LiveKit service) is the {@code matrixrtc} module.
 */
public final class StickyEventsModule implements HomeserverModule {
    public static final ConfigSection<StickyEventsConfig> CONFIG =
            new ConfigSection<>(StickyEventsConfig.SECTION, StickyEventsConfig.class, StickyEventsConfig.defaults());

    @Override
    public String name() { return "msc4354-sticky"; }

    @Override
    public List<ConfigSection<?>> configSections() { return List.of(CONFIG); }

    @Override
    public List<Migrations> migrations() { return List.of(new Migrations("msc4354", "classpath:db/migration/msc4354")); }

    @Override
    public void install(ModuleContext context) {
        StickyEventsConfig config = context.config(CONFIG);
        config.validate();
        context.addFeatures(new Features() {
            @Override
            public Map<String, Boolean> unstableFeatures() {
                return Map.of("org.matrix.msc4354", config.enabled());
            }
        });
        if (!config.enabled()) return;

        StickyEventRepository repository = new StickyEventRepository();
        StickyIndex index = new StickyIndex();
        StickyStream stream = new StickyStream(context.database(), repository, index, context.clock(), context.notifier(),
                config.maxEventsPerSync());
        stream.resume();
        StickyEventRecorder recorder = new StickyEventRecorder(context.database(), repository, index, stream, context.clock());
        SoftFailedStickies softFailed = new SoftFailedStickies(context.database(), new SoftFailedStickyRepository(),
                context::softFailedEvents, context.clock());
        softFailed.resume();
        ExpiredStickyCleaner cleaner = new ExpiredStickyCleaner(context.database(), repository, index, softFailed, context.clock(),
                context.meters());
        io.micrometer.core.instrument.Gauge.builder("callhs.sticky_events.index_size", index, StickyIndex::size)
                .description("Sticky events still sticky, held in memory for /sync and new servers").register(context.meters());

        context.addDraftDecorator(new StickyDurationParameter());
        context.addEventWriteHook(recorder);
        context.addRoomPurgeHook(new StickyRoomPurge(repository, new SoftFailedStickyRepository(), index, softFailed));
        context.addEventListener(recorder);
        context.addServerJoinListener(new NewServerPush(context.coreConfig().serverName(), index, context::serverOutbox, context.clock()));
        StickyCatchUpOnJoin catchUp = new StickyCatchUpOnJoin(context.coreConfig().serverName(), context.database(), context::remoteEvents,
                context::federatedRooms, context.clock(), config.joinCatchUpEvents());
        context.addServerJoinListener(catchUp);
        context.addEventListener(catchUp);
        context.onStop(catchUp);
        context.addSoftFailedHook(softFailed);
        context.addEventListener(softFailed);
        context.addInboundPduGate(new StickyFederationRateLimit(config.federationRateLimit().perSecond(),
                config.federationRateLimit().burst(), context.clock()));
        context.addUnsignedContributor(new StickyTtl());
        context.addSyncStream(stream);
        context.addSlidingSyncExtension(new StickySlidingExtension(stream, config.maxEventsPerSync()));
        cleaner.start(config.cleanupIntervalMs(), context.clusterJobs());
        context.onStop(cleaner);
        context.onStop(softFailed);
    }
}
