package org.callhs.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus listener: off by default; when on, the JVM, HTTP requests per endpoint and
 * status, the database pools, waiting long-polls and rate-limit refusals, in both exposition
 * formats; anything but {@code GET /metrics} is refused.
 */
class MetricsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(int port, String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (accept != null) request.header("Accept", accept);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double sample(String exposition, String name, String... labels) {
        return TestServer.sample(exposition, name, labels);
    }

    @Test
    void metricsAreOffByDefault() {
        try (TestServer server = TestServer.start(Backend.SQLITE)) {
            assertThatThrownBy(() -> server.homeserver().metricsPort()).isInstanceOf(IllegalStateException.class);
            TestClient.Resp onClientListener = server.client().get("/metrics", null);
            assertThat(onClientListener.status()).isEqualTo(404);
            assertThat(onClientListener.errcode()).isEqualTo("M_UNRECOGNIZED");
        }
    }

    @Test
    void theListenerServesTheServersMeters() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, "metrics.listen=\"127.0.0.1:0\"", "rate_limits.enabled=true",
                "rate_limits.login.burst=1", "rate_limits.login.per_second=0.001")) {
            TestClient client = server.client();
            int port = server.homeserver().metricsPort();
            String token = server.registerToken("metered");
            client.get("/_matrix/client/v3/account/whoami", token);
            client.get("/_matrix/client/v3/account/whoami", token);
            client.get("/_matrix/client/v3/no/such/endpoint", token);
            // The second login inside the burst of one is refused.
            client.login("metered", "wrong-password", null);
            assertThat(client.login("metered", "wrong-password", null).status()).isEqualTo(429);
            // A long-poll waiting while the metrics are read.
            CompletableFuture<TestClient.Resp> poll = CompletableFuture.supplyAsync(() ->
                    client.get("/_matrix/client/v3/sync?timeout=3000&since=" + TestClient.seg(
                            client.get("/_matrix/client/v3/sync?timeout=0", token).text("next_batch")), token));
            String exposition = "";
            for (int i = 0; i < 100; i++) {
                exposition = get(port, "/metrics", null).body();
                if (exposition.contains("callhs_sync_waiting 1.0")) break;
                Thread.sleep(20);
            }

            HttpResponse<String> text = get(port, "/metrics", null);
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
            assertThat(exposition).contains("callhs_sync_waiting 1.0");
            String body = text.body();
            assertThat(sample(body, "callhs_http_requests_seconds_count", "endpoint=\"/_matrix/client/v3/account/whoami\"",
                    "status=\"200\"", "method=\"GET\"", "listener=\"client\"")).isEqualTo(2.0);
            assertThat(sample(body, "callhs_http_requests_seconds_count", "endpoint=\"unmatched\"", "status=\"404\"")).isEqualTo(1.0);
            assertThat(sample(body, "callhs_http_requests_seconds_count", "endpoint=\"/_matrix/client/v3/login\"", "status=\"429\""))
                    .isEqualTo(1.0);
            assertThat(sample(body, "callhs_http_requests_seconds_bucket", "endpoint=\"/_matrix/client/v3/account/whoami\"",
                    "le=\"60.0\"")).isEqualTo(2.0);
            assertThat(sample(body, "callhs_rate_limited_total", "class=\"login\"")).isEqualTo(1.0);
            assertThat(sample(body, "hikaricp_connections_max", "pool=\"homeserver-db-write\"")).isEqualTo(1.0);
            assertThat(sample(body, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
            assertThat(sample(body, "jvm_threads_live_threads")).isPositive();
            assertThat(sample(body, "process_uptime_seconds")).isPositive();
            assertThat(poll.get().status()).isEqualTo(200);

            HttpResponse<String> openMetrics = get(port, "/metrics", "application/openmetrics-text; version=1.0.0");
            assertThat(openMetrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
            assertThat(openMetrics.body()).contains("# EOF");

            assertThat(get(port, "/", null).statusCode()).isEqualTo(404);
            assertThat(get(port, "/_matrix/client/versions", null).statusCode()).isEqualTo(404);
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
            // The metrics listener serves no Matrix API, and the client listener no metrics.
            assertThat(client.get("/metrics", null).status()).isEqualTo(404);
        }
    }

    @Test
    void aBadListenAddressStopsStartUp() {
        assertThatThrownBy(() -> TestServer.start(Backend.SQLITE, "metrics.listen=\"no-port-here\""))
                .hasMessageContaining("metrics.listen");
    }
}
