# Shared by bench/run-foundation-bench.sh, bench/run-rooms-bench.sh, bench/run-sync-bench.sh and
# bench/run-delayed-bench.sh (sourced, not run): JDK discovery, the build, the wait for an idle
# machine, fork-free probes, starting/stopping callhs and Synapse, running the load generator,
# the machine description and the report.
#
# The sourcing script sets, before sourcing: ROOT (repository root, current directory),
# LOG_TAG, SERVERS, CALLHS_JAVA_OPTS. OUT_DIR (results, logs, data directories), the ports,
# Synapse's venv and log level and the start-up timeout default here (environment values win).
# shellcheck shell=bash

OUT_DIR="${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/callhs-$LOG_TAG.XXXXXX")}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

CALLHS_PORT="${CALLHS_PORT:-18448}"
CALLHS_FEDERATION_PORT="${CALLHS_FEDERATION_PORT:-18449}"
export SYNAPSE_PORT="${SYNAPSE_PORT:-18008}"
export SYNAPSE_LOG_LEVEL="${SYNAPSE_LOG_LEVEL:-INFO}"
SYNAPSE_VENV="${SYNAPSE_VENV:-$HOME/.cache/jmatrix-bench/synapse-venv}"
STARTUP_TIMEOUT_SECONDS="${STARTUP_TIMEOUT_SECONDS:-120}"

log() { echo "[$LOG_TAG] $*" >&2; }
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
# Builds homeserver-app (if callhs, or a server label starting with callhs, is among SERVERS) and
# bench unless SKIP_BUILD=1.
# Sets CALLHS_BUILD_STATUS to "ok" or to why callhs cannot run.
CALLHS_JAR="$ROOT/homeserver-app/target/homeserver.jar"
BENCH_JAR="$ROOT/bench/target/bench.jar"
CALLHS_BUILD_STATUS=ok
build_jars() {
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    if [[ " $SERVERS " == *" callhs"* ]]; then
      log "building homeserver-app"
      ./mvnw -q -pl homeserver-app -am package -DskipTests || CALLHS_BUILD_STATUS="build failed (./mvnw -pl homeserver-app -am package)"
    fi
    log "building bench"
    ./mvnw -q -pl bench package || die "bench does not build"
  fi
  [[ -f "$BENCH_JAR" ]] || die "$BENCH_JAR missing"
  [[ "$CALLHS_BUILD_STATUS" != ok || -f "$CALLHS_JAR" || " $SERVERS " != *" callhs"* ]] || CALLHS_BUILD_STATUS="$CALLHS_JAR missing"
}

# ---------------------------------------------------------------- helpers ----
# A fork-free sleep: read with a timeout on a pipe nobody writes to.
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

# ------------------------------------------------------------ wrk and CPU ----
# Installs wrk from Debian's packages when it is missing (apt-get as root, or sudo -n) and sets
# WRK_VERSION.
ensure_wrk() {
  if ! command -v wrk >/dev/null; then
    log "installing wrk from Debian's packages"
    local sudo=()
    (( EUID == 0 )) || sudo=(sudo -n)
    "${sudo[@]}" apt-get update -qq >&2 && "${sudo[@]}" apt-get install -y -qq wrk >&2 || die "could not install wrk"
  fi
  WRK_VERSION="$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2 || true)"
}
# Clock ticks of process $1 (user + system), of all processes named postgres, and of the whole
# machine (busy, total), from /proc.
proc_ticks() { local stat; stat="$(<"/proc/$1/stat")"; stat="${stat##*) }"; set -- $stat; echo $(( ${12} + ${13} )); }
postgres_ticks() {
  local total=0 f stat
  for f in /proc/[0-9]*/stat; do
    stat="$(<"$f")" 2>/dev/null || continue
    [[ "$stat" == *"(postgres)"* ]] || continue
    stat="${stat##*) }"
    # shellcheck disable=SC2086
    set -- $stat
    total=$(( total + ${12} + ${13} ))
  done
  echo "$total"
}
machine_ticks() { local cpu user nice system idle iowait irq softirq steal _; read -r cpu user nice system idle iowait irq softirq steal _ </proc/stat; echo "$(( user + nice + system + irq + softirq + steal )) $(( user + nice + system + idle + iowait + irq + softirq + steal ))"; }

# -------------------------------------------------------------- servers ----
# Each server implements start_<name> (sets SERVER_PID, SERVER_URL, STARTUP_MS) and
# stop_<name>. On failure they set START_FAILURE. start_callhs uses $CALLHS_DATA_DIR (default
# $OUT_DIR/callhs-data), logs to $CALLHS_LOG (default $OUT_DIR/callhs.out) and appends the
# words of the array CALLHS_EXTRA_ARGS, if set, to its command line: a script measuring callhs
# in several configurations wraps it in a start_<label> of its own.
CALLHS_PID=""
start_callhs() {
  local out="${CALLHS_LOG:-$OUT_DIR/callhs.out}"
  START_FAILURE="did not start (see $out)"
  [[ "$CALLHS_BUILD_STATUS" == ok ]] || { START_FAILURE="$CALLHS_BUILD_STATUS"; return 1; }
  port_free "$CALLHS_PORT" || { START_FAILURE="127.0.0.1:$CALLHS_PORT is in use (set CALLHS_PORT)"; return 1; }
  port_free "$CALLHS_FEDERATION_PORT" || { START_FAILURE="127.0.0.1:$CALLHS_FEDERATION_PORT is in use (set CALLHS_FEDERATION_PORT)"; return 1; }
  # shellcheck disable=SC2086
  "$JAVA" $CALLHS_JAVA_OPTS -jar "$CALLHS_JAR" run --data-dir "${CALLHS_DATA_DIR:-$OUT_DIR/callhs-data}" \
      --listen "127.0.0.1:$CALLHS_PORT" --federation-listen "127.0.0.1:$CALLHS_FEDERATION_PORT" \
      --enable-registration --set rate_limits.enabled=false ${CALLHS_EXTRA_ARGS[@]+"${CALLHS_EXTRA_ARGS[@]}"} \
      >>"$out" 2>&1 &
  CALLHS_PID=$!
  SERVER_PID=$CALLHS_PID
  await_first_200 "$SERVER_PID" "$CALLHS_PORT" || { tail -n 30 "$out" >&2; stop_callhs; return 1; }
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

check_servers() {
  local server
  for server in $SERVERS; do
    declare -F "start_$server" >/dev/null || die "unknown server '$server' (known: callhs synapse)"
  done
}

# ---------------------------------------------------------- wait for idle ----
# Waits until the 1-minute load average is below IDLE_LOAD_MAX (polled every
# IDLE_POLL_SECONDS, at most IDLE_WAIT_MAX_SECONDS, then goes on); IDLE_LOAD_MAX= (empty) does
# not wait. Sets IDLE_NOTE, which write_machine_info records. Call it after the build, which
# itself raises the load average.
IDLE_LOAD_MAX="${IDLE_LOAD_MAX-0.6}"
IDLE_POLL_SECONDS="${IDLE_POLL_SECONDS:-15}"
IDLE_WAIT_MAX_SECONDS="${IDLE_WAIT_MAX_SECONDS:-1200}"
IDLE_NOTE=""
wait_for_idle() {
  local waited=0 load1 _
  IDLE_NOTE="not waited (IDLE_LOAD_MAX empty)"
  if [[ -n "$IDLE_LOAD_MAX" ]]; then
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
  fi
  log "idle: $IDLE_NOTE"
}

# ------------------------------------------------------------------ a run ----
# Runs bench.jar against $SERVER_URL; its JSON line goes to $OUT_DIR/<label>-<scenario>.json,
# its log to the terminal and to $OUT_DIR/<label>-generator.log. Arguments after the sixth
# are passed on to bench.jar (--rate, --threads...).
run_generator() { # label scenario users warmup duration server_pid [bench.jar options...]
  "$JAVA" -jar "$BENCH_JAR" --base-url "$SERVER_URL" --label "$1" --scenario "$2" --users "$3" \
      --warmup "$4" --duration "$5" --server-pid "$6" --json "${@:7}" >"$OUT_DIR/$1-$2.json" 2> >(tee -a "$OUT_DIR/$1-generator.log" >&2)
}

# run_generator with a log line before, and a log line instead of an exit when it fails (the
# report then shows "n/a" for that scenario).
run_scenario() { # label scenario users warmup duration server_pid [bench.jar options...]
  log "=== $1: $2, $3 users, warm-up $4, measured $5${7:+ (${*:7})}"
  run_generator "$@" || log "$1 $2 run failed"
}

# Empties $OUT_DIR/$1.env and starts server $1 on an empty data directory. Sets SERVER_UP to
# 1 and records startup_ms in the .env, or sets SERVER_UP to 0, records status=<why> and
# stops what was started. Always returns 0, so that set -e still covers what it does: the
# caller tests SERVER_UP.
start_on_empty_data() {
  local name="$1" env="$OUT_DIR/$1.env"
  SERVER_UP=0
  : >"$env"
  log "=== $name: start-up on an empty data directory"
  if ! "start_$name"; then
    log "$name: $START_FAILURE"
    echo "status=$START_FAILURE" >>"$env"
    "stop_$name"
    return 0
  fi
  log "$name up in $STARTUP_MS ms (pid $SERVER_PID, $SERVER_URL)"
  echo "startup_ms=$STARTUP_MS" >>"$env"
  # shellcheck disable=SC2034  # read by the sourcing script
  SERVER_UP=1
}

# For each server of $SERVERS in turn (never two at once): starts it on an empty data
# directory, runs "$1 LABEL SERVER_PID" (the scenarios), records its peak RSS (hwm_kib) and
# stops it. A server that does not start keeps its status=<why> and gets no figures.
run_on_each_server() {
  local name
  for name in $SERVERS; do
    start_on_empty_data "$name"
    (( SERVER_UP )) || continue
    "$1" "$name" "$SERVER_PID"
    echo "hwm_kib=$(proc_kib "$SERVER_PID" VmHWM)" >>"$OUT_DIR/$name.env"
    "stop_$name"
    echo "status=ok" >>"$OUT_DIR/$name.env"
  done
}

# ------------------------------------------------------------- PostgreSQL ----
# The cluster of .ci/postgres.sh (it exports TEST_POSTGRES_HOST, _PORT, _DB, _USER, _PASSWORD);
# role `matrix` may create databases. Each start of callhs-pg gets a database of its own.
PG_STATUS="not needed"
PG_BENCH_DB=""
PSQL=""
pg_psql() {
  PGPASSWORD="$TEST_POSTGRES_PASSWORD" "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$TEST_POSTGRES_HOST" -p "$TEST_POSTGRES_PORT" \
      -U "$TEST_POSTGRES_USER" -d "$TEST_POSTGRES_DB" "$@"
}
start_postgres() {
  local exports
  PG_STATUS="PostgreSQL did not start (see .ci/postgres.sh's messages above)"
  exports="$(.ci/postgres.sh start)" || return 0
  eval "$exports"
  PSQL="$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)"
  [[ -x "$PSQL" ]] || PSQL="$(command -v psql || true)"
  [[ -n "$PSQL" ]] || { PG_STATUS="no psql found"; return 0; }
  PG_STATUS=ok
  log "PostgreSQL $(pg_psql -tA -c 'SHOW server_version') on 127.0.0.1:$TEST_POSTGRES_PORT"
}
create_pg_database() {
  PG_BENCH_DB="callhs_bench_$(date -u +%Y%m%d%H%M%S)_$$"
  pg_psql -c "CREATE DATABASE $PG_BENCH_DB" || { PG_BENCH_DB=""; return 1; }
  PG_BENCH_URL="jdbc:postgresql://$TEST_POSTGRES_HOST:$TEST_POSTGRES_PORT/$PG_BENCH_DB?user=$TEST_POSTGRES_USER&password=$TEST_POSTGRES_PASSWORD"
  log "created database $PG_BENCH_DB"
}
drop_pg_database() {
  [[ -n "$PG_BENCH_DB" ]] || return 0
  if [[ "${KEEP_PG_DATABASE:-0}" == 1 ]]; then
    log "kept database $PG_BENCH_DB ($PG_BENCH_URL)"
  else
    pg_psql -c "DROP DATABASE IF EXISTS $PG_BENCH_DB WITH (FORCE)" || log "could not drop database $PG_BENCH_DB"
  fi
  PG_BENCH_DB=""
}

# ---------------------------------------------------------------- servers ----
# callhs in two configurations (start_callhs with a data directory and extra arguments of its
# own), both with the words of the array CALLHS_SETTINGS (the sourcing script's --set options).
start_callhs-sqlite() {
  CALLHS_DATA_DIR="$OUT_DIR/callhs-sqlite-data"
  CALLHS_LOG="$OUT_DIR/callhs-sqlite.out"
  CALLHS_EXTRA_ARGS=(${CALLHS_SETTINGS[@]+"${CALLHS_SETTINGS[@]}"})
  start_callhs
}
stop_callhs-sqlite() { stop_callhs; }
start_callhs-pg() {
  START_FAILURE="$PG_STATUS"
  [[ "$PG_STATUS" == ok ]] || return 1
  START_FAILURE="could not create a database (see the log above)"
  create_pg_database || return 1
  CALLHS_DATA_DIR="$OUT_DIR/callhs-pg-data"
  CALLHS_LOG="$OUT_DIR/callhs-pg.out"
  CALLHS_EXTRA_ARGS=(--database-url "$PG_BENCH_URL" ${CALLHS_SETTINGS[@]+"${CALLHS_SETTINGS[@]}"})
  start_callhs
}
stop_callhs-pg() { stop_callhs; drop_pg_database; }

# Starts the PostgreSQL cluster when callhs-pg is among $SERVERS, and drops callhs-pg's database on exit.
start_postgres_if_needed() {
  trap 'cleanup; drop_pg_database' EXIT
  if [[ " $SERVERS " == *" callhs-pg "* ]]; then
    start_postgres
    [[ "$PG_STATUS" == ok ]] || log "callhs-pg will not run: $PG_STATUS"
  fi
}

# The report's labels: the ratio column compares the first two, so callhs-sqlite and Synapse
# (the same database engine) go first when both ran, callhs-pg after them.
same_engine_report_labels() {
  local server
  REPORT_LABELS="$SERVERS"
  if [[ " $SERVERS " == *" callhs-sqlite "* && " $SERVERS " == *" synapse "* ]]; then
    REPORT_LABELS="callhs-sqlite synapse"
    for server in $SERVERS; do
      [[ "$server" == callhs-sqlite || "$server" == synapse ]] || REPORT_LABELS+=" $server"
    done
  fi
}

# ------------------------------------------------------------ machine info ----
# Writes $OUT_DIR/machine.env: date, CPU, memory, kernel, load average, JDK, callhs build.
write_machine_info() {
  {
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "nproc=$(nproc)"
    echo "memory=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel=$(uname -sr)"
    echo "load average at start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "JDK=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vendor.version|java.runtime.version/ {printf "%s ", $2}')($JAVA_HOME)"
    echo "callhs=commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git status --porcelain 2>/dev/null)" ]] && echo ' + uncommitted changes'); homeserver.jar built $(date -u -r "$CALLHS_JAR" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo '?'); JVM options: ${CALLHS_JAVA_OPTS:-defaults}; ${CALLHS_DATABASE_NOTE:-SQLite}"
    [[ -z "$IDLE_NOTE" ]] || echo "idle check=$IDLE_NOTE"
  } >"$OUT_DIR/machine.env"
}

# Appends the Synapse version and the final load average to $OUT_DIR/machine.env.
finish_machine_info() {
  local version python
  version="$("$SYNAPSE_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))' 2>/dev/null || echo unknown)"
  python="$("$SYNAPSE_VENV/bin/python" --version 2>&1 || echo unknown)"
  echo "Synapse=$version ($python, SQLite, log level $SYNAPSE_LOG_LEVEL, rate limits off)" >>"$OUT_DIR/machine.env"
  echo "load average at end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT_DIR/machine.env"
}

# Completes machine.env, then prints the markdown report of report class $1 (org.callhs.bench.X)
# for $REPORT_LABELS (default $SERVERS; the ratio column is the first over the second) to stdout
# and $OUT_DIR/report.md.
print_report() {
  finish_machine_info
  # shellcheck disable=SC2086
  "$JAVA" -cp "$BENCH_JAR" "org.callhs.bench.$1" "$OUT_DIR" ${REPORT_LABELS:-$SERVERS} | tee "$OUT_DIR/report.md"
  log "raw results, logs and data directories: $OUT_DIR"
}

warn_if_busy() {
  local load1 _
  read -r load1 _ </proc/loadavg
  awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }' \
    && log "WARNING: load average $load1 before starting: other work on this machine will skew the figures"
  return 0
}
