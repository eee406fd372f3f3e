package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** X-Matrix signing and header parsing (Server-Server API "Request Authentication"). */
class XMatrixTest {
    /** The spec's test-vector seed (appendix "Cryptographic Test Vectors"). */
    static final SigningKey KEY = new SigningKey("1", UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));

    @Test
    void theSignedObjectIsTheSpecsShapeInCanonicalForm() {
        JsonNode content = Json.parse("{\"b\":1,\"a\":\"x\"}");
        String canonical = new String(CanonicalJson.encode(
                XMatrix.signedObject("PUT", "/_matrix/federation/v1/send/1%21", "origin.example", "dest.example", content)),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(canonical).isEqualTo("{\"content\":{\"a\":\"x\",\"b\":1},\"destination\":\"dest.example\",\"method\":\"PUT\","
                + "\"origin\":\"origin.example\",\"uri\":\"/_matrix/federation/v1/send/1%21\"}");
        String withoutBody = new String(CanonicalJson.encode(XMatrix.signedObject("GET", "/x", "o", "d", null)),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(withoutBody).doesNotContain("content");
    }

    @Test
    void aSignatureCoversMethodTargetOriginDestinationAndBody() {
        JsonNode body = Json.parse("{\"k\":1}");
        String header = XMatrix.authorization(KEY, "POST", "/p?q=%40a", "domain", "dest", body);
        XMatrix.Header h = XMatrix.parse(header).orElseThrow();
        assertThat(h.origin()).isEqualTo("domain");
        assertThat(h.destination()).isEqualTo("dest");
        assertThat(h.key()).isEqualTo("ed25519:1");
        byte[] pub = UnpaddedBase64.decode(KEY.publicKeyBase64());
        assertThat(XMatrix.verify(pub, h.sig(), "POST", "/p?q=%40a", "domain", "dest", body)).isTrue();
        assertThat(XMatrix.verify(pub, h.sig(), "PUT", "/p?q=%40a", "domain", "dest", body)).isFalse();
        assertThat(XMatrix.verify(pub, h.sig(), "POST", "/p?q=@a", "domain", "dest", body)).isFalse(); // decoded target
        assertThat(XMatrix.verify(pub, h.sig(), "POST", "/p?q=%40a", "other", "dest", body)).isFalse();
        assertThat(XMatrix.verify(pub, h.sig(), "POST", "/p?q=%40a", "domain", "elsewhere", body)).isFalse();
        assertThat(XMatrix.verify(pub, h.sig(), "POST", "/p?q=%40a", "domain", "dest", Json.parse("{\"k\":2}"))).isFalse();
        assertThat(XMatrix.verify(pub, h.sig(), "POST", "/p?q=%40a", "domain", "dest", null)).isFalse();
        assertThat(XMatrix.verify(pub, "!!notbase64", "POST", "/p?q=%40a", "domain", "dest", body)).isFalse();
    }

    @Test
    void contentStrictCanonicalJsonRefusesIsSignedAndVerifiedInSynapsesRelaxedForm() {
        JsonNode body = Json.parse("{\"v\":1.5,\"n\":1}");
        String header = XMatrix.authorization(KEY, "PUT", "/send/1", "domain", "dest", body);
        XMatrix.Header h = XMatrix.parse(header).orElseThrow();
        byte[] pub = UnpaddedBase64.decode(KEY.publicKeyBase64());
        assertThat(XMatrix.verify(pub, h.sig(), "PUT", "/send/1", "domain", "dest", body)).isTrue();
        // What Synapse's canonicaljson writes and signs for the same request.
        byte[] python = "{\"content\":{\"n\":1,\"v\":1.5},\"destination\":\"dest\",\"method\":\"PUT\",\"origin\":\"domain\",\"uri\":\"/send/1\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String pythonSig = UnpaddedBase64.encode(KEY.sign(python));
        assertThat(XMatrix.verify(pub, pythonSig, "PUT", "/send/1", "domain", "dest", body)).isTrue();
    }

    @Test
    void headersParseTolerantly() {
        var h = XMatrix.parse("X-Matrix origin=\"a.example:8448\" , Key=\"ed25519:k\",\tsig=\"s\\\"ig\", destination=b.example")
                .orElseThrow();
        assertThat(h.origin()).isEqualTo("a.example:8448");
        assertThat(h.key()).isEqualTo("ed25519:k");
        assertThat(h.sig()).isEqualTo("s\"ig");
        assertThat(h.destination()).isEqualTo("b.example");
        assertThat(XMatrix.parse("x-matrix origin=a,key=ed25519:k,sig=s")).isPresent(); // scheme case-insensitive, bare values
        assertThat(XMatrix.parse("X-Matrix origin=a,key=ed25519:k,sig=s").get().destination()).isNull();
    }

    @Test
    void malformedHeadersAreRejected() {
        for (String bad : new String[] {null, "", "Bearer x", "X-Matrix", "X-Matrix ", "X-Matrixorigin=a,key=k,sig=s",
                "X-Matrix origin=a,key=k", "X-Matrix origin=\"a,key=k,sig=s", "X-Matrix origin=a key=k sig=s", "X-Matrix =a,key=k,sig=s",
                "X-Matrix origin=\"\",key=k,sig=s"}) {
            assertThat(XMatrix.parse(bad)).as(String.valueOf(bad)).isEmpty();
        }
    }
}
