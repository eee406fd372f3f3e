package org.callhs.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** The spec's signing test vectors (appendix "Signing JSON"), and the key file round trip. */
class SigningTest {
    private static final String SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";

    @Test
    void specVectors() {
        SigningKey key = new SigningKey("1", UnpaddedBase64.decode(SEED));
        assertThat(key.publicKeyBase64()).isEqualTo("XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI");
        JsonSigner signer = new JsonSigner("domain", key);
        ObjectNode empty = signer.sign(Json.object());
        assertThat(empty.path("signatures").path("domain").path("ed25519:1").asText())
                .isEqualTo("K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ");
        ObjectNode data = signer.sign((ObjectNode) Json.parse("{\"one\":1,\"two\":\"Two\"}"));
        assertThat(data.path("signatures").path("domain").path("ed25519:1").asText())
                .isEqualTo("KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw");
        assertThat(JsonSigner.verify(data, "domain", "ed25519:1", UnpaddedBase64.decode(key.publicKeyBase64()))).isTrue();
        data.put("one", 2);
        assertThat(JsonSigner.verify(data, "domain", "ed25519:1", UnpaddedBase64.decode(key.publicKeyBase64()))).isFalse();
    }

    @Test
    void unsignedIsNotSignedAndSurvives() {
        SigningKey key = new SigningKey("1", UnpaddedBase64.decode(SEED));
        ObjectNode withUnsigned = (ObjectNode) Json.parse("{\"one\":1,\"two\":\"Two\",\"unsigned\":{\"age\":5}}");
        new JsonSigner("domain", key).sign(withUnsigned);
        assertThat(withUnsigned.path("unsigned").path("age").asInt()).isEqualTo(5);
        assertThat(withUnsigned.path("signatures").path("domain").path("ed25519:1").asText())
                .isEqualTo("KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw");
    }

    @Test
    void keyFileIsCreatedOnceAndReadBackInSynapseFormat() throws Exception {
        Path file = Files.createTempDirectory("key").resolve("signing.key");
        SigningKey created = SigningKey.loadOrCreate(file);
        SigningKey loaded = SigningKey.loadOrCreate(file);
        assertThat(loaded.keyId()).isEqualTo(created.keyId()).startsWith("ed25519:a_");
        assertThat(loaded.publicKeyBase64()).isEqualTo(created.publicKeyBase64());
        assertThat(Files.readString(file)).matches("ed25519 a_\\w{4} [A-Za-z0-9+/]{43}\\n");
    }
}
