package org.callhs.core.s2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** The federation listener's generated certificate: made once as PEM files, read back the same, and an older PKCS #12 file converted. */
class TlsMaterialTest {
    private static X509Certificate certificate(KeyStore store) throws Exception {
        return (X509Certificate) store.getCertificateChain("federation")[0];
    }

    /** The store's key signs what the certificate's public key verifies: the two belong together. */
    private static void assertPair(KeyStore store) throws Exception {
        PrivateKey key = (PrivateKey) store.getKey("federation", TlsMaterial.STORE_PASSWORD);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certificate(store).getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void aSelfSignedCertificateIsMadeOnceAndKept() throws Exception {
        Path dir = Files.createTempDirectory("tls-material");
        KeyStore first = TlsMaterial.load("", "", dir, "hs.example.org:8448");
        assertThat(certificate(first).getSubjectX500Principal().getName()).isEqualTo("CN=hs.example.org");
        assertThat(certificate(first).getSubjectAlternativeNames().iterator().next().get(1)).isEqualTo("hs.example.org");
        assertPair(first);
        assertThat(Files.readString(dir.resolve("federation-tls.crt"))).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(Files.readString(dir.resolve("federation-tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("federation-tls.key")))).isEqualTo("rw-------");
        KeyStore again = TlsMaterial.load(null, null, dir, "hs.example.org:8448");
        assertThat(certificate(again)).isEqualTo(certificate(first));
        assertPair(again);
    }

    @Test
    void aPkcs12FileOfAnOlderVersionIsConvertedOnce() throws Exception {
        Path made = Files.createTempDirectory("tls-made");
        KeyStore original = TlsMaterial.load("", "", made, "localhost");
        Path dir = Files.createTempDirectory("tls-legacy");
        KeyStore legacy = KeyStore.getInstance("PKCS12");
        legacy.load(null, null);
        legacy.setKeyEntry("federation", original.getKey("federation", TlsMaterial.STORE_PASSWORD), TlsMaterial.STORE_PASSWORD,
                new Certificate[] {certificate(original)});
        try (OutputStream out = Files.newOutputStream(dir.resolve("federation-tls.p12"))) {
            legacy.store(out, TlsMaterial.STORE_PASSWORD);
        }
        KeyStore converted = TlsMaterial.load("", "", dir, "localhost");
        assertThat(certificate(converted)).isEqualTo(certificate(original));
        assertPair(converted);
        assertThat(dir.resolve("federation-tls.crt")).exists();
        assertThat(dir.resolve("federation-tls.key")).exists();
        Files.delete(dir.resolve("federation-tls.p12"));
        assertThat(certificate(TlsMaterial.load("", "", dir, "localhost"))).isEqualTo(certificate(original));
    }
}
