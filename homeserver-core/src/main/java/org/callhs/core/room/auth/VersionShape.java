package org.callhs.core.room.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.RoomVersion;

/**
 * What a client's new event must look like for the room's version, checked before the auth
 * rules (which answer 403 for what they forbid): a request that is malformed for the version is
 * 400 {@code M_BAD_JSON}, as Synapse answers it. A room has one {@code m.room.create}; in
 * versions whose creators have infinite power (v12), {@code m.room.power_levels} must not list
 * a creator in {@code users}.
 */
public final class VersionShape {
    private VersionShape() {}

    /** @param state the room's state before the event; empty for the create event */
    public static void check(JsonNode pdu, StateView state, RoomVersion version) {
        String type = Pdus.text(pdu, "type");
        JsonNode create = state.get(StateKey.CREATE).orElse(null);
        if ("m.room.create".equals(type) && create != null) throw MatrixException.badJson("A room has exactly one m.room.create event");
        if (create != null && version.creatorsHaveInfinitePower() && StateKey.POWER_LEVELS_TYPE.equals(type)) {
            JsonNode users = Pdus.content(pdu).path("users");
            for (String creator : Pdus.creators(create, version)) {
                if (users.has(creator)) {
                    throw MatrixException.badJson("In room version " + version.id() + " the room's creators (" + creator
                            + ") have unlimited power and must not be listed in users");
                }
            }
        }
    }
}
