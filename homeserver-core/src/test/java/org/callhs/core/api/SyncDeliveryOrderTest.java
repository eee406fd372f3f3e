package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Events of different rooms committed at the same moment by different threads: a user in all
 * of those rooms who syncs incrementally while they are sent sees every event exactly once.
 * The ordering itself is tested deterministically in {@code EventDeliveryTest}; this runs it
 * with real writers, listeners and long-polls. Both databases.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class SyncDeliveryOrderTest extends BackendSuite {
    private static final int ROOMS = 8;
    private static final int PER_ROOM = 60;

    @Test
    void anIncrementalSyncerSeesEveryEventOfConcurrentRoomsOnce() throws Exception {
        String reader = server.registerToken("order-reader-" + backend.name().toLowerCase());
        List<String> senders = new ArrayList<>();
        List<String> rooms = new ArrayList<>();
        for (int r = 0; r < ROOMS; r++) {
            String sender = server.registerToken("order-sender-" + r + "-" + backend.name().toLowerCase());
            String roomId = client.post("/_matrix/client/v3/createRoom", sender, "{\"preset\":\"public_chat\"}").text("room_id");
            assertThat(client.post("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/join", reader, Json.object()).status())
                    .isEqualTo(200);
            senders.add(sender);
            rooms.add(roomId);
        }
        String filter = TestClient.seg("{\"room\":{\"timeline\":{\"limit\":1000},\"state\":{\"lazy_load_members\":true}}}");
        String since = client.get("/_matrix/client/v3/sync?timeout=0&filter=" + filter, reader).text("next_batch");

        Map<String, Integer> seen = new ConcurrentHashMap<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(ROOMS + 1);
        String[] token = {since};
        Future<?> syncer = pool.submit(() -> {
            // Keeps syncing until the sends are over and one more sync brought nothing new.
            boolean quiet = false;
            while (sending.get() || !quiet) {
                boolean done = !sending.get();
                Resp sync = client.get("/_matrix/client/v3/sync?timeout=200&filter=" + filter + "&since=" + TestClient.seg(token[0]), reader);
                assertThat(sync.status()).as(sync.body().toString()).isEqualTo(200);
                int fresh = 0;
                for (Map.Entry<String, JsonNode> room : sync.body().path("rooms").path("join").properties()) {
                    assertThat(room.getValue().path("timeline").path("limited").asBoolean()).isFalse();
                    for (JsonNode event : room.getValue().path("timeline").path("events")) {
                        if (event.path("type").asText().equals("m.room.message")) {
                            seen.merge(event.path("event_id").asText(), 1, Integer::sum);
                            fresh++;
                        }
                    }
                }
                token[0] = sync.text("next_batch");
                quiet = done && fresh == 0;
            }
            return null;
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> sends = new ArrayList<>();
        for (int r = 0; r < ROOMS; r++) {
            String roomId = rooms.get(r);
            String sender = senders.get(r);
            sends.add(pool.submit(() -> {
                start.await();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < PER_ROOM; i++) {
                    Resp sent = client.put("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/send/m.room.message/o" + i, sender,
                            Json.object().put("msgtype", "m.text").put("body", "message " + i));
                    assertThat(sent.status()).isEqualTo(200);
                    ids.add(sent.text("event_id"));
                }
                return ids;
            }));
        }
        start.countDown();
        Map<String, Integer> expected = new HashMap<>();
        for (Future<List<String>> f : sends) for (String id : f.get(120, TimeUnit.SECONDS)) expected.put(id, 1);
        sending.set(false);
        syncer.get(120, TimeUnit.SECONDS);
        pool.shutdown();

        Set<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(seen.keySet());
        assertThat(missing).as("events no incremental sync served").isEmpty();
        assertThat(seen).as("every event served exactly once").isEqualTo(expected);
    }
}
