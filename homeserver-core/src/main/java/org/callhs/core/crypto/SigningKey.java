package org.callhs.core.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The server's Ed25519 signing key. Stored in Synapse's file format (one line:
 * {@code ed25519 <version> <unpadded base64 seed>}), so keys move between implementations.
 * Created on first start with a random key version; never regenerated for an existing ID.
 */
public final class SigningKey {
    private final String keyId;
    private final Ed25519PrivateKeyParameters privateKey;
    private final Ed25519PublicKeyParameters publicKey;

    public SigningKey(String version, byte[] seed) {
        if (!version.matches("[A-Za-z0-9_]+")) throw new IllegalArgumentException("invalid key version " + version);
        this.keyId = "ed25519:" + version;
        this.privateKey = new Ed25519PrivateKeyParameters(seed, 0);
        this.publicKey = privateKey.generatePublicKey();
    }

    /** Loads the key file, creating it (owner-only permissions) when it does not exist. */
    public static SigningKey loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) return parse(Files.readString(file, StandardCharsets.UTF_8), file);
        SecureRandom random = new SecureRandom();
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder version = new StringBuilder("a_");
        for (int i = 0; i < 4; i++) version.append(alphabet.charAt(random.nextInt(alphabet.length())));
        SigningKey key = new SigningKey(version.toString(), seed);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, "ed25519 " + version + " " + UnpaddedBase64.encode(seed) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // non-POSIX file system: permissions are the platform default
        }
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return key;
    }

    static SigningKey parse(String text, Path source) {
        String line = text.lines().filter(l -> !l.isBlank()).findFirst()
                .orElseThrow(() -> new IllegalStateException("signing key file is empty: " + source));
        String[] parts = line.trim().split("\\s+");
        if (parts.length != 3 || !parts[0].equals("ed25519")) {
            throw new IllegalStateException("signing key file must hold 'ed25519 <version> <base64 seed>': " + source);
        }
        byte[] seed = UnpaddedBase64.decode(parts[2]);
        if (seed.length != 32) throw new IllegalStateException("signing key seed must be 32 bytes: " + source);
        return new SigningKey(parts[1], seed);
    }

    /** {@code ed25519:<version>} */
    public String keyId() { return keyId; }

    public String publicKeyBase64() { return UnpaddedBase64.encode(publicKey.getEncoded()); }

    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }
}
