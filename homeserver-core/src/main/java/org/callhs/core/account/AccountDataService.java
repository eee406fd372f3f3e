package org.callhs.core.account;

import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccountDataRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.UpdateNotifier;

/**
 * Writes a user's account data (global when {@code roomId} is empty) on the
 * {@code account_data} stream and wakes the user's {@code /sync} long-polls after the commit.
 */
public final class AccountDataService {
    /** Server-managed: its row only marks a change; readers serve the user's push rules instead of its content. */
    public static final String PUSH_RULES = "m.push_rules";
    private final Database database;
    private final AccountDataRepository accountData;
    private final StreamPositionRepository streams;
    private final UpdateNotifier notifier;

    public AccountDataService(Database database, AccountDataRepository accountData, StreamPositionRepository streams,
                              UpdateNotifier notifier) {
        this.database = database;
        this.accountData = accountData;
        this.streams = streams;
        this.notifier = notifier;
    }

    public void put(String userId, String roomId, String type, String contentJson) {
        long position = database.transaction(tx -> {
            long next = streams.next(tx, Streams.ACCOUNT_DATA);
            accountData.upsert(tx, userId, roomId, type, contentJson, next);
            return next;
        });
        notifier.usersUpdated(Streams.ACCOUNT_DATA, position, java.util.List.of(userId));
    }

    /** Stored account data; the {@code m.push_rules} marker is not account data a client wrote, so it reads as absent. */
    public java.util.Optional<String> find(String userId, String roomId, String type) {
        if (type.equals(PUSH_RULES)) return java.util.Optional.empty();
        return accountData.find(database.dsl(), userId, roomId, type);
    }

    /** Account data written in {@code (after, upTo]} (everything for an initial sync with after = 0). */
    public java.util.List<org.callhs.core.storage.schema.tables.records.AccountDataRecord> changed(String userId, long after, long upTo) {
        return accountData.changed(database.dsl(), userId, after, upTo);
    }
}
