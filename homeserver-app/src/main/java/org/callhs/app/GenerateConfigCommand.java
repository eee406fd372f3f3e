package org.callhs.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes the commented example configuration (every key with its default and trade-offs). */
@Command(name = "generate-config", mixinStandardHelpOptions = true, description = "Write a commented example configuration file.")
final class GenerateConfigCommand implements Callable<Integer> {
    static final String TEMPLATE = "/homeserver.example.yaml";

    @Option(names = {"--output", "-o"}, paramLabel = "FILE", description = "Where to write it (default: standard output).")
    Path output;

    @Option(names = "--force", description = "Overwrite an existing file.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        String text = template();
        if (output == null) {
            System.out.print(text);
            return 0;
        }
        if (Files.exists(output) && !force) {
            System.err.println("error: " + output + " exists (use --force to overwrite)");
            return 1;
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(output, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        System.err.println("wrote " + output);
        return 0;
    }

    static String template() throws IOException {
        try (InputStream in = GenerateConfigCommand.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) throw new IOException("example configuration missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
