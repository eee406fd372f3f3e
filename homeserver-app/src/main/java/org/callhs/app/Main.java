package org.callhs.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar homeserver.jar <command>}: run, generate-config, register-user. */
@Command(name = "homeserver", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "callhs: a Matrix homeserver for calling-heavy deployments.",
        subcommands = {RunCommand.class, GenerateConfigCommand.class, RegisterUserCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + e.getMessage());
            return e instanceof org.callhs.core.config.ConfigException ? 2 : 1;
        });
        int code = cli.execute(args);
        if (code != 0 || !RunCommand.keepsRunning()) System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
