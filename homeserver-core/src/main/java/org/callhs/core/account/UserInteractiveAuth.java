package org.callhs.core.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.UiaSessionRepository;
import org.callhs.core.storage.schema.tables.records.UiaSessionsRecord;
import org.callhs.core.util.Json;

/**
 * User-interactive authentication (Client-Server API "User-Interactive Authentication API").
 * {@link #require} returns once the request's {@code auth} completes a flow; otherwise it
 * throws the 401 response that tells the client which stages remain. Sessions are stored in
 * the database, bound to a purpose and (except for registration) to a user, and expire after
 * the configured lifetime.
 */
public final class UserInteractiveAuth {
    /** One flow: the stages to complete, in order. */
    public record Flow(List<String> stages) {}

    /** Checks one stage's auth dict; returns normally when the stage is completed, throws otherwise. */
    @FunctionalInterface
    public interface StageCheck {
        void check(String stage, ObjectNode auth);
    }

    public static final String DUMMY = "m.login.dummy";
    public static final String PASSWORD = "m.login.password";
    public static final String REGISTRATION_TOKEN = "m.login.registration_token";

    private final Database database;
    private final UiaSessionRepository sessions;
    private final Clock clock;
    private final long lifetimeMillis;

    public UserInteractiveAuth(Database database, UiaSessionRepository sessions, Clock clock, long lifetimeMillis) {
        this.database = database;
        this.sessions = sessions;
        this.clock = clock;
        this.lifetimeMillis = lifetimeMillis;
    }

    public void require(ObjectNode body, String purpose, String userId, List<Flow> flows, StageCheck check) {
        JsonNode authNode = body.get("auth");
        if (authNode == null || authNode.isNull()) {
            throw challenge(newSession(purpose, userId), flows, Set.of(), null);
        }
        if (!(authNode instanceof ObjectNode auth)) throw MatrixException.badJson("auth must be an object");
        String sessionId = auth.path("session").isTextual() ? auth.get("session").textValue() : newSession(purpose, userId);
        UiaSessionsRecord session = database.transaction(tx -> sessions.find(tx, sessionId)).orElse(null);
        long now = clock.millis();
        if (session == null || session.getCreatedTs() < now - lifetimeMillis) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "Unknown or expired session ID");
        }
        if (!session.getPurpose().equals(purpose) || (userId != null && !userId.equals(session.getUserId()))) {
            throw MatrixException.forbidden("Session was started for another request");
        }
        Set<String> completed = new LinkedHashSet<>();
        Json.parse(session.getCompleted()).forEach(n -> completed.add(n.asText()));
        JsonNode type = auth.get("type");
        if (type != null && type.isTextual()) {
            String stage = type.textValue();
            boolean offered = flows.stream().anyMatch(f -> f.stages().contains(stage));
            if (!offered) {
                throw challenge(sessionId, flows, completed,
                        new MatrixException(ErrCode.UNRECOGNIZED, 401, "Unrecognised authentication stage " + stage));
            }
            try {
                check.check(stage, auth);
            } catch (MatrixException failure) {
                throw challenge(sessionId, flows, completed, failure);
            }
            completed.add(stage);
            ArrayNode done = Json.array();
            completed.forEach(done::add);
            database.transaction(tx -> {
                sessions.setCompleted(tx, sessionId, Json.write(done));
                return null;
            });
        }
        for (Flow flow : flows) {
            if (completed.containsAll(flow.stages())) {
                database.transaction(tx -> {
                    sessions.delete(tx, sessionId);
                    sessions.deleteCreatedBefore(tx, now - lifetimeMillis);
                    return null;
                });
                return;
            }
        }
        throw challenge(sessionId, flows, completed, null);
    }

    private String newSession(String purpose, String userId) {
        String id = Tokens.newSessionId();
        database.transaction(tx -> {
            sessions.insert(tx, id, purpose, userId, "{}", clock.millis());
            return null;
        });
        return id;
    }

    private static MatrixException challenge(String sessionId, List<Flow> flows, Set<String> completed, MatrixException failure) {
        Map<String, Object> body = new HashMap<>();
        List<Map<String, Object>> flowList = new ArrayList<>();
        for (Flow flow : flows) flowList.add(Map.of("stages", flow.stages()));
        body.put("flows", flowList);
        body.put("params", Map.of());
        body.put("session", sessionId);
        if (!completed.isEmpty()) body.put("completed", List.copyOf(completed));
        if (failure != null) {
            return new MatrixException(failure.errcode(), 401, failure.getMessage(), body, Map.of());
        }
        // The first 401 of a session carries no errcode: it is an instruction, not an error.
        return new MatrixException(null, 401, "User-interactive authentication required", body, Map.of());
    }
}
