package org.callhs.bench;

import java.util.List;

/**
 * Setup registers one account per virtual user; each iteration is one authenticated
 * {@code GET /_matrix/client/v3/account/whoami}: the smallest request that exercises
 * access-token authentication.
 */
public final class WhoamiScenario implements Scenario {

    public static final String NAME = "whoami";

    private final String runId;

    public WhoamiScenario(String runId) {
        this.runId = runId;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of("whoami");
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        user.register(runId, "w" + user.index());
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        String token = user.session().accessToken();
        iteration.time("whoami", () -> {
            user.client().whoami(token);
            return null;
        });
    }
}
