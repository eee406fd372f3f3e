package org.callhs.core.api;

import java.util.List;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.todevice.ToDeviceService;

/**
 * {@code PUT /sendToDevice/{eventType}/{txnId}} (Client-Server API "Send-to-Device
 * messaging"): body {@code {"messages": {userId: {deviceId or "*": content}}}}, idempotent per
 * (device, transaction ID). See {@link ToDeviceService} for delivery.
 */
public final class ToDeviceEndpoint implements Routes {
    private static final int MAX_TYPE_LENGTH = 255;
    private final ToDeviceService toDevice;

    public ToDeviceEndpoint(ToDeviceService toDevice) {
        this.toDevice = toDevice;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/sendToDevice/{eventType}/{txnId}", AuthKind.USER_OR_GUEST, "message",
                this::send);
    }

    private ApiResponse send(ApiRequest request) {
        String type = request.path("eventType");
        if (type.isEmpty() || type.length() > MAX_TYPE_LENGTH) throw MatrixException.invalidParam("Invalid event type");
        toDevice.send(request.requester(), type, request.path("txnId"), request.jsonObject());
        return ApiResponse.empty();
    }
}
