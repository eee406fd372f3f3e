#!/usr/bin/env bash
# Builds the two images and checks them with podman (CI runs this from ./dev.sh test):
#  1. production image: starts as a non-root user, passes its HEALTHCHECK, answers the client API,
#     takes its configuration from CALLHS__ variables, loads SQLite's library from the image,
#     registers a user and keeps a message, and
#     keeps both across a restart with its volume; register-user works through the entrypoint;
#  2. compose file: PostgreSQL and callhs come up together (podman-compose), a user registers and
#     sends a message that is stored in PostgreSQL, and it is still there after `down` and `up`;
#  3. test-suite image (target complement): with a CA made here, presents a certificate for
#     SERVER_NAME signed by it on 8448, registers an admin through shared-secret registration,
#     federates with a second container over the CA (hs1 reads hs2's profile), and survives a
#     `commit` and a start from the snapshot.
# Needs: eval "$(.ci/podman.sh)" first (podman, the stand-in base images, CONTAINERS_CONF).
# Environment: CALLHS_IMAGE_TAG (default dev); CALLHS_BUILD_IMAGE, CALLHS_RUNTIME_IMAGE and
# CALLHS_POSTGRES_IMAGE override the public base images; CALLHS_CHECK_LOGS (default
# target/image-checks) keeps every container's log.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${CALLHS_IMAGE_TAG:-dev}
image=localhost/callhs:$tag
complement=localhost/callhs-complement:$tag
logs=${CALLHS_CHECK_LOGS:-target/image-checks}
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)
run_id=chk$$
started=$(date +%s)

log() { echo "[check-images] $*" >&2; }
# podman without systemd complains on every container with a HEALTHCHECK; the checks run them by hand.
exec 2> >(grep --line-buffered -v 'unable to get systemd connection\|failed to connect to syslog' >&2)
fail() { log "FAILED: $*"; exit 1; }

containers=()
networks=()
volumes=()
cleanup() {
  for c in "${containers[@]}"; do podman logs "$c" > "$logs/$c.log" 2>&1 || true; podman rm -f "$c" >/dev/null 2>&1 || true; done
  for n in "${networks[@]}"; do podman network rm -f "$n" >/dev/null 2>&1 || true; done
  for v in "${volumes[@]}"; do podman volume rm -f "$v" >/dev/null 2>&1 || true; done
  podman rmi -f "localhost/callhs-snapshot:$run_id" >/dev/null 2>&1 || true
}
trap cleanup EXIT

build_args=()
[[ -n "${CALLHS_BUILD_IMAGE:-}" ]] && build_args+=(--build-arg "BUILD_IMAGE=$CALLHS_BUILD_IMAGE")
[[ -n "${CALLHS_RUNTIME_IMAGE:-}" ]] && build_args+=(--build-arg "RUNTIME_IMAGE=$CALLHS_RUNTIME_IMAGE")
log "building $image and $complement"
podman build --format docker "${build_args[@]}" -f docker/Dockerfile -t "$image" . > "$logs/build.log" 2>&1 \
  || { tail -40 "$logs/build.log" >&2; fail "building $image"; }
podman build --format docker "${build_args[@]}" -f docker/Dockerfile --target complement -t "$complement" . >> "$logs/build.log" 2>&1 \
  || { tail -40 "$logs/build.log" >&2; fail "building $complement"; }
log "built in $(( $(date +%s) - started )) s: $(podman image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1e6}')"

# --- helpers -----------------------------------------------------------------------------------
host_port() { podman port "$1" "$2" | head -1 | sed 's/.*://'; }

wait_healthy() {   # wait_healthy CONTAINER: podman runs no HEALTHCHECK by itself here, so run it
  local c=$1
  for _ in $(seq 120); do
    podman healthcheck run "$c" >/dev/null 2>&1 && return 0
    [[ "$(podman inspect -f '{{.State.Running}}' "$c")" == true ]] || { podman logs "$c" >&2; fail "$c exited"; }
    sleep 0.5
  done
  podman logs "$c" 2>&1 | tail -30 >&2
  fail "$c did not become healthy in 60 s"
}

has() { grep -c "$@" >/dev/null; }   # grep -q would stop reading early: a SIGPIPE fails the pipe

json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

register() {   # register BASE USER PASSWORD -> access token (open registration)
  curl -fsS -X POST "$1/_matrix/client/v3/register" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$3\",\"auth\":{\"type\":\"m.login.dummy\"}}" | json_field access_token
}

login() {   # login BASE USER PASSWORD -> access token
  curl -fsS -X POST "$1/_matrix/client/v3/login" -H 'Content-Type: application/json' \
    -d "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"$2\"},\"password\":\"$3\"}" | json_field access_token
}

room_with_message() {   # room_with_message BASE TOKEN BODY -> room ID
  local room
  room=$(curl -fsS -X POST "$1/_matrix/client/v3/createRoom" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' -d '{}' | json_field room_id)
  curl -fsS -X PUT "$1/_matrix/client/v3/rooms/$room/send/m.room.message/t1" -H "Authorization: Bearer $2" \
    -H 'Content-Type: application/json' -d "{\"msgtype\":\"m.text\",\"body\":\"$3\"}" >/dev/null
  echo "$room"
}

has_message() {   # has_message BASE TOKEN ROOM BODY
  curl -fsS "$1/_matrix/client/v3/rooms/$3/messages?dir=b&limit=20" -H "Authorization: Bearer $2" | has "\"body\":\"$4\""
}

# --- 1. production image -----------------------------------------------------------------------
log "1. production image"
c=$run_id-prod; v=$run_id-data
containers+=("$c"); volumes+=("$v")
podman volume create "$v" >/dev/null
podman run -d --name "$c" -p 127.0.0.1::8008 -v "$v:/data" \
  -e CALLHS__SERVER_NAME=prod.test -e CALLHS__REGISTRATION__ENABLED=true "$image" >/dev/null
wait_healthy "$c"
base=http://127.0.0.1:$(host_port "$c" 8008)
[[ "$(podman exec "$c" id -u)" == 991 ]] || fail "the server does not run as the callhs user"
[[ "$(curl -fsS "$base/health")" == OK ]] || fail "/health"
curl -fsS "$base/_matrix/client/versions" | has '"v1.' || fail "/versions"
token=$(register "$base" alice alice-password)
curl -fsS "$base/_matrix/client/v3/account/whoami" -H "Authorization: Bearer $token" | has '"@alice:prod.test"' \
  || fail "CALLHS__SERVER_NAME was not applied"
room=$(room_with_message "$base" "$token" "kept across restarts")
# SQLite's library comes from the image (extracted at build time), not from a copy in /tmp.
podman exec "$c" bash -c 'cat /proc/[0-9]*/maps 2>/dev/null' | has /opt/callhs/native/libsqlitejdbc.so \
  || fail "the server did not load SQLite's library from /opt/callhs/native"
[[ -z "$(podman exec "$c" bash -c 'ls /tmp | grep sqlite' || true)" ]] || fail "the SQLite driver copied its library to /tmp"
podman exec "$c" callhs-start register-user --user admin --password admin-password --admin | has '@admin:prod.test' \
  || fail "register-user through the entrypoint"
podman restart -t 20 "$c" >/dev/null
wait_healthy "$c"
base=http://127.0.0.1:$(host_port "$c" 8008)
token=$(login "$base" alice alice-password) || fail "alice cannot log in after the restart"
has_message "$base" "$token" "$room" "kept across restarts" || fail "the message did not survive the restart"
login "$base" admin admin-password >/dev/null || fail "the admin made by register-user cannot log in"
podman stop -t 20 "$c" >/dev/null
podman logs "$c" 2>&1 | has "homeserver stopped" || fail "no graceful stop on SIGTERM"
log "1. production image: ok"

# --- 2. compose file ---------------------------------------------------------------------------
log "2. compose file (podman-compose)"
project=$run_id
export CALLHS_IMAGE=$image CALLHS_SERVER_NAME=compose.test POSTGRES_PASSWORD=compose-secret-$$ \
  CALLHS_ENABLE_REGISTRATION=true CALLHS_CLIENT_PORT=127.0.0.1: CALLHS_FEDERATION_PORT=127.0.0.1:
compose=(podman-compose -p "$project" -f docker/compose.yaml)
compose_down() {
  "${compose[@]}" logs > "$logs/compose.log" 2>&1 || true
  "${compose[@]}" down -v > /dev/null 2>&1 || true
  podman network rm -f "${project}_default" > /dev/null 2>&1 || true   # podman-compose 1.0.3 leaves it
}
trap 'compose_down; cleanup' EXIT
"${compose[@]}" up -d > "$logs/compose-up.log" 2>&1 || { cat "$logs/compose-up.log" >&2; fail "compose up"; }
wait_healthy "${project}_postgres_1"
wait_healthy "${project}_callhs_1"
base=http://127.0.0.1:$(host_port "${project}_callhs_1" 8008)
podman logs "${project}_callhs_1" 2>&1 | has 'dialect="Postgres"' || fail "callhs did not use PostgreSQL"
[[ "$(podman inspect -f '{{.HostConfig.Memory}}' "${project}_callhs_1")" == 1073741824 ]] || fail "compose's memory limit was not applied"
token=$(register "$base" bob bob-password)
room=$(room_with_message "$base" "$token" "stored in postgres")
"${compose[@]}" down > /dev/null 2>&1
"${compose[@]}" up -d > /dev/null 2>&1 || fail "compose up again"
wait_healthy "${project}_postgres_1"
wait_healthy "${project}_callhs_1"
base=http://127.0.0.1:$(host_port "${project}_callhs_1" 8008)
token=$(login "$base" bob bob-password) || fail "bob cannot log in after down and up"
has_message "$base" "$token" "$room" "stored in postgres" || fail "the message did not survive down and up"
compose_down
trap cleanup EXIT
log "2. compose file: ok"

# --- 3. test-suite image -----------------------------------------------------------------------
log "3. test-suite image (complement contract)"
ca=$(mktemp -d)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=callhs check CA $run_id" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$ca/ca.key" -out "$ca/ca.crt" 2>/dev/null
net=$run_id-net
networks+=("$net")
podman network create "$net" >/dev/null
start_complement() {   # start_complement NAME IMAGE: create, put the CA in place, start
  podman create --name "$1" --network "$net" --network-alias "$1" -e SERVER_NAME="$1" \
    -p 127.0.0.1::8008 -p 127.0.0.1::8448 "$2" >/dev/null
  podman cp "$ca/." "$1:/complement/ca/"
  podman start "$1" >/dev/null
}
hs1=$run_id-hs1; hs2=$run_id-hs2
containers+=("$hs1" "$hs2")
start_complement "$hs1" "$complement"
start_complement "$hs2" "$complement"
wait_healthy "$hs1"; wait_healthy "$hs2"
base1=http://127.0.0.1:$(host_port "$hs1" 8008)
base2=http://127.0.0.1:$(host_port "$hs2" 8008)
curl -fsS "$base1/_matrix/client/versions" >/dev/null || fail "/versions on the test-suite image"
fed1=$(host_port "$hs1" 8448)
curl -fsS --cacert "$ca/ca.crt" --resolve "$hs1:$fed1:127.0.0.1" "https://$hs1:$fed1/_matrix/key/v2/server" \
  | has "\"server_name\":\"$hs1\"" || fail "8448 does not present a certificate for $hs1 signed by the CA"
# Synapse's shared-secret registration with the suite's secret, as Complement makes admins.
nonce=$(curl -fsS "$base1/_synapse/admin/v1/register" | json_field nonce)
mac=$(printf '%s\0%s\0%s\0%s' "$nonce" root root-password admin | openssl dgst -sha1 -hmac complement | sed 's/.*= //')
curl -fsS -X POST "$base1/_synapse/admin/v1/register" -H 'Content-Type: application/json' \
  -d "{\"nonce\":\"$nonce\",\"username\":\"root\",\"password\":\"root-password\",\"admin\":true,\"mac\":\"$mac\"}" \
  | has "\"user_id\":\"@root:$hs1\"" || fail "shared-secret registration of an admin"
token1=$(register "$base1" carol carol-password)
token2=$(register "$base2" dave dave-password)
curl -fsS -X PUT "$base2/_matrix/client/v3/profile/@dave:$hs2/displayname" -H "Authorization: Bearer $token2" \
  -H 'Content-Type: application/json' -d '{"displayname":"Dave of hs2"}' >/dev/null
curl -fsS "$base1/_matrix/client/v3/profile/@dave:$hs2" -H "Authorization: Bearer $token1" | has 'Dave of hs2' \
  || fail "$hs1 could not read a profile from $hs2 over federation (outbound trust of the CA)"
# A snapshot, as the suite takes them, started again under the same name.
podman stop -t 20 "$hs1" >/dev/null
podman commit -q --format docker "$hs1" "localhost/callhs-snapshot:$run_id" >/dev/null
podman rm "$hs1" >/dev/null
start_complement "$hs1" "localhost/callhs-snapshot:$run_id"
wait_healthy "$hs1"
base1=http://127.0.0.1:$(host_port "$hs1" 8008)
login "$base1" carol carol-password >/dev/null || fail "carol cannot log in on the restarted snapshot"
login "$base1" root root-password >/dev/null || fail "the admin cannot log in on the restarted snapshot"
rm -rf "$ca"
log "3. test-suite image: ok"
log "all image checks passed in $(( $(date +%s) - started )) s"
