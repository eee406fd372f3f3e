package org.callhs.core.todevice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.DeviceRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.repo.ToDeviceRepository;
import org.callhs.core.storage.schema.tables.records.DevicesRecord;
import org.callhs.core.storage.schema.tables.records.ToDeviceMessagesRecord;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.UpdateNotifier;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * Send-to-device messaging (Client-Server API "Send-to-Device messaging"). A send stores one
 * row per recipient device ({@code *} expands to every device the user has now), each with its
 * own position on the {@code to_device} stream, in one transaction together with the
 * transaction ID, so a retried request never delivers twice. Messages stay stored until the
 * recipient device syncs with a token past them (the acknowledgement), so none is lost when
 * a response does not arrive or the server restarts.
 *
 * <p>Messages for users of other servers become one {@code m.direct_to_device} EDU per server,
 * queued for that server in the same transaction (durable until delivered; see
 * {@link RemoteServers}). Messages other servers deliver go through {@link #deliverRemote},
 * once per sender and message ID. Unknown local users and devices are skipped silently, as
 * Synapse does.
 */
public final class ToDeviceService {
    /** Most messages handed to one device per sync response; the rest come in the next ones. */
    public static final int MAX_PER_SYNC = 100;
    private final Database database;
    private final ToDeviceRepository messages;
    private final DeviceRepository devices;
    private final StreamPositionRepository streams;
    private final UpdateNotifier notifier;
    private final String serverName;
    private final RemoteServers remote;
    private final java.time.Clock clock;
    /** Per device: the newest message handed out in a sync response and not yet acknowledged (0: none). */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> outstanding = new java.util.concurrent.ConcurrentHashMap<>();
    private final org.callhs.core.cluster.CacheInvalidations invalidations;
    /**
     * The name of {@link #outstanding}'s evictions between instances: a device handed messages by
     * one instance must not be told "nothing to acknowledge" by another that remembers an older state.
     */
    static final String CACHE = "to_device_outstanding";

    public ToDeviceService(Database database, ToDeviceRepository messages, DeviceRepository devices,
                           StreamPositionRepository streams, UpdateNotifier notifier, String serverName, RemoteServers remote,
                           java.time.Clock clock, org.callhs.core.cluster.CacheInvalidations invalidations) {
        this.invalidations = invalidations;
        invalidations.register(CACHE, keys -> {
            if (keys.isEmpty()) outstanding.clear(); else keys.forEach(outstanding::remove);
        });
        this.remote = remote;
        this.clock = clock;
        this.database = database;
        this.messages = messages;
        this.devices = devices;
        this.streams = streams;
        this.notifier = notifier;
        this.serverName = serverName;
    }

    /** Validates and stores a send; {@code body.messages} maps user ID to device ID (or '*') to content. */
    public void send(Requester sender, String type, String txnId, ObjectNode body) {
        JsonNode messagesNode = body.get("messages");
        if (messagesNode == null || !messagesNode.isObject()) throw MatrixException.badJson("messages must be an object");
        for (Iterator<Map.Entry<String, JsonNode>> users = messagesNode.fields(); users.hasNext(); ) {
            Map.Entry<String, JsonNode> user = users.next();
            if (!MatrixIds.isValidUserId(user.getKey())) throw MatrixException.invalidParam("Invalid user ID " + user.getKey());
            if (!user.getValue().isObject()) throw MatrixException.badJson("messages." + user.getKey() + " must be an object");
            for (Iterator<Map.Entry<String, JsonNode>> ds = user.getValue().fields(); ds.hasNext(); ) {
                Map.Entry<String, JsonNode> device = ds.next();
                if (!device.getValue().isObject()) {
                    throw MatrixException.badJson("The message for " + user.getKey() + " " + device.getKey() + " must be an object");
                }
            }
        }
        Set<String> recipients = new LinkedHashSet<>();
        // Sorted: transactions that queue for several servers lock their queue rows in one order (no deadlock).
        Map<String, ObjectNode> remoteByServer = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> users = messagesNode.fields(); users.hasNext(); ) {
            Map.Entry<String, JsonNode> user = users.next();
            String server = MatrixIds.serverName(user.getKey());
            if (!server.equals(serverName)) remoteByServer.computeIfAbsent(server, s -> Json.object()).set(user.getKey(), user.getValue());
        }
        if (!remote.available()) remoteByServer.clear(); // no federation module: dropped, as before federation existed
        for (ObjectNode forServer : remoteByServer.values()) {
            try {
                org.callhs.core.crypto.CanonicalJson.encodeRelaxed(forServer);
            } catch (IllegalArgumentException e) {
                throw MatrixException.badJson("Messages for other servers must be representable in canonical JSON: " + e.getMessage());
            }
        }
        Long last = database.transaction(tx -> {
            if (!messages.claimTransaction(tx, sender.userId(), sender.deviceId(), txnId)) return null;
            for (Map.Entry<String, ObjectNode> entry : remoteByServer.entrySet()) {
                ObjectNode edu = Json.object();
                edu.put("sender", sender.userId());
                edu.put("type", type);
                edu.put("message_id", newMessageId());
                edu.set("messages", entry.getValue());
                remote.enqueueEdu(tx, entry.getKey(), "m.direct_to_device", edu);
            }
            return storeLocal(tx, sender.userId(), type, messagesNode, recipients);
        });
        if (last != null && last > 0) notifier.usersUpdated(Streams.TO_DEVICE, last, recipients);
        if (last != null) remote.flush(remoteByServer.keySet());
    }

    /**
     * Delivers a to-device message another server sent, once per ({@code sender}, {@code messageId}).
     * Only local recipients are stored; the rest are skipped.
     *
     * @return false for a repeat
     */
    public boolean deliverRemote(String sender, String type, String messageId, ObjectNode messagesNode) {
        pruneRemoteMessageIds();
        Set<String> recipients = new LinkedHashSet<>();
        Long last = database.transaction(tx -> {
            if (!messages.claimRemoteMessage(tx, sender, messageId, clock.millis())) return null;
            return storeLocal(tx, sender, type, messagesNode, recipients);
        });
        if (last != null && last > 0) notifier.usersUpdated(Streams.TO_DEVICE, last, recipients);
        return last != null;
    }

    /** Message IDs are remembered {@value #REMOTE_ID_RETENTION_MS} ms (servers retry within minutes); pruned at most hourly. */
    static final long REMOTE_ID_RETENTION_MS = 7L * 24 * 3_600_000;
    private final java.util.concurrent.atomic.AtomicLong lastPrune = new java.util.concurrent.atomic.AtomicLong();

    private void pruneRemoteMessageIds() {
        long now = clock.millis();
        long last = lastPrune.get();
        if (now - last < 3_600_000 || !lastPrune.compareAndSet(last, now)) return;
        database.transaction(tx -> messages.deleteRemoteMessagesBefore(tx, now - REMOTE_ID_RETENTION_MS));
    }

    /** Stores one row per local recipient device; the last position taken, or 0 when none. */
    private long storeLocal(org.jooq.DSLContext tx, String sender, String type, JsonNode messagesNode, Set<String> recipients) {
        long position = 0;
        for (Iterator<Map.Entry<String, JsonNode>> users = messagesNode.fields(); users.hasNext(); ) {
            Map.Entry<String, JsonNode> user = users.next();
            String userId = user.getKey();
            if (!MatrixIds.isValidUserId(userId) || !MatrixIds.serverName(userId).equals(serverName) || !user.getValue().isObject()) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> ds = user.getValue().fields(); ds.hasNext(); ) {
                Map.Entry<String, JsonNode> device = ds.next();
                if (!device.getValue().isObject()) continue;
                String content = Json.write(device.getValue());
                for (String deviceId : targets(tx, userId, device.getKey())) {
                    position = streams.next(tx, Streams.TO_DEVICE);
                    messages.insert(tx, position, userId, deviceId, sender, type, content);
                    recipients.add(userId);
                }
            }
        }
        return position;
    }

    private static String newMessageId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private List<String> targets(org.jooq.DSLContext tx, String userId, String deviceId) {
        if (deviceId.equals("*")) return devices.list(tx, userId).stream().map(DevicesRecord::getDeviceId).toList();
        return devices.find(tx, userId, deviceId).isPresent() ? List.of(deviceId) : List.of();
    }

    /** A device's messages in {@code (after, upTo]}, at most {@link #MAX_PER_SYNC}, oldest first. */
    public List<ToDeviceMessagesRecord> pending(String userId, String deviceId, long after, long upTo) {
        List<ToDeviceMessagesRecord> found = messages.pending(database.dsl(), userId, deviceId, after, upTo, MAX_PER_SYNC);
        if (!found.isEmpty()) {
            invalidations.invalidate(CACHE, List.of(userId + "|" + deviceId));
            outstanding.merge(userId + "|" + deviceId, found.get(found.size() - 1).getStreamId(), Math::max);
        }
        return found;
    }

    /**
     * The device acknowledged everything up to {@code upTo} by syncing with it. Deletes only
     * when something was handed to the device and not yet acknowledged (remembered in memory;
     * after a restart each device's first sync deletes once), so idle long-polls do not write.
     */
    public void acknowledge(String userId, String deviceId, long upTo) {
        if (upTo <= 0) return;
        String key = userId + "|" + deviceId;
        Long handedOut = outstanding.get(key);
        if (handedOut != null && handedOut == 0) return;
        database.transaction(tx -> messages.deleteUpTo(tx, userId, deviceId, upTo));
        if (handedOut == null || upTo >= handedOut) outstanding.compute(key, (k, v) -> v == null || v <= upTo ? 0L : v);
    }

    /** The to-device events as {@code /sync} hands them out. */
    public List<ObjectNode> render(List<ToDeviceMessagesRecord> records) {
        List<ObjectNode> out = new ArrayList<>();
        for (ToDeviceMessagesRecord r : records) {
            ObjectNode event = Json.object();
            event.put("sender", r.getSender());
            event.put("type", r.getEventType());
            event.set("content", Json.parse(r.getContent()));
            out.add(event);
        }
        return out;
    }
}
