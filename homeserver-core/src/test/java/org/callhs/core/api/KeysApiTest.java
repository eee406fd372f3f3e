package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.e2e.E2eWiring;
import org.callhs.core.e2e.KeyService;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.SyncToken;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** End-to-end encryption keys, cross-signing, the device-list stream and key backups, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class KeysApiTest extends BackendSuite {
    private static final String V3 = "/_matrix/client/v3";

    /** A registered user with one device and that device's Ed25519 key. */
    private record User(String userId, String deviceId, String token, SigningKey deviceKey) {}

    private static User register(String localpart) {
        Resp r = client.register(localpart, "password-" + localpart);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return new User(r.text("user_id"), r.text("device_id"), r.text("access_token"), key(localpart + "/device"));
    }

    /** A deterministic Ed25519 key for a label. */
    private static SigningKey key(String label) {
        try {
            byte[] seed = MessageDigest.getInstance("SHA-256").digest(label.getBytes(StandardCharsets.UTF_8));
            return new SigningKey("test", seed);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs the object in place as {@code signer} with key ID {@code keyId} (signatures and unsigned are not covered). */
    private static ObjectNode sign(ObjectNode object, String signer, String keyId, SigningKey key) {
        ObjectNode covered = object.deepCopy();
        covered.remove("signatures");
        covered.remove("unsigned");
        String signature = UnpaddedBase64.encode(key.sign(CanonicalJson.encode(covered)));
        ObjectNode signatures = object.get("signatures") instanceof ObjectNode s ? s : object.putObject("signatures");
        (signatures.get(signer) instanceof ObjectNode o ? o : signatures.putObject(signer)).put(keyId, signature);
        return object;
    }

    private static ObjectNode deviceKeys(User user) {
        ObjectNode keys = Json.object().put("user_id", user.userId()).put("device_id", user.deviceId());
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
        keys.putObject("keys").put("curve25519:" + user.deviceId(), "curve" + user.deviceId())
                .put("ed25519:" + user.deviceId(), user.deviceKey().publicKeyBase64());
        return sign(keys, user.userId(), "ed25519:" + user.deviceId(), user.deviceKey());
    }

    private static ObjectNode oneTimeKey(User user, String key) {
        return sign(Json.object().put("key", key), user.userId(), "ed25519:" + user.deviceId(), user.deviceKey());
    }

    private static ObjectNode crossSigningKey(String userId, String usage, SigningKey key) {
        ObjectNode object = Json.object().put("user_id", userId);
        object.putArray("usage").add(usage);
        object.putObject("keys").put("ed25519:" + key.publicKeyBase64(), key.publicKeyBase64());
        return object;
    }

    /** Master, self-signing and user-signing keys, the latter two signed by the master key. */
    private static ObjectNode crossSigningUpload(String userId, SigningKey master, SigningKey selfSigning, SigningKey userSigning) {
        ObjectNode body = Json.object();
        body.set("master_key", crossSigningKey(userId, "master", master));
        body.set("self_signing_key", sign(crossSigningKey(userId, "self_signing", selfSigning), userId,
                "ed25519:" + master.publicKeyBase64(), master));
        body.set("user_signing_key", sign(crossSigningKey(userId, "user_signing", userSigning), userId,
                "ed25519:" + master.publicKeyBase64(), master));
        return body;
    }

    private static Resp post(String path, User user, Object body) {
        return client.post(V3 + path, user.token(), body);
    }

    private static Resp query(User requester, String... userIds) {
        ObjectNode body = Json.object();
        ObjectNode wanted = body.putObject("device_keys");
        for (String u : userIds) wanted.putArray(u);
        Resp r = post("/keys/query", requester, body);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r;
    }

    private static Resp claim(User requester, User target, String algorithm) {
        ObjectNode body = Json.object();
        body.putObject("one_time_keys").putObject(target.userId()).put(target.deviceId(), algorithm);
        Resp r = post("/keys/claim", requester, body);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r;
    }

    /** A KeyService over the suite's database, for the reads /sync makes. */
    /** A fresh service over the server's database (a fresh one: the server's own caches per-device key counts). */
    private static KeyService keyService() {
        var database = server.homeserver().database();
        return new E2eWiring("localhost", database, E2eWiring.offlineDeviceLists(database), java.time.Clock.systemUTC(), new org.callhs.core.s2s.NoFederation(),
                new org.callhs.core.cluster.CacheInvalidations()).keys();
    }

    /** A sync token at the current positions of the streams /keys/changes reads. */
    private static String now() {
        var dsl = server.homeserver().database().dsl();
        StreamPositionRepository positions = new StreamPositionRepository();
        return new SyncToken(java.util.Map.of(Streams.DEVICE_LISTS, positions.current(dsl, Streams.DEVICE_LISTS),
                Streams.EVENTS, positions.current(dsl, Streams.EVENTS))).toString();
    }

    private static Resp changes(User user, String from, String to) {
        Resp r = client.get(V3 + "/keys/changes?from=" + TestClient.seg(from) + "&to=" + TestClient.seg(to), user.token());
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r;
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    @Test
    void uploadedKeysAreCountedQueriedAndClaimedOldestFirstThenTheFallbackKey() {
        User alice = register("key-alice");
        User bob = register("key-bob");
        assertThat(client.put(V3 + "/devices/" + TestClient.seg(alice.deviceId()), alice.token(),
                Json.object().put("display_name", "Alice's phone")).status()).isEqualTo(200);

        ObjectNode upload = Json.object();
        upload.set("device_keys", deviceKeys(alice));
        ObjectNode otks = upload.putObject("one_time_keys");
        otks.set("signed_curve25519:AAAAAQ", oneTimeKey(alice, "first"));
        otks.set("signed_curve25519:AAAAAg", oneTimeKey(alice, "second"));
        otks.put("curve25519:AAAAAw", "plain");
        ObjectNode fallback = oneTimeKey(alice, "fallback");
        fallback.put("fallback", true);
        upload.putObject("fallback_keys").set("signed_curve25519:AAAABA", sign(fallback, alice.userId(), "ed25519:" + alice.deviceId(),
                alice.deviceKey()));
        Resp uploaded = post("/keys/upload", alice, upload);
        assertThat(uploaded.status()).as(uploaded.body().toString()).isEqualTo(200);
        assertThat(uploaded.body().path("one_time_key_counts"))
                .isEqualTo(Json.parse("{\"signed_curve25519\":2,\"curve25519\":1}"));
        // The same upload again is accepted and stores nothing new.
        assertThat(post("/keys/upload", alice, upload).body().path("one_time_key_counts").path("signed_curve25519").asInt()).isEqualTo(2);

        assertThat(keyService().oneTimeKeyCounts(alice.userId(), alice.deviceId())).containsEntry("signed_curve25519", 2).containsEntry("curve25519", 1);
        assertThat(keyService().oneTimeKeyCounts(bob.userId(), bob.deviceId())).containsExactly(java.util.Map.entry("signed_curve25519", 0));
        assertThat(keyService().unusedFallbackKeyTypes(alice.userId(), alice.deviceId())).containsExactly("signed_curve25519");

        Resp queried = query(bob, alice.userId(), "@ghost:localhost", "@remote:elsewhere.example");
        JsonNode device = queried.body().path("device_keys").path(alice.userId()).path(alice.deviceId());
        ObjectNode expected = deviceKeys(alice);
        expected.putObject("unsigned").put("device_display_name", "Alice's phone");
        assertThat(device).isEqualTo(expected);
        assertThat(queried.body().path("device_keys").has("@ghost:localhost")).isFalse();
        assertThat(queried.body().path("failures").has("elsewhere.example")).isTrue();
        ObjectNode oneDevice = Json.object();
        oneDevice.putObject("device_keys").putArray(alice.userId()).add("NOT-A-DEVICE");
        assertThat(post("/keys/query", bob, oneDevice).body().path("device_keys").path(alice.userId()).size()).isZero();

        Resp first = claim(bob, alice, "signed_curve25519");
        assertThat(first.body().path("one_time_keys").path(alice.userId()).path(alice.deviceId()).path("signed_curve25519:AAAAAQ")
                .path("key").asText()).isEqualTo("first");
        Resp second = claim(bob, alice, "signed_curve25519");
        assertThat(second.body().path("one_time_keys").path(alice.userId()).path(alice.deviceId()).has("signed_curve25519:AAAAAg")).isTrue();
        assertThat(keyService().oneTimeKeyCounts(alice.userId(), alice.deviceId())).containsEntry("signed_curve25519", 0);

        for (int i = 0; i < 2; i++) {
            JsonNode fb = claim(bob, alice, "signed_curve25519").body().path("one_time_keys").path(alice.userId()).path(alice.deviceId());
            assertThat(fb.path("signed_curve25519:AAAABA").path("fallback").asBoolean()).isTrue();
        }
        assertThat(keyService().unusedFallbackKeyTypes(alice.userId(), alice.deviceId())).isEmpty();
        // Uploading the same fallback key keeps it used; a new one is unused.
        ObjectNode sameFallback = Json.object();
        sameFallback.set("fallback_keys", upload.get("fallback_keys"));
        post("/keys/upload", alice, sameFallback);
        assertThat(keyService().unusedFallbackKeyTypes(alice.userId(), alice.deviceId())).isEmpty();
        ObjectNode newFallback = Json.object();
        newFallback.putObject("fallback_keys").set("signed_curve25519:AAAABQ", oneTimeKey(alice, "fallback-2").put("fallback", true));
        post("/keys/upload", alice, newFallback);
        assertThat(keyService().unusedFallbackKeyTypes(alice.userId(), alice.deviceId())).containsExactly("signed_curve25519");

        assertThat(claim(bob, alice, "curve25519").body().path("one_time_keys").path(alice.userId()).path(alice.deviceId())
                .path("curve25519:AAAAAw").asText()).isEqualTo("plain");
        assertThat(claim(bob, alice, "curve25519").body().path("one_time_keys").size()).isZero();
        ObjectNode remote = Json.object();
        remote.putObject("one_time_keys").putObject("@x:elsewhere.example").put("DEV", "signed_curve25519");
        assertThat(post("/keys/claim", bob, remote).body().path("failures").has("elsewhere.example")).isTrue();
    }

    @Test
    void keyUploadsRejectBadInput() {
        User carl = register("key-carl");
        assertThat(post("/keys/upload", carl, "[1]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/upload", carl, "{").errcode()).isEqualTo("M_NOT_JSON");
        ObjectNode wrongUser = Json.object();
        wrongUser.set("device_keys", deviceKeys(carl).put("user_id", "@someone-else:localhost"));
        Resp mismatch = post("/keys/upload", carl, wrongUser);
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.errcode()).isEqualTo("M_INVALID_PARAM");
        ObjectNode wrongDevice = Json.object();
        wrongDevice.set("device_keys", deviceKeys(carl).put("device_id", "OTHER"));
        assertThat(post("/keys/upload", carl, wrongDevice).errcode()).isEqualTo("M_INVALID_PARAM");
        ObjectNode badAlgorithms = Json.object();
        badAlgorithms.set("device_keys", deviceKeys(carl).put("algorithms", "m.olm"));
        assertThat(post("/keys/upload", carl, badAlgorithms).errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/upload", carl, "{\"one_time_keys\": {\"nocolon\": \"k\"}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/upload", carl, "{\"one_time_keys\": {\"a:b:c\": \"k\"}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/upload", carl, "{\"one_time_keys\": {\"alg:id\": 5}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/upload", carl, "{\"one_time_keys\": {\"alg:id\": {\"key\": \"k\"}}}").status()).isEqualTo(400);
        assertThat(post("/keys/upload", carl, "{\"one_time_keys\": []}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/upload", carl, "{\"one_time_keys\": {\"alg:id\": {\"key\": 1.5, \"signatures\": {}}}}").errcode())
                .isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/upload", carl, "{\"fallback_keys\": {\"alg:a\": \"k1\", \"alg:b\": \"k2\"}}").errcode())
                .isEqualTo("M_INVALID_PARAM");

        ObjectNode tooMany = Json.object();
        ObjectNode otks = tooMany.putObject("one_time_keys");
        for (int i = 0; i <= KeyService.MAX_ONE_TIME_KEYS_PER_UPLOAD; i++) otks.put("curve25519:K" + i, "key" + i);
        Resp oversized = post("/keys/upload", carl, tooMany);
        assertThat(oversized.status()).isEqualTo(400);
        assertThat(oversized.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(oversized.text("error")).contains("at most " + KeyService.MAX_ONE_TIME_KEYS_PER_UPLOAD);
        assertThat(keyService().oneTimeKeyCounts(carl.userId(), carl.deviceId())).containsEntry("signed_curve25519", 0).hasSize(1);

        assertThat(post("/keys/upload", carl, "{\"one_time_keys\": {\"curve25519:X\": \"one\"}}").status()).isEqualTo(200);
        Resp conflict = post("/keys/upload", carl, "{\"one_time_keys\": {\"curve25519:X\": \"two\"}}");
        assertThat(conflict.status()).isEqualTo(400);
        assertThat(conflict.errcode()).isEqualTo("M_INVALID_PARAM");

        assertThat(post("/keys/query", carl, "{}").errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(post("/keys/query", carl, "{\"device_keys\": [\"@a:localhost\"]}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/query", carl, "{\"device_keys\": {\"@a:localhost\": \"DEV\"}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/query", carl, "{\"device_keys\": {\"@a:localhost\": [1]}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/query", carl, "nope").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(query(carl, "not-a-user-id").body().path("device_keys").size()).isZero();

        assertThat(post("/keys/claim", carl, "{}").errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(post("/keys/claim", carl, "{\"one_time_keys\": \"x\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/claim", carl, "{\"one_time_keys\": {\"@a:localhost\": [\"DEV\"]}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/claim", carl, "{\"one_time_keys\": {\"@a:localhost\": {\"DEV\": 1}}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/claim", carl, "[]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(V3 + "/keys/upload", null, "{}").errcode()).isEqualTo("M_MISSING_TOKEN");
    }

    @Test
    void crossSigningKeysNeedPasswordAuthOnlyToBeReplaced() {
        User dana = register("xs-dana");
        User eve = register("xs-eve");
        SigningKey master = key("dana/master");
        ObjectNode first = crossSigningUpload(dana.userId(), master, key("dana/ssk"), key("dana/usk"));
        Resp created = post("/keys/device_signing/upload", dana, first);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
        // The identical upload again needs no auth either.
        assertThat(post("/keys/device_signing/upload", dana, first).status()).isEqualTo(200);

        JsonNode seenByEve = query(eve, dana.userId()).body();
        assertThat(seenByEve.path("master_keys").path(dana.userId())).isEqualTo(first.get("master_key"));
        assertThat(seenByEve.path("self_signing_keys").path(dana.userId())).isEqualTo(first.get("self_signing_key"));
        assertThat(seenByEve.path("user_signing_keys").has(dana.userId())).isFalse();
        assertThat(query(dana, dana.userId()).body().path("user_signing_keys").path(dana.userId())).isEqualTo(first.get("user_signing_key"));

        SigningKey newMaster = key("dana/master-2");
        ObjectNode replacement = crossSigningUpload(dana.userId(), newMaster, key("dana/ssk-2"), key("dana/usk-2"));
        Resp challenge = post("/keys/device_signing/upload", dana, replacement);
        assertThat(challenge.status()).isEqualTo(401);
        assertThat(challenge.body().path("flows").toString()).contains("m.login.password");
        replacement.putObject("auth").put("type", "m.login.password").put("session", challenge.text("session"))
                .put("password", "wrong").putObject("identifier").put("type", "m.id.user").put("user", dana.userId());
        assertThat(post("/keys/device_signing/upload", dana, replacement).status()).isEqualTo(401);
        ((ObjectNode) replacement.get("auth")).put("password", "password-xs-dana");
        Resp replaced = post("/keys/device_signing/upload", dana, replacement);
        assertThat(replaced.status()).as(replaced.body().toString()).isEqualTo(200);
        assertThat(query(eve, dana.userId()).body().path("master_keys").path(dana.userId()).path("keys").toString())
                .contains(newMaster.publicKeyBase64());

        // Bad input: checked before any auth is asked for.
        User fred = register("xs-fred");
        SigningKey fredMaster = key("fred/master");
        ObjectNode badSignature = crossSigningUpload(fred.userId(), fredMaster, key("fred/ssk"), key("fred/usk"));
        badSignature.set("self_signing_key", sign(crossSigningKey(fred.userId(), "self_signing", key("fred/ssk")), fred.userId(),
                "ed25519:" + fredMaster.publicKeyBase64(), key("someone-else")));
        Resp invalid = post("/keys/device_signing/upload", fred, badSignature);
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.errcode()).isEqualTo("M_INVALID_SIGNATURE");
        ObjectNode noMaster = Json.object();
        noMaster.set("self_signing_key", crossSigningKey(fred.userId(), "self_signing", key("fred/ssk")));
        assertThat(post("/keys/device_signing/upload", fred, noMaster).errcode()).isEqualTo("M_MISSING_PARAM");
        ObjectNode wrongUsage = Json.object();
        wrongUsage.set("master_key", crossSigningKey(fred.userId(), "self_signing", fredMaster));
        assertThat(post("/keys/device_signing/upload", fred, wrongUsage).errcode()).isEqualTo("M_INVALID_PARAM");
        ObjectNode otherUser = Json.object();
        otherUser.set("master_key", crossSigningKey(dana.userId(), "master", fredMaster));
        assertThat(post("/keys/device_signing/upload", fred, otherUser).errcode()).isEqualTo("M_INVALID_PARAM");
        ObjectNode twoKeys = Json.object();
        twoKeys.set("master_key", crossSigningKey(fred.userId(), "master", fredMaster));
        ((ObjectNode) twoKeys.get("master_key").get("keys")).put("ed25519:extra", "extra");
        assertThat(post("/keys/device_signing/upload", fred, twoKeys).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(post("/keys/device_signing/upload", fred, "{\"master_key\": \"k\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/device_signing/upload", fred, "[]").errcode()).isEqualTo("M_BAD_JSON");
        ObjectNode deviceIdAsKey = Json.object();
        ObjectNode clash = Json.object().put("user_id", fred.userId());
        clash.putArray("usage").add("master");
        clash.putObject("keys").put("ed25519:" + fred.deviceId(), fredMaster.publicKeyBase64());
        deviceIdAsKey.set("master_key", clash);
        assertThat(post("/keys/device_signing/upload", fred, deviceIdAsKey).status()).isEqualTo(403);
        // Nothing was stored by the refused uploads: fred's first real upload still needs no auth.
        assertThat(post("/keys/device_signing/upload", fred, crossSigningUpload(fred.userId(), fredMaster, key("fred/ssk"),
                key("fred/usk"))).status()).isEqualTo(200);
    }

    @Test
    void uploadedSignaturesAreMergedIntoQueriedKeys() {
        User gina = register("sig-gina");
        User hank = register("sig-hank");
        SigningKey ginaMaster = key("gina/master");
        SigningKey ginaSsk = key("gina/ssk");
        SigningKey ginaUsk = key("gina/usk");
        ObjectNode upload = Json.object();
        upload.set("device_keys", deviceKeys(gina));
        assertThat(post("/keys/upload", gina, upload).status()).isEqualTo(200);
        assertThat(post("/keys/device_signing/upload", gina, crossSigningUpload(gina.userId(), ginaMaster, ginaSsk, ginaUsk)).status())
                .isEqualTo(200);
        SigningKey hankMaster = key("hank/master");
        ObjectNode hankKeys = crossSigningUpload(hank.userId(), hankMaster, key("hank/ssk"), key("hank/usk"));
        assertThat(post("/keys/device_signing/upload", hank, hankKeys).status()).isEqualTo(200);

        String sskId = "ed25519:" + ginaSsk.publicKeyBase64();
        ObjectNode signatures = Json.object();
        ObjectNode own = signatures.putObject(gina.userId());
        own.set(gina.deviceId(), sign(deviceKeys(gina), gina.userId(), sskId, ginaSsk));
        ObjectNode masterSignedByDevice = crossSigningKey(gina.userId(), "master", ginaMaster);
        masterSignedByDevice.remove("signatures");
        own.set(ginaMaster.publicKeyBase64(), sign(masterSignedByDevice, gina.userId(), "ed25519:" + gina.deviceId(), gina.deviceKey()));
        ObjectNode hankMasterSigned = ((ObjectNode) hankKeys.get("master_key")).deepCopy();
        signatures.putObject(hank.userId()).set(hankMaster.publicKeyBase64(),
                sign(hankMasterSigned, gina.userId(), "ed25519:" + ginaUsk.publicKeyBase64(), ginaUsk));
        Resp uploaded = post("/keys/signatures/upload", gina, signatures);
        assertThat(uploaded.status()).isEqualTo(200);
        assertThat(uploaded.body().path("failures").size()).as(uploaded.body().toString()).isZero();

        JsonNode seenByHank = query(hank, gina.userId(), hank.userId()).body();
        assertThat(seenByHank.path("device_keys").path(gina.userId()).path(gina.deviceId()).path("signatures").path(gina.userId())
                .has(sskId)).isTrue();
        // Gina's signature on Hank's master key is shown to Gina only.
        assertThat(seenByHank.path("master_keys").path(hank.userId()).path("signatures").path(gina.userId()).isMissingNode()).isTrue();
        JsonNode seenByGina = query(gina, gina.userId(), hank.userId()).body();
        assertThat(seenByGina.path("master_keys").path(hank.userId()).path("signatures").path(gina.userId())
                .has("ed25519:" + ginaUsk.publicKeyBase64())).isTrue();
        assertThat(seenByGina.path("master_keys").path(gina.userId()).path("signatures").path(gina.userId())
                .has("ed25519:" + gina.deviceId())).isTrue();

        // Failures are reported per key; the request itself succeeds.
        ObjectNode bad = Json.object();
        ObjectNode forged = deviceKeys(gina);
        sign(forged, gina.userId(), sskId, key("not-the-ssk"));
        bad.putObject(gina.userId()).set(gina.deviceId(), forged);
        ObjectNode changedKey = sign(deviceKeys(gina).put("device_id", "CHANGED"), gina.userId(), sskId, ginaSsk);
        ((ObjectNode) bad.get(gina.userId())).set("UNKNOWN-DEVICE", changedKey);
        bad.putObject(hank.userId()).set("not-hanks-master", Json.object().put("user_id", hank.userId()));
        Resp failures = post("/keys/signatures/upload", gina, bad);
        assertThat(failures.status()).isEqualTo(200);
        assertThat(failures.body().path("failures").path(gina.userId()).path(gina.deviceId()).path("errcode").asText())
                .isEqualTo("M_INVALID_SIGNATURE");
        assertThat(failures.body().path("failures").path(gina.userId()).path("UNKNOWN-DEVICE").path("errcode").asText())
                .isEqualTo("M_NOT_FOUND");
        assertThat(failures.body().path("failures").path(hank.userId()).has("not-hanks-master")).isTrue();

        assertThat(post("/keys/signatures/upload", gina, "[]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/signatures/upload", gina, "{\"@a:localhost\": 1}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/signatures/upload", gina, "{\"@a:localhost\": {\"K\": \"s\"}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/keys/signatures/upload", gina, "{\"a\": ").errcode()).isEqualTo("M_NOT_JSON");
    }

    @Test
    void keyChangesFollowSharedRoomsAndLeaves() {
        User ivy = register("chg-ivy");
        User jack = register("chg-jack");
        User kim = register("chg-kim");
        Resp room = post("/createRoom", ivy, "{\"preset\":\"public_chat\"}");
        String roomId = room.text("room_id");
        String roomPath = "/rooms/" + TestClient.seg(roomId);
        assertThat(post(roomPath + "/join", jack, "{}").status()).isEqualTo(200);

        String start = now();
        ObjectNode jackKeys = Json.object();
        jackKeys.set("device_keys", deviceKeys(jack));
        assertThat(post("/keys/upload", jack, jackKeys).status()).isEqualTo(200);
        ObjectNode kimKeys = Json.object();
        kimKeys.set("device_keys", deviceKeys(kim));
        assertThat(post("/keys/upload", kim, kimKeys).status()).isEqualTo(200);
        String afterUploads = now();
        Resp changed = changes(ivy, start, afterUploads);
        assertThat(strings(changed.body().path("changed"))).contains(jack.userId()).doesNotContain(kim.userId());
        assertThat(strings(changed.body().path("left"))).isEmpty();
        // The same answer without 'to' (Synapse ignores it too).
        Resp open = client.get(V3 + "/keys/changes?from=" + TestClient.seg(start), ivy.token());
        assertThat(strings(open.body().path("changed"))).contains(jack.userId()).doesNotContain(kim.userId());

        KeyService keys = keyService();
        SyncToken from = SyncToken.parse(start);
        SyncToken to = SyncToken.parse(afterUploads);
        assertThat(keys.deviceListChanges(from.position(Streams.DEVICE_LISTS), to.position(Streams.DEVICE_LISTS)))
                .contains(jack.userId(), kim.userId());
        assertThat(keys.sharedRoomUsersChanged(ivy.userId(), from.position(Streams.DEVICE_LISTS), to.position(Streams.DEVICE_LISTS)))
                .contains(jack.userId()).doesNotContain(kim.userId());

        // Re-uploading identical device keys is no change; own changes are reported to oneself.
        post("/keys/upload", jack, jackKeys);
        ObjectNode ivyKeys = Json.object();
        ivyKeys.set("device_keys", deviceKeys(ivy));
        post("/keys/upload", ivy, ivyKeys);
        String afterOwn = now();
        assertThat(strings(changes(ivy, afterUploads, afterOwn).body().path("changed"))).containsExactly(ivy.userId());

        // A new login is a new device.
        assertThat(client.login(jack.userId(), "password-chg-jack", null).status()).isEqualTo(200);
        String afterLogin = now();
        assertThat(strings(changes(ivy, afterOwn, afterLogin).body().path("changed"))).containsExactly(jack.userId());

        // Kim joins: new to Ivy. Jack leaves: left, and no longer told about.
        assertThat(post(roomPath + "/join", kim, "{}").status()).isEqualTo(200);
        String afterJoin = now();
        assertThat(strings(changes(ivy, afterLogin, afterJoin).body().path("changed"))).containsExactly(kim.userId());
        assertThat(strings(changes(kim, afterLogin, afterJoin).body().path("changed"))).contains(ivy.userId(), jack.userId());
        assertThat(post(roomPath + "/leave", jack, "{}").status()).isEqualTo(200);
        post("/keys/upload", jack, Json.object().set("device_keys", deviceKeys(jack).put("algorithms", Json.array().add("x"))));
        String afterLeave = now();
        Resp left = changes(ivy, afterJoin, afterLeave);
        assertThat(strings(left.body().path("left"))).containsExactly(jack.userId());
        assertThat(strings(left.body().path("changed"))).doesNotContain(jack.userId());
        assertThat(strings(changes(jack, afterJoin, afterLeave).body().path("left"))).contains(ivy.userId(), kim.userId());

        Resp garbage = client.get(V3 + "/keys/changes?from=garbage&to=" + TestClient.seg(afterLeave), ivy.token());
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(V3 + "/keys/changes?from=" + TestClient.seg(start) + "&to=events.x", ivy.token()).errcode())
                .isEqualTo("M_INVALID_PARAM");
        assertThat(client.get(V3 + "/keys/changes?to=" + TestClient.seg(start), ivy.token()).errcode()).isEqualTo("M_MISSING_PARAM");
    }

    @Test
    void syncReportsKeyCountsAndWakesPeersOnDeviceListChanges() throws Exception {
        User pia = register("sync-pia");
        User quinn = register("sync-quinn");
        String roomId = post("/createRoom", pia, "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(post("/rooms/" + TestClient.seg(roomId) + "/join", quinn, "{}").status()).isEqualTo(200);
        ObjectNode upload = Json.object();
        upload.putObject("one_time_keys").put("curve25519:A", "a").put("curve25519:B", "b");
        upload.putObject("fallback_keys").put("curve25519:F", "f");
        post("/keys/upload", pia, upload);

        Resp initial = client.get(V3 + "/sync", pia.token());
        assertThat(initial.status()).isEqualTo(200);
        assertThat(initial.body().path("device_one_time_keys_count").path("curve25519").asInt()).isEqualTo(2);
        assertThat(initial.body().path("device_one_time_keys_count").path("signed_curve25519").asInt()).isZero();
        assertThat(strings(initial.body().path("device_unused_fallback_key_types"))).containsExactly("curve25519");

        // A long-poll of Pia wakes when Quinn, who shares a room, uploads device keys.
        String since = initial.text("next_batch");
        java.util.concurrent.CompletableFuture<Resp> waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> client.get(V3 + "/sync?timeout=20000&since=" + TestClient.seg(since), pia.token()));
        Thread.sleep(100);
        ObjectNode quinnKeys = Json.object();
        quinnKeys.set("device_keys", deviceKeys(quinn));
        assertThat(post("/keys/upload", quinn, quinnKeys).status()).isEqualTo(200);
        Resp woken = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(strings(woken.body().path("device_lists").path("changed"))).containsExactly(quinn.userId());
        // The sync token works as a /keys/changes token too.
        assertThat(strings(changes(pia, since, woken.text("next_batch")).body().path("changed"))).containsExactly(quinn.userId());

        assertThat(post("/rooms/" + TestClient.seg(roomId) + "/leave", quinn, "{}").status()).isEqualTo(200);
        Resp afterLeave = client.get(V3 + "/sync?since=" + TestClient.seg(woken.text("next_batch")), pia.token());
        assertThat(strings(afterLeave.body().path("device_lists").path("left"))).containsExactly(quinn.userId());
    }

    @Test
    void backupVersionsAreCreatedReadUpdatedAndDeleted() {
        User lena = register("bk-lena");
        String base = V3 + "/room_keys/version";
        Resp none = client.get(base, lena.token());
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.errcode()).isEqualTo("M_NOT_FOUND");

        String algorithm = "m.megolm_backup.v1.curve25519-aes-sha2";
        ObjectNode create = Json.object().put("algorithm", algorithm);
        create.putObject("auth_data").put("public_key", "abc");
        Resp created = client.post(base, lena.token(), create);
        assertThat(created.status()).isEqualTo(200);
        String version = created.text("version");
        JsonNode info = client.get(base, lena.token()).body();
        assertThat(info.path("version").asText()).isEqualTo(version);
        assertThat(info.path("algorithm").asText()).isEqualTo(algorithm);
        assertThat(info.path("auth_data").path("public_key").asText()).isEqualTo("abc");
        assertThat(info.path("count").asInt()).isZero();
        assertThat(info.path("etag").isTextual()).isTrue();
        assertThat(client.get(base + "/" + version, lena.token()).body()).isEqualTo(info);

        ObjectNode update = Json.object().put("algorithm", algorithm).put("version", version);
        update.putObject("auth_data").put("public_key", "def");
        assertThat(client.put(base + "/" + version, lena.token(), update).status()).isEqualTo(200);
        assertThat(client.get(base + "/" + version, lena.token()).body().path("auth_data").path("public_key").asText()).isEqualTo("def");
        ObjectNode otherAlgorithm = update.deepCopy().put("algorithm", "m.other");
        assertThat(client.put(base + "/" + version, lena.token(), otherAlgorithm).errcode()).isEqualTo("M_INVALID_PARAM");
        ObjectNode otherVersion = update.deepCopy().put("version", "999");
        assertThat(client.put(base + "/" + version, lena.token(), otherVersion).errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(base + "/999", lena.token(), update.deepCopy().put("version", "999")).status()).isEqualTo(404);

        // A second version becomes current; other users see nothing of it.
        String second = client.post(base, lena.token(), create).text("version");
        assertThat(second).isNotEqualTo(version);
        assertThat(client.get(base, lena.token()).body().path("version").asText()).isEqualTo(second);
        User mona = register("bk-mona");
        assertThat(client.get(base + "/" + second, mona.token()).status()).isEqualTo(404);

        assertThat(client.delete(base + "/" + second, lena.token(), null).status()).isEqualTo(200);
        assertThat(client.get(base, lena.token()).body().path("version").asText()).isEqualTo(version);
        assertThat(client.delete(base + "/" + second, lena.token(), null).status()).isEqualTo(200);
        assertThat(client.get(base + "/" + second, lena.token()).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.delete(base + "/" + version, lena.token(), null).status()).isEqualTo(200);
        assertThat(client.get(base, lena.token()).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.post(base, lena.token(), create).text("version")).isNotIn(version, second);

        assertThat(client.get(base + "/abc", lena.token()).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.delete(base + "/12345", lena.token(), null).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.post(base, lena.token(), "{\"algorithm\": \"x\"}").errcode()).isEqualTo("M_MISSING_PARAM");
        // An algorithm no client knows is refused, not stored and served back.
        Resp unknown = client.post(base, lena.token(), "{\"algorithm\": \"m.made.up\", \"auth_data\": {}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.post(base, lena.token(), "{\"algorithm\": \"org.matrix.msc3270.v1.aes-hmac-sha2\", \"auth_data\": {}}")
                .status()).isEqualTo(200);
        assertThat(client.post(base, lena.token(), "{\"algorithm\": \"x\", \"auth_data\": \"y\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(base, lena.token(), "{\"algorithm\": 1, \"auth_data\": {}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(base, lena.token(), "[]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(base + "/1", lena.token(), "{\"auth_data\": {}}").errcode()).isEqualTo("M_MISSING_PARAM");
    }

    @Test
    void backedUpKeysKeepTheBetterCopy() {
        User nina = register("bk-nina");
        String version = client.post(V3 + "/room_keys/version", nina.token(),
                "{\"algorithm\": \"m.megolm_backup.v1.curve25519-aes-sha2\", \"auth_data\": {}}").text("version");
        String room = TestClient.seg("!room:localhost");
        String keysPath = V3 + "/room_keys/keys";
        ObjectNode key = Json.object().put("first_message_index", 5).put("forwarded_count", 1).put("is_verified", false);
        key.putObject("session_data").put("ciphertext", "one");
        Resp stored = client.put(keysPath + "/" + room + "/s1?version=" + version, nina.token(), key);
        assertThat(stored.status()).as(stored.body().toString()).isEqualTo(200);
        assertThat(stored.body().path("count").asInt()).isEqualTo(1);
        String etag = stored.text("etag");

        ObjectNode worse = key.deepCopy().put("first_message_index", 9);
        worse.putObject("session_data").put("ciphertext", "worse");
        Resp unchanged = client.put(keysPath + "/" + room + "/s1?version=" + version, nina.token(), worse);
        assertThat(unchanged.text("etag")).isEqualTo(etag);
        ObjectNode better = key.deepCopy().put("is_verified", true).put("first_message_index", 7);
        better.putObject("session_data").put("ciphertext", "better");
        ObjectNode all = Json.object();
        ObjectNode sessions = all.putObject("rooms").putObject("!room:localhost").putObject("sessions");
        sessions.set("s1", better);
        sessions.set("s2", key);
        Resp updated = client.put(keysPath + "?version=" + version, nina.token(), all);
        assertThat(updated.body().path("count").asInt()).isEqualTo(2);
        assertThat(updated.text("etag")).isNotEqualTo(etag);

        assertThat(client.get(keysPath + "/" + room + "/s1?version=" + version, nina.token()).body()).isEqualTo(better);
        assertThat(client.get(keysPath + "/" + room + "?version=" + version, nina.token()).body().path("sessions").size()).isEqualTo(2);
        assertThat(client.get(keysPath + "?version=" + version, nina.token()).body().path("rooms").path("!room:localhost")
                .path("sessions").path("s2")).isEqualTo(key);
        assertThat(client.get(V3 + "/room_keys/version/" + version, nina.token()).body().path("count").asInt()).isEqualTo(2);
        assertThat(client.get(keysPath + "/" + TestClient.seg("!empty:localhost") + "?version=" + version, nina.token()).body())
                .isEqualTo(Json.parse("{\"sessions\":{}}"));
        assertThat(client.get(keysPath + "/" + room + "/missing?version=" + version, nina.token()).errcode()).isEqualTo("M_NOT_FOUND");

        Resp wrongVersion = client.put(keysPath + "/" + room + "/s3?version=999", nina.token(), key);
        assertThat(wrongVersion.status()).isEqualTo(403);
        assertThat(wrongVersion.errcode()).isEqualTo("M_WRONG_ROOM_KEYS_VERSION");
        assertThat(wrongVersion.text("current_version")).isEqualTo(version);
        assertThat(client.put(keysPath + "/" + room + "/s3", nina.token(), key).errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(client.get(keysPath + "?version=999", nina.token()).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(client.put(keysPath + "/" + room + "/s3?version=" + version, nina.token(), key.deepCopy().put("is_verified", "yes"))
                .errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(keysPath + "/" + room + "/s3?version=" + version, nina.token(), key.deepCopy().put("forwarded_count", -1))
                .errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(keysPath + "?version=" + version, nina.token(), "{\"rooms\": {\"!r:localhost\": {\"sessions\": []}}}")
                .errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(keysPath + "/" + room + "?version=" + version, nina.token(), "{}").errcode()).isEqualTo("M_MISSING_PARAM");

        Resp deleted = client.delete(keysPath + "/" + room + "/s2?version=" + version, nina.token(), null);
        assertThat(deleted.body().path("count").asInt()).isEqualTo(1);
        assertThat(client.delete(keysPath + "?version=" + version, nina.token(), null).body().path("count").asInt()).isZero();
        assertThat(client.delete(keysPath, nina.token(), null).errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(client.delete(keysPath + "/" + room + "?version=999", nina.token(), null).errcode()).isEqualTo("M_NOT_FOUND");
        User otto = register("bk-otto");
        Resp noBackup = client.put(keysPath + "/" + room + "/s1?version=1", otto.token(), key);
        assertThat(noBackup.status()).isEqualTo(404);
        assertThat(noBackup.errcode()).isEqualTo("M_NOT_FOUND");
    }
}
