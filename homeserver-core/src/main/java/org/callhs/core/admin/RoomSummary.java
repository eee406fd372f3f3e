package org.callhs.core.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.util.Json;

/** A room as the admin API lists it. Text fields are null when the room's state does not set them. */
public record RoomSummary(String roomId, String name, String canonicalAlias, int joinedMembers, int joinedLocalMembers,
                          String version, String creator, String encryption, boolean federatable, boolean isPublic,
                          String joinRules, String guestAccess, String historyVisibility, int stateEvents, String roomType,
                          String topic, String avatar, String replacementRoom, boolean tombstoned) {

    /** The list entry: Synapse's field names and types. */
    public ObjectNode listEntry() {
        ObjectNode out = Json.object();
        out.put("room_id", roomId);
        out.put("name", name);
        out.put("canonical_alias", canonicalAlias);
        out.put("joined_members", joinedMembers);
        out.put("joined_local_members", joinedLocalMembers);
        out.put("version", version);
        out.put("creator", creator);
        out.put("encryption", encryption);
        out.put("federatable", federatable);
        out.put("public", isPublic);
        out.put("join_rules", joinRules);
        out.put("guest_access", guestAccess);
        out.put("history_visibility", historyVisibility);
        out.put("state_events", stateEvents);
        out.put("room_type", roomType);
        return out;
    }
}
