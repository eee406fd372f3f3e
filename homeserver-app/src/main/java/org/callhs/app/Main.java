package org.callhs.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar homeserver.jar <command>}: run, generate-config, register-user. */
@Command(name = "homeserver", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "callhs: a Matrix homeserver for calling-heavy deployments.",
        subcommands = {RunCommand.class, GenerateConfigCommand.class, RegisterUserCommand.class})
public final class Main implements Runnable {
    private static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    public static void main(String[] args) {
        librarySettings();
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + e.getMessage());
            return e instanceof org.callhs.core.config.ConfigException ? 2 : 1;
        });
        int code = cli.execute(args);
        if (code != 0 || !RunCommand.keepsRunning()) System.exit(code);
    }

    /** System properties that the libraries read when they start, unless set on the command line. */
    static void librarySettings() {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        // Without this, Jetty's first queue asks the platform MBean server whether object
        // references are compressed, which starts JMX and its diagnostic commands: some 300
        // classes (about 3 MB resident) that the server never uses otherwise. Compressed (4-byte)
        // references are the JVM's default below a 32 GiB heap: 64-byte cache lines hold 16.
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null)
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE,
                    Runtime.getRuntime().maxMemory() < 32L << 30 ? "16" : "8");
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
