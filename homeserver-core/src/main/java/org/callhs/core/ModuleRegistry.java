package org.callhs.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.config.HomeserverConfig;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.DraftDecorator;
import org.callhs.core.spi.EventListener;
import org.callhs.core.spi.EventWriteHook;
import org.callhs.core.spi.SendInterceptor;
import org.callhs.core.spi.UnsignedContributor;
import org.callhs.core.spi.Features;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.ModuleContext;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Collects what modules contribute while they install, and stops them in reverse order. */
final class ModuleRegistry implements ModuleContext {
    private static final Logger log = LoggerFactory.getLogger(ModuleRegistry.class);
    private final ConfigLoader.Loaded config;
    private final Database database;
    private final Clock clock;
    private final org.callhs.core.sync.SyncNotifier notifier;
    private final List<Routes> routes = new ArrayList<>();
    private final List<Features> features = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<DraftDecorator> decorators = new ArrayList<>();
    private final List<SendInterceptor> interceptors = new ArrayList<>();
    private final List<EventListener> eventListeners = new ArrayList<>();
    private final List<EventWriteHook> writeHooks = new ArrayList<>();
    private final List<org.callhs.core.spi.RoomPurgeHook> purgeHooks = new ArrayList<>();
    private final List<UnsignedContributor> unsignedContributors = new ArrayList<>();
    private final List<org.callhs.core.spi.ServerJoinListener> serverJoinListeners = new ArrayList<>();
    private final List<org.callhs.core.spi.SoftFailedHook> softFailedHooks = new ArrayList<>();
    private final List<org.callhs.core.spi.InboundPduGate> inboundPduGates = new ArrayList<>();
    private volatile org.callhs.core.spi.SoftFailedEvents softFailedEvents;
    private volatile org.callhs.core.spi.ServerOutbox serverOutbox;
    private final List<org.callhs.core.spi.SyncStream> syncStreams = new ArrayList<>();

    private final org.callhs.core.spi.RateLimits rateLimits;
    private volatile org.callhs.core.spi.EventSender eventSender;
    private final List<Routes> federationRoutes = new ArrayList<>();
    private org.callhs.core.spi.ServerRequestAuthenticator serverAuthenticator;
    private org.callhs.core.spi.RemoteServers remoteServers;
    private volatile org.callhs.core.spi.LocalDirectory localDirectory;
    private volatile org.callhs.core.spi.LocalDevices localDevices;
    private org.callhs.core.spi.ServerKeys serverKeys;
    private org.callhs.core.spi.RemoteEvents remoteEvents;
    private volatile org.callhs.core.spi.DelayedEventActions delayedEventActions;
    private volatile org.callhs.core.spi.FederatedRooms federatedRooms;
    private final org.callhs.core.crypto.SigningKey signingKey;
    private final org.callhs.core.spi.ClusterBroadcast broadcasts;
    private final org.callhs.core.spi.ClusterJobs clusterJobs;
    private final io.micrometer.core.instrument.MeterRegistry meters;

    ModuleRegistry(ConfigLoader.Loaded config, Database database, Clock clock, org.callhs.core.sync.SyncNotifier notifier,
                   org.callhs.core.spi.RateLimits rateLimits, org.callhs.core.crypto.SigningKey signingKey,
                   org.callhs.core.spi.ClusterBroadcast broadcasts, org.callhs.core.spi.ClusterJobs clusterJobs,
                   io.micrometer.core.instrument.MeterRegistry meters) {
        this.meters = meters;
        this.broadcasts = broadcasts;
        this.clusterJobs = clusterJobs;
        this.signingKey = signingKey;
        this.config = config;
        this.database = database;
        this.clock = clock;
        this.notifier = notifier;
        this.rateLimits = rateLimits;
    }

    /** Binds the event sender once the room writer exists (modules install before it is built). */
    void bindEventSender(org.callhs.core.spi.EventSender sender) { this.eventSender = sender; }

    /** Binds the local data federation reads, once core's services exist. */
    void bindLocal(org.callhs.core.spi.LocalDirectory directory, org.callhs.core.spi.LocalDevices devices) {
        this.localDirectory = directory;
        this.localDevices = devices;
    }

    List<Routes> federationRoutes() { return federationRoutes; }

    private volatile org.callhs.core.ephemeral.RoomEduRelay roomEdus;

    /** Binds the typing and receipt relay once it exists. */
    void bindRoomEdus(org.callhs.core.ephemeral.RoomEduRelay relay) { this.roomEdus = relay; }

    /** Binds core's federated rooms once they exist. */
    void bindFederatedRooms(org.callhs.core.spi.FederatedRooms rooms) { this.federatedRooms = rooms; }

    /** The module's source of remote signing keys, or none. */
    org.callhs.core.spi.ServerKeys serverKeys() {
        var keys = serverKeys;
        return keys != null ? keys : org.callhs.core.spi.ServerKeys.NONE;
    }

    /** The module's way to fetch remote events, or none. */
    @Override
    public org.callhs.core.spi.RemoteEvents remoteEvents() {
        var events = remoteEvents;
        return events != null ? events : org.callhs.core.spi.RemoteEvents.NONE;
    }

    /** The X-Matrix verifier a module set, or null. */
    org.callhs.core.spi.ServerRequestAuthenticator serverAuthenticator() { return serverAuthenticator; }

    /** The module's way to other servers, or core's "federation unavailable" answers. */
    @Override
    public org.callhs.core.spi.RemoteServers remoteServers() {
        return remoteServers != null ? remoteServers : new org.callhs.core.s2s.NoFederation();
    }

    void install(HomeserverModule module) throws Exception {
        module.install(this);
        log.atInfo().setMessage("module installed").addKeyValue("module", module.name()).log();
    }

    List<Routes> routes() { return routes; }

    List<Features> features() { return features; }

    List<DraftDecorator> decorators() { return decorators; }

    List<SendInterceptor> interceptors() { return interceptors; }

    List<EventListener> eventListeners() { return eventListeners; }

    List<EventWriteHook> writeHooks() { return writeHooks; }

    List<org.callhs.core.spi.RoomPurgeHook> purgeHooks() { return purgeHooks; }

    List<org.callhs.core.spi.ServerJoinListener> serverJoinListeners() { return serverJoinListeners; }

    List<org.callhs.core.spi.SoftFailedHook> softFailedHooks() { return softFailedHooks; }

    List<org.callhs.core.spi.InboundPduGate> inboundPduGates() { return inboundPduGates; }

    /** Binds the readmission of soft-failed events once the room appender exists. */
    void bindSoftFailedEvents(org.callhs.core.spi.SoftFailedEvents events) { this.softFailedEvents = events; }

    List<UnsignedContributor> unsignedContributors() { return unsignedContributors; }

    List<org.callhs.core.spi.SyncStream> syncStreams() { return syncStreams; }

    private final List<org.callhs.core.spi.SlidingSyncExtension> slidingExtensions = new ArrayList<>();

    List<org.callhs.core.spi.SlidingSyncExtension> slidingSyncExtensions() { return slidingExtensions; }

    private final List<Runnable> startTasks = new ArrayList<>();

    void started() {
        for (Runnable task : startTasks) task.run();
    }

    void stop() {
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("error stopping module component", e);
            }
        }
    }

    @Override public HomeserverConfig coreConfig() { return config.core(); }
    @Override public <T> T config(ConfigSection<T> section) { return config.section(section); }
    @Override public Database database() { return database; }

    @Override public org.callhs.core.spi.ClusterBroadcast broadcasts() { return broadcasts; }

    @Override public org.callhs.core.spi.ClusterJobs clusterJobs() { return clusterJobs; }
    @Override public Clock clock() { return clock; }
    @Override public io.micrometer.core.instrument.MeterRegistry meters() { return meters; }
    @Override public org.callhs.core.sync.UpdateNotifier notifier() { return notifier; }
    @Override public org.callhs.core.spi.RateLimits rateLimits() { return rateLimits; }
    @Override public org.callhs.core.spi.EventSender eventSender() {
        org.callhs.core.spi.EventSender sender = eventSender;
        if (sender == null) throw new IllegalStateException("the event sender is available once the server has started");
        return sender;
    }
    @Override public void addRoutes(Routes r) { routes.add(r); }
    @Override public void addFederationRoutes(Routes r) { federationRoutes.add(r); }
    @Override public void setServerRequestAuthenticator(org.callhs.core.spi.ServerRequestAuthenticator a) {
        if (serverAuthenticator != null) throw new IllegalStateException("a module already set the server request authenticator");
        serverAuthenticator = a;
    }
    @Override public void setRemoteServers(org.callhs.core.spi.RemoteServers r) {
        if (remoteServers != null) throw new IllegalStateException("a module already set the remote servers");
        remoteServers = r;
    }
    @Override public void setServerKeys(org.callhs.core.spi.ServerKeys keys) {
        if (serverKeys != null) throw new IllegalStateException("a module already set the server keys");
        serverKeys = keys;
    }
    @Override public void setRemoteEvents(org.callhs.core.spi.RemoteEvents events) {
        if (remoteEvents != null) throw new IllegalStateException("a module already set the remote events");
        remoteEvents = events;
    }
    @Override public void setDelayedEventActions(org.callhs.core.spi.DelayedEventActions actions) {
        if (delayedEventActions != null) throw new IllegalStateException("a module already set the delayed-event actions");
        delayedEventActions = actions;
    }
    @Override public org.callhs.core.spi.DelayedEventActions delayedEventActions() {
        var actions = delayedEventActions;
        return actions != null ? actions : org.callhs.core.spi.DelayedEventActions.NONE;
    }
    @Override public org.callhs.core.spi.RoomEdus roomEdus() {
        var relay = roomEdus;
        if (relay == null) throw new IllegalStateException("room EDUs are available once the server has started");
        return new org.callhs.core.spi.RoomEdus() {
            @Override public void typing(String origin, com.fasterxml.jackson.databind.JsonNode content) { relay.remoteTyping(origin, content); }
            @Override public void receipts(String origin, com.fasterxml.jackson.databind.JsonNode content) {
                relay.remoteReceipts(origin, content);
            }
            @Override public void presence(String origin, com.fasterxml.jackson.databind.JsonNode content) {
                relay.remotePresence(origin, content);
            }
        };
    }
    @Override public org.callhs.core.spi.FederatedRooms federatedRooms() {
        var rooms = federatedRooms;
        if (rooms == null) throw new IllegalStateException("federated rooms are available once the server has started");
        return rooms;
    }
    @Override public org.callhs.core.crypto.SigningKey signingKey() { return signingKey; }
    @Override public org.callhs.core.spi.LocalDirectory localDirectory() {
        var d = localDirectory;
        if (d == null) throw new IllegalStateException("the local directory is available once the server has started");
        return d;
    }
    @Override public org.callhs.core.spi.LocalDevices localDevices() {
        var d = localDevices;
        if (d == null) throw new IllegalStateException("local devices are available once the server has started");
        return d;
    }
    @Override public void addFeatures(Features f) { features.add(f); }
    @Override public void onStop(AutoCloseable closeable) { closeables.add(closeable); }
    @Override public void onStarted(Runnable task) { startTasks.add(task); }
    @Override public void addDraftDecorator(DraftDecorator d) { decorators.add(d); }
    @Override public void addSendInterceptor(SendInterceptor i) { interceptors.add(i); }
    @Override public void addEventListener(EventListener l) { eventListeners.add(l); }

    @Override public void addEventWriteHook(EventWriteHook h) { writeHooks.add(h); }
    @Override public void addServerJoinListener(org.callhs.core.spi.ServerJoinListener l) { serverJoinListeners.add(l); }
    @Override public void addSoftFailedHook(org.callhs.core.spi.SoftFailedHook h) { softFailedHooks.add(h); }
    @Override public void addInboundPduGate(org.callhs.core.spi.InboundPduGate g) { inboundPduGates.add(g); }
    @Override public void addRoomPurgeHook(org.callhs.core.spi.RoomPurgeHook h) { purgeHooks.add(h); }
    @Override public org.callhs.core.spi.SoftFailedEvents softFailedEvents() {
        var events = softFailedEvents;
        if (events == null) throw new IllegalStateException("soft-failed events are available once the server has started");
        return events;
    }
    @Override public void setServerOutbox(org.callhs.core.spi.ServerOutbox outbox) {
        if (serverOutbox != null) throw new IllegalStateException("a module already set the server outbox");
        serverOutbox = outbox;
    }
    @Override public org.callhs.core.spi.ServerOutbox serverOutbox() {
        var outbox = serverOutbox;
        return outbox != null ? outbox : org.callhs.core.spi.ServerOutbox.NONE;
    }
    @Override public void addUnsignedContributor(UnsignedContributor c) { unsignedContributors.add(c); }
    @Override public void addSyncStream(org.callhs.core.spi.SyncStream s) {
        if (!org.callhs.core.sync.SyncToken.validName(s.name()) || syncStreams.stream().anyMatch(o -> o.name().equals(s.name()))) {
            throw new IllegalArgumentException("Invalid or duplicate sync stream name " + s.name());
        }
        syncStreams.add(s);
    }

    @Override public void addSlidingSyncExtension(org.callhs.core.spi.SlidingSyncExtension e) {
        if (slidingExtensions.stream().anyMatch(o -> o.name().equals(e.name()))) {
            throw new IllegalArgumentException("Duplicate sliding sync extension " + e.name());
        }
        slidingExtensions.add(e);
    }
}
