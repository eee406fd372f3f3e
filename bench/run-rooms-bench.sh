#!/usr/bin/env bash
# Rooms benchmark: sending messages and creating rooms, callhs against Synapse, same
# machine, one command.
#
# Usage: bench/run-rooms-bench.sh
#
# After the build, waits until the machine is idle (1-minute load average below
# IDLE_LOAD_MAX, polled every IDLE_POLL_SECONDS, at most IDLE_WAIT_MAX_SECONDS; then it goes
# on and says so in the report). Then for each server in turn (never both at once), on an
# empty data directory, runs three closed-loop scenarios of bench.jar, one after the other:
#   1. send-one-room:  every user sends m.room.message events into ONE shared room;
#   2. send-100-rooms: users send into 100 rooms, each user to its own rooms in turn;
#   3. create-room:    each iteration is one POST /createRoom (private_chat, with a name);
# and stops the server. Then prints a markdown report (machine info, every figure, ratios
# callhs / Synapse). It appends nothing anywhere: copy what you want into BENCHMARKS.md.
#
# callhs runs with -Xmx512m unless CALLHS_JAVA_OPTS says otherwise (the room scenarios
# create many events and rooms; the bound keeps the heap, hence RSS, comparable between
# runs instead of a quarter of RAM). CALLHS_JAVA_OPTS= (set but empty) means JVM defaults.
#
# Builds only with ./mvnw -q -pl homeserver-app -am package -DskipTests and
# ./mvnw -q -pl bench package, with a JDK 21+ ($JAVA_HOME if it qualifies, else
# /usr/lib/jvm/temurin-25*, else the newest JDK 21+ under /usr/lib/jvm). If callhs does
# not build or start, the report still has the Synapse column.
# JDK discovery, build, probes and server start/stop live in bench/bench-lib.sh.
#
# Environment (defaults in brackets):
#   SERVERS               servers to measure, in order ["callhs synapse"]
#   ONE_ROOM_USERS [16]   ONE_ROOM_WARMUP [10s]   ONE_ROOM_DURATION [30s]
#   MANY_ROOMS_USERS [16] MANY_ROOMS_WARMUP [10s] MANY_ROOMS_DURATION [30s]
#   CREATE_ROOM_USERS [4] CREATE_ROOM_WARMUP [5s] CREATE_ROOM_DURATION [20s]
#   IDLE_LOAD_MAX [0.6]   IDLE_POLL_SECONDS [15]  IDLE_WAIT_MAX_SECONDS [1200]
#                         (IDLE_LOAD_MAX= : do not wait)
#   CALLHS_PORT [18448] CALLHS_FEDERATION_PORT [18449] SYNAPSE_PORT [18008]
#   CALLHS_JAVA_OPTS      JVM options for the homeserver [-Xmx512m]
#   SYNAPSE_LOG_LEVEL     passed to run-synapse.sh [INFO, as stock Synapse]
#   OUT_DIR               where data dirs, logs and raw results go [a new dir under $TMPDIR]
#   SKIP_BUILD=1          use the jars already in */target (no Maven at all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS="${SERVERS:-callhs synapse}"
ONE_ROOM_USERS="${ONE_ROOM_USERS:-16}"
ONE_ROOM_WARMUP="${ONE_ROOM_WARMUP:-10s}"
ONE_ROOM_DURATION="${ONE_ROOM_DURATION:-30s}"
MANY_ROOMS_USERS="${MANY_ROOMS_USERS:-16}"
MANY_ROOMS_WARMUP="${MANY_ROOMS_WARMUP:-10s}"
MANY_ROOMS_DURATION="${MANY_ROOMS_DURATION:-30s}"
CREATE_ROOM_USERS="${CREATE_ROOM_USERS:-4}"
CREATE_ROOM_WARMUP="${CREATE_ROOM_WARMUP:-5s}"
CREATE_ROOM_DURATION="${CREATE_ROOM_DURATION:-20s}"
IDLE_LOAD_MAX="${IDLE_LOAD_MAX-0.6}"
IDLE_POLL_SECONDS="${IDLE_POLL_SECONDS:-15}"
IDLE_WAIT_MAX_SECONDS="${IDLE_WAIT_MAX_SECONDS:-1200}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"
OUT_DIR="${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/callhs-rooms-bench.XXXXXX")}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

LOG_TAG=rooms-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"
check_servers
build_jars

# ---------------------------------------------------------- wait for idle ----
# Sets IDLE_NOTE. The build itself raises the load average, so this comes after it.
IDLE_NOTE="not waited (IDLE_LOAD_MAX empty)"
if [[ -n "$IDLE_LOAD_MAX" ]]; then
  waited=0
  while :; do
    read -r load1 _ </proc/loadavg
    if awk -v l="$load1" -v m="$IDLE_LOAD_MAX" 'BEGIN { exit !(l < m) }'; then
      IDLE_NOTE="1-minute load $load1 < $IDLE_LOAD_MAX after waiting ${waited} s"
      break
    fi
    if (( waited >= IDLE_WAIT_MAX_SECONDS )); then
      IDLE_NOTE="gave up waiting after ${waited} s: 1-minute load still $load1 (>= $IDLE_LOAD_MAX): figures may be skewed"
      log "WARNING: $IDLE_NOTE"
      break
    fi
    log "1-minute load average $load1 >= $IDLE_LOAD_MAX: waiting (${waited} s of at most ${IDLE_WAIT_MAX_SECONDS} s)"
    nap "$IDLE_POLL_SECONDS"
    waited=$(( waited + IDLE_POLL_SECONDS ))
  done
  log "idle: $IDLE_NOTE"
fi

write_machine_info
echo "idle check=$IDLE_NOTE" >>"$OUT_DIR/machine.env"
{
  echo "one_room_users=$ONE_ROOM_USERS"; echo "one_room_warmup=$ONE_ROOM_WARMUP"; echo "one_room_duration=$ONE_ROOM_DURATION"
  echo "many_rooms_users=$MANY_ROOMS_USERS"; echo "many_rooms_warmup=$MANY_ROOMS_WARMUP"; echo "many_rooms_duration=$MANY_ROOMS_DURATION"
  echo "create_room_users=$CREATE_ROOM_USERS"; echo "create_room_warmup=$CREATE_ROOM_WARMUP"; echo "create_room_duration=$CREATE_ROOM_DURATION"
} >"$OUT_DIR/params.env"
warn_if_busy

# ------------------------------------------------------------------ a run ----
bench_server() {
  local name="$1" env="$OUT_DIR/$1.env" pid
  start_on_empty_data "$name"
  (( SERVER_UP )) || return 0
  pid="$SERVER_PID"

  log "=== $name: send-one-room, $ONE_ROOM_USERS users, warm-up $ONE_ROOM_WARMUP, measured $ONE_ROOM_DURATION"
  run_generator "$name" send-one-room "$ONE_ROOM_USERS" "$ONE_ROOM_WARMUP" "$ONE_ROOM_DURATION" "$pid" || log "$name send-one-room run failed"

  log "=== $name: send-100-rooms, $MANY_ROOMS_USERS users, warm-up $MANY_ROOMS_WARMUP, measured $MANY_ROOMS_DURATION"
  run_generator "$name" send-100-rooms "$MANY_ROOMS_USERS" "$MANY_ROOMS_WARMUP" "$MANY_ROOMS_DURATION" "$pid" || log "$name send-100-rooms run failed"

  log "=== $name: create-room, $CREATE_ROOM_USERS users, warm-up $CREATE_ROOM_WARMUP, measured $CREATE_ROOM_DURATION"
  run_generator "$name" create-room "$CREATE_ROOM_USERS" "$CREATE_ROOM_WARMUP" "$CREATE_ROOM_DURATION" "$pid" || log "$name create-room run failed"

  echo "hwm_kib=$(proc_kib "$pid" VmHWM)" >>"$env"
  "stop_$name"
  echo "status=ok" >>"$env"
}

for server in $SERVERS; do
  bench_server "$server"
done

finish_machine_info

# shellcheck disable=SC2086
"$JAVA" -cp "$BENCH_JAR" org.callhs.bench.RoomsReport "$OUT_DIR" $SERVERS | tee "$OUT_DIR/report.md"
log "raw results, logs and data directories: $OUT_DIR"
