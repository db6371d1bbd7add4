# Helpers shared by bench/run.sh, bench/run-h2.sh, bench/scaleout.sh, bench/compare.sh and bench/statements.sh (sourced, not run). They read the
# caller's settings from globals: HERE, ROOT, JAR, DB, CONNECTIONS, THREADS, APP_KEY, API_PORT, CA, SERVER_PID.
# BENCH_SCRIPT names the caller in error messages (default run.sh).

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGCLIENTENCODING=UTF8

# A JDK 21+ (the server needs 21; the single-file OpenLoop.java launch and jcmd/jfr come from the same JDK).
if [[ -z ${JAVA_HOME:-} ]] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
export JAVA_HOME
JAVA=$JAVA_HOME/bin/java

# On a shared machine PostgreSQL may be out of connection slots for a moment (other test suites): retry then.
psql() {
    local err i
    err=$(mktemp)
    for i in $(seq 60); do
        if command psql "$@" 2>"$err"; then rm -f "$err"; return 0; fi
        grep -q 'too many clients' "$err" || { cat "$err" >&2; rm -f "$err"; return 1; }
        sleep 1
    done
    cat "$err" >&2; rm -f "$err"; return 1
}
# Server arguments that keep the rate limits on while raising the capacities that the bench's load (100 numbers,
# one app, one key, wrong codes only) would otherwise reach: every start and check is still counted.
LIMIT_ARGS=()
for policy in starts-per-destination starts-per-prefix starts-per-country starts-per-api-key starts-per-app checks-per-destination; do
    LIMIT_ARGS+=("--otpgate.rate-limit.$policy.capacity=1000000000")
done
log() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "${BENCH_SCRIPT:-run.sh}: $*" >&2; exit 1; }

require_tools() { # require_tools TOOL... (beside the JDK)
    local tool
    for tool in "$@" "$JAVA"; do
        command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y wrk postgresql-client postgresql-contrib)"
    done
}
require_free_ports() { # require_free_ports PORT...
    local port
    for port in "$@"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            die "port $port is in use (another bench running?)"
        fi
    done
}

# Other work on the machine distorts every figure; the callers say how busy it was before they started.
busy_percent() { # busy_percent SECONDS -> the machine's busy share over that many seconds
    local b0 i0
    read -r _ u n s i w irq sirq st _ </proc/stat; b0=$((u + n + s + irq + sirq + st)) i0=$((i + w))
    sleep "$1"
    read -r _ u n s i w irq sirq st _ </proc/stat
    awk -v b=$((u + n + s + irq + sirq + st - b0)) -v i=$((i + w - i0)) 'BEGIN{printf "%.0f", 100*b/(b+i)}'
}
wait_idle() { # wait_idle MINUTES: wait up to that long for 10 s with the machine at most 25 % busy
    local deadline
    [[ $1 -gt 0 ]] || return 0
    deadline=$((SECONDS + 60 * $1))
    until [[ $(busy_percent 10) -le 25 ]]; do
        if [[ $SECONDS -ge $deadline ]]; then log "the machine did not go quiet in $1 minutes; running anyway"; break; fi
    done
}

build_if_needed() { # build_if_needed auto|always|never
    if [[ $1 == always ]] || { [[ $1 == auto ]] && { [[ ! -f $JAR ]] || [[ -n $(find "$ROOT/otpgate-server/src" "$ROOT/pom.xml" "$ROOT/otpgate-server/pom.xml" -newer "$JAR" -type f -print -quit) ]]; }; }; then
        log "building $JAR"
        (cd "$ROOT" && ./mvnw -q -B -o package -DskipTests)
    fi
    [[ -f $JAR ]] || die "$JAR is missing (run without --skip-build)"
}

start_server() { # start_server LOG DATA_DIR API_PORT MGMT_PORT [SERVER ARG...] -> the process id in STARTED_PID
    local log=$1 data=$2 api=$3 mgmt=$4
    shift 4
    # shellcheck disable=SC2086
    "$JAVA" ${BENCH_JAVA_OPTS:-} -jar "$JAR" \
        --otpgate.data-dir="$data" \
        --server.port="$api" \
        --management.server.port="$mgmt" \
        "$@" \
        >"$log" 2>&1 &
    STARTED_PID=$!
}
wait_ready() { # wait_ready PID DATA_DIR MGMT_PORT LOG: until readiness is UP (after the application runners)
    local i ca=$2/tls/ca.pem
    for i in $(seq 180); do
        kill -0 "$1" 2>/dev/null || { tail -40 "$4" >&2; die "the server exited during startup"; }
        if [[ -f $ca ]] && curl -sf --cacert "$ca" "https://localhost:$3/actuator/health/readiness" | grep -q '"UP"'; then
            return 0
        fi
        [[ $i == 180 ]] && { tail -40 "$4" >&2; die "the server was not healthy after 90 s"; }
        sleep 0.5
    done
}
stop_pid() { # stop_pid PID: SIGTERM, up to 30 s for a clean shutdown, then SIGKILL
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
    kill -9 "$1" 2>/dev/null || true
    sleep 1
}

api() { # api METHOD PATH KEY [BODY] -> body on stdout, fails on a non-2xx status (the node at API_PORT, CA)
    curl -sS --fail-with-body --cacert "$CA" -X "$1" -H "Authorization: Bearer $3" \
        -H 'Content-Type: application/json' ${4:+-d "$4"} "https://localhost:$API_PORT$2"
}
json() { # json FIELD: that field of the JSON object on stdin; otherwise the body, on stderr, and a failure
    python3 -c 'import json,sys
body = sys.stdin.read()
try:
    print(json.loads(body)[sys.argv[1]])
except (ValueError, KeyError, TypeError):
    sys.exit("no \"%s\" in the answer: %s" % (sys.argv[1], body[:500]))' "$1"
}

create_app() { # create_app ADMIN_KEY WORKFILE -> APP_ID and APP_KEY (an app and a key of it, through the API)
    local i app
    # Readiness should follow the bootstrap admin key (an ApplicationRunner), but retry a 401 for a while anyway.
    for i in $(seq 20); do
        if app=$(api POST /v1/apps "$1" '{"name":"Bench","code_length":6}' 2>"$2"); then break; fi
        [[ $i == 20 ]] && { cat "$2" >&2; die "could not create the app"; }
        sleep 0.5
    done
    APP_ID=$(json id <<<"$app")
    APP_KEY=$(api POST "/v1/apps/$APP_ID/api-keys" "$1" '{"name":"bench"}' | json secret)
}

declare -A R  # results: wrk / OpenLoop / H2Floor "BENCH name value" lines, prefixed by phase

collect() { # collect PREFIX FILE
    while read -r tag name value; do
        [[ $tag == BENCH ]] && R[$1.$name]=$value
    done <"$2"
}

proc_jiffies() { # proc_jiffies PID -> user + system CPU of that process, in clock ticks (0 if it is gone)
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}
pg_jiffies() { # pg_jiffies DB -> CPU of the PostgreSQL backends of that database
    local pid title pg=0
    # Backends of this database only. The WAL writer and the checkpointer serve every database on the server, so
    # they count among "other processes", with the rest of the machine.
    for pid in $(ps -C postgres -o pid=); do
        title=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
        if [[ $title == *" $1 "* ]]; then
            pg=$((pg + $(proc_jiffies "$pid")))
        fi
    done
    echo "$pg"
}
machine_jiffies() { # -> busy idle, for the whole machine
    read -r _ u n s i w irq sirq st _ </proc/stat
    echo "$((u + n + s + irq + sirq + st)) $((i + w))"
}

cpu_snapshot() { # [CLIENT_PID] -> jiffies: machine busy, machine idle, the server, this database's postgres
                  # processes, the load generator (CLIENT_PID, or else the waited-for children of this shell)
    local server=0 pg=0 client
    [[ -n $SERVER_PID ]] && server=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    [[ -n ${DB:-} ]] && pg=$(pg_jiffies "$DB")
    if [[ -n ${1:-} ]]; then
        client=$(proc_jiffies "$1")
    else
        client=$(awk '{print $16 + $17}' /proc/$$/stat)  # wrk or the open-loop client, once waited for
    fi
    echo "$(machine_jiffies) $server $pg $client"
}

cpu_report() { # cpu_report BEFORE AFTER PAIRS -> server% postgres% client% others% idle% (of all cores), then
               # CPU milliseconds per pair of the server, postgres and the client
    read -r b0 i0 s0 p0 c0 <<<"$1"
    read -r b1 i1 s1 p1 c1 <<<"$2"
    awk -v b=$((b1 - b0)) -v i=$((i1 - i0)) -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v c=$((c1 - c0)) -v n="$3" \
        -v hz="$(getconf CLK_TCK)" 'BEGIN {
        t = b + i; o = b - s - p - c; if (o < 0) o = 0; ms = 1000 / hz / n
        printf "%.0f %.0f %.0f %.0f %.0f %.2f %.2f %.2f", 100*s/t, 100*p/t, 100*c/t, 100*o/t, 100*i/t, s*ms, p*ms, c*ms }'
}

run_wrk() { # run_wrk SECONDS OUTPUT [CREDENTIAL: the API key by default, or an access token]
    BENCH_APP_KEY=${3:-$APP_KEY} wrk -t"$THREADS" -c"$CONNECTIONS" -d"${1}s" --timeout 10s -s "$HERE/pair.lua" \
        "https://localhost:$API_PORT" >"$2" 2>&1 || { cat "$2" >&2; die "wrk failed"; }
}

run_repeat() { # run_repeat SECONDS OUTPUT METHOD PATH AUTHORIZATION [FORM BODY]: one request in a closed loop (repeat.lua)
    BENCH_METHOD=$3 BENCH_PATH=$4 BENCH_AUTHORIZATION=$5 BENCH_BODY=${6:-} \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${1}s" --timeout 10s -s "$HERE/repeat.lua" \
        "https://localhost:$API_PORT" >"$2" 2>&1 || { cat "$2" >&2; die "wrk failed"; }
    grep -E '^unexpected status' "$2" >&2 || true
}

await_floor() { # await_floor PID ERRFILE LINE: until JdbcFloor (PID, its stderr in ERRFILE) says it has begun or
               # ended its measured window ("measuring", "measured")
    until grep -qs "^JdbcFloor: $3\$" "$2"; do
        kill -0 "$1" 2>/dev/null || { cat "$2" >&2; die "JdbcFloor failed"; }
        sleep 0.1
    done
}

floor_window() { # floor_window PID OUTFILE ERRFILE: the machine's CPU over JdbcFloor's measured window, in
                 # FLOOR_CPU0 and FLOOR_CPU1 (cpu_snapshot), once the run (PID, writing OUTFILE and ERRFILE) has ended
    await_floor "$1" "$3" measuring
    FLOOR_CPU0=$(cpu_snapshot "$1")
    await_floor "$1" "$3" measured
    FLOOR_CPU1=$(cpu_snapshot "$1")
    wait "$1" || { cat "$2" "$3" >&2; die "JdbcFloor failed"; }
}

# This machine's PostgreSQL runs with autovacuum off. Without it the job table (an insert, an update and a delete
# per pair) and the dev inbox bloat within seconds and are never analysed, the worker's poll for due jobs turns
# into a sequential scan of megabytes of dead rows, and Postgres spends ~10x the CPU per pair. So every measured
# phase starts from a vacuumed and analysed database, as autovacuum would keep it (it visits once a minute);
# within a phase dead rows pile up as they do between its visits. The ANALYZE also makes the server replan its
# prepared statements.
vacuum_analyze() {
    psql -d "$DB" -qc 'VACUUM ANALYZE' || die "VACUUM ANALYZE failed"
    psql -d "$DB" -Atc "show autovacuum" | grep -q on || log "autovacuum is off here: vacuumed and analysed $DB"
}

# Deliveries the worker has not finished: "count age_seconds_of_the_oldest".
delivery_backlog() {
    psql -d "$DB" -AtF' ' -c "select count(*), coalesce(extract(epoch from now() - min(execution_time))::int, 0)
        from scheduled_tasks where task_name = 'deliver-code'"
}
# Each phase starts once the worker has caught up with the previous one (at most 3 minutes).
drain() {
    local count age
    for _ in $(seq 180); do
        read -r count age <<<"$(delivery_backlog)"
        [[ $count -eq 0 ]] && return 0
        sleep 1
    done
    log "the delivery worker still has $count jobs queued (oldest ${age}s); going on"
}
