#!/usr/bin/env bash
# Statements per start, per check and per delivered code, as PostgreSQL received them from the server: a server
# of its own on a database of its own with log_statement = 'all' (parameters not logged), a few sequential
# starts, then as many checks with a wrong code, then as many checks with the right code (of further starts),
# each phase's statements read back from the PostgreSQL log.
# bench/run.sh runs it after its measured phases; it can also run alone.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=$ROOT/otpgate-server/target/otpgate.jar
DB=otpgate_bench_statements PAIRS=20 LIST=0
usage() {
    cat <<'EOF'
Usage: bench/statements.sh [--jar PATH] [--db NAME] [--pairs N] [--list]
  --jar PATH    the server to count (default otpgate-server/target/otpgate.jar)
  --db NAME     database to create and drop (default otpgate_bench_statements)
  --pairs N     starts, then checks (wrong codes, and right ones), to average over (default 20)
  --list        also print each phase's statements, normalised, with their count per operation
Environment: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres, a superuser: it sets log_statement on the
database), PGLOG (the PostgreSQL server log; default the newest /var/log/postgresql/postgresql-*-main.log),
JAVA_HOME (a JDK 21+), BENCH_API_PORT and BENCH_MANAGEMENT_PORT (the server's ports; default 18443 and 19464, as run.sh).
EOF
}
while [[ $# -gt 0 ]]; do
    case $1 in
        --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
        --db) DB=$2; shift ;;
        --pairs) PAIRS=$2; shift ;;
        --list) LIST=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
BENCH_SCRIPT=statements.sh
# shellcheck source=lib.sh
. "$HERE/lib.sh"
API_PORT=${BENCH_API_PORT:-18443} MGMT_PORT=${BENCH_MANAGEMENT_PORT:-19464}
PGLOG=${PGLOG:-$(ls -t /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -1 || true)}
[[ -f $JAR ]] || die "$JAR is missing"
[[ -n $PGLOG && -r $PGLOG ]] || die "cannot read the PostgreSQL log (set PGLOG)"
[[ $(psql -d postgres -Atc 'show log_line_prefix') == *%d* ]] || die "log_line_prefix has no %d (database name)"

WORK=$(mktemp -d /tmp/otpgate-statements.XXXXXX)
SERVER_PID=
cleanup() {
    local status=$?
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    dropdb --if-exists "$DB" 2>/dev/null || true
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dropdb --if-exists "$DB"
createdb "$DB"
# Every statement of every connection to this database, without its parameters (no code, hash or number in
# the log); set before the server connects, since a setting of the database applies to new sessions.
psql -d "$DB" -qc "alter database $DB set log_statement = 'all'" -c "alter database $DB set log_parameter_max_length = 0" \
    -c "alter database $DB set log_parameter_max_length_on_error = 0"

ADMIN_KEY=$("$JAVA" -jar "$JAR" generate-key)
"$JAVA" -jar "$JAR" \
    --spring.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/$DB" --spring.datasource.username="$PGUSER" \
    --otpgate.data-dir="$WORK/data" --server.port=$API_PORT --management.server.port=$MGMT_PORT \
    --otpgate.bootstrap-admin-key="$ADMIN_KEY" --otpgate.rate-limit.enabled=false >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
CA=$WORK/data/tls/ca.pem
for i in $(seq 240); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -40 "$WORK/server.log" >&2; die "the server exited during startup"; }
    if [[ -f $CA ]] && curl -sf --cacert "$CA" "https://localhost:$MGMT_PORT/actuator/health/readiness" | grep -q '"UP"'; then
        break
    fi
    [[ $i == 240 ]] && die "the server was not healthy after 120 s"
    sleep 0.5
done
api() { # api METHOD PATH KEY [BODY] -> body on stdout (any status)
    curl -sS --cacert "$CA" -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
        ${4:+-d "$4"} "https://localhost:$API_PORT$2"
}
for i in $(seq 20); do
    if APP=$(curl -sS --fail-with-body --cacert "$CA" -X POST -H "Authorization: Bearer $ADMIN_KEY" \
            -H 'Content-Type: application/json' -d '{"name":"Bench","code_length":6}' \
            "https://localhost:$API_PORT/v1/apps" 2>/dev/null); then break; fi
    [[ $i == 20 ]] && die "could not create the app"
    sleep 0.5
done
APP_ID=$(json id <<<"$APP")
KEY=$(api POST "/v1/apps/$APP_ID/api-keys" "$ADMIN_KEY" '{"name":"bench"}' | json secret)
# One start and check first, unmeasured: connections warm, prepared statements made, caches filled as under load.
ID=$(api POST /v1/verifications "$KEY" '{"to":"+14155550100"}' | json id)
api POST "/v1/verifications/$ID/check" "$KEY" '{"code":"000000"}' >/dev/null
# This script's own queries are not logged (the SET itself is, and is left out below).
queued() { psql -d "$DB" -qAtc "set log_statement = none" -c "select count(*) from scheduled_tasks where task_name = 'deliver-code'"; }
drain() { for _ in $(seq 600); do [[ $(queued) == 0 ]] && return; sleep 0.1; done; die "delivery jobs still queued after 60 s"; }
drain
sleep 1

offset() { stat -c %s "$PGLOG"; }
IDS=()
O0=$(offset)
for i in $(seq "$PAIRS"); do
    IDS+=("$(api POST /v1/verifications "$KEY" "{\"to\":\"+14155550$((100 + i % 100))\"}" | json id)")
    # The delivery of each code is done before the next start, so each phase holds whole operations.
    drain
done
sleep 0.5
O1=$(offset)
for id in "${IDS[@]}"; do
    api POST "/v1/verifications/$id/check" "$KEY" '{"code":"000000"}' >/dev/null
done
sleep 0.5
O2=$(offset)
# Right codes: more starts and their codes, read from the dev inbox (neither counted), then one check each.
RIGHT=()
for i in $(seq "$PAIRS"); do
    to="+14155550$((100 + i % 100))"
    id=$(api POST /v1/verifications "$KEY" "{\"to\":\"$to\"}" | json id)
    drain
    code=$(api POST /v1/dev/messages/search "$ADMIN_KEY" "{\"to\":\"$to\",\"limit\":1}" \
        | python3 -c 'import json,re,sys; print(re.search(r"verification code is ([0-9]+)", json.load(sys.stdin)["messages"][0]["body"]).group(1))')
    RIGHT+=("$id:$code")
done
sleep 0.5
O3=$(offset)
for pair in "${RIGHT[@]}"; do
    status=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$CA" -X POST -H "Authorization: Bearer $KEY" \
        -H 'Content-Type: application/json' -d "{\"code\":\"${pair#*:}\"}" "https://localhost:$API_PORT/v1/verifications/${pair%%:*}/check")
    [[ $status == 200 ]] || die "a check with the right code answered $status"
done
sleep 0.5
O4=$(offset)
DELIVERED=$(psql -d "$DB" -qAtc "set log_statement = none" -c "select count(*) from delivery_steps where status in ('sent', 'test')")
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=

python3 - "$PGLOG" "$DB" "$O0" "$O1" "$O2" "$O3" "$O4" "$PAIRS" "$LIST" <<'PY'
import collections, re, sys
log, db, o0, o1, o2, o3, o4, pairs, listing = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:9]), sys.argv[9] == "1"
with open(log, "rb") as f:
    f.seek(o0)
    data = f.read(o4 - o0)
# "<date> <time> <zone> [pid] user@db LOG:  statement: …" (simple protocol) or "… LOG:  execute <name>: …" (extended)
line = re.compile(rb"^\S+ \S+ \S+ \[(\d+)\] \S*@" + re.escape(db.encode()) + rb" LOG:  (?:statement|execute [^:]*): (.*)$", re.M)
# The delivery worker's statements (db-scheduler and the delivery engine).
WORKER = re.compile(r"from scheduled_tasks where picked = \? and execution_time|^update scheduled_tasks set picked"
                    r"|^select \* from scheduled_tasks where task_name|^delete from scheduled_tasks where task_name = \? and task_instance = \? and version"
                    r"|delivery_steps|^insert into dev_messages|set delivery_status", re.I)
# Timers that run whatever the traffic: the fraud ledger's flush and reloads, inbox trims, sweeps, db-scheduler's
# recurring tasks and heartbeats, the webhook dispatcher's poll. They are left out of the figures and listed apart.
BACKGROUND = re.compile(r"fraud_|idempotency_keys|from webhook_deliveries where status = 'pending'|^delete from dev_messages|^update scheduled_tasks set execution_time"
                        r"|last_heartbeat <=|expires_at <= \? (?:and|order|limit)|where status = 'pending' and expires_at", re.I)
def classify(lo, hi):
    """(kind, text) per statement: kind is request, worker, background or check (Hikari's connection test,
    an empty query). COMMIT belongs to the statement before it on the same connection; BEGIN is left out, since
    pgjdbc sends it with the transaction's first statement (no round trip of its own)."""
    last, out = {}, []
    for m in line.finditer(data, lo - o0, hi - o0):
        pid, text = m.group(1), re.sub(r"\s+", " ", m.group(2).decode("utf-8", "replace")).strip()
        text = re.sub(r"\$\d+", "?", text)
        if text.lower().startswith("set log_statement") or text.upper() == "BEGIN":
            continue
        if text == "":
            kind = "check"
        elif text.upper() in ("COMMIT", "ROLLBACK"):
            kind = last.get(pid, "request")
        elif BACKGROUND.search(text):
            kind = "background"
        elif WORKER.search(text):
            kind = "worker"
        else:
            kind = "request"
        if kind != "check":
            last[pid] = kind
        out.append((kind, text))
    return out
starts, checks, rights = classify(o0, o1), classify(o1, o2), classify(o3, o4)
def n(stmts, kind):
    return sum(1 for k, _ in stmts if k == kind) / pairs
print(f"statements per operation, as PostgreSQL logged them ({pairs} sequential starts, each delivered before the next, then {pairs} checks with a wrong code;"
      f" then {pairs} checks with the right code, of {pairs} further starts)")
print(f"  per start          {n(starts, 'request'):5.2f}")
print(f"  per check          {n(checks, 'request'):5.2f}   (wrong code; a pair's check)")
print(f"  per approving check{n(rights, 'request'):5.2f}   (right code)")
print(f"  per delivered code {n(starts, 'worker') + n(checks, 'worker'):5.2f}   (the worker's, its polls for due jobs included)")
print(f"  per pair           {n(starts, 'request') + n(checks, 'request') + n(starts, 'worker') + n(checks, 'worker'):5.2f}"
      "   (COMMIT counted, BEGIN not: pgjdbc sends it with the next statement)")
print(f"  besides: {n(starts, 'check') + n(checks, 'check'):.2f} connection tests per pair (Hikari's, on a connection idle for"
      f" over 0.5 s: rarer under load), {n(starts, 'background') + n(checks, 'background'):.2f} timer statements per pair (fraud ledger, sweeps, trims)")
if listing:
    for title, stmts, kinds in (("start", starts, ("request",)), ("delivery", starts + checks, ("worker",)),
                                ("check, wrong code", checks, ("request",)), ("check, right code", rights, ("request",)),
                                ("timers", starts + checks + rights, ("background",))):
        print(f"  -- {title}, per operation")
        for text, count in collections.Counter(t[:150] for k, t in stmts if k in kinds).most_common():
            print(f"     {count / pairs:5.2f}  {text}")
PY
echo "  (delivered: $DELIVERED codes)"
