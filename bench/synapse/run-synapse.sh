#!/usr/bin/env bash
# Run a local Synapse as the baseline for the benchmarks.
#
# Usage:
#   bench/synapse/run-synapse.sh start [DIR]   # prints the base URL on stdout
#   bench/synapse/run-synapse.sh stop  [DIR]
#   bench/synapse/run-synapse.sh status [DIR]  # exit 0 if running
#
# DIR defaults to ${TMPDIR:-/tmp}/jmatrix-bench-synapse and holds everything:
#   base.yaml               generated once by Synapse (--generate-config): secrets,
#                           signing key path, sqlite database path, ...
#   overrides.yaml          rewritten at every start; its top-level keys replace
#                           those of base.yaml (`-c base.yaml -c overrides.yaml`)
#   localhost.log.config    generated log config; `filename:` fixed to DIR/homeserver.log
#   homeserver.db           sqlite database (delete DIR for a clean slate)
#   homeserver.log          Synapse's log;  synapse.out: its stdout/stderr
#   synapse.pid, port       pid and port of the running Synapse
#   registration_shared_secret  the secret, for /_synapse/admin/v1/register
#
# Environment:
#   SYNAPSE_PORT       client listener port on 127.0.0.1 (default 18008)
#   SYNAPSE_VENV       venv made by install-synapse.sh (installed on demand)
#   SYNAPSE_LOG_LEVEL  root log level (default INFO, as stock Synapse; WARNING
#                      removes per-request access logging from the measurement)
#
# The server: name `localhost`, sqlite, ONE plain-HTTP client listener (no TLS,
# no federation), open registration without verification (m.login.dummy),
# presence off, no key servers, stats off, every client rate limit raised
# to 100000/s with burst 100000 so the benchmarks measure throughput, and MSC4140
# delayed events on (delays up to 24 h, 100000 scheduled per user) for
# bench/run-delayed-bench.sh; these two keys only let clients schedule delayed
# events, nothing else changes for the other benchmarks.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SYNAPSE_VENV="${SYNAPSE_VENV:-$HOME/.cache/jmatrix-bench/synapse-venv}"
export SYNAPSE_VENV
SYNAPSE_PORT="${SYNAPSE_PORT:-18008}"
SYNAPSE_LOG_LEVEL="${SYNAPSE_LOG_LEVEL:-INFO}"
START_TIMEOUT=60

CMD="${1:-}"
DIR="${2:-${TMPDIR:-/tmp}/jmatrix-bench-synapse}"
DIR="$(realpath -m "$DIR")"
PID_FILE="$DIR/synapse.pid"
PY="$SYNAPSE_VENV/bin/python"
BASE_URL="http://127.0.0.1:$SYNAPSE_PORT"

log() { echo "[run-synapse] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Pid of the running Synapse for DIR, or nothing.
running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 0
  pid="$(cat "$PID_FILE")"
  if [[ -n "$pid" ]] && alive "$pid" \
     && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'synapse.app.homeserver'; then
    echo "$pid"
  fi
}

# True if $1 is a live (non-zombie) process. A zombie would answer kill -0 where
# nothing reaps orphans (containers without an init).
alive() {
  kill -0 "$1" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# HTTP status of GET $1 ("000" if no answer). Uses the venv's Python so that
# curl is not needed on a fresh machine.
http_status() {
  "$PY" - "$1" <<'PYEOF' 2>/dev/null || echo 000
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
PYEOF
}

generate_config() {
  log "generating Synapse config in $DIR"
  rm -f "$DIR/base.yaml" "$DIR/localhost.log.config" "$DIR/localhost.signing.key"
  # Run from DIR: the generated log config otherwise points at $PWD/homeserver.log.
  (cd "$DIR" && "$PY" -m synapse.app.homeserver \
      --server-name localhost \
      --config-path "$DIR/base.yaml" \
      --data-directory "$DIR" \
      --config-directory "$DIR" \
      --generate-config --report-stats=no >&2)
}

write_overrides() {
  # Log file always inside DIR, whatever the generator chose; root level as asked.
  sed -i -E "s|^( *filename:).*|\1 $DIR/homeserver.log|" "$DIR/localhost.log.config"
  sed -i -E "/^root:/,/^[^ ]/ s|^( *level:).*|\1 $SYNAPSE_LOG_LEVEL|" "$DIR/localhost.log.config"

  # The generated secret, as a plain file for benchmark drivers.
  "$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["registration_shared_secret"])' \
    "$DIR/base.yaml" >"$DIR/registration_shared_secret"

  local rl='{per_second: 100000, burst_count: 100000}'
  cat >"$DIR/overrides.yaml" <<YAML
# Written by bench/synapse/run-synapse.sh at every start; replaces keys of base.yaml.
server_name: "localhost"
log_config: "$DIR/localhost.log.config"
pid_file: "$DIR/homeserver.pid"

# One plain HTTP client listener, loopback only. No federation resource, no TLS.
listeners:
  - port: $SYNAPSE_PORT
    tls: false
    type: http
    x_forwarded: false
    bind_addresses: ['127.0.0.1']
    resources:
      - names: [client]
        compress: false

report_stats: false
enable_metrics: false
trusted_key_servers: []
suppress_key_server_warning: true
presence:
  enabled: false

# Open registration through the m.login.dummy UIA flow.
# (Synapse refuses enable_registration alone.)
enable_registration: true
enable_registration_without_verification: true

# Rate limits: effectively off (checked against synapse/config/ratelimiting.py, 1.163).
rc_message: $rl
rc_registration: $rl
rc_registration_token_validity: $rl
rc_login:
  address: $rl
  account: $rl
  failed_attempts: $rl
rc_admin_redaction: $rl
rc_joins:
  local: $rl
  remote: $rl
rc_joins_per_room: $rl
rc_3pid_validation: $rl
rc_invites:
  per_room: $rl
  per_user: $rl
  per_issuer: $rl
rc_third_party_invite: $rl
rc_key_requests: $rl
rc_media_create: $rl
rc_presence:
  per_user: $rl
rc_delayed_event_mgmt: $rl
rc_room_creation: $rl
rc_reports: $rl
rc_user_directory: $rl
rc_profile: $rl
rc_federation:
  window_size: 1000
  sleep_limit: 100000
  sleep_delay: 1
  reject_limit: 100000
  concurrent: 100000

# MSC4140 delayed events (checked against synapse/config/server.py, 1.163): off unless both
# are set. They only enable scheduling (PUT .../send|state/...?org.matrix.msc4140.delay=);
# restarts, cancels and sends are rate limited by rc_delayed_event_mgmt above, scheduling by
# rc_message. 100000 per user: the heartbeats benchmark schedules 1000 per account.
max_event_delay_duration: 24h
experimental_features:
  msc4140_max_delayed_events_per_user: 100000
  # MSC4354 sticky events (off by default in Synapse): the sticky benchmarks send them.
  msc4354_enabled: true
YAML
}

cmd_start() {
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    # Report the port it was started with, not $SYNAPSE_PORT.
    log "already running (pid $pid)"
    echo "http://127.0.0.1:$(cat "$DIR/port" 2>/dev/null || echo "$SYNAPSE_PORT")"
    return 0
  fi

  # Install Synapse if needed (no-op when the venv has the pinned version).
  "$SCRIPT_DIR/install-synapse.sh"
  log "Synapse version: $("$SYNAPSE_VENV/bin/pip" show matrix-synapse 2>/dev/null | sed -n 's/^Version: //p')"

  mkdir -p "$DIR"
  [[ -f "$DIR/base.yaml" && -f "$DIR/localhost.signing.key" ]] || generate_config
  write_overrides

  port_in_use "$SYNAPSE_PORT" && die "127.0.0.1:$SYNAPSE_PORT is already in use (set SYNAPSE_PORT)"

  log "starting Synapse on $BASE_URL (log: $DIR/homeserver.log)"
  local t0=$SECONDS t0ms
  t0ms=$(date +%s%3N)
  # setsid: own session, so a CI step's end / Ctrl-C does not hit it; it execs,
  # so $! is Synapse's pid.
  (cd "$DIR" && exec setsid "$PY" -m synapse.app.homeserver \
      -c "$DIR/base.yaml" -c "$DIR/overrides.yaml" \
      </dev/null >"$DIR/synapse.out" 2>&1) &
  pid=$!
  echo "$pid" >"$PID_FILE"
  echo "$SYNAPSE_PORT" >"$DIR/port"

  while :; do
    if ! alive "$pid"; then
      tail -n 40 "$DIR/synapse.out" >&2 || true
      rm -f "$PID_FILE"
      die "Synapse exited during startup (see $DIR/synapse.out, $DIR/homeserver.log)"
    fi
    [[ "$(http_status "$BASE_URL/_matrix/client/versions")" == 200 ]] && break
    if (( SECONDS - t0 >= START_TIMEOUT )); then
      log "not answering after ${START_TIMEOUT}s; stopping it"
      cmd_stop
      die "Synapse did not come up (see $DIR/homeserver.log)"
    fi
    sleep 0.2
  done
  log "up after $(( $(date +%s%3N) - t0ms )) ms (pid $pid)"
  echo "$BASE_URL"
}

cmd_stop() {
  local pid i
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping Synapse (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do   # up to 30 s
    alive "$pid" || break
    sleep 0.2
  done
  if alive "$pid"; then
    log "still alive after 30 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$PID_FILE" "$DIR/port"
  log "stopped"
}

cmd_status() {
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then log "running (pid $pid) on port $(cat "$DIR/port" 2>/dev/null || echo '?')"; else log "not running"; return 1; fi
}

case "$CMD" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status [DIR]" >&2; exit 2 ;;
esac
