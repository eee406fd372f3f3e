package org.callhs.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** Join tokens carry LiveKit's claims; webhooks are accepted only with LiveKit's signature over the exact body, in date. */
class LiveKitTokensTest {
    private static final String KEY = "key";
    private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private final LiveKitTokens tokens = new LiveKitTokens(KEY, SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

    private static String webhookToken(String issuer, String secret, byte[] body, Instant expiry) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).notBeforeTime(Date.from(NOW.minusSeconds(1)))
                .expirationTime(Date.from(expiry)).claim("sha256", Base64.getEncoder().encodeToString(LiveKitTokens.sha256(body))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void joinTokensNameTheIdentityTwiceAndLastAnHour() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(tokens.join("room", "identity")).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("identity");
        assertThat(claims.getStringClaim("identity")).isEqualTo("identity");
        assertThat(claims.getIssuer()).isEqualTo(KEY);
        assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(NOW);
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(claims.getJWTID()).isNull();
    }

    @Test
    void webhookSignaturesAreChecked() throws Exception {
        byte[] body = "{\"event\":\"participant_left\"}".getBytes(StandardCharsets.UTF_8);
        Instant later = NOW.plusSeconds(300);
        assertThat(tokens.webhookSigned(webhookToken(KEY, SECRET, body, later), body)).isTrue();
        assertThat(tokens.webhookSigned("Bearer " + webhookToken(KEY, SECRET, body, later), body)).isTrue();
        assertThat(tokens.webhookSigned(webhookToken("other-key", SECRET, body, later), body)).as("another key").isFalse();
        assertThat(tokens.webhookSigned(webhookToken(KEY, SECRET + "x", body, later), body)).as("another secret").isFalse();
        assertThat(tokens.webhookSigned(webhookToken(KEY, SECRET, body, later), "{}".getBytes(StandardCharsets.UTF_8))).as("another body").isFalse();
        assertThat(tokens.webhookSigned(webhookToken(KEY, SECRET, body, NOW.minusSeconds(61)), body)).as("expired").isFalse();
        assertThat(tokens.webhookSigned(webhookToken(KEY, SECRET, body, NOW.minusSeconds(30)), body)).as("within the leeway").isTrue();
        assertThat(tokens.webhookSigned(null, body)).isFalse();
        assertThat(tokens.webhookSigned("garbage", body)).isFalse();
        JWTClaimsSet noHash = new JWTClaimsSet.Builder().issuer(KEY).expirationTime(Date.from(later)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), noHash);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        assertThat(tokens.webhookSigned(jwt.serialize(), body)).as("no body hash").isFalse();
    }
}
