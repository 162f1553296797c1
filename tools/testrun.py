#!/usr/bin/env python3
"""The Ferrous test runner: what `make test` (and so CI) runs.

Stages, each test counted once in the final tally:
  1. host unit tests: every build/host/test_* binary (cmocka, TAP output),
     one test per case; and this directory's own unit tests (test_tools.py);
  2. fuzz smoke runs: `make fuzz-smoke-<name>` for every fuzzer, one test each;
  3. boot scenarios in QEMU (tools/scenarios.py), several at once: each
     scenario is one test, and each KTAP case its kernel prints is one more.

The last line printed is always "N passed, N failed"; the exit status is 1 if
anything failed. Logs go to build/test/<scenario>/serial.log and a summary to
build/test/results.json. No verdict depends on timing: the per-boot timeout
only stops a hung QEMU (and fails its scenario).
"""
from __future__ import annotations

import argparse
import fnmatch
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402
import netpeer  # noqa: E402
import qemu  # noqa: E402
import ramdisk  # noqa: E402
from tracetool import trace  # noqa: E402
from scenarios import BANNER, INIT_DONE, SCENARIOS, Scenario  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOG_TAIL = 30
EXIT_MEANING = {qemu.EXIT_SUCCESS: "kernel reported success", qemu.EXIT_FAILURE: "kernel reported failure or panicked",
                0: "machine powered off"}


@dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float = 0.0
    skipped: bool = False
    details: list[str] = field(default_factory=list)


class Reporter:
    """Prints outcomes as they arrive (one group line each unless verbose) and keeps them."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.outcomes: list[Outcome] = []
        self.timings: dict[str, dict[str, float | None]] = {}
        self.lock = threading.Lock()

    def group(self, name: str, outcomes: list[Outcome], seconds: float, note: str = "") -> None:
        with self.lock:
            self.outcomes.extend(outcomes)
            failed = [o for o in outcomes if not o.ok]
            status = "not ok" if failed else "ok"
            n = len(outcomes)
            print(f"{status:6} {name} ({n} test{'s' if n != 1 else ''}, {seconds:.1f} s){note}", flush=True)
            for o in outcomes:
                if self.verbose or not o.ok:
                    mark = "ok" if o.ok else "not ok"
                    print(f"         {mark} {o.name}{' # SKIP' if o.skipped else ''}")
                if not o.ok:
                    for d in o.details:
                        print(f"           # {d}")
            sys.stdout.flush()

    def tally(self) -> tuple[int, int, int]:
        """(passed, failed, skipped): a skipped test is neither passed nor failed."""
        skipped = sum(1 for o in self.outcomes if o.ok and o.skipped)
        passed = sum(1 for o in self.outcomes if o.ok) - skipped
        return passed, len(self.outcomes) - passed - skipped, skipped


def _clean_env() -> dict[str, str]:
    """The environment without make's own variables (for make called from make)."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def tap_outcomes(prefix: str, text: str) -> list[Outcome]:
    """One outcome per KTAP/TAP leaf case: prefix/suite/case."""
    out = []
    for top in ktap.parse(text).children:
        for leaf in top.leaves():
            name = top.name if leaf is top else f"{top.name}/{leaf.name}"
            out.append(Outcome(f"{prefix}/{name}", leaf.ok or leaf.skip, skipped=leaf.skip,
                               details=list(leaf.diagnostics)))
    return out


def host_binaries(host_dir: str, prefix: str, group: str, only: str | None) -> list[tuple[str, str]]:
    """(path, name) of each executable host_dir/<prefix><name> whose group/name matches `only`."""
    out = []
    for path in sorted(glob.glob(os.path.join(host_dir, prefix + "*"))):
        name = os.path.basename(path)[len(prefix):]
        if path.endswith(".json") or not os.access(path, os.X_OK):
            continue
        if not only or fnmatch.fnmatch(f"{group}/{name}", only):
            out.append((path, name))
    return out


# ---- stage 1: host unit tests ----

def run_host_tests(rep: Reporter, host_dir: str, only: str | None) -> None:
    for path, suite in host_binaries(host_dir, "test_", "host", only):
        t0 = time.monotonic()
        p = subprocess.run([path], capture_output=True, text=True, errors="replace",
                           env={**os.environ, "CMOCKA_MESSAGE_OUTPUT": "TAP"})
        outcomes = [Outcome(f"host/{suite}/{o.name.split('/', 1)[-1]}", o.ok, skipped=o.skipped,
                            details=o.details) for o in _flat_tap(p.stdout)]
        if p.returncode != 0 and all(o.ok for o in outcomes):
            tail = (p.stdout + p.stderr).splitlines()[-LOG_TAIL:]
            outcomes.append(Outcome(f"host/{suite}", False,
                                    details=[f"exit status {p.returncode}"] + tail))
        if not outcomes:
            outcomes = [Outcome(f"host/{suite}", False, details=["no TAP output"])]
        rep.group(f"host/{suite}", outcomes, time.monotonic() - t0)


def _flat_tap(text: str) -> list[Outcome]:
    """cmocka's flat TAP: every result line is a case."""
    return [Outcome(r.name, r.ok or r.skip, skipped=r.skip, details=list(r.diagnostics))
            for top in ktap.parse(text).children for r in top.leaves()]


class _Collect(unittest.TestResult):
    def __init__(self) -> None:
        super().__init__()
        self.outcomes: list[Outcome] = []

    def addSuccess(self, test: unittest.TestCase) -> None:
        self.outcomes.append(Outcome(f"tools/{test.id().split('.', 1)[-1]}", True))

    def addFailure(self, test: unittest.TestCase, err) -> None:  # type: ignore[override]
        super().addFailure(test, err)
        self.outcomes.append(Outcome(f"tools/{test.id().split('.', 1)[-1]}", False,
                                     details=self.failures[-1][1].splitlines()[-6:]))

    def addError(self, test: unittest.TestCase, err) -> None:  # type: ignore[override]
        super().addError(test, err)
        self.outcomes.append(Outcome(f"tools/{test.id().split('.', 1)[-1]}", False,
                                     details=self.errors[-1][1].splitlines()[-6:]))


def run_tool_tests(rep: Reporter, only: str | None) -> None:
    if only and not fnmatch.fnmatch("tools", only.split("/")[0]):
        return
    t0 = time.monotonic()
    suite = unittest.defaultTestLoader.loadTestsFromName("test_tools")
    res = _Collect()
    suite.run(res)
    rep.group("tools", res.outcomes, time.monotonic() - t0)


# ---- stage 2: fuzz smoke runs ----

def run_fuzz_smoke(rep: Reporter, host_dir: str, only: str | None) -> None:
    for _, name in host_binaries(host_dir, "fuzz_", "fuzz", only):
        t0 = time.monotonic()
        p = subprocess.run(["make", "--no-print-directory", "-s", f"fuzz-smoke-{name}"], cwd=ROOT,
                           capture_output=True, text=True, errors="replace", env=_clean_env())
        text = (p.stdout + p.stderr).strip().splitlines()
        ok = p.returncode == 0
        o = Outcome(f"fuzz/{name}", ok, details=text[-LOG_TAIL:] if not ok else [])
        rep.group(f"fuzz/{name}", [o], time.monotonic() - t0,
                  note=f": {text[-1]}" if ok and text else "")


# ---- stage 3: boot scenarios ----

@dataclass
class BootRun:
    log: str
    exit_code: int | None  # None: killed at the timeout
    seconds: float
    banner_at: float | None
    init_done_at: float | None


_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()


def _kill_all(*_: object) -> None:
    with _running_lock:
        for p in list(_running):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def prepare_kernel(s: Scenario, kernel: str, workdir: str) -> str:
    """The kernel file the scenario's ESP gets ("-" for none)."""
    if s.kernel == "normal":
        return kernel
    if s.kernel == "absent":
        return "-"
    data = open(kernel, "rb").read()
    if s.kernel == "bad-magic":
        data = b"XELF" + data[4:]
    elif s.kernel == "truncated":
        data = data[: len(data) // 2]
    else:
        raise ValueError(f"scenario {s.name}: unknown kernel kind {s.kernel}")
    path = os.path.join(workdir, f"kernel-{s.kernel}.elf")
    with open(path, "wb") as f:
        f.write(data)
    return path


def prepare_initrd(s: Scenario, initrd: str, workdir: str) -> str:
    """The ramdisk the scenario's ESP gets ("-" for none)."""
    if not s.initrd:
        return "-"
    return ramdisk.build(s.ramdisk, initrd, workdir) if s.ramdisk else initrd


def prepare_disk(s: Scenario, workdir: str) -> list[str]:
    """A zeroed disk image of s.disk_mib MiB as a modern virtio-blk device
    (QEMU arguments), or nothing; the image stays in workdir for the host
    to inspect afterwards."""
    if not s.disk_mib:
        return []
    path = os.path.join(workdir, "disk.img")
    with open(path, "wb") as f:
        f.truncate(s.disk_mib << 20)
    return ["-drive", f"file={path},if=none,id=disk0,format=raw,cache=writethrough",
            "-device", "virtio-blk-pci,drive=disk0,disable-legacy=on" + s.disk_opts]


def boot(s: Scenario, args: argparse.Namespace, on_line: Callable[[str], None] | None = None) -> BootRun:
    """Boots s once (on_line, if any, sees each console line as it comes)."""
    workdir = os.path.join(args.out, s.name)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    esp = os.path.join(workdir, "esp.img")
    subprocess.run([os.path.join(ROOT, "tools", "mkesp.sh"), esp, args.loader,
                    prepare_kernel(s, args.kernel, workdir), prepare_initrd(s, args.initrd, workdir),
                    s.cmdline], check=True, capture_output=True)
    peer = netpeer.NetPeer() if s.net_nics else None
    try:
        nics = peer.qemu_args(s.net_nics) if peer else []
        m = qemu.Machine(esp=esp, mem=s.mem, smp=s.smp, accel=s.accel, debug_exit=True, serial="stdio",
                         serial2=f"file:{os.path.join(workdir, 'trace.bin')}" if s.trace_check else None,
                         extra=s.extra_qemu + prepare_disk(s, workdir) + nics)
        cmd = qemu.command(m, workdir)
        with open(os.path.join(workdir, "command"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        if peer:
            peer.start()
        watchers = [f for f in (peer.on_line if peer else None, on_line) if f]
        return _run_qemu(cmd, os.path.join(workdir, "serial.log"), s.timeout or args.timeout,
                         (lambda line: [f(line) for f in watchers]) if watchers else None)
    finally:
        if peer:
            peer.stop(os.path.join(workdir, "peer.json"))


def _run_qemu(cmd: list[str], log_path: str, timeout: float,
              on_line: Callable[[str], None] | None = None) -> BootRun:
    """Runs QEMU to its end or the timeout; on_line (if any) sees each console line as it comes."""
    lines: list[tuple[float, str]] = []
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    with _running_lock:
        _running.add(p)

    def reader() -> None:
        assert p.stdout is not None
        for raw in p.stdout:
            line = raw.decode("utf-8", errors="replace")
            lines.append((time.monotonic() - t0, line))
            if on_line:
                on_line(line)

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        code: int | None = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        code = None
    finally:
        with _running_lock:
            _running.discard(p)
    th.join(timeout=5)
    if p.stdout:
        p.stdout.close()
    text = "".join(l for _, l in lines)
    with open(log_path, "w") as f:
        f.write(text)
    return BootRun(text, code, time.monotonic() - t0, _first(lines, BANNER), _first(lines, INIT_DONE))


def _first(lines: list[tuple[float, str]], pattern: str) -> float | None:
    rx = re.compile(pattern)
    return next((t for t, l in lines if rx.search(l)), None)


ACKED_WRITE = re.compile(r"^\s*# blk-acked (\d+) (\d+) (\d+)\s*$", re.M)


# Byte i of a sector is (c + 7 * i) & 0xff XOR-ed with the sector's index k in the
# write, where c = (sector * 131 + salt) & 0xff (7 * 512 * k adds nothing mod 256):
# one 512-byte run per c, and one XOR table per k.
_RUNS = [bytes((c + 7 * i) & 0xff for i in range(512)) for c in range(256)]
_XOR = [bytes(b ^ k for b in range(256)) for k in range(256)]


def blk_pattern(sector: int, count: int, salt: int) -> bytes:
    """What user/utest/suite_blk.c and user/svctest write (fill(), blk_pattern()):
    ((sector * 131 + i * 7 + salt) ^ (i >> 9)) & 0xff for byte i, computed here."""
    run = _RUNS[(sector * 131 + salt) & 0xff]
    return b"".join(run.translate(_XOR[k & 0xff]) for k in range(count))


SEQ_PAYLOAD = "the quick brown fox jumps over the lazy dog 0123456789"
SEQ_LINE = re.compile(r"^# seq (\d+) of (\d+): (.*)$")


def check_seq_lines(log: str) -> list[str]:
    """Each `# seq K of N: PAYLOAD` line once, whole, K = 1..N in order."""
    problems, seen, total = [], [], None
    for line in log.splitlines():
        line = line.rstrip("\r")
        if "# seq " not in line:
            continue
        m = SEQ_LINE.match(line)
        if not m or m.group(3) != SEQ_PAYLOAD:
            problems.append(f"a sequence line cut or garbled: {line!r}")
            continue
        seen.append(int(m.group(1)))
        total = int(m.group(2))
    if total is None:
        return problems + ["no `# seq K of N` lines on the console"]
    if seen != list(range(1, total + 1)):
        missing = sorted(set(range(1, total + 1)) - set(seen))
        doubled = sorted(k for k in set(seen) if seen.count(k) > 1)
        problems.append(f"sequence lines not each once in order: missing {missing[:10]}, "
                        f"doubled {doubled[:10]}, {len(seen)} seen of {total}")
    return problems


def check_acked_writes(log: str, image: str) -> list[str]:
    """Every write the guest reported acknowledged (`# blk-acked S N SALT`)
    must be in the disk image once QEMU has exited."""
    acked = [(int(a), int(b), int(c)) for a, b, c in ACKED_WRITE.findall(log)]
    if not acked:
        return ["the disk check found no acknowledged writes in the log"]
    with open(image, "rb") as f:
        disk = f.read()
    lost = [f"acknowledged write of {n} sectors at {s} (salt {x}) not on the disk image"
            for s, n, x in acked if disk[s * 512:(s + n) * 512] != blk_pattern(s, n, x)]
    return lost


NET_LINK = re.compile(r"^\s*# net-link (?:up|down)\s*$", re.M)
NET_COUNT = re.compile(r"^\s*# net-count sent (\d+) lost (\d+) replies (\d+)\s*$", re.M)


def check_net_peer(log: str, stats_path: str) -> list[str]:
    """The host's view of the `net` scenario. Each guest case prints
    `# net-count sent S lost L replies R` once every frame it queued was
    given back: S test requests queued, L of them lost with a driver that
    was killed (never given back as sent), R replies received intact. So
    the peer must have received between sum(S - L) and sum(S) well-formed
    requests, none malformed, and sent at least sum(R) replies."""
    stats = netpeer.load_stats(stats_path)
    if stats is None:
        return [f"the network peer left no counts ({stats_path})"]
    counts = [tuple(int(x) for x in m) for m in NET_COUNT.findall(log)]
    sent, lost, replies = (sum(c[i] for c in counts) for i in range(3))
    problems = []
    if not counts or replies == 0:
        problems.append("the guest reported no replies received (# net-count ...)")
    if stats.bad:
        problems.append(f"the network peer received {stats.bad} malformed test frames: {stats.samples}")
    if not sent - lost <= stats.requests <= sent:
        problems.append(f"the network peer received {stats.requests} requests; the guest sent {sent}, "
                        f"{lost} of them lost with a killed driver")
    if replies > stats.replies:
        problems.append(f"the guest reports {replies} replies received, the peer sent only {stats.replies}")
    asked = len(NET_LINK.findall(log))
    if stats.link_errors or stats.link_changes != asked:
        problems.append(f"the guest asked for {asked} link changes, QEMU made {stats.link_changes}: "
                        f"{stats.link_errors}")
    return problems


# The Python that has Debian's python3-protobuf (tools/deps.sh) for otlp_check.py.
OTLP_PYTHON = "/usr/bin/python3"


def check_trace(capture: str, smp: int) -> list[str]:
    """The exporter's COM2 capture, decoded by tools/trace.py: records of
    several types from every CPU, system call slices in the Chrome JSON, at
    least one served IPC request as a CLIENT and a SERVER span in OTLP whose
    parent links resolve and which Google's protobuf decodes (tools/otlp_check.py,
    with the system Python that has python3-protobuf), and no damaged frame
    (a cut last frame is fine: the shutdown ends the exporter mid-write).
    The Chrome JSON and OTLP files stay beside the capture."""
    try:
        with open(capture, "rb") as f:
            cap = trace.decode(f.read())
        st = trace.stats(cap)
        problems = []
        if not cap.headers:
            return [f"{capture}: no header frame ({len(cap.records)} records)"]
        if st["crc_errors"] or st["garbage_bytes"] or st["unknown_frames"]:
            problems.append(f"damaged stream: {st['crc_errors']} bad frames, {st['garbage_bytes']} bytes "
                            f"skipped, {st['unknown_frames']} unknown frames")
        if len(st["by_type"]) < 5:
            problems.append(f"records of only {len(st['by_type'])} types: {st['by_type']}")
        if st["cpus"] != list(range(smp)):
            problems.append(f"records from CPUs {st['cpus']}, want all of 0..{smp - 1}")
        doc = trace.chrome(cap)
        if not [e for e in doc["traceEvents"] if e.get("cat") == "syscall"]:
            problems.append("no system call slice in the Chrome JSON")
        spans = trace.otlp(cap)
        problems += trace.otlp_problems(spans, need_spans=2)
        base = os.path.splitext(capture)[0]
        with open(base + ".chrome.json", "w") as f:
            json.dump(doc, f)
        with open(base + ".otlp.json", "w") as f:
            json.dump(spans, f)
        check = subprocess.run([OTLP_PYTHON, os.path.join(ROOT, "tools", "otlp_check.py"), base + ".otlp.json"],
                               capture_output=True, text=True)
        if check.returncode != 0:
            problems.append(f"protobuf refuses the OTLP JSON: {(check.stdout + check.stderr).strip()}")
        return problems
    except (OSError, trace.CaptureError) as e:
        return [f"{capture}: {e}"]


def judge(s: Scenario, run: BootRun, log_path: str) -> list[Outcome]:
    """The scenario's own outcome, then one per KTAP case if it expects KTAP."""
    problems = []
    if run.exit_code is None:
        problems.append(f"timed out after {run.seconds:.0f} s: QEMU killed")
    elif run.exit_code != s.expect_exit:
        problems.append(f"QEMU exit status {run.exit_code} ({EXIT_MEANING.get(run.exit_code, 'unexpected')}),"
                        f" expected {s.expect_exit} ({EXIT_MEANING.get(s.expect_exit, '?')})")
    for rx in s.must:
        if not re.search(rx, run.log, re.M):
            problems.append(f"missing from the console: /{rx}/")
    for rx in s.must_not:
        if re.search(rx, run.log, re.M):
            problems.append(f"on the console but must not be: /{rx}/")
    if s.disk_mib and s.disk_check:
        problems += check_acked_writes(run.log, os.path.join(os.path.dirname(log_path), "disk.img"))
    if s.seq_check:
        problems += check_seq_lines(run.log)
    if s.trace_check:
        problems += check_trace(os.path.join(os.path.dirname(log_path), "trace.bin"), s.smp)
    if s.net_nics:
        problems += check_net_peer(run.log, os.path.join(os.path.dirname(log_path), "peer.json"))
    cases = tap_outcomes(f"boot/{s.name}", run.log) if s.ktap else []
    if s.ktap and not cases:
        problems.append("no KTAP output")
    if problems:
        problems.append(f"last {LOG_TAIL} lines of {log_path}:")
        problems += ["  " + l for l in run.log.splitlines()[-LOG_TAIL:]]
    return [Outcome(f"boot/{s.name}", not problems, run.seconds, details=problems)] + cases


def run_scenario(s: Scenario, args: argparse.Namespace, rep: Reporter) -> None:
    run = boot(s, args)
    outcomes = judge(s, run, os.path.join(args.out, s.name, "serial.log"))
    note = ""
    if run.banner_at is not None:
        note = f": banner at {run.banner_at:.2f} s"
        if run.init_done_at is not None:
            note += f", init done at {run.init_done_at:.2f} s after QEMU start"
    with rep.lock:
        rep.timings[s.name] = {"banner": run.banner_at, "init_done": run.init_done_at,
                               "total": run.seconds}
    rep.group(f"boot/{s.name}", outcomes, run.seconds, note)


def run_scenarios(rep: Reporter, args: argparse.Namespace) -> None:
    chosen = [s for s in SCENARIOS if (s.enabled or args.include_off) and
              (not args.only or fnmatch.fnmatch(f"boot/{s.name}", args.only))]
    for path in (args.loader, args.kernel, args.initrd):
        if not os.path.exists(path):
            rep.group("boot", [Outcome("boot", False, details=[f"{path} does not exist: build first"])], 0)
            return
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for f in [pool.submit(run_scenario, s, args, rep) for s in chosen]:
            f.result()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", help="run only tests whose group matches this glob (e.g. 'boot/*')")
    p.add_argument("--skip-host", action="store_true")
    p.add_argument("--skip-fuzz", action="store_true")
    p.add_argument("--skip-boot", action="store_true")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds per QEMU boot")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="QEMU boots at once")
    p.add_argument("--host-dir", default=os.path.join(ROOT, "build", "host"))
    p.add_argument("--loader", default=os.path.join(ROOT, "build", "boot", "BOOTX64.EFI"))
    p.add_argument("--kernel", default=os.path.join(ROOT, "build", "debug", "kernel.boot.elf"))
    p.add_argument("--initrd", default=os.path.join(ROOT, "build", "debug", "initrd.cpio"))
    p.add_argument("--out", default=os.path.join(ROOT, "build", "test"))
    p.add_argument("--include-off", action="store_true",
                   help="also run scenarios that are off by default (sysfuzz-long: make fuzz-sys)")
    p.add_argument("-v", "--verbose", action="store_true", help="list every test, not only failures")
    args = p.parse_args()

    signal.signal(signal.SIGTERM, lambda *a: (_kill_all(), sys.exit(1)))
    rep = Reporter(args.verbose)
    t0 = time.monotonic()
    try:
        if not args.skip_host:
            run_tool_tests(rep, args.only)
            run_host_tests(rep, args.host_dir, args.only)
        if not args.skip_fuzz:
            run_fuzz_smoke(rep, args.host_dir, args.only)
        if not args.skip_boot:
            os.makedirs(args.out, exist_ok=True)
            run_scenarios(rep, args)
    except KeyboardInterrupt:
        _kill_all()
        rep.outcomes.append(Outcome("interrupted", False))
    finally:
        _kill_all()
    passed, failed, skipped = rep.tally()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"passed": passed, "failed": failed, "skipped": skipped,
                   "seconds": round(time.monotonic() - t0, 1), "boot_timing": rep.timings,
                   "outcomes": [asdict(o) for o in rep.outcomes]}, f, indent=1)
    print(f"# {time.monotonic() - t0:.0f} s in all; "
          f"details in {os.path.relpath(os.path.join(args.out, 'results.json'), ROOT)}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
