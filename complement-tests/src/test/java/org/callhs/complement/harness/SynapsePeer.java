package org.callhs.complement.harness;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Synapse as a federation peer, started with {@code bench/synapse/run-synapse-peer.sh}
 * (which installs the pinned Synapse into its venv on first use): server name
 * {@code localhost:<federation port>}, TLS federation listener, loopback allowed, quick retries,
 * open registration. It keeps its directory across {@link #stop}, {@link #kill} and
 * {@link #start}, so users, keys and queued messages survive as in production.
 */
public final class SynapsePeer implements Homeserver, AutoCloseable {
    private static final Path SCRIPT = Path.of(System.getProperty("basedir", "."), "..", "bench", "synapse", "run-synapse-peer.sh");
    private final Path dir;
    private final int federationPort;
    private final int clientPort;

    public SynapsePeer(Path dir) {
        this.dir = dir;
        this.federationPort = HomeserverProcess.freePort();
        this.clientPort = HomeserverProcess.freePort();
    }

    @Override public String name() { return "synapse"; }

    @Override public URI baseUrl() { return URI.create("http://127.0.0.1:" + clientPort); }

    @Override public String serverName() { return "localhost:" + federationPort; }

    public Path logFile() { return dir.resolve("homeserver.log"); }

    /** Starts Synapse and waits until it answers; fails with the script's output when it cannot. */
    public void start() {
        run("start", dir.toString(), Integer.toString(federationPort), Integer.toString(clientPort));
    }

    /** SIGTERM, and waits for the exit. */
    public void stop() {
        run("stop", dir.toString());
    }

    /** SIGSTOP: Synapse freezes; connections to it are accepted by the kernel but never answered. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        Path pidFile = dir.resolve("synapse.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + name + " " + pid + " failed: " + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** kill -9: Synapse gets no chance to finish anything. */
    public void kill() {
        Path pidFile = dir.resolve("synapse.pid");
        try {
            if (!Files.exists(pidFile)) return;
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().join();
            });
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException | AssertionError e) {
            kill();
        }
    }

    private void run(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toAbsolutePath().normalize().toString()));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(dir);
            Path output = dir.resolve("script-" + args[0] + ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(15, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in 15 minutes");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " failed (exit " + process.exitValue() + "). Synapse is installed from PyPI into a venv "
                        + "by bench/synapse/install-synapse.sh (needs python3-venv and network access to PyPI). Output:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
