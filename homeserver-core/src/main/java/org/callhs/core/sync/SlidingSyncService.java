package org.callhs.core.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.callhs.core.account.AccountDataService;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.HistoryVisibility;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.auth.Requester;
import org.callhs.core.spi.SlidingSyncContext;
import org.callhs.core.spi.SlidingSyncExtension;
import org.callhs.core.sync.SlidingConnections.RoomMark;
import org.callhs.core.sync.SlidingConnections.Snapshot;
import org.callhs.core.sync.SlidingSyncRequest.ListFilters;
import org.callhs.core.sync.SlidingSyncRequest.RoomConfig;
import org.callhs.core.util.Json;

/**
 * Simplified sliding sync (MSC4186, {@code POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync}),
 * in the dialect of Synapse and the SDKs.
 *
 * <ul>
 * <li>Rooms: joined, invited, knocked and banned ones, rooms the user was kicked from, and
 *     rooms the user left since {@code pos}; forgotten rooms and invites from ignored users are
 *     left out. A list filters them ({@code is_dm}, {@code is_encrypted}, {@code is_invite},
 *     {@code room_types}, {@code not_room_types}, {@code tags}, {@code not_tags}), sorts them
 *     newest activity first (joined rooms by their last event, others by the user's membership
 *     event), reports the {@code count} and selects its {@code ranges}. Room subscriptions add
 *     rooms the user has a membership in; a room several lists or subscriptions name gets the
 *     larger timeline limit and the union of the required state.
 * <li>A room is sent when the connection never sent it, when it has events after what the
 *     connection last got of it (also events missed while it was out of range), or when its
 *     config grew. A room result carries {@code initial} (first time, or joined since),
 *     {@code timeline} with {@code limited}, {@code prev_batch} and {@code num_live},
 *     {@code required_state} (only entries the connection does not hold yet), {@code name},
 *     {@code avatar}, {@code heroes}, {@code joined_count}, {@code invited_count} (when they
 *     changed), {@code bump_stamp}, notification counts, {@code invite_state} for invites and
 *     knocks, and {@code unstable_expanded_timeline} when a larger timeline limit re-sends
 *     older events. Left and banned rooms stop at the leave or ban.
 * <li>Extensions: {@code to_device}, {@code e2ee} and {@code account_data} here, modules' own
 *     through {@link SlidingSyncExtension}; {@code receipts} and {@code typing} are not served.
 * <li>A request with {@code pos} and a timeout waits until a room or an extension has
 *     something; one without {@code pos} answers at once. Responses are built through the
 *     {@link SyncBuildGate} shared with {@code /sync}.
 * </ul>
 */
public final class SlidingSyncService {
    /** Event types that move a room up the list (Synapse's set). */
    static final List<String> BUMP_TYPES = List.of("m.room.create", "m.room.message", "m.room.encrypted", "m.sticker",
            "m.call.invite", "m.poll.start", "m.beacon_info");
    private static final int MAX_HEROES = 5;
    static final String TO_DEVICE = "to_device";
    static final String E2EE = "e2ee";
    static final String ACCOUNT_DATA = "account_data";

    private final RoomReader reader;
    private final RoomSync rooms;
    private final ClientEvents clientEvents;
    private final SyncNotifier notifier;
    private final SyncService sync;
    private final SlidingCoreExtensions core;
    private final AccountDataService accountData;
    private final UnreadCounter unread;
    private final Function<String, Set<String>> forgottenRooms;
    private final Map<String, SlidingSyncExtension> moduleExtensions = new LinkedHashMap<>();
    private final SlidingConnections connections = new SlidingConnections();
    private final Map<Integer, SyncFilter> timelineFilters = new ConcurrentHashMap<>();
    private final SyncBuildGate gate;

    public SlidingSyncService(RoomReader reader, HistoryVisibility visibility, ClientEvents clientEvents, SyncNotifier notifier,
                              SyncService sync, SlidingCoreExtensions core, AccountDataService accountData, UnreadCounter unread,
                              Function<String, Set<String>> forgottenRooms, List<SlidingSyncExtension> extensions,
                              SyncBuildGate gate) {
        this.gate = gate;
        this.reader = reader;
        this.rooms = new RoomSync(reader, visibility);
        this.clientEvents = clientEvents;
        this.notifier = notifier;
        this.sync = sync;
        this.core = core;
        this.accountData = accountData;
        this.unread = unread;
        this.forgottenRooms = forgottenRooms;
        for (SlidingSyncExtension extension : extensions) {
            if (SlidingCoreExtensions.NAMES.contains(extension.name())) {
                throw new IllegalArgumentException("Sliding sync extension name taken by core: " + extension.name());
            }
            moduleExtensions.put(extension.name(), extension);
        }
    }

    /** Answers one request: at once when there is news, no {@code pos} or no timeout; otherwise when news comes or the timeout passes. */
    public ObjectNode sync(Requester requester, SlidingSyncRequest request, String pos, long timeoutMs) throws InterruptedException {
        SlidingConnections.Key key = new SlidingConnections.Key(requester.userId(),
                requester.deviceId() == null ? "" : requester.deviceId(), request.connId());
        Snapshot previous = pos == null ? null : connections.resolve(key, pos);
        Map<String, Object> extensionRequests = parseExtensions(request);
        core.acknowledge(requester, extensionRequests);
        Built built = gate.build(() -> build(requester, request, previous, extensionRequests));
        if (!built.hasData() && pos != null && timeoutMs > 0) {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            try (SyncNotifier.Waiter waiter = notifier.register(requester.userId(), reader.joinedRooms(requester.userId()))) {
                while (!built.hasData()) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    boolean woken = left > 0 && waiter.await(left);
                    built = gate.build(() -> build(requester, request, previous, extensionRequests));
                    if (!woken) break;
                }
            }
        }
        Map<String, RoomMark> marks = previous == null ? new HashMap<>() : new HashMap<>(previous.rooms());
        marks.putAll(built.marks());
        built.body().put("pos", connections.store(key, pos, new Snapshot(built.token(), Map.copyOf(marks))));
        return built.body();
    }

    /** Every named extension checked before anything is done (400 for bad input); null values are disabled ones. */
    private Map<String, Object> parseExtensions(SlidingSyncRequest request) {
        Map<String, Object> parsed = new LinkedHashMap<>();
        request.extensions().forEach((name, node) -> {
            Object value;
            if (SlidingCoreExtensions.NAMES.contains(name)) value = core.parse(name, node);
            else if (moduleExtensions.containsKey(name)) value = moduleExtensions.get(name).parse(node);
            else value = null; // unknown extensions are ignored, as Synapse does
            if (value != null) parsed.put(name, value);
        });
        return parsed;
    }

    /** A response, the token it was built at, and the marks of the rooms it changed (merged into the connection's only when returned). */
    record Built(ObjectNode body, SyncToken token, Map<String, RoomMark> marks, boolean hasData) {}

    /** A room the user may see in a list: their membership and its event, and the list's sort key. */
    private record Candidate(String roomId, String membership, PersistedEvent member, long sortKey) {
        boolean joined() { return membership.equals("join"); }
    }

    private Built build(Requester requester, SlidingSyncRequest request, Snapshot previous, Map<String, Object> extensionRequests) {
        String userId = requester.userId();
        SyncToken to = sync.currentToken();
        List<RoomReader.Membership> memberships = reader.memberships(userId);
        Map<String, PersistedEvent> memberEvents = new HashMap<>();
        for (PersistedEvent e : reader.events(memberships.stream().map(RoomReader.Membership::eventId).toList())) {
            memberEvents.put(e.roomId(), e);
        }
        long end = to.position(Streams.EVENTS);
        for (PersistedEvent e : memberEvents.values()) end = Math.max(end, e.streamOrdering());
        long previousEnd = previous == null ? 0 : previous.token().position(Streams.EVENTS);
        Set<String> ignored = accountData.ignoredUsers(userId);
        Map<String, Candidate> candidates = candidates(userId, memberships, memberEvents, previous, previousEnd, ignored);

        ObjectNode body = Json.object();
        body.put("pos", "");
        Map<String, RoomConfig> wanted = new LinkedHashMap<>();
        Set<String> matched = new HashSet<>();
        if (!request.lists().isEmpty()) {
            ObjectNode lists = body.putObject("lists");
            ListFilterCheck filterCheck = new ListFilterCheck(userId);
            List<Candidate> sorted = new ArrayList<>(candidates.values());
            sorted.sort(Comparator.comparingLong(Candidate::sortKey).reversed().thenComparing(Candidate::roomId));
            request.lists().forEach((name, list) -> {
                List<Candidate> members = sorted.stream().filter(c -> filterCheck.passes(c, list.filters())).toList();
                members.forEach(c -> matched.add(c.roomId()));
                lists.putObject(name).put("count", members.size());
                for (long[] range : list.ranges()) {
                    for (long i = range[0]; i <= range[1] && i < members.size(); i++) {
                        wanted.merge(members.get((int) i).roomId(), list.config(), RoomConfig::combine);
                    }
                }
            });
        }
        request.subscriptions().forEach((roomId, config) -> {
            PersistedEvent member = memberEvents.get(roomId);
            if (member == null) return; // no peeking: only rooms the user has a membership in
            candidates.computeIfAbsent(roomId, r -> new Candidate(r, membershipOf(member), member, member.streamOrdering()));
            matched.add(roomId);
            wanted.merge(roomId, config, RoomConfig::combine);
        });

        ObjectNode roomsOut = body.putObject("rooms");
        Map<String, RoomMark> marks = new HashMap<>();
        Map<String, Set<String>> timelines = new HashMap<>();
        for (Map.Entry<String, RoomConfig> entry : wanted.entrySet()) {
            Candidate candidate = candidates.get(entry.getKey());
            RoomMark prev = previous == null ? null : previous.rooms().get(entry.getKey());
            RoomResult result = room(requester, candidate, entry.getValue(), prev, end, previous != null, previousEnd, ignored);
            if (result == null) continue;
            marks.put(entry.getKey(), result.mark());
            if (result.hasData()) {
                roomsOut.set(entry.getKey(), result.node());
                timelines.put(entry.getKey(), result.timelineIds());
            }
        }

        ObjectNode extensions = body.putObject("extensions");
        boolean extensionData = core.respond(extensions, requester, extensionRequests, previous == null ? null : previous.token(), to,
                wanted.keySet());
        if (!moduleExtensions.isEmpty()) {
            Set<String> joined = new HashSet<>();
            for (String roomId : matched) {
                Candidate c = candidates.get(roomId);
                if (c != null && c.joined()) joined.add(roomId);
            }
            Context context = new Context(requester, end, joined, candidates, ignored, timelines);
            for (Map.Entry<String, Object> entry : extensionRequests.entrySet()) {
                SlidingSyncExtension extension = moduleExtensions.get(entry.getKey());
                if (extension == null) continue;
                ObjectNode part = extension.respond(context, entry.getValue());
                if (part != null) {
                    extensions.set(extension.name(), part);
                    extensionData = true;
                }
            }
        }
        Map<String, Long> positions = new LinkedHashMap<>(to.positions());
        positions.put(Streams.EVENTS, end);
        return new Built(body, new SyncToken(positions), marks, !roomsOut.isEmpty() || extensionData);
    }

    private static String membershipOf(PersistedEvent member) {
        return member.pdu().path("content").path("membership").asText("leave");
    }

    private Map<String, Candidate> candidates(String userId, List<RoomReader.Membership> memberships, Map<String, PersistedEvent> memberEvents,
                                              Snapshot previous, long previousEnd, Set<String> ignored) {
        Map<String, Candidate> out = new LinkedHashMap<>();
        List<String> joined = new ArrayList<>();
        Set<String> forgotten = null;
        for (RoomReader.Membership m : memberships) {
            PersistedEvent member = memberEvents.get(m.roomId());
            if (member == null) continue;
            switch (m.membership()) {
                case "join" -> joined.add(m.roomId());
                case "invite", "knock" -> {
                    if (m.membership().equals("invite") && ignored.contains(member.sender())) continue;
                }
                case "leave", "ban" -> {
                    boolean kicked = m.membership().equals("ban") || !member.sender().equals(userId);
                    boolean newlyLeft = previous != null && member.streamOrdering() > previousEnd;
                    if (!kicked && !newlyLeft) continue;
                    if (forgotten == null) forgotten = forgottenRooms.apply(userId);
                    if (forgotten.contains(m.roomId())) continue;
                }
                default -> { continue; }
            }
            out.put(m.roomId(), new Candidate(m.roomId(), m.membership(), member, member.streamOrdering()));
        }
        Map<String, Long> latest = notifier.latestInRooms(joined, reader::latestOrderings);
        for (String roomId : joined) {
            Candidate c = out.get(roomId);
            out.put(roomId, new Candidate(roomId, c.membership(), c.member(), Math.max(c.sortKey(), latest.getOrDefault(roomId, 0L))));
        }
        return out;
    }

    /** The list filters, reading account data and room state only when a filter needs them. */
    private final class ListFilterCheck {
        private final String userId;
        private Set<String> directRooms;

        ListFilterCheck(String userId) {
            this.userId = userId;
        }

        boolean passes(Candidate c, ListFilters f) {
            if (f.isInvite() != null && f.isInvite() != c.membership().equals("invite")) return false;
            if (f.isDm() != null && f.isDm() != directRooms().contains(c.roomId())) return false;
            if (f.isEncrypted() != null && f.isEncrypted() != reader.currentState(c.roomId()).containsKey(StateKey.of("m.room.encryption", ""))) {
                return false;
            }
            if (f.roomTypes() != null || f.notRoomTypes() != null) {
                String type = roomType(c.roomId());
                if (f.notRoomTypes() != null && f.notRoomTypes().contains(type)) return false;
                if (f.roomTypes() != null && !f.roomTypes().contains(type)) return false;
            }
            if (f.tags() != null || f.notTags() != null) {
                Set<String> tags = tags(c.roomId());
                if (f.notTags() != null && f.notTags().stream().anyMatch(tags::contains)) return false;
                if (f.tags() != null && f.tags().stream().noneMatch(tags::contains)) return false;
            }
            return true;
        }

        private Set<String> directRooms() {
            if (directRooms == null) {
                directRooms = new HashSet<>();
                accountData.find(userId, "", "m.direct").map(Json::parse).ifPresent(direct ->
                        direct.forEach(ids -> ids.forEach(id -> { if (id.isTextual()) directRooms.add(id.textValue()); })));
            }
            return directRooms;
        }

        private String roomType(String roomId) {
            return reader.stateEvent(reader.currentState(roomId), "m.room.create", "")
                    .map(e -> e.pdu().path("content").path("type"))
                    .filter(JsonNode::isTextual).map(JsonNode::textValue).orElse(null);
        }

        private Set<String> tags(String roomId) {
            Set<String> tags = new HashSet<>();
            accountData.find(userId, roomId, "m.tag").map(Json::parse)
                    .ifPresent(content -> content.path("tags").fieldNames().forEachRemaining(tags::add));
            return tags;
        }
    }

    private record RoomResult(ObjectNode node, RoomMark mark, boolean hasData, Set<String> timelineIds) {}

    /**
     * One room's result, or null when the connection is up to date with it. {@code incremental}:
     * the request came with a {@code pos} (then {@code previousEnd} is that response's events position).
     */
    private RoomResult room(Requester requester, Candidate c, RoomConfig config, RoomMark prev, long end, boolean incremental,
                            long previousEnd, Set<String> ignored) {
        String userId = requester.userId();
        String roomId = c.roomId();
        boolean live = c.joined();
        long roomEnd = live ? end : c.member().streamOrdering();
        boolean invited = c.membership().equals("invite") || c.membership().equals("knock");
        if (prev != null) {
            long newest = live ? Math.max(c.sortKey(), c.member().streamOrdering()) : c.member().streamOrdering();
            boolean moved = newest > prev.bound();
            boolean grew = config.timelineLimit() > prev.timelineLimit() || !config.requiredState().equals(prev.requiredState());
            if (!moved && !grew) return null;
        }
        ObjectNode node = Json.object();
        boolean initial = prev == null || (live && c.member().streamOrdering() > prev.bound()
                && !rooms.membershipAt(c.member().eventId(), prev.bound()).equals("join"));
        if (initial) node.put("initial", true);
        if (invited) {
            node.set("invite_state", rooms.strippedState(c.member()));
            node.put("bump_stamp", Math.max(0, c.member().streamOrdering()));
            node.put("notification_count", 0);
            node.put("highlight_count", 0);
            RoomMark mark = new RoomMark(roomEnd, config.timelineLimit(), config.requiredState(), Map.of(), null, null, 0, 0);
            return new RoomResult(node, mark, true, Set.of());
        }

        RoomSync.Timeline timeline = null;
        boolean expanded = false;
        if (config.timelineLimit() > 0) {
            long from = initial ? 0 : prev.bound();
            if (!initial && config.timelineLimit() > prev.timelineLimit()) {
                expanded = true;
                from = 0;
                node.put("unstable_expanded_timeline", true);
            }
            timeline = rooms.timeline(roomId, from, roomEnd, timelineFilter(config.timelineLimit()), userId, live, ignored);
            if (!timeline.events().isEmpty()) {
                ArrayNode events = node.putArray("timeline");
                timeline.events().forEach(e -> events.add(render(e, requester)));
            }
            node.put("limited", timeline.limited());
            node.put("prev_batch", "s" + timeline.prevBatch());
            node.put("num_live", incremental ? timeline.events().stream().filter(e -> e.streamOrdering() > previousEnd).count() : 0);
        }

        Map<StateKey, String> state = live ? reader.currentState(roomId) : reader.stateAtPosition(roomId, roomEnd);
        Map<StateKey, String> sent = initial || prev == null ? new HashMap<>() : new HashMap<>(prev.sentState());
        if (!config.requiredState().isEmpty()) {
            Set<String> lazy = new HashSet<>();
            if (timeline != null && config.requiredState().lazyMembers()) {
                for (PersistedEvent e : timeline.events()) {
                    lazy.add(e.sender());
                    if (e.type().equals(StateKey.MEMBER_TYPE) && e.stateKey() != null) lazy.add(e.stateKey());
                }
            }
            List<String> ids = new ArrayList<>();
            for (Map.Entry<StateKey, String> entry : state.entrySet()) {
                if (config.requiredState().wants(entry.getKey(), userId, lazy) && !entry.getValue().equals(sent.get(entry.getKey()))) {
                    ids.add(entry.getValue());
                    sent.put(entry.getKey(), entry.getValue());
                }
            }
            if (!ids.isEmpty()) {
                List<PersistedEvent> events = new ArrayList<>(reader.events(ids));
                events.sort(Comparator.comparingLong(PersistedEvent::streamOrdering));
                ArrayNode out = node.putArray("required_state");
                events.forEach(e -> out.add(render(e, requester)));
            }
        }

        String nameId = state.get(StateKey.of("m.room.name", ""));
        String avatarId = state.get(StateKey.of("m.room.avatar", ""));
        String name = contentText(nameId, "name");
        if ((initial || !Objects.equals(nameId, prev.nameId())) && !name.isEmpty()) node.put("name", name);
        String avatar = contentText(avatarId, "url");
        if ((initial || !Objects.equals(avatarId, prev.avatarId())) && !avatar.isEmpty()) node.put("avatar", avatar);
        int joinedCount = 0;
        int invitedCount = 0;
        if (live) {
            List<String> joinedMembers = reader.members(roomId, "join");
            List<String> invitedMembers = reader.members(roomId, "invite");
            joinedCount = joinedMembers.size();
            invitedCount = invitedMembers.size();
            boolean countsChanged = initial || joinedCount != prev.joinedCount() || invitedCount != prev.invitedCount();
            if (countsChanged) {
                node.put("joined_count", joinedCount);
                node.put("invited_count", invitedCount);
                if (name.isEmpty()) node.set("heroes", heroes(userId, state, joinedMembers, invitedMembers));
            }
        }
        boolean bumpInTimeline = timeline != null && timeline.events().stream().anyMatch(e -> BUMP_TYPES.contains(e.type()));
        if (initial || !live || config.timelineLimit() == 0 || (timeline != null && timeline.limited()) || bumpInTimeline) {
            long bump = live ? reader.latestOfTypes(roomId, BUMP_TYPES, roomEnd).orElse(c.member().streamOrdering())
                    : c.member().streamOrdering();
            node.put("bump_stamp", Math.max(0, bump));
        }
        UnreadCounter.Counts counts = live ? unread.counts(userId, roomId, end, null, end).combined() : UnreadCounter.Counts.ZERO;
        node.put("notification_count", counts.notifications());
        node.put("highlight_count", counts.highlights());

        int limit = config.timelineLimit();
        int keptLimit = prev == null || initial || limit >= prev.timelineLimit() || (timeline != null && timeline.limited())
                ? limit : prev.timelineLimit();
        RoomMark mark = new RoomMark(roomEnd, keptLimit, config.requiredState(), Map.copyOf(sent), nameId, avatarId, joinedCount, invitedCount);
        boolean hasData = initial || expanded || node.has("timeline") || node.has("required_state") || node.has("name")
                || node.has("avatar") || node.has("joined_count") || node.has("heroes");
        Set<String> timelineIds = new HashSet<>();
        if (timeline != null) timeline.events().forEach(e -> timelineIds.add(e.eventId()));
        return new RoomResult(node, mark, hasData, timelineIds);
    }

    private String contentText(String eventId, String field) {
        if (eventId == null) return "";
        return reader.events(List.of(eventId)).stream().findFirst()
                .map(e -> e.pdu().path("content").path(field)).filter(JsonNode::isTextual).map(JsonNode::textValue).orElse("");
    }

    /** Up to five other members, joined first, then invited: {@code [{user_id, displayname?, avatar_url?}]}. */
    private ArrayNode heroes(String userId, Map<StateKey, String> state, List<String> joined, List<String> invited) {
        List<String> picked = new ArrayList<>();
        for (List<String> group : List.of(joined, invited)) {
            group.stream().filter(u -> !u.equals(userId)).sorted().forEach(u -> { if (picked.size() < MAX_HEROES) picked.add(u); });
        }
        List<String> ids = new ArrayList<>();
        for (String user : picked) {
            String id = state.get(StateKey.of(StateKey.MEMBER_TYPE, user));
            if (id != null) ids.add(id);
        }
        Map<String, JsonNode> contents = new HashMap<>();
        for (PersistedEvent e : reader.events(ids)) contents.put(e.stateKey(), e.pdu().path("content"));
        ArrayNode heroes = Json.array();
        for (String user : picked) {
            ObjectNode hero = heroes.addObject().put("user_id", user);
            JsonNode content = contents.get(user);
            if (content == null) continue;
            if (content.path("displayname").isTextual()) hero.put("displayname", content.path("displayname").textValue());
            if (content.path("avatar_url").isTextual()) hero.put("avatar_url", content.path("avatar_url").textValue());
        }
        return heroes;
    }

    private SyncFilter timelineFilter(int limit) {
        return timelineFilters.computeIfAbsent(limit, l -> {
            ObjectNode filter = Json.object();
            filter.putObject("room").putObject("timeline").put("limit", l);
            return SyncFilter.of(filter);
        });
    }

    private ObjectNode render(PersistedEvent event, Requester requester) {
        ObjectNode rendered = clientEvents.render(event, requester);
        rendered.remove("room_id");
        return rendered;
    }

    /** What a module's extension sees of the response being built. */
    private final class Context implements SlidingSyncContext {
        private final Requester requester;
        private final long end;
        private final Set<String> joined;
        private final Map<String, Candidate> candidates;
        private final Set<String> ignored;
        private final Map<String, Set<String>> timelines;

        Context(Requester requester, long end, Set<String> joined, Map<String, Candidate> candidates, Set<String> ignored,
                Map<String, Set<String>> timelines) {
            this.requester = requester;
            this.end = end;
            this.joined = Set.copyOf(joined);
            this.candidates = candidates;
            this.ignored = ignored;
            this.timelines = timelines;
        }

        @Override public Requester requester() { return requester; }
        @Override public Set<String> joinedRooms() { return joined; }
        @Override public long eventsPosition() { return end; }
        @Override public long membershipPosition(String roomId) {
            Candidate c = candidates.get(roomId);
            return c == null ? 0 : c.member().streamOrdering();
        }
        @Override public Set<String> ignoredUsers() { return ignored; }
        @Override public Set<String> timelineEventIds(String roomId) { return timelines.getOrDefault(roomId, Set.of()); }
        @Override public List<PersistedEvent> events(List<String> eventIds) { return reader.events(eventIds); }
        @Override public ObjectNode render(PersistedEvent event) { return SlidingSyncService.this.render(event, requester); }
    }
}
