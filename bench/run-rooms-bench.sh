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
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"

LOG_TAG=rooms-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"
check_servers
build_jars

# The build itself raises the load average, so the wait for idle comes after it.
wait_for_idle
write_machine_info
{
  echo "one_room_users=$ONE_ROOM_USERS"; echo "one_room_warmup=$ONE_ROOM_WARMUP"; echo "one_room_duration=$ONE_ROOM_DURATION"
  echo "many_rooms_users=$MANY_ROOMS_USERS"; echo "many_rooms_warmup=$MANY_ROOMS_WARMUP"; echo "many_rooms_duration=$MANY_ROOMS_DURATION"
  echo "create_room_users=$CREATE_ROOM_USERS"; echo "create_room_warmup=$CREATE_ROOM_WARMUP"; echo "create_room_duration=$CREATE_ROOM_DURATION"
} >"$OUT_DIR/params.env"
warn_if_busy

# ------------------------------------------------------------------ a run ----
room_scenarios() { # label server_pid
  run_scenario "$1" send-one-room "$ONE_ROOM_USERS" "$ONE_ROOM_WARMUP" "$ONE_ROOM_DURATION" "$2"
  run_scenario "$1" send-100-rooms "$MANY_ROOMS_USERS" "$MANY_ROOMS_WARMUP" "$MANY_ROOMS_DURATION" "$2"
  run_scenario "$1" create-room "$CREATE_ROOM_USERS" "$CREATE_ROOM_WARMUP" "$CREATE_ROOM_DURATION" "$2"
}
run_on_each_server room_scenarios

print_report RoomsReport
