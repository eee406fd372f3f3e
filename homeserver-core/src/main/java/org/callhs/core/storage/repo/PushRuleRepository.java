package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.PUSH_RULES;
import static org.callhs.core.storage.schema.Tables.PUSH_RULE_OVERRIDES;

import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.PushRuleOverridesRecord;
import org.callhs.core.storage.schema.tables.records.PushRulesRecord;
import org.jooq.DSLContext;

/** Statements on {@code push_rules} (user rules) and {@code push_rule_overrides} (changes to server-default rules). */
public final class PushRuleRepository {
    public List<PushRulesRecord> listUserRules(DSLContext tx, String userId) {
        return tx.selectFrom(PUSH_RULES).where(PUSH_RULES.USER_ID.eq(userId))
                .orderBy(PUSH_RULES.KIND, PUSH_RULES.POSITION).fetch();
    }

    public Optional<PushRulesRecord> findUserRule(DSLContext tx, String userId, String kind, String ruleId) {
        return tx.selectFrom(PUSH_RULES)
                .where(PUSH_RULES.USER_ID.eq(userId), PUSH_RULES.KIND.eq(kind), PUSH_RULES.RULE_ID.eq(ruleId)).fetchOptional();
    }

    /** Rewrites the positions of a kind's user rules to the given order (0, 1, 2, ...). */
    public void renumber(DSLContext tx, String userId, String kind, List<String> orderedRuleIds) {
        for (int i = 0; i < orderedRuleIds.size(); i++) {
            tx.update(PUSH_RULES).set(PUSH_RULES.POSITION, (long) i)
                    .where(PUSH_RULES.USER_ID.eq(userId), PUSH_RULES.KIND.eq(kind), PUSH_RULES.RULE_ID.eq(orderedRuleIds.get(i)))
                    .execute();
        }
    }

    public void upsertUserRule(DSLContext tx, String userId, String kind, String ruleId, long position,
                               String conditions, String pattern, String actions) {
        tx.insertInto(PUSH_RULES)
                .set(PUSH_RULES.USER_ID, userId)
                .set(PUSH_RULES.KIND, kind)
                .set(PUSH_RULES.RULE_ID, ruleId)
                .set(PUSH_RULES.POSITION, position)
                .set(PUSH_RULES.CONDITIONS, conditions)
                .set(PUSH_RULES.PATTERN, pattern)
                .set(PUSH_RULES.ACTIONS, actions)
                .set(PUSH_RULES.ENABLED, true)
                .onConflict(PUSH_RULES.USER_ID, PUSH_RULES.KIND, PUSH_RULES.RULE_ID).doUpdate()
                .set(PUSH_RULES.POSITION, position)
                .set(PUSH_RULES.CONDITIONS, conditions)
                .set(PUSH_RULES.PATTERN, pattern)
                .set(PUSH_RULES.ACTIONS, actions)
                .set(PUSH_RULES.ENABLED, true)
                .execute();
    }

    public int deleteUserRule(DSLContext tx, String userId, String kind, String ruleId) {
        return tx.deleteFrom(PUSH_RULES)
                .where(PUSH_RULES.USER_ID.eq(userId), PUSH_RULES.KIND.eq(kind), PUSH_RULES.RULE_ID.eq(ruleId)).execute();
    }

    public int setUserRuleEnabled(DSLContext tx, String userId, String kind, String ruleId, boolean enabled) {
        return tx.update(PUSH_RULES).set(PUSH_RULES.ENABLED, enabled)
                .where(PUSH_RULES.USER_ID.eq(userId), PUSH_RULES.KIND.eq(kind), PUSH_RULES.RULE_ID.eq(ruleId)).execute();
    }

    public int setUserRuleActions(DSLContext tx, String userId, String kind, String ruleId, String actions) {
        return tx.update(PUSH_RULES).set(PUSH_RULES.ACTIONS, actions)
                .where(PUSH_RULES.USER_ID.eq(userId), PUSH_RULES.KIND.eq(kind), PUSH_RULES.RULE_ID.eq(ruleId)).execute();
    }

    public List<PushRuleOverridesRecord> listOverrides(DSLContext tx, String userId) {
        return tx.selectFrom(PUSH_RULE_OVERRIDES).where(PUSH_RULE_OVERRIDES.USER_ID.eq(userId)).fetch();
    }

    public void overrideEnabled(DSLContext tx, String userId, String kind, String ruleId, boolean enabled) {
        tx.insertInto(PUSH_RULE_OVERRIDES)
                .set(PUSH_RULE_OVERRIDES.USER_ID, userId).set(PUSH_RULE_OVERRIDES.KIND, kind)
                .set(PUSH_RULE_OVERRIDES.RULE_ID, ruleId).set(PUSH_RULE_OVERRIDES.ENABLED, enabled)
                .onConflict(PUSH_RULE_OVERRIDES.USER_ID, PUSH_RULE_OVERRIDES.KIND, PUSH_RULE_OVERRIDES.RULE_ID).doUpdate()
                .set(PUSH_RULE_OVERRIDES.ENABLED, enabled)
                .execute();
    }

    public void overrideActions(DSLContext tx, String userId, String kind, String ruleId, String actions) {
        tx.insertInto(PUSH_RULE_OVERRIDES)
                .set(PUSH_RULE_OVERRIDES.USER_ID, userId).set(PUSH_RULE_OVERRIDES.KIND, kind)
                .set(PUSH_RULE_OVERRIDES.RULE_ID, ruleId).set(PUSH_RULE_OVERRIDES.ACTIONS, actions)
                .onConflict(PUSH_RULE_OVERRIDES.USER_ID, PUSH_RULE_OVERRIDES.KIND, PUSH_RULE_OVERRIDES.RULE_ID).doUpdate()
                .set(PUSH_RULE_OVERRIDES.ACTIONS, actions)
                .execute();
    }
}
