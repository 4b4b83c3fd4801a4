#!/usr/bin/env python3
"""Smoke test of the main job: runs the comparison app with the command `gradle run` uses (given
after `--`), with tiny settings, and checks what a user gets: a table, JSON and CSV
that parse and carry every group, and no temporary files left, also after SIGTERM and SIGINT.

Run by `gradle comparisonSmoke` (part of `gradle check`); Python 3 standard library only.
"""

import argparse
import csv
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

GROUPS = {"file -> socket", "file -> file", "socket -> file", "map + load"}
COLUMNS = ["group", "method", "bytes", "gib_per_second", "cpu_seconds_per_gib", "ratio_to_jdk", "path", "failure"]


def fail(message):
    print(f"comparison smoke test FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def leftovers(tmp):
    return glob.glob(os.path.join(tmp, "zerocopy-comparison-*"))


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")  # json.loads would otherwise accept NaN


def check_run(command, work):
    """A whole run with tiny settings: exit 0, the table, the JSON and the CSV, no temp dir left."""
    tmp, json_path, csv_path = os.path.join(work, "run"), os.path.join(work, "out.json"), os.path.join(work, "out.csv")
    os.makedirs(tmp)
    run = subprocess.run(command + ["--size", "8m", "--runs", "1", "--json", json_path, "--csv", csv_path,
                                    "--dir", tmp], capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        fail(f"exit {run.returncode}\n{run.stdout}\n{run.stderr}")
    missing = [g for g in GROUPS if g not in run.stdout]
    if missing:
        fail(f"groups {missing} missing from the table:\n{run.stdout}")
    with open(json_path) as f:
        report = json.loads(f.read(), parse_constant=reject_constant)
    rows = report["results"]
    if {r["group"] for r in rows} != GROUPS:
        fail(f"JSON groups {sorted({r['group'] for r in rows})}, expected {sorted(GROUPS)}")
    for r in rows:
        if r["failure"] is not None or not isinstance(r["gibPerSecond"], (int, float)) or r["gibPerSecond"] <= 0:
            fail(f"JSON row without a measurement: {r}")
        if r["path"] == "-" or (r["method"].startswith("ZeroCopy") and r["path"] is None):
            fail(f"JSON path must be a path for ZeroCopy rows and null elsewhere: {r}")
    # CPU time has nanosecond resolution: not every value a multiple of a 10 ms clock tick.
    cpu = [r["cpuSecondsPerGiB"] * r["bytes"] / (1 << 30) for r in rows if r["cpuSecondsPerGiB"]]
    if cpu and all(abs(c / 0.01 - round(c / 0.01)) < 1e-6 for c in cpu):
        fail(f"CPU seconds are all multiples of 10 ms: {cpu}")
    if "warning: runs under 10 ms" not in run.stdout:
        fail(f"no warning that 8 MiB runs are too short to measure:\n{run.stdout}")
    with open(csv_path, newline="") as f:
        table = list(csv.reader(f))
    if table[0] != COLUMNS:
        fail(f"CSV header {table[0]}")
    if any(len(row) != len(COLUMNS) for row in table[1:]) or {row[0] for row in table[1:]} != GROUPS:
        fail(f"CSV rows {table[1:]}")
    if len(table) - 1 != len(rows):
        fail(f"{len(rows)} JSON rows but {len(table) - 1} CSV rows")
    if leftovers(tmp):
        fail(f"left behind: {leftovers(tmp)}")
    print(f"comparison run: {len(rows)} methods in {len(GROUPS)} groups, JSON and CSV parse, temp dir gone")


def check_command_line(command):
    """--help prints the usage and exits 0; a bad value or a missing directory is one line naming its option, exit 2."""
    run = subprocess.run(command + ["--help"], capture_output=True, text=True, timeout=120)
    if run.returncode != 0 or "usage: gradle run" not in run.stdout:
        fail(f"--help: exit {run.returncode}\n{run.stdout}\n{run.stderr}")
    for args, expected in [(["--size", "64q"], "error: --size: not a size"),
                           (["--runs", "x"], "error: --runs: not a number: x"),
                           (["--json", "/nonexistent/dir/out.json"], "error: --json: no such directory: /nonexistent/dir"),
                           (["--dir", "no/such/dir"], "error: --dir: no such directory: "),
                           (["--groups", "disk"], "error: --groups: unknown group disk")]:
        run = subprocess.run(command + args, capture_output=True, text=True, timeout=120)
        if run.returncode != 2 or not run.stderr.startswith(expected) or "Exception" in run.stderr \
                or len(run.stderr.strip().splitlines()) != 2:
            fail(f"{args}: exit {run.returncode}, expected '{expected}' and a hint:\n{run.stderr}")
    print("command line: --help exits 0, bad values name their option (exit 2)")


def check_signal(command, work, sig):
    """Stopped while it works (as by Ctrl-C or kill): exits, and its temp dir is gone."""
    tmp = os.path.join(work, f"signal-{sig.name}")
    os.makedirs(tmp)
    # SIGINT is ignored in children of a background shell; Ctrl-C in a terminal is not.
    child = subprocess.Popen(command + ["--size", "64m", "--runs", "1000", "--dir", tmp],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        # Under way: the generated file is complete and the runs have begun.
        while not any(os.path.exists(os.path.join(d, "source.bin")) and os.path.getsize(
                os.path.join(d, "source.bin")) == 64 << 20 for d in leftovers(tmp)):
            if child.poll() is not None or time.monotonic() > deadline:
                fail(f"{sig.name}: the child exited ({child.returncode}) or never started its runs")
            time.sleep(0.05)
        time.sleep(0.5)
        child.send_signal(sig)
        code = child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    if leftovers(tmp):
        fail(f"{sig.name}: left behind {leftovers(tmp)}")
    print(f"{sig.name} while running: exit {code}, temp dir gone")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="a directory for this test's files, emptied first")
    parser.add_argument("command", nargs="+", help="after --: java, its options and the main class")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    command = args.command
    check_command_line(command)
    check_run(command, args.work)
    check_signal(command, args.work, signal.SIGTERM)
    check_signal(command, args.work, signal.SIGINT)
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
