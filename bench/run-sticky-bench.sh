#!/usr/bin/env bash
# MSC4354 sticky-events benchmark: fan-out of a sticky call membership, initial sync of a room
# full of sticky events, and a whole MatrixRTC call on one server, on callhs with PostgreSQL,
# callhs with SQLite and Synapse (SQLite, MSC4354 on), same machine, one command.
#
# Usage: bench/run-sticky-bench.sh
#
# After the build, waits until the machine is idle (as bench/run-rooms-bench.sh does). Then for
# each server in turn (never two at once), on an empty data directory (and, for callhs-pg, a new
# PostgreSQL database), runs three scenarios of bench.jar and stops the server:
#   1. sticky-fanout: FANOUT_MEMBERS users in one room, each holding a /sync long-poll
#      (timeout 30 s) in a loop; one more user sends a sticky call membership
#      (org.matrix.msc4143.rtc.member, sticky 1 h) every 1/FANOUT_RATE s (open loop). Per
#      (membership, member): from just before the send to the arrival of the member's /sync
#      response carrying it (timeline or sticky section); and until every member has it;
#   2. sticky-initial-sync: a room holding INITIAL_EVENTS unexpired sticky events sent by
#      INITIAL_CLIENTS members; each member, in a closed loop, syncs from nothing (initial sync,
#      then next_batch with timeout=0) until no more sticky events come: the first response,
#      the whole chain, and how many sticky events it delivered (must be INITIAL_EVENTS);
#   3. call-shape: CALL_PARTICIPANTS participants in one room, each a sticky membership and a
#      delayed sticky leave (delay CALL_DELAY, on one send, as matrix-js-sdk's sticky mode does)
#      at its first beat, a restart of the leave every 5 s, and a long-poll /sync on a
#      connection of its own: restart and join latency, server CPU and memory.
# Then prints a markdown report (machine info, every figure, ratio callhs-sqlite / synapse when
# both ran). It appends nothing anywhere: copy what you want into BENCHMARKS.md.
#
# Setup is not measured but long on Synapse: about FANOUT_MEMBERS + CALL_PARTICIPANTS +
# INITIAL_CLIENTS registrations (a password hash each, about 3 a second on 2 busy cores). For a
# quick check: FANOUT_MEMBERS=50 CALL_PARTICIPANTS=50 INITIAL_EVENTS=300 (durations 5s).
#
# Environment (defaults in brackets):
#   SERVERS   servers to measure, in order, among callhs-pg callhs-sqlite synapse
#             ["callhs-pg callhs-sqlite synapse"]
#   FANOUT_MEMBERS [500]     FANOUT_RATE [2]       FANOUT_WARMUP [15s]   FANOUT_DURATION [30s]
#   INITIAL_EVENTS [2000]    INITIAL_CLIENTS [4]   INITIAL_WARMUP [5s]   INITIAL_DURATION [20s]
#   CALL_PARTICIPANTS [500]  CALL_DELAY [8s]       CALL_WARMUP [15s]     CALL_DURATION [60s]
#                            (the warm-up covers the 5 s in which participants join)
#   KEEP_PG_DATABASE=1       keep callhs-pg's database after the run (it is printed)
#   IDLE_LOAD_MAX [0.6]      IDLE_POLL_SECONDS [15]  IDLE_WAIT_MAX_SECONDS [1200]
#   CALLHS_PORT [18448] CALLHS_FEDERATION_PORT [18449] SYNAPSE_PORT [18008]
#   CALLHS_JAVA_OPTS         JVM options for the homeserver [-Xmx512m]
#   SYNAPSE_LOG_LEVEL        passed to run-synapse.sh [INFO, as stock Synapse]
#   OUT_DIR                  where data dirs, logs and raw results go [a new dir under $TMPDIR]
#   SKIP_BUILD=1             use the jars already in */target (no Maven at all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS="${SERVERS:-callhs-pg callhs-sqlite synapse}"
FANOUT_MEMBERS="${FANOUT_MEMBERS:-500}"
FANOUT_RATE="${FANOUT_RATE:-2}"
FANOUT_WARMUP="${FANOUT_WARMUP:-15s}"
FANOUT_DURATION="${FANOUT_DURATION:-30s}"
INITIAL_EVENTS="${INITIAL_EVENTS:-2000}"
INITIAL_CLIENTS="${INITIAL_CLIENTS:-4}"
INITIAL_WARMUP="${INITIAL_WARMUP:-5s}"
INITIAL_DURATION="${INITIAL_DURATION:-20s}"
CALL_PARTICIPANTS="${CALL_PARTICIPANTS:-500}"
CALL_DELAY="${CALL_DELAY:-8s}"
CALL_WARMUP="${CALL_WARMUP:-15s}"
CALL_DURATION="${CALL_DURATION:-60s}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"

for server in $SERVERS; do
  case "$server" in
    callhs-pg|callhs-sqlite|synapse) ;;
    *) echo "[sticky-bench] ERROR: unknown server '$server' (known: callhs-pg callhs-sqlite synapse)" >&2; exit 1 ;;
  esac
done

LOG_TAG=sticky-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"

# callhs-pg and callhs-sqlite run with the defaults (sticky events on, rate limits off).
CALLHS_SETTINGS=()

build_jars
start_postgres_if_needed
wait_for_idle
if [[ "$PG_STATUS" == ok ]]; then
  CALLHS_DATABASE_NOTE="callhs-sqlite: SQLite; callhs-pg: PostgreSQL $(pg_psql -tA -c 'SHOW server_version') (.ci/postgres.sh cluster on the same machine: shared_buffers 256MB, fsync on; a new database per run)"
else
  CALLHS_DATABASE_NOTE="SQLite"
fi
write_machine_info
{
  echo "fanout_members=$FANOUT_MEMBERS"; echo "fanout_rate=$FANOUT_RATE"
  echo "fanout_warmup=$FANOUT_WARMUP"; echo "fanout_duration=$FANOUT_DURATION"
  echo "initial_events=$INITIAL_EVENTS"; echo "initial_clients=$INITIAL_CLIENTS"
  echo "initial_warmup=$INITIAL_WARMUP"; echo "initial_duration=$INITIAL_DURATION"
  echo "call_participants=$CALL_PARTICIPANTS"; echo "call_delay=$CALL_DELAY"
  echo "call_warmup=$CALL_WARMUP"; echo "call_duration=$CALL_DURATION"
} >"$OUT_DIR/params.env"
warn_if_busy

sticky_scenarios() { # label server_pid
  run_scenario "$1" sticky-fanout $(( FANOUT_MEMBERS + 1 )) "$FANOUT_WARMUP" "$FANOUT_DURATION" "$2" \
      --rate "$FANOUT_RATE" --threads virtual
  run_scenario "$1" sticky-initial-sync "$INITIAL_CLIENTS" "$INITIAL_WARMUP" "$INITIAL_DURATION" "$2" \
      --events "$INITIAL_EVENTS"
  run_scenario "$1" call-shape $(( 2 * CALL_PARTICIPANTS )) "$CALL_WARMUP" "$CALL_DURATION" "$2" \
      --participants "$CALL_PARTICIPANTS" --delay "$CALL_DELAY" --threads virtual
}
run_on_each_server sticky_scenarios

same_engine_report_labels
print_report StickyReport
