#!/usr/bin/env bash
# Leave latency after a client crash, with and without LiveKit's webhook, measured with real
# Element Call calls: runs complement-tests' ElementCallScenario RUNS times (each run: a call in
# Element Call's compatibility mode and one in its matrix_2_0 mode with LiveKit's webhook, and one
# in compatibility mode without it; two headless Chromium processes, a real LiveKit SFU and callhs
# on SQLite, all on this machine) and tabulates, per case, how long after Bob's join both pages
# showed each other, how long after Bob's browser was killed Alice's page showed him gone, and
# how much of that came after LiveKit dropped him (LiveKit's own detection, about 20 s on
# loopback, is the rest).
#
# Usage: bench/run-element-call-bench.sh
#
# Needs what the scenario needs (it installs Debian's chromium, the npm packages and livekit-server
# itself; Node 22 from .ci/node.sh). Environment: RUNS [3], OUT_DIR [a new dir under $TMPDIR],
# SKIP_BUILD=1 (use the homeserver jar already built).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
OUT_DIR="${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/callhs-element-call-bench.XXXXXX")}"
mkdir -p "$OUT_DIR"
log() { echo "[element-call-bench] $*" >&2; }

JAVA_HOME="$(.ci/jdk.sh)"
export JAVA_HOME
[[ -n "${CALLHS_NODE:-}" ]] || eval "$(.ci/node.sh)"
[[ -n "${CALLHS_LIVEKIT:-}" ]] || eval "$(.ci/livekit.sh)"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building homeserver-app"
  ./mvnw -q -pl homeserver-app -am install -DskipTests
fi
LINES="$OUT_DIR/lines.txt"
: >"$LINES"
for run in $(seq "$RUNS"); do
  log "run $run of $RUNS"
  ./mvnw -q -pl complement-tests verify -Dit.test=ElementCallScenario -Dpostgres.tests=off >"$OUT_DIR/run-$run.log" 2>&1 \
    || { log "run $run failed: see $OUT_DIR/run-$run.log"; exit 1; }
  grep '^\[ElementCallScenario\]' "$OUT_DIR/run-$run.log" | tee -a "$LINES" >&2
done
{
  echo "## Element Call: leave latency after a client crash ($RUNS runs, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD))"
  echo
  echo "| case | runs | both in the call after Bob's join (ms), min / median / max | Alice sees Bob gone after his kill (ms), min / median / max | of which after LiveKit dropped him (ms), min / median / max |"
  echo "|---|---|---|---|---|"
  python3 - "$LINES" <<'PY'
import re, sys
cases = {}
for line in open(sys.argv[1]):
    m = re.match(r"\[ElementCallScenario\] ([^:]+): both in the call (\d+) ms.*after (\d+) ms, (-?\d+) ms after", line)
    if m:
        cases.setdefault(m.group(1), []).append(tuple(int(x) for x in m.groups()[1:]))
def stats(values):
    v = sorted(values)
    return f"{v[0]:,} / {v[(len(v) - 1) // 2]:,} / {v[-1]:,}"
for case, runs in sorted(cases.items()):
    print(f"| {case} | {len(runs)} | " + " | ".join(stats([r[k] for r in runs]) for k in range(3)) + " |")
PY
} | tee "$OUT_DIR/report.md"
log "logs: $OUT_DIR"
