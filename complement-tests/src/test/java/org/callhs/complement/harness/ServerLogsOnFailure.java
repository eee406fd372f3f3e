package org.callhs.complement.harness;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * When a scenario test fails, attaches the tails of the logs of every homeserver that ran during
 * the test as suppressed exceptions, so they show up in the failsafe report next to the failure.
 */
public final class ServerLogsOnFailure
        implements BeforeEachCallback, TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ServerLogsOnFailure.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("start", System.nanoTime());
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        Long start = context.getStore(NS).get("start", Long.class);
        throw attach(throwable, start == null ? Long.MIN_VALUE : start);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw attach(throwable, Long.MIN_VALUE);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw attach(throwable, Long.MIN_VALUE);
    }

    private static Throwable attach(Throwable throwable, long sinceNanos) {
        if (throwable instanceof TestAbortedException) return throwable;
        for (String tail : ServerLogs.tailsSince(sinceNanos)) throwable.addSuppressed(new ServerLogTail(tail));
        return throwable;
    }

    /** Carries a log tail; no stack trace, it would only be noise. */
    static final class ServerLogTail extends RuntimeException {
        ServerLogTail(String tail) {
            super("homeserver log tail of " + tail, null, false, false);
        }
    }
}
