package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.E2E_CROSS_SIGNING_SIGNATURES;

import java.util.Collection;
import java.util.List;
import org.callhs.core.storage.schema.tables.records.E2eCrossSigningSignaturesRecord;
import org.jooq.DSLContext;

/** Statements on {@code e2e_cross_signing_signatures}: signatures uploaded through /keys/signatures/upload. */
public final class CrossSigningSignatureRepository {
    public void upsert(DSLContext tx, String signerUserId, String signerKeyId, String targetUserId, String targetKeyId,
                       String signature) {
        var t = E2E_CROSS_SIGNING_SIGNATURES;
        tx.insertInto(t)
                .set(t.SIGNER_USER_ID, signerUserId).set(t.SIGNER_KEY_ID, signerKeyId)
                .set(t.TARGET_USER_ID, targetUserId).set(t.TARGET_KEY_ID, targetKeyId).set(t.SIGNATURE, signature)
                .onConflict(t.TARGET_USER_ID, t.TARGET_KEY_ID, t.SIGNER_USER_ID, t.SIGNER_KEY_ID).doUpdate()
                .set(t.SIGNATURE, signature)
                .execute();
    }

    /** Signatures made by {@code signerUserId} on keys of the given users. */
    public List<E2eCrossSigningSignaturesRecord> bySigner(DSLContext tx, String signerUserId, Collection<String> targetUserIds) {
        var t = E2E_CROSS_SIGNING_SIGNATURES;
        return tx.selectFrom(t).where(t.SIGNER_USER_ID.eq(signerUserId), t.TARGET_USER_ID.in(targetUserIds)).fetch();
    }

    /** Signatures a user made on their own keys (devices signed by their self-signing key, and so on). */
    public List<E2eCrossSigningSignaturesRecord> byOwner(DSLContext tx, String userId) {
        var t = E2E_CROSS_SIGNING_SIGNATURES;
        return tx.selectFrom(t).where(t.TARGET_USER_ID.eq(userId), t.SIGNER_USER_ID.eq(userId)).fetch();
    }

    /** Drops every signature on the given keys of a user (keys that were replaced or deleted). */
    public int deleteForTargets(DSLContext tx, String targetUserId, Collection<String> targetKeyIds) {
        var t = E2E_CROSS_SIGNING_SIGNATURES;
        return tx.deleteFrom(t).where(t.TARGET_USER_ID.eq(targetUserId), t.TARGET_KEY_ID.in(targetKeyIds)).execute();
    }
}
