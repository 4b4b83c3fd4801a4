#!/usr/bin/env python3
"""Writes docs/benchmarks.md and docs/benchmarks.svg from the benchmark results under build/.

Inputs: JMH JSON (build/bench/jmh-jdk17.json, jmh-jdk25.json), criterion's output
(build/criterion/<group>/<function>/new/{benchmark,estimates}.json) and the load averages that
`gradle bench` kept (build/bench/load-<task>.txt). Every figure is a median: of all measured
JMH iterations (forks x iterations), and criterion's median per iteration. Ratios compare
results of the same run. Prints the README's headline rows at the end, to paste.

Python 3 standard library only; run by `gradle benchReport` (and `gradle bench`).
"""

import argparse
import datetime
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys

GiB = 1 << 30
JDKS = ["jdk17", "jdk25"]
JDK_NAMES = {"jdk17": "JDK 17", "jdk25": "JDK 25"}

# JMH benchmark -> what the tables call it. Order is table order.
FILE_TO_SOCKET = [
    ("FileToSocket.zeroCopy", "ZeroCopy.transferTo"),
    ("FileToSocket.zeroCopyWithHeader", "ZeroCopy.transferTo, 200 B header"),
    ("FileToSocket.fileChannel", "FileChannel.transferTo"),
    ("FileToSocket.fileChannelWithHeader", "write(header) + FileChannel.transferTo"),
    ("FileToSocket.readWriteHeap8k", "read + write, 8 KiB heap buffer"),
    ("FileToSocket.readWriteDirect64k", "read + write, 64 KiB direct buffer"),
    ("FileToSocket.mmapWrite", "FileChannel.map + write"),
]
FILE_TO_FILE = [
    ("FileToFile.zeroCopy", "ZeroCopy.transferTo"),
    ("FileToFile.fileChannel", "FileChannel.transferTo"),
    ("FileToFile.filesCopy", "Files.copy"),
]
SOCKET_TO_FILE = [
    ("SocketToFile.zeroCopy", "ZeroCopy.transferFrom"),
    ("SocketToFile.fileChannel", "FileChannel.transferFrom"),
]
SOCKET_TO_SOCKET = [
    ("SocketToSocket.zeroCopyRelay", "ZeroCopy.relay"),
    ("SocketToSocket.readWriteDirect64k", "read + write, 64 KiB direct buffer"),
]
# (operation, [(benchmark, implementation)]); the first implementation is the baseline.
MAPPED = [
    ("map + load (+ close), 1 GiB", [
        ("MappedByteBufferBench.mapLoad", "FileChannel.map + load() (no unmap)"),
        ("MappedRegionBench.mapLoadClose", "MappedRegion map + load + close"),
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
# criterion group prefix -> (title, the raw loop that is the baseline, other functions). Each
# group also has "api", the crate's own call.
CRITERION = [
    ("file_to_socket", "file -> socket", "raw_sendfile", []),
    ("file_to_file", "file -> file", "raw_copy_file_range", []),
    ("socket_to_file", "socket -> file", "raw_splice", []),
    ("map_load_close", "map + load + close", "raw_mmap_populate_read",
     ["raw_mmap_willneed_touch", "raw_mmap_touch_64k"]),
    ("is_loaded", "residency (isLoaded)", "raw_mincore", []),
]
CRITERION_NAMES = {
    "api": "Rust API",
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
    """Medians of one benchmark in one run."""

    def __init__(self, seconds, bytes_per_op, cpu_ms_per_gib, sys_share, samples):
        self.seconds = seconds
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

        results[(name, size)] = Stat(seconds, metric("bytes.per.op"), metric("cpu.ms.per.GiB"),
                                     metric("cpu.sys.share"), sum(len(f) for f in primary["rawData"]))
    settings = runs[0] if runs else None
    return results, settings


def load_criterion(root):
    """{(group, function): (median seconds per iteration, bytes per iteration)}."""
    results = {}
    for path in glob.glob(os.path.join(root, "**", "new", "benchmark.json"), recursive=True):
        with open(path) as f:
            bench = json.load(f)
        with open(os.path.join(os.path.dirname(path), "estimates.json")) as f:
            estimates = json.load(f)
        throughput = bench.get("throughput") or {}
        results[(bench["group_id"], bench["function_id"])] = (
            estimates["median"]["point_estimate"] * 1e-9, throughput.get("Bytes"))
    return results


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


def fmt_ratio(value):
    return "" if value is None else f" ({value:.2f}x)"


def ratio(a, b):
    return a / b if a is not None and b else None


def memory():
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])  # MemTotal: N kB
        return f"{kib / (1 << 20):.1f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown"


def machine(settings_by_jdk, results_dir):
    def first_line(path, prefix):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(prefix):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    rustc = shutil.which("rustc") or os.path.expanduser("~/.cargo/bin/rustc")
    try:
        rust = subprocess.run([rustc, "-V"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        rust = "unknown"
    rows = [
        ("cores", f"{os.cpu_count()} ({first_line('/proc/cpuinfo', 'model name')})"),
        ("memory", memory()),
        ("kernel", f"{platform.system()} {platform.release()}"),
    ]
    for jdk in JDKS:
        s = settings_by_jdk.get(jdk)
        rows.append((JDK_NAMES[jdk], "not run" if not s else
                     f"{s['jdkVersion']} ({s['vmName']} {s['vmVersion']}), {s['jvm']}"))
    rows.append(("Rust", rust))
    for path in sorted(glob.glob(os.path.join(results_dir, "load-*.txt"))):
        task = os.path.basename(path)[len("load-"):-len(".txt")]
        with open(path) as f:
            rows.append((f"load average before {task}", " ".join(f.read().split()[:3])))
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
        return sorted({size for jdk in JDKS for (bench, size) in self.jmh.get(jdk, {})
                       if bench in dict(paths)})

    def transfer_tables(self, title, paths, baseline, note):
        sizes = self.sizes(paths)
        self.add(f"## {title}", "", note, "")
        if not sizes:
            self.add("Not measured in this run.", "")
            return
        header = "| path | JDK | " + " | ".join(size_label(s) for s in sizes) + " |"
        rule = "|---|---|" + "---:|" * len(sizes)
        self.add(f"Throughput in GiB/s (ratio to {dict(paths)[baseline]} on the same JDK and size):", "",
                 header, rule)
        for bench, label in paths:
            for jdk in JDKS:
                cells = []
                for size in sizes:
                    stat, base = self.get(jdk, bench, size), self.get(jdk, baseline, size)
                    if stat is None:
                        cells.append("-")
                        continue
                    r = ratio(stat.gib_per_s, base.gib_per_s) if base and bench != baseline else None
                    cells.append(fmt_gib(stat.gib_per_s) + fmt_ratio(r))
                if any(c != "-" for c in cells):
                    self.add(f"| {label} | {JDK_NAMES[jdk][4:]} | " + " | ".join(cells) + " |")
        self.add("", "CPU time per GiB moved, in ms (process: all threads, user + system; share in the kernel):",
                 "", header, rule)
        for bench, label in paths:
            for jdk in JDKS:
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

    def mapped_table(self):
        self.add("## Mapped files", "",
                 "A 1 GiB file in the page cache. Median time per operation; in parentheses the "
                 "speed-up over the JDK's MappedByteBuffer on the same JDK (above 1: faster). "
                 "MemorySegment needs Java 22: JDK 25 only.", "",
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
                    r = ratio(base.seconds, stat.seconds) if base and bench != baseline else None
                    cells.append(fmt_time(stat.seconds) + fmt_ratio(r))
                    cpu.append("-" if stat.cpu_ms_per_gib is None else f"{stat.cpu_ms_per_gib:.0f}")
                self.add(f"| {operation} | {label} | {cells[0]} | {cells[1]} | {' / '.join(cpu)} |")
        self.add("")

    def criterion_table(self):
        self.add("## Rust: the API against raw system calls (criterion)", "",
                 "The same operations from Rust: the crate's API against a plain libc loop of the system "
                 "call it ends in (the limit on this machine). Median time per iteration; time / raw above "
                 "1 means slower than the raw loop by that factor.", "",
                 "| path | size | implementation | median time | GiB/s | time / raw |",
                 "|---|---|---|---:|---:|---:|")
        for prefix, title, raw, others in CRITERION:
            groups = sorted({g for (g, _) in self.criterion if g.startswith(prefix + "_")},
                            key=lambda g: parse_size(g[len(prefix) + 1:]))
            for group in groups:
                size = group[len(prefix) + 1:].replace("KiB", " KiB").replace("MiB", " MiB").replace("GiB", " GiB")
                base = self.criterion.get((group, raw))
                for function in ["api", raw] + others:
                    result = self.criterion.get((group, function))
                    label = CRITERION_NAMES.get(function, function)
                    if result is None:
                        continue
                    seconds, size_bytes = result
                    rate = f"{size_bytes / seconds / GiB:.2f}" if size_bytes and prefix != "is_loaded" else "-"
                    rel = f"{seconds / base[0]:.3f}" if base and function != raw else ""
                    self.add(f"| {title} | {size} | {label} | {fmt_time(seconds)} | {rate} | {rel} |")
        self.add("")

    def gap_table(self):
        self.add("## Java call -> Rust API -> raw system call", "",
                 "File -> socket with sendfile. Java figures from JMH, the other two from criterion: "
                 "two harnesses, the same machine, the same kind of loopback reader. Ratio: "
                 "throughput over the raw loop's.", "",
                 "| size | Java, JDK 17 | Java, JDK 25 | Rust API | raw sendfile |", "|---|---:|---:|---:|---:|")
        for size in (16 << 10, GiB):
            raw = self.criterion.get((f"file_to_socket_{criterion_size_label(size)}", "raw_sendfile"))
            api = self.criterion.get((f"file_to_socket_{criterion_size_label(size)}", "api"))
            raw_rate = raw[1] / raw[0] / GiB if raw and raw[1] else None
            cells = []
            for jdk in JDKS:
                stat = self.get(jdk, "FileToSocket.zeroCopy", size)
                rate = stat.gib_per_s if stat else None
                cells.append("-" if rate is None else f"{rate:.2f} GiB/s" + fmt_ratio(ratio(rate, raw_rate)))
            api_rate = api[1] / api[0] / GiB if api and api[1] else None
            cells.append("-" if api_rate is None else f"{api_rate:.2f} GiB/s" + fmt_ratio(ratio(api_rate, raw_rate)))
            cells.append("-" if raw_rate is None else f"{raw_rate:.2f} GiB/s")
            self.add(f"| {size_label(size)} | " + " | ".join(cells) + " |")
        self.add("")

    def targets(self):
        """[(target, measured, status)] for the targets of issue 6."""
        rows = []

        def per_jdk(jdks, sizes, compute):
            found = [(jdk, size, compute(jdk, size)) for jdk in jdks for size in sizes]
            return [(jdk, size, r) for (jdk, size, r) in found if r is not None]

        def throughput_ratio(bench, baseline):
            def compute(jdk, size):
                a, b = self.get(jdk, bench, size), self.get(jdk, baseline, size)
                return ratio(a.gib_per_s, b.gib_per_s) if a and b else None
            return compute

        def judge(target, found, minimum, labels, doubtful_above=None):
            if not found:
                rows.append((target, "not measured", "NOT MEASURED"))
                return
            measured = ", ".join(labels(jdk, size) + f" {r:.2f}x" for (jdk, size, r) in found)
            status = "MET" if all(r >= minimum for (_, _, r) in found) else "MISSED"
            if doubtful_above and any(r > doubtful_above for (_, _, r) in found):
                # Faster than the raw system call: the harnesses saw different machines (noise).
                status += " (doubtful: above the raw loop, measure again on a quiet machine)"
            rows.append((target, measured, status))

        judge("file -> socket, 1 GiB: ZeroCopy.transferTo >= 1.0x FileChannel.transferTo",
              per_jdk(JDKS, [GiB], throughput_ratio("FileToSocket.zeroCopy", "FileToSocket.fileChannel")),
              1.0, lambda jdk, size: JDK_NAMES[jdk])
        judge("16 KiB file -> socket: transfers per second >= 1.2x FileChannel.transferTo on JDK 25",
              per_jdk(["jdk25"], [16 << 10], throughput_ratio("FileToSocket.zeroCopy", "FileToSocket.fileChannel")),
              1.2, lambda jdk, size: JDK_NAMES[jdk])
        judge("socket -> file: ZeroCopy.transferFrom >= 2.5x FileChannel.transferFrom",
              per_jdk(JDKS, [1 << 20, GiB], throughput_ratio("SocketToFile.zeroCopy", "SocketToFile.fileChannel")),
              2.5, lambda jdk, size: f"{JDK_NAMES[jdk]} {size_label(size)}")

        def map_load(jdk, size):
            region, jdk_map = self.get(jdk, "MappedRegionBench.mapLoadClose", None), \
                self.get(jdk, "MappedByteBufferBench.mapLoad", None)
            return ratio(jdk_map.seconds, region.seconds) if region and jdk_map else None

        judge("map + load of 1 GiB: MappedRegion >= 1.3x as fast as FileChannel.map + load()",
              per_jdk(JDKS, [None], map_load), 1.3, lambda jdk, size: JDK_NAMES[jdk])

        raw = self.criterion.get(("file_to_socket_1GiB", "raw_sendfile"))

        def java_vs_raw(jdk, size):
            stat = self.get(jdk, "FileToSocket.zeroCopy", size)
            return ratio(stat.gib_per_s, raw[1] / raw[0] / GiB) if stat and raw and raw[1] else None

        judge("Java call within 3% of the raw syscall, 1 GiB file -> socket (throughput >= 0.97x raw sendfile)",
              per_jdk(JDKS, [GiB], java_vs_raw), 0.97, lambda jdk, size: JDK_NAMES[jdk], doubtful_above=1.03)
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
        for color, (bench, label) in zip(COLORS, paths):
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
    report = Report(jmh, load_criterion(args.criterion))
    targets = report.targets()

    date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    report.add("# Benchmarks", "")
    if args.note:
        report.add(f"> **{args.note}**", "")
    report.add(f"Generated by `gradle bench` ({args.profile} profile) on {date}; `tools/bench_report.py` "
               "rewrites this file from the results under `build/`. Every figure is a median (of all "
               "measured JMH iterations; criterion's median), every ratio compares results of the same "
               "run. Page cache warm, loopback TCP; how each benchmark works is in its source "
               "(`java/src/jmh*`, `benches/`).", "")
    report.add("## Machine", "", "| | |", "|---|---|")
    for key, value in machine(settings, args.results):
        report.add(f"| {key} | {value} |")
    report.add("", "## Targets (issue 6)", "", "| target | measured | status |", "|---|---|---|")
    for target, measured, status in targets:
        report.add(f"| {target} | {measured} | **{status}** |")
    report.add("", "![Throughput against transfer size](benchmarks.svg)", "")
    cpu_note = ("CPU time: process CPU time (all threads, user + system) over the measured iterations "
                "divided by the bytes moved; it includes the thread at the socket's other end, whose "
                "work is the same for every path. Throughput = bytes per operation / median time per "
                "operation.")
    report.transfer_tables("File -> socket", FILE_TO_SOCKET, "FileToSocket.fileChannel",
                           "From a cached file to a loopback socket drained by a thread. " + cpu_note)
    report.transfer_tables("File -> file", FILE_TO_FILE, "FileToFile.fileChannel",
                           "Same file system; the channel paths overwrite one target, Files.copy replaces it.")
    report.transfer_tables("Socket -> file", SOCKET_TO_FILE, "SocketToFile.fileChannel",
                           "From a loopback socket fed by a thread into a file, overwritten from offset 0.")
    report.transfer_tables("Socket -> socket (relay)", SOCKET_TO_SOCKET, "SocketToSocket.readWriteDirect64k",
                           "From a loopback socket fed by a thread to one drained by a thread.")
    report.mapped_table()
    report.criterion_table()
    report.gap_table()

    os.makedirs(args.docs, exist_ok=True)
    with open(os.path.join(args.docs, "benchmarks.md"), "w") as f:
        f.write("\n".join(report.lines).rstrip() + "\n")
    panels = [("File -> socket", FILE_TO_SOCKET), ("File -> file", FILE_TO_FILE),
              ("Socket -> file", SOCKET_TO_FILE)]
    with open(os.path.join(args.docs, "benchmarks.svg"), "w") as f:
        captions = [f"Throughput (median) against transfer size; {args.profile} profile, {date}.", args.note]
        f.write(svg_chart(report, panels, [c for c in captions if c]))

    print(f"Wrote {args.docs}/benchmarks.md and {args.docs}/benchmarks.svg. Headline rows for the README:")
    print()
    print("| target | measured | status |")
    print("|---|---|---|")
    for target, measured, status in targets:
        print(f"| {target} | {measured} | {status} |")


if __name__ == "__main__":
    main()
