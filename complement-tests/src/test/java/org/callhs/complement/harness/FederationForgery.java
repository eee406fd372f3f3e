package org.callhs.complement.harness;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;

/**
 * Signs X-Matrix headers with a fresh Ed25519 key in the name of a real server that never owned
 * it: what an attacker without the server's key can produce. The signed object is the spec's
 * ({@code method}, {@code uri}, {@code origin}, {@code destination}), so only the key is wrong.
 */
public final class FederationForgery {
    private final String claimedOrigin;
    private final KeyPair keys;

    public FederationForgery(String claimedOrigin) {
        this.claimedOrigin = claimedOrigin;
        try {
            this.keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code Authorization} value for a body-less request to {@code destination}, naming {@code keyId}. */
    public String header(String method, String uri, String destination, String keyId) {
        var object = Json.MAPPER.createObjectNode();
        object.put("method", method).put("uri", uri).put("origin", claimedOrigin).put("destination", destination);
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(keys.getPrivate());
            signer.update(CanonicalJson.encode(object));
            String sig = Base64.getEncoder().withoutPadding().encodeToString(signer.sign());
            return "X-Matrix origin=\"" + claimedOrigin + "\",destination=\"" + destination + "\",key=\"" + keyId + "\",sig=\"" + sig + "\"";
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
