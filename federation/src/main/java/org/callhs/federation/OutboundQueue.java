package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.callhs.core.spi.ClusterBroadcast;
import org.callhs.core.storage.Database;
import org.callhs.core.util.Json;
import org.callhs.federation.schema.tables.records.FederationDestinationsRecord;
import org.callhs.federation.schema.tables.records.FederationOutboxRecord;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable per-destination queue of PDUs and EDUs (Server-Server API "Transactions").
 *
 * <p>Items are written to {@code federation_outbox} inside the transaction that produced them,
 * so whatever a client was told succeeded survives a crash. One sender per destination (a
 * virtual thread, started on first use and at start-up for destinations with items left)
 * sends one transaction at a time: the oldest items, at most 50 PDUs and 100 EDUs, in order.
 * The transaction's ID and last item are recorded before it is sent, so after a failure or a
 * restart the same transaction is sent again with the same ID and the same items (the receiver
 * de-duplicates by ID). Items are deleted when the destination answers 200.
 *
 * <p>A failure backs that destination off: {@code destination_min_retry_interval_ms}, doubled
 * on each further failure up to {@code destination_max_retry_interval_ms}; any verified request
 * from the destination resets it. Only 400 and 413 say the transaction's content itself is
 * refused: its items are then sent one per transaction, so the one refused is dropped (logged)
 * alone and the others still arrive; an item that cannot be signed at all is dropped the same
 * way. Every other failure (401, 403, 404, 429, 5xx, no answer) keeps the items and backs off,
 * as Synapse does. A destination that is down holds only its own sender: others and the sending
 * clients never wait for it. A sender idle for {@link #IDLE_EXIT_MS} ends; the next item starts one.
 *
 * <p>In cluster mode one instance at a time sends to a destination: its sender holds the
 * destination's lease ({@code sender_lease_ms}, renewed before each transaction). Another
 * instance's sender that finds items but not the lease tells the other instances to look
 * ({@link ClusterBroadcast}, at most once a second per destination) and waits for the lease to run
 * out; once it has (its holder died), it takes over and resends the in-flight transaction, which
 * the destination de-duplicates by its ID.
 */
public final class OutboundQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboundQueue.class);
    static final int MAX_PDUS = 50;
    static final int MAX_EDUS = 100;
    static final long IDLE_EXIT_MS = 10 * 60_000;
    /** What a sender's step returns when its queue is empty. */
    private static final long IDLE = Long.MAX_VALUE / 2;

    private final String ourName;
    private final Database database;
    private final OutboxRepository outbox;
    private final FederationClient client;
    private final FederationConfig config;
    private final Clock clock;
    private final Map<String, Sender> senders = new ConcurrentHashMap<>();
    /** This instance's name in cluster mode (senders take leases), or null when it sends alone. */
    private final String instance;
    private final ClusterBroadcast broadcasts;
    private final FederationQueueMetrics metrics;
    static final String WAKE_TOPIC = "federation_wake";
    private volatile boolean running = true;

    OutboundQueue(String ourName, Database database, OutboxRepository outbox, FederationClient client, FederationConfig config,
                  Clock clock, String instance, ClusterBroadcast broadcasts, FederationQueueMetrics metrics) {
        this.metrics = metrics;
        this.instance = instance;
        this.broadcasts = broadcasts;
        // Another instance found items for a destination whose lease this one may hold: look now.
        broadcasts.onBroadcast(WAKE_TOPIC, destinations -> {
            if (destinations.isEmpty()) senders.values().forEach(Sender::signal); else wake(destinations);
        });
        this.ourName = ourName;
        this.database = database;
        this.outbox = outbox;
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    /** Queues an EDU in the caller's transaction; call {@link #wake} after it commits. */
    public void enqueueEdu(DSLContext tx, String destination, String eduType, ObjectNode content) {
        ObjectNode edu = Json.object();
        edu.put("edu_type", eduType);
        edu.set("content", content);
        enqueue(tx, destination, "edu", edu);
    }

    /** Queues a PDU in the caller's transaction; call {@link #wake} after it commits. */
    public void enqueuePdu(DSLContext tx, String destination, ObjectNode pdu) {
        enqueue(tx, destination, "pdu", pdu);
    }

    private void enqueue(DSLContext tx, String destination, String kind, ObjectNode payload) {
        if (destination.equals(ourName)) return;
        long position = outbox.nextPosition(tx, destination, clock.millis());
        outbox.insert(tx, destination, position, kind, Json.write(payload), clock.millis());
    }

    /** Starts senders for destinations with items left from before a restart. */
    void start() {
        wake(outbox.pendingDestinations(database.dsl()));
    }

    /** Makes the destinations' senders look at their queues now. */
    public void wake(Collection<String> destinations) {
        if (!running) return;
        for (String destination : destinations) {
            if (destination.equals(ourName)) continue;
            senders.computeIfAbsent(destination, Sender::new).signal();
        }
    }

    /** A verified request from {@code server} arrived: it is up, so retry at once whatever was backed off. */
    public void originSeen(String server) {
        Sender sender = senders.get(server);
        if (sender == null) return;
        sender.contacted = true;
        if (sender.backedOff) sender.signal();
    }

    @Override
    public void close() {
        metrics.close();
        running = false;
        senders.values().forEach(Sender::stop);
    }

    /** One destination's sender: one transaction in flight at a time. */
    private final class Sender implements Runnable {
        private final String destination;
        private final Semaphore signal = new Semaphore(0);
        private final Thread thread;
        private volatile boolean backedOff;
        /** The destination sent us a verified request: if backed off, retry now. */
        private volatile boolean contacted;
        /** Items up to this position go one per transaction, to single out the one a destination refuses (0: none). */
        private long isolateUpTo;
        /** When this sender last asked the other instances to look at its destination (cluster mode). */
        private long lastBroadcast;

        Sender(String destination) {
            this.destination = destination;
            this.thread = Thread.ofVirtual().name("federation-sender-" + destination).start(this);
        }

        void signal() { signal.release(); }

        void stop() { thread.interrupt(); }

        @Override
        public void run() {
            while (running) {
                try {
                    long waitMs = step();
                    if (waitMs > 0) {
                        boolean woken = signal.tryAcquire(Math.min(waitMs, IDLE_EXIT_MS), TimeUnit.MILLISECONDS);
                        signal.drainPermits();
                        if (!woken && waitMs == IDLE && retire()) return;
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.warn("federation sender for {} failed; retrying", destination, e);
                    try {
                        Thread.sleep(config.destinationMinRetryIntervalMs());
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }

        /** Ends an idle sender; a wake-up that raced with it finds the items and starts a new one. */
        private boolean retire() {
            senders.remove(destination, this);
            if (outbox.hasItems(database.dsl(), destination)) wake(List.of(destination));
            return true;
        }

        /** Sends one transaction if there is one to send; returns how long to wait before the next step (0: go on). */
        private long step() {
            FederationDestinationsRecord state = outbox.destination(database.dsl(), destination).orElse(null);
            if (state == null) return IDLE;
            long now = clock.millis();
            if (state.getRetryAtTs() > now) {
                if (contacted) {
                    contacted = false;
                    database.transaction(tx -> outbox.resetBackOff(tx, destination));
                    return 0;
                }
                backedOff = true;
                return state.getRetryAtTs() - now;
            }
            contacted = false;
            backedOff = false;
            if (instance != null && !holdsLease(state, now)) return Math.max(200, config.senderLeaseMs() / 4);
            String txnId = state.getInflightTxnId();
            Long upTo = state.getInflightUpTo();
            List<FederationOutboxRecord> items;
            if (txnId != null) {
                items = outbox.items(database.dsl(), destination, upTo, MAX_PDUS + MAX_EDUS);
            } else {
                items = fit(outbox.items(database.dsl(), destination, null, MAX_PDUS + MAX_EDUS));
                if (items.isEmpty()) return IDLE;
                if (items.get(0).getPosition() <= isolateUpTo) items = items.subList(0, 1);
                long last = items.get(items.size() - 1).getPosition();
                txnId = database.transaction(tx -> outbox.startTransaction(tx, destination, last));
                upTo = last;
            }
            if (items.isEmpty()) {
                long done = upTo;
                database.transaction(tx -> {
                    outbox.completeTransaction(tx, destination, done);
                    return null;
                });
                return 0;
            }
            send(txnId, upTo, items);
            return 0;
        }

        /**
         * Takes or renews this destination's lease when there is something to send. Without it,
         * asks the holder to look (once a second at most) and waits.
         */
        private boolean holdsLease(FederationDestinationsRecord state, long now) {
            if (state.getInflightTxnId() == null && !outbox.hasItems(database.dsl(), destination)) return true;
            if (database.transaction(tx -> outbox.takeSenderLease(tx, destination, instance, now, now + config.senderLeaseMs()))) {
                return true;
            }
            if (now - lastBroadcast >= 1_000) {
                lastBroadcast = now;
                broadcasts.broadcast(WAKE_TOPIC, List.of(destination));
            }
            return false;
        }

        private void send(String txnId, long upTo, List<FederationOutboxRecord> items) {
            ObjectNode body = Json.object();
            body.put("origin", ourName);
            body.put("origin_server_ts", clock.millis());
            ArrayNode pdus = body.putArray("pdus");
            ArrayNode edus = body.putArray("edus");
            for (FederationOutboxRecord item : items) {
                JsonNode payload = Json.parse(item.getPayload());
                ("pdu".equals(item.getKind()) ? pdus : edus).add(payload);
            }
            try {
                JsonNode answer = client.request(destination, "PUT", "/_matrix/federation/v1/send/" + Paths.segment(txnId), body,
                        config.requestTimeoutMs());
                answer.path("pdus").fields().forEachRemaining(e -> {
                    if (e.getValue().has("error")) log.info("{} refused PDU {}: {}", destination, e.getKey(), e.getValue().get("error"));
                });
                database.transaction(tx -> {
                    outbox.completeTransaction(tx, destination, upTo);
                    return null;
                });
                metrics.transaction(destination, "sent");
            } catch (IllegalArgumentException e) {
                // Not signable (e.g. a lone surrogate): nothing was sent. Drop the items that cannot be signed.
                database.transaction(tx -> {
                    for (FederationOutboxRecord item : items) {
                        try {
                            XMatrix.signedBytes(Json.parse(item.getPayload()));
                        } catch (IllegalArgumentException bad) {
                            log.error("dropping {} {} for {}: it cannot be signed ({})", item.getKind(), item.getPosition(), destination,
                                    bad.getMessage());
                            outbox.deleteItem(tx, destination, item.getPosition());
                        }
                    }
                    outbox.clearTransaction(tx, destination);
                    return null;
                });
            } catch (FederationException e) {
                if (e.kind() == FederationException.Kind.HTTP_ERROR && (e.status() == 400 || e.status() == 413)) {
                    metrics.transaction(destination, "refused");
                    refused(txnId, upTo, items, e);
                    return;
                }
                metrics.transaction(destination, "failed");
                FederationDestinationsRecord state = outbox.destination(database.dsl(), destination).orElseThrow();
                long interval = state.getRetryIntervalMs() == 0 ? config.destinationMinRetryIntervalMs()
                        : Math.min(state.getRetryIntervalMs() * 2, config.destinationMaxRetryIntervalMs());
                log.info("could not send transaction {} to {} ({}); retrying in {} ms", txnId, destination, e.getMessage(), interval);
                database.transaction(tx -> {
                    outbox.backOff(tx, destination, clock.millis() + interval, interval);
                    return null;
                });
            }
        }

        /** 400/413: the content is refused. Several items: send them one by one; one item: drop it. */
        private void refused(String txnId, long upTo, List<FederationOutboxRecord> items, FederationException e) {
            if (items.size() > 1) {
                log.warn("{} refused transaction {} ({} items) with {}: sending them one at a time", destination, txnId, items.size(),
                        e.getMessage());
                isolateUpTo = upTo;
                database.transaction(tx -> {
                    outbox.clearTransaction(tx, destination);
                    return null;
                });
                return;
            }
            log.error("{} refused transaction {} with {}: dropping its {} {}", destination, txnId, e.getMessage(),
                    items.get(0).getKind(), items.get(0).getPosition());
            database.transaction(tx -> {
                outbox.completeTransaction(tx, destination, upTo);
                return null;
            });
        }

        /** The oldest items that fit one transaction: stops before the 51st PDU or the 101st EDU, keeping order. */
        private List<FederationOutboxRecord> fit(List<FederationOutboxRecord> candidates) {
            List<FederationOutboxRecord> out = new ArrayList<>();
            int pdus = 0;
            int edus = 0;
            for (FederationOutboxRecord item : candidates) {
                boolean pdu = "pdu".equals(item.getKind());
                if (pdu ? pdus == MAX_PDUS : edus == MAX_EDUS) break;
                if (pdu) pdus++; else edus++;
                out.add(item);
            }
            return out;
        }
    }
}
