#!/usr/bin/env python3
"""QEMU command lines for Ferrous: the one place that knows how to boot it.

Used by `make run`, `make debug` and the test runner (tools/testrun.py).
The machine is always q35 with OVMF (UEFI) and `-cpu max` under TCG: these
hosts have no working KVM (DESIGN section 11). Every run gets its own copy of
OVMF's variable store, and the ESP image is attached with snapshot=on so
concurrent runs never share a writable disk. `make bench` (bench/bench.py)
also boots Linux on the same machine, CPU, -smp and memory through
`-kernel`/`-initrd` (QEMU's default firmware, no ESP).

    python3 tools/qemu.py run   --esp build/debug/esp.img [--mem 512M] [--smp 2]
    python3 tools/qemu.py debug --esp build/debug/esp.img --kernel build/debug/kernel.elf
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
# isa-debug-exit: the guest writes v to port 0xf4 and QEMU exits with (v << 1) | 1.
DEBUG_EXIT_DEVICE = "isa-debug-exit,iobase=0xf4,iosize=0x04"
EXIT_SUCCESS = 33  # kernel writes 0x10
EXIT_FAILURE = 35  # kernel writes 0x11 (test failures, panics)
GDB_PORT = 1234


def qemu_binary() -> str:
    """The QEMU to run; FERROUS_QEMU overrides it (the runner's own tests use a fake)."""
    return os.environ.get("FERROUS_QEMU", "qemu-system-x86_64")


@dataclass
class LinuxBoot:
    """A Linux kernel booted directly (-kernel), for the benchmarks' comparison."""

    kernel: str
    initrd: str
    append: str


@dataclass
class Machine:
    """One QEMU invocation."""

    esp: str | None  # None: direct Linux boot from `linux`
    mem: str = "512M"
    smp: int = 1
    accel: str = "tcg"  # e.g. "tcg,thread=single" (DESIGN section 11)
    linux: LinuxBoot | None = None
    debug_exit: bool = False
    serial: str = "mon:stdio"  # "stdio", "mon:stdio" or "file:PATH"
    # COM2, where the trace exporter (user/traced) streams records: a chardev
    # such as "file:PATH"; None = no second UART (traced then exits at once).
    serial2: str | None = None
    gdb: bool = False  # gdb server on GDB_PORT, CPU halted until gdb continues
    extra: list[str] = field(default_factory=list)


def _boot_media(m: Machine, workdir: str) -> list[str]:
    """OVMF and the ESP; or, for Linux, its kernel, initrd and command line."""
    if m.linux:
        return ["-kernel", m.linux.kernel, "-initrd", m.linux.initrd, "-append", m.linux.append]
    if not m.esp:
        raise ValueError("a Machine needs an ESP image or a LinuxBoot")
    vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
    shutil.copyfile(OVMF_VARS, vars_copy)
    return [
        "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
        "-drive", f"if=pflash,format=raw,file={vars_copy}",
        "-drive", f"format=raw,file={m.esp},snapshot=on",
    ]


def command(m: Machine, workdir: str) -> list[str]:
    """The argument vector for m; copies OVMF's variable store into workdir."""
    args = [
        qemu_binary(),
        "-machine", "q35", "-cpu", "max", "-accel", m.accel,
        "-m", m.mem, "-smp", str(m.smp),
        "-nodefaults", "-display", "none", "-no-reboot",
        *_boot_media(m, workdir),
        "-serial", m.serial,
    ]
    if m.serial2:
        args += ["-serial", m.serial2]
    if m.debug_exit:
        args += ["-device", DEBUG_EXIT_DEVICE]
    if m.gdb:
        args += ["-gdb", f"tcp::{GDB_PORT}", "-S"]
    return args + m.extra


def show(args: list[str]) -> None:
    """Prints the command line on stderr, ready to copy."""
    print("+ " + shlex.join(args), file=sys.stderr, flush=True)


def run(m: Machine) -> int:
    """Boots interactively on this terminal; returns QEMU's exit status."""
    with tempfile.TemporaryDirectory(prefix="ferrous-run-") as tmp:
        args = command(m, tmp)
        show(args)
        print("(Ctrl-A X quits QEMU; Ctrl-A C switches to its monitor)", file=sys.stderr)
        return subprocess.call(args)


def debug(m: Machine, kernel: str) -> int:
    """QEMU halted with its gdb server, and gdb attached with the kernel's symbols."""
    with tempfile.TemporaryDirectory(prefix="ferrous-debug-") as tmp:
        log = os.path.join(os.path.dirname(m.esp) or ".", "debug-serial.log")
        m.serial = f"file:{log}"
        m.gdb = True
        args = command(m, tmp)
        show(args)
        print(f"(serial output goes to {log}; `tail -f` it in another terminal)", file=sys.stderr)
        qemu = subprocess.Popen(args, start_new_session=True)
        gdb = [
            "gdb", "-q",
            "-ex", "set architecture i386:x86-64",
            "-ex", f"file {kernel}",
            "-ex", f"target remote localhost:{GDB_PORT}",
            "-ex", "hbreak kernel_main",
            "-ex", "continue",
        ]
        show(gdb)
        try:
            return subprocess.call(gdb)
        finally:
            os.killpg(qemu.pid, signal.SIGTERM)
            qemu.wait()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["run", "debug"])
    p.add_argument("--esp", required=True, help="EFI system partition image")
    p.add_argument("--kernel", help="kernel ELF with symbols (debug mode)")
    p.add_argument("--mem", default="512M")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--trace-out", help="COM2 to this file: the trace exporter's stream (tools/trace.py)")
    p.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more QEMU arguments")
    a = p.parse_args()
    m = Machine(esp=a.esp, mem=a.mem, smp=a.smp, extra=a.extra,
                serial2=f"file:{a.trace_out}" if a.trace_out else None)
    if a.mode == "debug":
        if not a.kernel:
            p.error("debug needs --kernel")
        return debug(m, a.kernel)
    return run(m)


if __name__ == "__main__":
    sys.exit(main())
