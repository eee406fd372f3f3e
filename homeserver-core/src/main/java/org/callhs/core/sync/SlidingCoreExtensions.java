package org.callhs.core.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.callhs.core.account.AccountDataService;
import org.callhs.core.error.MatrixException;
import org.callhs.core.auth.Requester;
import org.callhs.core.storage.schema.tables.records.AccountDataRecord;
import org.callhs.core.storage.schema.tables.records.ToDeviceMessagesRecord;
import org.callhs.core.todevice.ToDeviceService;
import org.callhs.core.util.Json;

/**
 * The sliding sync extensions core serves (MSC3885 {@code to_device}, MSC3884 {@code e2ee},
 * MSC3959 {@code account_data}, as Synapse answers them):
 * <ul>
 * <li>{@code to_device} ({@code limit} 1-100, default 100; {@code since}, a previous
 *     {@code next_batch}): messages after {@code since}, which also deletes those up to it;
 *     always answered when enabled, with {@code next_batch}.
 * <li>{@code e2ee}: one-time key counts and unused fallback key types of the device, always;
 *     {@code device_lists} ({@code changed}, {@code left}) on requests with {@code pos}.
 * <li>{@code account_data}: global entries ({@code m.push_rules} included on a new connection)
 *     and entries of the rooms in the response's lists and subscriptions, all of them on a new
 *     connection, then what changed since {@code pos}.
 * </ul>
 * Only {@code to_device} messages, device list changes and account data count as news that
 * ends a long-poll.
 */
public final class SlidingCoreExtensions {
    static final Set<String> NAMES = Set.of(SlidingSyncService.TO_DEVICE, SlidingSyncService.E2EE, SlidingSyncService.ACCOUNT_DATA);

    private record ToDeviceRequest(int limit, long since) {}

    private record Enabled() {}

    private final ToDeviceService toDevice;
    private final EncryptionSyncSource encryption;
    private final AccountDataService accountData;
    private final Function<String, ObjectNode> pushRules;

    public SlidingCoreExtensions(ToDeviceService toDevice, EncryptionSyncSource encryption, AccountDataService accountData,
                                 Function<String, ObjectNode> pushRules) {
        this.toDevice = toDevice;
        this.encryption = encryption;
        this.accountData = accountData;
        this.pushRules = pushRules;
    }

    /** The extension's request, or null when not enabled; 400 for bad input. */
    Object parse(String name, JsonNode node) {
        JsonNode enabled = node.path("enabled");
        if (!enabled.isMissingNode() && !enabled.isNull() && !enabled.isBoolean()) {
            throw MatrixException.badJson("extensions." + name + ".enabled must be a boolean");
        }
        if (!enabled.asBoolean(false)) return null;
        if (!name.equals(SlidingSyncService.TO_DEVICE)) return new Enabled();
        int limit = ToDeviceService.MAX_PER_SYNC;
        JsonNode limitNode = node.path("limit");
        if (!limitNode.isMissingNode() && !limitNode.isNull()) {
            if (!limitNode.isIntegralNumber() || !limitNode.canConvertToInt() || limitNode.intValue() < 1) {
                throw MatrixException.badJson("extensions.to_device.limit must be a positive integer");
            }
            limit = Math.min(limitNode.intValue(), ToDeviceService.MAX_PER_SYNC);
        }
        long since = 0;
        JsonNode sinceNode = node.path("since");
        if (!sinceNode.isMissingNode() && !sinceNode.isNull()) {
            try {
                since = Long.parseLong(sinceNode.asText(""));
                if (!sinceNode.isTextual() || since < 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("extensions.to_device.since must be a next_batch from a previous response");
            }
        }
        return new ToDeviceRequest(limit, since);
    }

    /** Deletes the to-device messages the client confirms with {@code since}, before anything is read. */
    void acknowledge(Requester requester, Map<String, Object> requests) {
        if (requests.get(SlidingSyncService.TO_DEVICE) instanceof ToDeviceRequest r && requester.deviceId() != null && r.since() > 0) {
            toDevice.acknowledge(requester.userId(), requester.deviceId(), r.since());
        }
    }

    /**
     * Adds the enabled core extensions to {@code out}. {@code since} is the token of the
     * connection's previous response (null on a new connection). Returns whether any has news.
     */
    boolean respond(ObjectNode out, Requester requester, Map<String, Object> requests, SyncToken since, SyncToken to,
                    Set<String> rooms) {
        boolean news = false;
        String userId = requester.userId();
        String deviceId = requester.deviceId();
        if (requests.get(SlidingSyncService.TO_DEVICE) instanceof ToDeviceRequest r && deviceId != null) {
            long upTo = to.position(Streams.TO_DEVICE);
            List<ToDeviceMessagesRecord> messages = upTo > r.since() ? toDevice.pending(userId, deviceId, r.since(), upTo) : List.of();
            if (messages.size() > r.limit()) messages = messages.subList(0, r.limit());
            boolean more = messages.size() == r.limit();
            ObjectNode part = out.putObject(SlidingSyncService.TO_DEVICE);
            part.put("next_batch", Long.toString(more ? messages.get(messages.size() - 1).getStreamId() : Math.max(upTo, r.since())));
            ArrayNode events = part.putArray("events");
            toDevice.render(messages).forEach(events::add);
            news |= !messages.isEmpty();
        }
        if (requests.containsKey(SlidingSyncService.E2EE) && deviceId != null) {
            ObjectNode part = out.putObject(SlidingSyncService.E2EE);
            ObjectNode counts = part.putObject("device_one_time_keys_count");
            encryption.oneTimeKeyCounts(userId, deviceId).forEach(counts::put);
            ArrayNode fallback = part.putArray("device_unused_fallback_key_types");
            encryption.unusedFallbackKeyTypes(userId, deviceId).forEach(fallback::add);
            if (since != null) {
                EncryptionSyncSource.DeviceListChanges changes = encryption.deviceListChanges(userId, since, to);
                if (!changes.isEmpty()) {
                    ObjectNode lists = part.putObject("device_lists");
                    ArrayNode changed = lists.putArray("changed");
                    changes.changed().stream().sorted().forEach(changed::add);
                    ArrayNode left = lists.putArray("left");
                    changes.left().stream().sorted().forEach(left::add);
                    news = true;
                }
            }
        }
        if (requests.containsKey(SlidingSyncService.ACCOUNT_DATA)) {
            long after = since == null ? 0 : since.position(Streams.ACCOUNT_DATA);
            long upTo = to.position(Streams.ACCOUNT_DATA);
            ArrayNode global = Json.array();
            ObjectNode perRoom = Json.object();
            boolean rulesSent = false;
            if (since == null || upTo > after) {
                for (AccountDataRecord record : accountData.changed(userId, after, upTo)) {
                    boolean rules = record.getDataType().equals(AccountDataService.PUSH_RULES);
                    ObjectNode event = Json.object().put("type", record.getDataType());
                    if (record.getRoomId().isEmpty()) {
                        rulesSent |= rules;
                        event.set("content", rules ? rulesContent(userId) : Json.parse(record.getContent()));
                        global.add(event);
                    } else if (rooms.contains(record.getRoomId())) {
                        event.set("content", Json.parse(record.getContent()));
                        (perRoom.get(record.getRoomId()) instanceof ArrayNode a ? a : perRoom.putArray(record.getRoomId())).add(event);
                    }
                }
            }
            if (since == null && !rulesSent) {
                global.addObject().put("type", AccountDataService.PUSH_RULES).set("content", rulesContent(userId));
            }
            boolean changed = !perRoom.isEmpty() || (since != null && !global.isEmpty());
            if (changed || since == null) {
                ObjectNode part = out.putObject(SlidingSyncService.ACCOUNT_DATA);
                part.set("global", global);
                part.set("rooms", perRoom);
            }
            news |= changed || (since == null && !global.isEmpty());
        }
        return news;
    }

    private ObjectNode rulesContent(String userId) {
        ObjectNode content = Json.object();
        content.set("global", pushRules.apply(userId));
        return content;
    }
}
