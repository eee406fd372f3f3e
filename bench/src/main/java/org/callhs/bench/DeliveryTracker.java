package org.callhs.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which fan-out messages reached how many of their recipients, and how fast. The sender
 * registers each message (its unique body, the instant just before its request was issued,
 * whether it belongs to the measured window, how many pollers should receive it) before
 * sending it; each poller hands over every body its {@code /sync} responses carry, stamped with
 * the response's arrival. For a measured message each delivery records its latency as series
 * {@link #DELIVERY} in the poller's own recorder, and the delivery that completes the message
 * records the time until every recipient had it (the latest arrival) as {@link #ALL_DELIVERED}.
 * Thread-safe; recorders stay confined to their users' threads.
 */
final class DeliveryTracker {

    static final String DELIVERY = "delivery";
    static final String ALL_DELIVERED = "all-delivered";

    private static final long WAIT_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final class Message {
        final long sentNanos;
        final boolean measured;
        final int recipients;
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicLong latestArrivalNanos = new AtomicLong(Long.MIN_VALUE);

        Message(long sentNanos, boolean measured, int recipients) {
            this.sentNanos = sentNanos;
            this.measured = measured;
            this.recipients = recipients;
        }
    }

    private final ConcurrentHashMap<String, Message> messages = new ConcurrentHashMap<>();
    private final AtomicLong outstanding = new AtomicLong();

    /** Registers a message about to be sent; {@code body} must be unique in the run. */
    void sending(String body, long sentNanos, boolean measured, int recipients) {
        if (messages.putIfAbsent(body, new Message(sentNanos, measured, recipients)) != null) {
            throw new IllegalArgumentException("body sent twice: " + body);
        }
        if (measured) {
            outstanding.addAndGet(recipients);
        }
    }

    /** A poller's response that arrived at {@code arrivedNanos} carried {@code body}; unknown bodies are ignored. */
    void delivered(String body, long arrivedNanos, UserRecorder recorder) {
        Message message = messages.get(body);
        if (message == null) {
            return;
        }
        long latest = message.latestArrivalNanos.accumulateAndGet(arrivedNanos, Math::max);
        int count = message.delivered.incrementAndGet();
        if (!message.measured || count > message.recipients) {
            return;
        }
        outstanding.decrementAndGet();
        recorder.recordLatency(DELIVERY, arrivedNanos - message.sentNanos);
        if (count == message.recipients) {
            recorder.recordLatency(ALL_DELIVERED, latest - message.sentNanos);
        }
    }

    /** Deliveries of measured messages that have not happened (yet). */
    long missing() {
        return outstanding.get();
    }

    /** Waits until every measured message reached all its recipients or {@code deadlineNanos} passes. */
    void awaitAllDelivered(long deadlineNanos) {
        while (outstanding.get() > 0 && System.nanoTime() < deadlineNanos) {
            LoadDriver.parkUntil(Math.min(deadlineNanos, System.nanoTime() + WAIT_STEP_NANOS));
        }
    }
}
