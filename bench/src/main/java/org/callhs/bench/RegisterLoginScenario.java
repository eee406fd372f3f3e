package org.callhs.bench;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each iteration registers a brand-new account (open registration, two requests: the
 * 401 that opens the {@code m.login.dummy} UIA session, then the completing one) and then
 * logs in to it with its password. Reported as three series: {@code register} (both
 * register requests), {@code login}, and the whole {@code register+login} iteration.
 * Both steps hash or check a password, so this measures the server's password hashing cost.
 */
public final class RegisterLoginScenario implements Scenario {

    public static final String NAME = "register-login";
    public static final String REGISTER = "register";
    public static final String LOGIN = "login";
    public static final String ITERATION = "register+login";

    private final String runId;
    private final AtomicLong counter = new AtomicLong();

    public RegisterLoginScenario(String runId) {
        this.runId = runId;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(ITERATION, REGISTER, LOGIN);
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        String username = "bench_" + runId + "_r" + counter.incrementAndGet();
        String password = UserNames.password(runId);
        iteration.time(REGISTER, () -> user.client().register(username, password));
        iteration.time(LOGIN, () -> user.client().login(username, password));
        iteration.complete(ITERATION);
    }
}
