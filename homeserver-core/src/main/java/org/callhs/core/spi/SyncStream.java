package org.callhs.core.spi;

/**
 * A module's own stream in {@code /sync} (DESIGN.md): it has a position in the sync token
 * under {@link #name()} and adds its part to each response, usually a section inside joined
 * rooms (MSC4354's {@code msc4354_sticky}). To wake long-polls, the module calls
 * {@link ModuleContext#notifier()} after it commits something new.
 */
public interface SyncStream {
    /** Key in the sync token: lower-case letters, digits, underscores and hyphens; unique. */
    String name();

    /** The newest committed position. Positions only grow. */
    long currentPosition();

    /**
     * Adds this stream's news in {@code (since, upTo]} to the response ({@code since} is 0 for
     * an initial sync). Runs after core filled the timelines, so
     * {@link SyncContext#timelineEventIds} is final. Returns the position the next token
     * carries: {@code upTo}, or less when only part was handed out (the rest follows in the next
     * responses).
     */
    long contribute(SyncContext context, long since, long upTo);
}
