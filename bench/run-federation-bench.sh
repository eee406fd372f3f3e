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
PEER="$ROOT/bench/synapse/run-synapse-peer.sh"
build_jars
[[ "$CALLHS_BUILD_STATUS" == ok ]] || die "$CALLHS_BUILD_STATUS"
"$ROOT/bench/synapse/install-synapse.sh"
wait_for_idle
write_machine_info
{ echo "rate=$RATE"; echo "fed_warmup=$WARMUP"; echo "fed_duration=$DURATION"; } >"$OUT_DIR/params.env"
warn_if_busy

STARTED_PIDS=()
STARTED_PEERS=()
stop_all() {
  local pid dir
  for pid in ${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}; do
    kill "$pid" 2>/dev/null || true
    while alive "$pid"; do nap 0.1; done
  done
  for dir in ${STARTED_PEERS[@]+"${STARTED_PEERS[@]}"}; do "$PEER" stop "$dir" >/dev/null 2>&1 || true; done
  STARTED_PIDS=()
  STARTED_PEERS=()
}
trap stop_all EXIT

# start_server KIND ROLE CLIENT_PORT FEDERATION_PORT: KIND callhs or synapse, on empty data.
start_server() {
  local kind="$1" role="$2" client="$3" federation="$4" dir="$OUT_DIR/$PAIR/$2"
  mkdir -p "$dir"
  if [[ "$kind" == callhs ]]; then
    # shellcheck disable=SC2086
    "$JAVA" $CALLHS_JAVA_OPTS -jar "$CALLHS_JAR" run --data-dir "$dir" --server-name "localhost:$federation" \
        --listen "127.0.0.1:$client" --federation-listen "127.0.0.1:$federation" --enable-registration \
        --set rate_limits.enabled=false --set federation.verify_certificates=false \
        --set federation.ip_range_allowlist=127.0.0.0/8 --set federation.destination_min_retry_interval_ms=500 \
        >"$dir/callhs.out" 2>&1 &
    STARTED_PIDS+=("$!")
    await_first_200 "$!" "$client" || { tail -n 30 "$dir/callhs.out" >&2; die "callhs ($role) did not start"; }
  else
    STARTED_PEERS+=("$dir")
    "$PEER" start "$dir" "$federation" "$client" >/dev/null || die "Synapse ($role) did not start"
  fi
  log "$PAIR: $kind ($role) up as localhost:$federation, client port $client"
}

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
