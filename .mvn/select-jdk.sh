# Sourced by ./mvnw and ./otpgate: otpgate needs JDK 21+. When JAVA_HOME (or the java on the PATH) is
# older, look for a JDK 21+ in the usual install locations and use it for this run.
otpgate_java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}
otpgate_current_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
otpgate_major="$(otpgate_java_major "$otpgate_current_java" 2>/dev/null || true)"
case $- in *f*) otpgate_noglob=1; set +f ;; *) otpgate_noglob= ;; esac
if [ -z "$otpgate_major" ] || [ "$otpgate_major" -lt 21 ]; then
  for otpgate_candidate in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/*; do
    if [ -x "$otpgate_candidate/bin/javac" ]; then
      otpgate_candidate_major="$(otpgate_java_major "$otpgate_candidate/bin/java" || true)"
      if [ -n "$otpgate_candidate_major" ] && [ "$otpgate_candidate_major" -ge 21 ]; then
        JAVA_HOME="$otpgate_candidate"
        export JAVA_HOME
        break
      fi
    fi
  done
fi
[ -z "$otpgate_noglob" ] || set -f
