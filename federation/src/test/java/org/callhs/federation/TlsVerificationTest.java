package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Certificate checks on outbound federation: on by default, satisfied by a certificate from a CA
 * named in {@code federation.trusted_ca_file}, and refusing a server whose certificate no trusted
 * CA signed (the self-signed default), which then looks unreachable to clients (502).
 */
class TlsVerificationTest {
    @Test
    void certificatesAreCheckedAgainstTheTrustedCaFile() throws Exception {
        TestCertificates certs = new TestCertificates(Files.createTempDirectory("callhs-ca-"));
        int portB = FederatedPair.freePort();
        int portA = FederatedPair.freePort();
        int portC = FederatedPair.freePort();
        int portD = FederatedPair.freePort();
        try (TestServer b = FederatedPair.start(Backend.SQLITE, portB,
                "federation.tls_certificate_path=\"" + certs.serverCertificate + "\"",
                "federation.tls_private_key_path=\"" + certs.serverKey + "\"");
             TestServer a = FederatedPair.start(Backend.SQLITE, portA, "federation.verify_certificates=true",
                     "federation.trusted_ca_file=\"" + certs.caCertificate + "\"");
             TestServer c = FederatedPair.start(Backend.SQLITE, portC, "federation.verify_certificates=true");
             TestServer d = FederatedPair.start(Backend.SQLITE, portD)) {
            b.registerToken("tls-bob");
            d.registerToken("tls-dave");
            String bob = TestClient.seg("@tls-bob:localhost:" + portB);
            String dave = TestClient.seg("@tls-dave:localhost:" + portD);

            Resp trusted = a.client().get("/_matrix/client/v3/profile/" + bob, a.registerToken("tls-alice"));
            assertThat(trusted.status()).as(trusted.body().toString()).isEqualTo(200);
            assertThat(trusted.text("displayname")).isEqualTo("tls-bob");

            String carol = c.registerToken("tls-carol");
            Resp unknownCa = c.client().get("/_matrix/client/v3/profile/" + bob, carol);
            assertThat(unknownCa.status()).as(unknownCa.body().toString()).isEqualTo(502);
            Resp selfSigned = a.client().get("/_matrix/client/v3/profile/" + dave, a.registerToken("tls-alice2"));
            assertThat(selfSigned.status()).as(selfSigned.body().toString()).isEqualTo(502);
        }
    }
}
