package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.callhs.core.room.EventStore;
import org.callhs.core.room.StateStore;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.RoomRepository;

/**
 * Server access control lists (Client-Server API {@code m.room.server_acl}, Server-Server API
 * "Server Access Control Lists"): a room's current ACL decides whether a server may send it
 * PDUs and EDUs and use its room endpoints. The port is ignored; an IP literal is denied unless
 * {@code allow_ip_literals} is true (the default); then a {@code deny} glob denies, an
 * {@code allow} glob allows, and anything else is denied. Globs match the whole name, {@code *}
 * any run of characters and {@code ?} one, ignoring case. A room without an ACL allows everyone.
 */
public final class ServerAcls {
    private static final StateKey ACL = StateKey.of("m.room.server_acl", "");

    private final Database database;
    private final RoomRepository rooms;
    private final StateStore states;
    private final EventStore eventStore;

    public ServerAcls(Database database, RoomRepository rooms, StateStore states, EventStore eventStore) {
        this.database = database;
        this.rooms = rooms;
        this.states = states;
        this.eventStore = eventStore;
    }

    /** Whether the room's current ACL lets {@code server} in (rooms this server does not hold: yes). */
    public boolean allows(String roomId, String server) {
        var dsl = database.dsl();
        Optional<String> aclId = rooms.find(dsl, roomId).map(r -> states.load(dsl, r.getStateGroup()).state().get(ACL));
        if (aclId.isEmpty()) return true;
        return eventStore.pdu(dsl, aclId.get()).map(pdu -> allows(pdu.path("content"), server)).orElse(true);
    }

    /** 403 {@code M_FORBIDDEN} unless the room's current ACL lets {@code server} in. */
    public void require(String roomId, String server) {
        if (!allows(roomId, server)) {
            throw org.callhs.core.error.MatrixException.forbidden("Server " + server + " is denied by the room's server ACL");
        }
    }

    /** Whether an ACL's content lets {@code server} in. */
    public static boolean allows(JsonNode acl, String server) {
        String host = hostOf(server).toLowerCase(Locale.ROOT);
        JsonNode literals = acl.get("allow_ip_literals");
        boolean allowLiterals = literals == null || !literals.isBoolean() || literals.booleanValue();
        if (!allowLiterals && isIpLiteral(host)) return false;
        for (JsonNode deny : acl.path("deny")) {
            if (deny.isTextual() && glob(deny.textValue()).matcher(host).matches()) return false;
        }
        for (JsonNode allow : acl.path("allow")) {
            if (allow.isTextual() && glob(allow.textValue()).matcher(host).matches()) return true;
        }
        return false;
    }

    /** The server name without its port ({@code [::1]:8448} gives {@code [::1]}). */
    static String hostOf(String server) {
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            return close < 0 ? server : server.substring(0, close + 1);
        }
        int colon = server.lastIndexOf(':');
        return colon < 0 ? server : server.substring(0, colon);
    }

    static boolean isIpLiteral(String host) {
        if (host.startsWith("[")) return true;
        return host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toLowerCase(Locale.ROOT).toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
