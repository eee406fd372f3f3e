package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.storage.Database;
import org.callhs.core.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Other servers' signing keys (Server-Server API "Retrieving server keys"). A key is looked up
 * in memory, then in {@code federation_server_keys}, then fetched: through each trusted notary
 * ({@code federation.trusted_key_servers}) in turn, then from the server itself. A response is
 * used only when the server signed it with one of its own keys and names itself (and, through a
 * notary, when the notary signed it too). Validity: a current key is usable for anything
 * timestamped up to its {@code valid_until_ts}, an old key ({@code old_verify_keys}) up to its
 * {@code expired_ts}; request signatures need a key valid now, event signatures one valid at the
 * event's {@code origin_server_ts}. A server whose key is missing is asked again at most every
 * {@link #REFETCH_INTERVAL_MS}, so forged requests naming unknown keys cannot make us hammer it.
 */
public final class KeyRing {
    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);
    static final long REFETCH_INTERVAL_MS = 5_000;
    private static final long FETCH_TIMEOUT_MS = 10_000;

    /** A known key: usable for timestamps up to {@code validUntil}. */
    record Key(byte[] publicKey, long validUntil) {}

    private final String ourName;
    private final SigningKey ourKey;
    private final KeyStoreRepository store;
    private final Database database;
    private final FederationClient client;
    private final List<FederationConfig.TrustedKeyServer> notaries;
    private final Clock clock;
    private final Map<String, Key> cache = new ConcurrentHashMap<>();
    /** The key fetch under way for each server, which other requests for its keys wait on. */
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    /** When each server's keys were last fetched for a missing key; bounded, so forged origins cannot grow it. */
    private final Map<String, Long> lastFetch = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(java.time.Duration.ofMillis(REFETCH_INTERVAL_MS * 2))
            .<String, Long>build().asMap();

    public KeyRing(String ourName, SigningKey ourKey, Database database, KeyStoreRepository store, FederationClient client,
                   List<FederationConfig.TrustedKeyServer> notaries, Clock clock) {
        this.ourName = ourName;
        this.ourKey = ourKey;
        this.database = database;
        this.store = store;
        this.client = client;
        this.notaries = notaries;
        this.clock = clock;
    }

    /** The public key {@code server} signs with as {@code keyId}, if one is known valid at {@code validAt}. */
    public Optional<byte[]> key(String server, String keyId, long validAt) {
        if (server.equals(ourName)) {
            return keyId.equals(ourKey.keyId()) ? Optional.of(UnpaddedBase64.decode(ourKey.publicKeyBase64())) : Optional.empty();
        }
        Optional<byte[]> known = lookup(server, keyId, validAt);
        if (known.isPresent()) return known;
        CompletableFuture<Void> running = inFlight.get(server);
        if (running != null) return awaitThenLookup(running, server, keyId, validAt);
        long now = clock.millis();
        Long last = lastFetch.get(server);
        if (last != null && now - last < REFETCH_INTERVAL_MS) return Optional.empty();
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> other = inFlight.putIfAbsent(server, mine);
        if (other != null) return awaitThenLookup(other, server, keyId, validAt);
        try {
            lastFetch.put(server, now);
            fetch(server);
        } finally {
            inFlight.remove(server, mine);
            mine.complete(null);
        }
        return lookup(server, keyId, validAt);
    }

    /**
     * Requests that need a key while it is being fetched wait for that fetch (one per server at a
     * time) rather than failing: the first requests from a new server often arrive together.
     */
    private Optional<byte[]> awaitThenLookup(CompletableFuture<Void> fetch, String server, String keyId, long validAt) {
        try {
            fetch.get(FETCH_TIMEOUT_MS * (notaries.size() + 1) + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.info("waiting for the keys of {}: {}", server, e.toString());
        }
        return lookup(server, keyId, validAt);
    }

    private Optional<byte[]> lookup(String server, String keyId, long validAt) {
        String id = server + "|" + keyId;
        Key key = cache.get(id);
        if (key == null) {
            key = store.find(database.dsl(), server, keyId).orElse(null);
            if (key != null) cache.put(id, key);
        }
        return key != null && key.validUntil() >= validAt ? Optional.of(key.publicKey()) : Optional.empty();
    }

    /** Fetches and stores the keys of {@code server}: notaries first, then the server itself. */
    void fetch(String server) {
        for (FederationConfig.TrustedKeyServer notary : notaries) {
            try {
                if (fetchThroughNotary(server, notary)) return;
            } catch (FederationException | IllegalArgumentException e) {
                log.info("notary {} could not give the keys of {}: {}", notary.serverName(), server, e.getMessage());
            }
        }
        try {
            JsonNode response = client.getUnsigned(server, "/_matrix/key/v2/server", FETCH_TIMEOUT_MS);
            if (!accept(server, response)) log.warn("the key response of {} is not signed by it or names another server", server);
        } catch (FederationException e) {
            log.info("could not fetch the keys of {}: {}", server, e.getMessage());
        }
    }

    boolean fetchThroughNotary(String server, FederationConfig.TrustedKeyServer notary) {
        ObjectNode body = Json.object();
        body.putObject("server_keys").putObject(server);
        JsonNode answer = client.request(notary.serverName(), "POST", "/_matrix/key/v2/query", body, FETCH_TIMEOUT_MS);
        boolean any = false;
        for (JsonNode response : answer.path("server_keys")) {
            if (!server.equals(response.path("server_name").asText(null))) continue;
            if (!signedByNotary(response, notary)) {
                log.warn("a key response for {} from notary {} lacks a valid notary signature", server, notary.serverName());
                continue;
            }
            ObjectNode withoutNotary = response.deepCopy();
            if (withoutNotary.path("signatures") instanceof ObjectNode sigs && !notary.serverName().equals(server)) {
                sigs.remove(notary.serverName());
            }
            any |= accept(server, withoutNotary);
        }
        return any;
    }

    private boolean signedByNotary(JsonNode response, FederationConfig.TrustedKeyServer notary) {
        JsonNode sigs = response.path("signatures").path(notary.serverName());
        for (Iterator<String> ids = sigs.fieldNames(); ids.hasNext(); ) {
            String keyId = ids.next();
            Optional<byte[]> key;
            String configured = notary.verifyKeys() == null ? null : notary.verifyKeys().get(keyId);
            if (configured != null) {
                key = Optional.of(UnpaddedBase64.decode(configured));
            } else if (notary.verifyKeys() == null || notary.verifyKeys().isEmpty()) {
                key = key(notary.serverName(), keyId, clock.millis());
            } else {
                continue;
            }
            if (key.isPresent() && JsonSigner.verify(response, notary.serverName(), keyId, key.get())) return true;
        }
        return false;
    }

    /** Checks a server's own key response and stores its keys; false when it is not self-signed or names another server. */
    boolean accept(String server, JsonNode response) {
        if (!(response instanceof ObjectNode object) || !server.equals(object.path("server_name").asText(null))) return false;
        JsonNode validUntilNode = object.get("valid_until_ts");
        if (validUntilNode == null || !validUntilNode.canConvertToLong()) return false;
        long validUntil = validUntilNode.asLong();
        JsonNode verifyKeys = object.path("verify_keys");
        boolean selfSigned = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = verifyKeys.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            byte[] publicKey = decode(e.getValue().path("key").asText(""));
            if (publicKey != null && JsonSigner.verify(object, server, e.getKey(), publicKey)) selfSigned = true;
        }
        if (!selfSigned) return false;
        long now = clock.millis();
        database.transaction(tx -> {
            for (Iterator<Map.Entry<String, JsonNode>> it = verifyKeys.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                byte[] publicKey = decode(e.getValue().path("key").asText(""));
                if (publicKey == null) continue;
                store.put(tx, server, e.getKey(), e.getValue().path("key").asText(), validUntil, null, now);
                cache.put(server + "|" + e.getKey(), new Key(publicKey, validUntil));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = object.path("old_verify_keys").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                byte[] publicKey = decode(e.getValue().path("key").asText(""));
                long expired = e.getValue().path("expired_ts").asLong(0);
                if (publicKey == null) continue;
                store.put(tx, server, e.getKey(), e.getValue().path("key").asText(), expired, expired, now);
                cache.put(server + "|" + e.getKey(), new Key(publicKey, expired));
            }
            store.putResponse(tx, server, Json.write(object), validUntil, now);
            return null;
        });
        lastFetch.remove(server);
        return true;
    }

    /** The stored self-signed response of {@code server} valid until at least {@code minimumValidUntil}, without fetching. */
    Optional<ObjectNode> cachedResponse(String server, long minimumValidUntil) {
        return store.response(database.dsl(), server, minimumValidUntil);
    }

    /** The newest self-signed response of {@code server} valid until at least {@code minimumValidUntil}, fetching it if needed. */
    Optional<ObjectNode> response(String server, long minimumValidUntil) {
        Optional<ObjectNode> stored = store.response(database.dsl(), server, minimumValidUntil);
        if (stored.isPresent()) return stored;
        long now = clock.millis();
        Long last = lastFetch.get(server);
        if (last == null || now - last >= REFETCH_INTERVAL_MS) {
            lastFetch.put(server, now);
            try {
                accept(server, client.getUnsigned(server, "/_matrix/key/v2/server", FETCH_TIMEOUT_MS));
            } catch (FederationException e) {
                log.info("notary query: could not fetch the keys of {}: {}", server, e.getMessage());
            }
        }
        return store.response(database.dsl(), server, minimumValidUntil);
    }

    private static byte[] decode(String base64) {
        try {
            byte[] bytes = UnpaddedBase64.decode(base64);
            return bytes.length == 32 ? bytes : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
