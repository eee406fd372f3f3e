#!/usr/bin/env bash
# Rooms across two servers (issue 14), callhs against Synapse in one run, one command:
#   - inbound: PDUs per second a receiving server accepts from one origin into a room of MEMBERS
#     members (half on each server). The origin is callhs in both runs (its outbound queue is not
#     the bottleneck: it takes the messages locally much faster than either receiver accepts them);
#     the receiver is callhs, then Synapse.
#   - join: the time for a user of the joining server to join a room of JOIN_MEMBERS members on a
#     callhs resident (JOIN_ROOMS rooms, one join each: the median is reported), for a callhs
#     joiner, then a Synapse joiner; also the time until the joiner's /joined_members lists
#     every member.
#
# Usage: bench/run-federated-rooms-bench.sh
#
# Each pairing starts both servers on empty data (as bench/run-federation-bench.sh: TLS federation
# on loopback, certificate checks off, every rate limit off), runs org.callhs.bench.FederatedRoomsBench
# from bench.jar, and stops them. Then prints markdown tables; copy them into BENCHMARKS.md.
#
# Environment (defaults in brackets):
#   MEMBERS [100]  MESSAGES [3000]  SENDERS [8]      the inbound measurement
#   JOIN_MEMBERS [1000]  JOIN_ROOMS [3]              the join measurement
#   INBOUND_PAIRS ["callhs-to-callhs callhs-to-synapse"]  JOIN_PAIRS ["callhs-to-callhs callhs-to-synapse"]
#   PORT_BASE [18700]   CALLHS_JAVA_OPTS [-Xmx512m]   IDLE_LOAD_MAX [0.6]   OUT_DIR   SKIP_BUILD=1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MEMBERS="${MEMBERS:-100}"
MESSAGES="${MESSAGES:-3000}"
SENDERS="${SENDERS:-8}"
JOIN_MEMBERS="${JOIN_MEMBERS:-1000}"
JOIN_ROOMS="${JOIN_ROOMS:-3}"
INBOUND_PAIRS="${INBOUND_PAIRS:-callhs-to-callhs callhs-to-synapse}"
JOIN_PAIRS="${JOIN_PAIRS:-callhs-to-callhs callhs-to-synapse}"
PORT_BASE="${PORT_BASE:-18700}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"
SERVERS="callhs synapse"

LOG_TAG=federated-rooms-bench
source "$ROOT/bench/bench-lib.sh"
build_jars
[[ "$CALLHS_BUILD_STATUS" == ok ]] || die "$CALLHS_BUILD_STATUS"
"$ROOT/bench/synapse/install-synapse.sh"
wait_for_idle
write_machine_info
{ echo "members=$MEMBERS"; echo "messages=$MESSAGES"; echo "senders=$SENDERS"; echo "join_members=$JOIN_MEMBERS";
  echo "join_rooms=$JOIN_ROOMS"; } >"$OUT_DIR/params.env"
warn_if_busy
source "$ROOT/bench/federation-lib.sh"

for pair in $INBOUND_PAIRS; do
  # The receiver is --a (it creates the room), the origin --b; the label names the origin first.
  measure FederatedRoomsBench inbound "$pair" "${pair##*-to-}" "${pair%%-to-*}" --members "$MEMBERS" --messages "$MESSAGES" --senders "$SENDERS"
done
for pair in $JOIN_PAIRS; do
  measure FederatedRoomsBench join "$pair" "${pair%%-to-*}" "${pair##*-to-}" --members "$JOIN_MEMBERS" --rooms "$JOIN_ROOMS"
done

finish_machine_info
"$JAVA" -cp "$BENCH_JAR" org.callhs.bench.FederatedRoomsBench --mode report --dir "$OUT_DIR" | tee "$OUT_DIR/report.md"
log "raw results, logs and data directories: $OUT_DIR"
