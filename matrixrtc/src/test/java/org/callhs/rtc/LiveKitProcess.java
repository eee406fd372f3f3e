package org.callhs.rtc;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real LiveKit SFU ({@code livekit-server} v1.13.5, as {@code .ci/livekit.sh} builds it) on
 * loopback for the tests: its own API key and secret, room auto-create off (rooms come from the
 * token service), webhooks to a URL given at start. Where the binary comes from: the system
 * property {@code callhs.livekit}, the environment variable {@code CALLHS_LIVEKIT}, then
 * {@code .ci/livekit.sh}'s cache ({@code ~/.cache/callhs-livekit/v1.13.5/bin/server}). Without
 * it the test fails saying how to build it; it is never skipped.
 */
final class LiveKitProcess implements AutoCloseable {
    static final String KEY = "callhs-test";
    static final String SECRET = "a-test-secret-of-more-than-32-bytes-for-hs256";
    private static final String HOW_TO_INSTALL = "Build the pinned LiveKit SFU with `eval \"$(.ci/livekit.sh)\"` from the repository root "
            + "(go install of livekit-server v1.13.5 into ~/.cache/callhs-livekit, a few minutes once), or point CALLHS_LIVEKIT at a "
            + "livekit-server binary.";

    private final Process process;
    private final int port;
    private final Path log;

    private LiveKitProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** A free loopback port for the SFU's HTTP/WebSocket listener, to name in the homeserver's config before either starts. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path binary() {
        String configured = System.getProperty("callhs.livekit", System.getenv("CALLHS_LIVEKIT"));
        Path path = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "callhs-livekit", "v1.13.5", "bin", "server");
        if (!Files.isExecutable(path)) throw new AssertionError("No livekit-server at " + path + ". " + HOW_TO_INSTALL);
        return path;
    }

    /** Starts the SFU on {@code port}, sending webhooks to {@code webhookUrl}, and waits until it answers. */
    static LiveKitProcess start(int port, String webhookUrl) throws Exception {
        Path dir = Files.createTempDirectory("callhs-livekit-");
        Path config = dir.resolve("livekit.yaml");
        int rtcPort = freePort();
        Files.writeString(config, String.join("\n",
                "port: " + port,
                "bind_addresses: [\"127.0.0.1\"]",
                "rtc:",
                "  tcp_port: " + rtcPort,
                "  udp_port: " + rtcPort,
                "  node_ip: 127.0.0.1",
                "  use_external_ip: false",
                "keys:",
                "  " + KEY + ": " + SECRET,
                "room:",
                "  auto_create: false",
                "webhook:",
                "  api_key: " + KEY,
                "  urls: [\"" + webhookUrl + "\"]",
                "logging:",
                "  level: info",
                ""));
        Path log = dir.resolve("livekit.log");
        Process process = new ProcessBuilder(List.of(binary().toString(), "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LiveKitProcess livekit = new LiveKitProcess(process, port, log);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException("livekit-server exited: " + livekit.log());
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(livekit.httpUrl() + "/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return livekit;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                livekit.close();
                throw new IllegalStateException("livekit-server did not answer within 30 s: " + livekit.log());
            }
            Thread.sleep(100);
        }
    }

    String httpUrl() { return "http://127.0.0.1:" + port; }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
