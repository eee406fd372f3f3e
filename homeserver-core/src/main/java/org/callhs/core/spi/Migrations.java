package org.callhs.core.spi;

/**
 * A module's own Flyway migrations: scripts under {@code location} (e.g.
 * {@code classpath:db/migration/msc4140}), recorded in their own history table
 * {@code flyway_history_<owner>}, so modules version their tables independently of core.
 */
public record Migrations(String owner, String location) {
    public String historyTable() { return "flyway_history_" + owner.replace('-', '_'); }
}
