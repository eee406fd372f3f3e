#!/usr/bin/env bash
# The built-in LiveKit token service (module matrixrtc) measured with wrk: token issuance for
# this server's users, who have the call's LiveKit room created on a real LiveKit SFU before each
# answer (as lk-jwt-service does for full-access users), callhs on SQLite and on PostgreSQL, one
# command.
#
# Usage: bench/run-livekit-token-bench.sh
#
# Builds livekit-server with .ci/livekit.sh (once; cached under ~/.cache) and installs wrk from
# Debian's packages if it is missing. After the build, waits until the machine is idle. Starts
# one LiveKit SFU on loopback (its own key and secret, room auto-create off) for the whole run.
# Then for each server in turn, on an empty data directory (callhs-pg: a new database in the
# throw-away cluster of .ci/postgres.sh), with rtc.livekit pointing at that SFU:
#   1. setup, not measured (org.callhs.bench.WrkTokenSetup): USERS accounts, each with an OpenID
#      token, spread over CALLS calls; one get_token body per account;
#   2. for each number of connections in CONNECTIONS: wrk for WARMUP (not recorded: this also
#      brings each OpenID token into the service's cache, the "tokens cached" case), then wrk for
#      DURATION with WRK_THREADS threads and --latency; every request is one account's
#      POST /livekit/jwt/get_token (bench/wrk/get-token.lua). The CPU time of the homeserver, of
#      LiveKit, of PostgreSQL and of the machine is read from /proc over the measured window.
# Prints a markdown table (tokens/s, latency from wrk, answers other than 200, CPU per token) to
# stdout and $OUT_DIR/report.md; appends nothing anywhere.
#
# There is no Synapse column: Synapse has no token service. Its deployments run element-hq's
# lk-jwt-service beside it, which checks every OpenID token over federation; that service is not
# measured here.
#
# Environment (defaults in brackets):
#   SERVERS      servers to measure, in order, among callhs-pg callhs-sqlite ["callhs-pg callhs-sqlite"]
#   USERS [1000]   CALLS [100]   CONNECTIONS ["32 64"]   WRK_THREADS [2]   WARMUP [10s]   DURATION [30s]
#   LIVEKIT_PORT [17880]         CALLHS_JAVA_OPTS [-Xmx512m]
#   IDLE_LOAD_MAX [0.6]  IDLE_POLL_SECONDS [15]  IDLE_WAIT_MAX_SECONDS [1200]  (IDLE_LOAD_MAX= : do not wait)
#   OUT_DIR, SKIP_BUILD=1, CALLHS_PORT, CALLHS_FEDERATION_PORT as in the other scripts (bench/bench-lib.sh)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS="${SERVERS:-callhs-pg callhs-sqlite}"
USERS="${USERS:-1000}"
CALLS="${CALLS:-100}"
CONNECTIONS="${CONNECTIONS:-32 64}"
WRK_THREADS="${WRK_THREADS:-2}"
WARMUP="${WARMUP:-10s}"
DURATION="${DURATION:-30s}"
LIVEKIT_PORT="${LIVEKIT_PORT:-17880}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"

LOG_TAG=token-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"
for s in $SERVERS; do [[ "$s" == callhs-pg || "$s" == callhs-sqlite ]] || die "unknown server $s (callhs-pg, callhs-sqlite)"; done
check_servers

ensure_wrk
eval "$(.ci/livekit.sh)"

build_jars
start_postgres_if_needed

# --------------------------------------------------------------- LiveKit ----
port_free "$LIVEKIT_PORT" || die "127.0.0.1:$LIVEKIT_PORT is in use (set LIVEKIT_PORT)"
LIVEKIT_SECRET_FILE="$OUT_DIR/livekit.secret"
head -c 36 /dev/urandom | base64 | tr -d '/+=\n' >"$LIVEKIT_SECRET_FILE"
cat >"$OUT_DIR/livekit.yaml" <<YAML
port: $LIVEKIT_PORT
bind_addresses: ["127.0.0.1"]
rtc:
  tcp_port: $(( LIVEKIT_PORT + 1 ))
  udp_port: $(( LIVEKIT_PORT + 2 ))
  node_ip: 127.0.0.1
  use_external_ip: false
keys:
  bench: $(cat "$LIVEKIT_SECRET_FILE")
room:
  auto_create: false
logging:
  level: warn
YAML
"$CALLHS_LIVEKIT" --config "$OUT_DIR/livekit.yaml" >"$OUT_DIR/livekit.log" 2>&1 &
LIVEKIT_PID=$!
trap 'kill "$LIVEKIT_PID" 2>/dev/null || true; cleanup; drop_pg_database' EXIT
for _ in $(seq 300); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LIVEKIT_PORT/" || true)" == 200 ]] && break
  alive "$LIVEKIT_PID" || die "livekit-server exited (see $OUT_DIR/livekit.log)"
  nap 0.1
done
LIVEKIT_VERSION="$("$CALLHS_LIVEKIT" --version 2>&1 | head -n 1)"
CALLHS_SETTINGS=(--set "rtc.livekit.url=\"ws://127.0.0.1:$LIVEKIT_PORT\"" --set rtc.livekit.key=bench
  --set "rtc.livekit.secret_path=\"$LIVEKIT_SECRET_FILE\"")

wait_for_idle
if [[ "$PG_STATUS" == ok ]]; then
  CALLHS_DATABASE_NOTE="callhs-sqlite: SQLite; callhs-pg: PostgreSQL $(pg_psql -tA -c 'SHOW server_version') (.ci/postgres.sh cluster on the same machine)"
fi
CALLHS_DATABASE_NOTE="${CALLHS_DATABASE_NOTE:-SQLite}"
write_machine_info
echo "generator=$WRK_VERSION, $WRK_THREADS threads, bench/wrk/get-token.lua; $USERS accounts in $CALLS calls; warm-up $WARMUP, measured $DURATION" >>"$OUT_DIR/machine.env"
echo "sfu=$LIVEKIT_VERSION on 127.0.0.1:$LIVEKIT_PORT, room auto-create off, log level warn" >>"$OUT_DIR/machine.env"
warn_if_busy

ROWS="$OUT_DIR/rows.md"
: >"$ROWS"

token_runs() { # label server_pid
  local label="$1" pid="$2" bodies="$OUT_DIR/$1-bodies.txt" c out s0 s1 l0 l1 p0 p1 m0 m1 line
  log "=== $label: setup, $USERS accounts with OpenID tokens"
  "$JAVA" -cp "$BENCH_JAR" org.callhs.bench.WrkTokenSetup --base-url "$SERVER_URL" --out "$bodies" --users "$USERS" --calls "$CALLS" \
      2> >(tee -a "$OUT_DIR/$label-setup.log" >&2) || { log "$label: setup failed"; echo "| $label | setup failed | | | | | | | | | | |" >>"$ROWS"; return 0; }
  for c in $CONNECTIONS; do
    log "=== $label: $c connections, warm-up $WARMUP"
    wrk -t"$WRK_THREADS" -c"$c" -d"$WARMUP" -s bench/wrk/get-token.lua "$SERVER_URL" -- "$bodies" >"$OUT_DIR/$label-c$c-warmup.txt" 2>&1 || true
    log "=== $label: $c connections, measured $DURATION"
    out="$OUT_DIR/$label-c$c.txt"
    s0="$(proc_ticks "$pid")"; l0="$(proc_ticks "$LIVEKIT_PID")"; p0="$(postgres_ticks)"; m0="$(machine_ticks)"
    wrk -t"$WRK_THREADS" -c"$c" -d"$DURATION" --latency -s bench/wrk/get-token.lua "$SERVER_URL" -- "$bodies" >"$out" 2>&1 || true
    s1="$(proc_ticks "$pid")"; l1="$(proc_ticks "$LIVEKIT_PID")"; p1="$(postgres_ticks)"; m1="$(machine_ticks)"
    cat "$out" >&2
    line="$(grep '^WRK_RESULT' "$out" || true)"
    if [[ -z "$line" ]]; then echo "| $label | $c | wrk failed (see $out) | | | | | | | | | |" >>"$ROWS"; continue; fi
    awk -v label="$label" -v c="$c" -v s="$(( s1 - s0 ))" -v l="$(( l1 - l0 ))" -v p="$(( p1 - p0 ))" -v hz="$CLK_TCK" \
        -v mb="$(( ${m1% *} - ${m0% *} ))" -v mt="$(( ${m1#* } - ${m0#* } ))" -v pg="$([[ $label == callhs-pg ]] && echo 1 || echo 0)" '
      { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] } }
      END {
        n = r["requests"]; us = 1e6 / hz
        errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
        printf "| %s | %d | **%.0f** | %.1f | %.1f | **%.1f** | %.1f | %d | %d | %.0f | %.0f | %s | %.0f %% |\n",
          label, c, r["rps"], r["p50_us"] / 1000, r["p90_us"] / 1000, r["p99_us"] / 1000, r["max_us"] / 1000,
          r["non_2xx"], errors, s * us / n, l * us / n, pg ? sprintf("%.0f", p * us / n) : "n/a", 100 * mb / mt
      }' <<<"$line" >>"$ROWS"
  done
}
run_on_each_server token_runs
for server in $SERVERS; do
  status="$(sed -n 's/^status=//p' "$OUT_DIR/$server.env" | tail -n 1)"
  [[ "$status" == ok ]] || echo "| $server | did not run: $status | | | | | | | | | | | |" >>"$ROWS"
done

finish_machine_info
{
  echo "## LiveKit tokens with wrk"
  echo
  while IFS='=' read -r k v; do echo "- $k: $v"; done <"$OUT_DIR/machine.env"
  echo
  echo "| server | connections | tokens/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | answers not 200 | socket errors | server CPU per token (µs) | LiveKit CPU per token (µs) | PostgreSQL CPU per token (µs) | machine busy |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  cat "$ROWS"
} | tee "$OUT_DIR/report.md"
log "raw results, logs and data directories: $OUT_DIR"
