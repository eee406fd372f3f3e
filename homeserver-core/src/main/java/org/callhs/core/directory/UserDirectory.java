package org.callhs.core.directory;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.EventListener;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.UserDirectoryRepository;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;

/**
 * Who a user can find in the user directory, as Synapse's default ({@code search_all_users:
 * false}) decides: users who share a room with the searcher, and users joined to a public room (its
 * join rule {@code public}, or its history {@code world_readable}). A user is found by their user ID
 * and by the name the directory knows them by: a local user's global display name, a remote
 * user's display name in the member event of a room the searcher shares or may peek into, so
 * nothing is found by a name the searcher could not see. Deactivated users are never found.
 *
 * <p>Whether a room is public is kept in memory, filled from the database on first use and
 * forgotten (to be read again) when a committed event changes the room's join rule or history
 * visibility; every instance of a cluster hears every event, so each keeps its own copy right.
 */
public final class UserDirectory implements EventListener {
    /** One found user, and what ranks it. */
    public record Found(String userId, String displayName, String avatarUrl, boolean sharesRoom, boolean namePrefix) {}

    /** The users found, best first, and whether there were more than asked for. */
    public record Results(List<Found> results, boolean limited) {}

    private final Database database;
    private final UserDirectoryRepository repository;
    private final String serverName;
    private final Map<String, Boolean> publicRooms = new ConcurrentHashMap<>();
    /** Moves on every forgotten room: a search that read the database meanwhile does not cache what it read. */
    private final AtomicLong changes = new AtomicLong();

    public UserDirectory(Database database, UserDirectoryRepository repository, String serverName) {
        this.database = database;
        this.repository = repository;
        this.serverName = serverName;
    }

    @Override
    public void onEvent(PersistedEvent event) {
        if (!"".equals(event.stateKey())) return;
        String type = event.type();
        if (type.equals("m.room.join_rules") || type.equals("m.room.history_visibility") || type.equals("m.room.create")) {
            changes.incrementAndGet();
            publicRooms.remove(event.roomId());
        }
    }

    /**
     * Users matching every word of {@code term} (case-insensitively, anywhere in the user ID or
     * the name), best first: those sharing a room with {@code searcher}, then those whose name
     * or localpart starts with the term, then by user ID; at most {@code limit}.
     */
    public Results search(String searcher, String term, int limit, Set<String> searcherRooms) {
        List<String> words = words(term);
        DSLContext dsl = database.dsl();
        Set<String> rooms = new HashSet<>(searcherRooms);
        rooms.addAll(publicRooms(dsl));
        // user -> the member event that gives them their name here (a shared room's first)
        Map<String, String> memberEvent = new HashMap<>();
        Set<String> sharing = new HashSet<>();
        for (UserDirectoryRepository.Member m : repository.joinedMembers(dsl, rooms)) {
            boolean shared = searcherRooms.contains(m.roomId());
            if (shared) sharing.add(m.userId());
            if (shared || !memberEvent.containsKey(m.userId())) memberEvent.put(m.userId(), m.eventId());
        }
        List<String> local = new ArrayList<>();
        List<String> remoteEvents = new ArrayList<>();
        memberEvent.forEach((user, eventId) -> {
            if (isLocal(user)) local.add(user); else remoteEvents.add(eventId);
        });
        Map<String, UserDirectoryRepository.Profile> profiles = repository.profiles(dsl, local);
        Set<String> deactivated = repository.deactivated(dsl, local);
        Map<String, String> pdus = repository.pdus(dsl, remoteEvents);

        String whole = String.join(" ", words);
        List<Found> found = new ArrayList<>();
        for (Map.Entry<String, String> entry : memberEvent.entrySet()) {
            String user = entry.getKey();
            String name;
            String avatar;
            if (isLocal(user)) {
                if (deactivated.contains(user)) continue;
                UserDirectoryRepository.Profile profile = profiles.get(user);
                name = profile == null ? null : profile.displayname();
                avatar = profile == null ? null : profile.avatarUrl();
            } else {
                String pdu = pdus.get(entry.getValue());
                JsonNode content = pdu == null ? Json.object() : Json.parse(pdu).path("content");
                name = content.path("displayname").isTextual() ? content.path("displayname").textValue() : null;
                avatar = content.path("avatar_url").isTextual() ? content.path("avatar_url").textValue() : null;
            }
            String haystack = (user + " " + (name == null ? "" : name)).toLowerCase(Locale.ROOT);
            if (!words.stream().allMatch(haystack::contains)) continue;
            String localpart = user.substring(1, Math.max(1, user.indexOf(':'))).toLowerCase(Locale.ROOT);
            boolean prefix = localpart.startsWith(whole) || (name != null && name.toLowerCase(Locale.ROOT).startsWith(whole));
            found.add(new Found(user, name, avatar, sharing.contains(user), prefix));
        }
        found.sort(Comparator.comparing((Found f) -> !f.sharesRoom()).thenComparing(f -> !f.namePrefix()).thenComparing(Found::userId));
        boolean limited = found.size() > limit;
        return new Results(limited ? List.copyOf(found.subList(0, limit)) : found, limited);
    }

    private boolean isLocal(String userId) {
        return userId.endsWith(":" + serverName);
    }

    static List<String> words(String term) {
        List<String> words = new ArrayList<>();
        for (String word : term.toLowerCase(Locale.ROOT).trim().split("\\s+")) if (!word.isEmpty()) words.add(word);
        return words;
    }

    /** The public rooms, from memory, reading the database for rooms not known (or forgotten) there. */
    private Set<String> publicRooms(DSLContext dsl) {
        Map<String, Boolean> known = new HashMap<>(publicRooms);
        List<String> unknown = new ArrayList<>();
        for (String room : repository.allRooms(dsl)) if (!known.containsKey(room)) unknown.add(room);
        if (!unknown.isEmpty()) {
            long before = changes.get();
            Map<String, String> joinRules = repository.currentStatePdus(dsl, unknown, "m.room.join_rules");
            Map<String, String> visibility = repository.currentStatePdus(dsl, unknown, "m.room.history_visibility");
            Map<String, Boolean> read = new HashMap<>();
            for (String room : unknown) {
                read.put(room, "public".equals(field(joinRules.get(room), "join_rule"))
                        || "world_readable".equals(field(visibility.get(room), "history_visibility")));
            }
            if (changes.get() == before) publicRooms.putAll(read);
            known.putAll(read);
        }
        Set<String> out = new HashSet<>();
        known.forEach((room, open) -> { if (open) out.add(room); });
        return out;
    }

    private static String field(String pdu, String name) {
        if (pdu == null) return null;
        JsonNode value = Json.parse(pdu).path("content").path(name);
        return value.isTextual() ? value.textValue() : null;
    }
}
