#!/usr/bin/env bash
# Foundation benchmark: callhs against Synapse, same machine, one command.
#
# Usage: bench/run-foundation-bench.sh
#
# For each server in turn (never both at once), on an empty data directory:
#   1. start-up time: from the server process's launch (its start time in /proc/PID/stat)
#      to the first 200 of GET /_matrix/client/versions, polled every 10 ms;
#   2. idle RSS: VmRSS of /proc/PID/status, IDLE_SETTLE_SECONDS after start-up;
#   3. whoami load (closed loop), then VmRSS again;
#   4. register-login load (closed loop), then VmRSS and VmHWM (peak);
#   5. stop, start again on the same data: restart time; stop.
# Then prints a markdown report (machine info, every figure, ratios callhs / Synapse).
# JDK discovery, build, probes and server start/stop live in bench/bench-lib.sh.
# It appends nothing anywhere: copy what you want into BENCHMARKS.md.
#
# Builds only with ./mvnw -q -pl homeserver-app -am package -DskipTests and
# ./mvnw -q -pl bench package, with a JDK 21+ ($JAVA_HOME if it qualifies, else
# /usr/lib/jvm/temurin-25*, else the newest JDK 21+ under /usr/lib/jvm). If callhs does
# not build or start, the report still has the Synapse column.
#
# Environment (defaults in brackets):
#   SERVERS             servers to measure, in order ["callhs synapse"]
#   WHOAMI_USERS [16]  WHOAMI_WARMUP [10s]  WHOAMI_DURATION [30s]
#   REGLOGIN_USERS [4] REGLOGIN_WARMUP [5s] REGLOGIN_DURATION [20s]
#   IDLE_SETTLE_SECONDS [5]
#   CALLHS_PORT [18448] CALLHS_FEDERATION_PORT [18449] SYNAPSE_PORT [18008]
#   CALLHS_JAVA_OPTS    extra JVM options for the homeserver [none: JVM defaults]
#   SYNAPSE_LOG_LEVEL   passed to run-synapse.sh [INFO, as stock Synapse]
#   OUT_DIR             where data dirs, logs and raw results go [a new dir under $TMPDIR]
#   SKIP_BUILD=1        use the jars already in */target (no Maven at all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS="${SERVERS:-callhs synapse}"
WHOAMI_USERS="${WHOAMI_USERS:-16}"
WHOAMI_WARMUP="${WHOAMI_WARMUP:-10s}"
WHOAMI_DURATION="${WHOAMI_DURATION:-30s}"
REGLOGIN_USERS="${REGLOGIN_USERS:-4}"
REGLOGIN_WARMUP="${REGLOGIN_WARMUP:-5s}"
REGLOGIN_DURATION="${REGLOGIN_DURATION:-20s}"
IDLE_SETTLE_SECONDS="${IDLE_SETTLE_SECONDS:-5}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS:-}"

LOG_TAG=foundation-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"
check_servers
build_jars
write_machine_info
{
  echo "whoami_users=$WHOAMI_USERS"; echo "whoami_warmup=$WHOAMI_WARMUP"; echo "whoami_duration=$WHOAMI_DURATION"
  echo "reglogin_users=$REGLOGIN_USERS"; echo "reglogin_warmup=$REGLOGIN_WARMUP"; echo "reglogin_duration=$REGLOGIN_DURATION"
} >"$OUT_DIR/params.env"
warn_if_busy

# ------------------------------------------------------------------ a run ----
bench_server() {
  local name="$1" env="$OUT_DIR/$1.env" pid
  start_on_empty_data "$name"
  (( SERVER_UP )) || return 0
  pid="$SERVER_PID"
  nap "$IDLE_SETTLE_SECONDS"
  echo "rss_idle_kib=$(proc_kib "$pid" VmRSS)" >>"$env"

  run_scenario "$name" whoami "$WHOAMI_USERS" "$WHOAMI_WARMUP" "$WHOAMI_DURATION" "$pid"
  echo "rss_after_whoami_kib=$(proc_kib "$pid" VmRSS)" >>"$env"

  run_scenario "$name" register-login "$REGLOGIN_USERS" "$REGLOGIN_WARMUP" "$REGLOGIN_DURATION" "$pid"
  echo "rss_after_reglogin_kib=$(proc_kib "$pid" VmRSS)" >>"$env"
  echo "hwm_kib=$(proc_kib "$pid" VmHWM)" >>"$env"
  "stop_$name"

  log "=== $name: restart on the existing data"
  if "start_$name"; then
    log "$name restarted in $STARTUP_MS ms"
    echo "restart_ms=$STARTUP_MS" >>"$env"
  fi
  "stop_$name"
  echo "status=ok" >>"$env"
}

for server in $SERVERS; do
  bench_server "$server"
done

print_report FoundationReport
