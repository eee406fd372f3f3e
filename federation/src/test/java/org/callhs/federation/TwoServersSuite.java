package org.callhs.federation;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Base of the suites that run two federating in-process servers per database (subclasses are
 * annotated {@code @ParameterizedClass @EnumSource(Backend.class)}): {@link #a} on
 * {@link #portA}, {@link #b} on {@link #portB}, and {@link #asB}, a client that signs requests
 * with B's real key, so A checks them against the key it fetches from B.
 */
abstract class TwoServersSuite {
    static TestServer a;
    static TestServer b;
    static int portA;
    static int portB;
    static FederationClient asB;
    /** Shared-secret registration on both servers, for tests that need an admin ({@code TestServer.registerAdmin}). */
    static final String ADMIN_SECRET = "two servers admin secret";

    @Parameter
    Backend backend;

    @BeforeParameterizedClassInvocation
    static void startServers(Backend backend) {
        portA = FederatedPair.freePort();
        portB = FederatedPair.freePort();
        a = FederatedPair.start(backend, portA, "registration.shared_secret=\"" + ADMIN_SECRET + "\"");
        b = FederatedPair.start(backend, portB, "registration.shared_secret=\"" + ADMIN_SECRET + "\"");
        asB = FederatedPair.clientAs(FederatedPair.name(portB), FederatedPair.signingKey(b));
    }

    @AfterParameterizedClassInvocation
    static void stopServers() throws Exception {
        asB.close();
        a.close();
        b.close();
    }

    static String nameA() { return FederatedPair.name(portA); }

    static String nameB() { return FederatedPair.name(portB); }
}
