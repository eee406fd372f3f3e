package org.callhs.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.junit.jupiter.api.Test;

/** {@link Main#librarySettings()}: Jetty's queues are made without starting JMX. */
class LibrarySettingsTest {
    /** Run in a JVM of its own: the settings, then the Jetty queue that every server makes. */
    public static void main(String[] args) {
        if (args.length == 0) Main.librarySettings();
        new BlockingArrayQueue<String>().add("made");
        System.out.println("queue made, referencesPerCacheLine="
                + System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine"));
    }

    @Test
    void jettyQueuesDoNotStartTheMBeanServer() throws Exception {
        String out = runWithClassLoading(List.of());
        assertThat(out).contains("queue made, referencesPerCacheLine=16");
        assertThat(out).doesNotContain("javax.management.MBeanServer ");
    }

    @Test
    void withoutTheSettingsJettyStartsIt() throws Exception {
        // The check above is only worth something if Jetty does start JMX without the setting.
        assertThat(runWithClassLoading(List.of("bare"))).contains("javax.management.MBeanServer ");
    }

    @Test
    void aValueGivenOnTheCommandLineIsKept() throws Exception {
        String out = run(List.of("-Dorg.eclipse.jetty.util.referencesPerCacheLine=8"), List.of());
        assertThat(out).contains("queue made, referencesPerCacheLine=8");
    }

    private static String runWithClassLoading(List<String> args) throws IOException, InterruptedException {
        return run(List.of("-Xlog:class+load=info"), args);
    }

    private static String run(List<String> jvmOptions, List<String> args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LibrarySettingsTest.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }
}
