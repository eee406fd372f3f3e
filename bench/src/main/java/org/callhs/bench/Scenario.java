package org.callhs.bench;

import java.util.List;

/** What each virtual user does, over and over. */
public interface Scenario {

    /** The name used by {@code --scenario}. */
    String name();

    /** The latency series this scenario reports; the first one is its main figure. */
    List<String> seriesNames();

    /** Unmeasured preparation of one user (register its account...), run before the clock starts. */
    default void prepare(VirtualUser user) throws RequestFailure {
    }

    /** One iteration: its requests are timed through {@code iteration}. */
    void iterate(VirtualUser user, Iteration iteration) throws RequestFailure;

    /** Creates the scenario called {@code name}; {@code runId} makes user names unique. */
    static Scenario named(String name, String runId) {
        return switch (name) {
            case WhoamiScenario.NAME -> new WhoamiScenario(runId);
            case RegisterLoginScenario.NAME -> new RegisterLoginScenario(runId);
            case VersionsScenario.NAME -> new VersionsScenario();
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "' (known: "
                    + String.join(", ", names()) + ")");
        };
    }

    static List<String> names() {
        return List.of(WhoamiScenario.NAME, RegisterLoginScenario.NAME, VersionsScenario.NAME);
    }
}
