package org.callhs.bench;

/**
 * One simulated MatrixRTC call participant of {@link MatrixRtcScenario}: a device of an account
 * in a call, whose delayed leave (an empty {@code org.matrix.msc3401.call.member} state event with
 * state key {@code _<userId>_<device>}) it keeps pushing back with restarts until it is killed.
 *
 * <p>Its worker thread alone drives it (the fields without {@code volatile}); the watcher records
 * the sighting of its leave, and the scenario reads everything once the workers are done.
 */
final class RtcParticipant {

    static final long UNSET = Long.MIN_VALUE;

    final int index;
    final int account;
    final long phaseNanos;
    final int killRank;
    String delayId;
    boolean joined;
    boolean stopped;
    private volatile String stateKey;
    private volatile long lastOkSentNanos = UNSET;
    private volatile long lastAckNanos = UNSET;
    private volatile long killedAtNanos = UNSET;
    private volatile boolean lost;
    private volatile long leaveSeenNanos = UNSET;

    /**
     * @param phaseNanos its offset in the heartbeat period: its first beat (the join) comes that long after the run starts
     * @param killRank   its place in the order of kills (0 first)
     */
    RtcParticipant(int index, int account, long phaseNanos, int killRank) {
        this.index = index;
        this.account = account;
        this.phaseNanos = phaseNanos;
        this.killRank = killRank;
    }

    String stateKey() {
        return stateKey;
    }

    void stateKey(String stateKey) {
        this.stateKey = stateKey;
    }

    /** A schedule or restart sent at {@code sentNanos} was answered 200 at {@code ackNanos}. */
    void acknowledged(long sentNanos, long ackNanos) {
        lastOkSentNanos = sentNanos;
        lastAckNanos = ackNanos;
    }

    /** Stops heartbeating (without cancelling) at {@code nanos}. */
    void kill(long nanos) {
        stopped = true;
        killedAtNanos = nanos;
    }

    /** A restart answered 404: its leave fired while it was still heartbeating. */
    void lose() {
        stopped = true;
        lost = true;
    }

    /** The watcher saw its leave in a response that arrived at {@code arrivedNanos} (only the first sighting counts). */
    void leaveSeen(long arrivedNanos) {
        if (leaveSeenNanos == UNSET) {
            leaveSeenNanos = arrivedNanos;
        }
    }

    boolean isKilled() {
        return killedAtNanos != UNSET;
    }

    boolean isLost() {
        return lost;
    }

    boolean isLeaveSeen() {
        return leaveSeenNanos != UNSET;
    }

    long leaveSeenNanos() {
        return leaveSeenNanos;
    }

    long lastOkSentNanos() {
        return lastOkSentNanos;
    }

    long lastAckNanos() {
        return lastAckNanos;
    }
}
