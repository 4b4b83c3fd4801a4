#!/bin/sh
# The run behind docs/benchmarks.md's section "MappedRegion and splice at the limit" (issue 12):
# full profile, one benchmark task after another, then tools/limits_report.py. About 45 minutes
# on 2 cores; nothing else should run meanwhile. Results in build/bench-limits/.
set -eu
cd "$(dirname "$0")/.."
OUT=build/bench-limits
rm -rf "$OUT"
mkdir -p "$OUT"
# task, JMH include pattern, label of the copied results, extra Gradle arguments
jmh() {
    gradle --no-daemon -q "$1" -Pprofile=full -PbenchInclude="$2" ${4:-} > "$OUT/$3.log" 2>&1
    cp "$(ls -t build/bench/jmh-*.json | head -n 1)" "$OUT/$3.json"
    cp "$(ls -t build/bench/machine-*.json | head -n 1)" "$OUT/machine-$3.json"
}
jmh benchJmhJdk25 'io\.zerocopy\.bench\.(SegmentAccess|SocketToFileRaw|MapCloseCycles|MappedAccess)\.' jdk25
jmh benchJmhJdk25 'io\.zerocopy\.bench\.MapLoadRaw\.' jdk25-load
jmh benchJmhJdk25 'io\.zerocopy\.bench\.MapLoadRaw\.' jdk25-load-written -PbenchPageCache=written
jmh benchJmhJdk17 'io\.zerocopy\.bench\.MappedAccess\.' jdk17
jmh benchJmhJdk21 'io\.zerocopy\.bench\.MappedAccess\.' jdk21
CRITERION_HOME="$OUT/criterion" cargo bench --locked --bench transfer -- 'socket_to_(file|socket)' \
    --noplot --warm-up-time 3 --measurement-time 10 > "$OUT/criterion.log" 2>&1
python3 tools/limits_report.py --results "$OUT" --criterion "$OUT/criterion"
