#!/usr/bin/env python3
"""`make bench`: Ferrous against Linux, same workloads, same QEMU machine.

Boots, one after another (never two QEMUs at once, so they do not perturb
each other's timings):
  timed view, --runs rounds, each round interleaving
    Ferrous -smp 1 trace on | Ferrous -smp 1 trace off | Linux -smp 1
    Ferrous -smp 2          | Linux -smp 2      (the rows of set smp2)
    Ferrous -smp 2 MTTCG    | Linux -smp 2 MTTCG (set smp2mt: big-lock contention)
    Ferrous -smp 1 + disk   | Linux -smp 1 + disk (set blk: virtio-blk reads;
                              a fresh disk image for every boot)
    Ferrous -smp 2, supervisor (set restart: restart time, crash to the new
                              instance's first answer; Ferrous only)
  instruction view, once: the -smp 1 boots again under -icount, where the
    guest TSC counts instructions (deterministic; DESIGN section 11).
Each boot prints `bench NAME ...` lines (bench/workloads.h); the table shows
per row the median over the rounds, the Ferrous/Linux ratio and the cost of
tracing, then block throughput and the goals. --sets runs only some
configurations. Everything, per boot, goes to
bench/results/<timestamp>.json; serial logs to build/bench/logs/.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import asdict, dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import qemu  # noqa: E402

WORKLOADS_H = os.path.join(ROOT, "bench", "workloads.h")
MEM = "512M"
SMP2_ACCEL = "tcg,thread=single"  # multi-threaded TCG: cross-vCPU wake-ups ~4x slower here
SMP2MT_ACCEL = "tcg,thread=multi"  # QEMU's default: one host thread per vCPU, real parallelism
# The set's QEMU configuration: CPUs and accelerator (blk also gets the disk).
SETS = {"smp1": (1, "tcg"), "smp2": (2, SMP2_ACCEL), "smp2mt": (2, SMP2MT_ACCEL), "blk": (1, "tcg"),
        "restart": (2, SMP2_ACCEL)}
# The restart boot: the supervisor with initrd/faults.services, svctest crashing
# echo RESTART_CRASHES times (every fault kind that ends it at once) and printing
# `bench restart_PART median_us=M p99_us=P n=N` (user/svctest/faults.c).
RESTART_CRASHES = 120
RESTART_CMDLINE = ("init.run=supervisor supervisor.manifest=faults.services supervisor.svctest.mode=restart "
                   f"supervisor.svctest.crashes={RESTART_CRASHES}")
# (part, what) of the restart lines, in order; total is the sum of the others.
RESTART_PARTS = [("total", "crash request to the new instance's first answer"),
                 ("notified", "  crash request to supervisor notified (death watch)"),
                 ("backoff", "  notified to the next start (backoff 1 ms, wake-ups)"),
                 ("spawn", "  fe_spawn: ELF load, stack, capabilities, first thread"),
                 ("answer", "  spawned to the first answer (start-up, scheduling)")]
RESTART_GOAL_US, RESTART_CHARTER_US = 10000, 100000
# The blk boots' disk: a raw image of DISK_MIB MiB, written for every boot in
# DISK_DIR (tmpfs: reading it costs the host no disk I/O, and no writeback of
# the fresh image runs during the measurement), stamped as bench/workloads.h
# says. The device as tools/testrun.py attaches it, QEMU's default cache mode.
DISK_MIB = 256
DISK_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None
DISK_QEMU = ["-drive", "file={path},if=none,id=disk0,format=raw",
             "-device", "virtio-blk-pci,drive=disk0,disable-legacy=on"]
BLK_BLOCK = 4096  # BENCH_BLK_BLOCK
ICOUNT = ["-icount", "shift=0,align=off,sleep=off",
          "-rtc", "base=2024-01-01T00:00:00,clock=vm", "-seed", "1"]
LINUX_APPEND = "console=ttyS0 quiet panic=-1 tsc=reliable"
BOOT_TIMEOUT = 300.0
# smp2mt boots: on a loaded host a vCPU thread descheduled while it holds the big
# lock leaves the other spinning for host time slices; a boot can take minutes.
BOOT_TIMEOUT_MT = 600.0
NOISY = 1.5  # max/min over the boots above which a figure is named as noisy
LINE = re.compile(r"^bench (\S+) (.*)$")


@dataclass
class Row:
    """One W(...) line of bench/workloads.h."""

    row: str
    ferrous: str
    linux: str
    per_batch: int
    unit: str
    set: str


def read_rows(path: str = WORKLOADS_H) -> list[Row]:
    """The comparison rows, in the header's order."""
    rx = re.compile(r'^\s*W\((\w+),\s*(\w+),\s*(\w+),\s*(\d+),\s*"([^"]*)",\s*(\w+)\)')
    rows = [Row(m[1], m[2], m[3], int(m[4]), m[5], m[6])
            for m in map(rx.match, open(path).read().splitlines()) if m]
    if not rows:
        raise SystemExit(f"{path}: no W(...) rows found")
    return rows


def parse_figures(log: str) -> dict[str, dict[str, str]]:
    """NAME -> its key=value pairs, from the `bench ...` lines of a log."""
    out: dict[str, dict[str, str]] = {}
    for line in log.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        if m[2].startswith("skipped "):
            out[m[1]] = {"skipped": m[2].split("reason=", 1)[-1]}
        else:
            out[m[1]] = dict(kv.split("=", 1) for kv in m[2].split() if "=" in kv)
    return out


# ---- boots ----

@dataclass
class Boot:
    """One configuration to boot; its outcomes are appended per round."""

    name: str
    kernel: str  # "ferrous" or "linux"
    set: str     # a key of SETS: the rows it runs and the QEMU configuration
    trace: bool = True
    icount: bool = False
    results: list[dict] = field(default_factory=list)


def boot_list(args: argparse.Namespace) -> tuple[list[Boot], list[Boot]]:
    """The timed boots (one each per round) and the instruction-count boots, of args.sets."""
    timed = [Boot("ferrous-smp1", "ferrous", "smp1"), Boot("ferrous-smp1-notrace", "ferrous", "smp1", trace=False),
             Boot("linux-smp1", "linux", "smp1"), Boot("ferrous-smp2", "ferrous", "smp2"),
             Boot("linux-smp2", "linux", "smp2"), Boot("ferrous-smp2mt", "ferrous", "smp2mt"),
             Boot("linux-smp2mt", "linux", "smp2mt"), Boot("ferrous-blk", "ferrous", "blk"),
             Boot("linux-blk", "linux", "blk"), Boot("ferrous-restart", "ferrous", "restart")]
    # The instruction view has no blk boots: under -icount a vCPU waiting for
    # host I/O counts no instructions and the clock jumps (DESIGN section 11).
    icount = [Boot("ferrous-icount", "ferrous", "smp1", icount=True),
              Boot("ferrous-icount-notrace", "ferrous", "smp1", trace=False, icount=True),
              Boot("linux-icount", "linux", "smp1", icount=True)]
    timed = [b for b in timed if b.set in args.sets]
    icount = [b for b in icount if b.set in args.sets]
    return timed, icount if args.icount else []


def write_disk(path: str) -> None:
    """The blk boots' image: DISK_MIB MiB of BLK_BLOCK blocks, each starting with its
    index (little-endian 64 bits) and filled up with non-zero bytes (no holes)."""
    filler = bytes((i * 37 + 11) % 251 + 1 for i in range(BLK_BLOCK - 8))
    per_mib = (1 << 20) // BLK_BLOCK
    with open(path, "wb") as f:
        for mib in range(DISK_MIB):
            f.write(b"".join(struct.pack("<Q", mib * per_mib + i) + filler for i in range(per_mib)))


def machine(b: Boot, args: argparse.Namespace, workdir: str, disk: str | None) -> qemu.Machine:
    """The QEMU machine for b: the same for both kernels but for the boot media."""
    smp, accel = SETS[b.set]
    extra = list(ICOUNT) if b.icount else []
    if disk:
        extra += [a.format(path=disk) for a in DISK_QEMU]
    if b.kernel == "linux":
        append = f"{LINUX_APPEND} -- set={b.set}"
        return qemu.Machine(esp=None, mem=MEM, smp=smp, accel=accel, serial="stdio", extra=extra,
                            linux=qemu.LinuxBoot(args.linux_kernel, args.initramfs, append))
    run = RESTART_CMDLINE if b.set == "restart" else f"init.run=ubench ubench.set={b.set}"
    cmdline = f"{run} qemu_exit=1 trace={'on' if b.trace else 'off'}"
    esp = os.path.join(workdir, "esp.img")
    subprocess.run([os.path.join(ROOT, "tools", "mkesp.sh"), esp, args.loader, args.kernel,
                    args.initrd, cmdline], check=True, capture_output=True)
    return qemu.Machine(esp=esp, mem=MEM, smp=smp, accel=accel, debug_exit=True, serial="stdio",
                        extra=extra)


def run_boot(b: Boot, args: argparse.Namespace, rnd: int) -> dict:
    """Boots b once; returns what it printed (figures), how it ended, and where the log is."""
    log_path = os.path.join(args.logs, f"{b.name}-{rnd}.log")
    with tempfile.TemporaryDirectory(prefix="ferrous-bench-") as tmp, \
            tempfile.TemporaryDirectory(prefix="ferrous-bench-disk-", dir=DISK_DIR) as disk_dir:
        disk = os.path.join(disk_dir, "disk.img") if b.set == "blk" else None
        if disk:
            write_disk(disk)
        cmd = qemu.command(machine(b, args, tmp, disk), tmp)
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL,
                               timeout=BOOT_TIMEOUT_MT if b.set == "smp2mt" else BOOT_TIMEOUT)
            text, code = p.stdout.decode("utf-8", "replace"), p.returncode
        except subprocess.TimeoutExpired as e:  # subprocess.run has killed it
            text, code = (e.stdout or b"").decode("utf-8", "replace"), None
        seconds = time.monotonic() - t0
    with open(log_path, "w") as f:
        f.write(text)
    ok = code == (qemu.EXIT_SUCCESS if b.kernel == "ferrous" else 0)
    return {"round": rnd, "seconds": round(seconds, 1), "exit": code, "ok": ok,
            "log": os.path.relpath(log_path, ROOT), "command": shlex.join(cmd),
            "figures": parse_figures(text)}


def run_all(timed: list[Boot], icount: list[Boot], args: argparse.Namespace) -> None:
    rounds = [(r, timed) for r in range(1, args.runs + 1)] + ([(0, icount)] if icount else [])
    for rnd, boots in rounds:
        for b in boots:
            res = run_boot(b, args, rnd)
            b.results.append(res)
            what = "instruction view" if rnd == 0 else f"round {rnd}/{args.runs}"
            status = "" if res["ok"] else f"  FAILED (exit {res['exit']}; see {res['log']})"
            print(f"  {what}: {b.name:22} {res['seconds']:5.1f} s{status}", file=sys.stderr, flush=True)


# ---- figures ----

def metric(name: str) -> str:
    """The key a workload's figure is under: a duration in cycles, or a rate."""
    return "per_s" if name == "idle_wakeups" else "cycles"


def summary(b: Boot | None, name: str) -> dict:
    """Median, extremes and every value of one workload over b's boots; or why there is none."""
    if b is None:
        return {"missing": "not-in-this-view"}
    found = [r["figures"][name] for r in b.results if name in r["figures"]]
    key = metric(name)
    vals = [float(f[key]) for f in found if key in f]
    if not vals:
        reasons = sorted({f["skipped"] for f in found if "skipped" in f})
        return {"skipped": ",".join(reasons)} if reasons else {"missing": "no-figure"}
    out = {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals),
           "values": vals}
    ns = [float(f["ns"]) for f in found if "ns" in f]
    if ns:
        out["ns_median"] = statistics.median(ns)
    return out


def ratio(a: dict, b: dict, factor: float = 1.0) -> float | None:
    if "median" not in a or "median" not in b or b["median"] == 0:
        return None
    return a["median"] / (b["median"] * factor)


def view_boots(boots: dict[str, Boot], icount: bool) -> dict[str, Boot | None]:
    """Per role, the boot that supplies it in one view (None: not in that view)."""
    if icount:
        return {"fe-smp1": boots.get("ferrous-icount"), "fe-off": boots.get("ferrous-icount-notrace"),
                "lx-smp1": boots.get("linux-icount")}
    return {"fe-off": boots.get("ferrous-smp1-notrace"),
            **{f"{k}-{s}": boots.get(f"{kernel}-{s}")
               for s in SETS for k, kernel in (("fe", "ferrous"), ("lx", "linux"))}}


def row_figures(r: Row, vb: dict[str, Boot | None]) -> dict:
    """Ferrous (trace on, off), Linux, the ratio and the tracing cost of one row in one view."""
    fe, lx = summary(vb.get(f"fe-{r.set}"), r.ferrous), summary(vb.get(f"lx-{r.set}"), r.linux)
    off = summary(vb.get("fe-off"), r.ferrous) if r.set == "smp1" else {"missing": "not-in-this-view"}
    trace = ratio(fe, off)
    return {"ferrous": fe, "ferrous_trace_off": off, "linux": lx, "ratio": ratio(fe, lx),
            "trace_cost": None if trace is None or metric(r.ferrous) != "cycles" else trace - 1}


# ---- the table ----

def fmt_fig(s: dict, rate: bool) -> str:
    if "median" not in s:
        return "n/a"
    return f"{s['median']:,.1f}/s" if rate else f"{s['median']:,.0f}"


def fmt_ns(s: dict) -> str:
    return f"{s['ns_median']:,.0f}" if "ns_median" in s else ""


def fmt_pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:+.1f}%"


def row_label(r: Row) -> str:
    return f"{r.row} ({r.unit})" + ("" if r.set == "smp1" else f" [{r.set}]")


def table_line(r: Row, f: dict, timed: bool, width: int) -> str:
    rt = "" if f["ratio"] is None else f"{f['ratio']:.2f}"
    rate = metric(r.ferrous) == "per_s"
    cells = [f"{row_label(r):{width}}", f"{fmt_fig(f['ferrous'], rate):>14}"]
    if timed:
        cells.append(f"{fmt_ns(f['ferrous']):>10}")
    cells.append(f"{fmt_fig(f['linux'], rate):>14}")
    if timed:
        cells.append(f"{fmt_ns(f['linux']):>10}")
    return " ".join(cells + [f"{rt:>6}", f"{fmt_pct(f['trace_cost']):>8}"])


def print_table(title: str, rows: list[Row], figs: list[dict], timed: bool) -> None:
    if not rows:  # --sets restart alone: no Ferrous/Linux pairs
        return
    unit = "cycles" if timed else "instr"
    ns = f" {'ns':>10}" if timed else ""
    width = max(36, *(len(row_label(r)) for r in rows))
    head = f"{'row (unit)':{width}} {'Ferrous ' + unit:>14}{ns} {'Linux ' + unit:>14}{ns} {'Fe/Lx':>6} {'tracing':>8}"
    print(f"\n{title}\n{head}\n{'-' * len(head)}")
    for r, f in zip(rows, figs):
        if not timed and r.set != "smp1":
            continue
        print(table_line(r, f, timed, width))
        for side, s in (("Ferrous", f["ferrous"]), ("Linux", f["linux"])):
            if "skipped" in s:
                print(f"{'':{width + 2}}{side} skipped: {s['skipped']}")


def print_spread(rows: list[Row], figs: list[dict]) -> None:
    """Names the figures whose boots disagree by more than NOISY: medians hide nothing silently."""
    if not rows:
        return
    noisy = []
    for r, f in zip(rows, figs):
        for side, key in (("Ferrous", "ferrous"), ("Ferrous trace=off", "ferrous_trace_off"), ("Linux", "linux")):
            s = f[key]
            if s.get("n", 0) > 1 and s["min"] > 0 and s["max"] / s["min"] > NOISY:
                noisy.append(f"{r.row} {side} x{s['max'] / s['min']:.1f}")
    if noisy:
        print(textwrap.fill(f"Spread over the boots (max/min) above {NOISY}x: " + "; ".join(noisy), 104,
                            subsequent_indent="  "))
    else:
        print(f"Every figure's boots agree within {NOISY}x (max/min; all values in the JSON).")


# ---- big-lock contention (set smp2mt) ----

# (row, what) of the contention rows; the first is the one-pair base of the scaling.
CONTENTION = [("ipc_pairs_1", "1 pair, pinned"), ("ipc_pairs_ncpu", "one pair per CPU, pinned"),
              ("ipc_pairs_unpinned", "one pair per CPU, unpinned")]


def median_key(b: Boot | None, name: str, key: str) -> float | None:
    """The median over b's boots of one key=value of one workload's line."""
    vals = [float(r["figures"][name][key]) for r in (b.results if b else [])
            if key in r["figures"].get(name, {})]
    return statistics.median(vals) if vals else None


def contention(rows: list[Row], figs: list[dict], vb: dict[str, Boot | None]) -> dict:
    """Per contention row and side: aggregate round trips/s, pairs, scaling over the base row;
    Ferrous's big-lock shares (waits per acquisition, spin time per CPU time)."""
    by = {r.row: (r, f) for r, f in zip(rows, figs)}
    if any(name not in by for name, _ in CONTENTION):
        return {}
    out: dict = {}
    base = by[CONTENTION[0][0]][1]
    for name, what in CONTENTION:
        r, f = by[name]
        row: dict = {"what": what}
        for side, key, prog in (("ferrous", "fe", r.ferrous), ("linux", "lx", r.linux)):
            s = f[side]
            b = vb.get(f"{key}-{r.set}")
            row[side] = {
                "per_s": 1e9 / s["ns_median"] if s.get("ns_median") else None,
                "pairs": median_key(b, prog, "pairs"),
                "scaling": ratio(base[side], s) if "median" in s else None,
                "skipped": s.get("skipped"),
            }
            if side == "ferrous":
                for k in ("waited_ppm", "spin_ppm"):
                    v = median_key(b, prog, k)
                    row[side][k.replace("_ppm", "_share")] = None if v is None else v / 1e6
        out[name] = row
    return out


def print_contention(c: dict) -> None:
    if not c:
        return
    print(f"\nBig-lock contention [smp2mt: -smp 2 -accel {SMP2MT_ACCEL}, both vCPUs really in parallel]; "
          "medians;\naggregate round trips per second of all pairs together; scaling: over the 1-pair row "
          "(ideal: the number of pairs)")
    head = (f"{'row':22} {'pairs':>5} {'Ferrous rt/s':>13} {'scaling':>8} {'lock waited':>12} {'spin/CPU':>9}"
            f" {'Linux rt/s':>11} {'scaling':>8}")
    print(f"{head}\n{'-' * len(head)}")

    def num(x: float | None, f: str) -> str:
        return "n/a" if x is None else format(x, f)
    for name, row in c.items():
        fe, lx = row["ferrous"], row["linux"]
        pairs = fe["pairs"] or lx["pairs"]
        print(f"{name:22} {num(pairs, '.0f'):>5} {num(fe['per_s'], ',.0f'):>13} "
              f"{num(fe['scaling'], '.2f') + 'x':>8} {num(fe.get('waited_share'), '.1%'):>12} "
              f"{num(fe.get('spin_share'), '.1%'):>9} {num(lx['per_s'], ',.0f'):>11} "
              f"{num(lx['scaling'], '.2f') + 'x':>8}")
    print("lock waited: big-lock acquisitions that found it held; spin/CPU: cycles spent spinning for it over\n"
          "the timed batches' cycles on all CPUs (fe_cpu_stats, summed over CPUs).")


# ---- block throughput (set blk) ----

# row -> (what, bytes per operation; None: the figure is operations per second)
BLOCK = {"blk_rand_read": ("4 KiB random reads, queue depth 1: reads/s", None),
         "blk_seq_read": ("1 MiB sequential reads, queue depth 1: MB/s", 1 << 20),
         "blk_rand_read_qd32": ("4 KiB random reads, queue depth 32: reads/s", None)}


def throughput(s: dict, per_op: int | None) -> float | None:
    """From a summary's median ns per operation: operations/s, or MB/s (10^6 bytes) if per_op."""
    ns = s.get("ns_median")
    if not ns:
        return None
    return 1e9 / ns if per_op is None else per_op * 1e3 / ns


def block(rows: list[Row], figs: list[dict], vb: dict[str, Boot | None]) -> dict:
    """Per blk row and side: throughput, device requests per operation; and the
    Ferrous/Linux throughput ratio (Linux's cycles over Ferrous's: > 1, Ferrous faster)."""
    out: dict = {}
    for r, f in zip(rows, figs):
        if r.row not in BLOCK:
            continue
        what, per_op = BLOCK[r.row]
        out[r.row] = {"what": what, "ratio": None if not f["ratio"] else 1 / f["ratio"]}
        for side, key, prog in (("ferrous", "fe", r.ferrous), ("linux", "lx", r.linux)):
            out[r.row][side] = {"per_s": throughput(f[side], per_op), "skipped": f[side].get("skipped"),
                                "reqs_per_op": median_key(vb.get(f"{key}-{r.set}"), prog, "reqs_per_op")}
    return out


def print_block(c: dict) -> None:
    if not c:
        return
    print("\nBlock reads [blk: -smp 1 and a virtio-blk disk; Ferrous: user-space driver; Linux: in-kernel, "
          "O_DIRECT];\nmedians; from ns per read; MB = 10^6 bytes; Fe/Lx here is throughput: > 1, Ferrous faster")
    head = f"{'row':18} {'what':45} {'Ferrous':>10} {'Linux':>10} {'Fe/Lx':>6} {'requests/read Fe, Lx':>21}"
    print(f"{head}\n{'-' * len(head)}")

    def num(x: float | None, f: str) -> str:
        return "n/a" if x is None else format(x, f)
    for name, row in c.items():
        fe, lx = row["ferrous"], row["linux"]
        reqs = f"{num(fe['reqs_per_op'], '.2f')}, {num(lx['reqs_per_op'], '.2f')}"
        print(f"{name:18} {row['what']:45} {num(fe['per_s'], ',.0f'):>10} {num(lx['per_s'], ',.0f'):>10} "
              f"{num(row['ratio'], '.2f'):>6} {reqs:>21}")


# ---- restart time (set restart) ----

def restart(b: Boot | None) -> dict:
    """Per part: the median over the boots of each boot's median and p99 (us), and the crashes."""
    if b is None:
        return {}
    out = {}
    for part, what in RESTART_PARTS:
        out[part] = {"what": what.strip(), "median_us": median_key(b, f"restart_{part}", "median_us"),
                     "p99_us": median_key(b, f"restart_{part}", "p99_us"),
                     "crashes": median_key(b, f"restart_{part}", "n")}
    return out


def print_restart(c: dict) -> None:
    if not c:
        return
    n = c["total"]["crashes"]
    print(f"\nRestart time [restart: -smp 2 -accel {SMP2_ACCEL}; the supervisor, echo crashed "
          f"{RESTART_CRASHES} times a boot\n(every fault kind but hang), "
          f"{'n/a' if n is None else f'{n:.0f}'} restarts measured]; guest time (TSC); "
          "medians over the boots of each boot's median and p99")
    head = f"{'part':58} {'median us':>10} {'p99 us':>10}"
    print(f"{head}\n{'-' * len(head)}")

    def num(x: float | None) -> str:
        return "n/a" if x is None else f"{x:,.0f}"
    for part, what in RESTART_PARTS:
        print(f"{what:58} {num(c[part]['median_us']):>10} {num(c[part]['p99_us']):>10}")


def print_pairs(rows: list[Row]) -> None:
    if not rows:
        return
    print("\nPairs (bench/workloads.h; what each does: the `#` lines in the logs, bench/README.md):")
    for r in rows:
        print(f"  {r.row:22} Ferrous {r.ferrous:28} Linux {r.linux}")


# ---- goals ----

# (goal, Ferrous workload, Linux workload, factor on Linux's figure, limit on the ratio)
GOALS = [
    ("IPC round trip <= 1/10 of Linux same-CPU pipe round trip", "ipc_call_reply", "pipe_pingpong", 1, 0.1),
    ("IPC round trip <= 1/2 of Linux sched_yield ping-pong (round trip = 2 switches)",
     "ipc_call_reply", "yield_pingpong", 2, 0.5),
    ("null syscall <= 1/2 of Linux getpid", "null_syscall", "getpid", 1, 0.5),
    ("spawn to first instruction and back <= 1/3 of fork+exec+wait", "spawn_exit_wait", "fork_exec_wait", 1, 1 / 3),
]
# (goal, Ferrous workload, Linux workload, least Ferrous/Linux throughput)
THROUGHPUT_GOALS = [
    ("virtio-blk 4 KiB random reads/s >= Linux's in-kernel driver (Ferrous/Linux >= 1.0)",
     "blk_rand_read_4k", "odirect_rand_read_4k", 1.0),
    ("virtio-blk 1 MiB sequential MB/s >= Linux's in-kernel driver (Ferrous/Linux >= 1.0)",
     "blk_seq_read_1m", "odirect_seq_read_1m", 1.0),
]
TRACE_LIMIT = 0.02


def judge(vb: dict[str, Boot | None]) -> list[dict]:
    """Each goal in one view: the measured ratio and PASS/MISS (or n/a)."""
    out = []
    for text, fe, lx, factor, limit in GOALS:
        q = ratio(summary(vb.get("fe-smp1"), fe), summary(vb.get("lx-smp1"), lx), factor)
        out.append({"goal": text, "value": q, "limit": limit,
                    "verdict": "n/a" if q is None else "PASS" if q <= limit else "MISS"})
    costs = {}
    for name in ["null_syscall", "ipc_call_reply", "context_switch_yield", "notify_signal_wait",
                 "spawn_exit_wait", "page_map_touch_unmap", "vmo_create_map_touch_unmap"]:
        c = ratio(summary(vb.get("fe-smp1"), name), summary(vb.get("fe-off"), name))
        if c is not None:
            costs[name] = c - 1
    worst = max(costs, key=costs.get) if costs else None
    out.append({"goal": "full tracing adds < 2% (worst Ferrous workload, trace on vs off)",
                "value": costs.get(worst), "limit": TRACE_LIMIT, "worst": worst, "costs": costs,
                "verdict": "n/a" if worst is None else "PASS" if costs[worst] < TRACE_LIMIT else "MISS"})
    for text, fe, lx, least in THROUGHPUT_GOALS:  # Linux's time over Ferrous's: throughput
        q = ratio(summary(vb.get("lx-blk"), lx), summary(vb.get("fe-blk"), fe))
        out.append({"goal": text, "value": q, "limit": least, "at_least": True,
                    "verdict": "n/a" if q is None else "PASS" if q >= least else "MISS"})
    return out


def judge_restart(c: dict) -> list[dict]:
    """The restart goals (the median; the charter's bound on it), if the restart set ran."""
    med = c.get("total", {}).get("median_us") if c else None
    return [{"goal": f"restart median < {limit / 1000:.0f} ms ({what})", "value": med, "limit": limit,
             "verdict": "n/a" if med is None else "PASS" if med < limit else "MISS"}
            for what, limit in (("issue 11's goal", RESTART_GOAL_US), ("the charter's", RESTART_CHARTER_US))]


def print_restart_goals(goals: list[dict]) -> None:
    for g in goals:
        v = "n/a" if g["value"] is None else f"{g['verdict']} ({g['value'] / 1000:.1f} ms)"
        print(f"  {g['goal']}\n      timed: {v}")


def print_goals(timed: list[dict], icount: list[dict], cont: dict) -> None:
    print("\nGoals (timed: medians of the rounds; instr: the -icount view)")
    for t, i in zip(timed, icount or [{}] * len(timed)):
        def show(g: dict) -> str:
            if not g or g["value"] is None:
                return "n/a"
            v = f"{g['value'] * 100:+.1f}%" if "costs" in g else f"{g['value']:.2f}"
            extra = f" {g['worst']}" if g.get("worst") else ""
            return f"{g['verdict']} ({v}{extra})"
        print(f"  {t['goal']}\n      timed: {show(t)};  instr: {show(i)}")
    if cont:
        def sc(side: str, name: str) -> str:
            v = cont[name][side]["scaling"]
            return "n/a" if v is None else f"{v:.2f}x"
        n = cont["ipc_pairs_ncpu"]["ferrous"]["pairs"] or cont["ipc_pairs_ncpu"]["linux"]["pairs"]
        ideal = "n/a" if n is None else f"{n:.1f}x"
        print(f"  INFO (not a goal, never PASS/MISS): big-lock scaling [smp2mt], N pairs' round trips/s over 1 "
              f"pair's (ideal {ideal})\n      Ferrous pinned {sc('ferrous', 'ipc_pairs_ncpu')}, unpinned "
              f"{sc('ferrous', 'ipc_pairs_unpinned')};  Linux pinned {sc('linux', 'ipc_pairs_ncpu')}, "
              f"unpinned {sc('linux', 'ipc_pairs_unpinned')}")


# ---- main ----

def git_describe() -> str:
    p = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return p.stdout.strip() or "unknown"


def report(args: argparse.Namespace, rows: list[Row], timed: list[Boot], icount: list[Boot],
           seconds: float) -> dict:
    boots = {b.name: b for b in timed + icount}
    rows = [r for r in rows if r.set in args.sets]
    tv, iv = view_boots(boots, False), view_boots(boots, True)
    tfig = [row_figures(r, tv) for r in rows]
    ifig = [row_figures(r, iv) for r in rows] if icount else []
    print(f"\nFerrous {git_describe()} (release build) vs Linux {args.linux_version}; QEMU "
          f"-machine q35 -cpu max -m {MEM}, TCG.")
    print(f"Default -smp 1 (-accel tcg); [smp2] rows: -smp 2 -accel {SMP2_ACCEL}; [smp2mt] rows: -smp 2 "
          f"-accel {SMP2MT_ACCEL};\n[blk] rows: -smp 1 -accel tcg and a {DISK_MIB} MiB virtio-blk disk "
          f"(a fresh image in {DISK_DIR or 'the temporary directory'} per boot);\n[restart]: -smp 2 "
          f"-accel {SMP2_ACCEL}, Ferrous only (the supervisor restarting echo).\n"
          "Ferrous boots with trace=on (its default) unless 'tracing' says otherwise.")
    print_table(f"Timed view: median over {args.runs} boot(s) of each configuration; guest TSC cycles and "
                "ns per operation (idle: wake-ups/s);\nFe/Lx < 1: Ferrous faster; tracing: Ferrous trace=on vs "
                "trace=off",
                rows, tfig, True)
    print_spread(rows, tfig)
    if icount:
        print_table("Instruction view: -smp 1 " + " ".join(ICOUNT) + ";\none boot each, deterministic; "
                    "guest instructions per operation (no cache or TLB costs)", rows, ifig, False)
    cont = contention(rows, tfig, tv)
    print_contention(cont)
    blk = block(rows, tfig, tv)
    print_block(blk)
    rst = restart(boots.get("ferrous-restart"))
    print_restart(rst)
    print_pairs(rows)
    tg, ig = judge(tv), judge(iv) if icount else []
    print_goals(tg, ig, cont)
    rg = judge_restart(rst)
    if rst:
        print_restart_goals(rg)
    failed = [f"{b.name} round {r['round']} (exit {r['exit']}, {r['log']})" for b in timed + icount
              for r in b.results if not r["ok"]]
    for f in failed:
        print(f"  boot failed: {f}")
    return {"timestamp": args.stamp, "ferrous": git_describe(), "linux": args.linux_version,
            "runs": args.runs, "wall_seconds": round(seconds, 1), "qemu": {
                "machine": "q35", "cpu": "max", "mem": MEM, "smp1_accel": "tcg", "smp2_accel": SMP2_ACCEL,
                "smp2mt_accel": SMP2MT_ACCEL,
                "icount": ICOUNT, "linux_append": LINUX_APPEND, "blk_disk": DISK_QEMU,
                "blk_disk_mib": DISK_MIB, "blk_disk_dir": DISK_DIR}, "sets": args.sets,
            "rows": [{**asdict(r), "timed": t, "icount": i} for r, t, i in
                     zip(rows, tfig, ifig or [None] * len(rows))],
            "goals": {"timed": tg, "icount": ig, "restart": rg}, "contention": cont, "block": blk,
            "restart": rst,
            "boots": {b.name: b.results for b in timed + icount}, "failed_boots": failed}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="rounds of timed boots (BENCH_RUNS)")
    p.add_argument("--no-icount", dest="icount", action="store_false", help="skip the instruction view")
    p.add_argument("--sets", default=",".join(SETS),
                   help=f"configurations to boot, comma-separated (default: all, {','.join(SETS)})")
    p.add_argument("--loader", default=os.path.join(ROOT, "build", "boot", "BOOTX64.EFI"))
    p.add_argument("--kernel", default=os.path.join(ROOT, "build", "release", "kernel.boot.elf"))
    p.add_argument("--initrd", default=os.path.join(ROOT, "build", "release", "initrd.cpio"))
    p.add_argument("--linux-dir", default=os.path.join(ROOT, "build", "bench", "linux"),
                   help="vmlinuz and version, from bench/linux/fetch.sh")
    p.add_argument("--initramfs", default=os.path.join(ROOT, "build", "bench", "initramfs.cpio"))
    p.add_argument("--results", default=os.path.join(ROOT, "bench", "results"))
    p.add_argument("--logs", default=os.path.join(ROOT, "build", "bench", "logs"))
    args = p.parse_args()
    if args.runs < 1:
        p.error("--runs must be at least 1")
    args.sets = [x for x in args.sets.split(",") if x]
    if not args.sets or any(x not in SETS for x in args.sets):
        p.error(f"--sets takes names among {', '.join(SETS)}")
    args.linux_kernel = os.path.join(args.linux_dir, "vmlinuz")
    args.stamp = time.strftime("%Y%m%d-%H%M%S")
    timed, icount = boot_list(args)
    # Set restart alone boots no Linux: it needs none fetched.
    linux = any(b.kernel == "linux" for b in timed + icount)
    for path in (args.loader, args.kernel, args.initrd) + ((args.linux_kernel, args.initramfs) if linux else ()):
        if not os.path.exists(path):
            p.error(f"{path} does not exist: run `make bench`")
    args.linux_version = open(os.path.join(args.linux_dir, "version")).read().strip() if linux else "(none booted)"
    os.makedirs(args.logs, exist_ok=True)
    os.makedirs(args.results, exist_ok=True)
    rows = read_rows()
    t0 = time.monotonic()
    n = len(timed) * args.runs + len(icount)
    print(f"bench: {n} boots, one at a time ({args.runs} rounds of {len(timed)}, then "
          f"{len(icount)} under -icount)", file=sys.stderr, flush=True)
    run_all(timed, icount, args)
    out = report(args, rows, timed, icount, time.monotonic() - t0)
    path = os.path.join(args.results, f"{args.stamp}.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"\n{time.monotonic() - t0:.0f} s; everything in {os.path.relpath(path, ROOT)}")
    return 1 if out["failed_boots"] else 0


if __name__ == "__main__":
    sys.exit(main())
