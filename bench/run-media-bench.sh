#!/usr/bin/env bash
# Media benchmark (issue 17): uploads and downloads of 10 KiB and 5 MiB files, thumbnails, and
# the server's memory while 50 clients upload 5 MiB each, callhs against Synapse, same machine,
# one command.
#
# Usage: bench/run-media-bench.sh
#
# After the build, waits until the machine is idle (as bench/run-rooms-bench.sh does). Then each
# server in turn (never both at once), on an empty data directory and SQLite, runs five closed
# loops of bench.jar (every user its own account and files) and stops the server:
#   media-upload-10k      SMALL_USERS users, each uploading 10 KiB of random bytes per iteration
#   media-upload-5m       LARGE_USERS users, each uploading 5 MiB per iteration (all at once:
#                         the server's RSS at the end and its peak show what that costs)
#   media-download-10k    SMALL_USERS users, each downloading its own 10 KiB file (authenticated media)
#   media-download-5m     SMALL_USERS users, each downloading its own 5 MiB file
#   media-thumbnail       THUMBNAIL_USERS users, each uploading a new 1600x1200 JPEG, then asking
#                         for its 320x240 scale thumbnail
# Then prints a markdown report (machine info, every figure, ratio callhs / synapse). It appends
# nothing anywhere: copy what you want into BENCHMARKS.md.
#
# Environment (defaults in brackets):
#   SERVERS   servers to measure, in order, among callhs synapse ["callhs synapse"]
#   SMALL_USERS [16]      SMALL_WARMUP [10s]      SMALL_DURATION [30s]
#   LARGE_USERS [50]      LARGE_WARMUP [10s]      LARGE_DURATION [30s]
#   THUMBNAIL_USERS [4]   THUMBNAIL_WARMUP [10s]  THUMBNAIL_DURATION [30s]
#   IDLE_LOAD_MAX [0.6]   IDLE_POLL_SECONDS [15]  IDLE_WAIT_MAX_SECONDS [1200]   (IDLE_LOAD_MAX= : do not wait)
#   CALLHS_PORT [18448] CALLHS_FEDERATION_PORT [18449] SYNAPSE_PORT [18008]
#   CALLHS_JAVA_OPTS         JVM options for the homeserver [-Xmx512m]
#   SYNAPSE_LOG_LEVEL        passed to run-synapse.sh [INFO, as stock Synapse]
#   OUT_DIR                  where data dirs, logs and raw results go [a new dir under $TMPDIR]
#   SKIP_BUILD=1             use the jars already in */target (no Maven at all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS="${SERVERS:-callhs synapse}"
SMALL_USERS="${SMALL_USERS:-16}"
SMALL_WARMUP="${SMALL_WARMUP:-10s}"
SMALL_DURATION="${SMALL_DURATION:-30s}"
LARGE_USERS="${LARGE_USERS:-50}"
LARGE_WARMUP="${LARGE_WARMUP:-10s}"
LARGE_DURATION="${LARGE_DURATION:-30s}"
THUMBNAIL_USERS="${THUMBNAIL_USERS:-4}"
THUMBNAIL_WARMUP="${THUMBNAIL_WARMUP:-10s}"
THUMBNAIL_DURATION="${THUMBNAIL_DURATION:-30s}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"

LOG_TAG=media-bench
# shellcheck source=bench/bench-lib.sh
source "$ROOT/bench/bench-lib.sh"
check_servers
build_jars
wait_for_idle
write_machine_info
{
  echo "small_users=$SMALL_USERS"; echo "small_warmup=$SMALL_WARMUP"; echo "small_duration=$SMALL_DURATION"
  echo "large_users=$LARGE_USERS"; echo "large_warmup=$LARGE_WARMUP"; echo "large_duration=$LARGE_DURATION"
  echo "thumbnail_users=$THUMBNAIL_USERS"; echo "thumbnail_warmup=$THUMBNAIL_WARMUP"; echo "thumbnail_duration=$THUMBNAIL_DURATION"
} >"$OUT_DIR/params.env"
warn_if_busy

media_scenarios() { # label server_pid
  run_scenario "$1" media-upload-10k "$SMALL_USERS" "$SMALL_WARMUP" "$SMALL_DURATION" "$2"
  run_scenario "$1" media-download-10k "$SMALL_USERS" "$SMALL_WARMUP" "$SMALL_DURATION" "$2"
  run_scenario "$1" media-download-5m "$SMALL_USERS" "$SMALL_WARMUP" "$SMALL_DURATION" "$2"
  run_scenario "$1" media-thumbnail "$THUMBNAIL_USERS" "$THUMBNAIL_WARMUP" "$THUMBNAIL_DURATION" "$2"
  # Last, so that the server's peak RSS (VmHWM) is the one of 50 concurrent 5 MiB uploads or less.
  run_scenario "$1" media-upload-5m "$LARGE_USERS" "$LARGE_WARMUP" "$LARGE_DURATION" "$2" --threads virtual
}
run_on_each_server media_scenarios

print_report MediaReport
