package org.callhs.core.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.schema.tables.records.UsersRecord;

/** The {@code m.login.password} stage of user-interactive auth, bound to the authenticated user. */
public final class PasswordCheck {
    private final AccountService accounts;

    public PasswordCheck(AccountService accounts) {
        this.accounts = accounts;
    }

    /** A stage check that accepts only {@code userId}'s own password. */
    public UserInteractiveAuth.StageCheck forUser(String userId) {
        return (stage, auth) -> {
            if (!UserInteractiveAuth.PASSWORD.equals(stage)) {
                throw new MatrixException(ErrCode.UNRECOGNIZED, 401, "Unsupported stage " + stage);
            }
            String identifier = identifier(auth, userId);
            JsonNode password = auth.get("password");
            if (password == null || !password.isTextual()) throw MatrixException.missingParam("Missing password");
            UsersRecord user;
            try {
                user = accounts.checkPassword(identifier, password.textValue());
            } catch (MatrixException e) {
                throw MatrixException.forbidden("Invalid password");
            }
            if (!user.getUserId().equals(userId)) throw MatrixException.forbidden("Authenticated as the wrong user");
        };
    }

    private static String identifier(ObjectNode auth, String fallback) {
        JsonNode identifier = auth.get("identifier");
        if (identifier instanceof ObjectNode object && object.path("user").isTextual()) return object.get("user").textValue();
        JsonNode user = auth.get("user");
        return user != null && user.isTextual() ? user.textValue() : fallback;
    }
}
