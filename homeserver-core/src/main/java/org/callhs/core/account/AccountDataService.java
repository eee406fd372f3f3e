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
    public static final String IGNORED_USERS = "m.ignored_user_list";
    /** Each user's ignored users, read on first use and dropped when the user writes the list again. */
    private final java.util.Map<String, java.util.Set<String>> ignoredCache = new java.util.concurrent.ConcurrentHashMap<>();
    private final Database database;
    private final AccountDataRepository accountData;
    private final StreamPositionRepository streams;
    private final UpdateNotifier notifier;
    private final org.callhs.core.cluster.CacheInvalidations invalidations;
    /** The name of the ignored-users cache's evictions between instances. */
    static final String CACHE = "ignored_users";

    public AccountDataService(Database database, AccountDataRepository accountData, StreamPositionRepository streams,
                              UpdateNotifier notifier, org.callhs.core.cluster.CacheInvalidations invalidations) {
        this.invalidations = invalidations;
        invalidations.register(CACHE, keys -> {
            if (keys.isEmpty()) ignoredCache.clear(); else keys.forEach(ignoredCache::remove);
        });
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
        if (roomId.isEmpty() && type.equals(IGNORED_USERS)) invalidations.invalidate(CACHE, java.util.List.of(userId));
        notifier.usersUpdated(Streams.ACCOUNT_DATA, position, java.util.List.of(userId));
    }

    /**
     * The users {@code userId} ignores: the keys of {@code ignored_users} in their global
     * {@code m.ignored_user_list} ("Ignoring Users" in the Client-Server API); empty when unset or malformed.
     */
    public java.util.Set<String> ignoredUsers(String userId) {
        return ignoredCache.computeIfAbsent(userId, id -> {
            java.util.Set<String> ignored = new java.util.HashSet<>();
            find(id, "", IGNORED_USERS).ifPresent(json -> {
                com.fasterxml.jackson.databind.JsonNode users = org.callhs.core.util.Json.parse(json).path("ignored_users");
                if (users.isObject()) users.fieldNames().forEachRemaining(ignored::add);
            });
            return java.util.Set.copyOf(ignored);
        });
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
