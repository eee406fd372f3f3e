-- Cluster mode only (PostgreSQL): the tables of Quartz's JDBC job store (JobStoreTX with
-- org.quartz.jobStore.isClustered=true), through which the instances of a cluster run the
-- cluster-wide jobs (delayed-event sweep and pruning, sticky and federation clean-up) once per
-- cluster. Table and column names are the ones Quartz 2.x reads and writes; callhs never
-- queries them itself. Applied with its own history (flyway_history_quartz) when
-- cluster.enabled is true.

-- Jobs: one row per job (scheduler, name, group) with its class and flags.
CREATE TABLE qrtz_job_details (
    sched_name        VARCHAR(120) NOT NULL, -- scheduler name, shared by the cluster's instances
    job_name          VARCHAR(200) NOT NULL,
    job_group         VARCHAR(200) NOT NULL,
    description       VARCHAR(250),
    job_class_name    VARCHAR(250) NOT NULL, -- the Job class Quartz instantiates
    is_durable        BOOL         NOT NULL, -- kept without triggers
    is_nonconcurrent  BOOL         NOT NULL, -- @DisallowConcurrentExecution: one run at a time, cluster-wide
    is_update_data    BOOL         NOT NULL,
    requests_recovery BOOL         NOT NULL, -- re-run on another instance when the one running it dies
    job_data          BYTEA,                 -- serialised JobDataMap
    PRIMARY KEY (sched_name, job_name, job_group)
);

-- Triggers: when each job runs next, and its state (WAITING, ACQUIRED, EXECUTING, BLOCKED, ...).
CREATE TABLE qrtz_triggers (
    sched_name     VARCHAR(120) NOT NULL,
    trigger_name   VARCHAR(200) NOT NULL,
    trigger_group  VARCHAR(200) NOT NULL,
    job_name       VARCHAR(200) NOT NULL,
    job_group      VARCHAR(200) NOT NULL,
    description    VARCHAR(250),
    next_fire_time BIGINT,                -- ms since the epoch
    prev_fire_time BIGINT,
    priority       INTEGER,
    trigger_state  VARCHAR(16)  NOT NULL,
    trigger_type   VARCHAR(8)   NOT NULL, -- SIMPLE, CRON, CAL_INT, DAILY_I, BLOB
    start_time     BIGINT       NOT NULL,
    end_time       BIGINT,
    calendar_name  VARCHAR(200),
    misfire_instr  SMALLINT,
    job_data       BYTEA,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group)
);
CREATE INDEX qrtz_triggers_next ON qrtz_triggers (sched_name, trigger_state, next_fire_time);
CREATE INDEX qrtz_triggers_misfire ON qrtz_triggers (sched_name, misfire_instr, next_fire_time, trigger_state);
CREATE INDEX qrtz_triggers_job ON qrtz_triggers (sched_name, job_name, job_group);

-- Repeat settings of simple triggers (the only kind callhs uses).
CREATE TABLE qrtz_simple_triggers (
    sched_name      VARCHAR(120) NOT NULL,
    trigger_name    VARCHAR(200) NOT NULL,
    trigger_group   VARCHAR(200) NOT NULL,
    repeat_count    BIGINT       NOT NULL,
    repeat_interval BIGINT       NOT NULL,
    times_triggered BIGINT       NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group)
);

-- Cron triggers' expressions (unused by callhs; Quartz expects the table).
CREATE TABLE qrtz_cron_triggers (
    sched_name      VARCHAR(120) NOT NULL,
    trigger_name    VARCHAR(200) NOT NULL,
    trigger_group   VARCHAR(200) NOT NULL,
    cron_expression VARCHAR(120) NOT NULL,
    time_zone_id    VARCHAR(80),
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group)
);

-- Properties of calendar-interval and daily-interval triggers (unused by callhs; Quartz expects the table).
CREATE TABLE qrtz_simprop_triggers (
    sched_name    VARCHAR(120) NOT NULL,
    trigger_name  VARCHAR(200) NOT NULL,
    trigger_group VARCHAR(200) NOT NULL,
    str_prop_1    VARCHAR(512),
    str_prop_2    VARCHAR(512),
    str_prop_3    VARCHAR(512),
    int_prop_1    INT,
    int_prop_2    INT,
    long_prop_1   BIGINT,
    long_prop_2   BIGINT,
    dec_prop_1    NUMERIC(13, 4),
    dec_prop_2    NUMERIC(13, 4),
    bool_prop_1   BOOL,
    bool_prop_2   BOOL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group)
);

-- Serialised custom triggers (unused by callhs; Quartz expects the table).
CREATE TABLE qrtz_blob_triggers (
    sched_name    VARCHAR(120) NOT NULL,
    trigger_name  VARCHAR(200) NOT NULL,
    trigger_group VARCHAR(200) NOT NULL,
    blob_data     BYTEA,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group)
);

-- Calendars that exclude times from triggers (unused by callhs; Quartz expects the table).
CREATE TABLE qrtz_calendars (
    sched_name    VARCHAR(120) NOT NULL,
    calendar_name VARCHAR(200) NOT NULL,
    calendar      BYTEA        NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);

-- Paused trigger groups.
CREATE TABLE qrtz_paused_trigger_grps (
    sched_name    VARCHAR(120) NOT NULL,
    trigger_group VARCHAR(200) NOT NULL,
    PRIMARY KEY (sched_name, trigger_group)
);

-- Triggers an instance has acquired or is running: what a surviving instance recovers when that one dies.
CREATE TABLE qrtz_fired_triggers (
    sched_name        VARCHAR(120) NOT NULL,
    entry_id          VARCHAR(95)  NOT NULL,
    trigger_name      VARCHAR(200) NOT NULL,
    trigger_group     VARCHAR(200) NOT NULL,
    instance_name     VARCHAR(200) NOT NULL, -- the Quartz instance ID (callhs: cluster.instance_name)
    fired_time        BIGINT       NOT NULL,
    sched_time        BIGINT       NOT NULL,
    priority          INTEGER      NOT NULL,
    state             VARCHAR(16)  NOT NULL,
    job_name          VARCHAR(200),
    job_group         VARCHAR(200),
    is_nonconcurrent  BOOL,
    requests_recovery BOOL,
    PRIMARY KEY (sched_name, entry_id)
);
CREATE INDEX qrtz_fired_instance ON qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
CREATE INDEX qrtz_fired_job ON qrtz_fired_triggers (sched_name, job_name, job_group);
CREATE INDEX qrtz_fired_trigger ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);

-- Each instance's last check-in: one that stops checking in is declared dead and its work recovered.
CREATE TABLE qrtz_scheduler_state (
    sched_name        VARCHAR(120) NOT NULL,
    instance_name     VARCHAR(200) NOT NULL,
    last_checkin_time BIGINT       NOT NULL,
    checkin_interval  BIGINT       NOT NULL,
    PRIMARY KEY (sched_name, instance_name)
);

-- The cluster-wide locks (TRIGGER_ACCESS, STATE_ACCESS), taken with SELECT ... FOR UPDATE.
CREATE TABLE qrtz_locks (
    sched_name VARCHAR(120) NOT NULL,
    lock_name  VARCHAR(40)  NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);
