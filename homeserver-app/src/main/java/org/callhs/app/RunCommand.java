package org.callhs.app;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.callhs.core.Homeserver;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.spi.HomeserverModule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Starts the homeserver and runs until SIGTERM/SIGINT, then shuts down gracefully. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the homeserver.")
final class RunCommand implements Callable<Integer> {
    private static volatile boolean running;

    @Mixin
    ConfigOptions options;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Client-Server API listener (default: 127.0.0.1:8008).")
    String listen;

    @Option(names = "--federation-listen", paramLabel = "HOST:PORT", description = "Federation (HTTPS) listener (default: 127.0.0.1:8448).")
    String federationListen;

    @Option(names = "--enable-registration", description = "Open registration (anyone who can reach the server can sign up).")
    boolean enableRegistration;

    static boolean keepsRunning() { return running; }

    @Override
    public Integer call() throws Exception {
        List<String> flags = new ArrayList<>();
        if (listen != null) flags.add("listen=" + ConfigOptions.quoted(listen));
        if (federationListen != null) flags.add("federation.listen=" + ConfigOptions.quoted(federationListen));
        if (enableRegistration) flags.add("registration.enabled=true");
        List<HomeserverModule> modules = ConfigOptions.modules();
        ConfigLoader.Loaded loaded = options.load(flags, modules);
        Logging.configure(loaded.core().logging());
        Homeserver homeserver = Homeserver.start(loaded, modules, Clock.systemUTC());
        running = true;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            homeserver.close();
            Logging.flush();
            stopped.countDown();
        }, "shutdown"));
        homeserver.join();
        stopped.await();
        return 0;
    }
}
