#!/usr/bin/env bash
# otpgate's TOTP check against Keycloak's, side by side on one machine and one PostgreSQL: right codes for many
# users, open loop at fixed rates and a closed-loop saturation per server, CPU per check of each server and of its
# PostgreSQL backends. See bench/peers/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
JAR=$ROOT/otpgate-server/target/otpgate.jar

usage() {
    cat <<'EOF'
Usage: bench/peers/keycloak-totp.sh [options]
  --users N            users (Keycloak) and TOTP factors (otpgate), each (default 45000). Each code is used once per
                       30 s step, so no phase can go faster than N/30 checks/s; pool_waits in the output say it did
  --rates LIST         open-loop rates in checks/s, comma-separated (default 50,100,200)
  --duration S         seconds of each measured phase (default 30)
  --warmup S           seconds of unmeasured closed-loop load before the first phase of each server (default 60)
  --idle S             seconds with no load after the warm-up, to measure each server's CPU at rest (default 10)
  --connections N      connections of the closed-loop saturation (default 32)
  --open-connections N connections of the open-loop phases (default 64)
  --jar PATH           otpgate jar to measure (default otpgate-server/target/otpgate.jar, built if missing)
  --keycloak VERSION   org.keycloak:keycloak-quarkus-dist version from Maven Central (default 26.7.3)
  --cache DIR          where the Keycloak zip is kept and unpacked (default ~/.cache/otpgate-bench)
  --only NAME          run one server only: keycloak or otpgate (no ratio then)
  --keep               keep the databases and the work directory (server logs, load-generator output)
Environment: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres, trust auth), JAVA_HOME (JDK 21+; default
temurin 25), KC_JAVA_OPTS / OTPGATE_JAVA_OPTS (extra JVM options; none by default for either server).
EOF
}

USERS=45000 RATES=50,100,200 DURATION=30 WARMUP=60 IDLE=10 CONNECTIONS=32 OPEN_CONNECTIONS=64 KC_VERSION=26.7.3
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/otpgate-bench KEEP=0 ONLY=
while [[ $# -gt 0 ]]; do
    case $1 in
        --users) USERS=$2; shift ;;
        --rates) RATES=$2; shift ;;
        --duration) DURATION=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --idle) IDLE=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --open-connections) OPEN_CONNECTIONS=$2; shift ;;
        --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
        --keycloak) KC_VERSION=$2; shift ;;
        --cache) CACHE=$2; shift ;;
        --only) ONLY=$2; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[[ -z $ONLY || $ONLY == keycloak || $ONLY == otpgate ]] || { echo "--only keycloak or --only otpgate" >&2; exit 2; }

log() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "keycloak-totp.sh: $*" >&2; exit 1; }

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGCLIENTENCODING=UTF8
if [[ -z ${JAVA_HOME:-} ]] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
export JAVA_HOME
JAVA=$JAVA_HOME/bin/java
for tool in "$JAVA" curl unzip sha1sum psql createdb dropdb python3 flock; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y curl unzip postgresql-client python3 util-linux; a JDK 21+)"
done
"$JAVA" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])' || die "$JAVA is not a JDK 21+ (set JAVA_HOME)"
psql -d postgres -Atqc 'select 1' >/dev/null || die "cannot reach PostgreSQL at $PGHOST:$PGPORT as $PGUSER"

peer() { "$JAVA" -cp "$WORK/classes" TotpPeer "$@"; }
json() { python3 -c 'import json,sys; v=json.load(sys.stdin); [v := v[k] for k in sys.argv[1:]]; print(v)' "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() { # CPU ticks of the PostgreSQL backends whose title names database $1
    local pid sum=0 title
    for pid in $(ps -C postgres -o pid=); do
        title=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
        [[ $title == *" $1 "* ]] && sum=$((sum + $(ticks "$pid")))
    done
    echo "$sum"
}

# ---- Keycloak: download (checked against Maven Central's .sha1), unpack, build once per option set ----------------
KC_ZIP_URL=https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$KC_VERSION/keycloak-quarkus-dist-$KC_VERSION.zip
KC_HOME=$CACHE/keycloak-$KC_VERSION
# Build-time options (kc.sh build); everything else is given to `start --optimized` below.
KC_BUILD_OPTS=(--db=postgres --health-enabled=true)
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock -n 9 || die "another keycloak-totp.sh run holds $CACHE/.lock"

if [[ $ONLY != otpgate ]]; then
    zip=$CACHE/keycloak-quarkus-dist-$KC_VERSION.zip
    want=$(curl -fsSL "$KC_ZIP_URL.sha1" | awk '{print $1}') || die "could not fetch $KC_ZIP_URL.sha1"
    [[ $want =~ ^[0-9a-f]{40}$ ]] || die "unexpected checksum from $KC_ZIP_URL.sha1: $want"
    if [[ ! -f $zip ]] || [[ $(sha1sum "$zip" | awk '{print $1}') != "$want" ]]; then
        log "downloading $KC_ZIP_URL"
        curl -fSL --retry 3 -o "$zip.part" "$KC_ZIP_URL" || die "download failed"
        [[ $(sha1sum "$zip.part" | awk '{print $1}') == "$want" ]] || { rm -f "$zip.part"; die "checksum mismatch for $zip"; }
        mv "$zip.part" "$zip"
        rm -rf "$KC_HOME"
    fi
    if [[ ! -x $KC_HOME/bin/kc.sh ]] || [[ $(cat "$KC_HOME/.unpacked" 2>/dev/null) != "$want" ]]; then
        log "unpacking into $KC_HOME"
        rm -rf "$KC_HOME" "$CACHE/unpack"
        mkdir -p "$CACHE/unpack"
        unzip -q "$zip" -d "$CACHE/unpack"
        mv "$CACHE/unpack/keycloak-$KC_VERSION" "$KC_HOME"
        rmdir "$CACHE/unpack"
        echo "$want" >"$KC_HOME/.unpacked"
    fi
    if [[ $(cat "$KC_HOME/.built" 2>/dev/null) != "${KC_BUILD_OPTS[*]} $JAVA_HOME" ]]; then
        log "kc.sh build ${KC_BUILD_OPTS[*]}"
        "$KC_HOME/bin/kc.sh" build "${KC_BUILD_OPTS[@]}" >"$CACHE/kc-build.log" 2>&1 \
            || { tail -30 "$CACHE/kc-build.log" >&2; die "kc.sh build failed (log: $CACHE/kc-build.log)"; }
        echo "${KC_BUILD_OPTS[*]} $JAVA_HOME" >"$KC_HOME/.built"
    fi
fi
if [[ $ONLY != keycloak ]]; then
    if [[ ! -f $JAR ]]; then
        log "building $JAR"
        (cd "$ROOT" && ./mvnw -q -B -o package -DskipTests) || die "build failed"
    fi
    [[ -f $JAR ]] || die "$JAR is missing"
fi

# ---- work directory, databases, cleanup -------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/otpgate-peer.XXXXXX)
KC_DB=otpgate_peer_keycloak_$$ OG_DB=otpgate_peer_otpgate_$$
KC_PID= OG_PID= KC_SH=
stop_pid() { # stop_pid PID: TERM, up to 30 s, then KILL
    local pid=$1
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    # Keycloak's JVM may not be known yet when start-up fails: it is the java child of kc.sh.
    [[ -z $KC_PID && -n $KC_SH ]] && KC_PID=$(pgrep -P "$KC_SH" java || true)
    stop_pid "$KC_PID"; stop_pid "$OG_PID"; stop_pid "$KC_SH"
    rm -f "$KC_HOME/data/import/otpgate-peer-realm.json"
    if [[ $KEEP == 1 ]]; then
        echo "kept: databases $KC_DB and $OG_DB, work directory $WORK" >&2
    else
        dropdb --if-exists "$KC_DB" 2>/dev/null || echo "could not drop $KC_DB" >&2
        dropdb --if-exists "$OG_DB" 2>/dev/null || echo "could not drop $OG_DB" >&2
        rm -rf "$WORK"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The load generator is a single source file (java TotpPeer.java works too); compiled once here, not per phase.
"$JAVA_HOME/bin/javac" -d "$WORK/classes" "$HERE/TotpPeer.java" || die "could not compile TotpPeer.java"

BUSY_BEFORE=$(python3 - <<'PY'
import time
def read():
    f = [int(x) for x in open('/proc/stat').readline().split()[1:9]]
    return f[0] + f[1] + f[2] + f[5] + f[6] + f[7], f[3] + f[4]
b0, i0 = read(); time.sleep(3); b1, i1 = read()
print(round(100 * (b1 - b0) / max(1, (b1 - b0) + (i1 - i0))))
PY
)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine busy before the run: ${BUSY_BEFORE}% of $(nproc) cores (load average $LOAD_BEFORE)"

declare -A R  # "server.phase.name" -> value, from the load generator's BENCH lines
PHASES=()
IFS=, read -ra RATE_LIST <<<"$RATES"
for rate in "${RATE_LIST[@]}"; do PHASES+=("open-$rate"); done
PHASES+=(saturation)

# run_phases SERVER PID DB ARGS...: warm-up, the open-loop rates, the closed-loop saturation.
run_phases() {
    local server=$1 pid=$2 db=$3 phase out tag name value
    shift 3
    log "$server: warm-up, ${WARMUP}s closed loop, $CONNECTIONS connections (not measured)"
    peer load "$@" --closed --connections "$CONNECTIONS" --warmup "$WARMUP" --duration 1 \
        >"$WORK/$server-warmup.txt" 2>&1 || { cat "$WORK/$server-warmup.txt" >&2; die "$server warm-up failed"; }
    # What the server burns with no load at all (timers, schedulers, a JIT still compiling after the warm-up): at a
    # low rate this is a large part of the CPU per check.
    local s0 p0 s1 p1
    s0=$(ticks "$pid") p0=$(pg_ticks "$db"); sleep "$IDLE"; s1=$(ticks "$pid") p1=$(pg_ticks "$db")
    R[$server.idle.server_ms_per_s]=$(awk -v d=$((s1 - s0)) -v t="$IDLE" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", d * 1000 / hz / t}')
    R[$server.idle.pg_ms_per_s]=$(awk -v d=$((p1 - p0)) -v t="$IDLE" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", d * 1000 / hz / t}')
    echo "BENCH keycloak-totp $server idle server_cpu_ms_per_s ${R[$server.idle.server_ms_per_s]}"
    echo "BENCH keycloak-totp $server idle pg_cpu_ms_per_s ${R[$server.idle.pg_ms_per_s]}"
    for phase in "${PHASES[@]}"; do
        out=$WORK/$server-$phase.txt
        if [[ $phase == saturation ]]; then
            log "$server: saturation, ${DURATION}s closed loop, $CONNECTIONS connections (after 5 s unmeasured)"
            peer load "$@" --closed --connections "$CONNECTIONS" --warmup 5 --duration "$DURATION" \
                --server-pid "$pid" --pg-db "$db" >"$out" 2>"$out.err" || { cat "$out" "$out.err" >&2; die "$server $phase failed"; }
        else
            log "$server: open loop at ${phase#open-}/s for ${DURATION}s, $OPEN_CONNECTIONS connections (after 5 s unmeasured)"
            peer load "$@" --rate "${phase#open-}" --connections "$OPEN_CONNECTIONS" --warmup 5 --duration "$DURATION" \
                --server-pid "$pid" --pg-db "$db" >"$out" 2>"$out.err" || { cat "$out" "$out.err" >&2; die "$server $phase failed"; }
        fi
        head -5 "$out.err" >&2
        while read -r tag name value; do
            [[ $tag == BENCH ]] || continue
            if [[ $name == unexpected_detail ]]; then
                R[$server.$phase.$name]="${R[$server.$phase.$name]:-}${R[$server.$phase.$name]:+ }$value"
            else
                R[$server.$phase.$name]=$value
            fi
            echo "BENCH keycloak-totp $server $phase $name $value"
        done <"$out"
    done
}

# ---- Keycloak -------------------------------------------------------------------------------------------------
if [[ $ONLY != otpgate ]]; then
    KC_PORT=$(free_port) KC_MGMT=$(free_port)
    KC_ADMIN_PW=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
    log "generating a realm with $USERS users, each with a TOTP credential"
    peer keycloak-realm --users "$USERS" --realm otpgate-peer --client bench --out "$WORK/realm.json" --users-file "$WORK/keycloak-users.txt"
    mkdir -p "$KC_HOME/data/import"
    cp "$WORK/realm.json" "$KC_HOME/data/import/otpgate-peer-realm.json"
    dropdb --if-exists "$KC_DB"; createdb "$KC_DB"
    log "starting Keycloak $KC_VERSION: start --optimized, http on 127.0.0.1:$KC_PORT, database $KC_DB (log: $WORK/keycloak.log)"
    # kc.sh runs java as its child; the JVM is the process measured.
    KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=$KC_ADMIN_PW JAVA_OPTS_APPEND=${KC_JAVA_OPTS:-} \
        "$KC_HOME/bin/kc.sh" start --optimized --import-realm \
        --db-url="jdbc:postgresql://$PGHOST:$PGPORT/$KC_DB" --db-username="$PGUSER" --db-password=unused \
        --http-enabled=true --http-host=127.0.0.1 --http-port="$KC_PORT" --http-management-port="$KC_MGMT" \
        --hostname-strict=false --cache=local >"$WORK/keycloak.log" 2>&1 9>&- &
    KC_SH=$!
    for i in $(seq 300); do
        kill -0 "$KC_SH" 2>/dev/null || { tail -40 "$WORK/keycloak.log" >&2; die "Keycloak exited during start-up (log: $WORK/keycloak.log)"; }
        [[ -z $KC_PID ]] && KC_PID=$(pgrep -P "$KC_SH" java || true)
        curl -sf "http://127.0.0.1:$KC_MGMT/health/ready" 2>/dev/null | grep -q '"UP"' && break
        [[ $i == 300 ]] && { tail -40 "$WORK/keycloak.log" >&2; die "Keycloak was not ready after 300 s"; }
        sleep 1
    done
    [[ -n $KC_PID ]] || die "could not find Keycloak's JVM (child of kc.sh $KC_SH)"
    rm -f "$KC_HOME/data/import/otpgate-peer-realm.json"
    log "Keycloak ready (JVM pid $KC_PID); creating the username+OTP direct-grant flow"
    KC=http://127.0.0.1:$KC_PORT
    ADMIN_TOKEN=$(curl -sSf -d grant_type=password -d client_id=admin-cli -d username=admin \
        --data-urlencode "password=$KC_ADMIN_PW" "$KC/realms/master/protocol/openid-connect/token" | json access_token)
    kc_admin() { # kc_admin METHOD PATH [JSON]
        curl -sSf -X "$1" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
            ${3:+-d "$3"} "$KC/admin/realms/otpgate-peer$2"
    }
    # A copy of the direct grant flow with only "Username Validation" and "OTP", both required (no password).
    kc_admin POST /authentication/flows \
        '{"alias":"otp-only-grant","description":"username and OTP","providerId":"basic-flow","topLevel":true,"builtIn":false}'
    kc_admin POST /authentication/flows/otp-only-grant/executions/execution '{"provider":"direct-grant-validate-username"}'
    kc_admin POST /authentication/flows/otp-only-grant/executions/execution '{"provider":"direct-grant-validate-otp"}'
    kc_admin GET /authentication/flows/otp-only-grant/executions >"$WORK/kc-executions.json"
    python3 - "$WORK/kc-executions.json" >"$WORK/kc-required.txt" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])):
    e["requirement"] = "REQUIRED"
    print(json.dumps(e))
PY
    while read -r execution; do kc_admin PUT /authentication/flows/otp-only-grant/executions "$execution"; done <"$WORK/kc-required.txt"
    kc_admin PUT "" '{"directGrantFlow":"otp-only-grant"}'
    FLOW=$(kc_admin GET /authentication/flows/otp-only-grant/executions \
        | python3 -c 'import json,sys; print(" ".join(e["providerId"] + "=" + e["requirement"] for e in json.load(sys.stdin)))')
    [[ $FLOW == "direct-grant-validate-username=REQUIRED direct-grant-validate-otp=REQUIRED" ]] || die "unexpected flow: $FLOW"
    [[ $(kc_admin GET "" | json directGrantFlow) == otp-only-grant ]] || die "the realm does not use the flow"
    # One wrong code must be refused, or the flow is not checking OTPs at all.
    status=$(curl -s -o /dev/null -w '%{http_code}' -d grant_type=password -d client_id=bench -d username=user-000000 \
        -d otp=000000 "$KC/realms/otpgate-peer/protocol/openid-connect/token")
    [[ $status == 400 || $status == 401 ]] || die "a wrong code answered $status, not 400"
    log "flow: $FLOW"

    run_phases keycloak "$KC_PID" "$KC_DB" --target keycloak --port "$KC_PORT" --realm otpgate-peer --client bench \
        --users-file "$WORK/keycloak-users.txt"
    log "stopping Keycloak"
    stop_pid "$KC_PID"; KC_PID=
    wait "$KC_SH" 2>/dev/null || true
    KC_SH=
fi

# ---- otpgate --------------------------------------------------------------------------------------------------
if [[ $ONLY != keycloak ]]; then
    OG_PORT=$(free_port) OG_MGMT=$(free_port)
    dropdb --if-exists "$OG_DB"; createdb "$OG_DB"
    ADMIN_KEY=$("$JAVA" -jar "$JAR" generate-key)
    log "starting otpgate ($(basename "$JAR")): production mode, plain HTTP (behind-proxy) on 127.0.0.1:$OG_PORT, database $OG_DB (log: $WORK/otpgate.log)"
    # shellcheck disable=SC2086
    OTPGATE_MASTER_KEY=$(head -c 32 /dev/urandom | base64) "$JAVA" ${OTPGATE_JAVA_OPTS:-} -jar "$JAR" \
        --otpgate.mode=production \
        --otpgate.tls.behind-proxy=true \
        --server.address=127.0.0.1 --management.server.address=127.0.0.1 \
        --spring.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/$OG_DB" \
        --spring.datasource.username="$PGUSER" \
        --otpgate.data-dir="$WORK/otpgate-data" \
        --server.port="$OG_PORT" \
        --management.server.port="$OG_MGMT" \
        --otpgate.bootstrap-admin-key="$ADMIN_KEY" \
        >"$WORK/otpgate.log" 2>&1 9>&- &
    OG_PID=$!
    for i in $(seq 360); do
        kill -0 "$OG_PID" 2>/dev/null || { tail -40 "$WORK/otpgate.log" >&2; die "otpgate exited during start-up"; }
        curl -sf "http://127.0.0.1:$OG_MGMT/actuator/health/readiness" 2>/dev/null | grep -q '"UP"' && break
        [[ $i == 360 ]] && { tail -40 "$WORK/otpgate.log" >&2; die "otpgate was not ready after 180 s"; }
        sleep 0.5
    done
    api() { # api METHOD PATH KEY [BODY]
        curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
            ${4:+-d "$4"} "http://127.0.0.1:$OG_PORT$2"
    }
    for i in $(seq 20); do
        if APP=$(api POST /v1/apps "$ADMIN_KEY" '{"name":"Bench"}' 2>"$WORK/curl.err"); then break; fi
        [[ $i == 20 ]] && { cat "$WORK/curl.err" >&2; die "could not create the app"; }
        sleep 0.5
    done
    APP_ID=$(json id <<<"$APP")
    MANAGE_KEY=$(api POST "/v1/apps/$APP_ID/api-keys" "$ADMIN_KEY" '{"name":"enrol","scopes":["totp:manage"]}' | json secret)
    CHECK_KEY=$(api POST "/v1/apps/$APP_ID/api-keys" "$ADMIN_KEY" '{"name":"check","scopes":["totp:check"]}' | json secret)
    log "otpgate ready (pid $OG_PID); enrolling and activating $USERS TOTP factors"
    t0=$SECONDS
    peer otpgate-enrol --port "$OG_PORT" --key "$MANAGE_KEY" --users "$USERS" --connections 8 \
        --users-file "$WORK/otpgate-users.txt" || die "enrolment failed"
    log "enrolled $USERS factors in $((SECONDS - t0)) s"
    # autovacuum is off on this machine's PostgreSQL: analyse once, as autovacuum would after the enrolment.
    psql -d "$OG_DB" -qc 'VACUUM ANALYZE' || die "VACUUM ANALYZE failed"
    psql -d "$OG_DB" -Atc 'show autovacuum' | grep -q on || log "autovacuum is off here: vacuumed and analysed $OG_DB after the enrolment"

    run_phases otpgate "$OG_PID" "$OG_DB" --target otpgate --port "$OG_PORT" --key "$CHECK_KEY" \
        --users-file "$WORK/otpgate-users.txt"
    log "stopping otpgate"
    stop_pid "$OG_PID"; OG_PID=
fi

# ---- report ---------------------------------------------------------------------------------------------------
v() { echo "${R[$1]:--}"; }
echo
echo "keycloak-totp  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  otpgate $JAR (worktree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))  Keycloak $KC_VERSION  $("$JAVA" -version 2>&1 | head -1)"
echo "machine ${BUSY_BEFORE}% busy before the run, load average $LOAD_BEFORE before and $(cut -d' ' -f1-3 /proc/loadavg) after; $USERS users/factors"
echo "check = Keycloak: POST /realms/otpgate-peer/protocol/openid-connect/token (password grant, flow: username + OTP, no password)"
echo "        otpgate:  POST /v1/totp-factors/{id}/check with an API key (totp:check); both plain HTTP/1.1 on loopback"
for server in keycloak otpgate; do
    [[ -n $ONLY && $ONLY != "$server" ]] && continue
    echo
    printf '%-9s %-11s %9s %9s %9s %9s %8s %6s %8s %8s %10s %10s  %s\n' "$server" phase "checks/s" "p50 ms" "p99 ms" \
        "p99.9 ms" errors waits "srv ms" "pg ms" "chk/srv-s" "chk/+pg-s" "cpu srv/pg/client/other/idle %"
    echo "          at rest after the warm-up: server ${R[$server.idle.server_ms_per_s]:--} ms CPU per second, its postgres ${R[$server.idle.pg_ms_per_s]:--} ms/s"
    for phase in "${PHASES[@]}"; do
        p=$server.$phase
        printf '%-9s %-11s %9s %9s %9s %9s %8s %6s %8s %8s %10s %10s  %s\n' "" "$phase" "$(v "$p.checks_per_s")" \
            "$(v "$p.latency_p50_ms")" "$(v "$p.latency_p99_ms")" "$(v "$p.latency_p99.9_ms")" \
            "$(( ${R[$p.unexpected]:-0} + ${R[$p.failed_requests]:-0} ))" "$(v "$p.pool_waits")" \
            "$(v "$p.cpu_server_ms_per_check")" "$(v "$p.cpu_pg_ms_per_check")" "$(v "$p.checks_per_server_cpu_s")" \
            "$(v "$p.checks_per_server_pg_cpu_s")" \
            "$(v "$p.share_server_pct")/$(v "$p.share_pg_pct")/$(v "$p.share_client_pct")/$(v "$p.share_other_pct")/$(v "$p.share_idle_pct")"
        [[ -n ${R[$p.unexpected_detail]:-} ]] && echo "                      unexpected answers: ${R[$p.unexpected_detail]}"
        [[ ${R[$p.pool_waits]:-0} != 0 ]] && echo "                      ${R[$p.pool_waits]} times every user had been used in the step, and checks waited for the next one: a bigger --users"
        [[ ${R[$p.unfinished]:-0} != 0 ]] && echo "                      ${R[$p.unfinished]} checks still unanswered 30 s after the phase"
    done
done
if [[ -z $ONLY ]]; then
    echo
    echo "ratio: otpgate checks per CPU-second ÷ Keycloak's (goal ≥ 10×)"
    printf '  %-11s %14s %18s\n' phase "server only" "server + postgres"
    for phase in "${PHASES[@]}"; do
        read -r a b <<<"$(awk -v o="$(v "otpgate.$phase.checks_per_server_cpu_s")" -v k="$(v "keycloak.$phase.checks_per_server_cpu_s")" \
            -v op="$(v "otpgate.$phase.checks_per_server_pg_cpu_s")" -v kp="$(v "keycloak.$phase.checks_per_server_pg_cpu_s")" \
            'BEGIN { if (k > 0 && o > 0) printf "%.1f ", o / k; else printf "- "; if (kp > 0 && op > 0) printf "%.1f", op / kp; else printf "-" }')"
        printf '  %-11s %13s× %17s×\n' "$phase" "$a" "$b"
        echo "BENCH keycloak-totp ratio $phase checks_per_server_cpu_s $a"
        echo "BENCH keycloak-totp ratio $phase checks_per_server_pg_cpu_s $b"
    done
    read -r s <<<"$(awk -v o="$(v otpgate.saturation.checks_per_s)" -v k="$(v keycloak.saturation.checks_per_s)" \
        'BEGIN { if (k > 0) printf "%.1f", o / k; else print "-" }')"
    echo "  saturation checks/s, otpgate ÷ Keycloak: ${s}× (both on the same $(nproc) cores with the load generator and PostgreSQL)"
    echo "BENCH keycloak-totp ratio saturation checks_per_s $s"
fi
