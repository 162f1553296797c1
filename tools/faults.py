#!/usr/bin/env python3
"""`make faults`: the long crash campaign, in one boot, under load.

Boots the `faults` scenario (tools/scenarios.py; the guest side is
user/svctest/faults.c) through the test runner's own machinery (boot and
judge of tools/testrun.py), while a second QEMU loads the host: the `user`
scenario (utest on -smp 2) booted again and again until the campaign ends
(--no-load: none). Then prints the tally: crashes injected by kind and by
service, restarts seen, kernel panics, acknowledged writes and how many of
them are not on the disk image, and restart median and p99 per service.

Exit status 1 on a kernel panic, a lost acknowledged write, a service that
did not come back, fewer crashes than asked for, or any failed check of the
scenario (its KTAP cases and console patterns); 0 otherwise.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRASHES = re.compile(r"^# faults: (\d+) crashes injected:(.*)$", re.M)
SUMMARY = re.compile(r"^\s*# (?:faults|restart)\b.*$", re.M)
LOAD_SCENARIO = "boot/user"


class HostLoad:
    """A second QEMU for the length of the campaign: the `load` scenario booted in a loop."""

    def __init__(self, out: str) -> None:
        self.out = out
        self.stop = threading.Event()
        self.proc: subprocess.Popen | None = None
        self.boots = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                if self.stop.is_set():
                    return
                self.proc = subprocess.Popen(
                    [sys.executable, os.path.join(ROOT, "tools", "testrun.py"), "--skip-host", "--skip-fuzz",
                     "--only", LOAD_SCENARIO, "--out", self.out],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.proc.wait()
            self.boots += 1

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        with self.lock:
            self.stop.set()
            if self.proc and self.proc.poll() is None:
                self.proc.terminate()  # testrun.py kills its QEMU on SIGTERM
        self.thread.join(timeout=60)


def tally(log: str, image: str, wanted: int) -> tuple[list[str], list[str]]:
    """(lines to print, problems) from the campaign's console log and disk image."""
    import testrun  # noqa: E402 (after sys.path is set)
    lines, problems = [], []
    m = CRASHES.search(log)
    crashes = int(m[1]) if m else 0
    if crashes < wanted:
        problems.append(f"{crashes} crashes injected, {wanted} asked for")
    panics = len(re.findall(r"PANIC", log))
    acked = len(testrun.ACKED_WRITE.findall(log))
    lost = [p for p in testrun.check_acked_writes(log, image) if p.startswith("acknowledged write")]
    lines += [x[0].strip() for x in SUMMARY.finditer(log) if "so far" not in x[0]]
    lines.append(f"# faults: kernel panics: {panics}")
    lines.append(f"# faults: acknowledged writes: {acked}, not on the disk image: {len(lost)}")
    if panics:
        problems.append(f"{panics} kernel panics")
    if not acked:
        problems.append("no acknowledged write in the log")
    problems += lost[:20]
    return lines, problems


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--crashes", type=int, default=int(os.environ.get("FAULTS_CRASHES", "1000")))
    p.add_argument("--no-load", dest="load", action="store_false", help="no second QEMU on the host")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "faults"))
    p.add_argument("--timeout", type=float, default=180.0, help="(the scenario sets its own)")
    p.add_argument("--loader", default=os.path.join(ROOT, "build", "boot", "BOOTX64.EFI"))
    p.add_argument("--kernel", default=os.path.join(ROOT, "build", "debug", "kernel.boot.elf"))
    p.add_argument("--initrd", default=os.path.join(ROOT, "build", "debug", "initrd.cpio"))
    args = p.parse_args()
    os.environ["FAULTS_CRASHES"] = str(args.crashes)  # read by scenarios.py when imported
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import scenarios  # noqa: E402
    import testrun  # noqa: E402

    s = next(x for x in scenarios.SCENARIOS if x.name == "faults")
    os.makedirs(args.out, exist_ok=True)
    load = HostLoad(os.path.join(args.out, "load")) if args.load else None
    print(f"faults: {args.crashes} crashes in one boot"
          f"{', the host loaded by ' + LOAD_SCENARIO + ' boots' if load else ''}", flush=True)
    t0 = time.monotonic()
    if load:
        load.start()
    def progress(line: str) -> None:
        if "so far" in line or "no progress" in line:
            print(f"  {time.monotonic() - t0:4.0f} s{line.strip().lstrip('#')}", flush=True)
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        run = testrun.boot(s, args, progress)
    except KeyboardInterrupt:
        testrun._kill_all()  # QEMU runs in a session of its own
        print("faults: interrupted")
        return 1
    finally:
        if load:
            load.finish()
    log_path = os.path.join(args.out, s.name, "serial.log")
    outcomes = testrun.judge(s, run, log_path)
    lines, problems = tally(run.log, os.path.join(args.out, s.name, "disk.img"), args.crashes)
    for o in outcomes:
        print(f"{'ok' if o.ok else 'not ok':6} {o.name}")
        for d in ([] if o.ok else o.details):
            print(f"         # {d}")
    print("\n".join(lines))
    if load:
        print(f"# faults: host load: {load.boots} `{LOAD_SCENARIO}` boots beside it")
    for pr in problems:
        print(f"faults: {pr}")
    failed = problems or not all(o.ok for o in outcomes)
    print(f"faults: {'FAILED' if failed else 'passed'} in {time.monotonic() - t0:.0f} s; log {os.path.relpath(log_path, ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
