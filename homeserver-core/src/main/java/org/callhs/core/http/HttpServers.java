package org.callhs.core.http;

import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.Executors;
import org.callhs.core.util.HostPort;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Builds the Jetty server: a plain HTTP client listener and an optional HTTPS federation
 * listener, each routed to its own handler. Request handling runs on virtual threads, so
 * handlers may block (database, long-polls) without tying up platform threads.
 *
 * <p>URI compliance is {@link UriCompliance#UNSAFE}: Matrix path parameters legitimately
 * contain encoded {@code /} and {@code %} (event types, state keys, user IDs), which Jetty's
 * default compliance rejects as ambiguous. That is safe here because nothing maps paths to
 * files: the router matches raw, still-encoded segments and decodes each one on its own.
 * Shutdown is graceful: in-flight requests get up to {@code stopTimeoutMillis} to finish.
 */
public final class HttpServers {
    public static final String CLIENT = "client";
    public static final String FEDERATION = "federation";
    public static final String METRICS = "metrics";

    private HttpServers() {}

    public static Server build(HostPort client, Handler clientHandler, HostPort federation, KeyStore federationKeys,
                               Handler federationHandler, long stopTimeoutMillis) {
        return build(client, clientHandler, federation, federationKeys, federationHandler, null, null, stopTimeoutMillis);
    }

    /** As the other {@code build}, plus a plain HTTP metrics listener when {@code metrics} is not null. */
    public static Server build(HostPort client, Handler clientHandler, HostPort federation, KeyStore federationKeys,
                               Handler federationHandler, HostPort metrics, Handler metricsHandler, long stopTimeoutMillis) {
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("http");
        pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("request-", 0).factory()));
        Server server = new Server(pool);
        server.setErrorHandler(new JsonErrorHandler());
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.UNSAFE);
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        // No per-connection cache of parsed header lines: Jetty sizes it at 1,024 trie rows, a
        // 96 KiB table for every connection that sends a second request, so 1,000 clients holding
        // /sync long-polls kept 96 MiB of heap for it; without it a header line costs a small
        // String, once per request.
        http.setHeaderCacheSize(0);

        ServerConnector clientConnector = new ServerConnector(server, new HttpConnectionFactory(http));
        clientConnector.setName(CLIENT);
        clientConnector.setHost(client.host());
        clientConnector.setPort(client.port());
        server.addConnector(clientConnector);

        Map<String, Handler> byConnector = new java.util.HashMap<>();
        byConnector.put(CLIENT, clientHandler);
        if (federation != null) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(federationKeys);
            ssl.setKeyStorePassword(new String(org.callhs.core.s2s.TlsMaterial.STORE_PASSWORD));
            HttpConfiguration https = new HttpConfiguration(http);
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            https.addCustomizer(secure);
            ServerConnector federationConnector = new ServerConnector(server,
                    new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
            federationConnector.setName(FEDERATION);
            federationConnector.setHost(federation.host());
            federationConnector.setPort(federation.port());
            server.addConnector(federationConnector);
            byConnector.put(FEDERATION, federationHandler);
        }
        if (metrics != null) {
            ServerConnector metricsConnector = new ServerConnector(server, new HttpConnectionFactory(http));
            metricsConnector.setName(METRICS);
            metricsConnector.setHost(metrics.host());
            metricsConnector.setPort(metrics.port());
            server.addConnector(metricsConnector);
            byConnector.put(METRICS, metricsHandler);
        }
        GracefulHandler graceful = new GracefulHandler(new ByConnector(byConnector));
        server.setHandler(graceful);
        server.setStopTimeout(stopTimeoutMillis);
        server.setStopAtShutdown(false);
        for (Handler h : byConnector.values()) {
            h.setServer(server);
            server.addBean(h);
        }
        return server;
    }

    /** The actual port of a connector (useful when configured with port 0). */
    public static int port(Server server, String connectorName) {
        for (Connector c : server.getConnectors()) {
            if (connectorName.equals(c.getName()) && c instanceof ServerConnector sc) return sc.getLocalPort();
        }
        throw new IllegalStateException("no connector " + connectorName);
    }

    /** Dispatches to the handler of the connector the request arrived on. */
    private static final class ByConnector extends Handler.Abstract {
        private final Map<String, Handler> handlers;

        ByConnector(Map<String, Handler> handlers) {
            this.handlers = handlers;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Handler handler = handlers.get(request.getConnectionMetaData().getConnector().getName());
            return handler != null && handler.handle(request, response, callback);
        }
    }
}
