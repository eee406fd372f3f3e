package org.callhs.rtc;

import java.util.List;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.Migrations;
import org.callhs.core.spi.ModuleContext;
import org.callhs.core.storage.repo.OpenIdTokenRepository;

/**
 * The MatrixRTC glue beside sticky membership and delayed leaves: owns the {@code rtc}
 * configuration section, the transports endpoint and well-known entry (MSC4143,
 * {@link RtcTransportsEndpoint}) and, when {@code rtc.livekit} is set, the built-in LiveKit token
 * service ({@link LiveKitService}) with its webhook ({@link LiveKitWebhook}) and the delayed
 * leaves it watches ({@link DelegatedLeaves}, table {@code rtc_delegated_leaves}, its own Flyway
 * history).
 */
public final class MatrixRtcModule implements HomeserverModule {
    public static final ConfigSection<RtcConfig> CONFIG = new ConfigSection<>(RtcConfig.SECTION, RtcConfig.class, RtcConfig.defaults());

    @Override
    public String name() { return "matrixrtc"; }

    @Override
    public List<ConfigSection<?>> configSections() { return List.of(CONFIG); }

    @Override
    public List<Migrations> migrations() { return List.of(new Migrations("rtc", "classpath:db/migration/rtc")); }

    @Override
    public void install(ModuleContext context) {
        RtcConfig config = context.config(CONFIG);
        config.validate();
        LiveKitConfig livekit = config.livekit();
        if (livekit == null) {
            RtcTransportsEndpoint transports = new RtcTransportsEndpoint(config, null);
            context.addRoutes(transports);
            context.addFeatures(transports);
            return;
        }
        String serverName = context.coreConfig().serverName();
        LiveKitTokens tokens = new LiveKitTokens(livekit.key(), livekit.effectiveSecret(), context.clock());
        LiveKitRoomService rooms = new LiveKitRoomService(livekit.effectiveApiUrl(), tokens);
        DelegatedLeaves leaves = new DelegatedLeaves(context.database(), new DelegatedLeaveRepository(), context::delayedEventActions,
                rooms::participantPresent, livekit.participantCheckMs(), context.clock());
        OpenIdUsers openIds = new OpenIdUsers(context.database(), new OpenIdTokenRepository(), context::remoteServers, serverName,
                context.clock());
        KnownRooms known = new KnownRooms(room -> rooms.createRoom(room, livekit.emptyTimeout(), livekit.departureTimeout()),
                livekit.roomCache());
        LiveKitService service = new LiveKitService(livekit, serverName, openIds, tokens, known, leaves,
                new LiveKitWebhook(tokens, leaves, known));
        RtcTransportsEndpoint transports = new RtcTransportsEndpoint(config,
                LiveKitService.transport(context.coreConfig().effectivePublicBaseurl()));
        context.addRoutes(transports);
        context.addFeatures(transports);
        context.addRoutes(service);
        context.onStarted(leaves::resume);
        context.onStop(leaves);
    }
}
