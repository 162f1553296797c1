#!/usr/bin/env python3
"""Instruction profile of one ubench workload: where the guest instructions go.

    python3 tools/profile.py null_syscall [--trace off] [--per ferrous_syscall_entry]

Boots the release kernel under `-icount` with ubench running one workload
(`ubench.only=NAME`) and QEMU logging every translated block (`-d in_asm`) and
every block it executes (`-d exec,nochain`), limited by `-dfilter` to the
kernel image and the benchmark program. Each executed block adds its number
of guest instructions to the function (from the ELF symbol tables) it starts
in. Totals are divided by the number of times the `--per` symbol was entered,
so the figures read as instructions per operation, by function.

Instruction counts are what the `-icount` view of `make bench` measures; they
say where the work is, not how long TCG takes for it (a CR3 write, for one,
costs TCG far more than one instruction: it flushes QEMU's software TLB).
"""
from __future__ import annotations

import argparse
import bisect
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import qemu  # noqa: E402

BUILD = os.path.join(ROOT, "build", "release")
ICOUNT = ["-icount", "shift=0,align=off,sleep=off", "-rtc", "base=2024-01-01T00:00:00,clock=vm", "-seed", "1"]
# The kernel image's and the user program's link ranges (kernel/arch/x86_64/kernel.ld, user/lib/user.ld).
FILTER = "0xffffffff80000000+0x2000000,0x400000+0x100000"

IN_ASM_ADDR = re.compile(r"^0x([0-9a-f]+):\s")
EXEC_LINE = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")


class Symbols:
    """Function start addresses from `nm`, for address -> name."""

    def __init__(self, elves: list[str]):
        pairs = []
        for elf in elves:
            out = subprocess.run(["nm", "-n", elf], check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[1] in "tTwW":
                    pairs.append((int(parts[0], 16), parts[2]))
        pairs.sort()
        self.addrs = [a for a, _ in pairs]
        self.names = [n for _, n in pairs]

    def name(self, pc: int) -> str:
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.names[i] if i >= 0 else f"0x{pc:x}"

    def address(self, name: str) -> int:
        return self.addrs[self.names.index(name)]


def parse_log(stream, sizes: dict[int, int], execs: Counter) -> None:
    """Reads QEMU's log: blocks' instruction counts (in_asm) and executions (exec)."""
    block_start, count = None, 0
    for line in stream:
        m = EXEC_LINE.match(line)
        if m:
            execs[int(m.group(1), 16)] += 1
            continue
        if line.startswith("IN:"):
            if block_start is not None:
                sizes[block_start] = count
            block_start, count = None, 0
            continue
        m = IN_ASM_ADDR.match(line)
        if m:
            if block_start is None:
                block_start = int(m.group(1), 16)
            count += 1
    if block_start is not None:
        sizes[block_start] = count


def run(args: argparse.Namespace) -> tuple[dict[int, int], Counter]:
    cmdline = f"init.run=ubench ubench.only={args.workload} qemu_exit=1 trace={args.trace}"
    sizes: dict[int, int] = {}
    execs: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="ferrous-profile-") as tmp:
        esp = os.path.join(tmp, "esp.img")
        subprocess.run([os.path.join(HERE, "mkesp.sh"), esp, args.loader, os.path.join(BUILD, "kernel.elf"),
                        os.path.join(BUILD, "initrd.cpio"), cmdline], check=True, capture_output=True)
        fifo = os.path.join(tmp, "qemu.log")
        os.mkfifo(fifo)
        m = qemu.Machine(esp=esp, smp=1, debug_exit=True, serial="file:" + os.path.join(tmp, "serial.log"),
                         extra=ICOUNT + ["-d", "in_asm,exec,nochain", "-dfilter", FILTER, "-D", fifo])
        proc = subprocess.Popen(qemu.command(m, tmp), stdout=subprocess.DEVNULL)
        with open(fifo, encoding="utf-8", errors="replace") as stream:
            reader = threading.Thread(target=parse_log, args=(stream, sizes, execs))
            reader.start()
            reader.join()
        proc.wait(timeout=600)
        with open(os.path.join(tmp, "serial.log"), encoding="utf-8", errors="replace") as f:
            serial = f.read()
    figures = [l for l in serial.splitlines() if l.startswith(args.workload) or "cycles" in l]
    for line in figures[-3:]:
        print("# guest:", line)
    return sizes, execs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", help="a ubench workload name, e.g. null_syscall, ipc_call_reply")
    ap.add_argument("--trace", choices=("on", "off"), default="on")
    ap.add_argument("--per", default="syscall_entry",
                    help="symbol whose entries count the operations (default: syscall_entry)")
    ap.add_argument("--per-count", type=float, default=1.0,
                    help="entries of --per in one operation (e.g. 2 for a call+reply round trip)")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--loader", default=os.path.join(ROOT, "build", "boot", "BOOTX64.EFI"))
    args = ap.parse_args()

    syms = Symbols([os.path.join(BUILD, "kernel.elf"), os.path.join(BUILD, "user", "ubench.elf")])
    sizes, execs = run(args)
    per = syms.address(args.per)
    ops = execs[per] / args.per_count
    if ops == 0:
        print(f"profile: {args.per} never ran", file=sys.stderr)
        return 1
    by_fn: Counter = Counter()
    for pc, n in execs.items():
        by_fn[syms.name(pc)] += n * sizes.get(pc, 0)
    total = sum(by_fn.values())
    print(f"# {args.workload}, trace={args.trace}: {ops:.0f} operations, "
          f"{total / ops:.1f} guest instructions per operation (kernel image + ubench only)")
    for name, n in by_fn.most_common(args.top):
        print(f"{n / ops:10.1f}  {100 * n / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
