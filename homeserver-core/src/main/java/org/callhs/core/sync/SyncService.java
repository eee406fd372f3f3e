package org.callhs.core.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.callhs.core.account.AccountDataService;
import org.callhs.core.ephemeral.ReceiptService;
import org.callhs.core.ephemeral.TypingService;
import org.callhs.core.presence.PresenceService;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomReader;
import org.callhs.core.spi.SyncStream;
import org.callhs.core.storage.schema.tables.records.AccountDataRecord;
import org.callhs.core.storage.schema.tables.records.PresenceRecord;
import org.callhs.core.storage.schema.tables.records.ReceiptsRecord;
import org.callhs.core.storage.schema.tables.records.ToDeviceMessagesRecord;
import org.callhs.core.todevice.ToDeviceService;
import org.callhs.core.util.Json;

/**
 * {@code GET /sync} (Client-Server API "Syncing"): builds initial and incremental responses
 * from the stream positions in the {@code since} token up to the current ones, and holds a
 * long-poll open until something for the user arrives or the timeout passes.
 *
 * <p>The long-poll registers with the {@link SyncNotifier} before it first looks for news, so
 * nothing committed in between is missed; a wake-up only triggers another look. While no
 * stream moved at all, looking costs no database access.
 *
 * <p>Responses are built through the {@link SyncBuildGate} shared with sliding sync.
 */
public final class SyncService {
    private final RoomReader reader;
    private final RoomSync rooms;
    private final ClientEvents clientEvents;
    private final SyncNotifier notifier;
    private final TypingService typing;
    private final ReceiptService receipts;
    private final ToDeviceService toDevice;
    private final PresenceService presence;
    private final AccountDataService accountData;
    private final EncryptionSyncSource encryption;
    private final UnreadCounter unread;
    private final Function<String, Set<String>> forgottenRooms;
    private final List<SyncStream> moduleStreams;
    private final Function<String, ObjectNode> pushRules;
    private final SyncBuildGate gate;

    public SyncService(RoomReader reader, org.callhs.core.room.HistoryVisibility visibility, ClientEvents clientEvents, SyncNotifier notifier, TypingService typing,
                       ReceiptService receipts, ToDeviceService toDevice, PresenceService presence, AccountDataService accountData,
                       EncryptionSyncSource encryption, UnreadCounter unread, Function<String, Set<String>> forgottenRooms,
                       List<SyncStream> moduleStreams, Function<String, ObjectNode> pushRules, SyncBuildGate gate) {
        this.gate = gate;
        this.pushRules = pushRules;
        this.reader = reader;
        this.rooms = new RoomSync(reader, visibility);
        this.clientEvents = clientEvents;
        this.notifier = notifier;
        this.typing = typing;
        this.receipts = receipts;
        this.toDevice = toDevice;
        this.presence = presence;
        this.accountData = accountData;
        this.encryption = encryption;
        this.unread = unread;
        this.forgottenRooms = forgottenRooms;
        this.moduleStreams = List.copyOf(moduleStreams);
        Set<String> core = Set.of(Streams.EVENTS, Streams.ACCOUNT_DATA, Streams.TO_DEVICE, Streams.RECEIPTS, Streams.TYPING,
                Streams.DEVICE_LISTS, Streams.PRESENCE);
        for (SyncStream stream : moduleStreams) {
            if (core.contains(stream.name())) throw new IllegalArgumentException("Sync stream name taken by core: " + stream.name());
        }
    }

    /** The current position of every stream. */
    public SyncToken currentToken() {
        Map<String, Long> positions = new TreeMap<>();
        for (String stream : List.of(Streams.EVENTS, Streams.ACCOUNT_DATA, Streams.TO_DEVICE, Streams.RECEIPTS,
                Streams.DEVICE_LISTS, Streams.PRESENCE)) {
            positions.put(stream, notifier.current(stream));
        }
        positions.put(Streams.TYPING, typing.currentPosition());
        for (SyncStream stream : moduleStreams) positions.put(stream.name(), stream.currentPosition());
        return new SyncToken(positions);
    }

    public ObjectNode sync(SyncRequest request) throws InterruptedException {
        String userId = request.requester().userId();
        if (request.setPresence() != null && !request.setPresence().equals("offline") && !request.requester().guest()) {
            presence.touch(userId, request.setPresence());
        }
        if (request.since() != null) {
            notifier.reach(request.since().positions());
            toDevice.acknowledge(userId, request.requester().deviceId(), request.since().position(Streams.TO_DEVICE));
        }
        if (request.since() == null || request.fullState() || request.timeoutMs() <= 0) {
            return gatedBuild(request, currentToken()).body();
        }
        long deadline = System.nanoTime() + request.timeoutMs() * 1_000_000L;
        try (SyncNotifier.Waiter waiter = notifier.register(userId, reader.joinedRooms(userId))) {
            while (true) {
                SyncToken to = currentToken();
                if (!to.equals(request.since())) {
                    SyncResponse response = gatedBuild(request, to);
                    if (response.hasNews()) return response.body();
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0 || !waiter.await(left)) {
                    return gatedBuild(request, currentToken()).body();
                }
            }
        }
    }

    private SyncResponse gatedBuild(SyncRequest request, SyncToken to) throws InterruptedException {
        return gate.build(() -> build(request, to));
    }

    private SyncResponse build(SyncRequest request, SyncToken to) {
        String userId = request.requester().userId();
        String deviceId = request.requester().deviceId();
        SyncToken since = request.since();
        boolean full = since == null || request.fullState();
        SyncFilter filter = request.filter();

        // Rooms and the user's membership in each; the events bound moves up to cover any member event already visible.
        List<RoomReader.Membership> memberships = reader.memberships(userId);
        Map<String, PersistedEvent> memberEvents = new HashMap<>();
        for (PersistedEvent e : reader.events(memberships.stream().map(RoomReader.Membership::eventId).toList())) {
            memberEvents.put(e.roomId(), e);
        }
        long end = to.position(Streams.EVENTS);
        for (PersistedEvent e : memberEvents.values()) end = Math.max(end, e.streamOrdering());
        long after = since == null ? 0 : Math.min(since.position(Streams.EVENTS), end);

        Set<String> joined = new LinkedHashSet<>();
        Set<String> newlyJoined = new LinkedHashSet<>();
        for (RoomReader.Membership m : memberships) {
            if (!m.membership().equals("join") || !filter.includesRoom(m.roomId())) continue;
            joined.add(m.roomId());
            PersistedEvent member = memberEvents.get(m.roomId());
            if (since == null || (member != null && member.streamOrdering() > after
                    && !rooms.membershipAt(member.eventId(), after).equals("join"))) {
                newlyJoined.add(m.roomId());
            }
        }
        Map<String, Long> membershipPositions = new HashMap<>();
        memberEvents.forEach((roomId, member) -> membershipPositions.put(roomId, member.streamOrdering()));
        Set<String> ignored = accountData.ignoredUsers(userId);
        SyncResponse response = new SyncResponse(request, joined, newlyJoined, membershipPositions, full ? 0 : after, ignored,
                clientEvents::render, reader::events);
        for (PersistedEvent member : memberEvents.values()) {
            if (member.streamOrdering() > after) response.markOwnMembershipChanged();
        }
        Map<String, Long> positions = new TreeMap<>(to.positions());
        // Typing positions are clock milliseconds on every instance: a token of an instance that
        // stamped the same change a moment later never goes back (which would send it again).
        if (since != null) positions.merge(Streams.TYPING, since.position(Streams.TYPING), Math::max);
        positions.put(Streams.EVENTS, end);

        joinedRooms(response, request, joined, newlyJoined, after, end, to);
        Set<String> forgotten = null;
        for (RoomReader.Membership m : memberships) {
            if (!filter.includesRoom(m.roomId())) continue;
            PersistedEvent member = memberEvents.get(m.roomId());
            if (member == null) continue;
            boolean changed = since == null || member.streamOrdering() > after;
            switch (m.membership()) {
                case "invite" -> {
                    // Invites from ignored users never appear (spec "Ignoring Users").
                    if (changed && !response.ignoredUsers().contains(member.sender())) {
                        invitedOrKnocked(response, "invite", "invite_state", member);
                    }
                }
                case "knock" -> { if (changed) invitedOrKnocked(response, "knock", "knock_state", member); }
                case "leave", "ban" -> {
                    // Initial and full-state syncs list every left room with include_leave (as Synapse); others what changed.
                    boolean wanted = (since == null || request.fullState()) ? filter.includeLeave() || (since != null && changed) : changed;
                    if (!wanted) continue;
                    if (forgotten == null) forgotten = forgottenRooms.apply(userId);
                    if (!forgotten.contains(m.roomId())) left(response, request, member, after, full);
                }
                default -> { }
            }
        }
        topLevel(response, request, since, to, positions, joined, newlyJoined, after, end);
        for (SyncStream stream : moduleStreams) {
            long streamSince = full ? 0 : since.position(stream.name());
            long upTo = to.position(stream.name());
            positions.put(stream.name(), stream.contribute(response, Math.min(streamSince, upTo), upTo));
        }
        response.carriedOut().forEach((name, value) -> {
            if (positions.containsKey(name)) throw new IllegalStateException("Carried value clashes with a stream: " + name);
            positions.put(name, value);
        });
        response.body().put("next_batch", new SyncToken(positions).toString());
        return response;
    }

    /**
     * The presence of users sharing a room with the requester that changed since the token, and
     * the current presence of users the requester newly shares a room with ({@code arrivals}),
     * changed or not: a client has nothing to go on for them (spec "Presence": a user's presence
     * reaches those who share a room with them).
     */
    private void presence(SyncResponse response, String userId, SyncFilter filter, long presenceSince, long presenceTo,
                          Set<String> arrivals) {
        Map<String, PresenceRecord> records = new java.util.LinkedHashMap<>();
        if (presenceTo > presenceSince) {
            Set<String> peers = new HashSet<>(reader.joinedUsers(response.joinedRooms()));
            peers.add(userId);
            for (PresenceRecord record : presence.changed(peers, presenceSince, presenceTo)) records.put(record.getUserId(), record);
        }
        if (!arrivals.isEmpty()) {
            for (PresenceRecord record : presence.changed(arrivals, 0, presenceTo)) records.putIfAbsent(record.getUserId(), record);
        }
        for (PresenceRecord record : records.values()) {
            if (!filter.presence().matches("m.presence", record.getUserId())) continue;
            ObjectNode event = Json.object().put("type", "m.presence").put("sender", record.getUserId());
            event.set("content", presence.content(record));
            response.topLevelEvents("presence").add(event);
        }
    }

    /**
     * In an incremental sync: the members of rooms the requester joined since the token, and the
     * users who joined the requester's other rooms since then (looked up only for rooms whose
     * members may have changed), the requester left out.
     */
    private Set<String> arrivals(String userId, Set<String> joined, Set<String> newlyJoined, long after, long end) {
        Set<String> arrivals = new HashSet<>(reader.joinedUsers(newlyJoined));
        List<String> changed = new java.util.ArrayList<>();
        for (String roomId : joined) {
            if (!newlyJoined.contains(roomId) && notifier.membersMayHaveChanged(roomId, after)) changed.add(roomId);
        }
        arrivals.addAll(reader.usersJoinedBetween(changed, after, end));
        arrivals.remove(userId);
        return arrivals;
    }

    private void joinedRooms(SyncResponse response, SyncRequest request, Set<String> joined, Set<String> newlyJoined,
                             long after, long end, SyncToken to) {
        String userId = request.requester().userId();
        SyncFilter filter = request.filter();
        boolean fullState = request.since() == null || request.fullState();
        Map<String, Long> latest = notifier.latestInRooms(joined, reader::latestOrderings);
        Map<String, RoomSync.Timeline> timelines = new HashMap<>();
        for (String roomId : joined) {
            boolean fresh = newlyJoined.contains(roomId);
            long from = fresh ? 0 : after;
            boolean hasEvents = latest.getOrDefault(roomId, 0L) > from;
            if (!fresh && !fullState && !hasEvents) continue;
            RoomSync.Timeline timeline = rooms.timeline(roomId, from, end, filter, userId, true, response.ignoredUsers());
            timelines.put(roomId, timeline);
            String stateField = request.stateAfterField() != null ? request.stateAfterField() : "state";
            List<PersistedEvent> state = request.stateAfterField() != null
                    ? rooms.stateAfter(roomId, timeline, from, end, fresh || fullState, filter, userId)
                    : rooms.state(roomId, timeline, from, end, fresh || fullState, filter, userId);
            if (!fresh && !fullState && timeline.events().isEmpty() && state.isEmpty()) continue;
            ObjectNode room = response.joinedRoomSection(roomId);
            fillTimeline(response, room, roomId, timeline);
            if (!state.isEmpty() || request.stateAfterField() != null) {
                ArrayNode stateEvents = SyncResponse.events(room, stateField);
                state.forEach(e -> stateEvents.add(response.render(e)));
            }
            boolean membersChanged = fresh || fullState || timeline.events().stream().anyMatch(e -> e.type().equals("m.room.member"))
                    || state.stream().anyMatch(e -> e.type().equals("m.room.member"));
            if (membersChanged) room.set("summary", rooms.summary(roomId, userId, reader.currentState(roomId)));
        }
        roomEphemeral(response, request, joined, newlyJoined, to);
        accountData(response, request, joined, to);
        for (String roomId : response.body().path("rooms").path("join").isObject() ? fieldNames(response) : List.<String>of()) {
            RoomSync.Timeline timeline = timelines.get(roomId);
            UnreadCounter.Counts counts = timeline != null && timeline.complete()
                    ? unread.counts(userId, roomId, end, timeline.events(), newlyJoined.contains(roomId) ? 0 : after)
                    : unread.counts(userId, roomId, end, null, end);
            boolean perThread = request.filter().timeline().unreadThreadNotifications();
            ObjectNode section = response.joinedRoomSection(roomId);
            putCounts(section.putObject("unread_notifications"), perThread ? counts : counts.combined());
            if (perThread && !counts.threads().isEmpty()) {
                ObjectNode threads = section.putObject("unread_thread_notifications");
                counts.threads().forEach((root, thread) -> putCounts(threads.putObject(root), thread));
            }
        }
    }

    private static void putCounts(ObjectNode node, UnreadCounter.Counts counts) {
        node.put("notification_count", counts.notifications());
        node.put("highlight_count", counts.highlights());
    }

    private static List<String> fieldNames(SyncResponse response) {
        List<String> names = new ArrayList<>();
        response.body().path("rooms").path("join").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private void fillTimeline(SyncResponse response, ObjectNode room, String roomId, RoomSync.Timeline timeline) {
        ObjectNode section = room.putObject("timeline");
        ArrayNode events = section.putArray("events");
        timeline.events().forEach(e -> events.add(response.render(e)));
        section.put("limited", timeline.limited());
        section.put("prev_batch", "s" + timeline.prevBatch());
        response.recordTimeline(roomId, timeline.events());
    }

    private void roomEphemeral(SyncResponse response, SyncRequest request, Set<String> joined, Set<String> newlyJoined,
                               SyncToken to) {
        SyncFilter filter = request.filter();
        if (!filter.ephemeral().allowsAny()) return;
        String userId = request.requester().userId();
        boolean full = request.since() == null || request.fullState();
        long typingSince = full ? 0 : request.since().position(Streams.TYPING);
        long receiptsSince = full ? 0 : request.since().position(Streams.RECEIPTS);
        List<String> wanted = joined.stream().filter(r -> filter.ephemeral().matchesRoom(r)).toList();
        Map<String, List<ReceiptsRecord>> receiptsByRoom = new HashMap<>();
        if (filter.ephemeral().matches("m.receipt", null)) {
            boolean moved = to.position(Streams.RECEIPTS) > receiptsSince;
            List<String> incremental = moved ? wanted.stream().filter(r -> !newlyJoined.contains(r)).toList() : List.of();
            for (ReceiptsRecord r : receipts.changed(incremental, receiptsSince, to.position(Streams.RECEIPTS))) {
                receiptsByRoom.computeIfAbsent(r.getRoomId(), k -> new ArrayList<>()).add(r);
            }
            List<String> fresh = wanted.stream().filter(newlyJoined::contains).toList();
            for (ReceiptsRecord r : receipts.changed(fresh, 0, to.position(Streams.RECEIPTS))) {
                receiptsByRoom.computeIfAbsent(r.getRoomId(), k -> new ArrayList<>()).add(r);
            }
        }
        for (String roomId : wanted) {
            List<ObjectNode> events = new ArrayList<>();
            if (filter.ephemeral().matches("m.typing", null)) {
                List<String> typists = newlyJoined.contains(roomId) ? typing.typists(roomId) : typing.typistsIfChanged(roomId, typingSince);
                if (typists != null && !(typists.isEmpty() && newlyJoined.contains(roomId))) {
                    ObjectNode event = Json.object().put("type", "m.typing");
                    ArrayNode ids = event.putObject("content").putArray("user_ids");
                    typists.stream().sorted().forEach(ids::add);
                    events.add(event);
                }
            }
            List<ReceiptsRecord> roomReceipts = receiptsByRoom.get(roomId);
            if (roomReceipts != null) {
                ObjectNode event = receipts.receiptEvent(roomReceipts, userId);
                if (event != null) events.add(event);
            }
            if (events.isEmpty()) continue;
            ArrayNode out = SyncResponse.events(response.joinedRoomSection(roomId), "ephemeral");
            events.forEach(out::add);
        }
    }

    /**
     * Account data written since the token, read once: per-room entries go into joined rooms'
     * sections, global ones to the top level (with {@code m.push_rules} rendered from the rules,
     * and always present in an initial sync, as Synapse sends it).
     */
    private void accountData(SyncResponse response, SyncRequest request, Set<String> joined, SyncToken to) {
        SyncFilter filter = request.filter();
        String userId = request.requester().userId();
        boolean full = request.since() == null || request.fullState();
        long since = full ? 0 : request.since().position(Streams.ACCOUNT_DATA);
        boolean rulesSent = false;
        if (full || to.position(Streams.ACCOUNT_DATA) > since) {
            for (AccountDataRecord record : accountData.changed(userId, since, to.position(Streams.ACCOUNT_DATA))) {
                String roomId = record.getRoomId();
                String type = record.getDataType();
                if (roomId.isEmpty()) {
                    if (!filter.accountData().allowsAny() || !filter.accountData().matches(type, null)) continue;
                    boolean rules = type.equals(AccountDataService.PUSH_RULES);
                    rulesSent |= rules;
                    ObjectNode event = Json.object().put("type", type);
                    event.set("content", rules ? pushRulesContent(userId) : Json.parse(record.getContent()));
                    response.topLevelEvents("account_data").add(event);
                } else if (joined.contains(roomId) && filter.roomAccountData().matchesRoom(roomId)
                        && filter.roomAccountData().matches(type, null)) {
                    ObjectNode event = Json.object().put("type", type);
                    event.set("content", Json.parse(record.getContent()));
                    SyncResponse.events(response.joinedRoomSection(roomId), "account_data").add(event);
                }
            }
        }
        if (full && !rulesSent && filter.accountData().allowsAny() && filter.accountData().matches(AccountDataService.PUSH_RULES, null)) {
            ObjectNode event = Json.object().put("type", AccountDataService.PUSH_RULES);
            event.set("content", pushRulesContent(userId));
            response.topLevelEvents("account_data").add(event);
        }
    }

    private void invitedOrKnocked(SyncResponse response, String kind, String stateField, PersistedEvent member) {
        ObjectNode room = response.roomSection(kind, member.roomId());
        room.putObject(stateField).set("events", rooms.strippedState(member));
    }

    private void left(SyncResponse response, SyncRequest request, PersistedEvent member, long after, boolean full) {
        String userId = request.requester().userId();
        String roomId = member.roomId();
        long from = full ? 0 : after;
        RoomSync.Timeline timeline = rooms.timeline(roomId, from, member.streamOrdering(), request.filter(), userId, false,
                accountData.ignoredUsers(userId));
        List<PersistedEvent> state = request.stateAfterField() != null
                ? rooms.stateAfter(roomId, timeline, from, member.streamOrdering(), full, request.filter(), userId)
                : rooms.state(roomId, timeline, from, member.streamOrdering(), full, request.filter(), userId);
        ObjectNode room = response.roomSection("leave", roomId);
        fillTimeline(response, room, roomId, timeline);
        ArrayNode stateEvents = SyncResponse.events(room, request.stateAfterField() != null ? request.stateAfterField() : "state");
        state.forEach(e -> stateEvents.add(response.render(e)));
    }

    /** Whether anyone's membership in the user's rooms (or the user's own) may have changed in (after, end]. */
    private boolean membershipsMayHaveChanged(SyncResponse response, long after, long end) {
        if (end <= after) return false;
        if (!response.newlyJoinedRooms().isEmpty() || response.body().path("rooms").has("leave")) return true;
        for (String roomId : response.joinedRooms()) {
            if (notifier.membersMayHaveChanged(roomId, after)) return true;
        }
        return response.ownMembershipChanged();
    }

    private ObjectNode pushRulesContent(String userId) {
        ObjectNode content = Json.object();
        content.set("global", pushRules.apply(userId));
        return content;
    }

    private void topLevel(SyncResponse response, SyncRequest request, SyncToken since, SyncToken to, Map<String, Long> positions,
                          Set<String> joined, Set<String> newlyJoined, long after, long end) {
        String userId = request.requester().userId();
        String deviceId = request.requester().deviceId();
        SyncFilter filter = request.filter();
        boolean full = since == null || request.fullState();

        if (filter.presence().allowsAny()) presence(response, userId, filter, full ? 0 : since.position(Streams.PRESENCE),
                to.position(Streams.PRESENCE), full ? Set.of() : arrivals(userId, joined, newlyJoined, after, end));

        if (deviceId != null) {
            long toDeviceSince = since == null ? 0 : since.position(Streams.TO_DEVICE);
            List<ToDeviceMessagesRecord> messages = to.position(Streams.TO_DEVICE) > toDeviceSince
                    ? toDevice.pending(userId, deviceId, toDeviceSince, to.position(Streams.TO_DEVICE)) : List.of();
            if (!messages.isEmpty()) {
                ArrayNode out = response.topLevelEvents("to_device");
                toDevice.render(messages).forEach(out::add);
                if (messages.size() == org.callhs.core.todevice.ToDeviceService.MAX_PER_SYNC) {
                    positions.put(Streams.TO_DEVICE, messages.get(messages.size() - 1).getStreamId());
                }
            }
            ObjectNode body = response.body();
            ObjectNode counts = body.putObject("device_one_time_keys_count");
            encryption.oneTimeKeyCounts(userId, deviceId).forEach(counts::put);
            ArrayNode fallback = body.putArray("device_unused_fallback_key_types");
            encryption.unusedFallbackKeyTypes(userId, deviceId).forEach(fallback::add);
        }

        boolean listsMayChange = since != null && (to.position(Streams.DEVICE_LISTS) > since.position(Streams.DEVICE_LISTS)
                || membershipsMayHaveChanged(response, since.position(Streams.EVENTS), to.position(Streams.EVENTS)));
        if (listsMayChange) {
            EncryptionSyncSource.DeviceListChanges changes = encryption.deviceListChanges(userId, since, to);
            if (!changes.isEmpty()) {
                response.markNews();
                ObjectNode lists = response.body().putObject("device_lists");
                ArrayNode changed = lists.putArray("changed");
                changes.changed().stream().sorted().forEach(changed::add);
                ArrayNode left = lists.putArray("left");
                changes.left().stream().sorted().forEach(left::add);
            }
        }
    }
}
