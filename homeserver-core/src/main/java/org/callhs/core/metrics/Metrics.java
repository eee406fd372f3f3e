package org.callhs.core.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The server's meters. Code everywhere records into {@link #registry()}; with metrics off it is
 * an empty composite registry, whose meters do nothing, so measuring costs nothing when nobody
 * reads it. With metrics on, a Prometheus registry backs it and the JVM's own meters are bound.
 */
public final class Metrics implements AutoCloseable {
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final PrometheusMeterRegistry prometheus;
    private final JvmGcMetrics gc;

    private Metrics(boolean enabled) {
        if (enabled) {
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.add(prometheus);
            new JvmMemoryMetrics().bindTo(registry);
            gc = new JvmGcMetrics();
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new JvmInfoMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
        } else {
            prometheus = null;
            gc = null;
        }
    }

    /** Metrics collected and served (Prometheus). */
    public static Metrics prometheus() { return new Metrics(true); }

    /** Nothing collected: every meter is a no-op. */
    public static Metrics off() { return new Metrics(false); }

    public MeterRegistry registry() { return registry; }

    public boolean enabled() { return prometheus != null; }

    /**
     * The exposition of every meter, in the format the {@code Accept} header asks for
     * (OpenMetrics or Prometheus text).
     */
    public Scrape scrape(String accept) {
        if (prometheus == null) throw new IllegalStateException("metrics are off");
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
        return new Scrape(contentType, prometheus.scrape(contentType));
    }

    public record Scrape(String contentType, String body) {}

    @Override
    public void close() {
        if (gc != null) gc.close();
        registry.close();
    }
}
