#!/usr/bin/env bash
# Federation benchmark (issues 13 and 14): to-device messages and room messages across two
# servers, for every pairing of callhs and Synapse (callhs -> callhs, callhs -> Synapse,
# Synapse -> callhs, Synapse -> Synapse), all in one run, one command.
#
# Usage: bench/run-federation-bench.sh
#
# After the build and the wait for an idle machine (as the other benchmarks), for each pairing in
# turn: starts the two servers fresh (server names localhost:<federation port>, TLS federation
# listeners on loopback, certificate checks off, loopback allowed, quick retries; Synapse through
# bench/synapse/run-synapse-peer.sh), runs bench.jar's federated-to-device scenario (one user on
# the sending server sends RATE to-device messages a second, open loop, to one device of a user on
# the receiving server that long-polls /sync; WARMUP, then DURATION measured: 20/s for 50 s is
# 1,000 messages), then the federated-room-message scenario (the same rate of room messages into
# a room of the sending server that the receiving user joined over federation), and stops both. The latency of a message is from just before its sendToDevice
# request to the receiver's /sync response carrying it. Then prints a markdown report with a
# column per pairing; copy what you want into BENCHMARKS.md.
#
# Environment (defaults in brackets):
#   PAIRS     pairings to measure, in order ["callhs-to-callhs synapse-to-synapse callhs-to-synapse synapse-to-callhs"];
#             the report's ratio column is the first over the second
#   RATE [20]   WARMUP [10s]   DURATION [50s]
#   PORT_BASE [18600]: ports PORT_BASE..PORT_BASE+3 (client and federation of the sender,
#             then of the receiver)
#   CALLHS_JAVA_OPTS  JVM options for callhs [-Xmx512m]
#   IDLE_LOAD_MAX [0.6] ... as bench/run-sync-bench.sh;  OUT_DIR;  SKIP_BUILD=1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PAIRS="${PAIRS:-callhs-to-callhs synapse-to-synapse callhs-to-synapse synapse-to-callhs}"
RATE="${RATE:-20}"
WARMUP="${WARMUP:-10s}"
DURATION="${DURATION:-50s}"
PORT_BASE="${PORT_BASE:-18600}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"
SERVERS="callhs synapse"   # what bench-lib builds and describes

LOG_TAG=federation-bench
source "$ROOT/bench/bench-lib.sh"
build_jars
[[ "$CALLHS_BUILD_STATUS" == ok ]] || die "$CALLHS_BUILD_STATUS"
"$ROOT/bench/synapse/install-synapse.sh"
wait_for_idle
write_machine_info
{ echo "rate=$RATE"; echo "fed_warmup=$WARMUP"; echo "fed_duration=$DURATION"; } >"$OUT_DIR/params.env"
warn_if_busy

source "$ROOT/bench/federation-lib.sh"

for PAIR in $PAIRS; do
  sender="${PAIR%%-to-*}"
  receiver="${PAIR##*-to-}"
  log "=== $PAIR"
  start_server "$sender" sender "$PORT_BASE" $(( PORT_BASE + 1 ))
  start_server "$receiver" receiver $(( PORT_BASE + 2 )) $(( PORT_BASE + 3 ))
  "$JAVA" -jar "$BENCH_JAR" --base-url "http://127.0.0.1:$(( PORT_BASE + 2 ))" \
      --sender-base-url "http://127.0.0.1:$PORT_BASE" --label "$PAIR" --scenario federated-to-device --users 2 \
      --rate "$RATE" --warmup "$WARMUP" --duration "$DURATION" --json \
      >"$OUT_DIR/$PAIR-federated-to-device.json" 2> >(tee -a "$OUT_DIR/$PAIR-generator.log" >&2) \
      || log "$PAIR run failed"
  "$JAVA" -jar "$BENCH_JAR" --base-url "http://127.0.0.1:$(( PORT_BASE + 2 ))" \
      --sender-base-url "http://127.0.0.1:$PORT_BASE" --label "$PAIR" --scenario federated-room-message --users 2 \
      --rate "$RATE" --warmup "$WARMUP" --duration "$DURATION" --json \
      >"$OUT_DIR/$PAIR-federated-room-message.json" 2> >(tee -a "$OUT_DIR/$PAIR-generator.log" >&2) \
      || log "$PAIR room run failed"
  echo "status=ok" >"$OUT_DIR/$PAIR.env"
  stop_all
done

REPORT_LABELS="$PAIRS"
print_report FederationReport
