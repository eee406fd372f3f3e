package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.RoomKeyBackupSessionRepository;
import org.callhs.core.storage.repo.RoomKeyBackupVersionRepository;
import org.callhs.core.storage.schema.tables.records.RoomKeyBackupSessionsRecord;
import org.callhs.core.storage.schema.tables.records.RoomKeyBackupVersionsRecord;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;

/**
 * Server-side key backups (Client-Server API "Server-side key backups"). Versions are per-user
 * counters served as strings; the current backup is the newest version not deleted. Deleting a
 * version keeps its number (so it is never handed out again) and drops its keys; deleting it
 * again succeeds. A version that is not a number, never existed or was deleted is 404
 * {@code M_NOT_FOUND}; storing keys into anything but the current version is 403
 * {@code M_WRONG_ROOM_KEYS_VERSION} with {@code current_version}.
 */
public final class KeyBackupService {
    /**
     * The backup algorithms accepted: the spec's {@code m.megolm_backup.v1.curve25519-aes-sha2},
     * and MSC3270's symmetric {@code org.matrix.msc3270.v1.aes-hmac-sha2}, which clients have
     * shipped behind its unstable name. Anything else is 400 {@code M_INVALID_PARAM}: a backup
     * no client can read would only be stored and served back.
     */
    static final java.util.Set<String> ALGORITHMS = java.util.Set.of("m.megolm_backup.v1.curve25519-aes-sha2",
            "org.matrix.msc3270.v1.aes-hmac-sha2");

    private final Database database;
    private final RoomKeyBackupVersionRepository versions;
    private final RoomKeyBackupSessionRepository sessions;

    public KeyBackupService(Database database, RoomKeyBackupVersionRepository versions, RoomKeyBackupSessionRepository sessions) {
        this.database = database;
        this.versions = versions;
        this.sessions = sessions;
    }

    /** Creates a new version, which becomes the current one; returns its number. */
    public String create(String userId, ObjectNode body) {
        String algorithm = KeyJson.requireString(body, "algorithm", "body");
        ObjectNode authData = KeyJson.requireObject(body, "auth_data");
        if (!ALGORITHMS.contains(algorithm)) {
            throw MatrixException.invalidParam("Unsupported backup algorithm " + algorithm + "; supported: " + new java.util.TreeSet<>(ALGORITHMS));
        }
        String authJson = KeyJson.canonical(authData);
        return database.transaction(tx -> {
            long version = versions.maxVersion(tx, userId) + 1;
            versions.insert(tx, userId, version, algorithm, authJson);
            return Long.toString(version);
        });
    }

    /** The version's information; {@code version} null for the current one. */
    public ObjectNode info(String userId, String version) {
        DSLContext dsl = database.dsl();
        RoomKeyBackupVersionsRecord row = version == null
                ? versions.current(dsl, userId).orElseThrow(() -> MatrixException.notFound("No current backup version"))
                : existing(dsl, userId, version);
        ObjectNode info = Json.object();
        info.put("algorithm", row.getAlgorithm());
        info.set("auth_data", KeyJson.stored(row.getAuthData()));
        info.put("count", sessions.count(dsl, userId, row.getVersion()));
        info.put("etag", Long.toString(row.getEtag()));
        info.put("version", Long.toString(row.getVersion()));
        return info;
    }

    /** Replaces {@code auth_data}; the algorithm must stay the same, a {@code version} in the body must match the path. */
    public void update(String userId, String version, ObjectNode body) {
        String algorithm = KeyJson.requireString(body, "algorithm", "body");
        ObjectNode authData = KeyJson.requireObject(body, "auth_data");
        JsonNode bodyVersion = body.get("version");
        if (bodyVersion != null && !bodyVersion.isNull() && !(bodyVersion.isTextual() && bodyVersion.textValue().equals(version))) {
            throw MatrixException.invalidParam("version in the body does not match the path");
        }
        String authJson = KeyJson.canonical(authData);
        database.transaction(tx -> {
            RoomKeyBackupVersionsRecord row = existing(tx, userId, version);
            if (!row.getAlgorithm().equals(algorithm)) throw MatrixException.invalidParam("Algorithm does not match");
            versions.setAuthData(tx, userId, row.getVersion(), authJson);
            return null;
        });
    }

    /** Deletes a version and its keys; an already deleted version succeeds again. */
    public void delete(String userId, String version) {
        long number = number(version);
        database.transaction(tx -> {
            versions.find(tx, userId, number).orElseThrow(() -> MatrixException.notFound("Unknown backup version"));
            sessions.delete(tx, userId, number, null, null);
            versions.markDeleted(tx, userId, number);
            return null;
        });
    }

    /**
     * Stores keys ({@code rooms} → room ID → {@code sessions} → session ID → key data) in the
     * current version. An existing key is replaced only by a better one, as Synapse decides:
     * verified beats unverified, then a lower {@code first_message_index}, then a lower
     * {@code forwarded_count}. The etag moves on when anything changed.
     */
    public ObjectNode put(String userId, String version, ObjectNode rooms) {
        return database.transaction(tx -> {
            RoomKeyBackupVersionsRecord current = versions.current(tx, userId)
                    .orElseThrow(() -> MatrixException.notFound("Unknown backup version"));
            if (!Long.toString(current.getVersion()).equals(version)) {
                throw new MatrixException(ErrCode.WRONG_ROOM_KEYS_VERSION, 403, "Wrong backup version",
                        Map.of("current_version", Long.toString(current.getVersion())), Map.of());
            }
            boolean changed = false;
            for (Iterator<Map.Entry<String, JsonNode>> r = rooms.fields(); r.hasNext(); ) {
                Map.Entry<String, JsonNode> room = r.next();
                ObjectNode roomSessions = KeyJson.requireObject(KeyJson.asObject(room.getValue(), "rooms." + room.getKey()), "sessions");
                for (Iterator<Map.Entry<String, JsonNode>> s = roomSessions.fields(); s.hasNext(); ) {
                    Map.Entry<String, JsonNode> session = s.next();
                    RoomKeyBackupSessionsRecord row = parseSession(userId, current.getVersion(), room.getKey(), session);
                    Optional<RoomKeyBackupSessionsRecord> old = sessions.find(tx, userId, current.getVersion(), room.getKey(), session.getKey());
                    if (old.isEmpty() || better(row, old.get())) {
                        sessions.upsert(tx, row);
                        changed = true;
                    }
                }
            }
            long etag = current.getEtag() + (changed ? 1 : 0);
            if (changed) versions.setEtag(tx, userId, current.getVersion(), etag);
            return counts(tx, userId, current.getVersion(), etag);
        });
    }

    /** Keys of a version, narrowed to a room and a session when not null, as {@code {"rooms": ...}}. */
    public ObjectNode get(String userId, String version, String roomId, String sessionId) {
        DSLContext dsl = database.dsl();
        long number = existing(dsl, userId, version).getVersion();
        ObjectNode rooms = Json.object();
        for (RoomKeyBackupSessionsRecord row : sessions.list(dsl, userId, number, roomId, sessionId)) {
            ObjectNode data = Json.object();
            data.put("first_message_index", row.getFirstMessageIndex());
            data.put("forwarded_count", row.getForwardedCount());
            data.put("is_verified", row.getIsVerified());
            data.set("session_data", KeyJson.stored(row.getSessionData()));
            KeyJson.child(KeyJson.child(KeyJson.child(rooms, row.getRoomId()), "sessions"), row.getSessionId()).setAll(data);
        }
        return Json.object().set("rooms", rooms);
    }

    /** Deletes keys of a version, narrowed to a room and a session when not null. */
    public ObjectNode deleteKeys(String userId, String version, String roomId, String sessionId) {
        return database.transaction(tx -> {
            RoomKeyBackupVersionsRecord row = existing(tx, userId, version);
            long etag = row.getEtag();
            if (sessions.delete(tx, userId, row.getVersion(), roomId, sessionId) > 0) {
                etag++;
                versions.setEtag(tx, userId, row.getVersion(), etag);
            }
            return counts(tx, userId, row.getVersion(), etag);
        });
    }

    private ObjectNode counts(DSLContext tx, String userId, long version, long etag) {
        return Json.object().put("etag", Long.toString(etag)).put("count", sessions.count(tx, userId, version));
    }

    private RoomKeyBackupVersionsRecord existing(DSLContext dsl, String userId, String version) {
        return versions.find(dsl, userId, number(version)).filter(v -> !v.getDeleted())
                .orElseThrow(() -> MatrixException.notFound("Unknown backup version"));
    }

    private static long number(String version) {
        if (version == null || version.isEmpty() || version.length() > 18 || !version.chars().allMatch(Character::isDigit)) {
            throw MatrixException.notFound("Unknown backup version");
        }
        return Long.parseLong(version);
    }

    private static RoomKeyBackupSessionsRecord parseSession(String userId, long version, String roomId, Map.Entry<String, JsonNode> entry) {
        String where = "sessions." + KeyJson.abbreviate(entry.getKey());
        ObjectNode data = KeyJson.asObject(entry.getValue(), where);
        RoomKeyBackupSessionsRecord row = new RoomKeyBackupSessionsRecord();
        row.setUserId(userId);
        row.setVersion(version);
        row.setRoomId(roomId);
        row.setSessionId(entry.getKey());
        row.setFirstMessageIndex(nonNegative(data, "first_message_index", where));
        row.setForwardedCount(nonNegative(data, "forwarded_count", where));
        JsonNode verified = data.get("is_verified");
        if (verified == null || !verified.isBoolean()) throw MatrixException.badJson(where + ".is_verified must be a boolean");
        row.setIsVerified(verified.booleanValue());
        row.setSessionData(KeyJson.canonical(KeyJson.requireObject(data, "session_data")));
        return row;
    }

    private static long nonNegative(ObjectNode data, String field, String where) {
        JsonNode node = data.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw MatrixException.badJson(where + "." + field + " must be a non-negative integer");
        }
        return node.longValue();
    }

    private static boolean better(RoomKeyBackupSessionsRecord candidate, RoomKeyBackupSessionsRecord current) {
        if (!candidate.getIsVerified().equals(current.getIsVerified())) return candidate.getIsVerified();
        if (!candidate.getFirstMessageIndex().equals(current.getFirstMessageIndex())) {
            return candidate.getFirstMessageIndex() < current.getFirstMessageIndex();
        }
        return candidate.getForwardedCount() < current.getForwardedCount();
    }
}
