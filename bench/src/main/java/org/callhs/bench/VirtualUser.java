package org.callhs.bench;

import java.io.Closeable;

/**
 * One simulated client: its own keep-alive connection, its Matrix client, its recorder,
 * and whatever state its scenario keeps (the access token for {@code whoami}).
 * Used by exactly one thread at a time.
 */
public final class VirtualUser implements Closeable {

    private final int index;
    private final HttpConnection connection;
    private final MatrixClient client;
    private final UserRecorder recorder;
    private MatrixClient.Session session;

    public VirtualUser(int index, HttpConnection connection, UserRecorder recorder) {
        this.index = index;
        this.connection = connection;
        this.client = new MatrixClient(connection);
        this.recorder = recorder;
    }

    public int index() {
        return index;
    }

    public MatrixClient client() {
        return client;
    }

    public UserRecorder recorder() {
        return recorder;
    }

    public HttpConnection connection() {
        return connection;
    }

    /** The session established during setup, if the scenario needs one. */
    public MatrixClient.Session session() {
        return session;
    }

    public void session(MatrixClient.Session session) {
        this.session = session;
    }

    /** Registers the run's account {@code bench_<runId>_<tag>} and keeps its session. */
    public void register(String runId, String tag) throws RequestFailure {
        session(client.register(UserNames.account(runId, tag), UserNames.password(runId)));
    }

    /** Logs in to the run's account {@code bench_<runId>_<tag>} (a new device) and keeps that session. */
    public void login(String runId, String tag) throws RequestFailure {
        session(client.login(UserNames.account(runId, tag), UserNames.password(runId)));
    }

    @Override
    public void close() {
        connection.close();
    }
}
