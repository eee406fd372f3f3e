#!/usr/bin/env bash
# Run a local Synapse as a loopback FEDERATION peer, for interop tests against our homeserver.
#
# Usage:
#   bench/synapse/run-synapse-peer.sh start  DIR FED_PORT CLIENT_PORT  # prints the client base URL
#   bench/synapse/run-synapse-peer.sh stop   DIR
#   bench/synapse/run-synapse-peer.sh status DIR                       # exit 0 if running
#
# The server (reference: /work/shared/reference/federation-synapse-interop.md §0, §2, §6.3):
#   - server_name `localhost:FED_PORT` (the port is part of every user ID, alias and signature);
#   - a TLS listener on 127.0.0.1:FED_PORT with resources [client, federation], its certificate
#     self-signed with openssl (CN=localhost, SAN DNS:localhost, IP:127.0.0.1): DIR/tls.crt,
#     DIR/tls.key. Synapse always federates over TLS, so peers reach it there;
#   - a plain-HTTP client listener on 127.0.0.1:CLIENT_PORT with [client], for test drivers;
#   - federation_verify_certificates: false (accepts our self-signed certificates),
#     ip_range_whitelist 127.0.0.0/8 + ::1 (the default blacklist refuses loopback),
#     trusted_key_servers: [] (no matrix.org notary);
#   - federation back-off shortened: retry a failed destination after 1 s, at most 5 s later
#     (the default would leave a peer alone for 10 min after one failure); request retry
#     delays 1 s / 5 s (key names checked in synapse/config/federation.py, 1.163);
#   - open registration without verification (m.login.dummy), every rc_* limit (rc_federation
#     included) as high as run-synapse.sh, presence off, report_stats false, sqlite;
#   - MSC4140 delayed events and MSC4354 sticky events on, as run-synapse.sh.
#
# Files in DIR, as run-synapse.sh, plus:
#   localhost:FED_PORT.signing.key / .log.config   generated; named after the server name
#   tls.crt, tls.key                                the self-signed certificate (made once)
#   server_name                                     "localhost:FED_PORT"
#   port                                            the client port (while running)
#   registration_shared_secret                      for /_synapse/admin/v1/register
# A DIR holds one server name: its database records it. To change FED_PORT, stop and use a new
# DIR (or rm -rf the old one).
#
# Environment:
#   SYNAPSE_VENV       venv made by install-synapse.sh (installed on demand)
#   SYNAPSE_LOG_LEVEL  root log level (default INFO; DEBUG shows federation requests in detail)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SYNAPSE_VENV="${SYNAPSE_VENV:-$HOME/.cache/jmatrix-bench/synapse-venv}"
export SYNAPSE_VENV
SYNAPSE_LOG_LEVEL="${SYNAPSE_LOG_LEVEL:-INFO}"
START_TIMEOUT=60

usage() {
  echo "usage: $0 start DIR FED_PORT CLIENT_PORT | stop DIR | status DIR" >&2
  exit 2
}

CMD="${1:-}"
[[ -n "${2:-}" ]] || usage
DIR="$(realpath -m "$2")"
FED_PORT="${3:-}"
CLIENT_PORT="${4:-}"
PID_FILE="$DIR/synapse.pid"
PY="$SYNAPSE_VENV/bin/python"

LOG_TAG=run-synapse-peer
# shellcheck source=synapse-lib.sh
source "$SCRIPT_DIR/synapse-lib.sh"

# openssl, installed with apt-get when missing and run as root.
ensure_openssl() {
  command -v openssl >/dev/null 2>&1 && return 0
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing openssl with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends openssl >&2
  fi
  command -v openssl >/dev/null 2>&1 \
    || die "openssl is required for the TLS certificate (apt-get install openssl, as root)"
}

# Self-signed certificate for the federation listener, made once per DIR.
make_cert() {
  [[ -s "$DIR/tls.crt" && -s "$DIR/tls.key" ]] && return 0
  ensure_openssl
  log "making a self-signed certificate (CN=localhost) in $DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$DIR/tls.key" -out "$DIR/tls.crt" \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null \
    || die "openssl could not make the certificate (needs OpenSSL >= 1.1.1 for -addext)"
  chmod 600 "$DIR/tls.key"
}

write_overrides() {
  local name="$1" log_config
  log_config="$(syn_base_value log_config)"
  [[ -n "$log_config" && -f "$log_config" ]] || log_config="$DIR/$name.log.config"
  syn_fix_log_config "$log_config" "$SYNAPSE_LOG_LEVEL"
  syn_write_shared_secret

  cat >"$DIR/overrides.yaml" <<YAML
# Written by bench/synapse/run-synapse-peer.sh at every start; replaces keys of base.yaml.
server_name: "$name"
log_config: "$log_config"
pid_file: "$DIR/homeserver.pid"

listeners:
  # Federation (and client) over TLS: Synapse federates over HTTPS only.
  - port: $FED_PORT
    tls: true
    type: http
    x_forwarded: false
    bind_addresses: ['127.0.0.1']
    resources:
      - names: [client, federation]
        compress: false
  # Plain HTTP client listener for test drivers.
  - port: $CLIENT_PORT
    tls: false
    type: http
    x_forwarded: false
    bind_addresses: ['127.0.0.1']
    resources:
      - names: [client]
        compress: false
tls_certificate_path: "$DIR/tls.crt"
tls_private_key_path: "$DIR/tls.key"

# Loopback federation (synapse/config/tls.py, server.py, key.py, federation.py; 1.163).
federation_verify_certificates: false
ip_range_whitelist: ['127.0.0.0/8', '::1/128']
trusted_key_servers: []
suppress_key_server_warning: true
federation:
  destination_min_retry_interval: 1s
  destination_max_retry_interval: 5s
  max_short_retry_delay: 1s
  max_long_retry_delay: 5s

report_stats: false
enable_metrics: false
presence:
  enabled: false

# Open registration through the m.login.dummy UIA flow.
# (Synapse refuses enable_registration alone.)
enable_registration: true
enable_registration_without_verification: true

# Rate limits: effectively off (checked against synapse/config/ratelimiting.py, 1.163).
$(syn_ratelimits_yaml)

# MSC4140 and MSC4354, for MatrixRTC calls across servers.
$(syn_matrixrtc_yaml)
YAML
}

cmd_start() {
  local pid name have t0 t0ms url
  [[ "$FED_PORT" =~ ^[0-9]+$ && "$CLIENT_PORT" =~ ^[0-9]+$ ]] || usage
  [[ "$FED_PORT" != "$CLIENT_PORT" ]] || die "FED_PORT and CLIENT_PORT must differ"
  name="localhost:$FED_PORT"
  url="http://127.0.0.1:$CLIENT_PORT"

  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    have="$(cat "$DIR/server_name" 2>/dev/null || echo '?')"
    [[ "$have" == "$name" ]] || die "a Synapse for '$have' is already running from $DIR (pid $pid)"
    log "already running (pid $pid) as $name"
    echo "http://127.0.0.1:$(cat "$DIR/port" 2>/dev/null || echo "$CLIENT_PORT")"
    return 0
  fi

  port_in_use "$FED_PORT" && die "127.0.0.1:$FED_PORT is already in use"
  port_in_use "$CLIENT_PORT" && die "127.0.0.1:$CLIENT_PORT is already in use"

  # Install Synapse if needed (no-op when the venv has the pinned version).
  syn_install

  mkdir -p "$DIR"
  if [[ -f "$DIR/base.yaml" ]]; then
    have="$(syn_base_value server_name)"
    [[ "$have" == "$name" ]] \
      || die "$DIR was made for server name '$have', not '$name': use another DIR or rm -rf it"
  fi
  [[ -f "$DIR/base.yaml" && -f "$DIR/$name.signing.key" ]] || syn_generate_config "$name"
  echo "$name" >"$DIR/server_name"
  make_cert
  write_overrides "$name"

  log "starting Synapse $name: federation https://127.0.0.1:$FED_PORT, client $url (log: $DIR/homeserver.log)"
  t0=$SECONDS
  t0ms=$(date +%s%3N)
  syn_launch
  echo "$CLIENT_PORT" >"$DIR/port"
  syn_wait_up "$url/_matrix/client/versions" "" "$t0"
  # The federation listener too (same process; normally up at the same moment).
  syn_wait_up "https://127.0.0.1:$FED_PORT/_matrix/key/v2/server" insecure "$t0"
  log "up after $(( $(date +%s%3N) - t0ms )) ms (pid $SYN_PID)"
  echo "$url"
}

cmd_status() {
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    log "running (pid $pid) as $(cat "$DIR/server_name" 2>/dev/null || echo '?'), client port $(cat "$DIR/port" 2>/dev/null || echo '?')"
  else
    log "not running"
    return 1
  fi
}

case "$CMD" in
  start)  cmd_start ;;
  stop)   syn_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
