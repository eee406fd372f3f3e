package org.callhs.core.event;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;

/**
 * A room version as a record of rules (the shape of ruma's {@code RoomVersionRules}): code asks
 * "does this version keep X", never "is this version 11". Versions 6 to 12 are supported: every
 * version Synapse has created by default since 2020, and what older active rooms use. Versions
 * 1 to 5 (other event ID formats, state resolution v1) are not.
 *
 * @param id              the version string, e.g. "11"
 * @param rules           the rules this version follows, see {@link Rule}
 * @param stateResolution "v2" or "v2.1"
 */
public record RoomVersion(String id, Set<Rule> rules, String stateResolution) {

    /** One way room versions differ. Each is named for what holds when the version has it. */
    public enum Rule {
        /** Redaction keeps top-level {@code origin}, {@code membership}, {@code prev_state} (v6–v10). */
        REDACTION_KEEPS_LEGACY_KEYS,
        /** Redaction keeps {@code allow} in join rules (v8+). */
        REDACTION_KEEPS_JOIN_RULES_ALLOW,
        /** Redaction keeps {@code join_authorised_via_users_server} in member events (v9+). */
        REDACTION_KEEPS_JOIN_AUTHORISER,
        /** Redaction keeps all of {@code m.room.create}'s content (v11+), not only {@code creator}. */
        REDACTION_KEEPS_ALL_CREATE_CONTENT,
        /** Redaction keeps {@code invite} in power levels (v11+). */
        REDACTION_KEEPS_INVITE_POWER_LEVEL,
        /** Redaction keeps {@code third_party_invite.signed} in member events (v11+). */
        REDACTION_KEEPS_THIRD_PARTY_INVITE_SIGNED,
        /** {@code m.room.redaction} carries {@code redacts} in content (v11+), not top level. */
        REDACTS_IN_CONTENT,
        /** Membership {@code knock} and join rule {@code knock} exist (v7+). */
        KNOCKING,
        /** Join rule {@code restricted} exists, with {@code join_authorised_via_users_server} (v8+). */
        RESTRICTED_JOINS,
        /** Join rule {@code knock_restricted} exists (v10+). */
        KNOCK_RESTRICTED_JOINS,
        /** Power-levels values must be JSON integers (v10+); before, numeric strings count too. */
        INTEGER_POWER_LEVELS,
        /** The creator is the create event's sender (v11+), not {@code content.creator}. */
        CREATOR_IS_CREATE_SENDER,
        /** The room ID is {@code !} + the create event's reference hash; the create event has no room ID (v12). */
        ROOM_ID_IS_CREATE_EVENT_HASH,
        /** Creators (sender and {@code additional_creators}) outrank every power level (v12). */
        CREATORS_HAVE_INFINITE_POWER,
        /** The create event is listed in {@code auth_events} (v6–v11; not v12). */
        CREATE_EVENT_IN_AUTH_EVENTS
    }

    public RoomVersion {
        rules = Collections.unmodifiableSet(rules.isEmpty() ? EnumSet.noneOf(Rule.class) : EnumSet.copyOf(rules));
    }

    private static final Set<Rule> V6_RULES = EnumSet.of(Rule.REDACTION_KEEPS_LEGACY_KEYS, Rule.CREATE_EVENT_IN_AUTH_EVENTS);

    public static final RoomVersion V6 = new RoomVersion("6", V6_RULES, "v2");
    public static final RoomVersion V7 = V6.next("7", Set.of(Rule.KNOCKING), Set.of());
    public static final RoomVersion V8 = V7.next("8", Set.of(Rule.RESTRICTED_JOINS, Rule.REDACTION_KEEPS_JOIN_RULES_ALLOW), Set.of());
    public static final RoomVersion V9 = V8.next("9", Set.of(Rule.REDACTION_KEEPS_JOIN_AUTHORISER), Set.of());
    public static final RoomVersion V10 = V9.next("10", Set.of(Rule.KNOCK_RESTRICTED_JOINS, Rule.INTEGER_POWER_LEVELS), Set.of());
    public static final RoomVersion V11 = V10.next("11",
            Set.of(Rule.REDACTION_KEEPS_ALL_CREATE_CONTENT, Rule.REDACTION_KEEPS_INVITE_POWER_LEVEL,
                    Rule.REDACTION_KEEPS_THIRD_PARTY_INVITE_SIGNED, Rule.REDACTS_IN_CONTENT, Rule.CREATOR_IS_CREATE_SENDER),
            Set.of(Rule.REDACTION_KEEPS_LEGACY_KEYS));
    public static final RoomVersion V12 = V11.next("12", Set.of(Rule.ROOM_ID_IS_CREATE_EVENT_HASH, Rule.CREATORS_HAVE_INFINITE_POWER),
            Set.of(Rule.CREATE_EVENT_IN_AUTH_EVENTS), "v2.1");

    private static final List<RoomVersion> SUPPORTED = List.of(V6, V7, V8, V9, V10, V11, V12);
    private static final Map<String, RoomVersion> KNOWN =
            SUPPORTED.stream().collect(Collectors.toUnmodifiableMap(RoomVersion::id, Function.identity()));

    /** This version's rules with {@code added} and without {@code removed}, under another ID. */
    private RoomVersion next(String nextId, Set<Rule> added, Set<Rule> removed) {
        return next(nextId, added, removed, stateResolution);
    }

    private RoomVersion next(String nextId, Set<Rule> added, Set<Rule> removed, String nextStateResolution) {
        EnumSet<Rule> set = EnumSet.copyOf(rules);
        set.addAll(added);
        set.removeAll(removed);
        return new RoomVersion(nextId, set, nextStateResolution);
    }

    public boolean has(Rule rule) { return rules.contains(rule); }

    public boolean redactionKeepsLegacyKeys() { return has(Rule.REDACTION_KEEPS_LEGACY_KEYS); }
    public boolean redactionKeepsJoinRulesAllow() { return has(Rule.REDACTION_KEEPS_JOIN_RULES_ALLOW); }
    public boolean redactionKeepsJoinAuthoriser() { return has(Rule.REDACTION_KEEPS_JOIN_AUTHORISER); }
    public boolean redactionKeepsAllCreateContent() { return has(Rule.REDACTION_KEEPS_ALL_CREATE_CONTENT); }
    public boolean redactionKeepsInvitePowerLevel() { return has(Rule.REDACTION_KEEPS_INVITE_POWER_LEVEL); }
    public boolean redactionKeepsThirdPartyInviteSigned() { return has(Rule.REDACTION_KEEPS_THIRD_PARTY_INVITE_SIGNED); }
    public boolean redactsInContent() { return has(Rule.REDACTS_IN_CONTENT); }
    public boolean knocking() { return has(Rule.KNOCKING); }
    public boolean restrictedJoins() { return has(Rule.RESTRICTED_JOINS); }
    public boolean knockRestrictedJoins() { return has(Rule.KNOCK_RESTRICTED_JOINS); }
    public boolean integerPowerLevels() { return has(Rule.INTEGER_POWER_LEVELS); }
    public boolean creatorIsCreateSender() { return has(Rule.CREATOR_IS_CREATE_SENDER); }
    public boolean roomIdIsCreateEventHash() { return has(Rule.ROOM_ID_IS_CREATE_EVENT_HASH); }
    public boolean creatorsHaveInfinitePower() { return has(Rule.CREATORS_HAVE_INFINITE_POWER); }
    public boolean createEventInAuthEvents() { return has(Rule.CREATE_EVENT_IN_AUTH_EVENTS); }

    /** State resolution v2.1 (MSC4297, v12): the conflicted subgraph joins the full conflicted set, and the iterative checks start empty. */
    public boolean stateResolutionV21() { return "v2.1".equals(stateResolution); }

    public static List<RoomVersion> supported() { return SUPPORTED; }

    public static Optional<RoomVersion> find(String id) { return Optional.ofNullable(id == null ? null : KNOWN.get(id)); }

    /** The IDs of the supported versions, oldest first. */
    public static List<String> supportedIds() { return SUPPORTED.stream().map(RoomVersion::id).toList(); }

    /** The rules of a supported version, or 400 {@code M_UNSUPPORTED_ROOM_VERSION}. */
    public static RoomVersion require(String id) {
        return find(id).orElseThrow(() -> new MatrixException(ErrCode.UNSUPPORTED_ROOM_VERSION, 400,
                "Unsupported room version " + id + " (this server supports " + String.join(", ", supportedIds()) + ")"));
    }

    @Override
    public String toString() { return "RoomVersion[" + id + "]"; }
}
