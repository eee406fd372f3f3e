#!/usr/bin/env bash
# Several instances on one PostgreSQL (issue 20): two callhs instances in cluster mode on one
# database, on this machine, one command:
#   - wake: a sender on instance A; in each room one receiver long-polling on A, one on B. How long
#     from a send's start until each receiver's /sync returned it (p50/p99/max), same instance
#     against the other instance; each instance's CPU per message and PostgreSQL's committed
#     transactions per message (the doorbell and B's reads included). The same with ONE instance
#     (both receivers on it) as the baseline.
#   - contend: CONTEND_ROOMS rooms, each written by CONTEND_WRITERS senders in a closed loop,
#     alternately through A and B: messages/s, send latency, CPU and commits per message, and how
#     long PostgreSQL's backends waited on locks (pg_stat_activity sampled every 50 ms). The same
#     with ONE instance taking all the writers as the baseline, and with each room's writers on one
#     instance (rooms alternately on A and B: what a proxy routing sends by room does).
#   - failover: DELAYED_EVENTS delayed events scheduled through A, A killed with SIGKILL before
#     any is due: how late B sends them (p50/p99/max), and none early, none lost.
# On one 2-core machine a second instance cannot make anything faster; these are the costs and
# the bounds of running two. Synapse is not measured here: its equivalent needs workers and Redis.
#
# Usage: bench/run-cluster-bench.sh
#
# Environment (defaults in brackets):
#   PAIRS [20]  WAKE_SECONDS [30]   DELAYED_EVENTS [200]  DELAY_MS [3000]  SWEEP_MS [5000]
#   CONTEND_ROOMS [4]  CONTEND_WRITERS [8]  MODES ["wake contend failover"]  PORT_BASE [18900]  CALLHS_JAVA_OPTS [-Xmx512m]  IDLE_LOAD_MAX [0.6]  OUT_DIR  SKIP_BUILD=1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PAIRS="${PAIRS:-20}"
WAKE_SECONDS="${WAKE_SECONDS:-30}"
DELAYED_EVENTS="${DELAYED_EVENTS:-200}"
DELAY_MS="${DELAY_MS:-3000}"
SWEEP_MS="${SWEEP_MS:-5000}"
PORT_BASE="${PORT_BASE:-18900}"
MODES="${MODES:-wake contend failover}"
CONTEND_ROOMS="${CONTEND_ROOMS:-4}"
CONTEND_WRITERS="${CONTEND_WRITERS:-8}"
CALLHS_JAVA_OPTS="${CALLHS_JAVA_OPTS--Xmx512m}"
SERVERS="callhs"
CALLHS_DATABASE_NOTE="PostgreSQL (one database, two instances in cluster mode)"

LOG_TAG=cluster-bench
source "$ROOT/bench/bench-lib.sh"
build_jars
[[ "$CALLHS_BUILD_STATUS" == ok ]] || die "$CALLHS_BUILD_STATUS"
trap 'stop_instances; drop_pg_database' EXIT
start_postgres
[[ "$PG_STATUS" == ok ]] || die "$PG_STATUS"
wait_for_idle
write_machine_info
warn_if_busy

PIDS=()
stop_instances() {
  local pid
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do
    kill "$pid" 2>/dev/null || true
    while alive "$pid"; do nap 0.1; done
  done
  PIDS=()
}

# start_instance N CLIENT_PORT FEDERATION_PORT [SERVER_NAME KEY]: instance hs-N of the cluster on $PG_BENCH_URL.
start_instance() {
  local n="$1" client="$2" federation="$3" name="${4:-localhost:$3}" key="${5:-}" dir="$OUT_DIR/$RUN/hs$1"
  local extra=()
  mkdir -p "$dir"
  [[ -n "$key" ]] && extra=(--set "federation.signing_key_path=\"$key\"")
  # shellcheck disable=SC2086
  "$JAVA" $CALLHS_JAVA_OPTS -jar "$CALLHS_JAR" run --data-dir "$dir" --server-name "$name" --database-url "$PG_BENCH_URL" \
      --listen "127.0.0.1:$client" --federation-listen "127.0.0.1:$federation" --enable-registration \
      --set rate_limits.enabled=false --set cluster.enabled=true --set "cluster.instance_name=hs-$n" \
      --set "delayed_events.sweep_interval_ms=$SWEEP_MS" ${extra[@]+"${extra[@]}"} >"$dir/callhs.out" 2>&1 &
  PIDS+=("$!")
  await_first_200 "$!" "$client" || { tail -n 30 "$dir/callhs.out" >&2; die "instance hs-$n did not start"; }
  LAST_PID="$!"
}

# run MODE LABEL INSTANCES [options...]: INSTANCES (1 or 2) on a fresh database, then ClusterBench.
run() {
  local mode="$1" label="$2" count="$3" a_pid b_pid b_url
  shift 3
  RUN="$mode-$label"
  log "=== $RUN"
  create_pg_database || die "could not create the database"
  start_instance 1 "$PORT_BASE" $(( PORT_BASE + 1 ))
  a_pid="$LAST_PID"
  b_pid="$a_pid"
  b_url="http://127.0.0.1:$PORT_BASE"
  if (( count == 2 )); then
    start_instance 2 $(( PORT_BASE + 2 )) $(( PORT_BASE + 3 )) "localhost:$(( PORT_BASE + 1 ))" "$OUT_DIR/$RUN/hs1/signing.key"
    b_pid="$LAST_PID"
    b_url="http://127.0.0.1:$(( PORT_BASE + 2 ))"
  fi
  # One psql session samples the benchmark database's backends every 50 ms: waiting on a lock|active|what they wait on.
  cat >"$OUT_DIR/locks.sql" <<'SQL'
SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') || '|' || count(*) FILTER (WHERE state = 'active') || '|'
       || coalesce(string_agg(wait_event, ',') FILTER (WHERE wait_event_type = 'Lock'), '')
  FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
\watch 0.05
SQL
  local locks="PGPASSWORD=$TEST_POSTGRES_PASSWORD $PSQL -X -q -tA -h $TEST_POSTGRES_HOST -p $TEST_POSTGRES_PORT -U $TEST_POSTGRES_USER -d $PG_BENCH_DB -f $OUT_DIR/locks.sql"
  local commits="$PSQL -h $TEST_POSTGRES_HOST -p $TEST_POSTGRES_PORT -U $TEST_POSTGRES_USER -d postgres -tAc \"SELECT xact_commit FROM pg_stat_database WHERE datname = '$PG_BENCH_DB'\""
  PGPASSWORD="$TEST_POSTGRES_PASSWORD" "$JAVA" -cp "$BENCH_JAR" org.callhs.bench.ClusterBench --mode "$mode" \
      --a "http://127.0.0.1:$PORT_BASE" --b "$b_url" --a-pid "$a_pid" --b-pid "$b_pid" --commits "$commits" --locks "$locks" "$@" \
      >"$OUT_DIR/$RUN.json" 2> >(tee -a "$OUT_DIR/$RUN.log" >&2) || log "$RUN failed"
  stop_instances
  drop_pg_database
}

if [[ " $MODES " == *" wake "* ]]; then
  run wake one-instance 1 --pairs "$PAIRS" --seconds "$WAKE_SECONDS"
  run wake two-instances 2 --pairs "$PAIRS" --seconds "$WAKE_SECONDS"
fi
if [[ " $MODES " == *" contend "* ]]; then
  run contend one-instance 1 --rooms "$CONTEND_ROOMS" --writers "$CONTEND_WRITERS" --seconds "$WAKE_SECONDS"
  run contend two-instances 2 --rooms "$CONTEND_ROOMS" --writers "$CONTEND_WRITERS" --seconds "$WAKE_SECONDS"
  run contend two-instances-by-room 2 --rooms "$CONTEND_ROOMS" --writers "$CONTEND_WRITERS" --seconds "$WAKE_SECONDS" --route room
fi
[[ " $MODES " == *" failover "* ]] && run failover two-instances 2 --events "$DELAYED_EVENTS" --delay "$DELAY_MS"
echo "load average at end=$(cut -d" " -f1-3 /proc/loadavg)" >>"$OUT_DIR/machine.env"

python3 - "$OUT_DIR" <<'PY'
import json, sys, pathlib
d = pathlib.Path(sys.argv[1])
def load(name):
    p = d / name
    return json.loads(p.read_text()) if p.exists() and p.read_text().strip() else None
one, two, fo = load("wake-one-instance.json"), load("wake-two-instances.json"), load("failover-two-instances.json")
c1, c2, c3 = load("contend-one-instance.json"), load("contend-two-instances.json"), load("contend-two-instances-by-room.json")
def locks(r):
    if "locks_samples" not in r: return "not sampled"
    events = ", ".join(f"{k} {v}" for k, v in r["locks_waits_by_event"].items()) or "none"
    return f"{r['locks_waiting_mean']:.2f} ({r['locks_samples_with_waiters_pct']:.0f}% of samples; {events})"
if one or two:
    print("| wake (send to /sync return) | messages | same instance p50 / p99 / max (ms) | other instance p50 / p99 / max (ms) | CPU per message A / B (ms) | PostgreSQL commits per message | backends waiting on a lock, mean |")
    print("|---|---|---|---|---|---|---|")
for label, r in (("one instance", one), ("two instances", two)) if (one or two) else ():
    if not r: print(f"| {label} | failed | | | | | |"); continue
    f = lambda k: f"{r[k + '_p50_ms']:.1f} / {r[k + '_p99_ms']:.1f} / {r[k + '_max_ms']:.1f}"
    other = f("cross") if label == "two instances" else "(both receivers on the one instance: " + f("cross") + ")"
    cpu = f"{r['a_cpu_ms_per_message']:.2f}" + ("" if label == "one instance" else f" / {r['b_cpu_ms_per_message']:.2f}")
    print(f"| {label} | {r['messages']} ({r['failures']} failed) | {f('same')} | {other} | {cpu} | {r['commits_per_message']:.2f} | {locks(r)} |")
print()
if c1 or c2 or c3:
    print("| contend (closed-loop writers of the same rooms) | messages/s | send p50 / p99 / max (ms) | CPU per message A / B (ms) | PostgreSQL commits per message | backends waiting on a lock, mean (samples with a waiter; waits by kind) |")
    print("|---|---|---|---|---|---|")
for label, r in (("one instance", c1), ("two instances, writers of a room on both", c2), ("two instances, each room on one", c3)) if (c1 or c2 or c3) else ():
    if not r: print(f"| {label} | failed | | | | |"); continue
    cpu = f"{r['a_cpu_ms_per_message']:.2f}" + ("" if label == "one instance" else f" / {r['b_cpu_ms_per_message']:.2f}")
    print(f"| {label}: {r['rooms']} rooms x {r['writers_per_room']} writers | {r['messages_per_second']:.0f} ({r['failures']} failed) | "
          f"{r['send_p50_ms']:.1f} / {r['send_p99_ms']:.1f} / {r['send_max_ms']:.1f} | {cpu} | {r['commits_per_message']:.2f} | {locks(r)} |")
print()
if fo:
    print("| failover | events | sent by B | early | lost | late p50 / p99 / max (ms) |")
    print("|---|---|---|---|---|---|")
    print(f"| A killed {fo['killed_ms_before_due']} ms before due | {fo['events']} | {fo['sent']} | {fo['early']} | {fo['missing']} | "
          f"{fo['late_p50_ms']:.0f} / {fo['late_p99_ms']:.0f} / {fo['late_max_ms']:.0f} |")
print()
m = d / "machine.env"
if m.exists():
    for line in m.read_text().splitlines():
        k, _, v = line.partition("=")
        print(f"- {k}: {v}")
PY
