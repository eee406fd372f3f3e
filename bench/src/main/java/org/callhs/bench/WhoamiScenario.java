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
        String username = "bench_" + runId + "_w" + user.index();
        user.session(user.client().register(username, UserNames.password(runId)));
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
