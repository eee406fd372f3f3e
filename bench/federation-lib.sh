# Starting and stopping the two federating servers of a federation benchmark, sourced by
# run-federation-bench.sh, run-federated-rooms-bench.sh and run-federated-call-bench.sh after
# bench-lib.sh. Expects ROOT,
# OUT_DIR, JAVA, CALLHS_JAR, CALLHS_JAVA_OPTS and PAIR (the run's name: data goes to
# $OUT_DIR/$PAIR/<role>).
# shellcheck shell=bash

PEER="$ROOT/bench/synapse/run-synapse-peer.sh"
STARTED_PIDS=()
STARTED_PEERS=()
# The process ID of each running server by role (a, b), for CPU and memory readings.
declare -A SERVER_PIDS=()
stop_all() {
  local pid dir
  for pid in ${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}; do
    kill "$pid" 2>/dev/null || true
    while alive "$pid"; do nap 0.1; done
  done
  for dir in ${STARTED_PEERS[@]+"${STARTED_PEERS[@]}"}; do "$PEER" stop "$dir" >/dev/null 2>&1 || true; done
  STARTED_PIDS=()
  STARTED_PEERS=()
  SERVER_PIDS=()
}
trap stop_all EXIT

# start_server KIND ROLE CLIENT_PORT FEDERATION_PORT: KIND callhs or synapse, on empty data.
start_server() {
  local kind="$1" role="$2" client="$3" federation="$4" dir="$OUT_DIR/$PAIR/$2"
  mkdir -p "$dir"
  if [[ "$kind" == callhs ]]; then
    # shellcheck disable=SC2086
    "$JAVA" $CALLHS_JAVA_OPTS -jar "$CALLHS_JAR" run --data-dir "$dir" --server-name "localhost:$federation" \
        --listen "127.0.0.1:$client" --federation-listen "127.0.0.1:$federation" --enable-registration \
        --set rate_limits.enabled=false --set federation.verify_certificates=false \
        --set federation.ip_range_allowlist=127.0.0.0/8 --set federation.destination_min_retry_interval_ms=500 \
        >"$dir/callhs.out" 2>&1 &
    STARTED_PIDS+=("$!")
    SERVER_PIDS[$role]="$!"
    await_first_200 "$!" "$client" || { tail -n 30 "$dir/callhs.out" >&2; die "callhs ($role) did not start"; }
  else
    STARTED_PEERS+=("$dir")
    "$PEER" start "$dir" "$federation" "$client" >/dev/null || die "Synapse ($role) did not start"
    SERVER_PIDS[$role]="$(cat "$dir/synapse.pid")"
  fi
  log "$PAIR: $kind ($role) up as localhost:$federation, client port $client"
}


# measure CLASS MODE LABEL A B [options...]: servers A (--a) and B (--b), callhs or synapse, on
# empty data, then org.callhs.bench.CLASS from bench.jar against them (with their process IDs,
# --a-pid and --b-pid); its JSON line goes to $OUT_DIR/MODE-LABEL.json, its log next to it.
measure() {
  local class="$1" mode="$2" label="$3" a="$4" b="$5"
  shift 5
  PAIR="$mode-$label"
  log "=== $PAIR"
  start_server "$a" a "$PORT_BASE" $(( PORT_BASE + 1 ))
  start_server "$b" b $(( PORT_BASE + 2 )) $(( PORT_BASE + 3 ))
  "$JAVA" -cp "$BENCH_JAR" "org.callhs.bench.$class" --mode "$mode" --label "$label" \
      --a "http://127.0.0.1:$PORT_BASE" --b "http://127.0.0.1:$(( PORT_BASE + 2 ))" \
      --a-pid "${SERVER_PIDS[a]}" --b-pid "${SERVER_PIDS[b]}" "$@" \
      >"$OUT_DIR/$PAIR.json" 2> >(tee -a "$OUT_DIR/$PAIR.log" >&2) || log "$PAIR failed"
  stop_all
}
