package org.callhs.bench;

/**
 * {@code federated-to-device}: {@code to-device-burst} across two servers. User 0 (the sender)
 * lives on the server of {@code --sender-base-url}, the pollers on the server of
 * {@code --base-url}; each iteration is one {@code PUT /sendToDevice} carrying one message per
 * poller device, which the sender's server must deliver over federation. The delivery figure
 * is the time from just before the send request to the poller's {@code /sync} response that
 * carries the message. With {@code --users 2} every iteration is one message to one device.
 */
final class FederatedToDeviceScenario extends ToDeviceBurstScenario {
    static final String NAME = "federated-to-device";

    FederatedToDeviceScenario(String runId, int users) {
        super(runId, users);
    }

    @Override
    public String name() {
        return NAME;
    }
}
