package org.callhs.bench;

import java.nio.charset.StandardCharsets;

/** One HTTP response: its status code and its (de-chunked) body. */
public record HttpResult(int status, byte[] body) {

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
