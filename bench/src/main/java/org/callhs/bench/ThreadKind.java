package org.callhs.bench;

/**
 * Which threads run the virtual users. Platform threads are the default: with the tens
 * to hundreds of users a benchmark uses, a blocking socket read on a platform thread costs
 * about half the CPU of a virtual thread's park/unpark through the JDK's I/O poller
 * (measured against a trivial server: ~10 µs vs ~18 µs of generator CPU per request, and
 * a much shorter latency tail). Virtual threads are there for runs with thousands of users.
 */
public enum ThreadKind {
    PLATFORM,
    VIRTUAL;

    public Thread.Builder builder(String name) {
        return this == VIRTUAL ? Thread.ofVirtual().name(name) : Thread.ofPlatform().name(name).daemon();
    }
}
