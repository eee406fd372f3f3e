package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code POST /search} for room events, on SQLite (FTS5) and PostgreSQL (tsvector). */
@ParameterizedClass
@EnumSource(Backend.class)
class SearchApiTest extends BackendSuite {
    private static final AtomicInteger TXN = new AtomicInteger();
    private static final String SEARCH = "/_matrix/client/v3/search";

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private String say(String token, String roomId, String body) {
        Resp r = client.put(room(roomId) + "/send/m.room.message/s" + TXN.incrementAndGet(), token,
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("event_id");
    }

    private String create(String token, String body) {
        return client.post("/_matrix/client/v3/createRoom", token, body).text("room_id");
    }

    private JsonNode roomEvents(String token, String criteria) {
        return roomEvents(token, criteria, null);
    }

    private JsonNode roomEvents(String token, String criteria, String nextBatch) {
        Resp r = client.post(SEARCH + (nextBatch == null ? "" : "?next_batch=" + TestClient.seg(nextBatch)), token,
                "{\"search_categories\":{\"room_events\":" + criteria + "}}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body().path("search_categories").path("room_events");
    }

    private static List<String> resultIds(JsonNode roomEvents) {
        List<String> ids = new ArrayList<>();
        roomEvents.path("results").forEach(r -> ids.add(r.path("result").path("event_id").asText()));
        return ids;
    }

    @Test
    void findsWordsInTheRoomsTheSearcherMayReadOnly() {
        String alice = server.registerToken("srch_alice");
        String bob = server.registerToken("srch_bob");
        String shared = create(alice, "{\"preset\":\"public_chat\",\"name\":\"Zebra crossing\",\"topic\":\"talk about zebras\"}");
        assertThat(client.post("/_matrix/client/v3/join/" + TestClient.seg(shared), bob, "{}").status()).isEqualTo(200);
        String secret = create(alice, "{\"preset\":\"private_chat\"}");
        String hit1 = say(alice, shared, "The quick brown fox jumps");
        say(alice, shared, "nothing to see here");
        String hit2 = say(bob, shared, "Foxes are quick, said the fox");
        say(alice, secret, "a quick fox in a secret room");
        String redacted = say(alice, shared, "quick fox, soon gone");
        assertThat(client.put(room(shared) + "/redact/" + TestClient.seg(redacted) + "/r" + TXN.incrementAndGet(), alice, "{}").status())
                .isEqualTo(200);

        JsonNode found = roomEvents(bob, "{\"search_term\":\"quick FOX\",\"order_by\":\"recent\"}");
        assertThat(resultIds(found)).as("newest first; not the private room, not the redacted event").containsExactly(hit2, hit1);
        assertThat(found.path("count").asInt()).isEqualTo(2);
        assertThat(found.path("highlights").toString()).contains("quick", "fox");
        assertThat(found.path("results").get(0).path("rank").isNumber()).isTrue();
        assertThat(resultIds(roomEvents(alice, "{\"search_term\":\"quick fox\"}"))).as("alice reads both rooms").hasSize(3);
        assertThat(resultIds(roomEvents(bob, "{\"search_term\":\"foxes\",\"order_by\":\"recent\"}"))).as("stemmed")
                .containsExactly(hit2, hit1);
        assertThat(resultIds(roomEvents(bob, "{\"search_term\":\"quick giraffe\"}"))).as("every word must match").isEmpty();
        assertThat(resultIds(roomEvents(bob, "{\"search_term\":\"\\\" OR * NEAR( ' & | ! :\"}"))).as("operators are plain text").isEmpty();

        JsonNode names = roomEvents(bob, "{\"search_term\":\"zebra\",\"keys\":[\"content.name\"]}");
        assertThat(names.path("results").size()).isEqualTo(1);
        assertThat(names.path("results").get(0).path("result").path("type").asText()).isEqualTo("m.room.name");
        assertThat(roomEvents(bob, "{\"search_term\":\"zebras\",\"keys\":[\"content.topic\"]}").path("results").size()).isEqualTo(1);
        assertThat(roomEvents(bob, "{\"search_term\":\"zebra\",\"keys\":[\"content.body\"]}").path("results").size()).isZero();

        JsonNode bySender = roomEvents(bob, "{\"search_term\":\"fox\",\"filter\":{\"senders\":[\"@srch_bob:localhost\"]}}");
        assertThat(resultIds(bySender)).containsExactly(hit2);
        assertThat(roomEvents(alice, "{\"search_term\":\"fox\",\"filter\":{\"rooms\":[\"" + secret + "\"]}}").path("results").size())
                .isEqualTo(1);
    }

    @Test
    void pagesGivesContextGroupsAndState() {
        String alice = server.registerToken("srchp_alice");
        String roomId = create(alice, "{\"preset\":\"public_chat\"}");
        List<String> hits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            say(alice, roomId, "filler " + i);
            hits.add(say(alice, roomId, "needle number " + i));
        }
        JsonNode first = roomEvents(alice, "{\"search_term\":\"needle\",\"order_by\":\"recent\",\"filter\":{\"limit\":2},"
                + "\"event_context\":{\"before_limit\":1,\"after_limit\":1,\"include_profile\":true},"
                + "\"groupings\":{\"group_by\":[{\"key\":\"room_id\"},{\"key\":\"sender\"}]},\"include_state\":true}");
        assertThat(resultIds(first)).containsExactly(hits.get(4), hits.get(3));
        assertThat(first.path("count").asInt()).isEqualTo(5);
        JsonNode context = first.path("results").get(1).path("context");
        assertThat(context.path("events_before").get(0).path("content").path("body").asText()).isEqualTo("filler 3");
        assertThat(context.path("events_after").get(0).path("content").path("body").asText()).isEqualTo("filler 4");
        assertThat(context.path("profile_info").path("@srchp_alice:localhost").path("displayname").asText()).isEqualTo("srchp_alice");
        assertThat(context.path("start").asText()).isNotEmpty();
        assertThat(first.path("groups").path("room_id").path(roomId).path("results").size()).isEqualTo(2);
        assertThat(first.path("groups").path("sender").path("@srchp_alice:localhost").path("order").asInt()).isEqualTo(1);
        assertThat(first.path("state").path(roomId).isArray()).isTrue();
        assertThat(first.path("state").path(roomId).size()).isGreaterThan(3);

        List<String> seen = new ArrayList<>(resultIds(first));
        String next = first.path("next_batch").asText(null);
        while (next != null) {
            JsonNode page = roomEvents(alice, "{\"search_term\":\"needle\",\"order_by\":\"recent\",\"filter\":{\"limit\":2}}", next);
            seen.addAll(resultIds(page));
            next = page.path("next_batch").asText(null);
        }
        assertThat(seen).containsExactly(hits.get(4), hits.get(3), hits.get(2), hits.get(1), hits.get(0));

        List<String> ranked = new ArrayList<>();
        JsonNode page = roomEvents(alice, "{\"search_term\":\"needle\",\"filter\":{\"limit\":3}}");
        ranked.addAll(resultIds(page));
        String token = page.path("next_batch").asText(null);
        assertThat(token).isNotNull();
        ranked.addAll(resultIds(roomEvents(alice, "{\"search_term\":\"needle\",\"filter\":{\"limit\":3}}", token)));
        assertThat(ranked).containsExactlyInAnyOrderElementsOf(hits);
    }

    @Test
    void badRequestsGetClearErrors() {
        String alice = server.registerToken("srchbad_alice");
        assertThat(client.post(SEARCH, alice, "{}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(SEARCH, alice, "{\"search_categories\":{}}").body().path("search_categories").isObject()).isTrue();
        assertThat(client.post(SEARCH, alice, "{\"search_categories\":{\"room_events\":{}}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(SEARCH, alice, "{\"search_categories\":{\"room_events\":{\"search_term\":5}}}").errcode())
                .isEqualTo("M_BAD_JSON");
        for (String bad : List.of("\"keys\":[\"content.url\"]", "\"order_by\":\"oldest\"",
                "\"groupings\":{\"group_by\":[{\"key\":\"type\"}]}")) {
            Resp r = client.post(SEARCH, alice, "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\"," + bad + "}}}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errcode()).as(bad).isEqualTo("M_INVALID_PARAM");
        }
        for (String bad : List.of("\"keys\":\"content.body\"", "\"filter\":{\"senders\":[\"nobody\"]}",
                "\"event_context\":{\"before_limit\":-1}", "\"include_state\":\"yes\"")) {
            Resp r = client.post(SEARCH, alice, "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\"," + bad + "}}}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errcode()).as(bad).isEqualTo("M_BAD_JSON");
        }
        Resp token = client.post(SEARCH + "?next_batch=garbage", alice, "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\"}}}");
        assertThat(token.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.post(SEARCH, alice, null).errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.post(SEARCH, null, "{}").status()).isEqualTo(401);
    }

    @Test
    void theMigrationIndexesEventsStoredBeforeIt() {
        String alice = server.registerToken("srchmig_alice");
        String roomId = create(alice, "{\"preset\":\"public_chat\"}");
        String kept = say(alice, roomId, "migrated walrus");
        String gone = say(alice, roomId, "redacted walrus");
        assertThat(client.put(room(roomId) + "/redact/" + TestClient.seg(gone) + "/r" + TXN.incrementAndGet(), alice, "{}").status())
                .isEqualTo(200);
        var database = server.homeserver().database();
        boolean postgres = database.dialect().family() == org.jooq.SQLDialect.POSTGRES;
        database.transaction(tx -> {
            tx.execute("DELETE FROM event_search");
            tx.connection(connection -> db.migration.core.V17__event_search.backfill(connection, postgres));
            return null;
        });
        assertThat(resultIds(roomEvents(alice, "{\"search_term\":\"walrus\"}"))).containsExactly(kept);
    }
}
