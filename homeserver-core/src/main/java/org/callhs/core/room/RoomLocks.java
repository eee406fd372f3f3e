package org.callhs.core.room;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One writer per room at a time: a fixed set of striped locks chosen by the room ID's hash.
 * Lock order: a room lock is always taken before a database transaction is opened, and a
 * thread holds at most one room lock (room creation holds only the new room's), so writers
 * cannot deadlock. Two rooms may share a stripe; that only serialises them, never forks a DAG.
 * This is a per-process guarantee: one process writes a database's rooms.
 */
public final class RoomLocks {
    private final ReentrantLock[] stripes;

    public RoomLocks(int stripeCount) {
        stripes = new ReentrantLock[stripeCount];
        for (int i = 0; i < stripeCount; i++) stripes[i] = new ReentrantLock();
    }

    public <T> T withLock(String roomId, Supplier<T> work) {
        ReentrantLock lock = stripes[Math.floorMod(roomId.hashCode(), stripes.length)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
