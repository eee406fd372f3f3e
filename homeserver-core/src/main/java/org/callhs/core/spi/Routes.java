package org.callhs.core.spi;

import java.util.List;
import org.callhs.core.http.Endpoint;

/** A group of endpoint descriptors contributed by core or a module. */
@FunctionalInterface
public interface Routes {
    List<Endpoint> endpoints();
}
