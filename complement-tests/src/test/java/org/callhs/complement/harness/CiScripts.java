package org.callhs.complement.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the repository's {@code .ci/*.sh} installers (which print {@code export NAME=value}
 * on standard output and log on standard error) and answers the exported value. An installer
 * that fails fails the test with its output: what it needed, and how to provide it.
 */
final class CiScripts {
    private CiScripts() {}

    static String export(String script, String name) {
        Path path = Path.of(System.getProperty("basedir", "."), "..", ".ci", script).toAbsolutePath().normalize();
        try {
            Path errors = java.nio.file.Files.createTempFile("callhs-ci-script-", ".log");
            Process process = new ProcessBuilder("bash", path.toString()).redirectError(errors.toFile()).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new AssertionError(path + " failed:\n" + java.nio.file.Files.readString(errors));
            }
            String prefix = "export " + name + "=";
            for (String line : out.split("\n")) if (line.startsWith(prefix)) return line.substring(prefix.length()).trim();
            throw new AssertionError(path + " printed no " + prefix + " line:\n" + out);
        } catch (IOException e) {
            throw new AssertionError("could not run " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
