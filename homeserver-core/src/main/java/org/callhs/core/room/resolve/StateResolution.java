package org.callhs.core.room.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.AuthRules;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.room.auth.StateView;

/**
 * State resolution v2 (room versions 6–11) and v2.1 (room version 12, MSC4297), as the spec's
 * "Server-Server API / Room versions: state resolution" sections define them: a pure function
 * of the input states and the events an {@link EventSource} gives. It writes nothing and keeps
 * nothing between calls.
 *
 * <p>The algorithm, in short: the slots all inputs agree on are the unconflicted state; the
 * others, plus the auth difference of the inputs (and, in v2.1, the conflicted state subgraph),
 * are the full conflicted set. Its power events and their auth ancestors in the set are sorted
 * by reverse topological power order and replayed through the authorisation rules (from the
 * unconflicted state in v2, from nothing in v2.1); the rest are sorted by mainline order
 * against the power levels that gave, and replayed on top; finally the unconflicted state is
 * laid over the result.
 */
public final class StateResolution {
    private final RoomVersion version;
    private final EventSource source;
    private final Map<String, Optional<ResolvableEvent>> seen = new HashMap<>();

    private StateResolution(RoomVersion version, EventSource source) {
        this.version = version;
        this.source = source;
    }

    /**
     * The resolution of {@code stateSets} (each a full room state: slot to event ID) in a room of
     * {@code version}. One input is returned as it is; identical inputs need no event reads.
     */
    public static Map<StateKey, String> resolve(RoomVersion version, List<Map<StateKey, String>> stateSets, EventSource source) {
        if (stateSets.isEmpty()) return Map.of();
        if (stateSets.size() == 1) return Map.copyOf(stateSets.get(0));
        return new StateResolution(version, source).run(stateSets);
    }

    private Map<StateKey, String> run(List<Map<StateKey, String>> stateSets) {
        Map<StateKey, String> unconflicted = new HashMap<>();
        Set<String> conflicted = new HashSet<>();
        splitConflicts(stateSets, unconflicted, conflicted);
        if (conflicted.isEmpty()) return Map.copyOf(unconflicted);

        Set<String> full = new HashSet<>(conflicted);
        full.addAll(authDifference(stateSets));
        if (version.stateResolutionV21()) full.addAll(conflictedSubgraph(conflicted));
        full.removeIf(id -> event(id).isEmpty());

        // Power events and the auth ancestors they have inside the full conflicted set.
        Set<String> powerSet = new HashSet<>();
        for (String id : full) {
            if (isPowerEvent(event(id).orElseThrow())) powerSet.add(id);
        }
        for (String id : List.copyOf(powerSet)) {
            for (String ancestor : authChain(List.of(id))) if (full.contains(ancestor)) powerSet.add(ancestor);
        }
        List<String> powerOrder = reverseTopologicalPowerOrder(powerSet);
        Map<StateKey, String> partial = iterativeAuthChecks(powerOrder,
                version.stateResolutionV21() ? new HashMap<>() : new HashMap<>(unconflicted));

        List<String> rest = new ArrayList<>();
        for (String id : full) if (!powerSet.contains(id)) rest.add(id);
        List<String> mainlineOrder = mainlineOrder(rest, partial.get(StateKey.POWER_LEVELS));
        Map<StateKey, String> resolved = iterativeAuthChecks(mainlineOrder, partial);

        resolved.putAll(unconflicted);
        return Map.copyOf(resolved);
    }

    /** Slots every input fills with the same event go to {@code unconflicted}; every value of the other slots to {@code conflicted}. */
    private static void splitConflicts(List<Map<StateKey, String>> stateSets, Map<StateKey, String> unconflicted, Set<String> conflicted) {
        Set<StateKey> keys = new HashSet<>();
        for (Map<StateKey, String> set : stateSets) keys.addAll(set.keySet());
        for (StateKey key : keys) {
            String first = stateSets.get(0).get(key);
            boolean same = first != null;
            for (Map<StateKey, String> set : stateSets) {
                if (same && !first.equals(set.get(key))) same = false;
            }
            if (same) {
                unconflicted.put(key, first);
            } else {
                for (Map<StateKey, String> set : stateSets) {
                    String id = set.get(key);
                    if (id != null) conflicted.add(id);
                }
            }
        }
    }

    /**
     * The events in some but not all of the inputs' full auth chains. A state's full auth chain
     * is read as its events together with all their auth ancestors, as Synapse computes it (and
     * its state resolution tests need): read without the state's own events, an event both
     * states hold could land in the conflicted set because one state also reaches it by auth.
     */
    private Set<String> authDifference(List<Map<StateKey, String>> stateSets) {
        Set<String> union = new HashSet<>();
        Set<String> intersection = null;
        for (Map<StateKey, String> set : stateSets) {
            Set<String> chain = authChain(set.values());
            for (String id : set.values()) if (event(id).isPresent()) chain.add(id);
            union.addAll(chain);
            if (intersection == null) intersection = new HashSet<>(chain);
            else intersection.retainAll(chain);
        }
        union.removeAll(intersection);
        return union;
    }

    /**
     * v2.1: the events on some {@code auth_events} path from one conflicted event to another,
     * both ends included: those reachable from a conflicted event that themselves reach one.
     */
    private Set<String> conflictedSubgraph(Set<String> conflicted) {
        Map<String, Boolean> reaches = new HashMap<>();
        for (String start : conflicted) {
            // Iterative post-order walk: an event reaches the conflicted set if it is in it or an auth event of it does.
            Deque<String> stack = new ArrayDeque<>();
            Set<String> onStack = new HashSet<>();
            if (!reaches.containsKey(start)) {
                stack.push(start);
                onStack.add(start);
            }
            while (!stack.isEmpty()) {
                String id = stack.peek();
                boolean pending = false;
                List<String> parents = event(id).map(ResolvableEvent::authEventIds).orElse(List.of());
                for (String parent : parents) {
                    if (!reaches.containsKey(parent) && !onStack.contains(parent) && event(parent).isPresent()) {
                        stack.push(parent);
                        onStack.add(parent);
                        pending = true;
                    }
                }
                if (pending) continue;
                stack.pop();
                onStack.remove(id);
                boolean result = conflicted.contains(id);
                for (String parent : parents) result |= reaches.getOrDefault(parent, false);
                reaches.put(id, result);
            }
        }
        Set<String> subgraph = new HashSet<>();
        reaches.forEach((id, result) -> {
            if (result) subgraph.add(id);
        });
        return subgraph;
    }

    /** Every event reachable from {@code ids} through {@code auth_events}, the starting events excluded unless reached again. */
    private Set<String> authChain(Collection<String> ids) {
        Set<String> chain = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        for (String id : ids) event(id).ifPresent(e -> todo.addAll(e.authEventIds()));
        while (!todo.isEmpty()) {
            String id = todo.pop();
            if (!chain.add(id)) continue;
            event(id).ifPresent(e -> todo.addAll(e.authEventIds()));
        }
        chain.removeIf(id -> event(id).isEmpty());
        return chain;
    }

    /**
     * Power events: power levels, join rules, the create event, and kicks and bans (a member
     * event with membership leave or ban whose sender is not its target).
     */
    private static boolean isPowerEvent(ResolvableEvent event) {
        String stateKey = event.stateKey();
        if (stateKey == null) return false;
        return switch (event.type()) {
            case StateKey.POWER_LEVELS_TYPE, StateKey.JOIN_RULES_TYPE, StateKey.CREATE_TYPE -> stateKey.isEmpty();
            case StateKey.MEMBER_TYPE -> {
                String membership = event.pdu().path("content").path("membership").asText("");
                yield (membership.equals("leave") || membership.equals("ban")) && !stateKey.equals(event.sender());
            }
            default -> false;
        };
    }

    /**
     * Kahn's algorithm over the auth edges inside {@code ids}, auth events first; among the events
     * ready at each step the one whose sender has the most power comes first, then the oldest
     * {@code origin_server_ts}, then the lowest event ID.
     */
    private List<String> reverseTopologicalPowerOrder(Set<String> ids) {
        Map<String, Long> power = new HashMap<>();
        for (String id : ids) power.put(id, senderPower(event(id).orElseThrow()));
        Comparator<String> order = Comparator.<String>comparingLong(id -> -power.get(id))
                .thenComparingLong(id -> event(id).orElseThrow().originServerTs())
                .thenComparing(Comparator.naturalOrder());
        return topologicalOrder(ids, order);
    }

    /** Auth events before the events citing them; ties broken by {@code order}. */
    private List<String> topologicalOrder(Set<String> ids, Comparator<String> order) {
        Map<String, Integer> waitingOn = new HashMap<>();
        Map<String, List<String>> citedBy = new HashMap<>();
        for (String id : ids) {
            Set<String> parents = new HashSet<>(event(id).orElseThrow().authEventIds());
            parents.retainAll(ids);
            parents.remove(id);
            waitingOn.put(id, parents.size());
            for (String parent : parents) citedBy.computeIfAbsent(parent, k -> new ArrayList<>()).add(id);
        }
        PriorityQueue<String> ready = new PriorityQueue<>(order);
        waitingOn.forEach((id, count) -> {
            if (count == 0) ready.add(id);
        });
        List<String> sorted = new ArrayList<>(ids.size());
        while (!ready.isEmpty()) {
            String next = ready.poll();
            sorted.add(next);
            for (String child : citedBy.getOrDefault(next, List.of())) {
                if (waitingOn.merge(child, -1, Integer::sum) == 0) ready.add(child);
            }
        }
        // An auth cycle (only forged events can make one) leaves events unsorted: they come last, in tie-break order.
        if (sorted.size() < ids.size()) {
            List<String> left = new ArrayList<>();
            for (String id : ids) if (waitingOn.get(id) > 0) left.add(id);
            left.sort(order);
            sorted.addAll(left);
        }
        return sorted;
    }

    /** The sender's power level as the event's own auth events give it (creators by the version's rules). */
    private long senderPower(ResolvableEvent event) {
        Map<StateKey, JsonNode> auth = new HashMap<>();
        for (String id : event.authEventIds()) {
            event(id).ifPresent(a -> {
                StateKey key = a.key();
                if (key != null) auth.put(key, a.pdu());
            });
        }
        if (!auth.containsKey(StateKey.CREATE)) createEvent(event).ifPresent(create -> auth.put(StateKey.CREATE, create.pdu()));
        return AuthRules.powerLevel(event.sender(), StateView.of(auth), version);
    }

    /**
     * Replays {@code ordered} through the authorisation rules, each against {@code state} as it
     * stands, with slots it lacks taken from the event's own (not rejected) auth events; an event
     * that passes fills its slot. Returns {@code state}, changed.
     */
    private Map<StateKey, String> iterativeAuthChecks(List<String> ordered, Map<StateKey, String> state) {
        for (String id : ordered) {
            ResolvableEvent event = event(id).orElseThrow();
            StateKey key = event.key();
            // Rejected events never enter a state (spec "Rejected events"), whatever the state here would allow.
            if (key == null || event.rejected()) continue;
            Map<StateKey, JsonNode> own = new HashMap<>();
            for (String authId : event.authEventIds()) {
                event(authId).filter(a -> !a.rejected() && a.key() != null).ifPresent(a -> own.put(a.key(), a.pdu()));
            }
            if (!own.containsKey(StateKey.CREATE)) createEvent(event).ifPresent(create -> own.put(StateKey.CREATE, create.pdu()));
            StateView view = slot -> {
                String current = state.get(slot);
                if (current != null) {
                    Optional<ResolvableEvent> resolved = event(current);
                    if (resolved.isPresent()) return Optional.of(resolved.get().pdu());
                }
                return Optional.ofNullable(own.get(slot));
            };
            try {
                AuthRules.check(event.pdu(), view, version);
                state.put(key, id);
            } catch (RuntimeException e) { // AuthFailure, or a PDU malformed beyond what the rules read
                // Not allowed here: the slot keeps what it had.
            }
        }
        return state;
    }

    /**
     * Mainline order against {@code powerLevels}: the mainline is that event, its power-levels
     * auth event, and so on back; an event's position is that of the first mainline event met
     * walking its power-levels auth events from itself (0, before all, when none is). Then
     * {@code origin_server_ts}, then event ID.
     */
    private List<String> mainlineOrder(List<String> ids, String powerLevels) {
        List<String> mainline = new ArrayList<>();
        Set<String> onMainline = new HashSet<>();
        for (String pl = powerLevels; pl != null && onMainline.add(pl); pl = powerLevelsAuthEvent(pl)) mainline.add(pl);
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < mainline.size(); i++) position.put(mainline.get(i), mainline.size() - i);
        Map<String, Integer> depth = new LinkedHashMap<>();
        for (String id : ids) {
            int found = 0;
            Set<String> walked = new HashSet<>();
            for (String at = id; at != null && walked.add(at); at = powerLevelsAuthEvent(at)) {
                Integer p = position.get(at);
                if (p != null) {
                    found = p;
                    break;
                }
            }
            depth.put(id, found);
        }
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(Comparator.<String>comparingInt(depth::get)
                .thenComparingLong(id -> event(id).orElseThrow().originServerTs())
                .thenComparing(Comparator.naturalOrder()));
        return sorted;
    }

    /** The power-levels event among {@code id}'s auth events, if any. */
    private String powerLevelsAuthEvent(String id) {
        for (String authId : event(id).map(ResolvableEvent::authEventIds).orElse(List.of())) {
            Optional<ResolvableEvent> auth = event(authId);
            if (auth.isPresent() && StateKey.POWER_LEVELS.equals(auth.get().key())) return authId;
        }
        return null;
    }

    /** In versions whose room ID is the create event's hash, the create event, which such events do not list. */
    private Optional<ResolvableEvent> createEvent(ResolvableEvent event) {
        if (!version.roomIdIsCreateEventHash()) return Optional.empty();
        String roomId = event.pdu().path("room_id").asText("");
        if (!roomId.startsWith("!")) return Optional.empty();
        return event("$" + roomId.substring(1));
    }

    private Optional<ResolvableEvent> event(String id) {
        return seen.computeIfAbsent(id, source::event);
    }
}
