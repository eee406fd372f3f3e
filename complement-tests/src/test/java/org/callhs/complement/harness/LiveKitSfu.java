package org.callhs.complement.harness;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real LiveKit SFU ({@code livekit-server} v1.13.5) on loopback: one API key, room auto-create
 * off (rooms come from the token service), media on loopback, webhooks to the given URL (or none).
 * The binary comes from {@code CALLHS_LIVEKIT} (or {@code -Dcallhs.livekit}), else from
 * {@code .ci/livekit.sh}, which this class runs when the binary is missing (it builds it once with
 * the Go toolchain from the Go module proxy, and keeps it by version under {@code ~/.cache}).
 * Its log is kept beside the homeservers' logs.
 */
public final class LiveKitSfu implements AutoCloseable {
    public static final String KEY = "callhs";

    private final Process process;
    private final int port;
    private final Path log;

    private LiveKitSfu(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** A free loopback port, to name in the homeserver's configuration before the SFU starts. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The binary, built by {@code .ci/livekit.sh} when there is none. */
    public static Path binary() {
        String configured = System.getProperty("callhs.livekit", System.getenv("CALLHS_LIVEKIT"));
        if (configured != null && !configured.isBlank() && Files.isExecutable(Path.of(configured))) return Path.of(configured);
        return Path.of(CiScripts.export("livekit.sh", "CALLHS_LIVEKIT"));
    }

    /**
     * Starts the SFU on {@code port} with {@code secret}, sending webhooks to {@code webhookUrl}
     * (null: no webhook), logging to {@code log}, and waits until it answers.
     */
    public static LiveKitSfu start(int port, String secret, String webhookUrl, Path log) throws Exception {
        Files.createDirectories(log.getParent());
        Path config = log.resolveSibling(log.getFileName() + ".yaml");
        List<String> lines = new ArrayList<>(List.of(
                "port: " + port,
                "bind_addresses: [\"127.0.0.1\"]",
                "rtc:",
                "  tcp_port: " + freePort(),
                "  udp_port: " + freePort(),
                "  node_ip: 127.0.0.1",
                "  use_external_ip: false",
                "keys:",
                "  " + KEY + ": " + secret,
                "room:",
                "  auto_create: false",
                "logging:",
                "  level: debug"));
        if (webhookUrl != null) lines.addAll(List.of("webhook:", "  api_key: " + KEY, "  urls: [\"" + webhookUrl + "\"]"));
        Files.writeString(config, String.join("\n", lines) + "\n");
        Process process = new ProcessBuilder(binary().toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LiveKitSfu sfu = new LiveKitSfu(process, port, log);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException("livekit-server exited; its log: " + log);
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return sfu;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                sfu.close();
                throw new IllegalStateException("livekit-server did not answer within 30 s; its log: " + log);
            }
            Thread.sleep(100);
        }
    }

    public String webSocketUrl() { return "ws://127.0.0.1:" + port; }

    public Path log() { return log; }

    /** The SFU's log so far. */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
