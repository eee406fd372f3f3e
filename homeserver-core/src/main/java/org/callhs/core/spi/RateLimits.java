package org.callhs.core.spi;

/**
 * The server's rate limiter as a module sees it: a module declares its own limit classes and
 * names them on its endpoints ({@link org.callhs.core.http.Endpoint#rateLimitClass()}, keyed on
 * the user, or on the client address without a token) or takes tokens itself.
 */
public interface RateLimits {
    /** Declares (or replaces) a limit class: {@code perSecond} tokens refill per second, up to {@code burst}. */
    void define(String limitClass, double perSecond, int burst);

    /** Takes one token for {@code key} in {@code limitClass}, or throws 429 {@code M_LIMIT_EXCEEDED}. */
    void acquire(String limitClass, String key);
}
