package org.callhs.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our event hashing, event IDs, redaction and signature checking against real events made by
 * Synapse 1.163.2 in room versions 10, 11 and 12 (fixtures/synapse; how they were captured is in
 * README.md there, and capture.sh re-creates them; this test does not need Synapse).
 *
 * <p>The events were fetched from {@code /messages} with {@code "event_format": "federation"}.
 * That is Synapse's client serializer with the federation field layout, not the PDU as sent
 * over federation, so {@link #toPdu} undoes what the serializer adds (each case explained
 * there) before our code sees the event. {@code unsigned} is deliberately left in: the
 * algorithms must ignore it themselves.
 */
class SynapseFixturesTest {
    private static final String DIR = "/fixtures/synapse/";
    private static final Map<String, RoomVersion> VERSIONS = Map.of("10", RoomVersion.V10, "11", RoomVersion.V11, "12", RoomVersion.V12);

    private static final JsonNode SERVER_KEY = load("server-key.json");
    private static final String SERVER_NAME = SERVER_KEY.path("server_name").asText();
    private static final String KEY_ID = SERVER_KEY.path("verify_keys").fieldNames().next();
    private static final byte[] PUBLIC_KEY = UnpaddedBase64.decode(SERVER_KEY.path("verify_keys").path(KEY_ID).path("key").asText());

    private static JsonNode load(String name) {
        try (InputStream in = SynapseFixturesTest.class.getResourceAsStream(DIR + name)) {
            if (in == null) throw new IllegalStateException("missing fixture " + DIR + name);
            return Json.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Events served after the redaction (vN-events.json): the target comes back redacted. */
    private static List<JsonNode> events(String version) {
        List<JsonNode> out = new ArrayList<>();
        load("v" + version + "-events.json").forEach(out::add);
        return out;
    }

    /** The same room fetched just before the redaction: holds the target's original. */
    private static Map<String, JsonNode> beforeRedactionById(String version) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        load("v" + version + "-before-redaction.json").forEach(e -> out.put(e.path("event_id").asText(), e));
        return out;
    }

    static Stream<Arguments> servedEvents() {
        return VERSIONS.keySet().stream().sorted().flatMap(v -> {
            List<JsonNode> events = events(v);
            List<Arguments> args = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                JsonNode e = events.get(i);
                args.add(Arguments.of(v, i, e.path("type").asText() + redactedMark(e), e));
            }
            return args.stream();
        });
    }

    static Stream<Arguments> originalsBeforeRedaction() {
        return VERSIONS.keySet().stream().sorted().flatMap(v -> beforeRedactionById(v).values().stream()
                .map(e -> Arguments.of(v, e.path("type").asText(), e)));
    }

    private static String redactedMark(JsonNode e) { return isRedactedBySynapse(e) ? " (redacted)" : ""; }

    /** Synapse serves a redacted event with {@code unsigned.redacted_by} / {@code redacted_because}. */
    private static boolean isRedactedBySynapse(JsonNode e) { return e.path("unsigned").has("redacted_by"); }

    /**
     * The PDU behind an event as {@code /messages} serves it in the federation format:
     * <ul>
     *   <li>{@code event_id} is added by the serializer; in room versions 4+ it is not part of
     *       the PDU (it is the reference hash), so it is removed;</li>
     *   <li>{@code m.room.redaction}: Synapse serves {@code redacts} in BOTH places for client
     *       compatibility. The PDU holds it at top level in v10 and in {@code content} in v11+
     *       (checked against Synapse's own {@code hashes.sha256}: only that placement matches),
     *       so the mirrored copy is removed (after asserting both copies agree);</li>
     *   <li>v12 {@code m.room.create}: the PDU has no {@code room_id} (the room ID is derived from
     *       its reference hash), but the serializer fills one in; it is removed (after asserting
     *       it is the derived one);</li>
     *   <li>{@code unsigned} (age, membership, transaction_id, redacted_because, ...) is kept:
     *       content hash, reference hash and signatures must ignore it on their own.</li>
     * </ul>
     */
    static ObjectNode toPdu(JsonNode served, RoomVersion version) {
        ObjectNode pdu = served.deepCopy();
        pdu.remove("event_id");
        String type = pdu.path("type").asText();
        if (type.equals("m.room.redaction") && !isRedactedBySynapse(served)) {
            assertThat(pdu.path("redacts").asText()).as("top-level redacts mirrors content.redacts")
                    .isEqualTo(pdu.path("content").path("redacts").asText()).isNotEmpty();
            if (version.redactsInContent()) pdu.remove("redacts");
            else ((ObjectNode) pdu.get("content")).remove("redacts");
        }
        if (type.equals("m.room.create") && version.roomIdIsCreateEventHash()) {
            assertThat(pdu.path("room_id").asText()).as("v12 room ID served on the create event")
                    .isEqualTo("!" + served.path("event_id").asText().substring(1));
            pdu.remove("room_id");
        }
        return pdu;
    }

    private static String canonical(JsonNode node) {
        ObjectNode copy = node.deepCopy();
        copy.remove("unsigned");
        return CanonicalJson.encodeToString(copy);
    }

    @ParameterizedTest(name = "v{0} #{1} {2}")
    @MethodSource("servedEvents")
    void servedEventMatchesOurAlgorithms(String versionId, int index, String label, JsonNode served) {
        RoomVersion version = VERSIONS.get(versionId);
        ObjectNode pdu = toPdu(served, version);
        String eventId = served.path("event_id").asText();

        if (!isRedactedBySynapse(served)) {
            assertThat(EventHashes.contentHash(pdu)).as("content hash (hashes.sha256) of " + eventId)
                    .isEqualTo(served.path("hashes").path("sha256").asText());
        } else {
            // Synapse serves the redacted copy; its content hash was computed over the original.
            JsonNode original = beforeRedactionById(versionId).get(eventId);
            assertThat(original).as("original of the redacted event in v%s-before-redaction.json", versionId).isNotNull();
            ObjectNode originalPdu = toPdu(original, version);
            assertThat(canonical(Redaction.redact(originalPdu, version))).as("our redaction of the original vs Synapse's redacted copy")
                    .isEqualTo(canonical(pdu));
            assertThat(EventHashes.contentHash(originalPdu)).as("content hash of the original")
                    .isEqualTo(served.path("hashes").path("sha256").asText());
            assertThat(EventHashes.eventId(originalPdu, version)).as("event ID of the original").isEqualTo(eventId);
        }

        assertThat(EventHashes.eventId(pdu, version)).as("reference-hash event ID").isEqualTo(eventId);

        ObjectNode redacted = Redaction.redact(pdu, version);
        assertThat(JsonSigner.verify(redacted, SERVER_NAME, KEY_ID, PUBLIC_KEY))
                .as("Synapse's signature %s over our redacted form of %s", KEY_ID, eventId).isTrue();
        // ... and the check really depends on the signed bytes:
        ObjectNode tampered = redacted.deepCopy();
        tampered.put("depth", tampered.path("depth").asLong() + 1);
        assertThat(JsonSigner.verify(tampered, SERVER_NAME, KEY_ID, PUBLIC_KEY)).isFalse();
    }

    /** The unredacted originals from before the redaction (same checks, plus the target's original content). */
    @ParameterizedTest(name = "v{0} before redaction: {1}")
    @MethodSource("originalsBeforeRedaction")
    void originalBeforeRedactionMatchesOurAlgorithms(String versionId, String label, JsonNode served) {
        RoomVersion version = VERSIONS.get(versionId);
        ObjectNode pdu = toPdu(served, version);
        assertThat(EventHashes.contentHash(pdu)).isEqualTo(served.path("hashes").path("sha256").asText());
        assertThat(EventHashes.eventId(pdu, version)).isEqualTo(served.path("event_id").asText());
        assertThat(JsonSigner.verify(Redaction.redact(pdu, version), SERVER_NAME, KEY_ID, PUBLIC_KEY)).isTrue();
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("versionIds")
    void roomStructure(String versionId) {
        RoomVersion version = VERSIONS.get(versionId);
        List<JsonNode> events = events(versionId);
        JsonNode create = events.stream().filter(e -> e.path("type").asText().equals("m.room.create")).findFirst().orElseThrow();
        String createId = EventHashes.eventId(toPdu(create, version), version);
        String roomId = events.stream().filter(e -> !e.path("type").asText().equals("m.room.create"))
                .findFirst().orElseThrow().path("room_id").asText();

        if (version.roomIdIsCreateEventHash()) {
            assertThat(roomId).as("v12 room ID = ! + create event reference hash").isEqualTo("!" + createId.substring(1));
        } else {
            assertThat(roomId).endsWith(":" + SERVER_NAME);
        }

        Set<String> ids = new HashSet<>();
        events.forEach(e -> ids.add(e.path("event_id").asText()));
        long redactedCount = events.stream().filter(SynapseFixturesTest::isRedactedBySynapse).count();
        assertThat(redactedCount).as("exactly one redacted event is exercised").isEqualTo(1);
        for (JsonNode e : events) {
            assertThat(e.path("room_id").asText()).isEqualTo(roomId);
            e.path("prev_events").forEach(p -> assertThat(ids).contains(p.asText()));
            e.path("auth_events").forEach(a -> assertThat(ids).contains(a.asText()));
            if (!e.path("type").asText().equals("m.room.create")) {
                assertThat(stream(e.path("auth_events")).contains(createId))
                        .as("create event in auth_events of %s", e.path("event_id").asText())
                        .isEqualTo(version.createEventInAuthEvents());
            }
        }
        // The capture covered the cases it was meant to.
        assertThat(events).anySatisfy(e -> assertThat(e.path("state_key").asText()).contains("/"));
        assertThat(events).anySatisfy(e -> assertThat(e.path("content").path("body").asText()).isEqualTo("日本語 ✨"));
        assertThat(events).anySatisfy(e -> assertThat(e.path("content").path("keys").has("\uD83D\uDE00")).isTrue());
        assertThat(events).anySatisfy(e -> assertThat(e.path("type").asText()).isEqualTo("m.room.redaction"));
    }

    static Stream<String> versionIds() { return VERSIONS.keySet().stream().sorted(); }

    private static List<String> stream(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void serverKeyResponseIsSelfSigned() {
        assertThat(SERVER_NAME).isEqualTo("localhost");
        assertThat(KEY_ID).startsWith("ed25519:");
        assertThat(PUBLIC_KEY).hasSize(32);
        assertThat(JsonSigner.verify(SERVER_KEY, SERVER_NAME, KEY_ID, PUBLIC_KEY)).isTrue();
        ObjectNode tampered = SERVER_KEY.deepCopy();
        tampered.put("valid_until_ts", SERVER_KEY.path("valid_until_ts").asLong() + 1);
        assertThat(JsonSigner.verify(tampered, SERVER_NAME, KEY_ID, PUBLIC_KEY)).isFalse();
    }
}
