package org.callhs.complement.harness;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Ed25519 signature checks with the JDK, on Matrix's unpadded base64 keys and signatures. */
public final class Ed25519 {

    /** DER prefix that turns 32 raw key bytes into an X.509 SubjectPublicKeyInfo for Ed25519. */
    private static final byte[] X509_PREFIX = hex("302a300506032b6570032100");

    private Ed25519() {}

    /** Decodes standard base64 with or without padding (Matrix uses unpadded). */
    public static byte[] unpaddedBase64(String s) {
        return Base64.getDecoder().decode(s);
    }

    public static boolean verify(String base64PublicKey, String base64Signature, byte[] message) {
        byte[] raw = unpaddedBase64(base64PublicKey);
        if (raw.length != 32) throw new IllegalArgumentException("Ed25519 keys have 32 bytes, got " + raw.length);
        byte[] der = new byte[X509_PREFIX.length + raw.length];
        System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
        System.arraycopy(raw, 0, der, X509_PREFIX.length, raw.length);
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(unpaddedBase64(base64Signature));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification failed to run: " + e, e);
        }
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }
}
