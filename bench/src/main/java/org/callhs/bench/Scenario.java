package org.callhs.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What each virtual user does, over and over. */
public interface Scenario {

    /** One unmeasured setup step of one user; see {@link #setupSteps()}. */
    @FunctionalInterface
    interface SetupStep {
        void run(VirtualUser user) throws RequestFailure;
    }

    /** The name used by {@code --scenario}. */
    String name();

    /** The latency series this scenario reports; the first one is its main figure. */
    List<String> seriesNames();

    /** Unmeasured preparation of one user (register its account...), run before the clock starts. */
    default void prepare(VirtualUser user) throws RequestFailure {
    }

    /**
     * Further unmeasured setup, after every user's {@link #prepare}: each step runs for all
     * users concurrently (one thread per user) and ends before the next one starts, so a
     * step may use what the previous one produced (rooms created, then joined).
     */
    default List<SetupStep> setupSteps() {
        return List.of();
    }

    /** One iteration: its requests are timed through {@code iteration}. */
    void iterate(VirtualUser user, Iteration iteration) throws RequestFailure;

    /**
     * What runs the users: by default a closed loop, or an open loop at {@code rate}
     * iterations/s in total when {@code rate} &gt; 0. Throws IllegalArgumentException when the
     * scenario cannot run with these options.
     */
    default LoadDriver driver(double rate, int users) {
        return rate > 0 ? new OpenLoopDriver(rate, users) : new ClosedLoopDriver();
    }

    /** How long the server may legitimately hold a request (a /sync long-poll); added to the read timeout. */
    default Duration longestRequest() {
        return Duration.ZERO;
    }

    /** Figures of the run beyond the latency series (response sizes, counts), read after the run. */
    default Map<String, Number> figures() {
        return Map.of();
    }

    /** Creates the scenario called {@code name} for {@code users} users; {@code runId} makes names unique. */
    static Scenario named(String name, String runId, int users) {
        return named(name, runId, users, ScenarioOptions.DEFAULTS);
    }

    /** The same, with the sizes of the scenarios that take more than {@code --users}. */
    static Scenario named(String name, String runId, int users, ScenarioOptions options) {
        return switch (name) {
            case WhoamiScenario.NAME -> new WhoamiScenario(runId);
            case RegisterLoginScenario.NAME -> new RegisterLoginScenario(runId);
            case VersionsScenario.NAME -> new VersionsScenario();
            case SendOneRoomScenario.NAME -> new SendOneRoomScenario(runId, users);
            case SendManyRoomsScenario.NAME -> new SendManyRoomsScenario(runId, users, SendManyRoomsScenario.ROOMS);
            case CreateRoomScenario.NAME -> new CreateRoomScenario(runId, users);
            case RoomFanOutScenario.DELIVERY_LATENCY -> RoomFanOutScenario.deliveryLatency(runId, users);
            case RoomFanOutScenario.IDLE_LONG_POLLS -> RoomFanOutScenario.idleLongPolls(runId, users);
            case RoomFanOutScenario.STICKY_FANOUT -> RoomFanOutScenario.stickyFanOut(runId, users);
            case StickyInitialSyncScenario.NAME -> new StickyInitialSyncScenario(runId, users, options);
            case CallShapeScenario.NAME -> new CallShapeScenario(runId, users, options);
            case ToDeviceBurstScenario.NAME -> new ToDeviceBurstScenario(runId, users);
            case FederatedToDeviceScenario.NAME -> new FederatedToDeviceScenario(runId, users);
            case RoomFanOutScenario.FEDERATED -> RoomFanOutScenario.federated(runId, users);
            case InitialSyncScenario.NAME -> new InitialSyncScenario(runId, users);
            case HeartbeatScenario.NAME -> new HeartbeatScenario(runId, users, options);
            case MediaScenario.UPLOAD_10K, MediaScenario.UPLOAD_5M, MediaScenario.DOWNLOAD_10K, MediaScenario.DOWNLOAD_5M,
                 MediaScenario.THUMBNAIL -> MediaScenario.named(name, runId);
            case PunctualityScenario.NAME -> new PunctualityScenario(runId, users, options);
            case MassExpiryScenario.NAME -> new MassExpiryScenario(runId, users, options);
            case MatrixRtcScenario.NAME -> new MatrixRtcScenario(runId, users, options);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "' (known: "
                    + String.join(", ", names()) + ")");
        };
    }

    static List<String> names() {
        return List.of(WhoamiScenario.NAME, RegisterLoginScenario.NAME, VersionsScenario.NAME,
                SendOneRoomScenario.NAME, SendManyRoomsScenario.NAME, CreateRoomScenario.NAME,
                RoomFanOutScenario.DELIVERY_LATENCY, InitialSyncScenario.NAME, RoomFanOutScenario.IDLE_LONG_POLLS,
                ToDeviceBurstScenario.NAME, FederatedToDeviceScenario.NAME, RoomFanOutScenario.FEDERATED, HeartbeatScenario.NAME, PunctualityScenario.NAME, MassExpiryScenario.NAME,
                MatrixRtcScenario.NAME, RoomFanOutScenario.STICKY_FANOUT, StickyInitialSyncScenario.NAME, CallShapeScenario.NAME);
    }
}
