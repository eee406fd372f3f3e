#!/usr/bin/env bash
# MSC4140 delayed-events benchmark: restart throughput under 100,000 scheduled events, firing
# punctuality, a mass expiry and a MatrixRTC-like call load, on callhs with PostgreSQL, callhs
# with SQLite and Synapse (SQLite), same machine, one command.
#
# Usage: bench/run-delayed-bench.sh
#
# After the build, waits until the machine is idle (as bench/run-rooms-bench.sh does). Then for
# each server in turn (never two at once), on an empty data directory (and, for callhs-pg, a new
# PostgreSQL database), runs four scenarios of bench.jar one after the other, and stops the
# server:
#   1. heartbeats: HEARTBEAT_ACCOUNTS accounts schedule HEARTBEAT_EVENTS delayed messages with a
#      delay of one hour (unmeasured setup, 16 connections); then HEARTBEAT_WORKERS connections
#      restart delay IDs picked at random, closed loop: restarts/s, latency, errors, server CPU
#      per restart. The events stay scheduled for the next scenarios, as on a busy server;
#   2. punctuality: PUNCTUALITY_RATE delayed messages a second (open loop), delay
#      PUNCTUALITY_DELAY, into 10 rooms a client watches through /sync: lateness of each firing
#      (seen in /sync - (answer to the scheduling request + delay)), missing and early ones;
#   3. mass-expiry: MASS_EXPIRY_SCHEDULERS accounts schedule MASS_EXPIRY_EVENTS delayed messages
#      in parallel, all due at the same instant T (the middle of the measured window): when each
#      one shows up in the watcher's /sync relative to T, the last one, missing and early ones;
#   4. matrixrtc: RTC_PARTICIPANTS call participants (10 made-up devices per account, rooms of
#      100) driven by RTC_WORKERS connections: each schedules a delayed leave (empty
#      org.matrix.msc3401.call.member state event, delay RTC_DELAY) and restarts it every 5 s;
#      5 % of them a minute are killed (stop heartbeating): restart rate held and latency, the
#      lateness of each killed participant's leave in /sync, missing and early leaves.
# Then prints a markdown report (machine info, every figure, ratio of the first two columns:
# callhs-sqlite / synapse when both ran, both on SQLite). It appends nothing anywhere: copy
# what you want into BENCHMARKS.md.
#
# callhs runs with --set delayed_events.max_scheduled_per_user=CALLHS_MAX_SCHEDULED_PER_USER
# (the default 100 would refuse the heartbeats' 1,000 events per account) and, for callhs-pg,
# --database-url on a database created for the run in the throw-away cluster of
# .ci/postgres.sh (started if needed, as the test suite does; dropped after the run unless
# KEEP_PG_DATABASE=1). Synapse runs with bench/synapse/'s configuration, which enables MSC4140.
# The server CPU figures are those of the homeserver process only: PostgreSQL's own processes
# are not counted.
#
# Setup is not measured but is long on Synapse: 100,000 schedules and 300 registrations (a
# password hash each, about 3 a second on 2 busy cores). About 20 minutes in all, half of it
# Synapse. For a quick check, reduce the sizes and durations, e.g.
#   HEARTBEAT_EVENTS=5000 RTC_PARTICIPANTS=400 HEARTBEAT_DURATION=5s PUNCTUALITY_DURATION=5s \
#   RTC_DURATION=20s SERVERS=callhs-sqlite bench/run-delayed-bench.sh
#
# callhs runs with -Xmx512m unless CALLHS_JAVA_OPTS says otherwise (CALLHS_JAVA_OPTS= , set but
# empty, means JVM defaults). Build, JDK choice, ports and server start/stop as in
# bench/run-rooms-bench.sh; they live in bench/bench-lib.sh.
#
# Environment (defaults in brackets):
#   SERVERS   servers to measure, in order, among callhs-pg callhs-sqlite synapse
#             ["callhs-pg callhs-sqlite synapse"]
#   HEARTBEAT_EVENTS [100000]   HEARTBEAT_ACCOUNTS [100]   HEARTBEAT_WORKERS [64]
#   HEARTBEAT_WARMUP [10s]      HEARTBEAT_DURATION [30s]
#   PUNCTUALITY_RATE [20]       PUNCTUALITY_DELAY [3s]
#   PUNCTUALITY_WARMUP [10s]    PUNCTUALITY_DURATION [30s]
#   MASS_EXPIRY_EVENTS [1000]   MASS_EXPIRY_SCHEDULERS [20]
#   MASS_EXPIRY_WARMUP [2s]     MASS_EXPIRY_DURATION [20s]  (T is half-way through it)
#   RTC_PARTICIPANTS [2000]     RTC_WORKERS [40]            RTC_DELAY [8s]
#   RTC_WARMUP [15s]            RTC_DURATION [90s]
#                               (the warm-up must cover the 5 s in which participants join)
#   CALLHS_MAX_SCHEDULED_PER_USER [100000]
#   KEEP_PG_DATABASE=1          keep callhs-pg's database after the run (it is printed)
#   IDLE_LOAD_MAX [0.6]      IDLE_POLL_SECONDS [15]  IDLE_WAIT_MAX_SECONDS [1200]
#                            (IDLE_LOAD_MAX= : do not wait)
#   CALLHS_PORT [18448] CALLHS_FEDERATION_PORT [18449] SYNAPSE_PORT [18008]
#   CALLHS_JAVA_OPTS         JVM options for the homeserver [-Xmx512m]
#   SYNAPSE_LOG_LEVEL        passed to run-synapse.sh [INFO, as stock Synapse]
#   OUT_DIR                  where data dirs, logs and raw results go [a new dir under $TMPDIR]
#   SKIP_BUILD=1             use the jars already in */target (no Maven at all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS="${SERVERS:-callhs-pg callhs-sqlite synapse}"
HEARTBEAT_EVENTS="${HEARTBEAT_EVENTS:-100000}"
HEARTBEAT_ACCOUNTS="${HEARTBEAT_ACCOUNTS:-100}"
HEARTBEAT_WORKERS="${HEARTBEAT_WORKERS:-64}"
HEARTBEAT_WARMUP="${HEARTBEAT_WARMUP:-10s}"
HEARTBEAT_DURATION="${HEARTBEAT_DURATION:-30s}"
PUNCTUALITY_RATE="${PUNCTUALITY_RATE:-20}"
PUNCTUALITY_DELAY="${PUNCTUALITY_DELAY:-3s}"
PUNCTUALITY_WARMUP="${PUNCTUALITY_WARMUP:-10s}"
PUNCTUALITY_DURATION="${PUNCTUALITY_DURATION:-30s}"
MASS_EXPIRY_EVENTS="${MASS_EXPIRY_EVENTS:-1000}"
MASS_EXPIRY_SCHEDULERS="${MASS_EXPIRY_SCHEDULERS:-20}"
MASS_EXPIRY_WARMUP="${MASS_EXPIRY_WARMUP:-2s}"
MASS_EXPIRY_DURATION="${MASS_EXPIRY_DURATION:-20s}"
RTC_PARTICIPANTS="${RTC_PARTICIPANTS:-2000}"
RTC_WORKERS="${RTC_WORKERS:-40}"
RTC_DELAY="${RTC_DELAY:-8s}"
RTC_WARMUP="${RTC_WARMUP:-15s}"
RTC_DURATION="${RTC_DURATION:-90s}"
CALLHS_MAX_SCHEDULED_PER_USER="${CALLHS_MAX_SCHEDULED_PER_USER:-100000}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"

for server in $SERVERS; do
  case "$server" in
    callhs-pg|callhs-sqlite|synapse) ;;
    *) echo "[delayed-bench] ERROR: unknown server '$server' (known: callhs-pg callhs-sqlite synapse)" >&2; exit 1 ;;
  esac
done

LOG_TAG=delayed-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"

# callhs-pg and callhs-sqlite (bench-lib.sh) both run with these settings.
CALLHS_SETTINGS=(--set "delayed_events.max_scheduled_per_user=$CALLHS_MAX_SCHEDULED_PER_USER")

build_jars
start_postgres_if_needed
wait_for_idle
if [[ "$PG_STATUS" == ok ]]; then
  CALLHS_DATABASE_NOTE="callhs-sqlite: SQLite; callhs-pg: PostgreSQL $(pg_psql -tA -c 'SHOW server_version') (.ci/postgres.sh cluster on the same machine: shared_buffers 256MB, fsync on; a new database per run)"
else
  CALLHS_DATABASE_NOTE="SQLite"
fi
CALLHS_DATABASE_NOTE+="; --set delayed_events.max_scheduled_per_user=$CALLHS_MAX_SCHEDULED_PER_USER"
write_machine_info
{
  echo "heartbeat_events=$HEARTBEAT_EVENTS"; echo "heartbeat_accounts=$HEARTBEAT_ACCOUNTS"; echo "heartbeat_workers=$HEARTBEAT_WORKERS"
  echo "heartbeat_warmup=$HEARTBEAT_WARMUP"; echo "heartbeat_duration=$HEARTBEAT_DURATION"
  echo "punctuality_rate=$PUNCTUALITY_RATE"; echo "punctuality_delay=$PUNCTUALITY_DELAY"
  echo "punctuality_warmup=$PUNCTUALITY_WARMUP"; echo "punctuality_duration=$PUNCTUALITY_DURATION"
  echo "mass_expiry_events=$MASS_EXPIRY_EVENTS"; echo "mass_expiry_schedulers=$MASS_EXPIRY_SCHEDULERS"
  echo "mass_expiry_warmup=$MASS_EXPIRY_WARMUP"; echo "mass_expiry_duration=$MASS_EXPIRY_DURATION"
  echo "rtc_participants=$RTC_PARTICIPANTS"; echo "rtc_workers=$RTC_WORKERS"; echo "rtc_delay=$RTC_DELAY"
  echo "rtc_warmup=$RTC_WARMUP"; echo "rtc_duration=$RTC_DURATION"
} >"$OUT_DIR/params.env"
warn_if_busy

# ------------------------------------------------------------------ a run ----
# User 0 of punctuality, mass-expiry and matrixrtc is the watching /sync client: they take one
# more virtual user than schedulers or workers.
delayed_scenarios() { # label server_pid
  run_scenario "$1" heartbeats "$HEARTBEAT_WORKERS" "$HEARTBEAT_WARMUP" "$HEARTBEAT_DURATION" "$2" \
      --events "$HEARTBEAT_EVENTS" --accounts "$HEARTBEAT_ACCOUNTS"
  run_scenario "$1" punctuality 2 "$PUNCTUALITY_WARMUP" "$PUNCTUALITY_DURATION" "$2" \
      --rate "$PUNCTUALITY_RATE" --delay "$PUNCTUALITY_DELAY"
  run_scenario "$1" mass-expiry $(( MASS_EXPIRY_SCHEDULERS + 1 )) "$MASS_EXPIRY_WARMUP" "$MASS_EXPIRY_DURATION" "$2" \
      --events "$MASS_EXPIRY_EVENTS"
  run_scenario "$1" matrixrtc $(( RTC_WORKERS + 1 )) "$RTC_WARMUP" "$RTC_DURATION" "$2" \
      --participants "$RTC_PARTICIPANTS" --delay "$RTC_DELAY"
}
run_on_each_server delayed_scenarios

same_engine_report_labels
print_report DelayedReport
