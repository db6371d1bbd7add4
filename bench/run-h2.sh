#!/usr/bin/env bash
# Start+check pairs against the server on its embedded H2 database (the default datasource), and how close that
# comes to what H2 alone allows for the same statements (bench/JdbcFloor.java with bench/pair-h2.sql, which mirrors
# pair.sql). The H2 counterpart of run.sh; see bench/README.md, "The H2 floor".
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=$ROOT/otpgate-server/target/otpgate.jar
BENCH_SCRIPT=run-h2.sh
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

usage() {
    cat <<'EOF'
Usage: bench/run-h2.sh [options]
  --skip-build / --build / --jar PATH   as in run.sh
  --duration S         seconds of each measured phase (default 30)
  --warmup S           seconds of unmeasured load before the saturation run (default 90)
  --floor-warmup S     seconds JdbcFloor runs before it measures (default 15: the JIT compiles H2 meanwhile)
  --connections N      wrk connections, open-loop connections and JdbcFloor threads (default 32)
  --threads N          wrk threads (default 2)
  --fetch-permille N   the delivery worker's polls for due jobs per 1000 pairs in the floor (default 1000; H2
                       keeps no statement counts, so the server's own figure is not measured here)
  --keep               keep the work directory (the H2 database, server log, wrk and JdbcFloor output)
  --wait-idle MIN      as in run.sh
Environment: JAVA_HOME (a JDK 21+; default temurin 25), BENCH_JAVA_OPTS, BENCH_API_PORT (18443),
BENCH_MANAGEMENT_PORT (19464).
EOF
}

BUILD=auto DURATION=30 WARMUP=90 FLOOR_WARMUP=15 CONNECTIONS=32 THREADS=2 KEEP=0 WAIT_IDLE=0 FETCH_PERMILLE=1000
while [[ $# -gt 0 ]]; do
    case $1 in
        --skip-build) BUILD=never ;;
        --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); BUILD=never; shift ;;
        --build) BUILD=always ;;
        --duration) DURATION=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --floor-warmup) FLOOR_WARMUP=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --threads) THREADS=$2; shift ;;
        --fetch-permille) FETCH_PERMILLE=$2; shift ;;
        --keep) KEEP=1 ;;
        --wait-idle) WAIT_IDLE=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
API_PORT=${BENCH_API_PORT:-18443} MGMT_PORT=${BENCH_MANAGEMENT_PORT:-19464}
DB=  # no PostgreSQL here: cpu_snapshot's postgres column stays 0

require_tools wrk curl python3 unzip
require_free_ports "$API_PORT" "$MGMT_PORT"
wait_idle "$WAIT_IDLE"
BUSY_BEFORE=$(busy_percent 3)
log "machine busy before the run: ${BUSY_BEFORE}% of $(nproc) cores (load average $(cut -d' ' -f1-3 /proc/loadavg))"
build_if_needed "$BUILD"

WORK=$(mktemp -d /tmp/otpgate-bench-h2.XXXXXX)
DATA=$WORK/data
SERVER_PID=
cleanup() {
    local status=$?
    [[ -n $SERVER_PID ]] && stop_pid "$SERVER_PID"
    if [[ $KEEP == 1 ]]; then echo "kept: work directory $WORK" >&2; else rm -rf "$WORK"; fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The server's own H2 URL and driver, from the jar: the floor opens the same file with the same settings. One
# change: TRACE_LEVEL_FILE=4 (H2's trace to SLF4J, whose logger the server keeps off) becomes 0 (no trace),
# since JdbcFloor has no SLF4J on its class path.
H2_JAR_NAME=$(unzip -Z1 "$JAR" | grep -E '^BOOT-INF/lib/h2-[0-9.]+\.jar$' | head -1)
[[ -n $H2_JAR_NAME ]] || die "no H2 driver in $JAR"
unzip -q -j "$JAR" "$H2_JAR_NAME" -d "$WORK"
H2_JAR=$WORK/$(basename "$H2_JAR_NAME")
H2_URL=$(unzip -p "$JAR" BOOT-INF/classes/application.yml | sed -nE 's/^ *url: (jdbc:h2:.*)$/\1/p' | head -1)
[[ $H2_URL == *'${otpgate.data-dir}'* ]] || die "no H2 URL under \${otpgate.data-dir} in the jar's application.yml"
H2_URL=${H2_URL//'${otpgate.data-dir}'/$DATA}
H2_URL=${H2_URL//TRACE_LEVEL_FILE=4/TRACE_LEVEL_FILE=0}

ADMIN_KEY=$("$JAVA" -jar "$JAR" generate-key)
log "starting the server on its embedded H2 (log: $WORK/server.log)"
start_server "$WORK/server.log" "$DATA" "$API_PORT" "$MGMT_PORT" \
    --otpgate.bootstrap-admin-key="$ADMIN_KEY" \
    "${LIMIT_ARGS[@]}"
SERVER_PID=$STARTED_PID
CA=$DATA/tls/ca.pem
wait_ready "$SERVER_PID" "$DATA" "$MGMT_PORT" "$WORK/server.log"
create_app "$ADMIN_KEY" "$WORK/curl.err"
log "app $APP_ID ready"

log "warm-up: ${WARMUP}s closed loop, $CONNECTIONS connections (not measured)"
run_wrk "$WARMUP" "$WORK/wrk-warmup.txt"
sleep 5

log "saturation: ${DURATION}s closed loop, $CONNECTIONS connections, $THREADS wrk threads"
CPU0=$(cpu_snapshot)
run_wrk "$DURATION" "$WORK/wrk.txt"
CPU1=$(cpu_snapshot)
collect sat "$WORK/wrk.txt"
[[ -n ${R[sat.pairs_per_s]:-} ]] || { cat "$WORK/wrk.txt" >&2; die "no result from wrk"; }
read -r CPU_SERVER _ CPU_CLIENT CPU_OTHER CPU_IDLE MS_SERVER _ MS_CLIENT \
    <<<"$(cpu_report "$CPU0" "$CPU1" "${R[sat.checks]:-1}")"
grep -E '^unexpected status' "$WORK/wrk.txt" >&2 || true
sleep 5

HALF=$(awk -v p="${R[sat.pairs_per_s]}" 'BEGIN{printf "%.1f", p/2}')
log "half saturation: ${DURATION}s open loop at $HALF pairs/s (after 5 s unmeasured at the same rate)"
CPU0=$(cpu_snapshot)
"$JAVA" "$HERE/OpenLoop.java" --host localhost --port "$API_PORT" --key "$APP_KEY" --cacert "$CA" \
    --connections "$CONNECTIONS" --rate "$HALF" --duration "$DURATION" --warmup 5 --timeline "$WORK/openloop-timeline.txt" >"$WORK/openloop.txt" 2>&1 \
    || { cat "$WORK/openloop.txt" >&2; die "the open-loop client failed"; }
CPU1=$(cpu_snapshot)
collect half "$WORK/openloop.txt"
read -r HALF_SERVER _ HALF_CLIENT HALF_OTHER HALF_IDLE _ <<<"$(cpu_report "$CPU0" "$CPU1" 1)"
grep -v '^BENCH' "$WORK/openloop.txt" >&2 || true
sleep 5

log "stopping the server"
stop_pid "$SERVER_PID"
SERVER_PID=
# Jobs the worker had not finished when the server stopped, and the verifications the server made.
h2_query() { "$JAVA" -cp "$H2_JAR" org.h2.tools.Shell -url "$H2_URL" -user sa -password '' -sql "$1" | sed -n 2p | tr -d ' '; }
LEFT_JOBS=$(h2_query "select count(*) from scheduled_tasks where task_name = 'deliver-code'")
SERVER_PAIRS=$(h2_query "select count(*) from verifications")

log "H2 floor: ${DURATION}s after ${FLOOR_WARMUP}s unmeasured, $CONNECTIONS threads, worker polls $FETCH_PERMILLE times per 1000 pairs"
"$JAVA" -cp "$H2_JAR" "$HERE/JdbcFloor.java" --url "$H2_URL" --app-id "$APP_ID" --threads "$CONNECTIONS" \
    --warmup "$FLOOR_WARMUP" --duration "$DURATION" --fetch-permille "$FETCH_PERMILLE" \
    --statements "$HERE/pair-h2.sql" >"$WORK/h2floor.txt" 2>"$WORK/h2floor.err" &
floor_window $! "$WORK/h2floor.txt" "$WORK/h2floor.err"
collect floor "$WORK/h2floor.txt"
read -r _ _ FLOOR_CLIENT FLOOR_OTHER FLOOR_IDLE _ <<<"$(cpu_report "$FLOOR_CPU0" "$FLOOR_CPU1" 1)"

RATIO=$(awk -v s="${R[sat.pairs_per_s]}" -v p="${R[floor.pairs_per_s]}" 'BEGIN{printf "%.2f", s/p}')
CPU_RATIO=$(awk -v f="${R[floor.cpu_ms_per_pair]}" -v s="$MS_SERVER" -v w="$MS_CLIENT" 'BEGIN{printf "%.2f", f/(s+w)}')
cat <<EOF

otpgate bench on H2  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')  (machine ${BUSY_BEFORE}% busy before the run, load average $(cut -d' ' -f1-3 /proc/loadavg))
pair = POST /v1/verifications (201) + POST /v1/verifications/{id}/check with a wrong code (422); embedded H2

saturation (wrk, closed loop, $CONNECTIONS connections, ${R[sat.duration_s]} s)
  pairs/s            ${R[sat.pairs_per_s]}   (${R[sat.requests_per_s]} requests/s)
  latency p50 / p99  ${R[sat.latency_p50_ms]} / ${R[sat.latency_p99_ms]} ms per request   (p99.9 ${R[sat.latency_p99.9_ms]}, max ${R[sat.latency_max_ms]})
  errors             ${R[sat.unexpected_status]} unexpected statuses, ${R[sat.socket_errors]} socket errors
  CPU of $(nproc) cores     server ${CPU_SERVER}%, wrk ${CPU_CLIENT}%, other processes ${CPU_OTHER}%, idle ${CPU_IDLE}%
  CPU per pair       server ${MS_SERVER} ms (H2 inside it), wrk ${MS_CLIENT} ms

half saturation (OpenLoop.java, open loop, ${R[half.target_pairs_per_s]} pairs/s, ${R[half.connections]} connections, ${DURATION} s)
  latency p50 / p99  ${R[half.latency_p50_ms]} / ${R[half.latency_p99_ms]} ms per request   (p99.9 ${R[half.latency_p99.9_ms]}, max ${R[half.latency_max_ms]})
    start            ${R[half.start_latency_p50_ms]} / ${R[half.start_latency_p99_ms]} ms (from its scheduled send time)
    check            ${R[half.check_latency_p50_ms]} / ${R[half.check_latency_p99_ms]} ms
    whole pair       ${R[half.pair_latency_p50_ms]} / ${R[half.pair_latency_p99_ms]} ms
  completed          ${R[half.completed_pairs]} of ${R[half.measured_pairs]} pairs, ${R[half.unexpected_status]} unexpected statuses, ${R[half.failed_requests]} failed, ${R[half.unfinished_pairs]} unfinished
  CPU of $(nproc) cores     server ${HALF_SERVER}%, client ${HALF_CLIENT}%, other processes ${HALF_OTHER}%, idle ${HALF_IDLE}%

delivery            $LEFT_JOBS delivery jobs still queued when the server stopped ($SERVER_PAIRS verifications made)

H2 floor (JdbcFloor.java, pair-h2.sql, $CONNECTIONS threads, prepared statements, same database file, server stopped)
  pairs/s            ${R[floor.pairs_per_s]}   (latency average ${R[floor.latency_avg_ms]} ms, ${R[floor.pairs]} pairs, ${R[floor.failed]} failed)
  CPU of $(nproc) cores     JdbcFloor ${FLOOR_CLIENT}%, other processes ${FLOOR_OTHER}%, idle ${FLOOR_IDLE}%
  CPU per pair       JdbcFloor ${R[floor.cpu_ms_per_pair]} ms (H2 and the JDBC calls, one process)

ratio = server pairs/s / H2 floor pairs/s = $RATIO   (goal: at least 0.8)
  by CPU per pair: JdbcFloor / (server + wrk) = $CPU_RATIO
EOF
