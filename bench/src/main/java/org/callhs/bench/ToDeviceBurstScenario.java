package org.callhs.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * {@code to-device-burst}: every poller is one device, long-polling {@code /sync}; each
 * iteration is ONE {@code PUT /_matrix/client/v3/sendToDevice/{type}/{txnId}} by the sender
 * carrying a message for every poller's device (user ID to device ID to
 * {@code {"body": <unique>}}), and the figures are the time until each device, and until the
 * last one, has received it. Pollers are grouped {@value #DEVICES_PER_USER} devices to an
 * account: the first device of each account comes from its registration, the others from
 * {@code POST /login} (each login is a new device), so 500 devices need 50 registrations and 450
 * logins.
 */
class ToDeviceBurstScenario extends FanOutScenario {

    static final String NAME = "to-device-burst";
    static final String EVENT_TYPE = "org.callhs.bench.burst";
    static final int DEVICES_PER_USER = 10;

    ToDeviceBurstScenario(String runId, int users) {
        super(runId, users);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The account (its tag, see {@link UserNames#account}) of poller {@code poller}: one per {@value #DEVICES_PER_USER} pollers. */
    static String accountOf(int poller) {
        return "t" + poller / DEVICES_PER_USER;
    }

    /** Whether poller {@code poller} registers its account (the others log in to it). */
    static boolean registers(int poller) {
        return poller % DEVICES_PER_USER == 0;
    }

    @Override
    protected void createIdentity(VirtualUser user) throws RequestFailure {
        if (user.index() == SENDER) {
            user.register(runId, "tsender");
        } else if (registers(pollerOf(user))) {
            user.register(runId, accountOf(pollerOf(user)));
        }
    }

    @Override
    protected List<SetupStep> membershipSteps() {
        return List.of(user -> {
            if (user.index() != SENDER && !registers(pollerOf(user))) {
                user.login(runId, accountOf(pollerOf(user)));
            }
        });
    }

    @Override
    protected int recipients(long n) {
        return pollers;
    }

    @Override
    protected void send(VirtualUser sender, long n, String body) throws RequestFailure {
        ObjectNode messages = JsonNodeFactory.instance.objectNode();
        for (int i = 1; i < users.length; i++) {
            MatrixClient.Session device = users[i].session();
            ObjectNode forUser = messages.get(device.userId()) instanceof ObjectNode existing
                    ? existing : messages.putObject(device.userId());
            forUser.putObject(device.deviceId()).put("body", body);
        }
        sender.client().sendToDevice(sender.session().accessToken(), EVENT_TYPE, body, messages);
    }
}
