package org.callhs.rtc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LiveKit access tokens (HS256 JWTs signed with the API secret, as LiveKit's own SDKs make them):
 * join tokens for clients, short server tokens for LiveKit's room API, and the check of the
 * token LiveKit signs each webhook with. See https://docs.livekit.io/home/get-started/authentication/
 */
final class LiveKitTokens {
    /** How long a join token is valid, as lk-jwt-service makes them. */
    static final long JOIN_LIFETIME_MS = 3_600_000;
    private static final long SERVER_LIFETIME_MS = 600_000;
    /** Clock skew allowed between LiveKit and this server on a webhook's token. */
    private static final long LEEWAY_MS = 60_000;

    private final String apiKey;
    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Clock clock;

    LiveKitTokens(String apiKey, String apiSecret, Clock clock) {
        this.apiKey = apiKey;
        this.clock = clock;
        try {
            byte[] secret = apiSecret.getBytes(StandardCharsets.UTF_8);
            this.signer = new MACSigner(secret);
            this.verifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable LiveKit API secret: " + e.getMessage(), e);
        }
    }

    /** A token to join {@code room} as {@code identity}, publishing and subscribing, valid one hour. */
    String join(String room, String identity) {
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("roomJoin", true);
        video.put("room", room);
        video.put("canPublish", true);
        video.put("canSubscribe", true);
        video.put("canUpdateOwnMetadata", true);
        return sign(identity, video, JOIN_LIFETIME_MS);
    }

    /** A token for LiveKit's room API that may create rooms. */
    String roomCreate() {
        return sign(null, Map.of("roomCreate", true), SERVER_LIFETIME_MS);
    }

    /** A token for LiveKit's room API that may administer {@code room} (look up its participants). */
    String roomAdmin(String room) {
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("roomAdmin", true);
        video.put("room", room);
        return sign(null, video, SERVER_LIFETIME_MS);
    }

    private String sign(String identity, Map<String, Object> video, long lifetimeMs) {
        long now = clock.millis();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(apiKey)
                .issueTime(new Date(now / 1000 * 1000))
                .notBeforeTime(new Date(now / 1000 * 1000))
                .expirationTime(new Date((now + lifetimeMs) / 1000 * 1000))
                .claim("video", video);
        // LiveKit's SDKs write the identity twice: as the subject and as the grant's own claim.
        if (identity != null) claims.subject(identity).claim("identity", identity);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a LiveKit token", e);
        }
        return jwt.serialize();
    }

    /**
     * Whether {@code authorization} (the webhook's {@code Authorization} header: LiveKit sends
     * the bare JWT; a {@code Bearer} prefix is accepted too) is LiveKit's signature over
     * {@code body}: HS256 with our secret, issued by our key, in date (a minute of leeway, as
     * LiveKit allows) and carrying the standard base64 of the raw body's SHA-256.
     */
    boolean webhookSigned(String authorization, byte[] body) {
        if (authorization == null || authorization.isBlank()) return false;
        String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : authorization.trim();
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) return false;
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            long now = clock.millis();
            if (!apiKey.equals(claims.getIssuer())) return false;
            if (claims.getExpirationTime() == null || claims.getExpirationTime().getTime() + LEEWAY_MS < now) return false;
            if (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().getTime() - LEEWAY_MS > now) return false;
            String sha256 = claims.getStringClaim("sha256");
            return sha256 != null && MessageDigest.isEqual(sha256.getBytes(StandardCharsets.US_ASCII),
                    Base64.getEncoder().encodeToString(sha256(body)).getBytes(StandardCharsets.US_ASCII));
        } catch (ParseException | JOSEException e) {
            return false;
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
