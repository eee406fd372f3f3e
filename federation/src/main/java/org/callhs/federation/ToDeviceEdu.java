package org.callhs.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Supplier;
import org.callhs.core.spi.LocalDevices;
import org.callhs.core.util.MatrixIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code m.direct_to_device}: delivers a remote user's to-device message to local devices
 * ({@code *} expanded here), once per (sender, {@code message_id}). The sender must belong to
 * the origin server (a server cannot speak for another's users); malformed EDUs are dropped.
 */
final class ToDeviceEdu implements EduDispatcher.Handler {
    private static final Logger log = LoggerFactory.getLogger(ToDeviceEdu.class);
    private final Supplier<LocalDevices> devices;

    ToDeviceEdu(Supplier<LocalDevices> devices) {
        this.devices = devices;
    }

    @Override
    public void handle(String origin, ObjectNode content) {
        String sender = content.path("sender").asText(null);
        if (sender == null || !MatrixIds.isValidUserId(sender) || !MatrixIds.serverName(sender).equals(origin)) {
            log.info("dropping a to-device EDU from {} whose sender {} is not theirs", origin, sender);
            return;
        }
        if (!content.path("type").isTextual() || !content.path("message_id").isTextual()
                || !(content.get("messages") instanceof ObjectNode messages)) {
            log.info("dropping a malformed to-device EDU from {}", origin);
            return;
        }
        devices.get().deliverToDevice(sender, content.get("type").textValue(), content.get("message_id").textValue(), messages);
    }
}
