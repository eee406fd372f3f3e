package org.callhs.core.ephemeral;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.callhs.core.error.MatrixException;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typing notifications and read receipts across servers (Server-Server API "Typing
 * Notifications", "Receipts"): a local user's change goes as an {@code m.typing} or
 * {@code m.receipt} EDU to every other server with a joined member in the room (private
 * receipts stay here); an EDU from another server applies only to its own users who are
 * joined to the room here.
 */
public final class RoomEduRelay {
    private static final Logger log = LoggerFactory.getLogger(RoomEduRelay.class);
    /** How long a remote user's typing lasts without a renewal (Synapse's federation typing timeout). */
    static final long REMOTE_TYPING_TIMEOUT_MS = 30_000;

    private final String serverName;
    private final Database database;
    private final CurrentStateRepository currentState;
    private final Supplier<RemoteServers> remote;
    private final TypingService typing;
    private final ReceiptService receipts;
    private final org.callhs.core.presence.PresenceService presence;
    private java.util.function.BiPredicate<String, String> aclAllows = (roomId, server) -> true;

    /** Sets the server ACL check: (room ID, server) allowed. */
    public void useAcls(java.util.function.BiPredicate<String, String> allows) { this.aclAllows = allows; }

    public RoomEduRelay(String serverName, Database database, CurrentStateRepository currentState, Supplier<RemoteServers> remote,
                        TypingService typing, ReceiptService receipts, org.callhs.core.presence.PresenceService presence) {
        this.presence = presence;
        this.serverName = serverName;
        this.database = database;
        this.currentState = currentState;
        this.remote = remote;
        this.typing = typing;
        this.receipts = receipts;
    }

    /** The other servers with a joined member in the room. */
    private Set<String> otherServers(String roomId) {
        Set<String> servers = new TreeSet<>();
        for (String member : currentState.members(database.dsl(), roomId, "join")) {
            if (MatrixIds.isValidUserId(member)) servers.add(MatrixIds.serverName(member));
        }
        servers.remove(serverName);
        return servers;
    }

    private void send(String roomId, String eduType, ObjectNode content) {
        RemoteServers servers = remote.get();
        if (!servers.available()) return;
        Set<String> destinations = otherServers(roomId);
        if (destinations.isEmpty()) return;
        database.transaction(tx -> {
            for (String destination : destinations) servers.enqueueEdu(tx, destination, eduType, content);
            return null;
        });
        servers.flush(destinations);
    }

    /** A local user started or stopped typing. */
    public void localTyping(String roomId, String userId, boolean isTyping) {
        send(roomId, "m.typing", Json.object().put("room_id", roomId).put("user_id", userId).put("typing", isTyping));
    }

    /** A local user's public read receipt moved. */
    public void localReceipt(String roomId, String userId, String type, String eventId, String threadId, long ts) {
        if (!type.equals(ReceiptService.READ)) return;
        ObjectNode content = Json.object();
        ObjectNode user = content.putObject(roomId).putObject(type).putObject(userId);
        user.putArray("event_ids").add(eventId);
        ObjectNode data = user.putObject("data").put("ts", ts);
        if (threadId != null) data.put("thread_id", threadId);
        send(roomId, "m.receipt", content);
    }

    private boolean joinedRemote(String origin, String roomId, String userId) {
        if (roomId == null || userId == null || !MatrixIds.isValidUserId(userId)) return false;
        if (!MatrixIds.serverName(userId).equals(origin)) return false;
        if (!aclAllows.test(roomId, origin)) return false;
        return currentState.members(database.dsl(), roomId, "join").contains(userId);
    }

    /** The servers, this one included, with a joined member in a room {@code userId} is joined to. */
    private Set<String> serversSharingRoomWith(String userId) {
        Set<String> servers = new TreeSet<>();
        var dsl = database.dsl();
        for (String member : currentState.joinedUsers(dsl, currentState.roomsWithMembership(dsl, userId, "join"))) {
            if (MatrixIds.isValidUserId(member)) servers.add(MatrixIds.serverName(member));
        }
        return servers;
    }

    /** A local user's presence changed: an {@code m.presence} EDU to every server sharing a room with them. */
    public void localPresence(String userId, ObjectNode content) {
        RemoteServers servers = remote.get();
        if (!servers.available() || !MatrixIds.isValidUserId(userId) || !MatrixIds.serverName(userId).equals(serverName)) return;
        Set<String> destinations = serversSharingRoomWith(userId);
        destinations.remove(serverName);
        if (destinations.isEmpty()) return;
        ObjectNode entry = content.deepCopy();
        entry.put("user_id", userId);
        ObjectNode edu = Json.object();
        edu.putArray("push").add(entry);
        database.transaction(tx -> {
            for (String destination : destinations) servers.enqueueEdu(tx, destination, "m.presence", edu);
            return null;
        });
        servers.flush(destinations);
    }

    /**
     * An {@code m.presence} EDU from {@code origin}: each entry of {@code push} for a user of that
     * server who shares a room with a local user sets that user's presence here.
     */
    public void remotePresence(String origin, JsonNode content) {
        for (JsonNode entry : content.path("push")) {
            String userId = entry.path("user_id").asText(null);
            String state = entry.path("presence").asText(null);
            if (userId == null || !MatrixIds.isValidUserId(userId) || !MatrixIds.serverName(userId).equals(origin)) continue;
            if (state == null || !java.util.Set.of("online", "unavailable", "offline").contains(state)) continue;
            if (!serversSharingRoomWith(userId).contains(serverName)) continue;
            JsonNode ago = entry.get("last_active_ago");
            JsonNode status = entry.get("status_msg");
            presence.setRemote(userId, state, status != null && status.isTextual() ? status.textValue() : null,
                    ago != null && ago.canConvertToLong() ? ago.asLong() : 0);
        }
    }

    /** An {@code m.typing} EDU from {@code origin}. */
    public void remoteTyping(String origin, JsonNode content) {
        String roomId = content.path("room_id").asText(null);
        String userId = content.path("user_id").asText(null);
        if (!joinedRemote(origin, roomId, userId)) {
            log.debug("typing from {} for {} in {} ignored: not a joined user of that server", origin, userId, roomId);
            return;
        }
        if (content.path("typing").asBoolean(false)) typing.started(roomId, userId, REMOTE_TYPING_TIMEOUT_MS);
        else typing.stopped(roomId, userId);
    }

    /** An {@code m.receipt} EDU from {@code origin}: room ID to receipt type to user to {@code event_ids}. */
    public void remoteReceipts(String origin, JsonNode content) {
        for (Iterator<Map.Entry<String, JsonNode>> rooms = content.fields(); rooms.hasNext(); ) {
            Map.Entry<String, JsonNode> room = rooms.next();
            JsonNode read = room.getValue().path(ReceiptService.READ);
            for (Iterator<Map.Entry<String, JsonNode>> users = read.fields(); users.hasNext(); ) {
                Map.Entry<String, JsonNode> user = users.next();
                if (!joinedRemote(origin, room.getKey(), user.getKey())) continue;
                JsonNode ids = user.getValue().path("event_ids");
                String threadId = user.getValue().path("data").path("thread_id").asText(null);
                for (JsonNode id : ids) {
                    if (!id.isTextual()) continue;
                    try {
                        receipts.receipt(room.getKey(), user.getKey(), ReceiptService.READ, id.textValue(), threadId);
                    } catch (MatrixException e) {
                        log.debug("receipt from {} for {} skipped: {}", origin, id.textValue(), e.getMessage());
                    }
                }
            }
        }
    }
}
