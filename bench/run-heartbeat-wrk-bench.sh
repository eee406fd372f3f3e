#!/usr/bin/env bash
# MSC4140 heartbeats measured with wrk, a load generator this project did not write (issue 21):
# callhs on PostgreSQL, callhs on SQLite and Synapse, same machine, one command.
#
# Usage: bench/run-heartbeat-wrk-bench.sh
#
# Installs wrk from Debian's packages if it is missing (apt-get as root, or sudo -n). After the
# build, waits until the machine is idle (as the other scripts do). Then for each server in turn
# (never two at once), on an empty data directory (and, for callhs-pg, a new database in the
# throw-away cluster of .ci/postgres.sh):
#   1. setup, not measured (org.callhs.bench.WrkHeartbeatSetup): USERS accounts join one room
#      and each schedules one delayed state event, its own empty org.matrix.msc3401.call.member
#      under the state key _<user>_<device>, due in one hour: the MatrixRTC shape, one delayed
#      leave per call member;
#   2. for each number of connections in CONNECTIONS: wrk for WARMUP (not recorded), then wrk
#      for DURATION with WRK_THREADS threads and --latency; every request restarts the delayed
#      leave of an account picked at random, with that account's token
#      (POST .../delayed_events/<delay_id>/restart, body {}, keep-alive; bench/wrk/heartbeat.lua).
#      Over the measured window the CPU time of the homeserver process, of PostgreSQL's processes
#      and of the whole machine is read from /proc.
# Then prints a markdown table (restarts/s, latency percentiles from wrk, answers other than
# 200, CPU per restart) to stdout and $OUT_DIR/report.md. It appends nothing anywhere: copy what
# you want into BENCHMARKS.md.
#
# callhs runs with -Xmx512m unless CALLHS_JAVA_OPTS says otherwise, rate limits off (as in every
# benchmark here); Synapse with bench/synapse/'s configuration (MSC4140 on, rate limits off,
# SQLite). Build, JDK choice, ports and server start/stop live in bench/bench-lib.sh.
#
# Environment (defaults in brackets):
#   SERVERS      servers to measure, in order, among callhs-pg callhs-sqlite synapse
#                ["callhs-pg callhs-sqlite synapse"]
#   USERS [1000]             CONNECTIONS ["32 64 128"]     WRK_THREADS [2]
#   WARMUP [10s]             DURATION [30s]
#   CALLHS_SET               space-separated key=value settings passed to callhs as --set options
#                            (e.g. "delayed_events.restart_committers=1") [none]
#   KEEP_PG_DATABASE=1       keep callhs-pg's database after the run (it is printed)
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
USERS="${USERS:-1000}"
CONNECTIONS="${CONNECTIONS:-32 64 128}"
WRK_THREADS="${WRK_THREADS:-2}"
WARMUP="${WARMUP:-10s}"
DURATION="${DURATION:-30s}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"

LOG_TAG=wrk-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"
check_servers

ensure_wrk

CALLHS_SETTINGS=()
for setting in ${CALLHS_SET:-}; do CALLHS_SETTINGS+=(--set "$setting"); done

build_jars
start_postgres_if_needed
wait_for_idle
if [[ "$PG_STATUS" == ok ]]; then
  CALLHS_DATABASE_NOTE="callhs-sqlite: SQLite; callhs-pg: PostgreSQL $(pg_psql -tA -c 'SHOW server_version') (.ci/postgres.sh cluster on the same machine: shared_buffers 256MB, fsync on; a new database per run)"
fi
CALLHS_DATABASE_NOTE="${CALLHS_DATABASE_NOTE:-SQLite}${CALLHS_SET:+; --set ${CALLHS_SET}}"
write_machine_info
echo "generator=$WRK_VERSION, $WRK_THREADS threads, bench/wrk/heartbeat.lua; $USERS accounts in one room, one delayed leave each; warm-up $WARMUP, measured $DURATION" >>"$OUT_DIR/machine.env"
warn_if_busy

ROWS="$OUT_DIR/rows.md"
: >"$ROWS"

# ------------------------------------------------------------------ a run ----
wrk_runs() { # label server_pid
  local label="$1" pid="$2" targets="$OUT_DIR/$1-targets.txt" c out s0 s1 p0 p1 m0 m1 line
  log "=== $label: setup, $USERS accounts"
  "$JAVA" -cp "$BENCH_JAR" org.callhs.bench.WrkHeartbeatSetup --base-url "$SERVER_URL" --out "$targets" --users "$USERS" \
      2> >(tee -a "$OUT_DIR/$label-setup.log" >&2) || { log "$label: setup failed"; echo "| $label | setup failed | | | | | | | | |" >>"$ROWS"; return 0; }
  for c in $CONNECTIONS; do
    log "=== $label: $c connections, warm-up $WARMUP"
    wrk -t"$WRK_THREADS" -c"$c" -d"$WARMUP" -s bench/wrk/heartbeat.lua "$SERVER_URL" -- "$targets" >"$OUT_DIR/$label-c$c-warmup.txt" 2>&1 || true
    log "=== $label: $c connections, measured $DURATION"
    out="$OUT_DIR/$label-c$c.txt"
    s0="$(proc_ticks "$pid")"; p0="$(postgres_ticks)"; m0="$(machine_ticks)"
    wrk -t"$WRK_THREADS" -c"$c" -d"$DURATION" --latency -s bench/wrk/heartbeat.lua "$SERVER_URL" -- "$targets" >"$out" 2>&1 || true
    s1="$(proc_ticks "$pid")"; p1="$(postgres_ticks)"; m1="$(machine_ticks)"
    cat "$out" >&2
    line="$(grep '^WRK_RESULT' "$out" || true)"
    if [[ -z "$line" ]]; then echo "| $label | $c | wrk failed (see $out) | | | | | | | |" >>"$ROWS"; continue; fi
    # shellcheck disable=SC2086
    awk -v label="$label" -v c="$c" -v s="$(( s1 - s0 ))" -v p="$(( p1 - p0 ))" -v hz="$CLK_TCK" \
        -v mb="$(( ${m1% *} - ${m0% *} ))" -v mt="$(( ${m1#* } - ${m0#* } ))" -v pg="$([[ $label == callhs-pg ]] && echo 1 || echo 0)" '
      { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] } }
      END {
        n = r["requests"]; us = 1e6 / hz
        errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
        printf "| %s | %d | **%.0f** | %.1f | %.1f | **%.1f** | %.1f | %d | %d | %.0f | %s | %.0f %% |\n",
          label, c, r["rps"], r["p50_us"] / 1000, r["p90_us"] / 1000, r["p99_us"] / 1000, r["max_us"] / 1000,
          r["non_2xx"], errors, s * us / n, pg ? sprintf("%.0f", p * us / n) : "n/a", 100 * mb / mt
      }' <<<"$line" >>"$ROWS"
  done
}
run_on_each_server wrk_runs
for server in $SERVERS; do
  status="$(sed -n 's/^status=//p' "$OUT_DIR/$server.env" | tail -n 1)"
  [[ "$status" == ok ]] || echo "| $server | did not run: $status | | | | | | | | | | |" >>"$ROWS"
done

finish_machine_info
{
  echo "## Heartbeats with wrk"
  echo
  while IFS='=' read -r k v; do echo "- $k: $v"; done <"$OUT_DIR/machine.env"
  echo
  echo "| server | connections | restarts/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | answers not 200 | socket errors | server CPU per restart (µs) | PostgreSQL CPU per restart (µs) | machine busy |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  cat "$ROWS"
} | tee "$OUT_DIR/report.md"
log "raw results, logs and data directories: $OUT_DIR"
