package org.callhs.core.testing;

import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Base of the HTTP suites that run once per database: a subclass annotated
 * {@code @ParameterizedClass @EnumSource(Backend.class)} gets one in-process server per backend
 * (registration open, rate limits off) in {@link #server} and {@link #client}.
 */
public abstract class BackendSuite {
    protected static TestServer server;
    protected static TestClient client;

    @Parameter
    protected Backend backend;

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        server = TestServer.start(backend);
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }
}
