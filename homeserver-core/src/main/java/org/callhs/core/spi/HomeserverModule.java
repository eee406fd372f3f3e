package org.callhs.core.spi;

import java.util.List;

/**
 * A feature module (MSC4140, MSC4354, federation, ...). Found at start-up with
 * {@link java.util.ServiceLoader}; core never imports a module. Life cycle: the loader reads
 * {@link #configSections()} before binding configuration, runs {@link #migrations()} after
 * core's, then calls {@link #install(ModuleContext)}.
 */
public interface HomeserverModule {
    String name();

    default List<ConfigSection<?>> configSections() { return List.of(); }

    default List<Migrations> migrations() { return List.of(); }

    void install(ModuleContext context) throws Exception;
}
