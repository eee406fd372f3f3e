package org.callhs.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.spi.EventListener;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.SyncNotifier;
import org.callhs.core.api.CreateRoomEndpoint;
import org.callhs.core.api.DirectoryEndpoints;
import org.callhs.core.storage.repo.ForgottenRoomRepository;
import org.callhs.core.api.MessagesEndpoints;
import org.callhs.core.api.RedactionEndpoint;
import org.callhs.core.room.HistoryVisibility;
import org.callhs.core.api.MembershipEndpoints;
import org.callhs.core.api.RoomEndpoints;
import org.callhs.core.config.HomeserverConfig;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.EventBuilder;
import org.callhs.core.room.EventListeners;
import org.callhs.core.room.RemoteEventAppender;
import org.callhs.core.room.remote.Backfiller;
import org.callhs.core.room.remote.CoreFederatedRooms;
import org.callhs.core.room.remote.FederationReads;
import org.callhs.core.room.remote.JoinHandshake;
import org.callhs.core.room.remote.JoinsInProgress;
import org.callhs.core.room.remote.PduChecks;
import org.callhs.core.room.remote.PduReceiver;
import org.callhs.core.room.remote.RemoteInvites;
import org.callhs.core.room.remote.RemoteJoiner;
import org.callhs.core.room.remote.ServerAcls;
import org.callhs.core.room.EventPersister;
import org.callhs.core.room.EventStore;
import org.callhs.core.room.RoomCreator;
import org.callhs.core.room.RoomLocks;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.RoomWriter;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.StateStore;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.storage.repo.EventEdgeRepository;
import org.callhs.core.storage.repo.EventEdgeRepository;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.ExtremityRepository;
import org.callhs.core.storage.repo.ExtremityRepository;
import org.callhs.core.storage.repo.EventTransactionRepository;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.RoomAliasRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.repo.StateGroupRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;

/** Builds the rooms-and-events part of core: storage, the writer, the reader and their endpoints. */
final class RoomWiring {
    private RoomWiring() {}

    /** What the rest of core reads rooms through. */
    record Rooms(List<Routes> routes, RoomReader reader, ClientEvents clientEvents, HistoryVisibility visibility, ServerAcls acls,
                 EventListeners eventListeners, org.callhs.core.room.RoomDeparture departure,
                 org.callhs.core.room.BlockedRooms blocked, org.callhs.core.admin.RoomShutdown shutdown,
                 org.callhs.core.room.RoomPurger purger) {}

    /** @param carryOver copies a user's per-room settings to a room that replaced the old one, when they join it */
    static Rooms build(HomeserverConfig config, Database database, SigningKey signingKey, Clock clock,
                       ProfileRepository profiles, ModuleRegistry modules, SyncNotifier notifier,
                       org.callhs.core.room.UpgradeCarryOver.Copier carryOver,
                       org.callhs.core.cluster.CacheInvalidations invalidations) {
        org.callhs.core.room.BlockedRooms blocked = new org.callhs.core.room.BlockedRooms(database,
                new org.callhs.core.storage.repo.BlockedRoomRepository(), invalidations);
        RoomRepository rooms = new RoomRepository();
        EventRepository events = new EventRepository();
        CurrentStateRepository currentState = new CurrentStateRepository();
        StreamPositionRepository streams = new StreamPositionRepository();
        RoomAliasRepository aliases = new RoomAliasRepository();
        EventStore eventStore = new EventStore(events, rooms);
        StateStore states = new StateStore(new StateGroupRepository(), streams);
        RoomReader reader = new RoomReader(database, rooms, events, currentState, states, eventStore);
        RoomLocks locks = new RoomLocks(256);
        org.callhs.core.directory.UserDirectory userDirectory = new org.callhs.core.directory.UserDirectory(database,
                new org.callhs.core.storage.repo.UserDirectoryRepository(), config.serverName());
        org.callhs.core.storage.repo.EventRelationRepository relationRepository = new org.callhs.core.storage.repo.EventRelationRepository();
        org.callhs.core.storage.repo.EventSearchRepository searchIndex = new org.callhs.core.storage.repo.EventSearchRepository();
        org.callhs.core.room.BundledAggregations aggregations = new org.callhs.core.room.BundledAggregations(database, relationRepository,
                reader);
        EventListeners eventListeners = new EventListeners(eventStore, listeners(notifier, reader, modules, userDirectory, aggregations,
                new org.callhs.core.room.UpgradeCarryOver(config.serverName(), reader, carryOver)),
                committedEvents(database, events, streams, eventStore), notifier.current(Streams.EVENTS), notifier::derived);
        EventBuilder builder = new EventBuilder(new JsonSigner(config.serverName(), signingKey), clock);
        EventPersister persister = new EventPersister(events, new EventEdgeRepository(), states, eventStore,
                new EventPersister.Hooks(modules.writeHooks(), modules.serverJoinListeners(), modules.softFailedHooks()),
                new org.callhs.core.room.EventIndexes(relationRepository, searchIndex));
        ExtremityRepository extremities = new ExtremityRepository();
        EventEdgeRepository edges = new EventEdgeRepository();
        RoomWriter writer = new RoomWriter(database, rooms, extremities, new EventTransactionRepository(), currentState,
                streams, states, eventStore, builder, persister, clock, locks, eventListeners);
        RemoteEventAppender appender = new RemoteEventAppender(database, locks, rooms, extremities, events, edges, currentState, streams,
                states, eventStore, persister, eventListeners);
        PduChecks pduChecks = new PduChecks(modules.serverKeys());
        ServerAcls acls = new ServerAcls(database, rooms, states, eventStore);
        JoinsInProgress joinsInProgress = new JoinsInProgress();
        PduReceiver receiver = new PduReceiver(database, rooms, events, extremities, pduChecks, appender,
                modules::remoteEvents, acls, joinsInProgress);
        FederationReads reads = new FederationReads(database, rooms, events, eventStore, states, acls);
        JoinHandshake joins = new JoinHandshake(database, config.serverName(), rooms, extremities, events, eventStore, states, builder,
                new JsonSigner(config.serverName(), signingKey), pduChecks, appender, reads, acls);
        RemoteJoiner remoteJoiner = new RemoteJoiner(database, config.serverName(), rooms, extremities, events, states, currentState, locks, builder,
                receiver, appender, modules::remoteServers, clock, joinsInProgress);
        org.callhs.core.storage.repo.UserRepository users = new org.callhs.core.storage.repo.UserRepository();
        RemoteInvites invites = new RemoteInvites(database, config.serverName(), rooms, events, currentState, streams, states, locks, writer,
                builder, persister, eventListeners, appender, pduChecks, new JsonSigner(config.serverName(), signingKey),
                new org.callhs.core.storage.repo.RemoteInviteStateRepository(), modules::remoteServers,
                user -> users.find(database.dsl(), user).filter(u -> !u.getDeactivated()).isPresent(), clock, acls);
        joins.strippedStateFrom(invites::strippedState);
        Backfiller backfiller = new Backfiller(database, config.serverName(), rooms, events, currentState, streams, pduChecks, receiver,
                appender, modules::remoteEvents);
        CoreFederatedRooms federatedRooms = new CoreFederatedRooms(receiver, reads, joins, rooms, states, currentState, invites,
                eventStore, modules.inboundPduGates(), blocked);
        modules.bindSoftFailedEvents(appender::readmit);
        org.callhs.core.room.RoomPreview preview = new org.callhs.core.room.RoomPreview(reader);
        DirectoryEndpoints directory = new DirectoryEndpoints(database, aliases, rooms, reader, config.serverName(), modules.remoteServers(),
                writer, preview);
        federatedRooms.useDirectory(directory::publicRoomList);
        modules.bindFederatedRooms(federatedRooms);
        modules.bindEventSender(new org.callhs.core.spi.EventSender() {
            @Override public PersistedEvent send(EventDraft draft, org.callhs.core.spi.SendGuard guard) { return writer.send(draft, guard); }
            @Override public void checkSendable(EventDraft draft) { writer.checkSendable(draft); }
            @Override public List<org.callhs.core.spi.SendOutcome> sendAll(String roomId, List<EventDraft> drafts,
                                                                           List<org.callhs.core.spi.SendGuard> guards) {
                return writer.sendAll(roomId, drafts, guards);
            }
        });
        ClientEvents clientEvents = new ClientEvents(clock, modules.unsignedContributors(), reader::event, reader::membershipAt,
                aggregations);
        HistoryVisibility visibility = new HistoryVisibility(reader);
        List<Routes> routes = List.of(
                new CreateRoomEndpoint(new RoomCreator(config.serverName(), writer), database, profiles, aliases, rooms,
                        config.serverName(), config.defaultRoomVersion(), invites, modules::remoteServers),
                new RoomEndpoints(writer, reader, clientEvents, modules.decorators(), modules.interceptors(), visibility,
                        new org.callhs.core.room.CanonicalAliasCheck(reader, directory::roomOfAlias), blocked),
                new MembershipEndpoints(writer, reader, clientEvents, database, profiles, aliases, new ForgottenRoomRepository(),
                        config.serverName(), remoteJoiner, invites, modules::remoteServers, blocked),
                directory,
                new MessagesEndpoints(reader, visibility, clientEvents,
                        (user, room) -> new ForgottenRoomRepository().isForgotten(database.dsl(), user, room), backfiller::backfill,
                        (room, ids, relTypes, senders) -> java.util.Set.copyOf(
                                relationRepository.parentsAmong(database.dsl(), room, ids, relTypes, senders))),
                new RedactionEndpoint(writer, reader),
                new org.callhs.core.api.SearchEndpoint(database, searchIndex, reader, visibility, clientEvents, reader::predecessors),
                new org.callhs.core.api.UpgradeEndpoint(new org.callhs.core.room.RoomUpgrader(config.serverName(), database, rooms, aliases,
                        writer, reader, invites::invite)),
                new org.callhs.core.api.RelationsEndpoints(database, relationRepository, reader, visibility, clientEvents,
                        (user, room) -> new ForgottenRoomRepository().isForgotten(database.dsl(), user, room)),
                new org.callhs.core.api.UserDirectoryEndpoint(userDirectory, reader),
                new org.callhs.core.api.HierarchyEndpoint(reader, preview),
                new org.callhs.core.api.ReportEndpoints(database, new org.callhs.core.storage.repo.ContentReportRepository(), reader,
                        visibility, clock));
        org.callhs.core.room.RoomDeparture departure = new org.callhs.core.room.RoomDeparture(writer, reader, invites);
        org.callhs.core.admin.RoomShutdown shutdown = new org.callhs.core.admin.RoomShutdown(database, config.serverName(),
                org.callhs.core.event.RoomVersion.require(config.defaultRoomVersion()), blocked, reader, writer,
                new RoomCreator(config.serverName(), writer), departure, profiles, aliases, new ForgottenRoomRepository());
        org.callhs.core.room.RoomPurger purger = new org.callhs.core.room.RoomPurger(database, locks, rooms, reader, modules.purgeHooks(),
                invalidations);
        return new Rooms(routes, reader, clientEvents, visibility, acls, eventListeners, departure, blocked, shutdown, purger);
    }

    /** The events stream as the database has it, for {@link EventListeners} to close gaps and follow other writers. */
    private static org.callhs.core.room.EventDelivery.Source committedEvents(Database database, EventRepository events,
                                                                           StreamPositionRepository streams, EventStore eventStore) {
        return new org.callhs.core.room.EventDelivery.Source() {
            @Override public long committedThrough() { return streams.current(database.dsl(), Streams.EVENTS); }

            @Override public List<PersistedEvent> between(long after, long upTo, int limit) {
                var dsl = database.dsl();
                List<PersistedEvent> out = new ArrayList<>();
                for (var record : events.timelineBetween(dsl, after, upTo, limit)) out.add(eventStore.toEvent(dsl, record));
                return out;
            }
        };
    }

    /** Core's own listeners (dropping stale bundled aggregations; waking /sync long-polls; the user directory's public rooms) first, then the modules'. */
    private static List<EventListener> listeners(SyncNotifier notifier, RoomReader reader, ModuleRegistry modules,
                                                 EventListener userDirectory, EventListener aggregations, EventListener carryOver) {
        List<EventListener> listeners = new ArrayList<>();
        listeners.add(aggregations);
        listeners.add(event -> {
            reader.recent().committed(event);
            if (event.type().equals("m.room.redaction")) {
                com.fasterxml.jackson.databind.JsonNode target = event.version().redactsInContent()
                        ? event.pdu().path("content").path("redacts") : event.pdu().path("redacts");
                if (target.isTextual()) reader.recent().redacted(event.roomId(), target.textValue(), event.eventId());
            }
            boolean member = event.type().equals("m.room.member") && event.stateKey() != null;
            if (member) reader.membershipChanged(event.stateKey());
            notifier.eventCommitted(event.roomId(), event.streamOrdering(), member);
            notifier.roomUpdated(Streams.EVENTS, event.streamOrdering(), event.roomId());
            if (event.type().equals("m.room.member") && event.stateKey() != null) {
                // Invites, kicks and joins concern the target even when they are not (yet) in the room.
                notifier.usersUpdated(Streams.EVENTS, event.streamOrdering(), List.of(event.stateKey()));
            }
        });
        listeners.add(userDirectory);
        listeners.add(carryOver);
        listeners.addAll(modules.eventListeners());
        return listeners;
    }
}
