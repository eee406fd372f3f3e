package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsRequest;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Rooms;

/**
 * The MSC4354 calls and checks the sticky-events scenarios share: sending with
 * {@code org.matrix.msc4354.sticky_duration_ms}, {@code /sync} with an inline filter, reading the
 * {@code rooms.join.<room>.msc4354_sticky} section, and checking the unsigned TTL against real
 * time: a send and a read are timed with the wall clock, which the homeserver shares with the
 * test on this machine, so the TTL must lie between what the earliest and the latest possible
 * {@code origin_server_ts} leave at the earliest and the latest possible moment of the read. (A
 * remote server, {@code COMPLEMENT_BASE_URL}, must therefore run on this machine too, or keep the
 * same time to the millisecond.)
 */
final class StickyEventsApi {
    static final String STICKY = "org.matrix.msc4354.sticky_duration_ms";
    static final String TTL = "msc4354_sticky_duration_ttl_ms";
    static final String SECTION = "msc4354_sticky";
    static final String FEATURE = "org.matrix.msc4354";
    static final long ONE_HOUR = 3_600_000L;
    /** A timeline filter that lets only {@code io.element.example} through, so sticky messages can only come in the sticky section. */
    static final String ONLY_EXAMPLE = "{\"room\":{\"timeline\":{\"types\":[\"io.element.example\"]}}}";

    /** A filter key no server knows, that makes each sync request unique. */
    static final String NONCE = "org.callhs.complement.nonce";
    private static final AtomicLong SYNCS = new AtomicLong();

    private StickyEventsApi() {}

    /** What a call returned, with the wall clock (ms) just before it was sent and just after it answered. */
    record Timed<T>(T value, long before, long after) {}

    static <T> Timed<T> timed(Supplier<T> call) {
        long before = System.currentTimeMillis();
        T value = call.get();
        return new Timed<>(value, before, System.currentTimeMillis());
    }

    /** A sent sticky event: its ID, the duration asked for, and when the send was made (so the bounds of its {@code origin_server_ts}). */
    record Sent(String eventId, long durationMs, long before, long after) {
        /** The earliest the event can expire: sent no earlier than {@link #before}. */
        long earliestExpiry() { return before + Math.min(durationMs, ONE_HOUR); }

        /** The latest the event can expire: sent no later than {@link #after}. */
        long latestExpiry() { return after + Math.min(durationMs, ONE_HOUR); }
    }

    /** A public room ({@code public_chat}: members may send any message event) {@code owner} created, that {@code others} joined. */
    static String room(CsApiClient owner, CsApiClient... others) {
        return roomWith(owner, obj("preset", "public_chat"), others);
    }

    static String roomWith(CsApiClient owner, Map<String, Object> createBody, CsApiClient... others) {
        String roomId = Rooms.create(owner, createBody);
        for (CsApiClient other : others) Rooms.join(other, roomId);
        return roomId;
    }

    /** {@code PUT /rooms/{roomId}/send/{type}/{txnId}?org.matrix.msc4354.sticky_duration_ms=<value>}, not yet sent. */
    static CsRequest stickySend(CsApiClient client, String roomId, String type, String value) {
        return client.request("PUT", "rooms", roomId, "send", type, Rooms.txnId()).query(STICKY, value);
    }

    /** Sends a sticky {@code m.room.message} (which must answer 200 with an event ID), timed. */
    static Sent sendSticky(CsApiClient client, String roomId, long durationMs, String body) {
        Timed<JsonNode> sent = timed(() -> stickySend(client, roomId, "m.room.message", Long.toString(durationMs))
                .json(obj("msgtype", "m.text", "body", body)).send().assertOk());
        String eventId = sent.value().path("event_id").asText();
        assertThat(eventId).as("event_id in %s", sent.value()).startsWith("$");
        return new Sent(eventId, durationMs, sent.before(), sent.after());
    }

    /** A normal (not sticky) message of {@code type}; returns the event ID. */
    static String sendMessage(CsApiClient client, String roomId, String type, String body) {
        return Rooms.send(client, roomId, type, obj("msgtype", "m.text", "body", body));
    }

    /** {@code GET /sync?timeout=0}, initial if {@code since} is null, with {@code filter} (inline JSON, null for none). */
    static JsonNode sync(CsApiClient client, String since, String filter) {
        return sync(client, since, filter, 0);
    }

    /**
     * Like {@link #sync(CsApiClient, String, String)}, waiting up to {@code timeoutMs} for news.
     * Every request carries an inline filter with a key of its own ({@value #NONCE}; unknown filter
     * keys are allowed): Synapse answers a request equal to one of the last two minutes (same
     * user, device, {@code since}, {@code timeout} and raw filter string) from its sync response
     * cache, which would hide what changed in between.
     */
    static JsonNode sync(CsApiClient client, String since, String filter, long timeoutMs) {
        CsRequest request = client.request("GET", "sync").query("timeout", Long.toString(timeoutMs));
        if (since != null) request.query("since", since);
        ObjectNode unique = filter == null ? Json.MAPPER.createObjectNode() : (ObjectNode) readTree(filter);
        unique.put(NONCE, SYNCS.incrementAndGet());
        request.query("filter", unique.toString());
        JsonNode body = request.send().assertOk();
        assertThat(body.path("next_batch").isTextual()).as("next_batch in %s", body).isTrue();
        return body;
    }

    private static JsonNode readTree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    static String nextBatch(JsonNode sync) {
        return sync.path("next_batch").asText();
    }

    static JsonNode joined(JsonNode sync, String roomId) {
        return sync.path("rooms").path("join").path(roomId);
    }

    /** {@code rooms.join.<room>.msc4354_sticky.events}; a missing node if there is no section. */
    static JsonNode stickyEvents(JsonNode sync, String roomId) {
        JsonNode section = joined(sync, roomId).path(SECTION);
        if (!section.isMissingNode()) {
            assertThat(section.path("events").isArray()).as("events array in the sticky section %s", section).isTrue();
            assertThat(section.path("events")).as("the sticky section is left out when empty: %s", section).isNotEmpty();
        }
        return section.path("events");
    }

    static List<String> stickyIds(JsonNode sync, String roomId) {
        return Rooms.ids(stickyEvents(sync, roomId));
    }

    static JsonNode timeline(JsonNode sync, String roomId) {
        return joined(sync, roomId).path("timeline").path("events");
    }

    static List<String> timelineIds(JsonNode sync, String roomId) {
        return Rooms.ids(timeline(sync, roomId));
    }

    static boolean hasStickySection(JsonNode sync, String roomId) {
        return joined(sync, roomId).has(SECTION);
    }

    /** {@code GET /rooms/{roomId}/event/{eventId}}, timed. */
    static Timed<JsonNode> readEvent(CsApiClient client, String roomId, String eventId) {
        return timed(() -> Rooms.event(client, roomId, eventId));
    }

    /** {@code unstable_features} of an anonymous {@code GET /_matrix/client/versions}. */
    static JsonNode unstableFeatures(CsApiClient client) {
        return client.anonymous().requestAt("GET", "_matrix", "client", "versions").send().assertOk().path("unstable_features");
    }

    /** The sticky key of a served event: {@code msc4354_sticky.duration_ms} as sent. */
    static void assertStickyKey(JsonNode event, long durationMs) {
        JsonNode duration = event.path(SECTION).path("duration_ms");
        assertThat(duration.isIntegralNumber()).as("msc4354_sticky.duration_ms in %s", event).isTrue();
        assertThat(duration.asLong()).as("msc4354_sticky.duration_ms in %s", event).isEqualTo(durationMs);
    }

    /**
     * The event carries a TTL, an integer that is positive and that fits an expiry between
     * {@code earliestExpiry} and {@code latestExpiry} read at some moment of {@code read}.
     */
    static void assertTtl(JsonNode event, long earliestExpiry, long latestExpiry, Timed<?> read) {
        JsonNode ttl = event.path("unsigned").path(TTL);
        assertThat(ttl.isIntegralNumber()).as("unsigned.%s in %s", TTL, event).isTrue();
        assertThat(ttl.asLong()).as("TTL of %s read in [%d, %d], expiry in [%d, %d]", event, read.before(), read.after(),
                earliestExpiry, latestExpiry).isPositive()
                .isBetween(earliestExpiry - read.after(), latestExpiry - read.before());
    }

    /** {@link #assertTtl(JsonNode, long, long, Timed)} for an event of {@code sent}, read during {@code read}. */
    static void assertTtl(JsonNode event, Sent sent, Timed<?> read) {
        assertThat(event.path("event_id").asText()).isEqualTo(sent.eventId());
        assertTtl(event, sent.earliestExpiry(), sent.latestExpiry(), read);
    }

    static void assertNoTtl(JsonNode event) {
        assertThat(event.path("unsigned").has(TTL)).as("no unsigned.%s in %s", TTL, event).isFalse();
    }

    /** Polls every 100 ms for up to 20 s. */
    static void eventually(String what, Supplier<Boolean> condition) {
        DelayedEventsApi.eventually(what, condition::get);
    }

    static void sleep(long ms) {
        DelayedEventsApi.sleep(ms);
    }
}
