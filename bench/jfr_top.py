#!/usr/bin/env python3
"""Summarise a JFR recording's CPU samples: where the server's Java threads spend their time.

Usage: jfr_top.py JFR_TOOL RECORDING [TOP]

Prints the JVM's CPU load (jdk.CPULoad), GC pauses, the share of CPU samples (jdk.CPUTimeSample when the
recording has them, else jdk.ExecutionSample) per component
(each sample is given to the innermost frame that belongs to a known library, walking out from the leaf, so
that a HashMap.get inside Jackson counts as Jackson and an AES-GCM step inside JSSE counts as TLS), the share of samples with TLS anywhere on the stack, and
the top leaf frames.
"""
import collections
import json
import subprocess
import sys

# Walking from the leaf outwards, the first frame whose class starts with one of these prefixes decides.
COMPONENTS = [
    ("TLS (JSSE)", ("sun.security.ssl.",)),
    ("PostgreSQL driver", ("org.postgresql.",)),
    ("Hikari pool", ("com.zaxxer.hikari.",)),
    ("Jackson JSON", ("tools.jackson.", "com.fasterxml.jackson.")),
    ("Tink (destination sealing)", ("com.google.crypto.tink.",)),
    ("libphonenumber", ("com.google.i18n.phonenumbers.",)),
    ("db-scheduler", ("com.github.kagkarlsson.",)),
    ("Micrometer", ("io.micrometer.",)),
    ("logging", ("ch.qos.logback.", "org.slf4j.", "org.apache.logging.")),
    ("Spring Security", ("org.springframework.security.",)),
    ("Spring JDBC / transactions", ("org.springframework.jdbc.", "org.springframework.transaction.")),
    ("Spring MVC / web", ("org.springframework.web.", "org.springframework.http.")),
    ("Spring (other)", ("org.springframework.",)),
    ("Tomcat", ("org.apache.tomcat.", "org.apache.coyote.", "org.apache.catalina.")),
    ("otpgate code", ("dev.otpgate.",)),
]
# JDK crypto frames are passed over: the sample goes to whoever called them (TLS, Tink, otpgate's hashing).
CRYPTO = ("sun.security.", "com.sun.crypto.", "javax.crypto.", "java.security.")


# Work that does nothing for the request, each found by a frame anywhere on the stack. bench/README.md says what
# each cost before it was removed; a share above zero here means it is back.
WASTE = [
    ("class loading from the boot jar (a class looked up, and missed, at steady state)",
     lambda names: any(n.startswith(("org.springframework.boot.loader.net.protocol.jar.JarUrlClassLoader.",
                                     "org.springframework.boot.loader.jar.NestedJarFile.")) for n in names)),
    ("Tink's per-thread Cipher, Mac or SecureRandom made again",
     lambda names: any(n.startswith("com.google.crypto.tink.") for n in names)
     and any(n.endswith((".initialValue", ".setInitialValue", "Random.create", "TCipher.getInstance", "TMac.getInstance"))
             for n in names)),
    ("Spring Security's per-filter observations",
     lambda names: any(n.startswith("org.springframework.security.web.ObservationFilterChainDecorator$") for n in names)
     and any(n.startswith("io.micrometer.") for n in names)),
    ("Spring's per-request ServletRequestHandledEvent",
     lambda names: any(n.endswith("FrameworkServlet.publishRequestHandledEvent") for n in names)),
    ("app settings parsed from JSON",
     lambda names: any(n.startswith("dev.otpgate.apps.AppRepository.map") for n in names)),
    ("Hikari handing a connection back by spinning in Thread.yield",
     lambda names: any(n.endswith("ConcurrentBag.requite") for n in names)
     and any(n == "java.lang.Thread.yield" or n == "java.lang.Thread.yield0" for n in names)),
]


def frame_name(frame):
    method = frame.get("method") or {}
    # JSON output spells classes with '/' (java/lang/String), hidden classes with '.'.
    cls = (method.get("type") or {}).get("name", "?").replace("/", ".")
    return cls, f"{cls}.{method.get('name', '?')}"


def component(frames):
    """(component, the frame that decided it, whether the sample is in JDK crypto code called by it)."""
    in_crypto = False
    for frame in frames:
        cls, method = frame_name(frame)
        for name, prefixes in COMPONENTS:
            if cls.startswith(prefixes):
                return name, method, in_crypto
        if cls.startswith(CRYPTO):
            in_crypto = True
    return ("JDK crypto" if in_crypto else "JDK / other"), None, in_crypto


def thread_group(thread):
    name = (thread or {}).get("javaName") or (thread or {}).get("osName") or ""
    if not name:
        return "unnamed"
    for prefix in ("db-scheduler", "https-jsse-nio", "tomcat-handler", "ForkJoinPool", "HikariPool", "C1 ", "C2 "):
        if name.startswith(prefix):
            return prefix.strip() + "*"
    return name


def main():
    jfr, recording = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    out = subprocess.run([jfr, "print", "--json", "--stack-depth", "512", "--events",
                          "jdk.CPUTimeSample,jdk.ExecutionSample,jdk.CPULoad,jdk.GarbageCollection", recording],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]

    # jdk.CPUTimeSample (JDK 25, when enabled) samples by CPU time consumed; jdk.ExecutionSample by wall clock,
    # a few running threads per period. Prefer the former.
    kind = "jdk.CPUTimeSample" if any(e["type"] == "jdk.CPUTimeSample" for e in events) else "jdk.ExecutionSample"
    samples = [e["values"] for e in events if e["type"] == kind]
    loads = [e["values"] for e in events if e["type"] == "jdk.CPULoad"]
    gcs = [e["values"] for e in events if e["type"] == "jdk.GarbageCollection"]
    if not samples:
        print("no execution samples in", recording)
        return

    if loads:
        user = sum(l["jvmUser"] for l in loads) / len(loads)
        system = sum(l["jvmSystem"] for l in loads) / len(loads)
        machine = sum(l["machineTotal"] for l in loads) / len(loads)
        print(f"JFR: server JVM CPU {100 * (user + system):.0f}% of the machine "
              f"(user {100 * user:.0f}%, system {100 * system:.0f}%), machine total {100 * machine:.0f}%")
    if gcs:
        def millis(v):
            # durations print as ISO-8601 ("PT0.0012S") or as nanoseconds, depending on the JDK.
            if isinstance(v, (int, float)):
                return v / 1e6
            return float(str(v).removeprefix("PT").removesuffix("S") or 0) * 1000
        total = sum(millis(g.get("sumOfPauses", 0)) for g in gcs)
        print(f"JFR: {len(gcs)} garbage collections, {total:.0f} ms of pauses in total")

    by_component = collections.Counter()
    crypto = collections.Counter()
    by_leaf = collections.Counter()
    by_library_frame = collections.Counter()
    by_thread = collections.Counter()
    tls_anywhere = 0
    for s in samples:
        frames = (s.get("stackTrace") or {}).get("frames") or []
        name, method, in_crypto = component(frames)
        by_component[name] += 1
        if method:
            by_library_frame[method] += 1
        if in_crypto:
            crypto[name] += 1
        if frames:
            by_leaf[frame_name(frames[0])[1]] += 1
        by_thread[thread_group(s.get("sampledThread") or s.get("eventThread"))] += 1
        if any(frame_name(f)[0].startswith("sun.security.ssl.") for f in frames):
            tls_anywhere += 1
    n = len(samples)
    print(f"JFR: {n} {kind} samples; {100 * tls_anywhere / n:.0f}% have TLS (sun.security.ssl) on the stack")
    print("  by thread:  " + ", ".join(f"{t} {100 * c / n:.0f}%" for t, c in by_thread.most_common(6)))
    print("  by component (innermost known library on the stack):")
    for name, count in by_component.most_common():
        note = f"  (of which JDK crypto {100 * crypto[name] / n:.1f}%)" if crypto[name] else ""
        print(f"    {100 * count / n:5.1f}%  {name}{note}")
    print(f"  top {top} innermost library frames (the frame that decided the component):")
    for name, count in by_library_frame.most_common(top):
        print(f"    {100 * count / n:5.1f}%  {name}")
    print("  steady-state waste (samples with it anywhere on the stack):")
    for label, test in WASTE:
        count = sum(1 for s in samples
                    if test([frame_name(f)[1] for f in ((s.get("stackTrace") or {}).get("frames") or [])]))
        print(f"    {100 * count / n:5.1f}%  {label}")
    print(f"  top {top} leaf frames:")
    for name, count in by_leaf.most_common(top):
        print(f"    {100 * count / n:5.1f}%  {name}")


if __name__ == "__main__":
    main()
