#!/usr/bin/env bash
# Start-up of the embedded server (H2, its defaults; rate limits off, as in run.sh, so the pairs are not refused): wall time from launch to readiness, resident memory and
# heap right after start and after a number of start+check pairs, for the jar as built and for the same jar
# extracted and started with a JDK AOT cache made by a training run (JEP 483/514/515). Each variant starts
# ROUNDS times, alternating, so both see the same machine.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=$ROOT/otpgate-server/target/otpgate.jar
PAIRS=10000 ROUNDS=3 CONNECTIONS=8
usage() {
    cat <<'EOF'
Usage: bench/startup.sh [--jar PATH] [--pairs N] [--rounds N]
  --jar PATH     the server (default otpgate-server/target/otpgate.jar)
  --pairs N      start+check pairs before the second memory reading (default 10000; 0 skips it)
  --rounds N     starts of each variant (default 3); the pairs run after the last start of each
Environment: JAVA_HOME (a JDK 25; default temurin 25). Needs wrk, curl and python3.
EOF
}
while [[ $# -gt 0 ]]; do
    case $1 in
        --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
        --pairs) PAIRS=$2; shift ;;
        --rounds) ROUNDS=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java JCMD=$JAVA_HOME/bin/jcmd
# Free ports of its own (bench/run.sh's 18443 and 19464 may be in use by another bench on a shared machine).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
API_PORT=$(free_port) MGMT_PORT=$(free_port)
die() { echo "startup.sh: $*" >&2; exit 1; }
log() { printf '== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[[ -f $JAR ]] || die "$JAR is missing"
"$JAVA" -version 2>&1 | grep -q 'version "25' || die "needs a JDK 25 (the AOT cache options)"

WORK=$(mktemp -d /tmp/otpgate-startup.XXXXXX)
SERVER_PID=
stop() { # [SECONDS to wait before SIGKILL, default 60: a training run writes its AOT cache as it exits]
    [[ -n $SERVER_PID ]] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq $((2 * ${1:-60}))); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
trap 'stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

busy_percent() {
    local b0 i0
    read -r _ u n s i w irq sirq st _ </proc/stat; b0=$((u + n + s + irq + sirq + st)) i0=$((i + w))
    sleep "$1"
    read -r _ u n s i w irq sirq st _ </proc/stat
    awk -v b=$((u + n + s + irq + sirq + st - b0)) -v i=$((i + w - i0)) 'BEGIN{printf "%.0f", 100*b/(b+i)}'
}

# The extracted layout (the application jar and lib/ beside it, loaded by the JDK's own class loader, which an
# AOT cache needs) and its cache, from a training run that starts, serves some pairs and stops.
EXTRACTED=$WORK/extracted
log "extracting $JAR"
"$JAVA" -Djarmode=tools -jar "$JAR" extract --destination "$EXTRACTED" >/dev/null
APP_JAR=$EXTRACTED/$(basename "$JAR")
AOT=$EXTRACTED/otpgate.aot

# start NAME DATA_DIR JVM_OPTIONS... -> "milliseconds to ready"; leaves SERVER_PID running
start() {
    local name=$1 data=$2; shift 2
    local key t0 t1
    key=$("$JAVA" -jar "$JAR" generate-key)
    echo "$key" >"$WORK/$name.key"
    t0=$(date +%s%N)
    "$JAVA" "$@" --otpgate.data-dir="$data" --server.port=$API_PORT --management.server.port=$MGMT_PORT \
        --otpgate.bootstrap-admin-key="$key" --otpgate.rate-limit.enabled=false >"$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + 300))
    while [[ $SECONDS -lt $deadline ]]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$WORK/$name.log" >&2; die "$name exited during start-up"; }
        if [[ -f $data/tls/ca.pem ]] && curl -sf --cacert "$data/tls/ca.pem" \
                "https://localhost:$MGMT_PORT/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; then
            t1=$(date +%s%N)
            echo $(((t1 - t0) / 1000000))
            return
        fi
        sleep 0.05
    done
    die "$name was not ready after 300 s"
}
# memory -> "rss_mb heap_used_mb heap_committed_mb" of SERVER_PID, heap after a full collection
memory() {
    "$JCMD" "$SERVER_PID" GC.run >/dev/null
    local rss heap
    rss=$(awk '/VmRSS/{printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status")
    heap=$("$JCMD" "$SERVER_PID" GC.heap_info | awk '/garbage-first heap|total [0-9]+K, used/{
        for (i = 1; i <= NF; i++) { if ($i == "total") t = $(i+1); if ($i == "used") u = $(i+1) } }
        END { gsub(/[K,]/, "", t); gsub(/[K,]/, "", u); printf "%.0f %.0f", u / 1024, t / 1024 }')
    echo "$rss $heap"
}
# pairs DATA_DIR N: N start+check pairs (wrk, pair.lua), in rounds of a few seconds until N checks are done
pairs() {
    local data=$1 want=$2 done=0 ca=$1/tls/ca.pem key app got
    key=$(cat "$WORK/$CURRENT.key")
    app=$(curl -sS --fail-with-body --cacert "$ca" -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"name":"Bench","code_length":6}' "https://localhost:$API_PORT/v1/apps" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    export BENCH_APP_KEY
    BENCH_APP_KEY=$(curl -sS --fail-with-body --cacert "$ca" -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"name":"bench"}' "https://localhost:$API_PORT/v1/apps/$app/api-keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
    while [[ $done -lt $want ]]; do
        wrk -t2 -c"$CONNECTIONS" -d10s --timeout 10s -s "$HERE/pair.lua" "https://localhost:$API_PORT" >"$WORK/wrk.txt" 2>&1 || die "wrk failed"
        got=$(awk '$1 == "BENCH" && $2 == "checks" {print $3}' "$WORK/wrk.txt")
        [[ ${got:-0} -gt 0 ]] || { grep -m3 -v '^BENCH' "$WORK/wrk.txt" >&2; die "no pair completed in 10 s"; }
        done=$((done + got))
    done
    echo "$done"
}

log "training run for the AOT cache: start and stop (it records what start-up loads, links and profiles)"
CURRENT=train
start train "$WORK/train-data" -XX:AOTCacheOutput="$AOT" -jar "$APP_JAR" >/dev/null
stop 600
[[ -f $AOT ]] || die "the training run wrote no AOT cache (see $WORK/train.log)"

declare -A MS
for round in $(seq "$ROUNDS"); do
    for variant in jar aot; do
        CURRENT=$variant
        rm -rf "$WORK/$variant-data"
        busy=$(busy_percent 1)
        if [[ $variant == jar ]]; then
            ms=$(start jar "$WORK/jar-data" -jar "$JAR")
        else
            ms=$(start aot "$WORK/aot-data" -XX:AOTCache="$AOT" -jar "$APP_JAR")
        fi
        MS[$variant]="${MS[$variant]:-} $ms"
        log "$variant round $round: ready in $ms ms (machine ${busy}% busy just before)"
        if [[ $round == "$ROUNDS" ]]; then
            read -r rss0 used0 committed0 <<<"$(memory)"
            done=0
            if [[ $PAIRS -gt 0 ]]; then
                done=$(pairs "$WORK/$variant-data" "$PAIRS")
            fi
            read -r rss1 used1 committed1 <<<"$(memory)"
            eval "MEM_$variant=\"$rss0 $used0 $committed0 $done $rss1 $used1 $committed1\""
        fi
        stop
    done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END{print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo
echo "otpgate start-up  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  $(basename "$JAR")  embedded mode (H2), $ROUNDS starts each, alternating"
for variant in jar aot; do
    read -r rss0 used0 committed0 done rss1 used1 committed1 <<<"$(eval echo "\$MEM_$variant")"
    label=$([[ $variant == jar ]] && echo "java -jar (as built)  " || echo "extracted + AOT cache")
    echo "  $label  ready in $(median <<<"${MS[$variant]}") ms median (each:${MS[$variant]} ms)"
    echo "                         after start: RSS $rss0 MB, heap $used0 MB live of $committed0 MB committed"
    echo "                         after $done pairs: RSS $rss1 MB, heap $used1 MB live of $committed1 MB committed"
done
echo "  (heap after a full collection, jcmd GC.run; the AOT cache is $(du -m "$AOT" | cut -f1) MB, made by a training run that started and stopped)"
