package org.callhs.core.s2s;

import java.io.IOException;
import java.io.InputStream;
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
 * directory ({@code federation-tls.crt} and {@code federation-tls.key}, PEM; a
 * {@code federation-tls.p12} of an older version is converted to them once). Synapse accepts a
 * self-signed certificate only with {@code federation_verify_certificates: false}; production
 * deployments configure a real one.
 *
 * <p>The store lives in memory only, so its password protects nothing: the key entry is sealed
 * with one PBKDF2 round, not the PKCS #12 default of 10,000 (several of which, run cold at every
 * start, cost a quarter of a second).
 */
public final class TlsMaterial {
    public static final char[] STORE_PASSWORD = "callhs".toCharArray();
    private static final String ALIAS = "federation";

    private TlsMaterial() {}

    public static KeyStore load(String certificatePath, String privateKeyPath, Path dataDir, String serverName)
            throws IOException, GeneralSecurityException {
        if (certificatePath != null && !certificatePath.isBlank()) {
            return fromPem(Path.of(certificatePath), Path.of(privateKeyPath));
        }
        Path certificateFile = dataDir.resolve("federation-tls.crt");
        Path keyFile = dataDir.resolve("federation-tls.key");
        if (Files.exists(certificateFile) && Files.exists(keyFile)) return fromPem(certificateFile, keyFile);
        Path legacy = dataDir.resolve("federation-tls.p12");
        PrivateKey key;
        Certificate[] chain;
        if (Files.exists(legacy)) {
            KeyStore old = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(legacy)) {
                old.load(in, STORE_PASSWORD);
            }
            key = (PrivateKey) old.getKey(ALIAS, STORE_PASSWORD);
            chain = old.getCertificateChain(ALIAS);
        } else {
            KeyPair pair = newKeyPair();
            key = pair.getPrivate();
            chain = new Certificate[] {certificateFor(serverName, pair)};
        }
        Files.createDirectories(dataDir);
        writePem(certificateFile, "CERTIFICATE", chain[0].getEncoded(), false);
        writePem(keyFile, "PRIVATE KEY", key.getEncoded(), true);
        return inMemory(key, chain);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256, new SecureRandom());
        return generator.generateKeyPair();
    }

    private static X509Certificate certificateFor(String serverName, KeyPair pair) throws GeneralSecurityException {
        String host = serverName.replaceFirst(":\\d+$", "");
        X500Name subject = new X500Name("CN=" + host);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic());
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames(host)));
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException | org.bouncycastle.cert.CertIOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** A PEM file; a private key's is readable by its owner only (where the file system has POSIX permissions). */
    private static void writePem(Path file, String label, byte[] der, boolean secret) throws IOException {
        String pem = "-----BEGIN " + label + "-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + label + "-----\n";
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        if (secret && partial.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(partial, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(partial, pem);
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The store Jetty reads the key from, with the key sealed by one PBKDF2 round (it never leaves memory). */
    private static KeyStore inMemory(PrivateKey key, Certificate[] chain) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        store.setEntry(ALIAS, new KeyStore.PrivateKeyEntry(key, chain), new KeyStore.PasswordProtection(STORE_PASSWORD,
                "PBEWithHmacSHA256AndAES_256", new javax.crypto.spec.PBEParameterSpec(salt, 1, new javax.crypto.spec.IvParameterSpec(iv))));
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
        return inMemory(key, chain.toArray(new Certificate[0]));
    }
}
