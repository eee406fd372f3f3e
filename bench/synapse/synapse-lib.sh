# Shared functions of run-synapse.sh and run-synapse-peer.sh. Sourced, not run.
#
# The caller sets, before calling anything here:
#   LOG_TAG        prefix of log lines ("run-synapse", "run-synapse-peer")
#   SCRIPT_DIR     bench/synapse (for install-synapse.sh)
#   SYNAPSE_VENV   venv made by install-synapse.sh;  PY="$SYNAPSE_VENV/bin/python"
#   DIR            the instance directory (absolute);  PID_FILE="$DIR/synapse.pid"
#   START_TIMEOUT  seconds syn_launch waits for Synapse to answer

log() { echo "[$LOG_TAG] $*" >&2; }
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
# curl is not needed on a fresh machine. With a second argument "insecure", an
# https URL is fetched without checking the certificate (self-signed test certs).
http_status() {
  "$PY" - "$1" "${2:-}" <<'PYEOF' 2>/dev/null || echo 000
import sys, ssl, urllib.request, urllib.error
ctx = ssl._create_unverified_context() if sys.argv[2] == "insecure" else None
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2, context=ctx).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
PYEOF
}

# Installs Synapse if needed (no-op when the venv has the pinned version) and logs its version.
syn_install() {
  "$SCRIPT_DIR/install-synapse.sh"
  log "Synapse version: $("$SYNAPSE_VENV/bin/pip" show matrix-synapse 2>/dev/null | sed -n 's/^Version: //p')"
}

# Generates DIR/base.yaml (secrets, signing key, sqlite path) for server name $1. Synapse names
# the signing key and log config after the server name: DIR/<name>.signing.key, DIR/<name>.log.config.
syn_generate_config() {
  local name="$1"
  log "generating Synapse config in $DIR"
  rm -f "$DIR/base.yaml" "$DIR/$name.log.config" "$DIR/$name.signing.key"
  # Run from DIR: the generated log config otherwise points at $PWD/homeserver.log.
  (cd "$DIR" && "$PY" -m synapse.app.homeserver \
      --server-name "$name" \
      --config-path "$DIR/base.yaml" \
      --data-directory "$DIR" \
      --config-directory "$DIR" \
      --generate-config --report-stats=no >&2)
}

# Top-level value $1 of DIR/base.yaml (empty if absent).
syn_base_value() {
  "$PY" -c 'import sys, yaml; v = yaml.safe_load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' \
    "$DIR/base.yaml" "$1"
}

# Log file always inside DIR, whatever the generator chose; root level $2. $1: the log config.
syn_fix_log_config() {
  sed -i -E "s|^( *filename:).*|\1 $DIR/homeserver.log|" "$1"
  sed -i -E "/^root:/,/^[^ ]/ s|^( *level:).*|\1 $2|" "$1"
}

# The generated secret, as a plain file for test and benchmark drivers.
syn_write_shared_secret() {
  syn_base_value registration_shared_secret >"$DIR/registration_shared_secret"
}

# Every rate limit effectively off (checked against synapse/config/ratelimiting.py, 1.163):
# YAML lines for overrides.yaml.
syn_ratelimits_yaml() {
  local rl='{per_second: 100000, burst_count: 100000}'
  cat <<YAML
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
YAML
}

# Starts Synapse in the background with DIR/base.yaml + DIR/overrides.yaml, writes the pid file
# and sets SYN_PID. Does not wait: see syn_wait_up.
# MSC4140 delayed events and MSC4354 sticky events, what MatrixRTC needs (checked against
# synapse/config/server.py and experimental.py, 1.163): delayed events are off unless both keys
# are set, sticky events unless msc4354_enabled. 100000 delayed events per user: the heartbeats
# benchmark schedules 1000 per account.
syn_matrixrtc_yaml() {
  cat <<'YAML'
max_event_delay_duration: 24h
experimental_features:
  msc4140_max_delayed_events_per_user: 100000
  msc4354_enabled: true
YAML
}

syn_launch() {
  # setsid: own session, so a CI step's end / Ctrl-C does not hit it; it execs,
  # so $! is Synapse's pid.
  (cd "$DIR" && exec setsid "$PY" -m synapse.app.homeserver \
      -c "$DIR/base.yaml" -c "$DIR/overrides.yaml" \
      </dev/null >"$DIR/synapse.out" 2>&1) &
  SYN_PID=$!
  echo "$SYN_PID" >"$PID_FILE"
}

# Waits until GET $1 answers 200 from the Synapse in SYN_PID ($2 "insecure" for a self-signed
# https URL), at most until bash-second $3 + START_TIMEOUT. Dies (after stopping it) if it
# exits or does not answer in time.
syn_wait_up() {
  local url="$1" mode="$2" t0="$3"
  while :; do
    if ! alive "$SYN_PID"; then
      tail -n 40 "$DIR/synapse.out" >&2 || true
      rm -f "$PID_FILE"
      die "Synapse exited during startup (see $DIR/synapse.out, $DIR/homeserver.log)"
    fi
    [[ "$(http_status "$url" "$mode")" == 200 ]] && break
    if (( SECONDS - t0 >= START_TIMEOUT )); then
      log "not answering after ${START_TIMEOUT}s; stopping it"
      syn_stop
      die "Synapse did not come up (see $DIR/homeserver.log)"
    fi
    sleep 0.2
  done
}

syn_stop() {
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
