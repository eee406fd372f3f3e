package org.callhs.core.http;

/** Handles one matched request. Throw {@link org.callhs.core.error.MatrixException} for Matrix errors. */
@FunctionalInterface
public interface ApiHandler {
    ApiResponse handle(ApiRequest request) throws Exception;
}
