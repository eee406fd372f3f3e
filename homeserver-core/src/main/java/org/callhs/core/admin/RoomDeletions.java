package org.callhs.core.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.callhs.core.account.Tokens;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.RoomPurger;
import org.callhs.core.room.RoomReader;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.RoomDeletionRepository;
import org.callhs.core.storage.schema.tables.records.RoomDeletionsRecord;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes rooms for the admin API: a shutdown ({@link RoomShutdown}) and then, unless
 * {@code purge} is false, a purge ({@link RoomPurger}), refused with 400 while a local user is
 * still joined unless {@code force_purge}. Synchronously for {@code v1}; in the background for
 * {@code v2}, one deletion at a time, with its status and progress in {@code room_deletions}
 * (kept a week after it ends). A background deletion interrupted by a stop runs again at the
 * next start of the same instance, continuing from its recorded progress.
 */
public final class RoomDeletions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoomDeletions.class);
    static final long KEEP_FINISHED_MS = 7L * 24 * 60 * 60 * 1000;
    private static final List<String> RUNNING = List.of("scheduled", "active");

    /** A background deletion as the status endpoints show it. */
    public record Task(String deleteId, String roomId, String status, RoomShutdown.Result result, String error) {}

    private final Database database;
    private final RoomDeletionRepository repository;
    private final RoomShutdown shutdown;
    private final RoomPurger purger;
    private final RoomReader reader;
    private final String serverName;
    private final String instance;
    private final Clock clock;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "room-deletions");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closing;

    public RoomDeletions(Database database, RoomDeletionRepository repository, RoomShutdown shutdown, RoomPurger purger,
                         RoomReader reader, String serverName, String instance, Clock clock) {
        this.instance = instance;
        this.database = database;
        this.repository = repository;
        this.shutdown = shutdown;
        this.purger = purger;
        this.reader = reader;
        this.serverName = serverName;
        this.clock = clock;
    }

    /** 400 unless the new room's creator is a user of this server ({@code null}: no new room). */
    public void checkNewRoomUser(String userId) {
        if (userId == null) return;
        if (!MatrixIds.isValidUserId(userId)) throw MatrixException.invalidParam("new_room_user_id is not a valid user ID: " + userId);
        if (!MatrixIds.serverName(userId).equals(serverName)) throw new MatrixException(ErrCode.UNKNOWN, 400, "User must be our own: " + userId);
    }

    /** {@code v1}: shuts down and purges now; the shutdown's result. */
    public RoomShutdown.Result deleteNow(String roomId, RoomShutdown.Params params) {
        checkNewRoomUser(params.newRoomUserId());
        RoomShutdown.Result result = shutdown.shutdown(roomId, params, RoomShutdown.Result.empty(), r -> {});
        if (params.purge()) purge(roomId, params.forcePurge());
        return result;
    }

    /** {@code v2}: schedules the deletion; its ID. 400 while another deletion of the room runs. */
    public String schedule(String roomId, RoomShutdown.Params params) {
        checkNewRoomUser(params.newRoomUserId());
        String deleteId = Tokens.random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 16);
        long now = clock.millis();
        boolean scheduled = database.transaction(tx -> {
            repository.deleteFinishedBefore(tx, now - KEEP_FINISHED_MS);
            if (repository.ofRoom(tx, roomId).stream().anyMatch(t -> RUNNING.contains(t.getStatus()))) return false;
            repository.insert(tx, deleteId, roomId, instance, params.toJson().toString(), now);
            return true;
        });
        if (!scheduled) throw new MatrixException(ErrCode.UNKNOWN, 400, "Purge already in progress for " + roomId);
        log.info("scheduled deletion {} of room {}", deleteId, roomId);
        worker.execute(() -> run(deleteId));
        return deleteId;
    }

    public Optional<Task> task(String deleteId) {
        return repository.find(database.dsl(), deleteId).map(RoomDeletions::task);
    }

    public List<Task> tasksOf(String roomId) {
        long cutoff = clock.millis() - KEEP_FINISHED_MS;
        return repository.ofRoom(database.dsl(), roomId).stream()
                .filter(t -> RUNNING.contains(t.getStatus()) || t.getUpdatedTs() >= cutoff).map(RoomDeletions::task).toList();
    }

    /**
     * Runs again, oldest first, the deletions a stop of this instance interrupted (in a cluster,
     * each instance resumes its own: another's may still be running).
     */
    public void resumeInterrupted() {
        database.transaction(tx -> repository.deleteFinishedBefore(tx, clock.millis() - KEEP_FINISHED_MS));
        for (RoomDeletionsRecord record : repository.withStatus(database.dsl(), instance, RUNNING)) {
            log.info("resuming deletion {} of room {}", record.getDeleteId(), record.getRoomId());
            worker.execute(() -> run(record.getDeleteId()));
        }
    }

    private void run(String deleteId) {
        RoomDeletionsRecord record = repository.find(database.dsl(), deleteId).orElse(null);
        if (record == null || !RUNNING.contains(record.getStatus())) return;
        String roomId = record.getRoomId();
        RoomShutdown.Params params = RoomShutdown.Params.fromJson(Json.parse(record.getParams()));
        RoomShutdown.Result soFar = record.getResult() == null ? RoomShutdown.Result.empty()
                : RoomShutdown.Result.fromJson(Json.parse(record.getResult()));
        save(deleteId, "active", soFar, null);
        try {
            RoomShutdown.Result result = shutdown.shutdown(roomId, params, soFar, progress -> save(deleteId, "active", progress, null));
            if (params.purge()) purge(roomId, params.forcePurge());
            save(deleteId, "complete", result, null);
            log.info("deletion {} of room {} complete", deleteId, roomId);
        } catch (RuntimeException e) {
            if (closing) {
                log.info("deletion {} of room {} interrupted by the stop; it resumes at the next start", deleteId, roomId);
                return;
            }
            log.warn("deletion {} of room {} failed", deleteId, roomId, e);
            RoomShutdown.Result last = repository.find(database.dsl(), deleteId).map(RoomDeletions::task).map(Task::result).orElse(soFar);
            save(deleteId, "failed", last, e instanceof MatrixException m ? m.getMessage() : e.toString());
        }
    }

    private void save(String deleteId, String status, RoomShutdown.Result result, String error) {
        database.transaction(tx -> {
            repository.update(tx, deleteId, status, result.toJson().toString(), error, clock.millis());
            return null;
        });
    }

    /** Purges the room; 400 while a local user is joined, unless forced. A room this server does not hold is already purged. */
    private void purge(String roomId, boolean force) {
        if (reader.room(roomId).isEmpty()) return;
        boolean localJoined = reader.members(roomId, "join").stream()
                .anyMatch(u -> MatrixIds.isValidUserId(u) && MatrixIds.serverName(u).equals(serverName));
        if (localJoined && !force) throw new MatrixException(ErrCode.UNKNOWN, 400, "Users are still joined to this room");
        if (localJoined) log.info("force-purging room {} with local users still joined", roomId);
        purger.purge(roomId);
    }

    private static Task task(RoomDeletionsRecord record) {
        RoomShutdown.Result result = record.getResult() == null ? null : RoomShutdown.Result.fromJson(Json.parse(record.getResult()));
        return new Task(record.getDeleteId(), record.getRoomId(), record.getStatus(), result, record.getError());
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        worker.shutdownNow();
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }

    static ObjectNode statusJson(Task task) {
        ObjectNode json = Json.object().put("delete_id", task.deleteId()).put("room_id", task.roomId()).put("status", task.status());
        json.set("shutdown_room", task.result() == null ? null : task.result().toJson());
        if (task.error() != null) json.put("error", task.error());
        return json;
    }
}
