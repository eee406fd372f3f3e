package org.callhs.bench;

import java.util.List;

/**
 * {@code GET /_matrix/client/versions}, unauthenticated: close to the cheapest request a
 * homeserver can answer, useful to see the ceiling of the HTTP stack (and of this generator).
 */
public final class VersionsScenario implements Scenario {

    public static final String NAME = "versions";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of("versions");
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        iteration.time("versions", () -> {
            user.client().versions();
            return null;
        });
    }
}
