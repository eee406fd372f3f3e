package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.callhs.core.account.AccountService;
import org.callhs.core.account.LoginSession;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Synapse's shared-secret registration, so that the tools and test suites that bootstrap
 * Synapse with an administrator (Complement among them) do the same here:
 * <ul>
 * <li>{@code GET /_synapse/admin/v1/register}: {@code {"nonce"}}, single use, valid 60 s;
 * <li>{@code POST /_synapse/admin/v1/register} with {@code nonce}, {@code username},
 *     {@code password}, optionally {@code admin} (false), {@code displayname} (the username) and
 *     {@code user_type}, and {@code mac}: the hex HMAC-SHA1, keyed with
 *     {@code registration.shared_secret}, of nonce, username, password, {@code admin} or
 *     {@code notadmin} and the user type when given, separated by NUL bytes. Answers
 *     {@code {"user_id", "access_token", "home_server", "device_id"}}.
 * </ul>
 * Errors, as Synapse answers them: 400 {@code M_UNKNOWN} while no shared secret is configured;
 * 400 {@code M_NOT_JSON} / {@code M_BAD_JSON} for a bad body or field; 400 {@code M_UNKNOWN}
 * for a nonce not handed out, used or expired (each nonce is spent by its first use, right or
 * wrong); 403 {@code M_FORBIDDEN} for a wrong MAC; 400 {@code M_INVALID_USERNAME} and
 * {@code M_USER_IN_USE} as registration answers. Works whether or not open registration is on.
 * Nonces live in this process: on a cluster, post to the instance that gave the nonce.
 * See https://element-hq.github.io/synapse/latest/admin_api/register_api.html
 */
public final class SharedSecretRegistrationEndpoints implements Routes {
    static final String PATH = "/_synapse/admin/v1/register";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AccountService accounts;
    private final String sharedSecret;
    private final Cache<String, Boolean> nonces = Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(60)).maximumSize(100_000).build();

    /** @param sharedSecret {@code registration.shared_secret}; null or empty: the endpoints answer that it is off */
    public SharedSecretRegistrationEndpoints(AccountService accounts, String sharedSecret) {
        this.accounts = accounts;
        this.sharedSecret = sharedSecret == null || sharedSecret.isEmpty() ? null : sharedSecret;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint("GET", PATH, AuthKind.NONE, null, this::nonce),
                new Endpoint("POST", PATH, AuthKind.NONE, null, this::register));
    }

    private void requireEnabled() {
        if (sharedSecret == null) throw new MatrixException(ErrCode.UNKNOWN, 400, "Shared secret registration is not enabled");
    }

    private ApiResponse nonce(ApiRequest request) {
        requireEnabled();
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String nonce = HexFormat.of().formatHex(bytes);
        nonces.put(nonce, Boolean.TRUE);
        return ApiResponse.ok(Json.object().put("nonce", nonce));
    }

    private ApiResponse register(ApiRequest request) {
        requireEnabled();
        ObjectNode body = request.requiredJsonObject();
        String nonce = text(body, "nonce", true);
        if (nonces.asMap().remove(nonce) == null) throw new MatrixException(ErrCode.UNKNOWN, 400, "unrecognised nonce");
        String username = text(body, "username", true);
        String password = text(body, "password", true);
        if (username.length() > 512 || username.indexOf('\0') >= 0) throw MatrixException.badJson("Invalid username");
        if (password.length() > AccountService.MAX_PASSWORD_LENGTH || password.indexOf('\0') >= 0) {
            throw MatrixException.badJson("Invalid password");
        }
        JsonNode adminNode = body.get("admin");
        if (adminNode != null && !adminNode.isNull() && !adminNode.isBoolean()) throw MatrixException.badJson("'admin' must be a boolean");
        boolean admin = adminNode != null && adminNode.asBoolean(false);
        String userType = text(body, "user_type", false);
        String displayname = text(body, "displayname", false);
        String mac = text(body, "mac", true);
        String expected = hmac(nonce + "\0" + username + "\0" + password + "\0" + (admin ? "admin" : "notadmin")
                + (userType == null ? "" : "\0" + userType));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), mac.toLowerCase(java.util.Locale.ROOT)
                .getBytes(StandardCharsets.US_ASCII))) {
            throw MatrixException.forbidden("HMAC incorrect");
        }
        String localpart = accounts.checkUsernameAvailable(username.toLowerCase(java.util.Locale.ROOT));
        LoginSession session = accounts.register(localpart, password, false, admin, false, null, "shared-secret registration")
                .orElseThrow();
        if (displayname != null && !displayname.isBlank()) accounts.setInitialDisplayname(session.userId(), displayname);
        return ApiResponse.ok(Json.object().put("user_id", session.userId()).put("access_token", session.accessToken())
                .put("home_server", accounts.serverName()).put("device_id", session.deviceId()));
    }

    private String hmac(String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A string field: required ones must be present; optional ones may be absent or null. */
    private static String text(ObjectNode body, String name, boolean required) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            if (required) throw MatrixException.badJson(name + " must be specified");
            return null;
        }
        if (!value.isTextual()) throw MatrixException.badJson("'" + name + "' must be a string");
        return value.textValue();
    }
}
