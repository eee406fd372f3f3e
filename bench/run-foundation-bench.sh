#!/usr/bin/env bash
# Foundation benchmark: callhs against Synapse, same machine, one command.
#
# Usage: bench/run-foundation-bench.sh
#
# For each server in turn (never both at once), on an empty data directory:
#   1. start-up time: from the server process's launch (its start time in /proc/PID/stat)
#      to the first 200 of GET /_matrix/client/versions, polled every 10 ms;
#   2. idle RSS: VmRSS of /proc/PID/status, IDLE_SETTLE_SECONDS after start-up;
#   3. whoami load (closed loop), then VmRSS again;
#   4. register-login load (closed loop), then VmRSS and VmHWM (peak);
#   5. stop, start again on the same data: restart time; stop.
# Then prints a markdown report (machine info, every figure, ratios callhs / Synapse).
# It appends nothing anywhere: copy what you want into BENCHMARKS.md.
#
# Builds only with ./mvnw -q -pl homeserver-app -am package -DskipTests and
# ./mvnw -q -pl bench package, with a JDK 21+ ($JAVA_HOME if it qualifies, else
# /usr/lib/jvm/temurin-25*, else the newest JDK 21+ under /usr/lib/jvm). If callhs does
# not build or start, the report still has the Synapse column.
#
# Environment (defaults in brackets):
#   SERVERS             servers to measure, in order ["callhs synapse"]
#   WHOAMI_USERS [16]  WHOAMI_WARMUP [10s]  WHOAMI_DURATION [30s]
#   REGLOGIN_USERS [4] REGLOGIN_WARMUP [5s] REGLOGIN_DURATION [20s]
#   IDLE_SETTLE_SECONDS [5]
#   CALLHS_PORT [18448] CALLHS_FEDERATION_PORT [18449] SYNAPSE_PORT [18008]
#   CALLHS_JAVA_OPTS    extra JVM options for the homeserver [none: JVM defaults]
#   SYNAPSE_LOG_LEVEL   passed to run-synapse.sh [INFO, as stock Synapse]
#   OUT_DIR             where data dirs, logs and raw results go [a new dir under $TMPDIR]
#   SKIP_BUILD=1        use the jars already in */target (no Maven at all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS="${SERVERS:-callhs synapse}"
WHOAMI_USERS="${WHOAMI_USERS:-16}"
WHOAMI_WARMUP="${WHOAMI_WARMUP:-10s}"
WHOAMI_DURATION="${WHOAMI_DURATION:-30s}"
REGLOGIN_USERS="${REGLOGIN_USERS:-4}"
REGLOGIN_WARMUP="${REGLOGIN_WARMUP:-5s}"
REGLOGIN_DURATION="${REGLOGIN_DURATION:-20s}"
IDLE_SETTLE_SECONDS="${IDLE_SETTLE_SECONDS:-5}"
CALLHS_PORT="${CALLHS_PORT:-18448}"
CALLHS_FEDERATION_PORT="${CALLHS_FEDERATION_PORT:-18449}"
export SYNAPSE_PORT="${SYNAPSE_PORT:-18008}"
export SYNAPSE_LOG_LEVEL="${SYNAPSE_LOG_LEVEL:-INFO}"
SYNAPSE_VENV="${SYNAPSE_VENV:-$HOME/.cache/jmatrix-bench/synapse-venv}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS:-}"
STARTUP_TIMEOUT_SECONDS=120
OUT_DIR="${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/callhs-foundation-bench.XXXXXX")}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

log() { echo "[foundation-bench] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- JDK 21+ ----
jdk_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
jdk_ok() { [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] && (( $(jdk_major "$1") >= 21 )); }
find_jdk() {
  local home
  if [[ -n "${JAVA_HOME:-}" ]] && jdk_ok "$JAVA_HOME"; then echo "$JAVA_HOME"; return; fi
  for home in $(ls -d /usr/lib/jvm/temurin-25*/ 2>/dev/null | sort -rV) $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    home="${home%/}"
    if jdk_ok "$home"; then echo "$home"; return; fi
  done
  die "no JDK 21 or newer found: set JAVA_HOME"
}
JAVA_HOME="$(find_jdk)"
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
log "JDK: $JAVA_HOME"

# ------------------------------------------------------------------ build ----
CALLHS_JAR="$ROOT/homeserver-app/target/homeserver.jar"
BENCH_JAR="$ROOT/bench/target/bench.jar"
CALLHS_BUILD_STATUS=ok
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ " $SERVERS " == *" callhs "* ]]; then
    log "building homeserver-app"
    ./mvnw -q -pl homeserver-app -am package -DskipTests || CALLHS_BUILD_STATUS="build failed (./mvnw -pl homeserver-app -am package)"
  fi
  log "building bench"
  ./mvnw -q -pl bench package || die "bench does not build"
fi
[[ -f "$BENCH_JAR" ]] || die "$BENCH_JAR missing"
[[ "$CALLHS_BUILD_STATUS" != ok || -f "$CALLHS_JAR" || " $SERVERS " != *" callhs "* ]] || CALLHS_BUILD_STATUS="$CALLHS_JAR missing"

# ---------------------------------------------------------------- helpers ----
# A fork-free 10 ms sleep: read with a timeout on a pipe nobody writes to.
exec {NAP_FD}<> <(:)
nap() { read -r -t "$1" -u "$NAP_FD" _ || true; }

# Sets HTTP_STATUS to the status of GET http://127.0.0.1:$1$2, or 000. Pure bash (no
# curl, no fork) so that polling every 10 ms costs the server under test nothing.
probe() {
  local fd line
  HTTP_STATUS=000
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$2" "$1" >&"$fd" 2>/dev/null || true
  if read -r -t 2 -u "$fd" line 2>/dev/null; then line="${line#HTTP/1.? }"; HTTP_STATUS="${line:0:3}"; fi
  exec {fd}>&-
}

port_free() {
  local fd
  if { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then exec {fd}>&-; return 1; fi
}

alive() { kill -0 "$1" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }

CLK_TCK="$(getconf CLK_TCK)"
# Milliseconds since boot now (from /proc/uptime, 10 ms resolution).
uptime_ms() { local up _; read -r up _ </proc/uptime; echo $(( 10#${up/./} * 10 )); }
# Milliseconds since boot at which process $1 was launched (fork time; exec keeps it).
launch_ms() { local stat; stat="$(</proc/"$1"/stat)"; stat="${stat##*) }"; set -- $stat; echo $(( ${20} * 1000 / CLK_TCK )); }

proc_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }

# Polls every 10 ms until GET /_matrix/client/versions on port $2 answers 200; sets
# STARTUP_MS to the time since the launch of process $1. Fails if $1 dies or times out.
await_first_200() {
  local pid="$1" port="$2" launch deadline=$(( SECONDS + STARTUP_TIMEOUT_SECONDS ))
  launch="$(launch_ms "$pid")"
  while :; do
    probe "$port" /_matrix/client/versions
    if [[ "$HTTP_STATUS" == 200 ]]; then STARTUP_MS=$(( $(uptime_ms) - launch )); return 0; fi
    alive "$pid" || { log "process $pid exited during start-up"; return 1; }
    (( SECONDS < deadline )) || { log "no 200 after ${STARTUP_TIMEOUT_SECONDS}s"; return 1; }
    nap 0.01
  done
}

# -------------------------------------------------------------- servers ----
# Each server implements start_<name> (sets SERVER_PID, STARTUP_MS) and stop_<name>.
# On failure they set START_FAILURE.
CALLHS_PID=""
start_callhs() {
  START_FAILURE="did not start (see $OUT_DIR/callhs.out)"
  [[ "$CALLHS_BUILD_STATUS" == ok ]] || { START_FAILURE="$CALLHS_BUILD_STATUS"; return 1; }
  port_free "$CALLHS_PORT" || { START_FAILURE="127.0.0.1:$CALLHS_PORT is in use (set CALLHS_PORT)"; return 1; }
  port_free "$CALLHS_FEDERATION_PORT" || { START_FAILURE="127.0.0.1:$CALLHS_FEDERATION_PORT is in use (set CALLHS_FEDERATION_PORT)"; return 1; }
  # shellcheck disable=SC2086
  "$JAVA" $CALLHS_JAVA_OPTS -jar "$CALLHS_JAR" run --data-dir "$OUT_DIR/callhs-data" \
      --listen "127.0.0.1:$CALLHS_PORT" --federation-listen "127.0.0.1:$CALLHS_FEDERATION_PORT" \
      --enable-registration --set rate_limits.enabled=false >>"$OUT_DIR/callhs.out" 2>&1 &
  CALLHS_PID=$!
  SERVER_PID=$CALLHS_PID
  await_first_200 "$SERVER_PID" "$CALLHS_PORT" || { tail -n 30 "$OUT_DIR/callhs.out" >&2; stop_callhs; return 1; }
  SERVER_URL="http://127.0.0.1:$CALLHS_PORT"
}
stop_callhs() {
  [[ -n "$CALLHS_PID" ]] || return 0
  if alive "$CALLHS_PID"; then
    kill -TERM "$CALLHS_PID" 2>/dev/null || true
    for _ in $(seq 300); do alive "$CALLHS_PID" || break; nap 0.1; done
    alive "$CALLHS_PID" && { log "callhs still alive after 30 s: SIGKILL"; kill -KILL "$CALLHS_PID" 2>/dev/null || true; }
  fi
  wait "$CALLHS_PID" 2>/dev/null || true
  CALLHS_PID=""
}

SYNAPSE_DIR="$OUT_DIR/synapse-data"
SYNAPSE_STARTED=0
start_synapse() {
  local starter pid_file="$SYNAPSE_DIR/synapse.pid"
  START_FAILURE="did not start (see $OUT_DIR/synapse-start.log)"
  port_free "$SYNAPSE_PORT" || { START_FAILURE="127.0.0.1:$SYNAPSE_PORT is in use (set SYNAPSE_PORT)"; return 1; }
  rm -f "$pid_file"
  # run-synapse.sh installs/configures first (not timed), then launches Synapse and
  # writes its pid; the launch instant is read from /proc, so its own slower polling
  # (every 200 ms) does not matter.
  bench/synapse/run-synapse.sh start "$SYNAPSE_DIR" >"$OUT_DIR/synapse-start.out" 2>>"$OUT_DIR/synapse-start.log" &
  starter=$!
  SYNAPSE_STARTED=1
  while [[ ! -s "$pid_file" ]]; do
    alive "$starter" || { wait "$starter" || true; tail -n 20 "$OUT_DIR/synapse-start.log" >&2; return 1; }
    nap 0.01
  done
  SERVER_PID="$(<"$pid_file")"
  await_first_200 "$SERVER_PID" "$SYNAPSE_PORT" || { wait "$starter" || true; tail -n 20 "$OUT_DIR/synapse-start.log" >&2; return 1; }
  wait "$starter" || { tail -n 20 "$OUT_DIR/synapse-start.log" >&2; return 1; }
  SERVER_URL="$(<"$OUT_DIR/synapse-start.out")"
}
stop_synapse() {
  (( SYNAPSE_STARTED )) || return 0
  bench/synapse/run-synapse.sh stop "$SYNAPSE_DIR" 2>>"$OUT_DIR/synapse-start.log" || true
  SYNAPSE_STARTED=0
}

cleanup() { stop_callhs; stop_synapse; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ machine info ----
server_versions() {
  SYNAPSE_VERSION_TEXT="$("$SYNAPSE_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))' 2>/dev/null || echo unknown)"
  SYNAPSE_PYTHON_TEXT="$("$SYNAPSE_VENV/bin/python" --version 2>&1 || echo unknown)"
}
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "nproc=$(nproc)"
  echo "memory=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "load average at start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "JDK=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vendor.version|java.runtime.version/ {printf "%s ", $2}')($JAVA_HOME)"
  echo "callhs=commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git status --porcelain 2>/dev/null)" ]] && echo ' + uncommitted changes'); homeserver.jar built $(date -u -r "$CALLHS_JAR" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo '?'); JVM options: ${CALLHS_JAVA_OPTS:-defaults}; SQLite"
} >"$OUT_DIR/machine.env"
{
  echo "whoami_users=$WHOAMI_USERS"; echo "whoami_warmup=$WHOAMI_WARMUP"; echo "whoami_duration=$WHOAMI_DURATION"
  echo "reglogin_users=$REGLOGIN_USERS"; echo "reglogin_warmup=$REGLOGIN_WARMUP"; echo "reglogin_duration=$REGLOGIN_DURATION"
} >"$OUT_DIR/params.env"
read -r LOAD1 _ </proc/loadavg
awk -v l="$LOAD1" 'BEGIN { exit !(l > 0.5) }' \
  && log "WARNING: load average $LOAD1 before starting: other work on this machine will skew the figures"

# ------------------------------------------------------------------ a run ----
run_generator() { # label scenario users warmup duration server_pid
  "$JAVA" -jar "$BENCH_JAR" --base-url "$SERVER_URL" --label "$1" --scenario "$2" --users "$3" \
      --warmup "$4" --duration "$5" --server-pid "$6" --json >"$OUT_DIR/$1-$2.json" 2> >(tee -a "$OUT_DIR/$1-generator.log" >&2)
}

bench_server() {
  local name="$1" env="$OUT_DIR/$1.env" pid
  : >"$env"
  log "=== $name: start-up on an empty data directory"
  if ! "start_$name"; then
    log "$name: $START_FAILURE"
    echo "status=$START_FAILURE" >>"$env"
    "stop_$name"
    return 0
  fi
  pid="$SERVER_PID"
  log "$name up in $STARTUP_MS ms (pid $pid, $SERVER_URL)"
  echo "startup_ms=$STARTUP_MS" >>"$env"
  nap "$IDLE_SETTLE_SECONDS"
  echo "rss_idle_kib=$(proc_kib "$pid" VmRSS)" >>"$env"

  log "=== $name: whoami, $WHOAMI_USERS users, warm-up $WHOAMI_WARMUP, measured $WHOAMI_DURATION"
  run_generator "$name" whoami "$WHOAMI_USERS" "$WHOAMI_WARMUP" "$WHOAMI_DURATION" "$pid" || log "$name whoami run failed"
  echo "rss_after_whoami_kib=$(proc_kib "$pid" VmRSS)" >>"$env"

  log "=== $name: register-login, $REGLOGIN_USERS users, warm-up $REGLOGIN_WARMUP, measured $REGLOGIN_DURATION"
  run_generator "$name" register-login "$REGLOGIN_USERS" "$REGLOGIN_WARMUP" "$REGLOGIN_DURATION" "$pid" || log "$name register-login run failed"
  echo "rss_after_reglogin_kib=$(proc_kib "$pid" VmRSS)" >>"$env"
  echo "hwm_kib=$(proc_kib "$pid" VmHWM)" >>"$env"
  "stop_$name"

  log "=== $name: restart on the existing data"
  if "start_$name"; then
    log "$name restarted in $STARTUP_MS ms"
    echo "restart_ms=$STARTUP_MS" >>"$env"
  fi
  "stop_$name"
  echo "status=ok" >>"$env"
}

for server in $SERVERS; do
  declare -F "start_$server" >/dev/null || die "unknown server '$server' (known: callhs synapse)"
  bench_server "$server"
done

server_versions
echo "Synapse=$SYNAPSE_VERSION_TEXT ($SYNAPSE_PYTHON_TEXT, SQLite, log level $SYNAPSE_LOG_LEVEL, rate limits off)" >>"$OUT_DIR/machine.env"
echo "load average at end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT_DIR/machine.env"

# shellcheck disable=SC2086
"$JAVA" -cp "$BENCH_JAR" org.callhs.bench.FoundationReport "$OUT_DIR" $SERVERS | tee "$OUT_DIR/report.md"
log "raw results, logs and data directories: $OUT_DIR"
