package org.callhs.complement.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A homeserver started from the built jar: {@code java -jar homeserver.jar run ...}, output appended
 * to {@link #logFile()}. Ports, data directory and database stay the same across restarts.
 *
 * <p>The server name is {@code localhost:<federation port>}: the port in a server name is where
 * other servers reach its federation listener, so several of these can federate with each other.
 */
public final class HomeserverProcess implements Homeserver, AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(120);
    private static final String HOST = "127.0.0.1";

    /** Everything still running when the test JVM exits is killed, so no homeserver outlives a build. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "kill-leftover-homeservers"));
    }

    private final String name;
    private final Path dataDir;
    private final Path logFile;
    private final String databaseUrl;
    private final HomeserverOptions options;
    private final int clientPort;
    private final int federationPort;
    private Process process;
    private int starts;

    HomeserverProcess(String name, Path dataDir, Path logFile, String databaseUrl, HomeserverOptions options) {
        this.name = name;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.databaseUrl = databaseUrl;
        this.options = options;
        this.clientPort = freePort();
        this.federationPort = freePort();
    }

    @Override public String name() { return name; }

    @Override public URI baseUrl() { return URI.create("http://" + HOST + ":" + clientPort); }

    /** {@code https://127.0.0.1:<port>} of the federation listener (self-signed certificate). */
    public URI federationUrl() { return URI.create("https://" + HOST + ":" + federationPort); }

    @Override public String serverName() { return "localhost:" + federationPort; }

    /** An unauthenticated request to the federation listener, e.g. {@code ("GET", "_matrix", "key", "v2", "server")}. */
    public CsRequest federationRequest(String method, String... path) {
        return new CsRequest(HttpClients.trustAll(), federationUrl(), method, PathEncoding.path(path), null);
    }

    public Path dataDir() { return dataDir; }

    public Path logFile() { return logFile; }

    /** The {@code --database-url} passed to the server, or null for its default (SQLite in the data dir). */
    public String databaseUrl() { return databaseUrl; }

    public boolean isRunning() { return process != null && process.isAlive(); }

    // ---- lifecycle ----------------------------------------------------------------------------

    /** Starts the server and waits until {@code GET /_matrix/client/versions} answers 200. */
    public void start() {
        if (isRunning()) throw new IllegalStateException(name + " is already running");
        List<String> command = new ArrayList<>(javaCommand());
        command.add("run");
        options.configFile().ifPresent(f -> command.addAll(List.of("--config", f.toAbsolutePath().toString())));
        command.addAll(List.of(
                "--server-name", serverName(),
                "--listen", HOST + ":" + clientPort,
                "--federation-listen", HOST + ":" + federationPort,
                "--data-dir", dataDir.toAbsolutePath().toString()));
        if (databaseUrl != null) command.addAll(List.of("--database-url", databaseUrl));
        if (options.registrationEnabled()) command.add("--enable-registration");
        String level = System.getProperty("complement.logLevel", "");
        if (!level.isBlank()) command.addAll(List.of("--set", "logging.level=" + level));
        for (Map.Entry<String, String> e : options.settings().entrySet()) {
            command.addAll(List.of("--set", e.getKey() + "=" + e.getValue()));
        }

        starts++;
        appendToLog("==== complement: start #" + starts + " at " + Instant.now() + ": " + redact(command));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dataDir.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
        LIVE.add(process);
        ServerLogs.running(name + " of " + dataDir.getParent().getParent().getFileName(), logFile);
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(baseUrl() + "/_matrix/client/versions"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        String lastProblem = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                LIVE.remove(process);
                ServerLogs.stopped(logFile);
                throw new AssertionError(name + " exited with code " + process.exitValue()
                        + " before it was ready. Log " + logFile.toAbsolutePath() + ":\n" + ServerLogs.tail(logFile));
            }
            try {
                HttpResponse<Void> r = HttpClients.plain().send(probe, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
                lastProblem = "status " + r.statusCode();
            } catch (IOException e) {
                lastProblem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        kill();
        throw new AssertionError(name + " not ready within " + READY_TIMEOUT.toSeconds() + " s (" + lastProblem
                + "). Log " + logFile.toAbsolutePath() + ":\n" + ServerLogs.tail(logFile));
    }

    /** SIGTERM, then waits for a graceful exit; fails if the server does not exit in time. */
    public void stop() {
        if (process == null || !process.isAlive()) return;
        appendToLogLater("==== complement: SIGTERM at " + Instant.now());
        process.destroy();
        boolean exited = waitFor(process, STOP_TIMEOUT);
        if (!exited) {
            process.destroyForcibly();
            waitFor(process, STOP_TIMEOUT);
        }
        LIVE.remove(process);
        ServerLogs.stopped(logFile);
        appendToLog("==== complement: exited with code " + (process.isAlive() ? "?" : process.exitValue()));
        if (!exited) {
            throw new AssertionError(name + " did not exit within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM (killed it). Log " + logFile.toAbsolutePath() + ":\n" + ServerLogs.tail(logFile));
        }
    }

    /** kill -9: no shutdown hooks, no flushing. */
    public void kill() {
        if (process == null || !process.isAlive()) return;
        appendToLogLater("==== complement: SIGKILL at " + Instant.now());
        process.destroyForcibly();
        waitFor(process, STOP_TIMEOUT);
        LIVE.remove(process);
        ServerLogs.stopped(logFile);
    }

    /** Graceful stop, then start with the same arguments. */
    public void restart() {
        stop();
        start();
    }

    @Override
    public void close() {
        stop();
    }

    // ---- command line tools ----------------------------------------------------------------------

    /** The result of a one-shot command of the jar ({@code register-user}, {@code generate-config}, ...). */
    public record CommandResult(int exitCode, String output) {}

    /** {@code java -jar homeserver.jar <args>}, run to completion (the output also goes to the server log). */
    public CommandResult runCommand(String... args) {
        return runJar(dataDir.getParent(), logFile, args);
    }

    /** {@code register-user} against this server's data dir and database. */
    public CommandResult registerUserViaCli(String localpart, String password, boolean admin) {
        List<String> args = new ArrayList<>(List.of("register-user",
                "--data-dir", dataDir.toAbsolutePath().toString(),
                "--server-name", serverName()));
        if (databaseUrl != null) args.addAll(List.of("--database-url", databaseUrl));
        args.addAll(List.of("--user", localpart, "--password", password));
        if (admin) args.add("--admin");
        return runCommand(args.toArray(String[]::new));
    }

    /** Runs the jar with {@code args} in {@code workDir}; output is captured and appended to {@code log}. */
    public static CommandResult runJar(Path workDir, Path log, String... args) {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(Arrays.asList(args));
        try {
            Files.createDirectories(workDir);
            Path output = Files.createTempFile(workDir, "command-", ".out");
            Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            LIVE.add(p);
            boolean exited = waitFor(p, CLI_TIMEOUT);
            if (!exited) p.destroyForcibly();
            LIVE.remove(p);
            String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
            Files.deleteIfExists(output);
            if (!exited) {
                throw new AssertionError("timed out after " + CLI_TIMEOUT.toSeconds() + " s: " + redact(command)
                        + "\n" + text);
            }
            if (log != null) {
                Files.createDirectories(log.getParent());
                Files.writeString(log, "==== complement: " + redact(command) + " -> exit " + p.exitValue() + "\n"
                        + text + (text.endsWith("\n") ? "" : "\n"),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            return new CommandResult(p.exitValue(), text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + redact(command), e);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** {@code <java> [jvm args] -jar <homeserver.jar>}, using the JVM that runs the tests. */
    private static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        String jvmArgs = System.getProperty("complement.serverJvmArgs", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        for (String arg : jvmArgs.trim().split("\\s+")) if (!arg.isEmpty()) command.add(arg);
        command.add("-jar");
        command.add(jar().toString());
        return command;
    }

    /** The jar under test: system property {@code homeserver.jar} (set by the pom). */
    public static Path jar() {
        String configured = System.getProperty("homeserver.jar");
        Path jar = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("basedir", "."), "..", "homeserver-app", "target", "homeserver.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("homeserver jar not found at " + jar.toAbsolutePath()
                    + ": build it first (./mvnw -pl homeserver-app -am package -DskipTests), or run `./mvnw verify`,"
                    + " or pass -Dhomeserver.jar=/path/to/homeserver.jar");
        }
        return jar.toAbsolutePath().normalize();
    }

    /** Hides passwords in the database URL and after {@code --password} when echoing commands. */
    private static String redact(List<String> command) {
        List<String> shown = new ArrayList<>(command);
        for (int i = 0; i < shown.size(); i++) {
            shown.set(i, shown.get(i).replaceAll("password=[^&]*", "password=***"));
            if (i > 0 && shown.get(i - 1).equals("--password")) shown.set(i, "***");
        }
        return String.join(" ", shown);
    }

    private void appendToLog(String line) {
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Marks a point in the log while the server may be writing to it too (best effort). */
    private void appendToLogLater(String line) {
        try {
            appendToLog(line);
        } catch (UncheckedIOException ignored) {
            // only a marker
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ports already given to a server of this JVM: the kernel may offer a just-closed one again. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    static int freePort() {
        while (true) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                socket.setReuseAddress(true);
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (HANDED_OUT.add(port)) return port;
        }
    }
}
