#!/usr/bin/env python3
"""Load benchmark of the example file server with wrk: requests per second and latency for
files of 16 KiB, 1 MiB and 256 MiB and for a multi-range request, the default mode
(ZeroCopy / Gather) against --jdk (socket.write + FileChannel.transferTo), in alternating
rounds; writes a Markdown table of medians with the spread of the rounds.

Run by `gradle -p examples :file-server:loadBenchmark` (a benchmark, not a test). Needs wrk
(Debian package wrk). Python 3 standard library only.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SIZES = [("16 KiB", 16 << 10), ("1 MiB", 1 << 20), ("256 MiB", 256 << 20)]
MULTI_RANGE = "bytes=0-1023,65536-81919,1000000-1000999,-4096"
WARM_UP_SECONDS = 2


def start_server(java, classpath, root, jdk):
    command = [java, "-cp", classpath, "io.zerocopy.examples.fileserver.FileServer", root, "--port", "0"]
    if jdk:
        command.append("--jdk")
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        server.kill()
        sys.exit(f"the server did not start: {line}")
    # Its request log goes to stdout: drain it so that the server never blocks on the pipe.
    subprocess.Popen(["cat"], stdin=server.stdout, stdout=subprocess.DEVNULL)
    return server, int(match.group(1))


def wrk(port, path, seconds, connections, script=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency"]
    if script:
        command += ["-s", script]
    command.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    to_ms = lambda m: float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if errors:
        sys.exit(f"wrk reported errors for {path}:\n{out}")
    return rps, to_ms(p50), to_ms(p99)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--java", required=True)
    parser.add_argument("--classpath", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--out", required=True, help="the Markdown file to write")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        for name, size in SIZES:
            with open(os.path.join(root, name.replace(" ", "")), "wb") as f:
                f.write(os.urandom(min(size, 1 << 20)) * max(1, size // (1 << 20)))
        script = os.path.join(root, "ranges.lua")
        with open(script, "w") as f:
            f.write(f'wrk.headers["Range"] = "{MULTI_RANGE}"\n')
        cases = [(name, "/" + name.replace(" ", ""), None) for name, _ in SIZES]
        cases.append(("4 ranges of a 1 MiB file (multipart)", "/1MiB", script))
        results = {}  # (case, mode) -> list of (rps, p50, p99)
        for round_ in range(args.rounds):
            for jdk in ([False, True] if round_ % 2 == 0 else [True, False]):
                mode = "--jdk" if jdk else "default"
                server, port = start_server(args.java, args.classpath, root, jdk)
                try:
                    # A new server first runs every case unmeasured, so that class loading, the
                    # native library's load and the JIT do not land in the first case's tail.
                    for case, path, lua in cases:
                        wrk(port, path, WARM_UP_SECONDS, args.connections, lua)
                    for case, path, lua in cases:
                        r = wrk(port, path, args.seconds, args.connections, lua)
                        results.setdefault((case, mode), []).append(r)
                        print(f"round {round_ + 1} {mode:8} {case:32} {r[0]:10.1f} req/s  p50 {r[1]:.3f} ms  p99 {r[2]:.3f} ms",
                              flush=True)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    lines = [f"wrk -t2 -c{args.connections} -d{args.seconds}s --timeout 60s --latency, {args.rounds} alternating rounds per mode, "
             f"{os.cpu_count()} cores (shared by wrk and the server), {time.strftime('%Y-%m-%d')}; each server warmed up with "
             f"{WARM_UP_SECONDS} s of every request first; median of the rounds, (min-max) of requests/s.",
             "", "| request | mode | requests/s (min-max) | p50 ms | p99 ms | default / --jdk |", "|---|---|---|---:|---:|---:|"]
    for case, _, _ in cases:
        medians = {}
        for mode in ["default", "--jdk"]:
            rs = results[(case, mode)]
            medians[mode] = statistics.median(r[0] for r in rs)
        for mode in ["default", "--jdk"]:
            rs = results[(case, mode)]
            rps = [r[0] for r in rs]
            ratio = f"{medians['default'] / medians['--jdk']:.2f}x" if mode == "default" else ""
            lines.append(f"| {case} | {mode} | {statistics.median(rps):.0f} ({min(rps):.0f}-{max(rps):.0f}) | "
                         f"{statistics.median(r[1] for r in rs):.3f} | {statistics.median(r[2] for r in rs):.3f} | {ratio} |")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
