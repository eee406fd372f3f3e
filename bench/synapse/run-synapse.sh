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

LOG_TAG=run-synapse
# shellcheck source=synapse-lib.sh
source "$SCRIPT_DIR/synapse-lib.sh"

write_overrides() {
  # Log file always inside DIR, whatever the generator chose; root level as asked.
  syn_fix_log_config "$DIR/localhost.log.config" "$SYNAPSE_LOG_LEVEL"

  # The generated secret, as a plain file for benchmark drivers.
  syn_write_shared_secret

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
$(syn_ratelimits_yaml)

# MSC4140 and MSC4354. Restarts, cancels and sends of delayed events are rate limited by
# rc_delayed_event_mgmt above, scheduling by rc_message.
$(syn_matrixrtc_yaml)
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
  syn_install

  mkdir -p "$DIR"
  [[ -f "$DIR/base.yaml" && -f "$DIR/localhost.signing.key" ]] || syn_generate_config localhost
  write_overrides

  port_in_use "$SYNAPSE_PORT" && die "127.0.0.1:$SYNAPSE_PORT is already in use (set SYNAPSE_PORT)"

  log "starting Synapse on $BASE_URL (log: $DIR/homeserver.log)"
  local t0=$SECONDS t0ms
  t0ms=$(date +%s%3N)
  syn_launch
  pid=$SYN_PID
  echo "$SYNAPSE_PORT" >"$DIR/port"
  syn_wait_up "$BASE_URL/_matrix/client/versions" "" "$t0"
  log "up after $(( $(date +%s%3N) - t0ms )) ms (pid $pid)"
  echo "$BASE_URL"
}

cmd_stop() { syn_stop; }

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
