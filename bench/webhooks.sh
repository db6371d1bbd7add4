#!/usr/bin/env bash
# Webhooks: start+check pairs per second with no webhook endpoint and with one endpoint subscribed to every
# event, side by side in one run on one server, and events per second one node's dispatcher delivers to a
# local HTTPS receiver. Prints "BENCH webhooks <name> <value>" lines. See bench/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=$ROOT/otpgate-server/target/otpgate.jar
DURATION=${DURATION:-30} WARMUP=${WARMUP:-40} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-2}
DB=${DB:-otpgate_bench_hooks}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
API_PORT=$(free_port) MGMT_PORT=$(free_port) SINK_PORT=$(free_port)
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
if [[ -z ${JAVA_HOME:-} ]] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=$JAVA_HOME/bin/java
log() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "webhooks.sh: $*" >&2; exit 1; }
for tool in wrk psql createdb dropdb curl python3 "$JAVA"; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
if [[ ! -f $JAR || -n $(find "$ROOT/otpgate-server/src/main" -newer "$JAR" -print -quit) ]]; then
    log "building the jar"
    (cd "$ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -q -B -o package -DskipTests)
fi

WORK=$(mktemp -d /tmp/otpgate-bench-hooks.XXXXXX)
SERVER_PID= SINK_PID=
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
    [[ -n $SINK_PID ]] && kill "$SINK_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    dropdb --if-exists "$DB" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# The receiver's certificate (for localhost), trusted by the server through an SSL bundle.
"$JAVA_HOME/bin/keytool" -genkeypair -alias sink -keyalg EC -groupname secp256r1 -dname CN=localhost \
    -ext SAN=dns:localhost,ip:127.0.0.1 -validity 2 -keystore "$WORK/sink.p12" -storetype PKCS12 \
    -storepass benchpass >/dev/null 2>&1
"$JAVA_HOME/bin/keytool" -exportcert -rfc -alias sink -keystore "$WORK/sink.p12" -storepass benchpass \
    -file "$WORK/sink.pem" >/dev/null 2>&1
"$JAVA" "$HERE/WebhookSink.java" $SINK_PORT "$WORK/sink.p12" benchpass >"$WORK/sink.log" 2>&1 &
SINK_PID=$!

dropdb --if-exists "$DB"
createdb "$DB"
ADMIN_KEY=$("$JAVA" -jar "$JAR" generate-key)
log "starting the server (log: $WORK/server.log)"
"$JAVA" -jar "$JAR" \
    --spring.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/$DB" --spring.datasource.username="$PGUSER" \
    --otpgate.data-dir="$WORK/data" --server.port=$API_PORT --management.server.port=$MGMT_PORT \
    --otpgate.bootstrap-admin-key="$ADMIN_KEY" --otpgate.rate-limit.enabled=false \
    --otpgate.webhooks.allowed-private-networks=127.0.0.0/8 --otpgate.webhooks.ssl-bundle=sink \
    --spring.ssl.bundle.pem.sink.truststore.certificate="file:$WORK/sink.pem" \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
CA=$WORK/data/tls/ca.pem
for i in $(seq 480); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -40 "$WORK/server.log" >&2; die "the server exited during startup"; }
    if [[ -f $CA ]] && curl -sf --cacert "$CA" "https://localhost:$MGMT_PORT/actuator/health/readiness" | grep -q UP; then
        break
    fi
    [[ $i == 480 ]] && { tail -40 "$WORK/server.log" >&2; die "the server was not healthy after 240 s"; }
    sleep 0.5
done
api() { curl -sS --fail-with-body --cacert "$CA" -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    ${4:+-d "$4"} "https://localhost:$API_PORT$2"; }
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
sink_count() { curl -sS --cacert "$WORK/sink.pem" "https://localhost:$SINK_PORT/count"; }

for i in $(seq 20); do
    APP_NONE=$(api POST /v1/apps "$ADMIN_KEY" '{"name":"No webhooks","code_length":6}' 2>/dev/null) && break
    sleep 0.5
done
APP_NONE_ID=$(json id <<<"$APP_NONE")
KEY_NONE=$(api POST "/v1/apps/$APP_NONE_ID/api-keys" "$ADMIN_KEY" '{"name":"bench"}' | json secret)
APP_HOOK_ID=$(api POST /v1/apps "$ADMIN_KEY" '{"name":"One webhook","code_length":6}' | json id)
KEY_HOOK=$(api POST "/v1/apps/$APP_HOOK_ID/api-keys" "$ADMIN_KEY" '{"name":"bench"}' | json secret)
HOOK_ID=$(api POST "/v1/apps/$APP_HOOK_ID/webhooks" "$ADMIN_KEY" \
    "{\"url\":\"https://localhost:$SINK_PORT/hook\",\"events\":[\"*\"]}" | json id)

run_wrk() { # run_wrk KEY SECONDS -> pairs/s
    BENCH_APP_KEY=$1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"${2}s" --timeout 10s -s "$HERE/pair.lua" \
        "https://localhost:$API_PORT" 2>&1 | awk '/^BENCH pairs_per_s/ {print $3}'
}
log "warm-up: ${WARMUP}s on each app"
run_wrk "$KEY_NONE" "$WARMUP" >/dev/null
run_wrk "$KEY_HOOK" "$WARMUP" >/dev/null
declare -a NONE HOOK
for round in 1 2; do
    log "round $round: ${DURATION}s without an endpoint, then ${DURATION}s with one subscribed to every event"
    NONE+=("$(run_wrk "$KEY_NONE" "$DURATION")")
    HOOK+=("$(run_wrk "$KEY_HOOK" "$DURATION")")
done

log "waiting for the webhook backlog to drain"
previous=-1
while true; do
    now=$(sink_count); [[ $now == "$previous" ]] && break; previous=$now; sleep 3
done
log "dispatch: replaying every event of the endpoint's app (at most 10 000) and timing their delivery"
before=$(sink_count)
start=$(date +%s.%N)
QUEUED=$(api POST "/v1/apps/$APP_HOOK_ID/webhooks/$HOOK_ID/replay" "$ADMIN_KEY" '{"since":"2000-01-01T00:00:00Z"}' | json queued)
while (( $(sink_count) < before + QUEUED )); do sleep 0.2; done
end=$(date +%s.%N)

echo "BENCH webhooks pairs_per_s_no_endpoint ${NONE[*]}"
echo "BENCH webhooks pairs_per_s_one_endpoint_all_events ${HOOK[*]}"
echo "BENCH webhooks dispatch_events $QUEUED"
python3 -c "import sys; print('BENCH webhooks dispatch_events_per_s %.1f' % (float(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))" \
    "$QUEUED" "$start" "$end"
echo "BENCH webhooks cpus $(nproc) load_1min $(cut -d' ' -f1 /proc/loadavg)"
