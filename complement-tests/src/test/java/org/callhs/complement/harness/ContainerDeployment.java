package org.callhs.complement.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * Homeservers run from the test-suite image ({@code docker/Dockerfile}, target {@code complement})
 * with Testcontainers, as matrix-org/complement runs them: on a network of their own under the
 * names {@code hs1}, {@code hs2}, ..., each with {@code SERVER_NAME} set to its name and the CA
 * this deployment made at {@code /complement/ca}, ready once the image's health check answers and
 * {@code /_matrix/client/versions} does. Federation between them is HTTPS on 8448 by name,
 * certificates signed by that CA. Logs go to {@code target/complement-logs/<deployment>/<hs>.log}.
 *
 * <p>The image is {@value #DEFAULT_IMAGE} unless {@code -Dcallhs.complement.image} names another;
 * {@code docker/check-images.sh} (run by {@code ./dev.sh test}) builds it. The Docker API is
 * Testcontainers' usual one: in CI, podman's socket ({@code .ci/podman.sh --api} exports
 * {@code DOCKER_HOST}).
 */
public final class ContainerDeployment implements AutoCloseable {
    public static final String DEFAULT_IMAGE = "localhost/callhs-complement:dev";
    public static final String IMAGE_PROPERTY = "callhs.complement.image";

    private final Network network;
    private final List<GenericContainer<?>> containers;
    private final List<Homeserver> servers;
    private final TestCa ca;

    private ContainerDeployment(Network network, List<GenericContainer<?>> containers, List<Homeserver> servers, TestCa ca) {
        this.network = network;
        this.containers = containers;
        this.servers = servers;
        this.ca = ca;
    }

    /** {@code count} homeservers from the image, started one after another. */
    public static ContainerDeployment start(String name, int count) {
        String image = System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE);
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("no Docker API for Testcontainers: set DOCKER_HOST (in CI: eval \"$(.ci/podman.sh --api)\")");
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (RuntimeException e) {
            throw new IllegalStateException("image " + image + " not found: build it with docker/check-images.sh (./dev.sh test does)", e);
        }
        Path logDir = Path.of("target", "complement-logs", name);
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCa ca = TestCa.create("callhs complement CA for " + name);
        Network network = Network.newNetwork();
        List<GenericContainer<?>> containers = new ArrayList<>();
        List<Homeserver> servers = new ArrayList<>();
        ContainerDeployment deployment = new ContainerDeployment(network, containers, servers, ca);
        try {
            for (int i = 1; i <= count; i++) {
                String hs = "hs" + i;
                Path log = logDir.resolve(hs + ".log");
                Files.deleteIfExists(log);
                GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                        .withNetwork(network)
                        .withNetworkAliases(hs)
                        .withEnv("SERVER_NAME", hs)
                        .withExposedPorts(8008, 8448)
                        .withCopyToContainer(Transferable.of(ca.certificatePem().getBytes(StandardCharsets.UTF_8), 0644), "/complement/ca/ca.crt")
                        .withCopyToContainer(Transferable.of(ca.keyPem().getBytes(StandardCharsets.UTF_8), 0600), "/complement/ca/ca.key")
                        .withLogConsumer(frame -> append(log, frame))
                        .waitingFor(Wait.forHttp("/health").forPort(8008).forStatusCode(200)
                                .withStartupTimeout(Duration.ofSeconds(120)));
                containers.add(container);
                container.start();
                URI baseUrl = URI.create("http://" + container.getHost() + ":" + container.getMappedPort(8008));
                servers.add(new ContainerHomeserver(hs, baseUrl, container));
                new CsApiClient(baseUrl).requestAt("GET", "_matrix", "client", "versions").send().assertOk();
            }
            return deployment;
        } catch (IOException e) {
            deployment.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            deployment.close();
            throw e;
        }
    }

    private static void append(Path log, OutputFrame frame) {
        try {
            Files.write(log, frame.getBytes() == null ? new byte[0] : frame.getBytes(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // A lost log line must not fail the scenario.
        }
    }

    /** The {@code i}-th homeserver, from 1. */
    public ContainerHomeserver server(int i) { return (ContainerHomeserver) servers.get(i - 1); }

    public List<Homeserver> servers() { return List.copyOf(servers); }

    public TestCa ca() { return ca; }

    @Override
    public void close() {
        for (GenericContainer<?> container : containers.reversed()) {
            try {
                container.stop();
            } catch (RuntimeException ignored) {
                // Stop the others anyway.
            }
        }
        try {
            network.close();
        } catch (RuntimeException ignored) {
            // Already gone.
        }
    }

    /** One homeserver container: its Client-Server API through the published port, its federation port. */
    public record ContainerHomeserver(String name, URI baseUrl, GenericContainer<?> container) implements Homeserver {
        @Override public String serverName() { return name; }

        /** The host port published for the federation listener (8448 inside). */
        public int federationPort() { return container.getMappedPort(8448); }

        public String host() { return container.getHost(); }
    }
}
