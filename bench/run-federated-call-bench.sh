#!/usr/bin/env bash
# MatrixRTC across two servers (issue 15), callhs against Synapse in one run, one command:
#   - call: a call of PARTICIPANTS participants, half on each server, in matrix-js-sdk's sticky
#     shape (sticky membership, delayed sticky leave restarted every 5 s; 10 % of the participants
#     stop heartbeating during the window): how fast a membership reaches the other server's
#     members (p50/p99), and whether the killed participants' leaves reach them (lost, early, late),
#     with each server's CPU time and peak memory. Pairings: callhs + callhs, callhs + Synapse,
#     Synapse + Synapse (the anchor).
#   - join-sticky: a room with STICKY_EVENTS unexpired sticky events on a resident; a user of
#     another server joins: the time until its /sync holds all of them. Pairings: resident ->
#     joiner, for callhs and Synapse on either side.
#
# Usage: bench/run-federated-call-bench.sh
#
# Each pairing starts both servers on empty data (as bench/run-federation-bench.sh: TLS federation
# on loopback, certificate checks off, every rate limit off; Synapse with MSC4140 and MSC4354 on),
# runs org.callhs.bench.FederatedCallBench from bench.jar, and stops them. Then prints markdown
# tables; copy them into BENCHMARKS.md.
#
# Environment (defaults in brackets):
#   PARTICIPANTS [200]  CALL_SECONDS [60]  DELAY_MS [8000]   the call
#   STICKY_EVENTS [500]  JOIN_WAIT [120]                the join
#   CALL_PAIRS ["callhs-callhs callhs-synapse synapse-synapse"]
#   JOIN_PAIRS ["callhs-to-callhs synapse-to-callhs callhs-to-synapse synapse-to-synapse"]
#   PORT_BASE [18800]   CALLHS_JAVA_OPTS [-Xmx512m]   IDLE_LOAD_MAX [0.6]   OUT_DIR   SKIP_BUILD=1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PARTICIPANTS="${PARTICIPANTS:-200}"
SECONDS_RUN="${CALL_SECONDS:-60}"
DELAY_MS="${DELAY_MS:-8000}"
STICKY_EVENTS="${STICKY_EVENTS:-500}"
JOIN_WAIT="${JOIN_WAIT:-120}"
CALL_PAIRS="${CALL_PAIRS:-callhs-callhs callhs-synapse synapse-synapse}"
JOIN_PAIRS="${JOIN_PAIRS:-callhs-to-callhs synapse-to-callhs callhs-to-synapse synapse-to-synapse}"
PORT_BASE="${PORT_BASE:-18800}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"
SERVERS="callhs synapse"

LOG_TAG=federated-call-bench
source "$ROOT/bench/bench-lib.sh"
build_jars
[[ "$CALLHS_BUILD_STATUS" == ok ]] || die "$CALLHS_BUILD_STATUS"
"$ROOT/bench/synapse/install-synapse.sh"
wait_for_idle
write_machine_info
{ echo "participants=$PARTICIPANTS"; echo "seconds=$SECONDS_RUN"; echo "delay_ms=$DELAY_MS"; echo "sticky_events=$STICKY_EVENTS"; } \
    >"$OUT_DIR/params.env"
warn_if_busy
source "$ROOT/bench/federation-lib.sh"

for pair in $CALL_PAIRS; do
  measure FederatedCallBench call "$pair" "${pair%%-*}" "${pair##*-}" --participants "$PARTICIPANTS" --seconds "$SECONDS_RUN" --delay "$DELAY_MS"
done
for pair in $JOIN_PAIRS; do
  measure FederatedCallBench join-sticky "$pair" "${pair%%-to-*}" "${pair##*-to-}" --events "$STICKY_EVENTS" --wait "$JOIN_WAIT"
done

finish_machine_info
"$JAVA" -cp "$BENCH_JAR" org.callhs.bench.FederatedCallBench --mode report --dir "$OUT_DIR" | tee "$OUT_DIR/report.md"
log "raw results, logs and data directories: $OUT_DIR"
