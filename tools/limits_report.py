#!/usr/bin/env python3
"""The section "MappedRegion and splice at the limit" of docs/benchmarks.md, from one run.

Issue 12's targets: MappedRegion access against MappedByteBuffer (JDK 17, 21, 25), asSegment()
against a shared arena's segment, map + close against a confined arena, map + load against the
raw system calls in both page-cache states, and socket -> file against a raw splice loop (JMH
through FFM, and criterion). Reads the JMH JSON and machine records that tools/limits_run.sh
leaves in build/bench-limits/ and criterion's estimates, and replaces the text between the
section's markers in docs/benchmarks.md (tools/bench_report.py keeps that text when it rewrites
the rest of the file).
"""
import argparse
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_report as br  # noqa: E402  (median, noise, Ratio: one way of judging for both reports)

BEGIN, END = br.LIMITS_BEGIN, br.LIMITS_END

# (label, MappedByteBuffer's benchmark, MappedRegion's benchmark)
ACCESS = [
    ("`getLong`, a random page of 1 GiB", "randomLongBuffer", "randomLongRegion"),
    ("`getLong` scan", "scanLongBuffer", "scanLongRegion"),
    ("`getInt` scan", "scanIntBuffer", "scanIntRegion"),
    ("`get` (byte) scan", "scanByteBuffer", "scanByteRegion"),
    ("`get` (byte) scan, both loops with an `int` index", "scanByteBuffer", "scanByteRegionIntLoop"),
    ("`get` (byte) scan, both loops with a `long` index", "scanByteBufferLongLoop", "scanByteRegion"),
    ("`get(index, byte[4096])` scan", "scanArrayBuffer", "scanArrayRegion"),
    ("`putLong` sequential write", "writeLongBuffer", "writeLongRegion"),
]


def load_jmh(path):
    """{"Class.method" + "[param=value,...]": Stat}; every parameter is part of the key."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        runs = json.load(f)
    results = {}
    for run in runs:
        name = ".".join(run["benchmark"].rsplit(".", 2)[-2:])
        params = ",".join(f"{k}={v}" for k, v in sorted(run.get("params", {}).items()))
        primary = run["primaryMetric"]
        seconds = br.median_of(primary["rawData"]) * br.UNIT_SECONDS[primary["scoreUnit"]]
        results[name + (f"[{params}]" if params else "")] = br.Stat(
            seconds, br.relative_noise(primary), None, None, None, sum(len(f) for f in primary["rawData"]))
    return results


def load_criterion(root):
    """{(group, function): Stat} with the relative half-width of criterion's 95% interval of the median."""
    results = {}
    for group, function, median, _ in br.criterion_estimates(root):
        interval = median["confidence_interval"]
        noise = (interval["upper_bound"] - interval["lower_bound"]) / 2 / median["point_estimate"]
        results[(group, function)] = br.Stat(median["point_estimate"] * 1e-9, noise, None, None, None, None)
    return results


speedup = br.Ratio.speedup  # base's time over stat's: above 1, `stat` is faster


def verdict(ratio, minimum):
    return "not measured" if ratio is None else ratio.judge(minimum)


def cell(ratio):
    return "-" if ratio is None else str(ratio)


def pair_row(labels, ours, theirs, minimum):
    """A table row: labels, both times, our speed-up and its verdict against `minimum`."""
    r = speedup(ours, theirs)
    times = [br.fmt_time(s.seconds) if s else "-" for s in (ours, theirs)]
    return "| " + " | ".join(labels + times + [cell(r), verdict(r, minimum)]) + " |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="build/bench-limits")
    parser.add_argument("--criterion", default="build/bench-limits/criterion")
    parser.add_argument("--doc", default="docs/benchmarks.md")
    parser.add_argument("--note", default="", help="said under the heading: what the records do not")
    args = parser.parse_args()

    jmh = {label: load_jmh(os.path.join(args.results, f"{label}.json"))
           for label in ("jdk17", "jdk21", "jdk25", "jdk25-load", "jdk25-load-written")}
    crit = load_criterion(args.criterion)
    records = []
    for path in sorted(glob.glob(os.path.join(args.results, "machine-*.json"))):
        with open(path) as f:
            records.append(json.load(f))
    records.sort(key=lambda r: r.get("started", ""))
    out = []
    add = out.extend

    first = records[0] if records else {}
    runs = "; ".join(f"{r.get('task', '?')} ({r.get('pageCache', '?')}) {r.get('started', '?')} at "
                     f"{r.get('commit', '?')[:7]}{', tree dirty' if r.get('dirty') else ''}" for r in records)
    add(["## MappedRegion and splice at the limit (issue 12)", "",
         f"A run of its own (`tools/limits_run.sh`: full profile, 3 forks x 5 iterations of 1 s; criterion "
         f"3 s warm-up, 10 s measured), kernel {first.get('kernel', '?')}, {first.get('cores', '?')} cores; "
         f"the JMH tasks as they recorded themselves: {runs}. Written by `tools/limits_report.py`. Each cell is a speed-up of our path over the "
         "reference (above 1.00x ours is faster) with the ± of both results; a target is MET or "
         "MISSED only where the whole range is on one side of it, INCONCLUSIVE otherwise.", ""])
    if args.note:
        add([f"> {args.note}", ""])

    add(["### Access: MappedRegion against MappedByteBuffer (target >= 1.0x on JDK 17, 21 and 25)", "",
         "JMH `MappedAccess`, a loaded 1 GiB file, 64 MiB scanned per operation or one random read. "
         "Loops as a user writes them: the buffer's with an `int` index, the region's with a `long` one; "
         "two rows give both the same loop.", "",
         "| access | JDK 17 | JDK 21 | JDK 25 | verdicts |", "|---|---:|---:|---:|---|"])
    for label, buffer_bench, region_bench in ACCESS:
        ratios = [speedup(jmh[jdk].get("MappedAccess." + region_bench), jmh[jdk].get("MappedAccess." + buffer_bench))
                  for jdk in ("jdk17", "jdk21", "jdk25")]
        verdicts = " / ".join(verdict(r, 1.0) for r in ratios)
        add([f"| {label} | " + " | ".join(cell(r) for r in ratios) + f" | {verdicts} |"])
    add([""])

    j25 = jmh["jdk25"]
    add(["### asSegment() against a shared arena's segment (JDK 25)", "",
         "JMH `SegmentAccess`. Access: the same loaded 1 GiB file through `region.asSegment()`, through "
         "`FileChannel.map(..., Arena.ofShared())` and through MappedByteBuffer. Cycle: map 256 KiB, read "
         "one long through the segment, close (the region, or the shared arena), while other threads "
         "run Java code.", "",
         "| operation | asSegment() | shared arena | MappedByteBuffer | asSegment() over shared arena |",
         "|---|---:|---:|---:|---:|"])
    for label, suffix in (("`get(JAVA_LONG)`, a random page", "randomGetLong"), ("`get(JAVA_LONG)` scan of 64 MiB", "scanLong")):
        region, shared, buffer = (j25.get(f"SegmentAccess.{suffix}{kind}") for kind in ("RegionSegment", "SharedArena", "MappedByteBuffer"))
        add([f"| {label} | " + " | ".join(br.fmt_time(s.seconds) if s else "-" for s in (region, shared, buffer))
             + f" | {cell(speedup(region, shared))} |"])
    for busy in (0, 1, 4, 16):
        region = j25.get(f"SegmentAccess.cycleRegionSegment[busyThreads={busy}]")
        shared = j25.get(f"SegmentAccess.cycleSharedArena[busyThreads={busy}]")
        add([f"| map + read + close, {busy} busy thread{'s' if busy != 1 else ''} | "
             + " | ".join(br.fmt_time(s.seconds) if s else "-" for s in (region, shared)) + " | - | "
             + cell(speedup(region, shared)) + " |"])
    add([""])

    add(["### Close against a confined arena (JDK 25; target >= 1.0x)", "",
         "JMH `MapCloseCycles`: map + close with no access, and with one read (after which the region's "
         "buffers exist, so close puts the placeholder in).", "",
         "| cycle | size | MappedRegion | confined arena | speed-up | verdict |", "|---|---|---:|---:|---:|---|"])
    for label, ours, theirs in (("map + close", "mappedRegion", "confinedArena"),
                                ("map + one read + close", "mappedRegionOneRead", "confinedArenaOneRead")):
        for size in (262144, 1073741824):
            add([pair_row([label, br.size_label(size)], j25.get(f"MapCloseCycles.{ours}[size={size}]"),
                          j25.get(f"MapCloseCycles.{theirs}[size={size}]"), 1.0)])
    add([""])

    add(["### map + load + unmap of 1 GiB against the raw system calls (JDK 25)", "",
         "JMH `MapLoadRaw`, all rows in one run per page-cache state; the raw rows call mmap, madvise and "
         "munmap through FFM. Targets: within 10% of the fastest raw row (>= 0.90x), and >= 1.0x "
         "MappedByteBuffer (map + load() + unmap through Unsafe.invokeCleaner).", "",
         "| page cache | MappedRegion | raw mmap + MADV_POPULATE_READ | raw mmap + a read per 64 KiB | "
         "MappedByteBuffer | over the fastest raw | verdict | over MappedByteBuffer | verdict |",
         "|---|---:|---:|---:|---:|---:|---|---:|---|"])
    for state, label in (("jdk25-load", "readahead (large folios)"), ("jdk25-load-written", "just written (small folios)")):
        runs = jmh[state]
        region, populate, touch, buffer = (runs.get(f"MapLoadRaw.{b}") for b in
                                           ("mappedRegion", "rawPopulateRead", "rawReadPer64KiB", "mappedByteBuffer"))
        raws = [s for s in (populate, touch) if s]
        fastest = min(raws, key=lambda s: s.seconds) if raws else None
        r_raw, r_buffer = speedup(region, fastest), speedup(region, buffer)
        add([f"| {label} | " + " | ".join(br.fmt_time(s.seconds) if s else "-" for s in (region, populate, touch, buffer))
             + f" | {cell(r_raw)} | {verdict(r_raw, 0.9)} | {cell(r_buffer)} | {verdict(r_buffer, 1.0)} |"])
    add([""])

    add(["### Socket -> file against a raw splice loop (target: within 5%, >= 0.95x)", "",
         "JMH `SocketToFileRaw` (JDK 25): `ZeroCopy.transferFrom` and criterion's raw loop (socket -> 1 MiB "
         "pipe -> file, SPLICE_F_MOVE) called through FFM on the same descriptors, same feeder. criterion: "
         "the Rust API against the same raw loop in Rust, socket -> file and socket -> socket (`relay`); "
         "its ± is the 95% interval of the median. Java against the Rust API crosses harnesses: indicative.", "",
         "| path | size | ours | raw splice loop | speed-up | verdict |", "|---|---|---:|---:|---:|---|"])
    for size in (16384, 1073741824):
        add([pair_row(["Java `ZeroCopy.transferFrom` (JMH)", br.size_label(size)],
                      j25.get(f"SocketToFileRaw.zeroCopy[size={size}]"),
                      j25.get(f"SocketToFileRaw.rawSplice[size={size}]"), 0.95)])
    for group, title in (("socket_to_file", "Rust `transfer_from` (criterion)"), ("socket_to_socket", "Rust `relay` (criterion)")):
        for size in ("16KiB", "1GiB"):
            add([pair_row([title, size.replace("KiB", " KiB").replace("GiB", " GiB")],
                          crit.get((f"{group}_{size}", "api")), crit.get((f"{group}_{size}", "raw_splice")), 0.95)])
    add([""])

    section = "\n".join([BEGIN, ""] + out + [END])
    with open(args.doc) as f:
        doc = f.read()
    if BEGIN in doc:
        doc = doc[:doc.index(BEGIN)] + section + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip() + "\n\n" + section + "\n"
    with open(args.doc, "w") as f:
        f.write(doc)
    print(section)


if __name__ == "__main__":
    main()
