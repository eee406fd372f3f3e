package org.callhs.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A load generator for Matrix homeservers that speaks only the Client-Server API over
 * plain HTTP, so it measures callhs and Synapse (or any other homeserver) the same way.
 *
 * <p>Flow of a run: set up {@code --users} virtual users (each with its own thread and
 * keep-alive connection; the scenario may register accounts), warm up for {@code --warmup}, measure
 * for {@code --duration}, then print the report. Only loopback targets are accepted.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Client-Server API load generator (loopback targets only).")
public final class LoadGenerator implements Callable<Integer> {

    static final int EXIT_SETUP_FAILED = 3;

    /**
     * Most users running a setup step at the same time. Registration and login hash a
     * password (callhs: Argon2id with 19 MiB each; Synapse: bcrypt): a thousand at once would
     * only queue in the server, time out, or exhaust its heap.
     */
    static final int SETUP_CONCURRENCY = 16;

    @Option(names = "--base-url", required = true, description = "Homeserver base URL, e.g. http://127.0.0.1:8008 (loopback only).")
    String baseUrl;

    @Option(names = "--scenario", defaultValue = "whoami", description = "whoami | register-login | versions | send-one-room | send-100-rooms | create-room | "
            + "delivery-latency | initial-sync | idle-long-polls | to-device-burst | federated-to-device | heartbeats | punctuality | mass-expiry | matrixrtc | "
            + "sticky-fanout | sticky-initial-sync | call-shape | media-upload-10k | media-upload-5m | media-download-10k | media-download-5m | media-thumbnail "
            + "(default: ${DEFAULT-VALUE}).")
    String scenarioName;

    @Option(names = "--sender-base-url", description = "federated-to-device: base URL of the sender's homeserver (user 0); "
            + "the pollers use --base-url (loopback only).")
    String senderBaseUrl;

    @Option(names = "--users", defaultValue = "16", description = "Virtual users = concurrent connections (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--rate", defaultValue = "0", description = "Open loop: iterations per second in total. 0 (default) = closed loop.")
    double rate;

    @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class, description = "Measured time (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class, description = "Warm-up time, not counted (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--label", defaultValue = "server", description = "Name of the server in the output, e.g. callhs or synapse.")
    String label;

    @Option(names = "--json", description = "Print the report as one JSON line on stdout (the table goes to stderr).")
    boolean json;

    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class, description = "Connect and read timeout per request (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--server-pid", defaultValue = "0", description = "Pid of the server (same machine): also report its CPU time over the measured window and its RSS at the end.")
    long serverPid;

    @Option(names = "--threads", defaultValue = "platform", description = "Threads running the users: platform (default, cheapest per request) or virtual (for thousands of users).")
    ThreadKind threadKind;

    @Option(names = "--events", defaultValue = "0", description = "heartbeats: delayed events scheduled during setup (100000); "
            + "mass-expiry: events due at the same instant (1000); sticky-initial-sync: sticky events in the room (2000). "
            + "0 = the scenario's default.")
    int events;

    @Option(names = "--accounts", defaultValue = "0", description = "heartbeats: accounts owning the scheduled events (100). 0 = the default.")
    int accounts;

    @Option(names = "--participants", defaultValue = "0", description = "matrixrtc: simulated call participants (2000); "
            + "call-shape: participants in the call (500; --users must be twice that). 0 = the default.")
    int participants;

    @Option(names = "--delay", converter = DurationConverter.class, description = "punctuality: delay of each event (3s); "
            + "matrixrtc, call-shape: delay of each participant's leave (8s).")
    Duration delay;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LoopbackTarget target;
        String runId = UserNames.newRunId();
        Scenario scenario;
        LoadDriver driver;
        LoopbackTarget senderTarget;
        try {
            target = LoopbackTarget.parse(baseUrl);
            senderTarget = senderBaseUrl == null ? target : LoopbackTarget.parse(senderBaseUrl);
            if ((scenarioName.equals(FederatedToDeviceScenario.NAME) || scenarioName.equals(RoomFanOutScenario.FEDERATED))
                    && senderBaseUrl == null) {
                throw new IllegalArgumentException(scenarioName + " needs --sender-base-url");
            }
            scenario = Scenario.named(scenarioName, runId, Math.max(users, 1), new ScenarioOptions(events, accounts, participants, delay));
            driver = scenario.driver(rate, Math.max(users, 1));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (users < 1) {
            throw new ParameterException(spec.commandLine(), "--users must be >= 1");
        }
        if (duration.isZero() || duration.isNegative() || warmup.isNegative() || rate < 0) {
            throw new ParameterException(spec.commandLine(), "--duration must be > 0, --warmup and --rate >= 0");
        }
        PrintStream log = System.err;
        Instant startedAt = Instant.now();

        List<VirtualUser> virtualUsers = new ArrayList<>(users);
        List<UserRecorder> recorders = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            UserRecorder recorder = new UserRecorder(scenario.seriesNames());
            recorders.add(recorder);
            int readTimeoutMillis = (int) timeout.plus(scenario.longestRequest()).toMillis();
            virtualUsers.add(new VirtualUser(i, new HttpConnection(i == 0 ? senderTarget : target, readTimeoutMillis), recorder));
        }
        try {
            log.printf("[bench] %s: %s against %s, %d users, run id %s%n", label, scenario.name(), target.baseUrl(), users, runId);
            long setupStart = System.nanoTime();
            List<Scenario.SetupStep> steps = new ArrayList<>();
            steps.add(scenario::prepare);
            steps.addAll(scenario.setupSteps());
            String setupError = null;
            for (int i = 0; i < steps.size() && setupError == null; i++) {
                long stepStart = System.nanoTime();
                setupError = runSetupStep(virtualUsers, steps.get(i), threadKind);
                log.printf(Locale.ROOT, "[bench] setup step %d of %d: %.1f s%n", i + 1, steps.size(), (System.nanoTime() - stepStart) / 1e9);
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            if (setupError != null) {
                log.println("[bench] setup failed: " + setupError);
                return EXIT_SETUP_FAILED;
            }
            log.printf(Locale.ROOT, "[bench] setup done in %.1f s; warm-up %.1f s, then measuring %.1f s%n",
                    setupSeconds, warmup.toNanos() / 1e9, duration.toNanos() / 1e9);

            RunWindow window = RunWindow.startingNow(warmup, duration);
            WindowSampler sampler = WindowSampler.start(window, serverPid);
            driver.run(virtualUsers, scenario, window, threadKind);
            WindowSampler.Sample sample = sampler.await();

            List<SeriesResult> series = scenario.seriesNames().stream().map(name -> SeriesResult.merge(name, recorders)).toList();
            LatencyStats lag = null;
            if (rate > 0) {
                SampleBuffer lags = new SampleBuffer();
                recorders.forEach(r -> lags.addAll(r.scheduleLags()));
                lag = LatencyStats.of(lags);
            }
            long connections = virtualUsers.stream().mapToLong(u -> u.connection().connectionsOpened()).sum();
            RunReport report = new RunReport(label, scenario.name(), target.baseUrl(), runId, startedAt, users, rate,
                    warmup.toNanos() / 1e9, window.measuredSeconds(), setupSeconds, series, lag, connections, sample, serverPid, scenario.figures());
            if (json) {
                report.printTable(System.err);
                System.out.println(report.toJsonLine());
            } else {
                report.printTable(System.out);
            }
            return 0;
        } finally {
            virtualUsers.forEach(VirtualUser::close);
        }
    }

    /**
     * Runs one unmeasured setup step for every user, at most {@link #SETUP_CONCURRENCY} at a
     * time; returns the first error, or null.
     */
    private static String runSetupStep(List<VirtualUser> users, Scenario.SetupStep step, ThreadKind threadKind)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        String[] firstError = new String[1];
        Semaphore slots = new Semaphore(SETUP_CONCURRENCY);
        for (VirtualUser user : users) {
            threads.add(threadKind.builder("setup-" + user.index()).start(() -> {
                slots.acquireUninterruptibly();
                try {
                    step.run(user);
                } catch (RequestFailure | RuntimeException e) {
                    synchronized (firstError) {
                        if (firstError[0] == null) {
                            firstError[0] = "user " + user.index() + ": " + e.getMessage();
                        }
                    }
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return firstError[0];
    }
}
