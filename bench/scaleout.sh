#!/usr/bin/env bash
# Scale-out: start+check pairs against one server process on PostgreSQL + Redis, then against two server
# processes on the same database and Redis at the same time (each with its own port and data directory, one
# key directory between them), and how the sum of the two compares with the one. See bench/README.md,
# "Two nodes".
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=$ROOT/otpgate-server/target/otpgate.jar
BENCH_SCRIPT=scaleout.sh
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

usage() {
    cat <<'EOF'
Usage: bench/scaleout.sh [options]
  --skip-build / --build / --jar PATH   as in run.sh
  --duration S         seconds of each measured phase (default 30)
  --warmup S           seconds of unmeasured load before each measured phase (default 90; the second node
                       starts cold, so the two-node phase has a warm-up of its own)
  --connections N      wrk connections in all: one node gets N, two nodes N/2 each (default 32)
  --threads N          wrk threads in all, split the same way (default 2)
  --db NAME            database to create and drop (default otpgate_scaleout)
  --keep               keep the database, the Redis keys and the work directory
  --wait-idle MIN      as in run.sh
Environment: PGHOST/PGPORT/PGUSER as in run.sh, BENCH_REDIS_URL (redis://127.0.0.1:6379), JAVA_HOME,
BENCH_JAVA_OPTS, BENCH_API_PORT (18453; the second node +1), BENCH_MANAGEMENT_PORT (19474; the second node +1).
EOF
}

BUILD=auto DURATION=30 WARMUP=90 CONNECTIONS=32 THREADS=2 KEEP=0 DB=otpgate_scaleout WAIT_IDLE=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --skip-build) BUILD=never ;;
        --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); BUILD=never; shift ;;
        --build) BUILD=always ;;
        --duration) DURATION=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --threads) THREADS=$2; shift ;;
        --db) DB=$2; shift ;;
        --keep) KEEP=1 ;;
        --wait-idle) WAIT_IDLE=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
API_A=${BENCH_API_PORT:-18453} MGMT_A=${BENCH_MANAGEMENT_PORT:-19474}
API_B=$((API_A + 1)) MGMT_B=$((MGMT_A + 1))
REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379}
REDIS_HOST_PORT=${REDIS_URL#redis://}
REDIS_HOST=${REDIS_HOST_PORT%%:*} REDIS_PORT=${REDIS_HOST_PORT##*:}
# Keys of this run only, so that the cleanup deletes nothing of anyone else's.
REDIS_PREFIX="otpgate:bench-scaleout:$$:"
HALF_CONNECTIONS=$((CONNECTIONS / 2)) HALF_THREADS=$(( THREADS / 2 > 0 ? THREADS / 2 : 1 ))

require_tools wrk psql createdb dropdb curl python3 redis-cli
psql -d postgres -Atqc 'select 1' >/dev/null || die "cannot reach PostgreSQL at $PGHOST:$PGPORT as $PGUSER"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping | grep -q PONG || die "cannot reach Redis at $REDIS_URL"
require_free_ports "$API_A" "$MGMT_A" "$API_B" "$MGMT_B"
wait_idle "$WAIT_IDLE"
BUSY_BEFORE=$(busy_percent 3)
log "machine busy before the run: ${BUSY_BEFORE}% of $(nproc) cores (load average $(cut -d' ' -f1-3 /proc/loadavg))"
build_if_needed "$BUILD"

WORK=$(mktemp -d /tmp/otpgate-scaleout.XXXXXX)
PID_A= PID_B= SERVER_PID=
redis_keys() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "${REDIS_PREFIX}*"; }
cleanup() {
    local status=$?
    [[ -n $PID_A ]] && stop_pid "$PID_A"
    [[ -n $PID_B ]] && stop_pid "$PID_B"
    if [[ $KEEP == 1 ]]; then
        echo "kept: database $DB, Redis keys ${REDIS_PREFIX}*, work directory $WORK" >&2
    else
        dropdb --if-exists "$DB" 2>/dev/null || echo "scaleout.sh: could not drop database $DB" >&2
        redis_keys | xargs -r -n 500 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del >/dev/null || true
        rm -rf "$WORK"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "creating database $DB"
dropdb --if-exists "$DB"
createdb "$DB"

# Both nodes: the same database, the same Redis rate-limit store (limits shared across nodes), a scheduler name
# each. Limits stay on: every start and check goes through the Redis store, as in a cluster. Their capacities are
# raised so that no limit refuses the benchmark's load (100 numbers, one app, one key, only wrong codes).
ADMIN_KEY=$("$JAVA" -jar "$JAR" generate-key)
node_args() { # node_args NAME
    echo --spring.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/$DB"
    echo --spring.datasource.username="$PGUSER"
    echo --otpgate.bootstrap-admin-key="$ADMIN_KEY"
    echo --otpgate.rate-limit.store=redis
    echo --otpgate.rate-limit.redis-url="$REDIS_URL"
    echo --otpgate.rate-limit.redis-key-prefix="$REDIS_PREFIX"
    echo --db-scheduler.scheduler-name="$1"
    printf '%s\n' "${LIMIT_ARGS[@]}"
}
mapfile -t ARGS_A < <(node_args node-a)
mapfile -t ARGS_B < <(node_args node-b)

log "starting node A (log: $WORK/server-a.log)"
start_server "$WORK/server-a.log" "$WORK/data-a" "$API_A" "$MGMT_A" "${ARGS_A[@]}"
PID_A=$STARTED_PID
wait_ready "$PID_A" "$WORK/data-a" "$MGMT_A" "$WORK/server-a.log"
API_PORT=$API_A CA=$WORK/data-a/tls/ca.pem
create_app "$ADMIN_KEY" "$WORK/curl.err"
log "app $APP_ID ready"

REDIS_PID=$(pidof redis-server 2>/dev/null | awk '{print $1}' || true)
snapshot() { # -> jiffies: machine busy, idle, node A, node B, postgres (this database), redis, waited-for children
    echo "$(machine_jiffies) $( [[ -n $PID_A ]] && proc_jiffies "$PID_A" || echo 0) $( [[ -n $PID_B ]] && proc_jiffies "$PID_B" || echo 0)" \
        "$(pg_jiffies "$DB") $( [[ -n $REDIS_PID ]] && proc_jiffies "$REDIS_PID" || echo 0) $(awk '{print $16 + $17}' /proc/$$/stat)"
}
# report BEFORE AFTER PAIRS_A PAIRS_B -> shares of all cores: A B postgres redis wrk others idle; then CPU ms per
# pair: A (per A's pair), B (per B's pair), postgres, redis, wrk and both servers together (per pair of both)
report() {
    read -r b0 i0 a0 n0 p0 r0 w0 <<<"$1"
    read -r b1 i1 a1 n1 p1 r1 w1 <<<"$2"
    awk -v b=$((b1 - b0)) -v i=$((i1 - i0)) -v a=$((a1 - a0)) -v n=$((n1 - n0)) -v p=$((p1 - p0)) -v r=$((r1 - r0)) \
        -v w=$((w1 - w0)) -v pa="$3" -v pb="$4" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        t = b + i; o = b - a - n - p - r - w; if (o < 0) o = 0; ms = 1000 / hz; both = pa + pb
        printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f %.2f %.2f %.2f %.2f %.2f %.2f",
            100*a/t, 100*n/t, 100*p/t, 100*r/t, 100*w/t, 100*o/t, 100*i/t,
            (pa > 0 ? a*ms/pa : 0), (pb > 0 ? n*ms/pb : 0), p*ms/both, r*ms/both, w*ms/both, (a+n)*ms/both }'
}
wrk_on() { # wrk_on PORT CONNECTIONS THREADS SECONDS OUTPUT
    BENCH_APP_KEY=$APP_KEY wrk -t"$3" -c"$2" -d"${4}s" --timeout 10s -s "$HERE/pair.lua" \
        "https://localhost:$1" >"$5" 2>&1 || { cat "$5" >&2; die "wrk failed"; }
}

# ---- (a) one node --------------------------------------------------------------------------------------------
log "one node: warm-up ${WARMUP}s, $CONNECTIONS connections (not measured)"
wrk_on "$API_A" "$CONNECTIONS" "$THREADS" "$WARMUP" "$WORK/wrk-one-warmup.txt"
drain
vacuum_analyze
log "one node: saturation ${DURATION}s, $CONNECTIONS connections, $THREADS wrk threads"
CPU0=$(snapshot)
wrk_on "$API_A" "$CONNECTIONS" "$THREADS" "$DURATION" "$WORK/wrk-one.txt"
CPU1=$(snapshot)
read -r ONE_BACKLOG ONE_BACKLOG_AGE <<<"$(delivery_backlog)"
drain
collect one "$WORK/wrk-one.txt"
[[ -n ${R[one.pairs_per_s]:-} ]] || { cat "$WORK/wrk-one.txt" >&2; die "no result from wrk"; }
read -r ONE_A _ ONE_PG ONE_REDIS ONE_WRK ONE_OTHER ONE_IDLE ONE_MS_A _ ONE_MS_PG ONE_MS_REDIS ONE_MS_WRK _ \
    <<<"$(report "$CPU0" "$CPU1" "${R[one.checks]}" 0)"
grep -E '^unexpected status' "$WORK/wrk-one.txt" >&2 || true

# ---- (b) two nodes -------------------------------------------------------------------------------------------
# Node B has a data directory of its own (its TLS material, its bootstrap-key file) but node A's key directory:
# both encrypt and index with the same key sets, as cluster nodes must (a verification started on one is checked
# on the other).
mkdir -p "$WORK/data-b"
chmod 700 "$WORK/data-b"
ln -s "$WORK/data-a/keys" "$WORK/data-b/keys"
log "starting node B (log: $WORK/server-b.log), key directory shared with node A"
start_server "$WORK/server-b.log" "$WORK/data-b" "$API_B" "$MGMT_B" "${ARGS_B[@]}"
PID_B=$STARTED_PID
wait_ready "$PID_B" "$WORK/data-b" "$MGMT_B" "$WORK/server-b.log"

log "two nodes: warm-up ${WARMUP}s, $HALF_CONNECTIONS connections each (not measured)"
wrk_on "$API_A" "$HALF_CONNECTIONS" "$HALF_THREADS" "$WARMUP" "$WORK/wrk-a-warmup.txt" &
WA=$!
wrk_on "$API_B" "$HALF_CONNECTIONS" "$HALF_THREADS" "$WARMUP" "$WORK/wrk-b-warmup.txt" &
WB=$!
wait $WA $WB
drain
vacuum_analyze
log "two nodes: saturation ${DURATION}s, $HALF_CONNECTIONS connections and $HALF_THREADS wrk threads each, at the same time"
CPU0=$(snapshot)
wrk_on "$API_A" "$HALF_CONNECTIONS" "$HALF_THREADS" "$DURATION" "$WORK/wrk-a.txt" &
WA=$!
wrk_on "$API_B" "$HALF_CONNECTIONS" "$HALF_THREADS" "$DURATION" "$WORK/wrk-b.txt" &
WB=$!
wait $WA || die "wrk against node A failed"
wait $WB || die "wrk against node B failed"
CPU1=$(snapshot)
read -r TWO_BACKLOG TWO_BACKLOG_AGE <<<"$(delivery_backlog)"
drain
collect a "$WORK/wrk-a.txt"
collect b "$WORK/wrk-b.txt"
read -r TWO_A TWO_B TWO_PG TWO_REDIS TWO_WRK TWO_OTHER TWO_IDLE TWO_MS_A TWO_MS_B TWO_MS_PG TWO_MS_REDIS TWO_MS_WRK TWO_MS_SERVERS \
    <<<"$(report "$CPU0" "$CPU1" "${R[a.checks]}" "${R[b.checks]}")"
grep -E '^unexpected status' "$WORK/wrk-a.txt" "$WORK/wrk-b.txt" >&2 || true
SUM=$(awk -v a="${R[a.pairs_per_s]}" -v b="${R[b.pairs_per_s]}" 'BEGIN{printf "%.1f", a + b}')
SCALE=$(awk -v s="$SUM" -v o="${R[one.pairs_per_s]}" 'BEGIN{printf "%.2f", s / o}')
REDIS_KEYS=$(redis_keys | wc -l)

cat <<EOF

otpgate scale-out  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')  (machine ${BUSY_BEFORE}% busy before the run, load average $(cut -d' ' -f1-3 /proc/loadavg))
pair = POST /v1/verifications (201) + POST /v1/verifications/{id}/check with a wrong code (422)
PostgreSQL $PGHOST:$PGPORT/$DB, rate limits on with the redis store ($REDIS_URL, $REDIS_KEYS keys of this run)

(a) one node (wrk, closed loop, $CONNECTIONS connections, ${R[one.duration_s]} s)
  pairs/s            ${R[one.pairs_per_s]}   (latency p50 / p99 ${R[one.latency_p50_ms]} / ${R[one.latency_p99_ms]} ms per request)
  errors             ${R[one.unexpected_status]} unexpected statuses, ${R[one.socket_errors]} socket errors; delivery backlog $ONE_BACKLOG at the end
  CPU of $(nproc) cores     server ${ONE_A}%, postgres ${ONE_PG}%, redis ${ONE_REDIS}%, wrk ${ONE_WRK}%, other processes ${ONE_OTHER}%, idle ${ONE_IDLE}%
  CPU per pair       server ${ONE_MS_A} ms, postgres ${ONE_MS_PG} ms, redis ${ONE_MS_REDIS} ms, wrk ${ONE_MS_WRK} ms

(b) two nodes at the same time (wrk each, closed loop, $HALF_CONNECTIONS connections each, ${R[a.duration_s]} / ${R[b.duration_s]} s)
  node A pairs/s     ${R[a.pairs_per_s]}   (latency p50 / p99 ${R[a.latency_p50_ms]} / ${R[a.latency_p99_ms]} ms; ${R[a.unexpected_status]} unexpected, ${R[a.socket_errors]} socket errors)
  node B pairs/s     ${R[b.pairs_per_s]}   (latency p50 / p99 ${R[b.latency_p50_ms]} / ${R[b.latency_p99_ms]} ms; ${R[b.unexpected_status]} unexpected, ${R[b.socket_errors]} socket errors)
  sum                $SUM pairs/s; delivery backlog $TWO_BACKLOG at the end
  CPU of $(nproc) cores     node A ${TWO_A}%, node B ${TWO_B}%, postgres ${TWO_PG}%, redis ${TWO_REDIS}%, wrk ${TWO_WRK}%, other processes ${TWO_OTHER}%, idle ${TWO_IDLE}%
  CPU per pair       node A ${TWO_MS_A} ms (per A's pair), node B ${TWO_MS_B} ms (per B's pair),
                     postgres ${TWO_MS_PG} ms, redis ${TWO_MS_REDIS} ms, wrk ${TWO_MS_WRK} ms (per pair of both)
                     both servers together ${TWO_MS_SERVERS} ms per pair (one node: ${ONE_MS_A} ms)

ratio = two nodes' sum / one node = $SCALE   (2.00 would be perfect scaling; on $(nproc) cores shared by both
  nodes, PostgreSQL, Redis and wrk the sum cannot double: the nodes split the same CPUs)
EOF
