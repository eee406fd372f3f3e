package org.callhs.complement.harness;

import java.net.Socket;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** The two HTTP clients of the harness: plain HTTP/1.1, and HTTPS trusting any certificate. */
public final class HttpClients {

    /** Every request gets this long before it counts as hung. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private static final HttpClient PLAIN = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private static volatile HttpClient trustAll;

    private HttpClients() {}

    public static HttpClient plain() { return PLAIN; }

    /**
     * For the federation listener's self-signed certificate. The trust manager is an
     * {@link X509ExtendedTrustManager} that accepts everything, which also skips host name checks.
     */
    public static HttpClient trustAll() {
        if (trustAll == null) {
            synchronized (HttpClients.class) {
                if (trustAll == null) {
                    try {
                        SSLContext tls = SSLContext.getInstance("TLS");
                        tls.init(null, new TrustManager[] {new AcceptAnything()}, new SecureRandom());
                        trustAll = HttpClient.newBuilder()
                                .version(HttpClient.Version.HTTP_1_1)
                                .connectTimeout(Duration.ofSeconds(10))
                                .sslContext(tls)
                                .build();
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return trustAll;
    }

    private static final class AcceptAnything extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
