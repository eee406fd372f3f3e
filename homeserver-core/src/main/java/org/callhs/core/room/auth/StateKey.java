package org.callhs.core.room.auth;

import java.util.Objects;

/**
 * The (event type, state key) pair that names one slot of room state.
 *
 * @param type     the event type, e.g. {@code m.room.member}
 * @param stateKey the state key; {@code ""} for singleton state such as {@code m.room.create}
 */
public record StateKey(String type, String stateKey) {
    public static final String CREATE_TYPE = "m.room.create";
    public static final String MEMBER_TYPE = "m.room.member";
    public static final String POWER_LEVELS_TYPE = "m.room.power_levels";
    public static final String JOIN_RULES_TYPE = "m.room.join_rules";
    public static final String THIRD_PARTY_INVITE_TYPE = "m.room.third_party_invite";

    public static final StateKey CREATE = new StateKey(CREATE_TYPE, "");
    public static final StateKey POWER_LEVELS = new StateKey(POWER_LEVELS_TYPE, "");
    public static final StateKey JOIN_RULES = new StateKey(JOIN_RULES_TYPE, "");

    public StateKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stateKey, "stateKey");
    }

    public static StateKey of(String type, String stateKey) { return new StateKey(type, stateKey); }

    /** The {@code m.room.member} slot of {@code userId}. */
    public static StateKey member(String userId) { return new StateKey(MEMBER_TYPE, userId); }
}
