#!/usr/bin/env bash
# Start-up of the embedded server (H2, its defaults; rate limits off, as in run.sh, so the pairs are not refused):
# wall time from launch to readiness, resident memory and heap right after start and after a number of
# start+check pairs, for the jar as built (java -jar), for ./otpgate (the extracted jar with its JDK AOT cache,
# JEP 483/514/515, and its JVM defaults) and, with --base, for another jar (java -jar) such as the previous
# commit's. Each variant starts ROUNDS times on an empty data directory (a first start: keys, certificate,
# migrations) and ROUNDS times on the directory its first start left (a later start), alternating, so all see
# the same machine.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=$ROOT/otpgate-server/target/otpgate.jar
BASE= PAIRS=10000 ROUNDS=3 IDLE=70 CONNECTIONS=8 ONLY=
usage() {
    cat <<'EOF'
Usage: bench/startup.sh [--base PATH] [--pairs N] [--rounds N] [--idle S] [--only LIST]
  --base PATH    also start this jar (java -jar), e.g. the previous commit's, for the "before" of a change
  --pairs N      start+check pairs before the second memory reading (default 10000; 0 skips it)
  --rounds N     first starts and later starts of each variant (default 3); the pairs run after the last
  --idle S       seconds without requests after the pairs before the idle reading (default 70; 0 skips it)
  --only LIST    these variants only, of base, jar and otpgate (e.g. --only otpgate, to try JAVA_OPTS)
Environment: JAVA_HOME (a JDK 25; default temurin 25). Needs wrk, curl and python3. Builds the jar when it is
missing; deletes otpgate-server/target/aot/ (./otpgate's cache) so that ./otpgate's first start after a build,
its training run included, is measured too.
EOF
}
while [[ $# -gt 0 ]]; do
    case $1 in
        --base) BASE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
        --pairs) PAIRS=$2; shift ;;
        --rounds) ROUNDS=$2; shift ;;
        --idle) IDLE=$2; shift ;;
        --only) ONLY=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java JCMD=$JAVA_HOME/bin/jcmd
# Free ports of its own (bench/run.sh's 18443 and 19464 may be in use by another bench on a shared machine).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
API_PORT=$(free_port) MGMT_PORT=$(free_port)
die() { echo "startup.sh: $*" >&2; exit 1; }
log() { printf '== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
"$JAVA" -version 2>&1 | grep -q 'version "25' || die "needs a JDK 25 (the AOT cache options)"
[[ -z $BASE || -f $BASE ]] || die "$BASE is missing"
if [[ ! -f $JAR ]]; then
    log "building $JAR"
    (cd "$ROOT" && ./mvnw -q -B -o package -DskipTests)
fi
# ./otpgate builds a jar older than the sources itself, which would be timed as its start.
[[ -z $(find "$ROOT/pom.xml" "$ROOT/otpgate-server/pom.xml" "$ROOT/otpgate-server/src" -newer "$JAR" -type f | head -n 1) ]] ||
    die "$JAR is older than the sources: build it first (./mvnw -q -B -o package -DskipTests)"

WORK=$(mktemp -d /tmp/otpgate-startup.XXXXXX)
SERVER_PID=
stop() { # [SECONDS to wait before SIGKILL, default 60]
    [[ -n $SERVER_PID ]] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq $((2 * ${1:-60}))); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
trap 'stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

load() { cut -d' ' -f1 /proc/loadavg; }

# launch VARIANT ARGS...: the server of a variant with ARGS, its own arguments (run in the background by start)
launch() {
    local variant=$1; shift
    case $variant in
        base) exec "$JAVA" -jar "$BASE" "$@" ;;
        jar) exec "$JAVA" -jar "$JAR" "$@" ;;
        otpgate) exec "$ROOT/otpgate" "$@" ;; # ./otpgate execs java in turn: SERVER_PID is the server's
    esac
}
# start VARIANT DATA_DIR: sets READY_MS (milliseconds from launch to readiness) and leaves SERVER_PID running
start() {
    local variant=$1 data=$2 key t0 t1
    [[ -f $data.key ]] || "$JAVA" -jar "$JAR" generate-key >"$data.key"
    key=$(cat "$data.key")
    t0=$(date +%s%N)
    launch "$variant" --otpgate.data-dir="$data" --server.port="$API_PORT" --management.server.port="$MGMT_PORT" \
        --otpgate.bootstrap-admin-key="$key" --otpgate.rate-limit.enabled=false >>"$WORK/$variant.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + 300))
    while [[ $SECONDS -lt $deadline ]]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$WORK/$variant.log" >&2; die "$variant exited during start-up"; }
        if [[ -f $data/tls/ca.pem ]] && curl -sf --cacert "$data/tls/ca.pem" \
                "https://localhost:$MGMT_PORT/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; then
            t1=$(date +%s%N)
            READY_MS=$(((t1 - t0) / 1000000))
            return
        fi
        sleep 0.05
    done
    die "$variant was not ready after 300 s"
}
# heap -> "used_mb committed_mb" of SERVER_PID
heap() {
    # G1 prints "total reserved R, committed C, used U"; Serial and Parallel print "total C, used U" per generation.
    "$JCMD" "$SERVER_PID" GC.heap_info | awk '
        /garbage-first heap/ { for (i = 1; i <= NF; i++) { if ($i == "committed") c = $(i+1); if ($i == "used") u = $(i+1) } }
        /(new|young|old|tenured).* total [0-9]+K, used/ { for (i = 1; i <= NF; i++) {
            if ($i == "total") { v = $(i+1); gsub(/[K,]/, "", v); c += v } if ($i == "used") { v = $(i+1); gsub(/[K,]/, "", v); u += v } } }
        END { gsub(/[K,]/, "", c); gsub(/[K,]/, "", u); printf "%.0f %.0f", u / 1024, c / 1024 }'
}
rss() { awk '/VmRSS/{printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
# memory IDLE_SECONDS -> "rss_mb committed_mb rss_mb committed_mb rss_mb heap_used_mb heap_committed_mb" of
# SERVER_PID: RSS and committed heap as they are, again after IDLE_SECONDS without requests ("-" for 0), and
# all three after a full collection (jcmd GC.run) and 5 s, in which G1 gives back what it shrank
memory() {
    local now idle="- -"
    now="$(rss) $(heap | cut -d' ' -f2)"
    if [[ $1 -gt 0 ]]; then
        sleep "$1"
        idle="$(rss) $(heap | cut -d' ' -f2)"
    fi
    "$JCMD" "$SERVER_PID" GC.run >/dev/null
    sleep 5
    echo "$now $idle $(rss) $(heap)"
}
# pairs DATA_DIR N: N start+check pairs (wrk, pair.lua), in rounds of a few seconds until N checks are done
pairs() {
    local data=$1 want=$2 done=0 ca=$1/tls/ca.pem key app got
    key=$(cat "$data.key")
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

VARIANTS="jar otpgate"
[[ -z $BASE ]] || VARIANTS="base $VARIANTS"
[[ -z $ONLY ]] || VARIANTS=${ONLY//,/ }
log "load average $(load) on $(nproc) cores; variants: $VARIANTS"

# ./otpgate's first start after a build makes its AOT cache (a training run) before it starts: timed on its own.
rm -rf "$ROOT/otpgate-server/target/aot" "$ROOT/otpgate-server/target/aot.lock"
TRAINING_LOAD=$(load)
start otpgate "$WORK/training-data"
TRAINING_MS=$READY_MS
log "./otpgate after a build: ready in $TRAINING_MS ms, its training run included"
stop
[[ -f $ROOT/otpgate-server/target/aot/otpgate.aot ]] || { tail -5 "$WORK/otpgate.log" >&2; die "./otpgate made no AOT cache"; }

declare -A MS LOADS
for round in $(seq "$ROUNDS"); do
    for kind in first later; do
        for variant in $VARIANTS; do
            data=$WORK/$variant-data-$round
            [[ $kind == later ]] || rm -rf "$data"
            LOADS[$variant-$kind]="${LOADS[$variant-$kind]:-} $(load)"
            start "$variant" "$data"
            MS[$variant-$kind]="${MS[$variant-$kind]:-} $READY_MS"
            log "$variant $kind start, round $round: ready in $READY_MS ms"
            if [[ $round == "$ROUNDS" && $kind == later ]]; then
                read -r now0 nowc0 _ _ rss0 used0 committed0 <<<"$(memory 0)"
                done=0
                if [[ $PAIRS -gt 0 ]]; then
                    done=$(pairs "$data" "$PAIRS")
                fi
                read -r now1 nowc1 idle1 idlec1 rss1 used1 committed1 <<<"$(memory "$IDLE")"
                eval "MEM_$variant=\"$now0 $nowc0 $rss0 $used0 $committed0 $done $now1 $nowc1 $idle1 $idlec1 $rss1 $used1 $committed1\""
            fi
            stop
        done
    done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END{print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo
echo "otpgate start-up  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  embedded mode (H2), $ROUNDS first and $ROUNDS later starts each, alternating"
for variant in $VARIANTS; do
    read -r now0 nowc0 rss0 used0 committed0 done now1 nowc1 idle1 idlec1 rss1 used1 committed1 <<<"$(eval echo "\$MEM_$variant")"
    case $variant in
        base) label="java -jar $(basename "$BASE")" ;;
        jar) label="java -jar otpgate.jar (as built)" ;;
        otpgate) label="./otpgate (extracted jar, AOT cache, its JVM defaults)" ;;
    esac
    echo "  $label"
    echo "    first start (empty data dir): ready in $(median <<<"${MS[$variant-first]}") ms median (each:${MS[$variant-first]} ms; load average at launch:${LOADS[$variant-first]})"
    echo "    later start (existing data):  ready in $(median <<<"${MS[$variant-later]}") ms median (each:${MS[$variant-later]} ms; load average at launch:${LOADS[$variant-later]})"
    echo "    after start:           RSS $now0 MB, heap $nowc0 MB committed"
    echo "      after a full collection: RSS $rss0 MB, heap $used0 MB live of $committed0 MB committed"
    echo "    right after $done pairs: RSS $now1 MB, heap $nowc1 MB committed"
    [[ $idle1 == - ]] || echo "      after $IDLE s idle:         RSS $idle1 MB, heap $idlec1 MB committed"
    echo "      after a full collection: RSS $rss1 MB, heap $used1 MB live of $committed1 MB committed"
done
echo "  ./otpgate's first start after a build: ready in $TRAINING_MS ms, its training run included (load average $TRAINING_LOAD at launch)"
echo "  (a full collection is jcmd GC.run, read 5 s later; the AOT cache is $(du -m "$ROOT/otpgate-server/target/aot/otpgate.aot" | cut -f1) MB)"
