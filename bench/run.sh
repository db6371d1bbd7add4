#!/usr/bin/env bash
# Throughput and latency of start+check pairs against PostgreSQL, and how close that comes to what the
# database alone allows for the same statements (pgbench). See bench/README.md for what it prints.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=$ROOT/otpgate-server/target/otpgate.jar
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

usage() {
    cat <<'EOF'
Usage: bench/run.sh [options]
  --skip-build         never build; use otpgate-server/target/otpgate.jar as it is
  --jar PATH           measure this jar instead (implies --skip-build): the previous commit's, built in a
                       worktree, so two servers can be compared side by side in one session
  --build              always build (default: build only when the jar is missing or older than the sources)
  --duration S         seconds of each measured phase (default 30)
  --warmup S           seconds of unmeasured load before the saturation run (default 90: on 2 cores
                       the server needs 60-80 s of load before its CPU per pair stops falling)
  --connections N      wrk connections, open-loop connections and pgbench clients (default 32)
  --threads N          wrk threads and pgbench threads (default 2)
  --profile            after the measured phases, one more saturation run under a JFR recording,
                       summarised by top frames (bench/jfr_top.py)
  --keep               keep the database and the work directory (server log, wrk and pgbench output,
                       JFR file, per-second open-loop timeline) at the end
  --db NAME            database to create and drop (default otpgate_bench)
  --wait-idle MIN      on a shared machine: first wait up to MIN minutes for a 10 s stretch with the
                       machine at most 25% busy (then run anyway, and say so)
  --no-statements      skip the count of statements per start, check and delivered code (bench/statements.sh,
                       a server of its own on a database of its own with log_statement = 'all', about a minute)
Environment: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), JAVA_HOME (a JDK 21+; default temurin 25),
BENCH_JAVA_OPTS (extra JVM options for the server).
EOF
}

BUILD=auto DURATION=30 WARMUP=90 CONNECTIONS=32 THREADS=2 PROFILE=0 KEEP=0 DB=otpgate_bench WAIT_IDLE=0 STATEMENTS=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --skip-build) BUILD=never ;;
        --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); BUILD=never; shift ;;
        --build) BUILD=always ;;
        --duration) DURATION=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --threads) THREADS=$2; shift ;;
        --profile) PROFILE=1 ;;
        --keep) KEEP=1 ;;
        --db) DB=$2; shift ;;
        --wait-idle) WAIT_IDLE=$2; shift ;;
        --no-statements) STATEMENTS=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

API_PORT=${BENCH_API_PORT:-18443} MGMT_PORT=${BENCH_MANAGEMENT_PORT:-19464}

PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -1 || true)
require_tools wrk psql createdb dropdb curl python3
[[ -n $PGBENCH && -x $PGBENCH ]] || die "pgbench not found (apt-get install -y postgresql-contrib)"
psql -d postgres -Atqc 'select 1' >/dev/null || die "cannot reach PostgreSQL at $PGHOST:$PGPORT as $PGUSER"
require_free_ports "$API_PORT" "$MGMT_PORT"

# Other work on the machine distorts every figure below; say how busy it was before we started.
wait_idle "$WAIT_IDLE"
BUSY_BEFORE=$(busy_percent 3)
log "machine busy before the run: ${BUSY_BEFORE}% of $(nproc) cores (load average $(cut -d' ' -f1-3 /proc/loadavg))"

# ---- build ---------------------------------------------------------------------------------------------
build_if_needed "$BUILD"

# ---- fresh database, server, cleanup -----------------------------------------------------------------------
WORK=$(mktemp -d /tmp/otpgate-bench.XXXXXX)
SERVER_PID=
cleanup() {
    local status=$?
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $KEEP == 1 ]]; then
        echo "kept: database $DB, work directory $WORK" >&2
    else
        dropdb --if-exists "$DB" 2>/dev/null || echo "run.sh: could not drop database $DB" >&2
        rm -rf "$WORK"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "creating database $DB"
dropdb --if-exists "$DB"
createdb "$DB"

stop_server() {
    kill "$SERVER_PID"
    for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$SERVER_PID" 2>/dev/null && { kill -9 "$SERVER_PID"; sleep 1; }
    SERVER_PID=
}

# Deeper JFR stacks than the default 64 frames, so that Spring's call chains are not cut off (only used by --profile).
[[ $PROFILE == 1 ]] && BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-} -XX:FlightRecorderOptions:stackdepth=256"
ADMIN_KEY=$("$JAVA" -jar "$JAR" generate-key)
# Rate limits stay on, in the node's own store as on a single node (LIMIT_ARGS, lib.sh).
log "starting the server (log: $WORK/server.log)"
start_server "$WORK/server.log" "$WORK/data" "$API_PORT" "$MGMT_PORT" \
    --spring.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/$DB" \
    --spring.datasource.username="$PGUSER" \
    --otpgate.bootstrap-admin-key="$ADMIN_KEY" \
    "${LIMIT_ARGS[@]}"
SERVER_PID=$STARTED_PID
CA=$WORK/data/tls/ca.pem
wait_ready "$SERVER_PID" "$WORK/data" "$MGMT_PORT" "$WORK/server.log"

create_app "$ADMIN_KEY" "$WORK/curl.err"
log "app $APP_ID ready"

# ---- measurements --------------------------------------------------------------------------------------------
log "warm-up: ${WARMUP}s closed loop, $CONNECTIONS connections (not measured)"
run_wrk "$WARMUP" "$WORK/wrk-warmup.txt"
drain
vacuum_analyze

log "saturation: ${DURATION}s closed loop, $CONNECTIONS connections, $THREADS wrk threads"
CPU0=$(cpu_snapshot)
run_wrk "$DURATION" "$WORK/wrk.txt"
CPU1=$(cpu_snapshot)
read -r BACKLOG BACKLOG_AGE <<<"$(delivery_backlog)"
DRAIN0=$SECONDS
drain
DRAIN_S=$((SECONDS - DRAIN0))
collect sat "$WORK/wrk.txt"
read -r CPU_SERVER CPU_PG CPU_CLIENT CPU_OTHER CPU_IDLE MS_SERVER MS_PG MS_CLIENT \
    <<<"$(cpu_report "$CPU0" "$CPU1" "${R[sat.checks]:-1}")"
grep -E '^unexpected status' "$WORK/wrk.txt" >&2 || true
[[ -n ${R[sat.pairs_per_s]:-} ]] || { cat "$WORK/wrk.txt" >&2; die "no result from wrk"; }

# The same pairs with an OAuth 2.0 access token instead of the API key (checked from memory, no key look-up),
# then token issuance itself: client_credentials requests with client_secret_basic, each signing an RS256 JWT.
CLIENT=$(api POST "/v1/apps/$APP_ID/oauth-clients" "$ADMIN_KEY" \
    '{"name":"bench","scopes":["verifications:start","verifications:check"],"token_ttl_seconds":3600}')
CLIENT_BASIC=$(printf '%s:%s' "$(json client_id <<<"$CLIENT")" "$(json client_secret <<<"$CLIENT")" | base64 -w0)
ACCESS_TOKEN=$(curl -sS --fail-with-body --cacert "$CA" -H "Authorization: Basic $CLIENT_BASIC" \
    -d grant_type=client_credentials "https://localhost:$API_PORT/oauth2/token" | json access_token)
run_wrk 10 "$WORK/wrk-jwt-warmup.txt" "$ACCESS_TOKEN"
drain
vacuum_analyze
log "saturation with an access token: ${DURATION}s closed loop, $CONNECTIONS connections (after 10 s unmeasured)"
CPU0=$(cpu_snapshot)
run_wrk "$DURATION" "$WORK/wrk-jwt.txt" "$ACCESS_TOKEN"
CPU1=$(cpu_snapshot)
drain
collect jwt "$WORK/wrk-jwt.txt"
read -r JWT_SERVER JWT_PG JWT_CLIENT JWT_OTHER JWT_IDLE JWT_MS_SERVER JWT_MS_PG JWT_MS_CLIENT \
    <<<"$(cpu_report "$CPU0" "$CPU1" "${R[jwt.checks]:-1}")"
grep -E '^unexpected status' "$WORK/wrk-jwt.txt" >&2 || true

log "token issuance: ${DURATION}s closed loop, $CONNECTIONS connections"
CPU0=$(cpu_snapshot)
run_repeat "$DURATION" "$WORK/wrk-token.txt" POST /oauth2/token "Basic $CLIENT_BASIC" grant_type=client_credentials
CPU1=$(cpu_snapshot)
collect token "$WORK/wrk-token.txt"
read -r TOKEN_SERVER _ TOKEN_CLIENT TOKEN_OTHER TOKEN_IDLE TOKEN_MS_SERVER _ TOKEN_MS_CLIENT \
    <<<"$(cpu_report "$CPU0" "$CPU1" "${R[token.answered]:-1}")"

# The web stack's empty endpoint: GET /v1/caller with the same API key, answered from the credential cache with no
# statement. Two of them per pair are what TLS, Tomcat, Spring and the observations cost without the work, the
# ceiling the server's pair rate can approach. A jar older than the endpoint answers 403; then the phase is skipped.
EMPTY=0
if [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $APP_KEY" \
        "https://localhost:$API_PORT/v1/caller") == 200 ]]; then
    EMPTY=1
    run_repeat 10 "$WORK/wrk-empty-warmup.txt" GET /v1/caller "Bearer $APP_KEY"
    log "empty endpoint: ${DURATION}s closed loop of GET /v1/caller, $CONNECTIONS connections (after 10 s unmeasured)"
    CPU0=$(cpu_snapshot)
    run_repeat "$DURATION" "$WORK/wrk-empty.txt" GET /v1/caller "Bearer $APP_KEY"
    CPU1=$(cpu_snapshot)
    collect empty "$WORK/wrk-empty.txt"
    read -r EMPTY_SERVER EMPTY_PG EMPTY_CLIENT EMPTY_OTHER EMPTY_IDLE EMPTY_MS_SERVER _ EMPTY_MS_CLIENT \
        <<<"$(cpu_report "$CPU0" "$CPU1" "${R[empty.answered]:-1}")"
    EMPTY_PAIRS=$(awk -v r="${R[empty.answered_per_s]}" 'BEGIN{printf "%.1f", r/2}')
else
    log "empty endpoint: this jar has no GET /v1/caller; phase skipped"
fi

HALF=$(awk -v p="${R[sat.pairs_per_s]}" 'BEGIN{printf "%.1f", p/2}')
vacuum_analyze
log "half saturation: ${DURATION}s open loop at $HALF pairs/s (after 5 s unmeasured at the same rate)"
CPU0=$(cpu_snapshot)
"$JAVA" "$HERE/OpenLoop.java" --host localhost --port "$API_PORT" --key "$APP_KEY" --cacert "$CA" \
    --connections "$CONNECTIONS" --rate "$HALF" --duration "$DURATION" --warmup 5 --timeline "$WORK/openloop-timeline.txt" >"$WORK/openloop.txt" 2>&1 \
    || { cat "$WORK/openloop.txt" >&2; die "the open-loop client failed"; }
CPU1=$(cpu_snapshot)
collect half "$WORK/openloop.txt"
read -r HALF_BACKLOG HALF_BACKLOG_AGE <<<"$(delivery_backlog)"
drain
read -r HALF_SERVER HALF_PG HALF_CLIENT HALF_OTHER HALF_IDLE _ <<<"$(cpu_report "$CPU0" "$CPU1" 1)"
grep -v '^BENCH' "$WORK/openloop.txt" >&2 || true

if [[ $PROFILE == 1 ]]; then
    vacuum_analyze
    log "profile: ${DURATION}s closed loop under JFR (not part of the figures)"
    # The profile settings plus JDK 25's CPU-time sampler (samples by CPU consumed, every 2 ms of it per thread).
    JFC=$WORK/bench.jfc
    "$JAVA_HOME/bin/jfr" configure --input profile jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=2ms \
        --output "$JFC" >/dev/null 2>&1 || JFC=profile
    "$JAVA_HOME/bin/jcmd" "$SERVER_PID" JFR.start name=bench settings="$JFC" filename="$WORK/saturation.jfr" >/dev/null
    run_wrk "$DURATION" "$WORK/wrk-profile.txt"
    "$JAVA_HOME/bin/jcmd" "$SERVER_PID" JFR.stop name=bench >/dev/null
    collect prof "$WORK/wrk-profile.txt"
    drain
fi

log "stopping the server"
stop_server

# How the server's work looked from the database: statement effects per pair, from pg_stat_user_tables
# (flushed when the server's connections closed). Also how often the delivery worker polled for due jobs.
table_stats() {
    psql -d "$DB" -AtF' ' -c "select relname, seq_scan, coalesce(idx_scan, 0), n_tup_ins, n_tup_upd, n_tup_del
        from pg_stat_user_tables where relname in ('api_keys','apps','verifications','scheduled_tasks','dev_messages','delivery_steps')
        order by relname"
}
# The worker's polls for due jobs, per 1000 pairs: every scan of scheduled_tasks (sequential or by index) that is
# not one of the fixed per-job look-ups, which are 2 per finished job (the hand-off's claim and the record's
# delete; the job's insert scans nothing). A job a poller ran instead has 3 (pick, re-read, delete), so under a
# load that fills the hand-off's queue this counts one poll too many per such job.
poll_permille() {
    psql -d "$DB" -Atc "select greatest(0, least(3000, round(1000.0 * (seq_scan + coalesce(idx_scan, 0)
        - 2 * n_tup_del) / greatest(n_tup_ins, 1))))::int from pg_stat_user_tables where relname = 'scheduled_tasks'"
}
sleep 1
SERVER_PAIRS=$(psql -d "$DB" -Atc "select count(*) from verifications")
table_stats >"$WORK/stats-server.txt"
FETCH_PERMILLE=$(poll_permille)

# ---- pgbench floor -------------------------------------------------------------------------------------------
KEY_HASH=$(psql -d "$DB" -Atc "select '\\x' || encode(secret_hash, 'hex') from api_keys where app_id = '$APP_ID'")
TASK_DATA='\x'$(python3 -c 'import os; print(os.urandom(400).hex())')  # db-scheduler's task_data is ~400 bytes here
PGB_ARGS=(-n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$HERE/pair.sql"
    -D "app_id=$APP_ID" -D "key_hash=$KEY_HASH" -D "task_data=$TASK_DATA" -D "fetch_permille=$FETCH_PERMILLE" "$DB")
vacuum_analyze
log "pgbench: ${DURATION}s, $CONNECTIONS clients, -M prepared, worker polls $FETCH_PERMILLE times per 1000 pairs"
table_stats >"$WORK/stats-before-pgbench.txt"
# pgbench's own progress report (-P) gives the pairs inside a CPU window that leaves out connecting and the end.
"$PGBENCH" -P 1 "${PGB_ARGS[@]}" >"$WORK/pgbench.txt" 2>"$WORK/pgbench-progress.txt" &
PGB_PID=$!
sleep 2.5
CPU0=$(cpu_snapshot $PGB_PID)
T0=$(date +%s.%N)
sleep $(( DURATION > 7 ? DURATION - 5 : 2 ))
CPU1=$(cpu_snapshot $PGB_PID)
T1=$(date +%s.%N)
wait $PGB_PID || { cat "$WORK/pgbench.txt" "$WORK/pgbench-progress.txt" >&2; die "pgbench failed"; }
sleep 1
table_stats >"$WORK/stats-pgbench.txt"
PGB_TPS=$(sed -nE 's/^tps = ([0-9.]+) .*without initial connection time.*/\1/p' "$WORK/pgbench.txt")
PGB_TX=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$WORK/pgbench.txt")
PGB_LAT=$(sed -nE 's/^latency average = ([0-9.]+) ms/\1/p' "$WORK/pgbench.txt")
PGB_FAILED=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$WORK/pgbench.txt")
[[ -n $PGB_TPS ]] || { cat "$WORK/pgbench.txt" >&2; die "could not read pgbench's tps"; }
# Pairs in the CPU window, estimated from the overall rate (the progress lines confirm it is steady).
PGB_WINDOW_PAIRS=$(awk -v t0="$T0" -v t1="$T1" -v tps="$PGB_TPS" 'BEGIN{printf "%d", (t1 - t0) * tps}')
read -r PGB_SERVER PGB_PG PGB_CLIENT PGB_OTHER PGB_IDLE _ PGB_MS_PG PGB_MS_CLIENT \
    <<<"$(cpu_report "$CPU0" "$CPU1" "$PGB_WINDOW_PAIRS")"

# ---- JDBC floor: pair.sql's statements, bound as the server binds them, through the server's own driver -------
# pgbench speaks libpq's protocol with the values written into the SQL; the server speaks pgjdbc's with bound
# parameters. Both floors side by side show what the driver and its protocol cost PostgreSQL per pair.
PG_JAR_NAME=$(unzip -Z1 "$JAR" | grep -E '^BOOT-INF/lib/postgresql-[0-9.]+\.jar$' | head -1)
[[ -n $PG_JAR_NAME ]] || die "no PostgreSQL driver in $JAR"
unzip -q -o -j "$JAR" "$PG_JAR_NAME" -d "$WORK"
vacuum_analyze
log "JDBC floor: ${DURATION}s after 15 s unmeasured, $CONNECTIONS threads, pgjdbc, worker polls $FETCH_PERMILLE times per 1000 pairs"
"$JAVA" -cp "$WORK/$(basename "$PG_JAR_NAME")" "$HERE/JdbcFloor.java" --url "jdbc:postgresql://$PGHOST:$PGPORT/$DB" \
    --user "$PGUSER" --password '' --app-id "$APP_ID" --threads "$CONNECTIONS" --warmup 15 --duration "$DURATION" \
    --fetch-permille "$FETCH_PERMILLE" --statements "$HERE/pair-jdbc.sql" >"$WORK/jdbcfloor.txt" 2>"$WORK/jdbcfloor.err" &
floor_window $! "$WORK/jdbcfloor.txt" "$WORK/jdbcfloor.err"
collect jdbc "$WORK/jdbcfloor.txt"
read -r _ JDBC_PG JDBC_CLIENT JDBC_OTHER JDBC_IDLE _ JDBC_MS_PG JDBC_MS_CLIENT \
    <<<"$(cpu_report "$FLOOR_CPU0" "$FLOOR_CPU1" "${R[jdbc.pairs]}")"

# ---- report --------------------------------------------------------------------------------------------------
RATIO=$(awk -v s="${R[sat.pairs_per_s]}" -v p="$PGB_TPS" 'BEGIN{printf "%.2f", s/p}')
# The same comparison in CPU per pair of everything the machine ran for it, which other processes on a shared
# machine disturb less than they disturb the rates.
CPU_RATIO=$(awk -v a="$PGB_MS_PG" -v b="$PGB_MS_CLIENT" -v s="$MS_SERVER" -v p="$MS_PG" -v w="$MS_CLIENT" \
    'BEGIN{printf "%.2f", (a+b)/(s+p+w)}')
JDBC_RATIO=$(awk -v s="${R[sat.pairs_per_s]}" -v p="${R[jdbc.pairs_per_s]}" 'BEGIN{printf "%.2f", s/p}')
JDBC_PGB=$(awk -v j="${R[jdbc.pairs_per_s]}" -v p="$PGB_TPS" 'BEGIN{printf "%.2f", j/p}')
cat <<EOF

otpgate bench  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')  (machine ${BUSY_BEFORE}% busy before the run)
pair = POST /v1/verifications (201) + POST /v1/verifications/{id}/check with a wrong code (422)

saturation (wrk, closed loop, $CONNECTIONS connections, ${R[sat.duration_s]} s)
  pairs/s            ${R[sat.pairs_per_s]}   (${R[sat.requests_per_s]} requests/s)
  latency p50 / p99  ${R[sat.latency_p50_ms]} / ${R[sat.latency_p99_ms]} ms per request   (p99.9 ${R[sat.latency_p99.9_ms]}, max ${R[sat.latency_max_ms]})
  errors             ${R[sat.unexpected_status]} unexpected statuses, ${R[sat.socket_errors]} socket errors
  delivery backlog   $BACKLOG jobs still queued at the end (oldest ${BACKLOG_AGE} s), drained in ${DRAIN_S} s;
                     the worker delivered $(awk -v s="${R[sat.starts]}" -v b="$BACKLOG" -v d="${R[sat.duration_s]}" 'BEGIN{printf "%.1f", (s-b)/d}') codes/s
  CPU of $(nproc) cores     server ${CPU_SERVER}%, postgres ${CPU_PG}%, wrk ${CPU_CLIENT}%, other processes ${CPU_OTHER}%, idle ${CPU_IDLE}%
  CPU per pair       server ${MS_SERVER} ms, postgres ${MS_PG} ms, wrk ${MS_CLIENT} ms

the same pairs with an OAuth 2.0 access token instead of the API key (wrk, closed loop, ${R[jwt.duration_s]} s)
  pairs/s            ${R[jwt.pairs_per_s]}   (API key, above: ${R[sat.pairs_per_s]})
  latency p50 / p99  ${R[jwt.latency_p50_ms]} / ${R[jwt.latency_p99_ms]} ms per request
  errors             ${R[jwt.unexpected_status]} unexpected statuses, ${R[jwt.socket_errors]} socket errors
  CPU per pair       server ${JWT_MS_SERVER} ms, postgres ${JWT_MS_PG} ms, wrk ${JWT_MS_CLIENT} ms   (API key: ${MS_SERVER} / ${MS_PG} / ${MS_CLIENT})

token issuance (POST /oauth2/token, client_credentials, client_secret_basic, RS256; wrk, ${R[token.duration_s]} s)
  tokens/s           ${R[token.answered_per_s]}
  latency p50 / p99  ${R[token.latency_p50_ms]} / ${R[token.latency_p99_ms]} ms
  errors             ${R[token.unexpected_status]} unexpected statuses, ${R[token.socket_errors]} socket errors
  CPU per token      server ${TOKEN_MS_SERVER} ms, wrk ${TOKEN_MS_CLIENT} ms   (CPU of $(nproc) cores: server ${TOKEN_SERVER}%, wrk ${TOKEN_CLIENT}%, idle ${TOKEN_IDLE}%)

$(if [[ $EMPTY == 1 ]]; then cat <<EMPTY_EOF
empty endpoint (GET /v1/caller with the API key: the same TLS, Tomcat, security, MVC and Jackson, no work; wrk, ${R[empty.duration_s]} s)
  requests/s         ${R[empty.answered_per_s]}   ($EMPTY_PAIRS "pairs" of two)
  latency p50 / p99  ${R[empty.latency_p50_ms]} / ${R[empty.latency_p99_ms]} ms
  errors             ${R[empty.unexpected_status]} unexpected statuses, ${R[empty.socket_errors]} socket errors
  CPU per request    server ${EMPTY_MS_SERVER} ms, wrk ${EMPTY_MS_CLIENT} ms   (CPU of $(nproc) cores: server ${EMPTY_SERVER}%, postgres ${EMPTY_PG}%, wrk ${EMPTY_CLIENT}%, idle ${EMPTY_IDLE}%)

EMPTY_EOF
else echo "empty endpoint: not offered by this jar (no GET /v1/caller)"; fi)

half saturation (OpenLoop.java, open loop, ${R[half.target_pairs_per_s]} pairs/s, ${R[half.connections]} connections, ${DURATION} s)
  latency p50 / p99  ${R[half.latency_p50_ms]} / ${R[half.latency_p99_ms]} ms per request   (p99.9 ${R[half.latency_p99.9_ms]}, max ${R[half.latency_max_ms]})
    start            ${R[half.start_latency_p50_ms]} / ${R[half.start_latency_p99_ms]} ms (from its scheduled send time)
    check            ${R[half.check_latency_p50_ms]} / ${R[half.check_latency_p99_ms]} ms
    whole pair       ${R[half.pair_latency_p50_ms]} / ${R[half.pair_latency_p99_ms]} ms
  completed          ${R[half.completed_pairs]} of ${R[half.measured_pairs]} pairs, ${R[half.unexpected_status]} unexpected statuses, ${R[half.failed_requests]} failed, ${R[half.unfinished_pairs]} unfinished
                     ${R[half.reconnects]} reconnects (Connection: close from the server); client lag max ${R[half.max_send_lag_ms]} ms
  delivery backlog   $HALF_BACKLOG jobs queued at the end (oldest ${HALF_BACKLOG_AGE} s)
  CPU of $(nproc) cores     server ${HALF_SERVER}%, postgres ${HALF_PG}%, client ${HALF_CLIENT}%, other processes ${HALF_OTHER}%, idle ${HALF_IDLE}%
                     (over the client's whole life: its start-up and 5 s lead-in too)

pgbench floor (same statements per pair, $CONNECTIONS clients, -M prepared, server stopped)
  pairs/s            $(printf '%.1f' "$PGB_TPS")   (latency average $PGB_LAT ms, $PGB_TX pairs, ${PGB_FAILED:-0} failed)
  CPU of $(nproc) cores     postgres ${PGB_PG}%, pgbench ${PGB_CLIENT}%, other processes ${PGB_OTHER}%, idle ${PGB_IDLE}%
  CPU per pair       postgres ${PGB_MS_PG} ms, pgbench ${PGB_MS_CLIENT} ms

JDBC floor (pair-jdbc.sql: the same statements with bound parameters, through pgjdbc; JdbcFloor.java, $CONNECTIONS threads, server stopped)
  pairs/s            ${R[jdbc.pairs_per_s]}   (latency average ${R[jdbc.latency_avg_ms]} ms, ${R[jdbc.pairs]} pairs, ${R[jdbc.failed]} failed)
  CPU of $(nproc) cores     postgres ${JDBC_PG}%, JdbcFloor ${JDBC_CLIENT}%, other processes ${JDBC_OTHER}%, idle ${JDBC_IDLE}%
  CPU per pair       postgres ${JDBC_MS_PG} ms, JdbcFloor ${JDBC_MS_CLIENT} ms   (pgbench: ${PGB_MS_PG} / ${PGB_MS_CLIENT} ms)

ratio = server pairs/s / pgbench pairs/s = $RATIO
  by CPU per pair: (postgres + pgbench) / (server + postgres + wrk) = $CPU_RATIO
  against the JDBC floor: server pairs/s / JDBC floor pairs/s = $JDBC_RATIO; JDBC floor / pgbench floor = $JDBC_PGB
$(if [[ $EMPTY == 1 ]]; then
    awk -v s="${R[sat.pairs_per_s]}" -v e="$EMPTY_PAIRS" -v p="$PGB_TPS" -v ms="$MS_SERVER" -v ems="$EMPTY_MS_SERVER" 'BEGIN{
        printf "empty endpoint: server pairs/s / empty-endpoint pairs/s = %.2f; empty-endpoint pairs/s / pgbench pairs/s = %.2f\n", s/e, e/p
        printf "  server CPU per pair %.2f ms, of which two empty requests %.2f ms (%.0f %%)\n", ms, 2*ems, 100*2*ems/ms }'
fi)
EOF
if [[ $PROFILE == 1 ]]; then
    echo
    echo "profiled run (JFR on): ${R[prof.pairs_per_s]} pairs/s"
    python3 "$HERE/jfr_top.py" "$JAVA_HOME/bin/jfr" "$WORK/saturation.jfr" || true
fi

echo
echo "statement effects per pair, from pg_stat_user_tables: server run ($SERVER_PAIRS pairs) | pgbench ($PGB_TX pairs)"
python3 - "$WORK/stats-server.txt" "$WORK/stats-before-pgbench.txt" "$WORK/stats-pgbench.txt" "$SERVER_PAIRS" "$PGB_TX" <<'PY'
import sys
def load(path):
    return {f[0]: [int(x) for x in f[1:]] for f in (l.split() for l in open(path)) if f}
server, before, after = (load(p) for p in sys.argv[1:4])
n_server, n_pgb = int(sys.argv[4]), int(sys.argv[5])
cols = ["seq_scan", "idx_scan", "ins", "upd", "del"]
print(f"  {'table':<16}" + "".join(f"{c:>10}" for c in cols) + "  |" + "".join(f"{c:>10}" for c in cols))
for table in sorted(server):
    s = [v / n_server for v in server[table]]
    p = [(a - b) / n_pgb for a, b in zip(after[table], before[table])]
    print(f"  {table:<16}" + "".join(f"{v:>10.2f}" for v in s) + "  |" + "".join(f"{v:>10.2f}" for v in p))
PY
echo "  (the server's column covers every phase and the setup; seq_scan against idx_scan is the planner's choice"
echo "   and differs with table statistics; the worker polled for due jobs $FETCH_PERMILLE times per 1000 pairs,"
echo "   and pgbench does the same)"
if [[ $STATEMENTS == 1 ]]; then
    echo
    "$HERE/statements.sh" --jar "$JAR" --db "${DB}_statements" 2>"$WORK/statements.err" \
        || { echo "statements per operation: not counted ($(tail -1 "$WORK/statements.err"))"; }
fi
