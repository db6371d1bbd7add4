#!/usr/bin/env bash
# Submits per second through one SMPP bind (our SmppProvider with its window) against a jSMPP SMSC on
# loopback, and send latency at half of that rate. See bench/README-smpp.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WINDOWS=${WINDOWS:-"1 10 50"} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} RUNS=${RUNS:-3}
# PROVIDER=0 skips part 1, E2E=0 skips part 2 (the server jar against the bench SMSC).
PROVIDER=${PROVIDER:-1} E2E=${E2E:-1} E2E_WINDOW=${E2E_WINDOW:-10} CONNECTIONS=${CONNECTIONS:-16}
API_PORT=${API_PORT:-18543} MGMT_PORT=${MGMT_PORT:-19564}
# JAR=… runs part 2 against another build of the server (e.g. an earlier commit's jar, to compare).
JAR=${JAR:-$ROOT/otpgate-server/target/otpgate.jar}
if [[ -z ${JAVA_HOME:-} ]] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
export JAVA_HOME
WORK=$(mktemp -d)
SERVER_PID= E2E_PID=
cleanup() {
    local rc=$?
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [[ -n $E2E_PID ]]; then kill "$E2E_PID" 2>/dev/null || true; fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
cd "$ROOT"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    ./mvnw -q -B package -DskipTests -pl otpgate-server
fi
./mvnw -q -B dependency:build-classpath -pl otpgate-server -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP=otpgate-server/target/classes:otpgate-server/target/test-classes:$(cat "$WORK/cp.txt")
mkdir -p "$WORK/classes"
"$JAVA_HOME/bin/javac" -cp "$CP" -d "$WORK/classes" bench/smpp/SmppBench.java
echo "machine: $(nproc) cores, $(date -u +%FT%TZ), runs of ${SECONDS_PER_RUN}s, median of $RUNS"
for window in $( ((PROVIDER)) && echo "$WINDOWS" ); do
    senders=$(( window * 2 ))
    echo "== window $window, $senders sending threads"
    "$JAVA_HOME/bin/java" -Xmx512m -Dlogback.configurationFile=bench/smpp/logback.xml \
        -cp "$WORK/classes:$CP" dev.otpgate.delivery.smpp.SmppBench "$window" "$senders" "$SECONDS_PER_RUN" "$RUNS"
done

((E2E)) || exit 0
# ---- part 2: the server jar (embedded mode, H2) with an smpp provider pointing at the bench SMSC ----------
[[ -f $JAR ]] || { echo "smpp.sh: $JAR is missing" >&2; exit 1; }
echo "== end to end: server jar, smpp provider window $E2E_WINDOW, $CONNECTIONS connections"
"$JAVA_HOME/bin/java" -Xmx512m -Dlogback.configurationFile=bench/smpp/logback.xml -cp "$CP" \
    bench/smpp/SmppE2e.java "$WORK/smsc.port" "$WORK/app.key" "$API_PORT" "$WORK/data/tls/ca.pem" \
    "$SECONDS_PER_RUN" "$CONNECTIONS" "$RUNS" &
E2E_PID=$!
for _ in $(seq 100); do [[ -s $WORK/smsc.port ]] && break; sleep 0.2; done
SMSC_PORT=$(cat "$WORK/smsc.port")
"$JAVA_HOME/bin/java" -Xmx1g -jar "$JAR" \
    --otpgate.data-dir="$WORK/data" --server.port="$API_PORT" --management.server.port="$MGMT_PORT" \
    --otpgate.rate-limit.enabled=false --logging.level.root=WARN \
    --otpgate.providers.bench.type=smpp --otpgate.providers.bench.host=127.0.0.1 \
    --otpgate.providers.bench.port="$SMSC_PORT" --otpgate.providers.bench.system-id=otpgate \
    --otpgate.providers.bench.password=pw-ok1 --otpgate.providers.bench.source-address=OTPGATE \
    --otpgate.providers.bench.window="$E2E_WINDOW" --otpgate.providers.bench.max-submits-per-second=10000 \
    ${SERVER_ARGS:-} >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
CA=$WORK/data/tls/ca.pem
for _ in $(seq 120); do
    if [[ -f $CA ]] && curl -sf --cacert "$CA" "https://localhost:$MGMT_PORT/actuator/health/readiness" | grep -q UP; then break; fi
    sleep 1
done
ADMIN=$(cat "$WORK/data/bootstrap-admin-key")
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
APP=$(curl -sf --cacert "$CA" "https://localhost:$API_PORT/v1/apps" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' -d '{"name":"SMPP bench"}' | json id)
curl -sf --cacert "$CA" "https://localhost:$API_PORT/v1/apps/$APP/api-keys" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' -d '{"name":"bench"}' | json secret >"$WORK/app.key.tmp"
mv "$WORK/app.key.tmp" "$WORK/app.key"
wait "$E2E_PID" || { echo "smpp.sh: the end-to-end driver failed; server log:" >&2; tail -30 "$WORK/server.log" >&2; exit 1; }
E2E_PID=
echo "server's otpgate.delivery.latency (commit of the job to submit_sm_resp, whole run incl. saturation):"
curl -sf --cacert "$CA" "https://localhost:$MGMT_PORT/actuator/prometheus" | grep '^otpgate_delivery_latency' | grep -v bucket || true
