package org.callhs.rtc;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code rtc.livekit}: the built-in LiveKit token service (what element-hq/lk-jwt-service does
 * beside other homeservers). When {@code url}, {@code key} and a secret are set, the server
 * serves the service under {@link LiveKitService#PATH} and advertises it as a {@code livekit}
 * transport.
 *
 * @param url                        the SFU's WebSocket URL, handed to clients ({@code ws://} or {@code wss://})
 * @param apiUrl                     the SFU's HTTP API for room creation and participant checks; null: {@code url}
 *                                   with {@code ws} made {@code http}
 * @param key                        the LiveKit API key
 * @param secret                     the API secret (at least 32 bytes, as LiveKit requires outside dev mode); or
 * @param secretPath                 a file holding it (surrounding white space ignored), so that it need not sit
 *                                   in the configuration file
 * @param fullAccessHomeservers      users of these servers may have rooms created on the SFU (and hand over
 *                                   delayed leaves, local users only); others get a token for a room that
 *                                   must already exist. Null: this server only; {@code ["*"]}: everyone
 * @param emptyTimeoutSeconds        how long LiveKit keeps a created room nobody joins; null: 300
 * @param departureTimeoutSeconds    how long LiveKit keeps a room after the last participant left; null: 20
 * @param participantCheckSeconds    how often a connected, watched participant is looked up on the SFU, in case a
 *                                   webhook is lost or LiveKit's webhook is not configured; null: 10; 0: never
 *                                   (webhooks only, lk-jwt-service's default). Element Call hands its leave over
 *                                   with a one-hour delay, so without webhooks and without this check a crashed
 *                                   client would stay in the call for that hour
 */
public record LiveKitConfig(String url, String apiUrl, String key, String secret, String secretPath,
                            List<String> fullAccessHomeservers, Integer emptyTimeoutSeconds,
                            Integer departureTimeoutSeconds, Integer participantCheckSeconds, Integer roomCacheSeconds) {
    private static final String WHERE = RtcConfig.SECTION + ".livekit";

    void validate() {
        if (url == null || !(url.startsWith("ws://") || url.startsWith("wss://"))) {
            throw new IllegalArgumentException(WHERE + ".url must be the SFU's ws:// or wss:// URL");
        }
        if (apiUrl != null && !(apiUrl.startsWith("http://") || apiUrl.startsWith("https://"))) {
            throw new IllegalArgumentException(WHERE + ".api_url must be an http:// or https:// URL");
        }
        parse(url, "url");
        parse(effectiveApiUrl(), "api_url");
        if (key == null || key.isBlank()) throw new IllegalArgumentException(WHERE + ".key is required");
        if ((secret == null) == (secretPath == null)) {
            throw new IllegalArgumentException(WHERE + ": set exactly one of secret and secret_path");
        }
        if (effectiveSecret().getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException(WHERE + ": the secret must be at least 32 bytes long");
        }
        if (fullAccessHomeservers != null && fullAccessHomeservers.stream().anyMatch(s -> s == null || s.isBlank())) {
            throw new IllegalArgumentException(WHERE + ".full_access_homeservers must list server names");
        }
        positive(emptyTimeoutSeconds, "empty_timeout_seconds");
        positive(departureTimeoutSeconds, "departure_timeout_seconds");
        if (participantCheckSeconds != null && participantCheckSeconds < 0) {
            throw new IllegalArgumentException(WHERE + ".participant_check_seconds must not be negative");
        }
        if (roomCacheSeconds != null && roomCacheSeconds < 0) {
            throw new IllegalArgumentException(WHERE + ".room_cache_seconds must not be negative");
        }
    }

    private static void positive(Integer value, String name) {
        if (value != null && value <= 0) throw new IllegalArgumentException(WHERE + "." + name + " must be positive");
    }

    private static void parse(String value, String name) {
        try {
            URI uri = new URI(value);
            if (uri.getHost() == null) throw new IllegalArgumentException(WHERE + "." + name + " has no host");
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(WHERE + "." + name + " is not a URL: " + e.getMessage());
        }
    }

    /** The HTTP base of the SFU's server API, without a trailing slash. */
    String effectiveApiUrl() {
        String base = apiUrl != null ? apiUrl : url.replaceFirst("^ws", "http");
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** The API secret, read from {@code secret_path} when that is how it is given. */
    String effectiveSecret() {
        if (secret != null) return secret;
        try {
            return Files.readString(Path.of(secretPath), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException(WHERE + ".secret_path: cannot read " + secretPath + ": " + e.getMessage());
        }
    }

    /** Whether users of {@code serverName} have full access, this server's users always. */
    boolean fullAccess(String serverName, String ownServerName) {
        if (fullAccessHomeservers == null) return serverName.equals(ownServerName);
        if (fullAccessHomeservers.size() == 1 && fullAccessHomeservers.get(0).equals("*")) return true;
        return serverName.equals(ownServerName) || fullAccessHomeservers.contains(serverName);
    }

    int emptyTimeout() { return emptyTimeoutSeconds != null ? emptyTimeoutSeconds : 300; }

    int departureTimeout() { return departureTimeoutSeconds != null ? departureTimeoutSeconds : 20; }

    java.time.Duration roomCache() { return java.time.Duration.ofSeconds(roomCacheSeconds != null ? roomCacheSeconds : 5); }

    long participantCheckMs() { return participantCheckSeconds != null ? participantCheckSeconds * 1000L : 10_000; }
}
