#!/usr/bin/env python3
"""Decodes a trace capture: the byte stream the exporter (user/traced) writes
to COM2, framed as include/ferrous/trace_stream.h says (docs/tracing.md).

    python3 tools/trace.py CAPTURE [--chrome OUT.json] [--otlp OUT.json]
                                   [--text OUT.txt|-] [--stats]

--chrome   Chrome JSON Trace Event format (Perfetto UI opens it): a track per
           CPU (which thread ran, interrupts, run-queue counter) and per
           thread (system calls, IPC), flow arrows from each IPC send to its
           receiver, counters.
--otlp     OpenTelemetry OTLP JSON (resourceSpans -> scopeSpans -> spans): a
           CLIENT and a SERVER span per served IPC request.
--text     one line per record ("-": standard output).
--stats    records per type, lost records per CPU, the time span, the
           exporter's own counters (the default when no output is asked for).

Standard library only. Event numbers and record layout come from
include/ferrous/trace.h (parsed when the source tree is there; EVENTS below
mirrors it, and tools/test_tools.py checks the two agree). A damaged or
truncated capture is decoded as far as it goes and the damage counted; an
unreadable one is a one-line error and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import struct
import sys
import zlib
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRACE_H = os.path.join(ROOT, "include", "ferrous", "trace.h")
STREAM_H = os.path.join(ROOT, "include", "ferrous", "trace_stream.h")
SYSCALL_H = os.path.join(ROOT, "include", "ferrous", "syscall.h")

# ---- the stream (include/ferrous/trace_stream.h) ----
SYNC = 0xA5725446
SYNC_BYTES = struct.pack("<I", SYNC)
HEAD_BYTES = 8
CRC_BYTES = 4
RECORD = struct.Struct("<QQQIHH4Q")  # struct fe_trace_record
RECORDS_MAX = 8
PAYLOAD_MAX = RECORDS_MAX * RECORD.size
T_HEADER, T_RECORDS, T_LOST, T_STATS = 1, 2, 3, 4
MAGIC = 0x4543415254534546
HEADER = struct.Struct("<QIIQQIIQ")  # struct fe_tstream_header
LOST = struct.Struct("<IIQQ")  # struct fe_tstream_lost
STATS = struct.Struct("<8Q")  # struct fe_tstream_stats
LOST_OVERWRITTEN, LOST_BEFORE = 0, 1
LOST_REASONS = {LOST_OVERWRITTEN: "overwritten before read", LOST_BEFORE: "before the exporter started"}

# ---- the schema (include/ferrous/trace.h): number -> name, argument names ----
EVENTS: dict[int, str] = {
    1: "frame_alloc", 2: "frame_free", 3: "irq_enter", 4: "irq_exit", 5: "exception",
    6: "irq_spurious", 7: "irq_unhandled", 8: "timer_arm", 9: "timer_fire", 10: "slab_grow",
    11: "panic", 12: "boot_phase", 13: "boot_problem",
    32: "syscall_enter", 33: "syscall_exit", 34: "sched_switch", 35: "sched_wake",
    36: "cap_create", 37: "cap_transfer", 38: "cap_revoke", 39: "ipc_send", 40: "ipc_recv",
    41: "fault", 42: "service_restart", 43: "sched_place", 44: "sched_migrate", 45: "cpu_idle",
    46: "vmo_seal", 47: "cap_revoke_dep", 48: "tlb_shootdown", 49: "process_watch", 50: "pci",
    51: "iommu_fault", 52: "console", 53: "syscall", 54: "group",
}
E = {name: num for num, name in EVENTS.items()}
ARGS: dict[str, tuple[str, ...]] = {
    "frame_alloc": ("phys", "order", "node"), "frame_free": ("phys", "order", "node"),
    "irq_enter": ("vector", "rip"), "irq_exit": ("vector",),
    "exception": ("vector", "error", "rip", "cr2"),
    "irq_spurious": ("vector", "count"), "irq_unhandled": ("vector", "count"),
    "timer_arm": ("deadline", "mode"), "timer_fire": ("deadline", "late"),
    "slab_grow": ("cache", "page", "objects"), "panic": ("rip",), "boot_phase": ("phase",),
    "syscall_enter": ("nr", "a0", "a1", "a2"), "syscall_exit": ("nr", "status"),
    "sched_switch": ("from", "to", "reason"), "sched_wake": ("thread", "cpu", "reason"),
    "cap_create": ("process", "handle", "type", "rights"),
    "cap_transfer": ("from", "to", "handle", "rights"),
    "cap_revoke": ("process", "handle", "removed"),
    "ipc_send": ("endpoint", "label", "words", "to"), "ipc_recv": ("endpoint", "label", "words", "from"),
    "fault": ("process", "vector", "address", "rip"),
    "sched_place": ("thread", "cpu", "reason", "source"),
    "sched_migrate": ("thread", "from", "to", "reason"), "cpu_idle": ("ns", "cause"),
    "vmo_seal": ("vmo", "seal"), "tlb_shootdown": ("cpus", "count", "wait_ns"),
    "process_watch": ("watched", "watcher", "bit", "what"),
    "iommu_fault": ("function", "address", "reason", "owner"),
    "console": ("what", "driver", "bytes"),
    "syscall": ("call", "a0", "a1", "ticks"),
    "group": ("group", "what", "a", "b"),
}
HEX_ARGS = {"phys", "rip", "cr2", "address", "deadline", "page", "error", "cpus"}
CONTROL_LABELS = {0xFE000001: "heartbeat", 0xFE000002: "crash", 0xFE000003: "who"}


class CaptureError(Exception):
    """A capture that cannot be decoded at all (the message says why)."""


def parse_events(text: str) -> dict[int, str]:
    """enum fe_trace_event in trace.h's text: number -> name (FE_TRACE_NONE and _MAX left out)."""
    m = re.search(r"enum fe_trace_event \{(.*?)\};", text, re.S)
    if not m:
        raise ValueError("no enum fe_trace_event")
    out = {}
    for name, num in re.findall(r"FE_TRACE_([A-Z0-9_]+)\s*=\s*(\d+)", m.group(1)):
        if name not in ("NONE", "EVENT_MAX"):
            out[int(num)] = name.lower()
    return out


def parse_record_layout(text: str) -> list[tuple[str, str]]:
    """struct fe_trace_record's fields in trace.h's text: (type, name) in order."""
    m = re.search(r"struct fe_trace_record \{(.*?)\};", text, re.S)
    if not m:
        raise ValueError("no struct fe_trace_record")
    return re.findall(r"(uint\d+_t)\s+(\w+(?:\[\d+\])?);", m.group(1))


def parse_stream_constants(text: str) -> dict[str, int]:
    """The FE_TSTREAM_* numbers of trace_stream.h's text."""
    out = {k: int(v, 0) for k, v in re.findall(r"#define (FE_TSTREAM_\w+) (0x[0-9a-fA-F]+|\d+)u?l*\b", text)}
    out.update({k: int(v) for k, v in re.findall(r"(FE_TSTREAM_[A-Z_]+) = (\d+),", text)})
    return out


def load_syscall_names() -> dict[int, str]:
    """FE_SYS_* from syscall.h when the source tree is there (else numbers only)."""
    try:
        with open(SYSCALL_H, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return {}
    return {int(n): name.lower() for name, n in re.findall(r"#define FE_SYS_(\w+)\s+(\d+)\s", text)}


# ---- decoding ----

@dataclass
class Record:
    seq: int
    tsc: int
    span: int
    thread: int
    type: int
    cpu: int
    arg: tuple[int, int, int, int]

    @property
    def name(self) -> str:
        return EVENTS.get(self.type, f"event{self.type}")


@dataclass
class Lost:
    cpu: int
    reason: int
    count: int
    first_seq: int
    after: int  # records decoded before it (its place in the stream)


@dataclass
class Capture:
    headers: list[dict] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    lost: list[Lost] = field(default_factory=list)
    stats: list[dict] = field(default_factory=list)
    frames: int = 0
    crc_errors: int = 0       # frames whose CRC (or length) was wrong, skipped
    leading_bytes: int = 0    # bytes before the first good frame (firmware also writes to COM2)
    garbage_bytes: int = 0    # bytes between or inside damaged frames, skipped
    truncated_bytes: int = 0  # an incomplete last frame (the capture was cut)
    duplicates: int = 0       # records sent twice (an exporter restarted), dropped
    unknown_frames: int = 0   # good frames of a type this tool does not know

    @property
    def header(self) -> dict:
        if not self.headers:
            raise CaptureError("no header frame: not a trace stream, or its start is missing")
        return self.headers[0]

    def seconds(self, tsc: int) -> float:
        return tsc / self.header["tsc_hz"]


def decode(data: bytes) -> Capture:
    """Every good frame of data, in order; damage counted, never raised."""
    cap = Capture()
    seen: dict[int, set[int]] = {}
    top: dict[int, int] = {}
    i, n = 0, len(data)
    while i < n:
        pos = data.find(SYNC_BYTES, i)
        if pos < 0:
            _skip(cap, n - i)
            break
        _skip(cap, pos - i)
        if pos + HEAD_BYTES > n:
            cap.truncated_bytes += n - pos
            break
        ftype, _flags, length = struct.unpack_from("<BBH", data, pos + 4)
        end = pos + HEAD_BYTES + length + CRC_BYTES
        if length > PAYLOAD_MAX:
            _bad(cap)
            i = pos + 1
            continue
        if end > n:
            cap.truncated_bytes += n - pos
            break
        (crc,) = struct.unpack_from("<I", data, end - CRC_BYTES)
        if zlib.crc32(data[pos + 4:end - CRC_BYTES]) != crc:
            _bad(cap)
            i = pos + 1
            continue
        payload = data[pos + HEAD_BYTES:end - CRC_BYTES]
        cap.frames += 1
        _frame(cap, ftype, payload, seen, top)
        i = end
    return cap


def _skip(cap: Capture, n: int) -> None:
    if cap.frames:
        cap.garbage_bytes += n
    else:
        cap.leading_bytes += n


def _bad(cap: Capture) -> None:
    """A sync word whose frame is damaged: before the first good frame it is
    firmware noise that happened to match, after it corruption."""
    if cap.frames:
        cap.crc_errors += 1
    _skip(cap, 1)


def _frame(cap: Capture, ftype: int, payload: bytes, seen: dict[int, set[int]], top: dict[int, int]) -> None:
    if ftype == T_RECORDS and payload and len(payload) % RECORD.size == 0:
        for off in range(0, len(payload), RECORD.size):
            seq, tsc, span, thread, typ, cpu, *args = RECORD.unpack_from(payload, off)
            if seq in seen.setdefault(cpu, set()):
                cap.duplicates += 1
                continue
            seen[cpu].add(seq)
            top[cpu] = max(top.get(cpu, 0), seq)
            cap.records.append(Record(seq, tsc, span, thread, typ, cpu, tuple(args)))
    elif ftype == T_HEADER and len(payload) >= HEADER.size:
        magic, version, rsize, hz, boot, cpus, exporter, start = HEADER.unpack_from(payload)
        if magic != MAGIC or rsize != RECORD.size or hz == 0:
            cap.unknown_frames += 1
            return
        cap.headers.append(dict(version=version, tsc_hz=hz, boot_id=boot, cpus=cpus,
                                exporter=exporter, start_ns=start, after=len(cap.records)))
    elif ftype == T_LOST and len(payload) >= LOST.size:
        cpu, reason, count, first = LOST.unpack_from(payload)
        # A restarted exporter reports as lost what its predecessor sent: count only the new.
        fresh = max(0, min(count, first + count - 1 - top.get(cpu, 0)))
        if fresh:
            cap.lost.append(Lost(cpu, reason, fresh, first + count - fresh, len(cap.records)))
    elif ftype == T_STATS and len(payload) >= STATS.size:
        keys = ("ns", "sent", "lost", "self", "bytes", "frames", "busy_ns", "cycles")
        cap.stats.append(dict(zip(keys, STATS.unpack_from(payload))))
    else:
        cap.unknown_frames += 1


def ordered(cap: Capture) -> list[Record]:
    """The records in time order (the stream is in order within each read window)."""
    return sorted(cap.records, key=lambda r: (r.tsc, r.cpu, r.seq))


# ---- text ----

def describe(r: Record, syscalls: dict[int, str]) -> str:
    names = ARGS.get(r.name, ())
    parts = []
    for i, v in enumerate(r.arg):
        if i < len(names):
            parts.append(f"{names[i]}={_value(r, i, v, syscalls)}")
        elif v:
            parts.append(f"arg{i}={v:#x}")
    return " ".join(parts)


def syscall_of(r: Record) -> tuple[int, int, int]:
    """A syscall record's (number, status, entry tsc): one record a call, written at its exit."""
    nr, st = r.arg[0] & 0xFFFF, (r.arg[0] >> 32) & 0xFFFFFFFF
    return nr, st - (1 << 32) if st >> 31 else st, r.tsc - r.arg[3]


def _value(r: Record, i: int, v: int, syscalls: dict[int, str]) -> str:
    if r.name == "syscall" and i == 0:
        nr, st, _ = syscall_of(r)
        return f"{syscalls.get(nr, str(nr))}->{st}"
    if r.name in ("syscall_enter", "syscall_exit") and i == 0:
        return syscalls.get(v, str(v))
    if r.name == "syscall_exit" and i == 1:
        return str(v - (1 << 64) if v >> 63 else v)
    if r.name in ("ipc_send", "ipc_recv") and i == 1 and v in CONTROL_LABELS:
        return CONTROL_LABELS[v]
    names = ARGS.get(r.name, ())
    if i < len(names) and names[i] in HEX_ARGS:
        return hex(v)
    return hex(v) if v > 0xFFFF else str(v)


def text_lines(cap: Capture) -> list[str]:
    syscalls = load_syscall_names()
    hz = cap.headers[0]["tsc_hz"] if cap.headers else 0
    t0 = min((r.tsc for r in cap.records), default=0)
    out = []
    for h in cap.headers:
        out.append(f"# header: version {h['version']}, {h['cpus']} CPUs, tsc {h['tsc_hz']} Hz, "
                   f"boot {h['boot_id']:016x}, exporter thread {h['exporter']}")
    lost_at: dict[int, list[Lost]] = {}
    for lo in cap.lost:
        lost_at.setdefault(lo.after, []).append(lo)
    for idx, r in enumerate(cap.records):
        for lo in lost_at.get(idx, []):
            out.append(f"# lost {lo.count} records on CPU {lo.cpu} "
                       f"({LOST_REASONS.get(lo.reason, lo.reason)}), seq {lo.first_seq}..")
        when = f"{(r.tsc - t0) * 1e6 / hz:14.3f}us" if hz else f"tsc {r.tsc}"
        span = f" span {r.span}" if r.span else ""
        out.append(f"{when} cpu{r.cpu} thread {r.thread}{span} {r.name} {describe(r, syscalls)}".rstrip())
    for lo in lost_at.get(len(cap.records), []):
        out.append(f"# lost {lo.count} records on CPU {lo.cpu} "
                   f"({LOST_REASONS.get(lo.reason, lo.reason)}), seq {lo.first_seq}..")
    return out


# ---- IPC requests (shared by the Chrome and OTLP outputs) ----

@dataclass
class Request:
    """One call: the message from client to server and the server's reply."""
    id: int            # unique in the capture: from the send record's CPU and position
    endpoint: int
    label: int
    client: int
    server: int
    span: int          # record.span: the kernel's id of the calling chain
    start: int         # tsc of the delivery
    end: int | None = None
    call_start: int | None = None  # the client's system call entry, if seen
    parent: "Request | None" = None


def messages(recs: list[Record]):
    """Each delivery as (its record, sender, receiver). Today's kernel writes one record a
    delivery: ipc_send by the sender (arg[3] the receiver) or ipc_recv by a receiver that took
    a queued message (arg[3] the sender). Older kernels wrote ipc_send and ipc_recv back to back
    on one CPU for every delivery (the send's arg[3] the receiver, the recv's the sender)."""
    for i, r in enumerate(recs):
        if r.type == E["ipc_send"]:
            nxt = recs[i + 1] if i + 1 < len(recs) else None
            if (nxt and nxt.type == E["ipc_recv"] and nxt.cpu == r.cpu and nxt.seq == r.seq + 1
                    and nxt.arg[:2] == r.arg[:2]):
                yield r, nxt.arg[3], r.arg[3]  # the older pair
            else:
                yield r, r.thread, r.arg[3]
        elif r.type == E["ipc_recv"]:
            prev = recs[i - 1] if i else None
            if not (prev and prev.type == E["ipc_send"] and prev.cpu == r.cpu and prev.seq + 1 == r.seq
                    and prev.arg[:2] == r.arg[:2]):
                yield r, r.arg[3], r.thread


def call_spans(recs: list[Record]) -> dict[int, list[tuple[int, int]]]:
    """Thread -> its system calls as (entry tsc, exit tsc), from the one-record-a-call events."""
    out: dict[int, list[tuple[int, int]]] = {}
    for r in recs:
        if r.type == E["syscall"]:
            out.setdefault(r.thread, []).append((syscall_of(r)[2], r.tsc))
    return out


def requests(cap: Capture) -> list[Request]:
    """Every call whose reply is in the capture, with its parent: the request its
    client was serving when it called (what makes multi-hop trees)."""
    recs = ordered(cap)
    open_call: dict[int, int] = {}         # thread -> tsc of its open syscall_enter
    serving: dict[int, list[Request]] = {}  # server thread -> requests it is in
    waiting: dict[tuple[int, int], Request] = {}  # (server, client) -> request
    done: list[Request] = []
    deliveries = {s.seq + (s.cpu << 48): (s, src, dst) for s, src, dst in messages(recs)}
    calls = call_spans(recs)
    for r in recs:
        if r.type == E["syscall_enter"]:
            open_call[r.thread] = r.tsc
            continue
        if r.type == E["syscall_exit"]:
            open_call.pop(r.thread, None)
            continue
        d = deliveries.get(r.seq + (r.cpu << 48))
        if not d:
            continue
        s, src, dst = d
        if src in calls:  # one record a call: the one around this send
            open_call[src] = next((a for a, b in calls[src] if a <= s.tsc <= b), None)
        if s.arg[0] != 0:  # a request
            req = Request(id=(s.cpu << 48) | s.seq, endpoint=s.arg[0], label=s.arg[1], client=src,
                          server=dst, span=s.span, start=s.tsc, call_start=open_call.get(src))
            stack = serving.get(src)
            req.parent = stack[-1] if stack else None
            waiting[(dst, src)] = req
            serving.setdefault(dst, []).append(req)
        else:  # a reply: closes the server's request from that client
            req = waiting.pop((src, dst), None)
            if req:
                req.end = s.tsc
                stack = serving.get(src, [])
                if req in stack:
                    stack.remove(req)
                done.append(req)
    return done


# ---- Chrome JSON Trace Event format ----

PID_CPUS, PID_THREADS = 1, 2


def chrome(cap: Capture) -> dict:
    h = cap.header
    hz = h["tsc_hz"]
    recs = ordered(cap)
    t0 = recs[0].tsc if recs else 0

    def us(tsc: int) -> float:
        return (tsc - t0) * 1e6 / hz

    syscalls = load_syscall_names()
    ev: list[dict] = [
        {"ph": "M", "name": "process_name", "pid": PID_CPUS, "tid": 0, "args": {"name": "CPUs"}},
        {"ph": "M", "name": "process_name", "pid": PID_THREADS, "tid": 0, "args": {"name": "Threads"}},
    ]
    cpus = sorted({r.cpu for r in recs})
    threads = sorted({r.thread for r in recs} | {r.arg[1] for r in recs if r.type == E["sched_switch"]})
    for c in cpus:
        ev.append({"ph": "M", "name": "thread_name", "pid": PID_CPUS, "tid": c, "args": {"name": f"CPU {c}"}})
    for t in threads:
        name = "kernel (boot/idle)" if t == 0 else f"thread {t}"
        if any(t == hd["exporter"] for hd in cap.headers):
            name += " (traced)"
        ev.append({"ph": "M", "name": "thread_name", "pid": PID_THREADS, "tid": t, "args": {"name": name}})
    ev += _cpu_tracks(recs, us)
    ev += _syscall_slices(recs, us, syscalls)
    ev += _ipc_events(cap, us)
    ev += _counters(recs, us)
    for r in recs:  # everything else as an instant on its CPU's track
        if r.name not in ("syscall", "syscall_enter", "syscall_exit", "sched_switch", "irq_enter",
                          "irq_exit", "ipc_send", "ipc_recv"):
            ev.append({"ph": "i", "s": "t", "name": r.name, "pid": PID_CPUS, "tid": r.cpu, "ts": us(r.tsc),
                       "args": {"thread": r.thread, "args": describe(r, syscalls)}})
    for lo in cap.lost:
        at = cap.records[min(lo.after, len(cap.records) - 1)].tsc if cap.records else t0
        ev.append({"ph": "i", "s": "p", "name": f"lost {lo.count} records", "pid": PID_CPUS, "tid": lo.cpu,
                   "ts": us(at), "args": {"reason": LOST_REASONS.get(lo.reason, str(lo.reason))}})
    return {"traceEvents": ev, "displayTimeUnit": "ns",
            "otherData": {"boot_id": f"{h['boot_id']:016x}", "tsc_hz": hz, "cpus": h["cpus"]}}


def _cpu_tracks(recs: list[Record], us) -> list[dict]:
    """Per CPU: which thread ran (from one sched_switch to the next) and interrupt slices."""
    ev, running, irq = [], {}, {}
    for r in recs:
        if r.type == E["sched_switch"]:
            prev = running.get(r.cpu)
            if prev:
                ev.append({"ph": "X", "name": f"thread {prev[1]}", "pid": PID_CPUS, "tid": r.cpu,
                           "ts": us(prev[0]), "dur": us(r.tsc) - us(prev[0]), "cat": "sched"})
            running[r.cpu] = (r.tsc, r.arg[1])
        elif r.type == E["irq_enter"]:
            irq[r.cpu] = r
        elif r.type == E["irq_exit"] and r.cpu in irq:
            s = irq.pop(r.cpu)
            ev.append({"ph": "X", "name": f"irq {s.arg[0]}", "pid": PID_CPUS, "tid": r.cpu, "ts": us(s.tsc),
                       "dur": us(r.tsc) - us(s.tsc), "cat": "irq"})
    return ev


def _syscall_slices(recs: list[Record], us, syscalls: dict[int, str]) -> list[dict]:
    ev: list[dict] = []
    open_: dict[int, Record] = {}
    for r in recs:
        if r.type == E["syscall"]:
            nr, st, start = syscall_of(r)
            ev.append({"ph": "X", "name": syscalls.get(nr, f"syscall {nr}"), "cat": "syscall",
                       "pid": PID_THREADS, "tid": r.thread, "ts": us(start), "dur": us(r.tsc) - us(start),
                       "args": {"nr": nr, "a0": r.arg[1], "a1": r.arg[2], "status": st, "cpu": r.cpu}})
        elif r.type == E["syscall_enter"]:
            open_[r.thread] = r
        elif r.type == E["syscall_exit"]:
            s = open_.pop(r.thread, None)
            if s and s.arg[0] == r.arg[0]:
                st = r.arg[1] - (1 << 64) if r.arg[1] >> 63 else r.arg[1]
                ev.append({"ph": "X", "name": syscalls.get(s.arg[0], f"syscall {s.arg[0]}"),
                           "cat": "syscall", "pid": PID_THREADS, "tid": r.thread, "ts": us(s.tsc),
                           "dur": us(r.tsc) - us(s.tsc),
                           "args": {"nr": s.arg[0], "a0": s.arg[1], "a1": s.arg[2], "a2": s.arg[3],
                                    "status": st, "cpu": r.cpu}})
    return ev


def _label(label: int) -> str:
    return CONTROL_LABELS.get(label, f"label {label}")


def _ipc_events(cap: Capture, us) -> list[dict]:
    """A slice on the server's track per served request, and a flow arrow from
    the client's send to it."""
    ev = []
    for q in requests(cap):
        name = f"serve ep {q.endpoint} {_label(q.label)}"
        ev.append({"ph": "X", "name": name, "cat": "ipc", "pid": PID_THREADS, "tid": q.server,
                   "ts": us(q.start), "dur": us(q.end) - us(q.start),
                   "args": {"client": q.client, "span": q.span, "request": q.id}})
        ev.append({"ph": "s", "name": "ipc", "cat": "ipc", "id": q.id, "pid": PID_THREADS, "tid": q.client,
                   "ts": us(q.start)})
        ev.append({"ph": "f", "bp": "e", "name": "ipc", "cat": "ipc", "id": q.id, "pid": PID_THREADS,
                   "tid": q.server, "ts": us(q.start)})
    return ev


def _counters(recs: list[Record], us) -> list[dict]:
    """Frames allocated since the capture began (4 KiB frames), and per CPU the
    threads woken there and not yet switched to (run-queue length, as far as
    the capture shows it)."""
    ev, frames, runnable = [], 0, {}
    for r in recs:
        if r.type in (E["frame_alloc"], E["frame_free"]):
            frames += (1 << r.arg[1]) * (1 if r.type == E["frame_alloc"] else -1)
            ev.append({"ph": "C", "name": "frames allocated (since capture start)", "pid": PID_CPUS,
                       "ts": us(r.tsc), "args": {"frames": frames}})
        elif r.type == E["sched_wake"]:
            q = runnable.setdefault(r.arg[1], set())
            q.add(r.arg[0])
            ev.append({"ph": "C", "name": f"runnable CPU {r.arg[1]}", "pid": PID_CPUS, "ts": us(r.tsc),
                       "args": {"threads": len(q)}})
        elif r.type == E["sched_switch"]:
            for c, q in runnable.items():
                if r.arg[1] in q:
                    q.discard(r.arg[1])
                    ev.append({"ph": "C", "name": f"runnable CPU {c}", "pid": PID_CPUS, "ts": us(r.tsc),
                               "args": {"threads": len(q)}})
    return ev


# ---- OpenTelemetry OTLP JSON ----

KIND_SERVER, KIND_CLIENT = 2, 3


def _attr(key: str, value) -> dict:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": str(value)}}


def otlp(cap: Capture, epoch_ns: int | None = None) -> dict:
    """One CLIENT span (the caller's side) and one SERVER span (the handling)
    per served request. The trace id is the boot id and the kernel's span id of
    the calling chain (record.span); a request made while serving another is
    the child of that one's SERVER span. Times: epoch_ns (unix time of TSC 0;
    default 0) + tsc / tsc_hz."""
    h = cap.header
    hz, boot = h["tsc_hz"], h["boot_id"]
    base = epoch_ns if epoch_ns is not None else 0

    def ns(tsc: int) -> str:
        return str(base + tsc * 1_000_000_000 // hz)

    spans: list[dict] = []
    reqs = requests(cap)
    # Span ids from the request's unique id (CPU << 48 | ring position): even
    # for the server's side, odd for the client's; never zero.
    server_of = {id(q): f"{((q.id << 1) & (2**64 - 1)) or 2**63:016x}" for q in reqs}
    roots: dict[int, Request] = {}
    for q in reqs:
        root = q
        while root.parent is not None:
            root = root.parent
        roots[id(q)] = root
    for q in reqs:
        trace_id = f"{boot:016x}{roots[id(q)].span:016x}"
        client_id = f"{((q.id << 1) | 1) & (2**64 - 1):016x}"
        server_id = server_of[id(q)]
        attrs = [_attr("ferrous.endpoint", q.endpoint), _attr("ferrous.label", q.label),
                 _attr("ferrous.span", q.span), _attr("ferrous.client_thread", q.client),
                 _attr("ferrous.server_thread", q.server)]
        client = {"traceId": trace_id, "spanId": client_id, "name": f"call ep {q.endpoint} {_label(q.label)}",
                  "kind": KIND_CLIENT, "startTimeUnixNano": ns(q.call_start or q.start),
                  "endTimeUnixNano": ns(q.end), "attributes": attrs}
        if q.parent is not None and id(q.parent) in server_of:
            client["parentSpanId"] = server_of[id(q.parent)]
        server = {"traceId": trace_id, "spanId": server_id, "parentSpanId": client_id,
                  "name": f"serve ep {q.endpoint} {_label(q.label)}", "kind": KIND_SERVER,
                  "startTimeUnixNano": ns(q.start), "endTimeUnixNano": ns(q.end), "attributes": attrs}
        spans += [client, server]
    resource = {"attributes": [_attr("service.name", "ferrous"), _attr("ferrous.boot_id", f"{boot:016x}"),
                               _attr("ferrous.cpus", h["cpus"])]}
    return {"resourceSpans": [{"resource": resource, "scopeSpans": [
        {"scope": {"name": "ferrous.trace", "version": str(h["version"])}, "spans": spans}]}]}


HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")


def otlp_problems(doc: dict, need_spans: int = 1) -> list[str]:
    """What breaks the OTLP JSON encoding's rules (or our promises) in doc:
    ids as lower-case hex of 16 and 8 bytes, not all zero; a parentSpanId names
    a span of the same trace in the document; kinds as integers, CLIENT and
    SERVER both present; times as decimal strings, start <= end."""
    problems = []
    try:
        spans = [s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    except (KeyError, TypeError) as e:
        return [f"OTLP JSON is not resourceSpans -> scopeSpans -> spans: missing {e}"]
    if len(spans) < need_spans:
        problems.append(f"{len(spans)} spans, want at least {need_spans}")
    known = {(s.get("traceId"), s.get("spanId")) for s in spans}
    if len(known) != len(spans):
        problems.append("span ids are not unique")
    for s in spans:
        tid, sid, parent = s.get("traceId", ""), s.get("spanId", ""), s.get("parentSpanId", "")
        if not HEX32.match(tid) or int(tid, 16) == 0:
            problems.append(f"traceId {tid!r} is not 16 bytes of hex, non-zero")
        if not HEX16.match(sid) or int(sid, 16) == 0:
            problems.append(f"spanId {sid!r} is not 8 bytes of hex, non-zero")
        if parent and (tid, parent) not in known:
            problems.append(f"span {sid}: parentSpanId {parent} is no span of trace {tid}")
        if s.get("kind") not in (1, 2, 3, 4, 5):
            problems.append(f"span {sid}: kind {s.get('kind')!r} is not an OTLP SpanKind integer")
        start, end = s.get("startTimeUnixNano"), s.get("endTimeUnixNano")
        if not (isinstance(start, str) and start.isdigit() and isinstance(end, str) and end.isdigit()):
            problems.append(f"span {sid}: times {start!r}..{end!r} are not decimal strings")
        elif int(start) > int(end):
            problems.append(f"span {sid}: starts after it ends")
        if not s.get("name"):
            problems.append(f"span {sid}: no name")
    kinds = {s.get("kind") for s in spans}
    if spans and not {KIND_CLIENT, KIND_SERVER} <= kinds:
        problems.append(f"span kinds {sorted(k for k in kinds if isinstance(k, int))}: want CLIENT and SERVER")
    return problems[:20]


# ---- statistics ----

def stats(cap: Capture) -> dict:
    by_type: dict[str, int] = {}
    for r in cap.records:
        by_type[r.name] = by_type.get(r.name, 0) + 1
    lost: dict[str, int] = {}
    for lo in cap.lost:
        key = f"cpu {lo.cpu} {LOST_REASONS.get(lo.reason, lo.reason)}"
        lost[key] = lost.get(key, 0) + lo.count
    out = {"records": len(cap.records), "frames": cap.frames, "by_type": dict(sorted(by_type.items())),
           "cpus": sorted({r.cpu for r in cap.records}), "lost": lost,
           "lost_total": sum(lo.count for lo in cap.lost),
           "lost_overwritten": sum(lo.count for lo in cap.lost if lo.reason == LOST_OVERWRITTEN),
           "crc_errors": cap.crc_errors, "garbage_bytes": cap.garbage_bytes,
           "leading_bytes": cap.leading_bytes,
           "truncated_bytes": cap.truncated_bytes, "duplicates": cap.duplicates,
           "unknown_frames": cap.unknown_frames, "headers": len(cap.headers)}
    if cap.records and cap.headers:
        tsc = [r.tsc for r in cap.records]
        out["seconds"] = (max(tsc) - min(tsc)) / cap.header["tsc_hz"]
    if cap.stats:
        s = cap.stats[-1]
        out["exporter"] = dict(s)
        if s["busy_ns"]:
            out["exporter"]["records_per_s_busy"] = round(s["sent"] * 1e9 / s["busy_ns"])
    return out


def print_stats(s: dict, f) -> None:
    print(f"{s['records']} records in {s['frames']} frames, CPUs {s['cpus']}, "
          f"{s.get('seconds', 0):.3f} s", file=f)
    for name, n in s["by_type"].items():
        print(f"  {name:16} {n}", file=f)
    print(f"lost: {s['lost_total']} ({s['lost'] or 'none'})", file=f)
    print(f"damage: {s['crc_errors']} bad frames, {s['garbage_bytes']} bytes skipped "
          f"({s['leading_bytes']} before the first frame, not counted), "
          f"{s['truncated_bytes']} bytes of a cut last frame, {s['duplicates']} duplicates", file=f)
    if "exporter" in s:
        e = s["exporter"]
        print(f"exporter: sent {e['sent']}, lost {e['lost']}, own system calls {e['self']}, "
              f"{e['bytes']} bytes, {e['cycles']} rounds, "
              f"{e.get('records_per_s_busy', 0)} records/s while sending", file=f)


# ---- command line ----

def _write(path: str, obj) -> None:
    text = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
    if path == "-":
        sys.stdout.write(text)
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("capture", help="the COM2 byte stream (make run: build/trace.bin)")
    p.add_argument("--chrome", metavar="OUT", help="Chrome JSON Trace Event file (Perfetto UI)")
    p.add_argument("--otlp", metavar="OUT", help="OpenTelemetry OTLP JSON file")
    p.add_argument("--text", metavar="OUT", help="text log, one line per record (- = stdout)")
    p.add_argument("--stats", action="store_true", help="counts per type, losses, damage")
    p.add_argument("--json-stats", action="store_true", help="--stats as JSON")
    p.add_argument("--epoch-ns", type=int, help="unix time (ns) of TSC 0 for OTLP (default: the capture "
                   "file's modification time minus the last record's TSC time)")
    a = p.parse_args(argv)
    try:
        with open(a.capture, "rb") as f:
            data = f.read()
        cap = decode(data)
        if not cap.frames:
            raise CaptureError(f"no frame in {len(data)} bytes: not a trace stream")
        if a.chrome:
            _write(a.chrome, chrome(cap))
        if a.otlp:
            epoch = a.epoch_ns
            if epoch is None:
                last = max((r.tsc for r in cap.records), default=0)
                epoch = int(os.path.getmtime(a.capture) * 1e9) - last * 1_000_000_000 // cap.header["tsc_hz"]
            _write(a.otlp, otlp(cap, max(epoch, 0)))
        if a.text:
            _write(a.text, "\n".join(text_lines(cap)) + "\n")
        if a.json_stats:
            print(json.dumps(stats(cap)))
        elif a.stats or not (a.chrome or a.otlp or a.text):
            print_stats(stats(cap), sys.stdout)
    except (OSError, CaptureError) as e:
        print(f"trace.py: {a.capture}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
