#!/usr/bin/env bash
# /sync benchmark (issue 4): delivery through long-polls, initial sync, idle long-polls and
# to-device bursts, callhs against Synapse, same machine, one command.
#
# Usage: bench/run-sync-bench.sh
#
# After the build, waits until the machine is idle (as bench/run-rooms-bench.sh does). Then for
# each server in turn (never both at once), on an empty data directory, runs four scenarios of
# bench.jar one after the other, and stops the server:
#   1. delivery-latency: DELIVERY_MEMBERS users joined to one room, each holding a /sync
#      long-poll (timeout 30 s) in a loop; one more user sends a message every 1/DELIVERY_RATE s
#      (open loop). Per (message, member): time from just before the send request to the
#      arrival of the member's /sync response carrying it; deliveries still missing 10 s after
#      the run count as errors (must be 0);
#   2. initial-sync: one account in 100 rooms (2 other members and 3 messages each);
#      INITIAL_SYNC_CLIENTS devices of it repeat initial syncs (no since, no filter) in a
#      closed loop: syncs/s, latency, response size;
#   3. idle-long-polls: IDLE_CLIENTS users long-polling in rooms of 10, IDLE_RATE messages/s
#      into the rooms in turn: incremental sync responses/s, latency of the woken polls, server
#      CPU and RSS while holding the polls;
#   4. to-device-burst: BURST_DEVICES devices (10 per account: one registration, nine logins)
#      long-polling; BURST_RATE times a second ONE PUT /sendToDevice with a message for every
#      device: time until all devices have it, and per device.
# Then prints a markdown report (machine info, every figure, ratios callhs / Synapse). It
# appends nothing anywhere: copy what you want into BENCHMARKS.md.
#
# Accounts are made as in the other scenarios (open registration, m.login.dummy; rate limits
# off on both servers), at most 16 at a time. Password hashing makes this the slow part on
# Synapse (about 3 registrations or logins a second on 2 busy cores): the default sizes need
# 1,500 of them, i.e. several minutes of unmeasured setup. Reduce the sizes for a quick check:
#   DELIVERY_MEMBERS=20 IDLE_CLIENTS=100 BURST_DEVICES=40 (durations 5s) bench/run-sync-bench.sh
#
# callhs runs with -Xmx512m unless CALLHS_JAVA_OPTS says otherwise (CALLHS_JAVA_OPTS= , set but
# empty, means JVM defaults). Build, JDK choice, ports and server start/stop as in
# bench/run-rooms-bench.sh; they live in bench/bench-lib.sh.
#
# Environment (defaults in brackets):
#   SERVERS                  servers to measure, in order ["callhs synapse"]
#   DELIVERY_MEMBERS [100]   DELIVERY_RATE [5]     DELIVERY_WARMUP [30s]     DELIVERY_DURATION [30s]
#     (delivery-latency is the first scenario on a freshly started server: with a 10 s warm-up
#      the JVM is still compiling the sync path and its p99 is some 10-25 ms higher)
#   INITIAL_SYNC_CLIENTS [4]                       INITIAL_SYNC_WARMUP [5s]  INITIAL_SYNC_DURATION [20s]
#   IDLE_CLIENTS [1000]      IDLE_RATE [2]         IDLE_WARMUP [10s]         IDLE_DURATION [30s]
#   BURST_DEVICES [500]      BURST_RATE [0.5]      BURST_WARMUP [6s]         BURST_DURATION [30s]
#                            (rates: messages, or bursts, per second from the one sender)
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

SERVERS="${SERVERS:-callhs synapse}"
DELIVERY_MEMBERS="${DELIVERY_MEMBERS:-100}"
DELIVERY_RATE="${DELIVERY_RATE:-5}"
DELIVERY_WARMUP="${DELIVERY_WARMUP:-30s}"
DELIVERY_DURATION="${DELIVERY_DURATION:-30s}"
INITIAL_SYNC_CLIENTS="${INITIAL_SYNC_CLIENTS:-4}"
INITIAL_SYNC_WARMUP="${INITIAL_SYNC_WARMUP:-5s}"
INITIAL_SYNC_DURATION="${INITIAL_SYNC_DURATION:-20s}"
IDLE_CLIENTS="${IDLE_CLIENTS:-1000}"
IDLE_RATE="${IDLE_RATE:-2}"
IDLE_WARMUP="${IDLE_WARMUP:-10s}"
IDLE_DURATION="${IDLE_DURATION:-30s}"
BURST_DEVICES="${BURST_DEVICES:-500}"
BURST_RATE="${BURST_RATE:-0.5}"
BURST_WARMUP="${BURST_WARMUP:-6s}"
BURST_DURATION="${BURST_DURATION:-30s}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"

LOG_TAG=sync-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"
check_servers
build_jars
wait_for_idle
write_machine_info
{
  echo "delivery_members=$DELIVERY_MEMBERS"; echo "delivery_rate=$DELIVERY_RATE"
  echo "delivery_warmup=$DELIVERY_WARMUP"; echo "delivery_duration=$DELIVERY_DURATION"
  echo "initial_sync_clients=$INITIAL_SYNC_CLIENTS"
  echo "initial_sync_warmup=$INITIAL_SYNC_WARMUP"; echo "initial_sync_duration=$INITIAL_SYNC_DURATION"
  echo "idle_clients=$IDLE_CLIENTS"; echo "idle_rate=$IDLE_RATE"; echo "idle_warmup=$IDLE_WARMUP"; echo "idle_duration=$IDLE_DURATION"
  echo "burst_devices=$BURST_DEVICES"; echo "burst_rate=$BURST_RATE"; echo "burst_warmup=$BURST_WARMUP"; echo "burst_duration=$BURST_DURATION"
} >"$OUT_DIR/params.env"
warn_if_busy

# ------------------------------------------------------------------ a run ----
# The fan-out scenarios take one more virtual user than pollers: user 0 is the sender.
# Hundreds of long-polling users run on virtual threads.
sync_scenarios() { # label server_pid
  run_scenario "$1" delivery-latency $(( DELIVERY_MEMBERS + 1 )) "$DELIVERY_WARMUP" "$DELIVERY_DURATION" "$2" \
      --rate "$DELIVERY_RATE"
  run_scenario "$1" initial-sync "$INITIAL_SYNC_CLIENTS" "$INITIAL_SYNC_WARMUP" "$INITIAL_SYNC_DURATION" "$2"
  run_scenario "$1" idle-long-polls $(( IDLE_CLIENTS + 1 )) "$IDLE_WARMUP" "$IDLE_DURATION" "$2" \
      --rate "$IDLE_RATE" --threads virtual
  run_scenario "$1" to-device-burst $(( BURST_DEVICES + 1 )) "$BURST_WARMUP" "$BURST_DURATION" "$2" \
      --rate "$BURST_RATE" --threads virtual
}
run_on_each_server sync_scenarios

print_report SyncReport
