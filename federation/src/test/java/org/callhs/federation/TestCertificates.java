package org.callhs.federation;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A private CA and a server certificate it signed for {@code localhost} and 127.0.0.1, as PEM files. */
final class TestCertificates {
    final Path caCertificate;
    final Path serverCertificate;
    final Path serverKey;

    TestCertificates(Path dir) throws Exception {
        Files.createDirectories(dir);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair ca = generator.generateKeyPair();
        KeyPair server = generator.generateKeyPair();
        Date from = new Date(System.currentTimeMillis() - 60_000);
        Date to = new Date(System.currentTimeMillis() + 86_400_000L);
        X500Name caName = new X500Name("CN=callhs test CA");
        var caBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from, to, caName, ca.getPublic());
        caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate caCert = new JcaX509CertificateConverter()
                .getCertificate(caBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
        var serverBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, from, to, new X500Name("CN=localhost"),
                server.getPublic());
        serverBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate serverCert = new JcaX509CertificateConverter()
                .getCertificate(serverBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
        caCertificate = write(dir.resolve("ca.pem"), caCert);
        serverCertificate = write(dir.resolve("server.pem"), serverCert);
        // PKCS#8 ("BEGIN PRIVATE KEY"), as openssl req -newkey writes it.
        serverKey = write(dir.resolve("server.key"), new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(server.getPrivate(), null).generate());
    }

    private static Path write(Path file, Object pem) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(pem);
        }
        return file;
    }
}
