package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CrossSigningKeyRepository;
import org.callhs.core.storage.repo.DeviceRepository;
import org.callhs.core.storage.schema.tables.records.DevicesRecord;
import org.callhs.core.storage.schema.tables.records.E2eCrossSigningKeysRecord;
import org.jooq.DSLContext;

/**
 * Uploads of cross-signing keys ({@code POST /keys/device_signing/upload}). The upload is
 * checked first ({@link #prepare}), so that the endpoint knows whether user-interactive auth
 * is needed before anything is stored ({@link #store}).
 */
public final class CrossSigningService {
    private static final Map<String, String> FIELDS = Map.of(
            "master_key", CrossSigning.MASTER,
            "self_signing_key", CrossSigning.SELF_SIGNING,
            "user_signing_key", CrossSigning.USER_SIGNING);

    private final Database database;
    private final CrossSigningKeyRepository keys;
    private final DeviceRepository devices;
    private final DeviceListUpdates deviceLists;
    private final Clock clock;

    public CrossSigningService(Database database, CrossSigningKeyRepository keys, DeviceRepository devices,
                               DeviceListUpdates deviceLists, Clock clock) {
        this.database = database;
        this.keys = keys;
        this.devices = devices;
        this.deviceLists = deviceLists;
        this.clock = clock;
    }

    /**
     * A checked upload. {@code unchanged}: every key in it equals the stored one (answered 200
     * without auth or writes, as Synapse does). {@code replacing}: the user already has a master
     * key, so the upload replaces cross-signing keys and needs user-interactive auth.
     */
    public record Prepared(String userId, Map<String, CrossSigning.Key> keys, boolean unchanged, boolean replacing) {}

    /**
     * Checks the keys: each as {@link CrossSigning#parse}; the self-signing and user-signing keys
     * must be signed by the uploaded master key, or by the stored one when none is uploaded (400
     * {@code M_INVALID_SIGNATURE}; 400 {@code M_MISSING_PARAM} when there is no master key at
     * all); a public key equal to one of the user's device IDs is 403 {@code M_FORBIDDEN}.
     */
    public Prepared prepare(String userId, ObjectNode body) {
        Map<String, CrossSigning.Key> uploaded = new LinkedHashMap<>();
        for (String field : new String[] {"master_key", "self_signing_key", "user_signing_key"}) {
            if (body.hasNonNull(field)) uploaded.put(FIELDS.get(field), CrossSigning.parse(body.get(field), userId, FIELDS.get(field)));
        }
        DSLContext dsl = database.dsl();
        Map<String, E2eCrossSigningKeysRecord> stored = new LinkedHashMap<>();
        for (String type : FIELDS.values()) keys.find(dsl, userId, type).ifPresent(r -> stored.put(type, r));
        boolean unchanged = uploaded.values().stream().allMatch(k -> stored.containsKey(k.type())
                && stored.get(k.type()).getKeyJson().equals(KeyJson.canonical(k.json())));
        boolean replacing = stored.containsKey(CrossSigning.MASTER);
        if (unchanged) return new Prepared(userId, uploaded, true, replacing);

        CrossSigning.Key master = uploaded.get(CrossSigning.MASTER);
        if (master == null && stored.containsKey(CrossSigning.MASTER)) {
            master = CrossSigning.fromStored((ObjectNode) KeyJson.stored(stored.get(CrossSigning.MASTER).getKeyJson()), CrossSigning.MASTER);
        }
        if (master == null) throw MatrixException.missingParam("No master key available");
        for (CrossSigning.Key key : uploaded.values()) {
            if (key == master) continue;
            if (!CrossSigning.verify(key.json(), userId, master.keyId(), master.publicKey())) {
                throw CrossSigning.invalidSignature("Invalid signature on " + key.type() + " key");
            }
        }
        for (DevicesRecord device : devices.list(dsl, userId)) {
            for (CrossSigning.Key key : uploaded.values()) {
                if (key.publicKeyId().equals(device.getDeviceId())) throw MatrixException.forbidden("Key ID in use");
            }
        }
        return new Prepared(userId, uploaded, false, replacing);
    }

    /**
     * Stores a prepared upload. A new master or self-signing key is a device-list change every
     * user sharing a room hears about; a new user-signing key alone concerns only its owner.
     */
    public void store(Prepared prepared) {
        if (prepared.unchanged()) return;
        String userId = prepared.userId();
        long now = clock.millis();
        boolean shared = prepared.keys().containsKey(CrossSigning.MASTER) || prepared.keys().containsKey(CrossSigning.SELF_SIGNING);
        long position = database.transaction(tx -> {
            for (CrossSigning.Key key : prepared.keys().values()) {
                keys.upsert(tx, userId, key.type(), key.publicKeyId(), KeyJson.canonical(key.json()), now);
            }
            if (shared) return deviceLists.append(tx, userId);
            long next = deviceLists.nextPosition(tx);
            deviceLists.appendPrivate(tx, next, userId, userId);
            return next;
        });
        if (shared) {
            deviceLists.published(userId, position);
        } else {
            deviceLists.publishedTo(userId, position);
        }
    }
}
