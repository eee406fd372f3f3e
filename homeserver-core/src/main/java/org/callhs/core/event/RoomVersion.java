package org.callhs.core.event;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;

/**
 * A room version as a record of rules (the shape of ruma's {@code RoomVersionRules}): code asks
 * "does this version keep X", never "is this version 11". Only the versions this server
 * creates and joins are listed: 10, 11 and 12.
 *
 * @param id                         the version string, e.g. "11"
 * @param redactionKeepsLegacyKeys    redaction keeps top-level {@code origin}, {@code membership}, {@code prev_state} (v10)
 * @param redactionKeepsAllCreateContent redaction keeps all of {@code m.room.create}'s content (v11+), not only {@code creator}
 * @param redactionKeepsInvitePowerLevel redaction keeps {@code invite} in power levels (v11+)
 * @param redactionKeepsThirdPartyInviteSigned redaction keeps {@code third_party_invite.signed} in member events (v11+)
 * @param redactsInContent            {@code m.room.redaction} carries {@code redacts} in content (v11+), not top level
 * @param creatorIsCreateSender       the creator is the create event's sender (v11+), not {@code content.creator}
 * @param roomIdIsCreateEventHash     the room ID is {@code !} + the create event's reference hash; the create event has no room ID (v12)
 * @param creatorsHaveInfinitePower   creators (sender and {@code additional_creators}) outrank every power level (v12)
 * @param createEventInAuthEvents     the create event is listed in {@code auth_events} (v10, v11; not v12)
 * @param stateResolution            "v2" or "v2.1"
 */
public record RoomVersion(
        String id,
        boolean redactionKeepsLegacyKeys,
        boolean redactionKeepsAllCreateContent,
        boolean redactionKeepsInvitePowerLevel,
        boolean redactionKeepsThirdPartyInviteSigned,
        boolean redactsInContent,
        boolean creatorIsCreateSender,
        boolean roomIdIsCreateEventHash,
        boolean creatorsHaveInfinitePower,
        boolean createEventInAuthEvents,
        String stateResolution) {

    public static final RoomVersion V10 = new RoomVersion("10", true, false, false, false, false, false, false, false, true, "v2");
    public static final RoomVersion V11 = new RoomVersion("11", false, true, true, true, true, true, false, false, true, "v2");
    public static final RoomVersion V12 = new RoomVersion("12", false, true, true, true, true, true, true, true, false, "v2.1");

    private static final Map<String, RoomVersion> KNOWN = Map.of("10", V10, "11", V11, "12", V12);

    public static List<RoomVersion> supported() { return List.of(V10, V11, V12); }

    public static Optional<RoomVersion> find(String id) { return Optional.ofNullable(KNOWN.get(id)); }

    /** The rules of a supported version, or 400 {@code M_UNSUPPORTED_ROOM_VERSION}. */
    public static RoomVersion require(String id) {
        return find(id).orElseThrow(() -> new MatrixException(ErrCode.UNSUPPORTED_ROOM_VERSION, 400,
                "Unsupported room version " + id + " (this server supports 10, 11 and 12)"));
    }
}
