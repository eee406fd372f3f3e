package org.callhs.core.spi;

import java.time.Clock;
import org.callhs.core.config.HomeserverConfig;
import org.callhs.core.storage.Database;

/** What core hands a module while it installs itself. */
public interface ModuleContext {
    HomeserverConfig coreConfig();

    /** The module's bound configuration section (defaults merged with the file and {@code --set}). */
    <T> T config(ConfigSection<T> section);

    Database database();

    /** Maintenance jobs that run once per deployment (on one instance of a cluster). */
    ClusterJobs clusterJobs();

    /** Messages to the other instances of a cluster (nothing is sent for a lone instance). */
    ClusterBroadcast broadcasts();

    Clock clock();

    /**
     * Where the module's meters go (Micrometer): names start with {@code callhs.}, tags stay few
     * and bounded. With metrics off ({@code metrics.listen} empty) every meter is a no-op.
     */
    io.micrometer.core.instrument.MeterRegistry meters();

    /** Wakes waiting {@code /sync} long-polls after a module's own stream moved on. */
    org.callhs.core.sync.UpdateNotifier notifier();

    /**
     * Sends events through core's send path. Usable once the server has started (not during
     * {@code install}); calls before that throw {@link IllegalStateException}.
     */
    EventSender eventSender();

    /** The server's rate limiter: declare the module's limit classes here. */
    RateLimits rateLimits();

    void addRoutes(Routes routes);

    void addFeatures(Features features);

    void addDraftDecorator(DraftDecorator decorator);

    void addSendInterceptor(SendInterceptor interceptor);

    void addEventListener(EventListener listener);

    /** Adds rows of the module's own for each event, in the event's transaction. */
    void addEventWriteHook(EventWriteHook hook);

    /** Hears the join that makes a server resident in a room, in that event's transaction. */
    void addServerJoinListener(ServerJoinListener listener);

    /** Hears soft-failed events from other servers as they are stored. */
    void addSoftFailedHook(SoftFailedHook hook);

    /** Looks at each {@code /send} transaction's PDUs first, and may refuse the transaction. */
    void addInboundPduGate(InboundPduGate gate);

    /** Deletes the module's rows and memory of a room when an admin purges it. */
    void addRoomPurgeHook(RoomPurgeHook hook);

    /** Re-checks soft-failed events against the current state; usable once the server has started. */
    SoftFailedEvents softFailedEvents();

    /** Sets the queue to other servers (one module may; the federation module does). */
    void setServerOutbox(ServerOutbox outbox);

    /** The queue to other servers, or {@link ServerOutbox#NONE} without federation; usable once the server has started. */
    ServerOutbox serverOutbox();

    void addUnsignedContributor(UnsignedContributor contributor);

    /** Adds a stream to {@code /sync}: its own token position and response section. */
    void addSyncStream(SyncStream stream);

    /** Adds an extension to simplified sliding sync (MSC4186); names must be unique. */
    void addSlidingSyncExtension(SlidingSyncExtension extension);

    /** Adds endpoints served on the federation listener (Server-Server API). */
    void addFederationRoutes(Routes routes);

    /** Sets who verifies X-Matrix signatures for {@code AuthKind.SERVER} endpoints (one module may). */
    void setServerRequestAuthenticator(ServerRequestAuthenticator authenticator);

    /** Sets how core reaches other servers for its clients (one module may; the federation module does). */
    void setRemoteServers(RemoteServers remoteServers);

    /**
     * How other servers are reached for clients' requests, or a stand-in that answers 502
     * without federation; call it when needed (a module installed later may set it).
     */
    RemoteServers remoteServers();

    /** Sets where core finds other servers' signing keys, to check the events they send (one module may). */
    void setServerKeys(ServerKeys keys);

    /** Sets how core fetches events it lacks from other servers (one module may). */
    void setRemoteEvents(RemoteEvents events);

    /** How events are fetched from other servers, or {@link RemoteEvents#NONE} without federation. */
    RemoteEvents remoteEvents();

    /** Sets what other modules may do to delayed events (one module may; the delayed-events module does). */
    void setDelayedEventActions(DelayedEventActions actions);

    /** Actions on users' delayed events, or {@link DelayedEventActions#NONE} without that module; call it when needed. */
    DelayedEventActions delayedEventActions();

    /** Where typing and receipt EDUs from other servers go; usable once the server has started. */
    RoomEdus roomEdus();

    /** Core's rooms as other servers reach them (receiving PDUs); usable once the server has started. */
    FederatedRooms federatedRooms();

    /** This server's signing key (federation signs requests, keys and events with it). */
    org.callhs.core.crypto.SigningKey signingKey();

    /** Local users' profiles and aliases as other servers may ask for them; usable once the server has started. */
    LocalDirectory localDirectory();

    /** Local devices, keys and the inbox for remote to-device messages; usable once the server has started. */
    LocalDevices localDevices();

    /** Called once the server has started and accepts requests (the event sender is bound by then). */
    void onStarted(Runnable task);

    /** Called on shutdown, in reverse order of registration, before the database closes. */
    void onStop(AutoCloseable closeable);
}
