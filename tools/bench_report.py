#!/usr/bin/env python3
"""Writes docs/benchmarks.md and docs/benchmarks.svg from the benchmark results under build/.

Inputs: JMH JSON (build/bench/jmh-jdk17.json, jmh-jdk25.json), criterion's output
(build/criterion/<group>/<function>/new/{benchmark,estimates}.json) and the machine as each
benchmark task found it when it started (build/bench/machine-<task>.json). Every figure is a
median: of all measured JMH iterations (forks x iterations), and criterion's median per
iteration. Ratios compare results of the same run; a target is judged only where the ratio
clears the run's noise. Prints the README's headline rows at the end, to paste.

Python 3 standard library only; run by `gradle benchReport` (and `gradle bench`).
"""

import argparse
import datetime
import glob
import json
import math
import os
import statistics
import sys

GiB = 1 << 30
JDKS = ["jdk17", "jdk25"]
JDK_NAMES = {"jdk17": "JDK 17", "jdk25": "JDK 25"}

# JMH benchmark -> what the tables call it, and the row its ratio is to (None: a baseline).
# Order is table order.
FILE_TO_SOCKET = [
    ("FileToSocket.zeroCopy", "ZeroCopy.transferTo", "FileToSocket.fileChannel"),
    ("FileToSocket.zeroCopyWithHeader", "ZeroCopy.transferTo, 200 B header", "FileToSocket.fileChannelWithHeader"),
    ("FileToSocket.fileChannel", "FileChannel.transferTo", None),
    ("FileToSocket.fileChannelWithHeader", "write(header) + FileChannel.transferTo", None),
    ("FileToSocket.readWriteHeap8k", "read + write, 8 KiB heap buffer", "FileToSocket.fileChannel"),
    ("FileToSocket.readWriteDirect64k", "read + write, 64 KiB direct buffer", "FileToSocket.fileChannel"),
    ("FileToSocket.mmapWrite", "FileChannel.map + write", "FileToSocket.fileChannel"),
]
FILE_TO_FILE = [
    ("FileToFile.zeroCopy", "ZeroCopy.transferTo", "FileToFile.fileChannel"),
    ("FileToFile.fileChannel", "FileChannel.transferTo", None),
    ("FileToFile.filesCopy", "Files.copy (a new file each time)", "FileToFile.fileChannel"),
]
SOCKET_TO_FILE = [
    ("SocketToFile.zeroCopy", "ZeroCopy.transferFrom", "SocketToFile.fileChannel"),
    ("SocketToFile.fileChannel", "FileChannel.transferFrom", None),
]
SOCKET_TO_SOCKET = [
    ("SocketToSocket.zeroCopyRelay", "ZeroCopy.relay", "SocketToSocket.readWriteDirect64k"),
    ("SocketToSocket.readWriteDirect64k", "read + write, 64 KiB direct buffer", None),
]
# File -> socket with the raw system call in the same JMH run (JDK 25: FFM).
RAW_SENDFILE = [
    ("FileToSocketRaw.rawSendfile", "raw sendfile loop (FFM downcall)", None),
    ("FileToSocketRaw.zeroCopy", "ZeroCopy.transferTo", "FileToSocketRaw.rawSendfile"),
    ("FileToSocketRaw.fileChannel", "FileChannel.transferTo", "FileToSocketRaw.rawSendfile"),
]
# (operation, [(benchmark, implementation)]); the first implementation is the baseline.
MAPPED = [
    ("map + load, 1 GiB", [
        ("MappedByteBufferBench.mapLoadUnmap", "FileChannel.map + load() + unmap (Unsafe.invokeCleaner)"),
        ("MappedByteBufferBench.mapLoad", "FileChannel.map + load(), no unmap (left to GC: less work)"),
        ("MappedRegionBench.mapLoadClose", "MappedRegion map + load + close (unmaps)"),
        ("MemorySegmentBench.mapLoadCloseConfined", "map(Arena) + load + close, confined"),
        ("MemorySegmentBench.mapLoadCloseShared", "map(Arena) + load + close, shared"),
    ]),
    ("isLoaded, 1 GiB loaded", [
        ("MappedByteBufferBench.isLoaded", "MappedByteBuffer.isLoaded()"),
        ("MappedRegionBench.isLoaded", "MappedRegion.isLoaded()"),
        ("MemorySegmentBench.isLoaded", "MemorySegment.isLoaded()"),
    ]),
    ("force, 1 dirty page in 1 GiB", [
        ("MappedByteBufferBench.forceOnePage", "MappedByteBuffer.force()"),
        ("MappedRegionBench.forceOnePage", "MappedRegion.force()"),
    ]),
    ("getLong, random pages of 1 GiB", [
        ("MappedByteBufferBench.randomGetLong", "MappedByteBuffer.getLong"),
        ("MappedRegionBench.randomGetLong", "MappedRegion.getLong"),
        ("MemorySegmentBench.randomGetLong", "MemorySegment.get(JAVA_LONG)"),
    ]),
]
# Map + close cycles on JDK 25 (issue 4), the speed-up over the confined arena of the same size.
MAP_CLOSE = [
    ("MapCloseCycles.confinedArena", "FileChannel.map(Arena) + close, confined", None),
    ("MapCloseCycles.mappedRegion", "MappedRegion map + close", "MapCloseCycles.confinedArena"),
    ("MapCloseCycles.confinedArenaOneRead", "confined arena, one read", None),
    ("MapCloseCycles.mappedRegionOneRead", "MappedRegion, one read", "MapCloseCycles.confinedArenaOneRead"),
    ("MapCloseCycles.sharedArenaBusyThread", "shared arena, 1 other thread busy", None),
    ("MapCloseCycles.mappedRegionBusyThread", "MappedRegion, 1 other thread busy", "MapCloseCycles.sharedArenaBusyThread"),
]
# criterion group prefix -> (title, the raw loop that is the baseline, other functions, what
# the "api" row is). Each group has "api", the crate's own call.
CRITERION = [
    ("file_to_socket", "file -> socket", "raw_sendfile", [], "Rust API"),
    ("file_to_file", "file -> file", "raw_copy_file_range", [], "Rust API"),
    ("socket_to_file", "socket -> file", "raw_splice", [], "Rust API"),
    ("map_load_close", "map + load + close", "raw_mmap_populate_read",
     ["raw_mmap_willneed_touch", "raw_mmap_touch_64k"],
     "Rust API: its load() is MADV_POPULATE_READ only, NOT the Java MappedRegion.load() path "
     "(WILLNEED + a Java read per 64 KiB + populate of what is missing)"),
    ("is_loaded", "residency (isLoaded)", "raw_mincore", [], "Rust API"),
]
CRITERION_NAMES = {
    "raw_sendfile": "raw sendfile loop",
    "raw_copy_file_range": "raw copy_file_range loop",
    "raw_splice": "raw splice loop (socket -> pipe -> file)",
    "raw_mmap_populate_read": "raw mmap + MADV_POPULATE_READ + munmap",
    "raw_mmap_willneed_touch": "raw mmap + MADV_WILLNEED + a read per page + munmap (the JDK's load, in Rust)",
    "raw_mmap_touch_64k": "raw mmap + a read per 64 KiB + munmap",
    "raw_mincore": "raw mincore",
}

UNIT_SECONDS = {"ns/op": 1e-9, "us/op": 1e-6, "ms/op": 1e-3, "s/op": 1.0}


class Stat:
    """Medians of one benchmark in one run, and how noisy it was."""

    def __init__(self, seconds, noise, bytes_per_op, cpu_ms_per_gib, sys_share, samples):
        self.seconds = seconds
        self.noise = noise  # relative uncertainty of the time, or None if unknown
        self.bytes_per_op = bytes_per_op
        self.cpu_ms_per_gib = cpu_ms_per_gib
        self.sys_share = sys_share
        self.samples = samples

    @property
    def gib_per_s(self):
        return self.bytes_per_op / self.seconds / GiB if self.bytes_per_op else None


def median_of(raw):
    """Median of JMH rawData: a list per fork of per-iteration values."""
    values = [v for fork in raw for v in fork]
    return statistics.median(values) if values else None


def relative_noise(primary):
    """JMH's scoreError (the 99.9% confidence half-width) over its score; where JMH gives none
    (fewer than 3 iterations), half the spread of the iterations over their median; None for a
    single iteration."""
    error, score = float(primary.get("scoreError", "nan")), float(primary.get("score", "nan"))
    if math.isfinite(error) and score > 0:
        return error / score
    values = [v for fork in primary["rawData"] for v in fork]
    if len(values) >= 2:
        return (max(values) - min(values)) / 2 / statistics.median(values)
    return None


class Ratio:
    """A ratio of two results of the same run, above 1: the first is faster. Its noise is both
    results' relative noise added in quadrature (independent runs)."""

    def __init__(self, value, noise):
        self.value = value
        self.noise = noise

    @staticmethod
    def speedup(stat, base):
        """Throughput of `stat` over `base` (time ratio where no bytes were counted)."""
        if stat is None or base is None:
            return None
        if stat.bytes_per_op and base.bytes_per_op:
            value = stat.gib_per_s / base.gib_per_s
        else:
            value = base.seconds / stat.seconds
        noise = None if stat.noise is None or base.noise is None else math.hypot(stat.noise, base.noise)
        return Ratio(value, noise)

    def judge(self, minimum):
        """MET or MISSED only where the whole noise range is on one side of `minimum`."""
        if self.noise is None:
            return "INCONCLUSIVE"
        if self.value * (1 - self.noise) >= minimum:
            return "MET"
        if self.value * (1 + self.noise) < minimum:
            return "MISSED"
        return "INCONCLUSIVE"

    def __str__(self):
        noise = "± ?" if self.noise is None else f"± {self.value * self.noise:.2f}"
        return f"{self.value:.2f}x {noise}"


def load_jmh(path):
    """{(benchmark, size or None): Stat} and the run's settings, or ({}, None) if absent."""
    if not os.path.exists(path):
        return {}, None
    try:
        with open(path) as f:
            runs = json.load(f)
    except json.JSONDecodeError as e:  # a run still going, or one that was stopped
        print(f"warning: {path} is not complete JSON ({e}): left out", file=sys.stderr)
        return {}, None
    results = {}
    for run in runs:
        name = run["benchmark"].rsplit(".", 2)
        name = name[-2] + "." + name[-1]
        size = int(run["params"]["size"]) if "size" in run.get("params", {}) else None
        primary = run["primaryMetric"]
        seconds = median_of(primary["rawData"]) * UNIT_SECONDS[primary["scoreUnit"]]
        secondary = {k.split(":")[-1].lstrip("\u00b7"): v for k, v in run.get("secondaryMetrics", {}).items()}

        def metric(key):
            return median_of(secondary[key]["rawData"]) if key in secondary else None

        results[(name, size)] = Stat(seconds, relative_noise(primary), metric("bytes.per.op"),
                                     metric("cpu.ms.per.GiB"), metric("cpu.sys.share"),
                                     sum(len(f) for f in primary["rawData"]))
    settings = runs[0] if runs else None
    return results, settings


def load_machine_records(results_dir):
    """The machine-<task>.json records that `gradle bench` wrote as each task started."""
    records = []
    for path in sorted(glob.glob(os.path.join(results_dir, "machine-*.json"))):
        try:
            with open(path) as f:
                records.append(json.load(f))
        except (OSError, json.JSONDecodeError) as e:
            print(f"warning: {path}: {e}: left out", file=sys.stderr)
    return sorted(records, key=lambda r: r.get("started", ""))


def criterion_estimates(root):
    """(group, function, median estimate, bytes per iteration) of each criterion benchmark."""
    for path in glob.glob(os.path.join(root, "**", "new", "benchmark.json"), recursive=True):
        with open(path) as f:
            bench = json.load(f)
        with open(os.path.join(os.path.dirname(path), "estimates.json")) as f:
            estimates = json.load(f)
        throughput = bench.get("throughput") or {}
        yield bench["group_id"], bench["function_id"], estimates["median"], throughput.get("Bytes")


def load_criterion(root):
    """{(group, function): (median seconds per iteration, bytes per iteration)}."""
    return {(group, function): (median["point_estimate"] * 1e-9, size)
            for group, function, median, size in criterion_estimates(root)}


def size_label(size):
    for unit, scale in (("GiB", GiB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size // scale} {unit}"
    return f"{size} B"


def parse_size(label):
    """"16KiB" -> 16384: the size in a criterion group's name."""
    for unit, scale in (("GiB", GiB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if label.endswith(unit):
            return int(label[:-len(unit)]) * scale
    return int(label)


def criterion_size_label(size):
    return size_label(size).replace(" ", "")


def fmt_time(seconds):
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_gib(value):
    return "-" if value is None else f"{value:.2f}"


def fmt_ratio(r):
    return "" if r is None else f" ({r.value:.2f}x)"


def machine(records, settings_by_jdk):
    """Rows of the machine table, from what each task recorded when it started."""
    if not records:
        return [("machine", "not recorded with these results (no build/bench/machine-<task>.json)")]
    rows = []

    def same_for_all(label, key):
        values = [(r.get("task", "?"), r.get(key, "unknown")) for r in records]
        if len({v for (_, v) in values}) == 1:
            rows.append((label, values[0][1]))
        else:  # the machine changed between tasks: say so
            rows.append((label, "; ".join(f"{task}: {v}" for (task, v) in values)))

    same_for_all("cores", "cores")
    same_for_all("CPU", "cpu")
    for r in records:  # /proc/meminfo's "24683584 kB"
        amount = r.get("memory", "").split()
        if len(amount) == 2 and amount[0].isdigit() and amount[1] == "kB":
            r["memory"] = f"{int(amount[0]) / (1 << 20):.1f} GiB"
    same_for_all("memory", "memory")
    same_for_all("kernel", "kernel")
    same_for_all("page cache (JMH data files)", "pageCache")
    for jdk in JDKS:
        s = settings_by_jdk.get(jdk)
        if s:  # as the JMH run itself reported it
            rows.append((JDK_NAMES[jdk], f"{s['jdkVersion']} ({s['vmName']} {s['vmVersion']}), {s['jvm']}"))
        else:
            same_for_all(JDK_NAMES[jdk] + " (not run)", jdk)
    same_for_all("Rust", "rustc")
    for r in records:
        commit = r.get("commit", "unknown") + (" with uncommitted changes" if r.get("dirty") else "")
        rows.append((f"{r.get('task', '?')} started", f"{r.get('started', 'unknown')}, load average "
                     f"{r.get('loadAverage', 'unknown')}, commit {commit}"))
    any_settings = next((s for s in settings_by_jdk.values() if s), None)
    if any_settings:
        s = any_settings
        rows.append(("JMH", f"{s['jmhVersion']}: {s['forks']} fork(s), {s['warmupIterations']} warm-up x "
                            f"{s['warmupTime']}, {s['measurementIterations']} iterations x {s['measurementTime']}"))
    return rows


class Report:
    def __init__(self, jmh, criterion):
        self.jmh = jmh  # {jdk: {(bench, size): Stat}}
        self.criterion = criterion
        self.lines = []

    def add(self, *lines):
        self.lines.extend(lines)

    def get(self, jdk, bench, size):
        return self.jmh.get(jdk, {}).get((bench, size))

    def sizes(self, paths):
        benches = {bench for (bench, _, _) in paths}
        return sorted({size for jdk in JDKS for (bench, size) in self.jmh.get(jdk, {}) if bench in benches})

    def size_tables(self, paths, jdks, ratio_caption, cpu=True):
        """Throughput (or time) per size, with each row's ratio to its baseline row."""
        sizes = self.sizes(paths)
        if not sizes:
            self.add("Not measured in this run.", "")
            return
        header = "| path | JDK | " + " | ".join(size_label(s) for s in sizes) + " |"
        rule = "|---|---|" + "---:|" * len(sizes)
        self.add(ratio_caption, "", header, rule)
        for bench, label, baseline in paths:
            for jdk in jdks:
                cells = []
                for size in sizes:
                    stat = self.get(jdk, bench, size)
                    if stat is None:
                        cells.append("-")
                        continue
                    r = Ratio.speedup(stat, self.get(jdk, baseline, size)) if baseline else None
                    value = fmt_gib(stat.gib_per_s) if stat.bytes_per_op else fmt_time(stat.seconds)
                    cells.append(value + fmt_ratio(r))
                if any(c != "-" for c in cells):
                    self.add(f"| {label} | {JDK_NAMES[jdk][4:]} | " + " | ".join(cells) + " |")
        self.add("")
        if not cpu:
            return
        self.add("CPU time per GiB moved, in ms (process: all threads, user + system; share in the kernel):",
                 "", header, rule)
        for bench, label, _ in paths:
            for jdk in jdks:
                cells = []
                for size in sizes:
                    stat = self.get(jdk, bench, size)
                    if stat is None or stat.cpu_ms_per_gib is None:
                        cells.append("-")
                    else:
                        share = f", {stat.sys_share:.0f}% sys" if stat.sys_share is not None else ""
                        cells.append(f"{stat.cpu_ms_per_gib:.0f}{share}")
                if any(c != "-" for c in cells):
                    self.add(f"| {label} | {JDK_NAMES[jdk][4:]} | " + " | ".join(cells) + " |")
        self.add("")

    def transfer_tables(self, title, paths, note):
        self.add(f"## {title}", "", note, "")
        baselines = sorted({label for (_, label, baseline) in paths if baseline is None})
        self.size_tables(paths, JDKS, "Throughput in GiB/s (in parentheses the ratio to the baseline row, "
                         f"{' or '.join(baselines)}, on the same JDK and size):")

    def raw_sendfile_table(self):
        self.add("## The Java calls against the raw system call: same harness, same run (JDK 25)", "",
                 "File -> loopback socket as in *File -> socket* (the same data file, the same drainer "
                 "thread), with a third candidate: a loop of libc's `sendfile` called through the FFM API "
                 "on the very descriptors the Java calls use. All three in one JMH run, one after another: "
                 "this, not the criterion table below, is what the *within 3%* target is judged on. "
                 "JDK 25 only (FFM is Java 22).", "")
        self.size_tables(RAW_SENDFILE, ["jdk25"], "Throughput in GiB/s (ratio to the raw sendfile loop):")
        small = 16 << 10
        raw, zero, channel = (self.get("jdk25", b, small) for (b, _, _) in RAW_SENDFILE)
        if raw and zero and channel:
            ceiling = Ratio.speedup(raw, channel)
            reach = {"MET": "is within reach of a call that gets close to the raw loop.",
                     "MISSED": "is beyond what sendfile itself allows on this machine.",
                     "INCONCLUSIVE": "may or may not be reachable: this run's noise cannot tell."}
            self.add(f"**16 KiB on JDK 25**, in this run: ZeroCopy.transferTo makes "
                     f"{Ratio.speedup(zero, channel)} the transfers per second of FileChannel.transferTo and "
                     f"{Ratio.speedup(zero, raw)} those of the raw loop; FileChannel.transferTo makes "
                     f"{Ratio.speedup(channel, raw)} of the raw loop's. The raw loop, {ceiling} "
                     "FileChannel.transferTo, is the ceiling for any call that ends in sendfile: the gap "
                     "is the JDK's per-call work (on JDK 20+ a copy_file_range attempt that fails before "
                     "sendfile, and its checks), all that ZeroCopy can win back. So the 1.2x target "
                     + reach[ceiling.judge(1.2)], "")

    def mapped_table(self):
        self.add("## Mapped files", "",
                 "A 1 GiB file in the page cache. Median time per operation; in parentheses the "
                 "speed-up over the first row of the operation on the same JDK (above 1: faster). "
                 "map + load: every row but one does the same work, unmapping at once (the JDK's "
                 "MappedByteBuffer through `sun.misc.Unsafe.invokeCleaner`, as Kafka does); the row "
                 "without unmap leaves the mapping to the garbage collector, pays no munmap and is "
                 "not the same work. MemorySegment needs Java 22: JDK 25 only.", "",
                 "| operation | implementation | JDK 17 | JDK 25 | CPU ms per GiB (17 / 25) |",
                 "|---|---|---:|---:|---:|")
        for operation, impls in MAPPED:
            baseline = impls[0][0]
            for bench, label in impls:
                cells, cpu = [], []
                for jdk in JDKS:
                    stat, base = self.get(jdk, bench, None), self.get(jdk, baseline, None)
                    if stat is None:
                        cells.append("-")
                        cpu.append("-")
                        continue
                    r = Ratio.speedup(stat, base) if bench != baseline else None
                    cells.append(fmt_time(stat.seconds) + fmt_ratio(r))
                    cpu.append("-" if stat.cpu_ms_per_gib is None else f"{stat.cpu_ms_per_gib:.0f}")
                self.add(f"| {operation} | {label} | {cells[0]} | {cells[1]} | {' / '.join(cpu)} |")
        self.add("")

    def map_close_table(self):
        self.add("## Map + close cycles (JDK 25)", "",
                 "Map a region of a cached file and close it again, with no access or with one read; "
                 "median time per cycle, in parentheses the speed-up over the JDK row above it (same "
                 "size). Closing a shared arena makes every thread pass a handshake, so that pair runs "
                 "while one other thread is busy in Java code, MappedRegion under the same busy thread.", "")
        self.size_tables(MAP_CLOSE, ["jdk25"], "Time per map + close:", cpu=False)

    def criterion_table(self):
        self.add("## Rust: the API against raw system calls (criterion)", "",
                 "The same operations from Rust: the crate's API against a plain libc loop of the system "
                 "call it ends in (the limit on this machine). Median time per iteration; time / raw above "
                 "1 means slower than the raw loop by that factor. The map + load + close API row is the "
                 "Rust `MappedRegion::load` (MADV_POPULATE_READ), not the path Java's `load()` takes.", "",
                 "| path | size | implementation | median time | GiB/s | time / raw |",
                 "|---|---|---|---:|---:|---:|")
        for prefix, title, raw, others, api_label in CRITERION:
            groups = sorted({g for (g, _) in self.criterion if g.startswith(prefix + "_")},
                            key=lambda g: parse_size(g[len(prefix) + 1:]))
            for group in groups:
                size = group[len(prefix) + 1:].replace("KiB", " KiB").replace("MiB", " MiB").replace("GiB", " GiB")
                base = self.criterion.get((group, raw))
                for function in ["api", raw] + others:
                    result = self.criterion.get((group, function))
                    label = api_label if function == "api" else CRITERION_NAMES.get(function, function)
                    if result is None:
                        continue
                    seconds, size_bytes = result
                    rate = f"{size_bytes / seconds / GiB:.2f}" if size_bytes and prefix != "is_loaded" else "-"
                    rel = f"{seconds / base[0]:.3f}" if base and function != raw else ""
                    self.add(f"| {title} | {size} | {label} | {fmt_time(seconds)} | {rate} | {rel} |")
        self.add("")

    def gap_table(self):
        self.add("## Java call -> Rust API -> raw system call, across harnesses (indicative only)", "",
                 "File -> socket with sendfile. Java figures from JMH, the other two from criterion: two "
                 "harnesses, two processes, run minutes apart, whose noise here is about 10%. Ratios "
                 "below that mean nothing (the Java call has come out faster than the raw loop); the "
                 "same-run comparison above is the one of record. Ratio: throughput over the raw loop's.", "",
                 "| size | Java, JDK 17 | Java, JDK 25 | Rust API | raw sendfile |", "|---|---:|---:|---:|---:|")
        for size in (16 << 10, GiB):
            raw = self.criterion.get((f"file_to_socket_{criterion_size_label(size)}", "raw_sendfile"))
            api = self.criterion.get((f"file_to_socket_{criterion_size_label(size)}", "api"))
            raw_rate = raw[1] / raw[0] / GiB if raw and raw[1] else None

            def cell(rate):
                if rate is None:
                    return "-"
                return f"{rate:.2f} GiB/s" + (f" ({rate / raw_rate:.2f}x)" if raw_rate else "")

            cells = []
            for jdk in JDKS:
                stat = self.get(jdk, "FileToSocket.zeroCopy", size)
                cells.append(cell(stat.gib_per_s if stat else None))
            cells.append(cell(api[1] / api[0] / GiB if api and api[1] else None))
            cells.append("-" if raw_rate is None else f"{raw_rate:.2f} GiB/s")
            self.add(f"| {size_label(size)} | " + " | ".join(cells) + " |")
        self.add("")

    def targets(self):
        """[(target, measured, status)] for the targets of issues 4 and 6."""
        rows = []

        def judge(target, minimum, items):
            """items: [(label, Ratio or None)]. MISSED if one is missed, else INCONCLUSIVE if one
            is within the noise, else MET."""
            found = [(label, r) for (label, r) in items if r is not None]
            if not found:
                rows.append((target, "not measured", "NOT MEASURED"))
                return
            verdicts = [r.judge(minimum) for (_, r) in found]
            measured = ", ".join(f"{label} {r} ({v})" for ((label, r), v) in zip(found, verdicts))
            status = next((v for v in ("MISSED", "INCONCLUSIVE") if v in verdicts), "MET")
            rows.append((target, measured, status))

        def items(bench, baseline, jdks, sizes, size_in_label=False):
            return [(JDK_NAMES[jdk] + (f" {size_label(size)}" if size_in_label else ""),
                     Ratio.speedup(self.get(jdk, bench, size), self.get(jdk, baseline, size)))
                    for jdk in jdks for size in sizes]

        judge("file -> socket, 1 GiB: ZeroCopy.transferTo >= 1.0x FileChannel.transferTo", 1.0,
              items("FileToSocket.zeroCopy", "FileToSocket.fileChannel", JDKS, [GiB]))
        judge("16 KiB file -> socket: transfers per second >= 1.2x FileChannel.transferTo on JDK 25", 1.2,
              items("FileToSocket.zeroCopy", "FileToSocket.fileChannel", ["jdk25"], [16 << 10]))
        judge("socket -> file: ZeroCopy.transferFrom >= 2.5x FileChannel.transferFrom", 2.5,
              items("SocketToFile.zeroCopy", "SocketToFile.fileChannel", JDKS, [1 << 20, GiB], True))
        judge("map + load + unmap of 1 GiB: MappedRegion >= 1.3x as fast as FileChannel.map + load() + unmap",
              1.3, items("MappedRegionBench.mapLoadClose", "MappedByteBufferBench.mapLoadUnmap", JDKS, [None]))
        judge("Java call within 3% of the raw syscall, 1 GiB file -> socket, same run (ZeroCopy.transferTo "
              ">= 0.97x a raw sendfile loop; JDK 25)", 0.97,
              items("FileToSocketRaw.zeroCopy", "FileToSocketRaw.rawSendfile", ["jdk25"], [GiB]))
        judge("map + close: MappedRegion at least as fast as map(Arena) + close, confined (JDK 25; issue 4)", 1.0,
              items("MapCloseCycles.mappedRegion", "MapCloseCycles.confinedArena", ["jdk25"],
                    [256 << 10, GiB], True))
        judge("map + close, 1 other thread busy: MappedRegion far faster than a shared arena (read here as "
              ">= 2x; JDK 25; issue 4)", 2.0,
              items("MapCloseCycles.mappedRegionBusyThread", "MapCloseCycles.sharedArenaBusyThread", ["jdk25"],
                    [256 << 10, GiB], True))
        return rows


# ---------------------------------------------------------------------------------------------
# The chart: throughput against transfer size, one panel per direction, one line per path and
# JDK (JDK 17 solid, JDK 25 dashed). SVG by hand: the standard library has no plotting.

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]


def svg_chart(report, panels, captions):
    width, panel_height, left, right, top, bottom = 980, 300, 70, 330, 40, 50
    head = 20 * len(captions) + 10
    height = len(panels) * (panel_height + top + bottom) + head
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">', '<rect width="100%" height="100%" fill="white"/>']
    for n, caption in enumerate(captions):
        out.append(f'<text x="10" y="{20 + 20 * n}" font-size="13">{esc(caption)}</text>')
    for index, (title, paths) in enumerate(panels):
        y0 = head + index * (panel_height + top + bottom) + top
        x_left, x_right = left, width - right
        series = []
        for color, (bench, label, _) in zip(COLORS, paths):
            for jdk in JDKS:
                points = sorted((size, stat.gib_per_s) for (b, size), stat in report.jmh.get(jdk, {}).items()
                                if b == bench and stat.gib_per_s)
                if points:
                    series.append((f"{label}, {JDK_NAMES[jdk]}", color, jdk == "jdk25", points))
        out.append(f'<text x="{x_left}" y="{y0 - 12}" font-size="14" font-weight="bold">{esc(title)}</text>')
        if not series:
            out.append(f'<text x="{x_left}" y="{y0 + 20}">not measured</text>')
            continue
        sizes = sorted({s for (_, _, _, pts) in series for (s, _) in pts})
        top_rate = max(r for (_, _, _, pts) in series for (_, r) in pts)
        step = nice_step(top_rate / 5)
        y_max = step * (int(top_rate / step) + 1)
        lo, hi = log2(sizes[0]), log2(sizes[-1])

        def x_of(size):
            return x_left + (x_right - x_left) * ((log2(size) - lo) / (hi - lo) if hi > lo else 0.5)

        def y_of(rate):
            return y0 + panel_height - panel_height * rate / y_max

        value = 0.0
        while value <= y_max + 1e-9:
            y = y_of(value)
            out.append(f'<line x1="{x_left}" y1="{y:.1f}" x2="{x_right}" y2="{y:.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{x_left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
            value += step
        for size in sizes:
            x = x_of(size)
            out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + panel_height}" stroke="#eee"/>')
            out.append(f'<text x="{x:.1f}" y="{y0 + panel_height + 16}" text-anchor="middle">'
                       f'{size_label(size)}</text>')
        out.append(f'<text x="{(x_left + x_right) / 2}" y="{y0 + panel_height + 36}" text-anchor="middle">'
                   'transfer size (log scale)</text>')
        out.append(f'<text transform="translate({x_left - 50},{y0 + panel_height / 2}) rotate(-90)" '
                   'text-anchor="middle">GiB/s</text>')
        out.append(f'<rect x="{x_left}" y="{y0}" width="{x_right - x_left}" height="{panel_height}" '
                   'fill="none" stroke="#888"/>')
        for n, (label, color, dashed, points) in enumerate(series):
            dash = ' stroke-dasharray="6,4"' if dashed else ""
            coords = " ".join(f"{x_of(s):.1f},{y_of(r):.1f}" for (s, r) in points)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            for (s, r) in points:
                out.append(f'<circle cx="{x_of(s):.1f}" cy="{y_of(r):.1f}" r="3" fill="{color}"/>')
            ly = y0 + 8 + n * 17
            out.append(f'<line x1="{x_right + 15}" y1="{ly}" x2="{x_right + 45}" y2="{ly}" stroke="{color}" '
                       f'stroke-width="2"{dash}/>')
            out.append(f'<text x="{x_right + 52}" y="{ly + 4}" font-size="11">{esc(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def log2(x):
    import math
    return math.log2(x)


def nice_step(raw):
    import math
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Measured by other tasks than `gradle bench`, in short runs of their own; where their tables are.
OUTSIDE_THIS_RUN = (
    "## Not in this run of record", "",
    "- Gather (issue 13): JMH `GatherFetch`, a Kafka-style fetch of N headers and file ranges against "
    "the JDK's loop of write + transferTo, in a short run with fetches/s, CPU time per GiB and TCP "
    "segments per fetch: [gather.md](gather.md#measured-a-short-run-not-the-run-of-record). Targets: >= 2x at 1 KiB parts MISSED "
    "(1.45x, 1.31x); >= 1.2x at 16 KiB parts MISSED at N = 16 (0.97x), MET within noise at N = 256 "
    "(1.35x); 2-10x fewer segments in every case.",
    "- The example file server under `wrk` (default mode against `--jdk`, alternating rounds): "
    "[examples.md](examples.md#under-load-wrk). Multi-range responses 1.42x the JDK's requests/s; "
    "whole files 0.87-0.97x, within the rounds' spread.", "")


# The markers of the section that tools/limits_report.py writes into benchmarks.md.
LIMITS_BEGIN = "<!-- begin: limits section, written by tools/limits_report.py -->"
LIMITS_END = "<!-- end: limits section -->"


def kept_sections(path):
    """The marked section that tools/limits_report.py wrote into the report from a run of its
    own: kept as it is when this report is rewritten."""
    begin, end = LIMITS_BEGIN, LIMITS_END
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return ""
    if begin not in text or end not in text:
        return ""
    return text[text.index(begin):text.index(end) + len(end)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="build/bench")
    parser.add_argument("--criterion", default="build/criterion")
    parser.add_argument("--docs", default="docs")
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    jmh, settings = {}, {}
    for jdk in JDKS:
        jmh[jdk], settings[jdk] = load_jmh(os.path.join(args.results, f"jmh-{jdk}.json"))
    records = load_machine_records(args.results)
    report = Report(jmh, load_criterion(args.criterion))
    targets = report.targets()

    # When the benchmarks ran, from their own records; the report may be written much later.
    ran = records[0]["started"] if records and "started" in records[0] else "an unrecorded date"
    written = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    report.add("# Benchmarks", "")
    if args.note:
        report.add(f"> **{args.note}**", "")
    report.add(f"Measured by `gradle bench` ({args.profile} profile), started {ran}; written {written} by "
               "`tools/bench_report.py` from the results under `build/`. Every figure is a median (of all "
               "measured JMH iterations; criterion's median), every ratio compares results of the same "
               "run. Page cache warm, loopback TCP; how each benchmark works is in its source "
               "(`java/src/jmh*`, `benches/`).", "",
               "**Page cache.** Before each JMH trial the data files are put into the page cache the "
               "same way (the machine table says which): `readahead`, evicted and read back "
               "sequentially, so the cache holds them in the large folios that readahead makes, as "
               "for a file first read from disk; or `written`, written anew, as a log segment just "
               "appended. Mapping a file cached in small folios costs several times more than in large "
               "ones, so a cache left as earlier work happened to leave it would move the map "
               "results from run to run. criterion's files are not reset this way.", "",
               "**Order and fairness.** JMH runs the benchmarks one after another, in order of name "
               "(each in its own forks); it cannot interleave them. So that no benchmark pays for the "
               "one before it, every trial starts with `sync`: dirty pages that an earlier benchmark "
               "left (File -> file writes GiBs) are written back before the measurement, not during "
               "it.", "",
               "**Noise.** A ratio's ± is JMH's 99.9% confidence half-width (scoreError) of both "
               "results, relative, added in quadrature; where JMH gives none (under 3 iterations), half "
               "the spread of the iterations. A target is MET or MISSED only where the whole range is on "
               "one side of its threshold, INCONCLUSIVE otherwise.", "")
    report.add("## Machine", "", "As each benchmark task recorded it when it started "
               "(`build/bench/machine-<task>.json`).", "", "| | |", "|---|---|")
    for key, value in machine(records, settings):
        report.add(f"| {key} | {value} |")
    report.add("", "## Targets (issues 4 and 6)", "", "| target | measured | status |", "|---|---|---|")
    for target, measured, status in targets:
        report.add(f"| {target} | {measured} | **{status}** |")
    report.add("", "![Throughput against transfer size](benchmarks.svg)", "")
    cpu_note = ("CPU time: process CPU time (all threads, user + system) over the measured iterations "
                "divided by the bytes moved; it includes the thread at the socket's other end, whose "
                "work is the same for every path. Throughput = bytes per operation / median time per "
                "operation. The header rows send 200 bytes more and compare with each other.")
    report.transfer_tables("File -> socket", FILE_TO_SOCKET,
                           "From a cached file to a loopback socket drained by a thread. " + cpu_note)
    report.raw_sendfile_table()
    report.transfer_tables("File -> file", FILE_TO_FILE,
                           "Same file system. Not like for like: the channel paths overwrite one target "
                           "from offset 0, whose pages stay cached; `Files.copy` (REPLACE_EXISTING) deletes "
                           "and creates its target every time, so its time includes the unlink, a new inode "
                           "and new blocks. Read its row as what a caller of Files.copy gets, not as the "
                           "cost of the copy itself.")
    report.transfer_tables("Socket -> file", SOCKET_TO_FILE,
                           "From a loopback socket fed by a thread into a file, overwritten from offset 0.")
    report.transfer_tables("Socket -> socket (relay)", SOCKET_TO_SOCKET,
                           "From a loopback socket fed by a thread to one drained by a thread.")
    report.mapped_table()
    report.map_close_table()
    report.criterion_table()
    report.gap_table()
    report.add(*OUTSIDE_THIS_RUN)

    os.makedirs(args.docs, exist_ok=True)
    report.add(kept_sections(os.path.join(args.docs, "benchmarks.md")))
    with open(os.path.join(args.docs, "benchmarks.md"), "w") as f:
        f.write("\n".join(report.lines).rstrip() + "\n")
    panels = [("File -> socket", FILE_TO_SOCKET), ("File -> file", FILE_TO_FILE),
              ("Socket -> file", SOCKET_TO_FILE)]
    with open(os.path.join(args.docs, "benchmarks.svg"), "w") as f:
        captions = [f"Throughput (median) against transfer size; {args.profile} profile, started {ran}.", args.note]
        f.write(svg_chart(report, panels, [c for c in captions if c]))

    print(f"Wrote {args.docs}/benchmarks.md and {args.docs}/benchmarks.svg. Headline rows for the README:")
    print()
    print("| target | measured | status |")
    print("|---|---|---|")
    for target, measured, status in targets:
        print(f"| {target} | {measured} | {status} |")


if __name__ == "__main__":
    main()
