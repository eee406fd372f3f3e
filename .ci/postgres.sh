#!/usr/bin/env bash
# Throw-away PostgreSQL for the test suite (CI and local runs).
#
# Usage:
#   eval "$(.ci/postgres.sh start)"   # start (or reuse) the cluster; stdout = export lines
#   .ci/postgres.sh stop              # stop it (data dir is kept, next start reuses it)
#   .ci/postgres.sh clean             # stop it and delete the data dir
#   .ci/postgres.sh status            # exit 0 if running, 1 otherwise
#   source .ci/postgres.sh [start]    # same as the eval form, exports into the current shell
#
# `start` prints, on stdout and nothing else:
#   export TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:PORT/matrix_test?user=matrix&password=matrix'
#   export TEST_POSTGRES_HOST=... TEST_POSTGRES_PORT=... (and _DB, _USER, _PASSWORD)
# All log output goes to stderr.
#
# What `start` does:
#   1. Installs Debian's `postgresql` package if no initdb exists under
#      /usr/lib/postgresql/*/bin (apt-get as root, or `sudo -n` otherwise).
#   2. initdb's a cluster in $MATRIX_CI_PG_DIR/data (default ${TMPDIR:-/tmp}/matrix-ci-pg)
#      the first time. initdb refuses to run as root, so as root the cluster is
#      owned by the `postgres` system user (or $MATRIX_CI_PG_OS_USER; created as a
#      system user if absent);
#      as non-root it is owned by the invoking user.
#   3. Starts it on 127.0.0.1 only, port $MATRIX_CI_PG_PORT (default 55432) or the
#      next free one; the Unix socket lives in the state dir, not /var/run/postgresql.
#      Settings: max_connections=200, shared_buffers=256MB, fsync left on.
#   4. Ensures role `matrix` (password `matrix`, CREATEDB: tests create one
#      database per test class) and database `matrix_test` owned by it.
# Everything is idempotent: running `start` twice just prints the exports again.
#
# State dir layout: data/ (cluster), port, postgres.pid, postgres.log.

# When sourced, run ourselves as a child process (so `set -e`, `exit` etc. do
# not leak into the caller's shell) and eval the export lines it prints.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  if [[ "${1:-start}" == start ]]; then
    eval "$(bash "${BASH_SOURCE[0]}" start)"
  else
    bash "${BASH_SOURCE[0]}" "$@"
  fi
  return $?
fi

set -euo pipefail

STATE_DIR="${MATRIX_CI_PG_DIR:-${TMPDIR:-/tmp}/matrix-ci-pg}"
DATA_DIR="$STATE_DIR/data"
PORT_FILE="$STATE_DIR/port"
PID_FILE="$STATE_DIR/postgres.pid"
LOG_FILE="$STATE_DIR/postgres.log"
BASE_PORT="${MATRIX_CI_PG_PORT:-55432}"
DB_NAME=matrix_test
DB_USER=matrix
DB_PASSWORD=matrix

log() { echo "[postgres.sh] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Newest PostgreSQL bin dir installed from Debian packages (empty if none).
find_pg_bin() {
  local d
  # (with no match the glob stays literal and fails the -x test below)
  d="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; fi
}

install_postgres() {
  log "initdb not found under /usr/lib/postgresql/*/bin: installing Debian package 'postgresql'"
  local sudo=()
  if ! is_root; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install 'postgresql' manually"
    sudo=(sudo -n)
  fi
  # policy-rc.d is not touched: if the package starts its default cluster on
  # 5432 that does not bother us (we use our own cluster/port/socket dir).
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
}

# The OS user that owns and runs the cluster.
if is_root; then
  RUN_USER="${MATRIX_CI_PG_OS_USER:-postgres}"
else
  RUN_USER="$(id -un)"
fi

ensure_run_user() {
  if is_root && ! id -u "$RUN_USER" >/dev/null 2>&1; then
    log "creating system user $RUN_USER"
    useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER"
  fi
}

# Run a command as the cluster owner.
as_pg() {
  if is_root; then
    runuser -u "$RUN_USER" -- "$@"
  else
    "$@"
  fi
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local p="$BASE_PORT"
  while port_in_use "$p"; do
    p=$((p + 1))
    [[ "$p" -lt $((BASE_PORT + 100)) ]] || die "no free port in $BASE_PORT..$((BASE_PORT + 99))"
  done
  echo "$p"
}

is_running() {
  [[ -n "${PG_BIN:-}" && -f "$DATA_DIR/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

# psql as the cluster superuser over the Unix socket in STATE_DIR (trust auth).
psql_admin() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$STATE_DIR" -p "$(cat "$PORT_FILE")" -U postgres -d postgres "$@"
}

print_exports() {
  local port
  port="$(cat "$PORT_FILE")"
  echo "export TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:${port}/${DB_NAME}?user=${DB_USER}&password=${DB_PASSWORD}'"
  echo "export TEST_POSTGRES_HOST=127.0.0.1"
  echo "export TEST_POSTGRES_PORT=${port}"
  echo "export TEST_POSTGRES_DB=${DB_NAME}"
  echo "export TEST_POSTGRES_USER=${DB_USER}"
  echo "export TEST_POSTGRES_PASSWORD=${DB_PASSWORD}"
}

init_cluster() {
  log "initdb $DATA_DIR (owner: $RUN_USER, $("$PG_BIN/postgres" --version))"
  # Superuser is always called `postgres`; local (socket) connections trust,
  # TCP connections need a password.
  as_pg "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-instructions >/dev/null
  # Settings for tests. The port is passed on the command line at each start
  # (it may differ between starts), so it is not written here.
  as_pg tee -a "$DATA_DIR/postgresql.conf" >/dev/null <<CONF

# --- added by .ci/postgres.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$STATE_DIR'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 256MB
# fsync stays on (default); the suite is not I/O bound enough to matter.
logging_collector = off
log_min_messages = warning
CONF
}

cmd_start() {
  PG_BIN="$(find_pg_bin)"
  if [[ -z "$PG_BIN" ]]; then
    install_postgres
    PG_BIN="$(find_pg_bin)"
    [[ -n "$PG_BIN" ]] || die "postgresql installed but no initdb under /usr/lib/postgresql/*/bin"
  fi
  ensure_run_user

  mkdir -p "$STATE_DIR"
  if is_root; then chown "$RUN_USER:" "$STATE_DIR"; fi
  chmod 700 "$STATE_DIR"
  # Commands run as the cluster owner must not inherit a cwd it cannot enter (e.g. /root).
  cd "$STATE_DIR"
  # The cluster owner must be able to reach the state dir (e.g. TMPDIR under /root would not work).
  as_pg test -w "$STATE_DIR" || die "$RUN_USER cannot write $STATE_DIR (set TMPDIR or MATRIX_CI_PG_DIR to a world-traversable place)"

  if is_running; then
    log "already running on port $(cat "$PORT_FILE") (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'))"
  else
    # A data dir without PG_VERSION is a half-finished initdb: start over.
    if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
      rm -rf "$DATA_DIR"
      init_cluster
    fi
    local port
    port="$(pick_port)"
    echo "$port" >"$PORT_FILE"
    log "starting postgres on 127.0.0.1:$port (log: $LOG_FILE; after a crash, recovery may take minutes)"
    if is_root; then touch "$LOG_FILE"; chown "$RUN_USER:" "$LOG_FILE"; fi
    if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -o "-p $port" -w -t 600 start >&2; then
      tail -n 30 "$LOG_FILE" >&2 || true
      die "postgres did not start"
    fi
    head -n 1 "$DATA_DIR/postmaster.pid" >"$PID_FILE"
  fi

  # Role and database (idempotent).
  psql_admin <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN
    CREATE ROLE ${DB_USER} LOGIN CREATEDB PASSWORD '${DB_PASSWORD}';
  ELSE
    ALTER ROLE ${DB_USER} LOGIN CREATEDB PASSWORD '${DB_PASSWORD}';
  END IF;
END
\$\$;
SQL
  if [[ -z "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" ]]; then
    psql_admin -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}"
  fi
  log "ready: role ${DB_USER}, database ${DB_NAME}, port $(cat "$PORT_FILE")"
  print_exports
}

cmd_stop() {
  PG_BIN="$(find_pg_bin)"
  cd /
  if is_running; then
    log "stopping postgres (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'))"
    as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w -t 60 stop >&2
  else
    log "not running"
  fi
  rm -f "$PID_FILE"
}

cmd_clean() {
  cmd_stop
  log "removing $STATE_DIR"
  rm -rf "$STATE_DIR"
}

cmd_status() {
  PG_BIN="$(find_pg_bin)"
  cd /
  if is_running; then
    log "running on port $(cat "$PORT_FILE")"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  clean)  cmd_clean ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|clean|status" >&2; exit 2 ;;
esac
