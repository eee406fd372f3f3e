package org.callhs.core.s2s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The federation listener's TLS key store: either the configured PEM certificate chain and
 * private key, or a self-signed certificate for the server name generated once into the data
 * directory ({@code federation-tls.p12}). Synapse accepts a self-signed certificate only with
 * {@code federation_verify_certificates: false}; production deployments configure a real one.
 */
public final class TlsMaterial {
    public static final char[] STORE_PASSWORD = "callhs".toCharArray();

    private TlsMaterial() {}

    public static KeyStore load(String certificatePath, String privateKeyPath, Path dataDir, String serverName)
            throws IOException, GeneralSecurityException {
        if (certificatePath != null && !certificatePath.isBlank()) {
            return fromPem(Path.of(certificatePath), Path.of(privateKeyPath));
        }
        Path file = dataDir.resolve("federation-tls.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, STORE_PASSWORD);
            }
            return store;
        }
        store.load(null, null);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256, new SecureRandom());
        KeyPair pair = generator.generateKeyPair();
        String host = serverName.replaceFirst(":\\d+$", "");
        X500Name subject = new X500Name("CN=" + host);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames(host)));
        X509Certificate certificate;
        try {
            certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        store.setKeyEntry("federation", pair.getPrivate(), STORE_PASSWORD, new Certificate[] {certificate});
        Files.createDirectories(dataDir);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, STORE_PASSWORD);
        }
        return store;
    }

    /** The server's host name; for localhost also the loopback addresses, so local peers can connect by IP. */
    private static GeneralName[] alternativeNames(String host) {
        if (host.matches("[0-9.]+") || host.startsWith("[")) {
            return new GeneralName[] {new GeneralName(GeneralName.iPAddress, host.replace("[", "").replace("]", ""))};
        }
        if (host.equals("localhost")) {
            return new GeneralName[] {new GeneralName(GeneralName.dNSName, host), new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "::1")};
        }
        return new GeneralName[] {new GeneralName(GeneralName.dNSName, host)};
    }

    private static KeyStore fromPem(Path certificateFile, Path keyFile) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> chain;
        try (InputStream in = Files.newInputStream(certificateFile)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (chain.isEmpty()) throw new GeneralSecurityException("no certificate in " + certificateFile);
        PrivateKey key;
        try (Reader reader = Files.newBufferedReader(keyFile); PEMParser parser = new PEMParser(reader)) {
            Object parsed = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            // Only the private part: SEC1 "EC PRIVATE KEY" files may carry no public key.
            if (parsed instanceof PEMKeyPair pair) key = converter.getPrivateKey(pair.getPrivateKeyInfo());
            else if (parsed instanceof PrivateKeyInfo info) key = converter.getPrivateKey(info);
            else throw new GeneralSecurityException("unsupported private key format in " + keyFile);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("federation", key, STORE_PASSWORD, chain.toArray(new Certificate[0]));
        return store;
    }
}
