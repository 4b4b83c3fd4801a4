#!/bin/sh
# Profiles of the benchmark targets that were missed (README, "Why the misses"): system calls
# per operation from strace -c, and where the CPU time goes from perf (cpu-clock samples; this
# VM has no hardware counters). Needs JDK 22+ (default: the JDK 25 below), strace, perf (as
# root, or with kernel.perf_event_paranoid at most 1) and the jar (gradle jar). Writes
# build/profiles/report.txt; docs/profiles.txt is a run of it.
set -eu
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAR=$(ls build/libs/zerocopy-jni-*.jar | head -n 1)
OUT=build/profiles
JAVA="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
mkdir -p "$OUT/classes"
"$JAVA_HOME/bin/javac" -d "$OUT/classes" -cp "$JAR" tools/MissProfile.java \
    java/src/bench-support/java/io/zerocopy/benchsupport/Unmapper.java
[ -f "$OUT/16k" ] || head -c 16384 /dev/urandom > "$OUT/16k"
[ -f "$OUT/256k" ] || head -c 262144 /dev/urandom > "$OUT/256k"
[ -f "$OUT/1g" ] || head -c 1073741824 /dev/urandom > "$OUT/1g"
# In the page cache as the JMH benchmarks have it by default: evicted, then read back
# through readahead (see BenchFiles).
for f in "$OUT/16k" "$OUT/256k" "$OUT/1g"; do
    dd if="$f" iflag=nocache count=0 status=none
    cat "$f" > /dev/null
done

# strace -c's table, as "syscall calls errors" lines.
counts() {
    strace -f -c -o "$OUT/strace.txt" $JAVA -cp "$JAR:$OUT/classes" MissProfile "$@" > /dev/null
    # rows are "% seconds usecs/call calls [errors] syscall"
    awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { print $NF, $4, (NF == 6 ? $5 : 0) }' "$OUT/strace.txt"
}

# System calls per iteration: the difference between runs of N and 2N iterations, over N.
syscalls_per_op() {
    counts "$1" "$2" "$3" > "$OUT/a.txt"
    counts "$1" "$2" $(($3 * 2)) > "$OUT/b.txt"
    echo "$1, system calls per iteration (strace -f -c: runs of $3 and $(($3 * 2)), difference over $3):"
    awk -v n="$3" 'NR == FNR { calls[$1] = $2; errors[$1] = $3; next }
        { c = ($2 - calls[$1]) / n; e = ($3 - errors[$1]) / n
          if (c >= 0.05) printf "  %-20s %6.2f calls  %6.2f failed\n", $1, c, e }' "$OUT/a.txt" "$OUT/b.txt"
}

# Where the CPU goes: by thread and object, then the hottest symbols.
perf_profile() {
    perf record -q -e cpu-clock -F 1999 -o "$OUT/perf.data" -- \
        $JAVA -cp "$JAR:$OUT/classes" MissProfile "$@" > "$OUT/perf-run.txt"
    echo "$1, CPU samples (perf record -e cpu-clock, whole process):"
    grep -v checksum "$OUT/perf-run.txt"
    perf report -i "$OUT/perf.data" --stdio --sort comm,dso 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 8
    echo "  hottest symbols:"
    perf report -i "$OUT/perf.data" --stdio --sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 12
}

# compare TITLE FILE STRACE_ITERATIONS PERF_ITERATIONS CASE...
compare() {
    title=$1 file=$2 strace_iterations=$3 perf_iterations=$4
    shift 4
    echo
    echo "== $title =="
    for c in "$@"; do syscalls_per_op "$c" "$file" "$strace_iterations"; done
    for c in "$@"; do perf_profile "$c" "$file" "$perf_iterations"; done
}

{
    echo "Profiles of the missed targets, $(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) cores,"
    echo "$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1), commit $(git rev-parse --short HEAD)"
    compare "16 KiB file -> loopback socket" "$OUT/16k" 20000 300000 sendZeroCopy sendFileChannel
    compare "map + load + unmap, 1 GiB" "$OUT/1g" 5 40 loadMappedRegion loadMappedByteBuffer
    compare "map + close, 1 GiB, no access" "$OUT/1g" 20000 200000 closeMappedRegion closeConfinedArena
    compare "map + one read + close, 256 KiB" "$OUT/256k" 20000 100000 \
        closeMappedRegionOneRead closeConfinedArenaOneRead
    # The other state: pages cached by the writes that made the file, in smaller folios.
    head -c 1073741824 /dev/urandom > "$OUT/1g"
    sync
    compare "map + load + unmap, 1 GiB, the file just written by head -c" "$OUT/1g" 5 40 \
        loadMappedRegion loadMappedByteBuffer
} 2>&1 | tee "$OUT/report.txt"
