#!/usr/bin/env bash
# Builds bench/jmh and runs the TOTP benchmark: otpgate's OneTimePasswords against java-otp, same JVM settings,
# same run. Prints ops/µs for each benchmark and the otpgate/java-otp ratios (goal: >= 1.0).
#
#   bench/totp-jmh.sh                  # modest defaults, fit for a shared 2-core machine (~1 min)
#   bench/totp-jmh.sh -t 2             # extra arguments go to JMH and override the defaults (here: 2 threads)
#   MVN_ARGS=-o bench/totp-jmh.sh      # extra Maven arguments, e.g. offline
#   SKIP_BUILD=1 bench/totp-jmh.sh     # reuse bench/jmh/target/benchmarks.jar
#
# Uses $JAVA_HOME/bin/java when JAVA_HOME is set, else java on the PATH (Java 21 or newer).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/jmh/target/benchmarks.jar"
results="$root/bench/jmh/target/totp-jmh.csv"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  # The parent pom is found through relativePath, so this works on a fresh clone without installing anything.
  "$root/mvnw" -q -B ${MVN_ARGS:-} -f "$root/bench/jmh/pom.xml" package
fi

# JMH refuses an option given twice, so a default applies only when the caller did not pass that option.
defaults=(-f 1 -wi 3 -i 5 -w 1s -r 1s -t 1)
args=()
for ((i = 0; i < ${#defaults[@]}; i += 2)); do
  option="${defaults[i]}"
  given=false
  for arg in "$@"; do [[ "$arg" == "$option" ]] && given=true; done
  $given || args+=("$option" "${defaults[i + 1]}")
done

"$java" -version 2>&1 | head -1
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a), $(nproc 2>/dev/null || echo '?') CPUs"
"$java" -jar "$jar" 'dev.otpgate.bench.TotpBenchmark' "${args[@]}" -rf csv -rff "$results" "$@"

# CSV columns: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"
awk -F, '
  NR > 1 {
    gsub(/"/, "", $1); n = split($1, parts, "."); name = parts[n]
    score[name] = $5; error[name] = $6; unit = $7; gsub(/"/, "", unit)
    order[++count] = name
  }
  END {
    printf "\n%-20s %12s %10s  %s\n", "benchmark", "score", "± 99.9%", unit
    for (i = 1; i <= count; i++) printf "%-20s %12.3f %10.3f\n", order[i], score[order[i]], error[order[i]]
    printf "\n"
    if (score["javaOtpGenerate"] > 0)
      printf "generate  otpgate/java-otp            = %.2fx\n", score["otpgateGenerate"] / score["javaOtpGenerate"]
    if (score["javaOtpGenerateInt"] > 0)
      printf "generate  otpgate/java-otp (int only) = %.2fx\n", score["otpgateGenerate"] / score["javaOtpGenerateInt"]
    if (score["javaOtpCheck"] > 0)
      printf "check     otpgate/java-otp            = %.2fx\n", score["otpgateCheck"] / score["javaOtpCheck"]
  }' "$results"
