package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsRequest;
import org.callhs.complement.harness.CsResponse;

/**
 * A simulated MatrixRTC call participant for the crash scenarios: it keeps one delayed message
 * (its "leave", {@code type} with a unique {@code nonce}) scheduled and restarts it every
 * {@code heartbeatMs}; when a restart answers 404 (the event fired) it schedules a new one. A
 * request that fails (its server is down, or died mid-request) was not acknowledged and is tried
 * again. Setting {@link #dead} stops the heartbeats for good, so its current event fires on timeout.
 * A {@link #sticky} participant sends its leave as an MSC4354 sticky event keyed by its
 * {@link #stickyKey()}, the shape of a MatrixRTC membership.
 */
final class DelayedLeaveParticipant implements Runnable {
    /** One scheduled delayed event as its client saw it. */
    static final class Scheduled {
        final DelayedLeaveParticipant owner;
        final String nonce;
        final String delayId;
        /** When the request of the last acknowledged schedule or restart was sent: the due time is at least this + delay. */
        volatile long lastAckedRequestAt;

        Scheduled(DelayedLeaveParticipant owner, String nonce, String delayId, long requestAt) {
            this.owner = owner;
            this.nonce = nonce;
            this.delayId = delayId;
            this.lastAckedRequestAt = requestAt;
        }
    }

    final CsApiClient client;
    final String roomId;
    private final String type;
    private final long delayMs;
    private final long heartbeatMs;
    private final AtomicBoolean stop;
    final List<Scheduled> scheduled = new CopyOnWriteArrayList<>();
    final List<String> unexpected = new CopyOnWriteArrayList<>();
    volatile boolean dead;
    private int seq;
    private long stickyDurationMs;

    DelayedLeaveParticipant(CsApiClient client, String roomId, String type, long delayMs, long heartbeatMs, AtomicBoolean stop) {
        this.client = client;
        this.roomId = roomId;
        this.type = type;
        this.delayMs = delayMs;
        this.heartbeatMs = heartbeatMs;
        this.stop = stop;
    }

    /** Sends the leaves as sticky events for {@code durationMs}, with {@code sticky_key} {@link #stickyKey()}. */
    DelayedLeaveParticipant sticky(long durationMs) {
        this.stickyDurationMs = durationMs;
        return this;
    }

    /** The {@code sticky_key} of this participant's membership events. */
    String stickyKey() {
        return client.userId() + "_CALL";
    }

    /**
     * Every event the stopped participants scheduled, by nonce, once each has been sent (their
     * owners are asked until it has an {@code event_id}); fails on any unexpected answer a
     * participant got, or when there are fewer than {@code atLeast} events.
     */
    static Map<String, Scheduled> allSent(List<DelayedLeaveParticipant> participants, int atLeast) {
        Map<String, Scheduled> byNonce = new HashMap<>();
        for (DelayedLeaveParticipant p : participants) {
            assertThat(p.unexpected).as("unexpected answers to %s", p.client.userId()).isEmpty();
            for (Scheduled s : p.scheduled) byNonce.put(s.nonce, s);
        }
        assertThat(byNonce).hasSizeGreaterThanOrEqualTo(atLeast);
        for (Scheduled s : byNonce.values()) {
            DelayedEventsApi.eventually("delayed event " + s.delayId + " is sent", () -> s.owner.client.requestAt("GET", "_matrix",
                    "client", "unstable", "org.matrix.msc4140", "delayed_events", s.delayId).send().json().has("event_id"));
        }
        return byNonce;
    }

    @Override
    public void run() {
        Scheduled current = null;
        while (!stop.get() && !dead) {
            try {
                if (current == null) {
                    String nonce = client.userId() + "#" + (seq++);
                    long at = System.currentTimeMillis();
                    CsRequest schedule = client.request("PUT", "rooms", roomId, "send", type, "txn-" + nonce.hashCode() + "-" + seq)
                            .query("org.matrix.msc4140.delay", Long.toString(delayMs));
                    CsResponse r = stickyDurationMs > 0
                            ? schedule.query(StickyEventsApi.STICKY, Long.toString(stickyDurationMs))
                                    .json(obj("nonce", nonce, "sticky_key", stickyKey())).send()
                            : schedule.json(obj("nonce", nonce)).send();
                    if (r.status() == 200) {
                        current = new Scheduled(this, nonce, r.json().path("delay_id").asText(), at);
                        scheduled.add(current);
                    } else {
                        unexpected.add("schedule: " + r.describe());
                    }
                } else {
                    long at = System.currentTimeMillis();
                    CsResponse r = client.requestAt("POST", "_matrix", "client", "unstable", "org.matrix.msc4140", "delayed_events",
                            current.delayId, "restart").json(obj()).send();
                    if (r.status() == 200) current.lastAckedRequestAt = at;
                    else if (r.status() == 404 && "M_NOT_FOUND".equals(r.errcode())) current = null;
                    else unexpected.add("restart: " + r.describe());
                }
                Thread.sleep(heartbeatMs);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The server is down (or died mid-request): nothing was acknowledged; try again.
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
