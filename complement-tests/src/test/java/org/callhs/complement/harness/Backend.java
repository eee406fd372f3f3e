package org.callhs.complement.harness;

/** The database a deployment's homeservers store their data in. */
public enum Backend {
    /** SQLite file in the homeserver's data directory (the server's default). */
    SQLITE,
    /** A fresh PostgreSQL database per homeserver, created from {@code TEST_POSTGRES_URL}. */
    POSTGRES
}
