#!/usr/bin/env bash
# Two jars side by side on PostgreSQL (or the embedded H2, --h2): rounds that alternate between them (A B, B A,
# A B, ...), each a fresh database and server, a warm-up and one closed-loop saturation phase of start+check pairs (pair.lua, rate limits
# on as in run.sh); then per round and as medians: pairs/s, server and PostgreSQL CPU per pair, and B against A.
# On a shared, noisy machine alternating rounds and medians are what make a before/after figure trustworthy.
# See bench/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_SCRIPT=compare.sh
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

usage() {
    cat <<'USAGE'
Usage: bench/compare.sh --base JAR [options]
  --base JAR           the "before" jar (A), typically the previous commit's
  --jar JAR            the "after" jar (B) (default otpgate-server/target/otpgate.jar, built if older than the sources)
  --rounds N           rounds; each measures both jars, in alternating order (default 3)
  --warmup S           unmeasured closed-loop load per server before its phase (default 40)
  --duration S         the measured saturation phase (default 20)
  --connections N      wrk connections (default 32)
  --threads N          wrk threads (default 2)
  --db NAME            database to create and drop for each server (default otpgate_compare)
  --h2                 the embedded H2 database in each server's data directory instead of PostgreSQL
  --open-rate R        after the saturation phase, an open-loop phase of --duration seconds at R pairs/s
                       (OpenLoop.java, as run.sh's half saturation) for p50/p99 per request from the due time
  --wait-idle MIN      first wait up to MIN minutes for the machine to be quiet (see run.sh)
Environment: PGHOST, PGPORT, PGUSER, JAVA_HOME, BENCH_JAVA_OPTS as for run.sh; BENCH_ARGS_A / BENCH_ARGS_B add
server arguments to one side only (the same jar with a setting changed).
USAGE
}

BASE= JAR=$ROOT/otpgate-server/target/otpgate.jar BUILD=auto ROUNDS=3 WARMUP=40 DURATION=20 CONNECTIONS=32 THREADS=2
DB=otpgate_compare WAIT_IDLE=0 H2=0 OPEN_RATE=
while [[ $# -gt 0 ]]; do
    case $1 in
        --base) BASE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
        --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); BUILD=never; shift ;;
        --rounds) ROUNDS=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --duration) DURATION=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --threads) THREADS=$2; shift ;;
        --db) DB=$2; shift ;;
        --wait-idle) WAIT_IDLE=$2; shift ;;
        --h2) H2=1 ;;
        --open-rate) OPEN_RATE=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[[ -n $BASE && -f $BASE ]] || { usage >&2; die "--base JAR is required"; }
API_PORT=${BENCH_API_PORT:-18443} MGMT_PORT=${BENCH_MANAGEMENT_PORT:-19464}
require_tools wrk psql createdb dropdb curl python3
require_free_ports "$API_PORT" "$MGMT_PORT"
build_if_needed "$BUILD"
wait_idle "$WAIT_IDLE"

WORK=$(mktemp -d /tmp/otpgate-compare.XXXXXX)
SERVER_PID=
cleanup() {
    local status=$?
    [[ -n $SERVER_PID ]] && stop_pid "$SERVER_PID"
    [[ -n $DB ]] && { dropdb --if-exists "$DB" 2>/dev/null || true; }
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

measure() { # measure SIDE JAR ROUND -> one "SIDE round pairs/s server_ms pg_ms wrk_ms busy_before% open_p50 open_p99" line
            # on stdout ("- -" for the open loop without --open-rate)
    local side=$1 jar=$2 round=$3 args_var="BENCH_ARGS_$1" data=$WORK/data-$1-$3 busy database=()
    if [[ $H2 == 1 ]]; then
        DB=  # no PostgreSQL backends to count, no VACUUM
    else
        dropdb --if-exists "$DB"; createdb "$DB"
        database=(--spring.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/$DB" --spring.datasource.username="$PGUSER")
    fi
    local admin
    admin=$("$JAVA" -jar "$jar" generate-key)
    busy=$(busy_percent 2)
    # shellcheck disable=SC2086
    JAR=$jar start_server "$WORK/server-$side-$round.log" "$data" "$API_PORT" "$MGMT_PORT" \
        "${database[@]}" --otpgate.bootstrap-admin-key="$admin" "${LIMIT_ARGS[@]}" ${!args_var:-}
    SERVER_PID=$STARTED_PID
    CA=$data/tls/ca.pem
    wait_ready "$SERVER_PID" "$data" "$MGMT_PORT" "$WORK/server-$side-$round.log"
    create_app "$admin" "$WORK/curl.err"
    log "round $round, $side ($(basename "$jar")): ${WARMUP}s warm-up, then ${DURATION}s measured"
    run_wrk "$WARMUP" "$WORK/warmup.txt"
    if [[ -n $DB ]]; then drain; vacuum_analyze >/dev/null; fi
    local c0 c1
    c0=$(cpu_snapshot)
    run_wrk "$DURATION" "$WORK/wrk-$side-$round.txt"
    c1=$(cpu_snapshot)
    R=()
    collect x "$WORK/wrk-$side-$round.txt"
    [[ ${R[x.unexpected_status]:-1} == 0 ]] || log "round $round, $side: ${R[x.unexpected_status]:-?} unexpected statuses"
    read -r _ _ _ _ _ ms_server ms_pg ms_wrk <<<"$(cpu_report "$c0" "$c1" "${R[x.checks]:-1}")"
    local open="- -"
    if [[ -n $OPEN_RATE ]]; then
        if [[ -n $DB ]]; then drain; vacuum_analyze >/dev/null; fi
        "$JAVA" "$HERE/OpenLoop.java" --host localhost --port "$API_PORT" --key "$APP_KEY" --cacert "$CA" \
            --connections "$CONNECTIONS" --rate "$OPEN_RATE" --duration "$DURATION" --warmup 5 \
            >"$WORK/open-$side-$round.txt" 2>&1 || { cat "$WORK/open-$side-$round.txt" >&2; die "the open-loop client failed"; }
        collect o "$WORK/open-$side-$round.txt"
        open="${R[o.latency_p50_ms]} ${R[o.latency_p99_ms]}"
    fi
    stop_pid "$SERVER_PID"; SERVER_PID=
    rm -rf "$data"
    echo "$side $round ${R[x.pairs_per_s]} $ms_server $ms_pg $ms_wrk $busy $open"
}

: >"$WORK/results.txt"
for round in $(seq "$ROUNDS"); do
    if (( round % 2 == 1 )); then order="A B"; else order="B A"; fi
    for side in $order; do
        if [[ $side == A ]]; then measure A "$BASE" "$round"; else measure B "$JAR" "$round"; fi >>"$WORK/results.txt"
    done
done

echo
echo "compare  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  $([[ $H2 == 1 ]] && echo "embedded H2" || echo PostgreSQL)  $ROUNDS rounds, ${WARMUP}s warm-up + ${DURATION}s saturation${OPEN_RATE:+ + ${DURATION}s open loop at $OPEN_RATE pairs/s}, $CONNECTIONS connections"
echo "  A = $BASE ${BENCH_ARGS_A:-}"
echo "  B = $JAR ${BENCH_ARGS_B:-}"
python3 - "$WORK/results.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
opened = any(r[7] != "-" for r in rows)
print(f"  {'round':>5} {'side':>4} {'pairs/s':>9} {'server ms':>10} {'pg ms':>7} {'wrk ms':>7} {'busy before':>12}"
      + (f" {'open p50 ms':>12} {'open p99 ms':>12}" if opened else ""))
for side, rnd, rate, srv, pg, wrk, busy, p50, p99 in rows:
    print(f"  {rnd:>5} {side:>4} {float(rate):>9.1f} {float(srv):>10.2f} {float(pg):>7.2f} {float(wrk):>7.2f} {busy + ' %':>12}"
          + (f" {p50:>12} {p99:>12}" if opened else ""))
def med(side, col):
    return statistics.median(float(r[col]) for r in rows if r[0] == side)
print("  medians")
for side in "AB":
    print(f"  {side:>10} {med(side, 2):>9.1f} {med(side, 3):>10.2f} {med(side, 4):>7.2f} {med(side, 5):>7.2f}"
          + (f" {'':>12} {med(side, 7):>12.2f} {med(side, 8):>12.2f}" if opened else ""))
pg = f", PostgreSQL CPU per pair {med('B', 4) / med('A', 4):.2f}" if med('A', 4) > 0 else ""
print(f"  B / A: pairs/s {med('B', 2) / med('A', 2):.2f}, server CPU per pair {med('B', 3) / med('A', 3):.2f}{pg}")
for side, tag in (("A", "BENCH compare a"), ("B", "BENCH compare b")):
    print(f"{tag} pairs_per_s {med(side, 2):.1f}")
    print(f"{tag} server_ms_per_pair {med(side, 3):.2f}")
PY
