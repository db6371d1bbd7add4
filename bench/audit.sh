#!/usr/bin/env bash
# Start+check pairs per second with the audit trail's sinks off and on, side by side in one run, and the audit
# writes the pairs caused (none: the start and check paths write no audit row). See bench/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=$ROOT/otpgate-server/target/otpgate.jar
DURATION=${DURATION:-30} WARMUP=${WARMUP:-40} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-2}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
API_PORT=18543 MGMT_PORT=19564 DB=otpgate_bench_audit
if [[ -z ${JAVA_HOME:-} ]] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=$JAVA_HOME/bin/java
for tool in wrk psql createdb dropdb curl python3; do
    command -v "$tool" >/dev/null || { echo "audit.sh: $tool not found (apt-get install -y wrk postgresql-client)" >&2; exit 1; }
done
[[ -f $JAR ]] || (cd "$ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -q -B -o package -DskipTests)
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    dropdb --if-exists "$DB" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

sql() { # sql QUERY: retried, since a shared PostgreSQL can be out of connection slots for a moment
    for _ in $(seq 30); do psql -d "$DB" -Atc "$1" 2>/dev/null && return; sleep 1; done
    echo "audit.sh: cannot query $DB" >&2; exit 1
}

audit_writes() { # inserts into audit_events plus updates of audit_head so far (statistics settle within a second)
    sleep 1
    sql "select coalesce(sum(n_tup_ins) filter (where relname = 'audit_events'), 0)
        + coalesce(sum(n_tup_upd) filter (where relname = 'audit_head'), 0) from pg_stat_user_tables"
}

phase() { # phase NAME EXTRA-SERVER-ARGS...
    local name=$1; shift
    dropdb --if-exists "$DB" 2>/dev/null || true
    for _ in $(seq 30); do createdb "$DB" 2>/dev/null && break; sleep 1; done
    rm -rf "$WORK/data"; mkdir -p "$WORK/data"
    local admin; admin=$("$JAVA" -jar "$JAR" generate-key)
    "$JAVA" -jar "$JAR" --spring.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/$DB" \
        --spring.datasource.username="$PGUSER" --otpgate.data-dir="$WORK/data" --server.port=$API_PORT \
        --management.server.port=$MGMT_PORT --otpgate.bootstrap-admin-key="$admin" --otpgate.rate-limit.enabled=false \
        --spring.datasource.hikari.maximum-pool-size="${POOL:-10}" \
        "$@" >"$WORK/server-$name.log" 2>&1 &
    SERVER_PID=$!
    local ca=$WORK/data/tls/ca.pem
    for i in $(seq 480); do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -30 "$WORK/server-$name.log" >&2; exit 1; }
        [[ -f $ca ]] && curl -sf --cacert "$ca" "https://localhost:$MGMT_PORT/actuator/health/readiness" | grep -q UP && break
        [[ $i == 480 ]] && { tail -30 "$WORK/server-$name.log" >&2; echo "audit.sh: the server was not ready after 4 minutes" >&2; exit 1; }
        sleep 0.5
    done
    api() { curl -sS --fail-with-body --cacert "$ca" -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
        ${4:+-d "$4"} "https://localhost:$API_PORT$2"; }
    local app key
    for i in $(seq 20); do
        app=$(api POST /v1/apps "$admin" '{"name":"Bench","code_length":6}' 2>/dev/null) && break
        [[ $i == 20 ]] && { echo "audit.sh: could not create the app" >&2; exit 1; }
        sleep 0.5
    done
    app=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$app")
    key=$(api POST "/v1/apps/$app/api-keys" "$admin" '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
    BENCH_APP_KEY=$key wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 10s -s "$HERE/pair.lua" \
        "https://localhost:$API_PORT" >"$WORK/warmup-$name.txt" 2>&1
    sleep 3  # let background audit work (sinks, roll-ups) settle before counting
    local before; before=$(audit_writes)
    local first; first=$(sql "select coalesce(max(sequence), 0) from audit_events")
    BENCH_APP_KEY=$key wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$HERE/pair.lua" \
        "https://localhost:$API_PORT" >"$WORK/wrk-$name.txt" 2>&1
    local after; after=$(audit_writes)
    local starts checks seconds
    starts=$(awk '$1=="BENCH" && $2=="starts" {print $3}' "$WORK/wrk-$name.txt")
    checks=$(awk '$1=="BENCH" && $2=="checks" {print $3}' "$WORK/wrk-$name.txt")
    seconds=$(awk '$1=="BENCH" && $2=="duration_s" {print $3}' "$WORK/wrk-$name.txt")
    local rows; rows=$(sql "select count(*) from audit_events")
    # What wrote them: background work (the fraud detector's flags, checkpoints), never one per request.
    local actions; actions=$(sql "select coalesce(string_agg(action || ' ' || n, ', ' order by action), 'none')
        from (select action, count(*) as n from audit_events where sequence > $first group by action) a")
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
    printf '%-34s %8.1f pairs/s  (%s starts, %s checks in %.1f s; audit writes during the pairs: %s, rows: %s; rows kept: %s)\n' \
        "$name" "$(python3 -c "print(min($starts, $checks) / $seconds)")" "$starts" "$checks" "$seconds" "$((after - before))" \
        "$actions" "$rows"
}

echo "start+check pairs on PostgreSQL, ${CONNECTIONS} connections, ${WARMUP}s warm-up, ${DURATION}s measured, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
phase "audit sinks off"
phase "audit sinks on (file, stdout)" --otpgate.audit.sinks.file="$WORK/audit.jsonl" --otpgate.audit.sinks.stdout=true \
    --otpgate.audit.checkpoint-interval=10s
