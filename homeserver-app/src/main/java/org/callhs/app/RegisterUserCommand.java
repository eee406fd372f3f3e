package org.callhs.app;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import org.callhs.core.Homeserver;
import org.callhs.core.account.AccountService;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.storage.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Creates an account directly in the database, as an administrator, whether or not the
 * server is running (SQLite's busy timeout and PostgreSQL's transactions make concurrent
 * writes safe). Registration does not need to be open.
 */
@Command(name = "register-user", mixinStandardHelpOptions = true, description = "Create a user account in the server's database.")
final class RegisterUserCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = {"--user", "-u"}, required = true, paramLabel = "LOCALPART", description = "Username (localpart) of the new account.")
    String user;

    @Option(names = {"--password", "-p"}, required = true, paramLabel = "PASSWORD", description = "Password of the new account.")
    String password;

    @Option(names = "--admin", description = "Make the account a server administrator.")
    boolean admin;

    @Override
    public Integer call() {
        List<HomeserverModule> modules = ConfigOptions.modules();
        ConfigLoader.Loaded loaded = options.load(List.of(), modules);
        try (Database database = Homeserver.openDatabase(loaded.core(), modules)) {
            AccountService accounts = Homeserver.accountService(loaded.core(), database, Clock.systemUTC());
            String localpart = accounts.checkUsernameAvailable(user);
            AccountService.checkPassword(password);
            accounts.register(localpart, password, false, admin, true, null, null);
            System.out.println("@" + localpart + ":" + loaded.core().serverName());
            return 0;
        } catch (org.callhs.core.error.MatrixException e) {
            System.err.println("error: " + e.errcode() + ": " + e.getMessage());
            return 1;
        }
    }
}
