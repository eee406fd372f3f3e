package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Local users' devices and end-to-end keys as other servers see them, and the inbox for
 * to-device messages other servers send. Implemented by core, used by the federation module.
 */
public interface LocalDevices {
    /**
     * Answers a federation {@code POST /user/keys/query}: {@code device_keys}, {@code master_keys}
     * and {@code self_signing_keys} of the local users in {@code deviceKeys} (user ID to list of
     * device IDs, empty for all).
     */
    ObjectNode queryKeys(ObjectNode deviceKeys);

    /** Answers a federation {@code POST /user/keys/claim}: {@code one_time_keys} claimed for local devices. */
    ObjectNode claimKeys(ObjectNode oneTimeKeys);

    /**
     * A local user's device list as {@code GET /user/devices/{userId}} serves it ({@code user_id},
     * {@code stream_id}, {@code devices}, {@code master_key}, {@code self_signing_key}); empty
     * for an unknown user.
     */
    Optional<ObjectNode> userDevices(String userId);

    /**
     * Delivers a to-device message another server sent ({@code m.direct_to_device}): durable,
     * once per ({@code sender}, {@code messageId}) whatever the retries, {@code *} expanded to
     * the user's devices; recipients that are not local users or devices are skipped.
     *
     * @param messages user ID to device ID (or {@code *}) to content
     * @return false when the message was already delivered (a repeat)
     */
    boolean deliverToDevice(String sender, String type, String messageId, ObjectNode messages);

    /**
     * A remote user's device list or cross-signing keys changed (the federation module applied
     * an update or resynced): local users sharing a room with them see the user in
     * {@code device_lists.changed} on their next sync.
     */
    default void remoteDeviceListChanged(String userId) {}
}
