package org.callhs.core.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.PushRuleRepository;
import org.callhs.core.storage.schema.tables.records.PushRuleOverridesRecord;
import org.callhs.core.storage.schema.tables.records.PushRulesRecord;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * A user's push rules: the spec's server-default rules (from {@code default-push-rules.json},
 * with the user's ID and localpart filled in, and the user's enabled/actions changes applied)
 * merged with the user's own rules. Order within a kind follows Synapse: {@code .m.rule.master}
 * first, then user override rules, then the other default override rules; in the other kinds,
 * user rules come before the defaults.
 */
public final class PushRuleService {
    private final java.util.function.Consumer<String> changed;
    public static final List<String> KINDS = List.of("override", "content", "room", "sender", "underride");
    private static final ObjectNode DEFAULTS = loadDefaults();

    private final Database database;
    private final PushRuleRepository rules;

    public PushRuleService(Database database, PushRuleRepository rules) {
        this(database, rules, userId -> { });
    }

    /** @param changed told (after the commit) whose rules changed, so that /sync can announce {@code m.push_rules} */
    public PushRuleService(Database database, PushRuleRepository rules, java.util.function.Consumer<String> changed) {
        this.changed = changed;
        this.database = database;
        this.rules = rules;
    }

    private static ObjectNode loadDefaults() {
        try (InputStream in = PushRuleService.class.getResourceAsStream("default-push-rules.json")) {
            if (in == null) throw new IllegalStateException("default-push-rules.json missing");
            return (ObjectNode) Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The complete rule set of the user: {@code {override: [...], content: [...], ...}}. */
    public ObjectNode ruleset(String userId) {
        List<PushRulesRecord> own = rules.listUserRules(database.dsl(), userId);
        Map<String, PushRuleOverridesRecord> overrides = new java.util.HashMap<>();
        for (PushRuleOverridesRecord o : rules.listOverrides(database.dsl(), userId)) overrides.put(o.getKind() + "/" + o.getRuleId(), o);
        ObjectNode ruleset = Json.object();
        for (String kind : KINDS) {
            ArrayNode out = ruleset.putArray(kind);
            List<ObjectNode> defaults = defaultsFor(kind, userId, overrides);
            int prepend = kind.equals("override") && !defaults.isEmpty() ? 1 : 0;
            for (int i = 0; i < prepend; i++) out.add(defaults.get(i));
            for (PushRulesRecord rule : own) if (rule.getKind().equals(kind)) out.add(render(rule));
            for (int i = prepend; i < defaults.size(); i++) out.add(defaults.get(i));
        }
        return ruleset;
    }

    /**
     * The server-default rules alone, personalised for {@code userId}: what {@link #ruleset}
     * returns for a user without rules or changes of their own. Needs no database.
     */
    public static ObjectNode defaultRuleset(String userId) {
        ObjectNode ruleset = Json.object();
        for (String kind : KINDS) ruleset.putArray(kind).addAll(defaultsFor(kind, userId, Map.of()));
        return ruleset;
    }

    private static List<ObjectNode> defaultsFor(String kind, String userId, Map<String, PushRuleOverridesRecord> overrides) {
        List<ObjectNode> list = new ArrayList<>();
        for (JsonNode template : DEFAULTS.path(kind)) {
            ObjectNode rule = (ObjectNode) personalise(template.deepCopy(), userId);
            PushRuleOverridesRecord o = overrides.get(kind + "/" + rule.get("rule_id").textValue());
            if (o != null && o.getEnabled() != null) rule.put("enabled", o.getEnabled());
            if (o != null && o.getActions() != null) rule.set("actions", Json.parse(o.getActions()));
            list.add(rule);
        }
        return list;
    }

    private static JsonNode personalise(JsonNode node, String userId) {
        if (node.isTextual()) {
            return new TextNode(node.textValue().replace("${user_id}", userId)
                    .replace("${user_localpart}", MatrixIds.localpart(userId)));
        }
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                e.setValue(personalise(e.getValue(), userId));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) array.set(i, personalise(array.get(i), userId));
        }
        return node;
    }

    private static ObjectNode render(PushRulesRecord rule) {
        ObjectNode node = Json.object();
        node.put("rule_id", rule.getRuleId());
        node.put("default", false);
        node.put("enabled", rule.getEnabled());
        node.set("actions", Json.parse(rule.getActions()));
        if (rule.getConditions() != null) node.set("conditions", Json.parse(rule.getConditions()));
        if (rule.getPattern() != null) node.put("pattern", rule.getPattern());
        return node;
    }

    /** One rule (default or the user's), or 404 {@code M_NOT_FOUND}. */
    public ObjectNode rule(String userId, String kind, String ruleId) {
        requireKind(kind);
        for (JsonNode rule : ruleset(userId).path(kind)) {
            if (rule.path("rule_id").asText().equals(ruleId)) return (ObjectNode) rule;
        }
        throw MatrixException.notFound("Unknown push rule");
    }

    public static void requireKind(String kind) {
        if (!KINDS.contains(kind)) throw new MatrixException(ErrCode.UNRECOGNIZED, 400, "Unknown push rule kind " + kind);
    }

    private static boolean isDefault(String kind, String ruleId) {
        for (JsonNode rule : DEFAULTS.path(kind)) if (rule.path("rule_id").asText().equals(ruleId)) return true;
        return false;
    }

    /**
     * Adds or replaces a user rule. New rules go first among the user's rules of the kind
     * unless {@code before}/{@code after} name another user rule ({@code before} wins).
     */
    public void put(String userId, String kind, String ruleId, String before, String after,
                    String conditions, String pattern, String actions) {
        database.transaction(tx -> {
            List<String> order = new ArrayList<>();
            for (PushRulesRecord r : rules.listUserRules(tx, userId)) {
                if (r.getKind().equals(kind) && !r.getRuleId().equals(ruleId)) order.add(r.getRuleId());
            }
            Optional<PushRulesRecord> existing = rules.findUserRule(tx, userId, kind, ruleId);
            int index;
            String anchor = before != null ? before : after;
            if (anchor != null) {
                int at = order.indexOf(anchor);
                if (at < 0) throw new MatrixException(ErrCode.UNKNOWN, 400, "before/after rule not found: " + anchor);
                index = before != null ? at : at + 1;
            } else if (existing.isPresent()) {
                index = Math.min((int) (long) existing.get().getPosition(), order.size());
            } else {
                index = 0;
            }
            order.add(index, ruleId);
            rules.upsertUserRule(tx, userId, kind, ruleId, index, conditions, pattern, actions);
            rules.renumber(tx, userId, kind, order);
            return null;
        });
        changed.accept(userId);
    }

    public void delete(String userId, String kind, String ruleId) {
        int deleted = database.transaction(tx -> rules.deleteUserRule(tx, userId, kind, ruleId));
        if (deleted == 0) throw MatrixException.notFound("Unknown push rule");
        changed.accept(userId);
    }

    public void setEnabled(String userId, String kind, String ruleId, boolean enabled) {
        rule(userId, kind, ruleId);
        database.transaction(tx -> {
            if (isDefault(kind, ruleId)) rules.overrideEnabled(tx, userId, kind, ruleId, enabled);
            else rules.setUserRuleEnabled(tx, userId, kind, ruleId, enabled);
            return null;
        });
        changed.accept(userId);
    }

    public void setActions(String userId, String kind, String ruleId, String actions) {
        rule(userId, kind, ruleId);
        database.transaction(tx -> {
            if (isDefault(kind, ruleId)) rules.overrideActions(tx, userId, kind, ruleId, actions);
            else rules.setUserRuleActions(tx, userId, kind, ruleId, actions);
            return null;
        });
        changed.accept(userId);
    }

    /**
     * Copies a user's own rules about one room to another (a room upgrade, as Synapse does): the
     * {@code room} rule named by the old room's ID and every rule with an {@code event_match}
     * condition on {@code room_id} equal to it, with the new room's ID in the rule ID and the
     * condition, enabled or not as before. A rule the user already has under the new ID is kept.
     *
     * @return how many rules were copied
     */
    public int copyRoomRules(String userId, String oldRoomId, String newRoomId) {
        int copied = database.transaction(tx -> {
            int count = 0;
            List<PushRulesRecord> own = rules.listUserRules(tx, userId);
            for (PushRulesRecord rule : own) {
                boolean roomRule = rule.getKind().equals("room") && rule.getRuleId().equals(oldRoomId);
                String conditions = rule.getConditions();
                boolean mentionsRoom = conditions != null && aboutRoom(Json.parse(conditions), oldRoomId);
                if (!roomRule && !mentionsRoom) continue;
                String newId = rule.getRuleId().contains(oldRoomId) ? rule.getRuleId().replace(oldRoomId, newRoomId)
                        : rule.getRuleId() + "." + newRoomId;
                if (rules.findUserRule(tx, userId, rule.getKind(), newId).isPresent()) continue;
                String newConditions = conditions == null ? null : Json.write(retarget(Json.parse(conditions), oldRoomId, newRoomId));
                long position = own.stream().filter(r -> r.getKind().equals(rule.getKind())).count() + count;
                rules.upsertUserRule(tx, userId, rule.getKind(), newId, position, newConditions, rule.getPattern(), rule.getActions());
                if (!rule.getEnabled()) rules.setUserRuleEnabled(tx, userId, rule.getKind(), newId, false);
                count++;
            }
            return count;
        });
        if (copied > 0) changed.accept(userId);
        return copied;
    }

    private static JsonNode retarget(JsonNode conditions, String oldRoomId, String newRoomId) {
        for (JsonNode condition : conditions) {
            if (condition instanceof ObjectNode object && object.path("kind").asText().equals("event_match")
                    && object.path("key").asText().equals("room_id") && object.path("pattern").asText().equals(oldRoomId)) {
                object.put("pattern", newRoomId);
            }
        }
        return conditions;
    }

    private static boolean aboutRoom(JsonNode conditions, String roomId) {
        for (JsonNode condition : conditions) {
            if (condition.path("kind").asText().equals("event_match") && condition.path("key").asText().equals("room_id")
                    && condition.path("pattern").asText().equals(roomId)) {
                return true;
            }
        }
        return false;
    }
}
