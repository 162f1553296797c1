"""Unit tests of the test tooling itself: the KTAP/TAP parser, scenario
judging, the QEMU runner's exit-status and timeout handling (with a fake
QEMU), the `net` scenario's host peer and its check (with a fake QMP), and
the trace stream decoder (tools/trace.py) and the trace-export check.
testrun.py runs these first; each case counts as one test.
"""
from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import zlib
import socket
import stat
import sys
import tempfile
import textwrap
import threading
import time
import unittest
from dataclasses import asdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
import ktap  # noqa: E402
import netpeer  # noqa: E402
import testrun  # noqa: E402
from scenarios import Scenario  # noqa: E402
from tracetool import trace  # noqa: E402

NESTED = textwrap.dedent("""\
    BdsDxe: starting Boot0001
    [    0.049755] 0 I init: done
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: frame
        1..3
        ok 1 frame_alloc
        # frame_free: kernel/mm/frame_test.c:40: expected x == y
        not ok 2 frame_free
    [    0.052532] 0 W irq: unhandled vector 112 (1 so far on this cpu)
        ok 3 frame_zero # SKIP no memory
    not ok 1 frame
        KTAP version 1
        # Subtest: trace
        1..1
        ok 1 ring_order
    ok 2 trace
    # ktest: 2 suites, 4 cases, 1 failed
    """)


class KtapTests(unittest.TestCase):
    def test_nested_suites_and_leaves(self) -> None:
        root = ktap.parse(NESTED)
        self.assertEqual([c.name for c in root.children], ["frame", "trace"])
        leaves = ktap.cases(NESTED)
        self.assertEqual([l.name for l in leaves], ["frame_alloc", "frame_free", "frame_zero", "ring_order"])
        self.assertEqual([l.ok for l in leaves], [True, False, True, True])
        self.assertTrue(leaves[2].skip)
        self.assertEqual(leaves[1].diagnostics, ["frame_free: kernel/mm/frame_test.c:40: expected x == y"])

    def test_missing_cases_fail(self) -> None:
        text = "KTAP version 1\n1..3\nok 1 a\nok 2 b\n"
        leaves = ktap.cases(text)
        self.assertEqual(len(leaves), 3)
        self.assertFalse(leaves[2].ok)
        self.assertIn("planned 3, saw 2", leaves[2].diagnostics[0])

    def test_output_cut_inside_a_suite(self) -> None:
        cut = NESTED[: NESTED.index("    ok 3 frame_zero")] + "    ok 3 fra"  # cut mid-line
        leaves = ktap.cases(cut)
        names = [l.name for l in leaves]
        self.assertIn("frame_alloc", names)
        self.assertFalse(all(l.ok for l in leaves))
        # the outer plan promised two suites: the second is missing
        self.assertTrue(any(l.name.startswith("missing") for l in leaves))

    def test_comments_before_the_version_line_are_no_diagnostics(self) -> None:
        leaves = ktap.cases("# blk-acked 64 8 1\nKTAP version 1\n1..1\n# why\nnot ok 1 a\n")
        self.assertEqual(leaves[0].diagnostics, ["why"])

    def test_cmocka_tap(self) -> None:
        text = "1..3\nok 1 - split\n# error: x\nnot ok 2 - merge\nok 3 - odd # SKIP why\n# not ok - buddy\n"
        leaves = ktap.cases(text)
        self.assertEqual([(l.name, l.ok, l.skip) for l in leaves],
                         [("split", True, False), ("merge", False, False), ("odd", True, True)])
        self.assertEqual(leaves[1].diagnostics, ["error: x"])

    def test_garbage_is_not_ktap(self) -> None:
        junk = "\x1b[2J\x00okay\nnot okay 5\n1.2.3\n#\n   ok\n"
        self.assertEqual(ktap.cases(junk), [])
        self.assertFalse(ktap.found_any("hello\nworld"))
        self.assertTrue(ktap.found_any("junk\nKTAP version 1\n"))


def _run(log: str, code: int | None) -> testrun.BootRun:
    return testrun.BootRun(log, code, 1.0, None, None)


class JudgeTests(unittest.TestCase):
    def test_pass_needs_status_and_strings(self) -> None:
        s = Scenario("x", "", expect_exit=35, must=[r"PANIC: \w+"], must_not=["Ferrous"])
        self.assertTrue(testrun.judge(s, _run("PANIC: boom\n", 35), "log")[0].ok)
        self.assertFalse(testrun.judge(s, _run("PANIC: boom\n", 33), "log")[0].ok)
        self.assertFalse(testrun.judge(s, _run("panic\n", 35), "log")[0].ok)
        self.assertFalse(testrun.judge(s, _run("PANIC: x\nFerrous\n", 35), "log")[0].ok)

    def test_timeout_fails_with_a_reason(self) -> None:
        out = testrun.judge(Scenario("x", ""), _run("", None), "log")
        self.assertFalse(out[0].ok)
        self.assertIn("timed out", out[0].details[0])

    def test_ktap_cases_become_outcomes(self) -> None:
        s = Scenario("k", "", ktap=True)
        out = testrun.judge(s, _run(NESTED, 33), "log")
        self.assertTrue(out[0].ok)
        self.assertEqual([o.name for o in out[1:]],
                         ["boot/k/frame/frame_alloc", "boot/k/frame/frame_free",
                          "boot/k/frame/frame_zero", "boot/k/trace/ring_order"])
        self.assertEqual([o.ok for o in out[1:]], [True, False, True, True])

    def test_ktap_required_but_absent(self) -> None:
        out = testrun.judge(Scenario("k", "", ktap=True), _run("no tests here\n", 33), "log")
        self.assertFalse(out[0].ok)


class SeqCheckTests(unittest.TestCase):
    def lines(self, ks, n, payload=testrun.SEQ_PAYLOAD) -> str:
        return "".join(f"# seq {k} of {n}: {payload}\r\n" for k in ks)

    def test_each_once_in_order_passes(self) -> None:
        self.assertEqual(testrun.check_seq_lines("x\n" + self.lines([1, 2, 3], 3)), [])

    def test_lost_doubled_and_cut_lines_fail(self) -> None:
        self.assertTrue(testrun.check_seq_lines(self.lines([1, 3], 3)))
        self.assertTrue(testrun.check_seq_lines(self.lines([1, 2, 2, 3], 3)))
        self.assertTrue(testrun.check_seq_lines(self.lines([2, 1, 3], 3)))
        cut = self.lines([1], 2) + "# seq 2 of 2: the quick# seq 2 of 2: " + testrun.SEQ_PAYLOAD + "\n"
        self.assertTrue(testrun.check_seq_lines(cut))
        self.assertTrue(testrun.check_seq_lines("nothing\n"))


class FakeQemuTests(unittest.TestCase):
    def _script(self, body: str) -> str:
        fd, path = tempfile.mkstemp(suffix=".sh")
        with os.fdopen(fd, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, stat.S_IRWXU)
        self.addCleanup(os.unlink, path)
        return path

    def test_exit_status_and_output_are_captured(self) -> None:
        fake = self._script("echo 'Ferrous 0.1.0 (x86_64)'\necho 'init: done'\nexit 33\n")
        with tempfile.TemporaryDirectory() as d:
            run = testrun._run_qemu([fake], os.path.join(d, "log"), timeout=30)
        self.assertEqual(run.exit_code, 33)
        self.assertIn("init: done", run.log)
        self.assertIsNotNone(run.banner_at)
        self.assertIsNotNone(run.init_done_at)

    def test_hung_qemu_is_killed_at_the_timeout(self) -> None:
        fake = self._script("echo started\nsleep 60\n")
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory() as d:
            run = testrun._run_qemu([fake], os.path.join(d, "log"), timeout=1)
        self.assertIsNone(run.exit_code)
        self.assertLess(time.monotonic() - t0, 20)
        self.assertIn("started", run.log)


GUEST = bytes.fromhex("525400123456")


class NetPeerTests(unittest.TestCase):
    def test_request_comes_back_as_a_reply(self) -> None:
        st = netpeer.Stats()
        req = netpeer.make_frame(netpeer.PEER_MAC, GUEST, netpeer.OP_REQUEST, 7, 1514)
        out = netpeer.answer(req, st)
        self.assertEqual(len(out), 1)
        reply = out[0]
        self.assertEqual((reply[0:6], reply[6:12], reply[18]), (GUEST, netpeer.PEER_MAC, netpeer.OP_REPLY))
        self.assertEqual(reply[19:], req[19:])
        self.assertEqual(netpeer.parse(reply), (netpeer.OP_REPLY, 7))
        self.assertEqual((st.requests, st.replies, st.bad, st.other), (1, 1, 0, 0))

    def test_junk_request_sends_oversize_and_runt_first(self) -> None:
        st = netpeer.Stats()
        out = netpeer.answer(netpeer.make_frame(netpeer.PEER_MAC, GUEST, netpeer.OP_JUNK, 9, 60), st)
        self.assertEqual([len(f) for f in out], [netpeer.OVERSIZE, netpeer.RUNT, 60])
        self.assertEqual(out[0][0:6], GUEST)
        self.assertEqual((st.requests, st.replies, st.junk), (1, 1, 2))

    def test_malformed_and_foreign_frames_are_counted_not_answered(self) -> None:
        st = netpeer.Stats()
        good = netpeer.make_frame(netpeer.PEER_MAC, GUEST, netpeer.OP_REQUEST, 3, 100)
        damaged = good[:50] + bytes([good[50] ^ 1]) + good[51:]
        short = good[:20]
        wrong_len = good[:24] + bytes([99, 0]) + good[26:]
        reply_op = good[:18] + bytes([netpeer.OP_REPLY]) + good[19:]
        for frame in (damaged, short, wrong_len, reply_op):
            self.assertEqual(netpeer.answer(frame, st), [])
        self.assertEqual(netpeer.answer(bytes(60), st), [])  # ethertype 0
        self.assertEqual(netpeer.answer(b"", st), [])
        self.assertEqual((st.requests, st.bad, st.other), (0, 4, 2))
        self.assertEqual(len(st.samples), netpeer.SAMPLES)

    def test_peer_answers_over_udp_and_writes_its_counts(self) -> None:
        peer = netpeer.NetPeer()
        self.assertIn(f"remote.port={peer.port}", " ".join(peer.qemu_args()))
        peer.start()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, tempfile.TemporaryDirectory() as d:
            s.settimeout(10)
            s.sendto(netpeer.make_frame(netpeer.PEER_MAC, GUEST, netpeer.OP_REQUEST, 1, 64), ("127.0.0.1", peer.port))
            reply, _ = s.recvfrom(netpeer.MAX_DATAGRAM)
            path = os.path.join(d, "peer.json")
            peer.stop(path)
            self.assertEqual(netpeer.parse(reply), (netpeer.OP_REPLY, 1))
            self.assertEqual(json.load(open(path))["replies"], 1)
            self.assertEqual(netpeer.load_stats(path).requests, 1)
            self.assertIsNone(netpeer.load_stats(os.path.join(d, "absent.json")))


    def test_one_netdev_and_mac_per_nic(self) -> None:
        peer = netpeer.NetPeer()
        args = peer.qemu_args(["", "vectors=1,host_mtu=1280"])
        peer.stop()
        devices = [args[i + 1] for i, a in enumerate(args) if a == "-device"]
        self.assertEqual(len(devices), 2)
        self.assertIn("netdev=net0,id=nic0", devices[0])
        self.assertIn("mac=52:54:00:12:34:56", devices[0])
        self.assertTrue(devices[1].endswith(",vectors=1,host_mtu=1280"))
        self.assertIn("mac=52:54:00:12:34:57", devices[1])
        self.assertEqual(sum(a.startswith("dgram,id=net") for a in args), 2)
        self.assertEqual(args.count("-qmp"), 1)

    def test_link_requests_become_qmp_set_link(self) -> None:
        peer = netpeer.NetPeer()
        seen: list[dict] = []
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(peer.qmp_path)
        server.listen(2)

        def fake_qmp() -> None:  # one connection per command, as QEMU serves them
            for _ in range(2):
                conn, _ = server.accept()
                with conn, conn.makefile("rw") as f:
                    f.write('{"QMP": {}}\n')
                    f.flush()
                    for _ in range(2):
                        seen.append(json.loads(f.readline()))
                        f.write('{"event": "NOISE"}\n{"return": {}}\n')
                        f.flush()

        th = threading.Thread(target=fake_qmp, daemon=True)
        th.start()
        peer.on_line("    # net-link down\n")
        peer.on_line("    # net-link sideways\n")  # not a request
        peer.on_line("    # net-link up\r\n")
        th.join(timeout=10)
        server.close()
        stats = peer.stop()
        self.assertEqual([m["execute"] for m in seen], ["qmp_capabilities", "set_link"] * 2)
        self.assertEqual([m["arguments"]["up"] for m in seen if m["execute"] == "set_link"], [False, True])
        self.assertEqual((stats.link_changes, stats.link_errors), (2, []))

    def test_link_request_without_qemu_is_an_error(self) -> None:
        peer = netpeer.NetPeer()
        peer.on_line("# net-link down")
        stats = peer.stop()
        self.assertEqual(stats.link_changes, 0)
        self.assertEqual(len(stats.link_errors), 1)


class NetCheckTests(unittest.TestCase):
    LOG = "    # net-count sent 10 lost 2 replies 7\nnoise\n    # net-count sent 5 lost 0 replies 5\n"

    def _check(self, log: str, **counts: int) -> list[str]:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "peer.json")
            with open(path, "w") as f:
                json.dump(dict(asdict(netpeer.Stats()), **counts), f)
            return testrun.check_net_peer(log, path)

    def test_counts_that_agree_pass(self) -> None:
        self.assertEqual(self._check(self.LOG, requests=13, replies=13), [])
        self.assertEqual(self._check(self.LOG, requests=15, replies=15), [])

    def test_counts_that_disagree_fail(self) -> None:
        self.assertTrue(self._check(self.LOG, requests=12, replies=12))  # a frame not lost never arrived
        self.assertTrue(self._check(self.LOG, requests=16, replies=16))  # more than the guest sent
        self.assertTrue(self._check(self.LOG, requests=13, replies=11))  # replies from nowhere
        self.assertTrue(self._check(self.LOG, requests=13, replies=13, bad=1))
        self.assertTrue(self._check("no counts\n", requests=13, replies=13))
        self.assertTrue(testrun.check_net_peer(self.LOG, "/nonexistent/peer.json"))

    def test_link_changes_must_match_the_requests(self) -> None:
        log = self.LOG + "    # net-link down\n    # net-link up\n"
        self.assertEqual(self._check(log, requests=13, replies=13, link_changes=2), [])
        self.assertTrue(self._check(log, requests=13, replies=13, link_changes=1))
        self.assertTrue(self._check(log, requests=13, replies=13, link_changes=2, link_errors=["x"]))


class AckedWriteTests(unittest.TestCase):
    """The disk check of the blk, supervisor and faults scenarios, and `make faults`' tally."""

    @staticmethod
    def _formula(sector: int, count: int, salt: int) -> bytes:
        return bytes(((sector * 131 + i * 7 + salt) ^ (i >> 9)) & 0xff for i in range(count * 512))

    def test_pattern_is_the_guests_formula(self) -> None:
        for sector, count, salt in ((0, 1, 0), (64, 8, 1), (12345, 3, 255), (7, 300, 99)):
            self.assertEqual(testrun.blk_pattern(sector, count, salt), self._formula(sector, count, salt))

    def _image(self, d: str, writes: list[tuple[int, int, int]]) -> str:
        path = os.path.join(d, "disk.img")
        with open(path, "wb") as f:
            f.truncate(1 << 20)
            for sector, count, salt in writes:
                f.seek(sector * 512)
                f.write(testrun.blk_pattern(sector, count, salt))
        return path

    def test_a_lost_write_is_found(self) -> None:
        log = "    # blk-acked 64 8 1\n# blk-acked 72 8 38\n"
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(testrun.check_acked_writes(log, self._image(d, [(64, 8, 1), (72, 8, 38)])), [])
            lost = testrun.check_acked_writes(log, self._image(d, [(64, 8, 1), (72, 8, 37)]))
            self.assertEqual(len(lost), 1)
            self.assertIn("at 72 (salt 38)", lost[0])
            self.assertTrue(testrun.check_acked_writes("no writes\n", self._image(d, [])))

    LOG = textwrap.dedent("""\
        # faults: 1000 crashes injected: null 190 wild 190 stack 190 hang 50 illegal 190 budget 190; echo 500
        # faults: restarts seen: echo 500, blk 500 (0 beyond one per crash: a heartbeat missed)
        # restart: median 9000 us, p99 40000 us over 450 crashes (echo, under load)
            # faults: 100 crashes so far
        """)

    def test_faults_tally(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            image = self._image(d, [(64, 8, 1)])
            lines, problems = faults.tally(self.LOG + "# blk-acked 64 8 1\n", image, 1000)
            self.assertEqual(problems, [])
            self.assertIn("# faults: kernel panics: 0", lines)
            self.assertIn("# faults: acknowledged writes: 1, not on the disk image: 0", lines)
            self.assertFalse(any("so far" in l for l in lines))
            _, problems = faults.tally(self.LOG + "# blk-acked 64 8 2\nPANIC: x\n", image, 1001)
            self.assertEqual(len(problems), 3)  # too few crashes, a panic, a lost write


# ---- the trace stream (tools/trace.py) ----

HZ = 1_000_000_000  # 1 GHz: one TSC tick per ns


def tframe(ftype: int, payload: bytes) -> bytes:
    body = struct.pack("<BBH", ftype, 0, len(payload)) + payload
    return trace.SYNC_BYTES + body + struct.pack("<I", zlib.crc32(body))


def theader(cpus: int = 2, exporter: int = 99) -> bytes:
    return tframe(trace.T_HEADER, trace.HEADER.pack(trace.MAGIC, 1, 64, HZ, 0x1234ABCD, cpus, exporter, 0))


class Recs:
    """Records as the kernel numbers them: seq per CPU from 1."""

    def __init__(self) -> None:
        self.seq: dict[int, int] = {}
        self.tsc = 1000
        self.all: list[bytes] = []

    def add(self, cpu: int, thread: int, name: str, *args: int, span: int = 0) -> None:
        self.seq[cpu] = self.seq.get(cpu, 0) + 1
        self.tsc += 100
        a = list(args) + [0] * (4 - len(args))
        self.all.append(trace.RECORD.pack(self.seq[cpu], self.tsc, span, thread, trace.E[name], cpu, *a))

    def frames(self) -> bytes:
        return b"".join(tframe(trace.T_RECORDS, b"".join(self.all[i:i + 8])) for i in range(0, len(self.all), 8))


def ipc(r: Recs, cpu: int, sender: int, receiver: int, ep: int, label: int, span: int) -> None:
    """A delivery as endpoint.c emits it: ipc_send then ipc_recv, in the sender's context."""
    r.add(cpu, sender, "ipc_send", ep, label, 1, receiver, span=span)
    r.add(cpu, sender, "ipc_recv", ep, label, 1, sender, span=span)


def two_hop() -> Recs:
    """Client 10 calls server 20 (endpoint 5), which calls 30 (endpoint 6) while serving;
    system calls around; a frame allocation and a switch on CPU 1."""
    r = Recs()
    r.add(0, 10, "syscall_enter", 7, 0, 0, 0)        # fe_call
    ipc(r, 0, 10, 20, 5, 1, span=1)
    r.add(1, 20, "frame_alloc", 0x1000, 0, 0)
    r.add(1, 0, "sched_switch", 0, 20, 1)
    r.add(0, 20, "syscall_enter", 7, 0, 0, 0)
    ipc(r, 0, 20, 30, 6, 2, span=1)
    ipc(r, 0, 30, 20, 0, 0, span=1)                  # 30 replies to 20
    r.add(0, 20, "syscall_exit", 7, 0)
    ipc(r, 0, 20, 10, 0, 0, span=1)                  # 20 replies to 10
    r.add(0, 10, "syscall_exit", 7, 0)
    return r


def two_hop_one_record() -> Recs:
    """two_hop as today's kernel writes it: one syscall record a call, written at its exit
    (call and status in arg[0], ticks since entry in arg[3]), and one record a delivery
    (ipc_send by the sender; ipc_recv by a receiver that took a queued message)."""
    r = Recs()
    r.add(0, 10, "ipc_send", 5, 1, 1, 20, span=1)          # 10 calls 20 (20 was waiting)
    r.add(1, 20, "frame_alloc", 0x1000, 0, 0)
    r.add(1, 0, "sched_switch", 0, 20, 1)
    r.add(0, 30, "ipc_recv", 6, 2, 1, 20, span=1)          # 30 takes 20's queued call
    r.add(0, 30, "ipc_send", 0, 0, 1, 20, span=1)          # 30 replies to 20
    r.add(0, 20, "syscall", 7, 0, 0, 250)                   # 20's call: entry 250 ticks back
    r.add(0, 20, "ipc_send", 0, 0, 1, 10, span=1)          # 20 replies to 10
    r.add(0, 10, "syscall", 7 | (0xFFFFFFF0 << 32), 0, 0, 650)  # 10's call, status -16
    return r


class TraceSchemaTests(unittest.TestCase):
    """tools/trace.py mirrors include/ferrous/trace.h and trace_stream.h."""

    def test_events_agree_with_trace_h(self) -> None:
        with open(trace.TRACE_H) as f:
            self.assertEqual(trace.parse_events(f.read()), trace.EVENTS)

    def test_record_layout_agrees(self) -> None:
        with open(trace.TRACE_H) as f:
            fields = trace.parse_record_layout(f.read())
        want = [("uint64_t", "seq"), ("uint64_t", "tsc"), ("uint64_t", "span"), ("uint32_t", "thread"),
                ("uint16_t", "type"), ("uint16_t", "cpu"), ("uint64_t", "arg[4]")]
        self.assertEqual(fields, want)
        self.assertEqual(trace.RECORD.format, "<QQQIHH4Q")
        self.assertEqual(trace.RECORD.size, 64)

    def test_stream_constants_agree(self) -> None:
        with open(trace.STREAM_H) as f:
            c = trace.parse_stream_constants(f.read())
        self.assertEqual(c["FE_TSTREAM_SYNC"], trace.SYNC)
        self.assertEqual(c["FE_TSTREAM_MAGIC"], trace.MAGIC)
        self.assertEqual(c["FE_TSTREAM_RECORDS_MAX"], trace.RECORDS_MAX)
        self.assertEqual(c["FE_TSTREAM_HEAD_BYTES"], trace.HEAD_BYTES)
        self.assertEqual((c["FE_TSTREAM_HEADER"], c["FE_TSTREAM_RECORDS"], c["FE_TSTREAM_LOST"],
                          c["FE_TSTREAM_STATS"]), (trace.T_HEADER, trace.T_RECORDS, trace.T_LOST, trace.T_STATS))
        self.assertEqual((trace.HEADER.size, trace.LOST.size, trace.STATS.size), (48, 24, 64))


class TraceDecodeTests(unittest.TestCase):
    def test_clean_stream(self) -> None:
        r = two_hop()
        cap = trace.decode(b"firmware text\r\n" + theader() + r.frames())
        self.assertEqual(len(cap.records), len(r.all))
        self.assertEqual((cap.crc_errors, cap.garbage_bytes, cap.truncated_bytes), (0, 0, 0))
        self.assertEqual(cap.leading_bytes, len(b"firmware text\r\n"))
        self.assertEqual(cap.header["tsc_hz"], HZ)

    def test_bad_crc_and_garbage_are_skipped_and_counted(self) -> None:
        r = two_hop()
        frames = [tframe(trace.T_RECORDS, rec) for rec in r.all]
        bad = bytearray(frames[3])
        bad[12] ^= 0x40  # inside the record: the CRC no longer matches
        junk = b"\x00\xffnoise" + trace.SYNC_BYTES + b"\x02\x00"  # a sync word with a cut frame after it
        data = theader() + b"".join(frames[:3]) + bytes(bad) + junk + b"".join(frames[4:])
        cap = trace.decode(data)
        self.assertEqual(len(cap.records), len(r.all) - 1)
        self.assertEqual(cap.crc_errors, 2)  # the damaged frame, and the sync word in the junk
        self.assertEqual(cap.garbage_bytes, len(bad) + len(junk))
        seqs = [(x.cpu, x.seq) for x in cap.records]
        self.assertNotIn((trace.RECORD.unpack(r.all[3])[5], trace.RECORD.unpack(r.all[3])[0]), seqs)

    def test_a_cut_last_frame_is_truncation_not_damage(self) -> None:
        data = theader() + two_hop().frames()
        cap = trace.decode(data[:-10])
        self.assertEqual(cap.crc_errors, 0)
        self.assertGreater(cap.truncated_bytes, 0)

    def test_lost_frame_is_reported(self) -> None:
        lost = tframe(trace.T_LOST, trace.LOST.pack(1, trace.LOST_OVERWRITTEN, 37, 100))
        cap = trace.decode(theader() + two_hop().frames() + lost)
        st = trace.stats(cap)
        self.assertEqual(st["lost_total"], 37)
        self.assertEqual(st["lost"], {"cpu 1 overwritten before read": 37})
        self.assertIn("# lost 37 records on CPU 1 (overwritten before read), seq 100..", trace.text_lines(cap))

    def test_records_sent_twice_are_dropped(self) -> None:
        r = two_hop()
        cap = trace.decode(theader() + r.frames() + theader() + r.frames())
        self.assertEqual(len(cap.records), len(r.all))
        self.assertEqual(cap.duplicates, len(r.all))

    def test_text_names_types_and_arguments(self) -> None:
        lines = trace.text_lines(trace.decode(theader() + two_hop().frames()))
        self.assertTrue(any("cpu0 thread 10 span 1 ipc_send endpoint=5 label=1 words=1 to=20" in l for l in lines))
        self.assertTrue(any("frame_alloc phys=0x1000 order=0 node=0" in l for l in lines))

    def test_chrome_json_has_tracks_slices_flows_counters(self) -> None:
        doc = trace.chrome(trace.decode(theader() + two_hop().frames()))
        ev = doc["traceEvents"]
        for e in ev:
            for key in ("ph", "pid", "name"):
                self.assertIn(key, e)
            if e["ph"] != "M":
                self.assertIn("ts", e)
            if e["ph"] == "X":
                self.assertGreaterEqual(e["dur"], 0)
        names = {e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
        self.assertTrue({"CPU 0", "CPU 1", "thread 10", "thread 20", "thread 30"} <= names)
        self.assertEqual(len([e for e in ev if e.get("cat") == "syscall"]), 2)
        serve = [e for e in ev if e["ph"] == "X" and e.get("cat") == "ipc"]
        self.assertEqual(sorted(e["tid"] for e in serve), [20, 30])
        starts = {e["id"] for e in ev if e["ph"] == "s"}
        ends = {e["id"] for e in ev if e["ph"] == "f"}
        self.assertEqual(len(starts), 2)
        self.assertEqual(starts, ends)
        self.assertTrue(any(e["ph"] == "C" and "frames" in e["args"] for e in ev))
        json.dumps(doc)

    def test_otlp_spans_ids_and_parents(self) -> None:
        doc = trace.otlp(trace.decode(theader() + two_hop().frames()), epoch_ns=1_700_000_000_000_000_000)
        self.assertEqual(trace.otlp_problems(doc, need_spans=4), [])
        spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
        self.assertEqual(len(spans), 4)
        for s in spans:
            self.assertEqual(len(bytes.fromhex(s["traceId"])), 16)
            self.assertEqual(len(bytes.fromhex(s["spanId"])), 8)
        self.assertEqual(len({s["traceId"] for s in spans}), 1)  # one tree over both hops
        by_id = {s["spanId"]: s for s in spans}
        inner_client = next(s for s in spans if s["kind"] == trace.KIND_CLIENT and "ep 6" in s["name"])
        parent = by_id[inner_client["parentSpanId"]]  # 20's handling of 10's request
        self.assertEqual((parent["kind"], parent["name"]), (trace.KIND_SERVER, "serve ep 5 label 1"))
        self.assertEqual(by_id[parent["parentSpanId"]]["kind"], trace.KIND_CLIENT)
        roots = [s for s in spans if "parentSpanId" not in s]
        self.assertEqual(len(roots), 1)

    def test_one_record_calls_and_deliveries(self) -> None:
        cap = trace.decode(theader() + two_hop_one_record().frames())
        doc = trace.chrome(cap)
        calls = [e for e in doc["traceEvents"] if e.get("cat") == "syscall"]
        self.assertEqual(sorted(e["tid"] for e in calls), [10, 20])
        ten = next(e for e in calls if e["tid"] == 10)
        self.assertEqual(ten["args"]["status"], -16)
        self.assertGreater(ten["dur"], 0)
        serve = [e for e in doc["traceEvents"] if e["ph"] == "X" and e.get("cat") == "ipc"]
        self.assertEqual(sorted(e["tid"] for e in serve), [20, 30])
        spans = trace.otlp(cap, epoch_ns=1_700_000_000_000_000_000)["resourceSpans"][0]["scopeSpans"][0]["spans"]
        self.assertEqual(len(spans), 4)
        by_id = {s["spanId"]: s for s in spans}
        inner = next(s for s in spans if s["kind"] == trace.KIND_CLIENT and "ep 6" in s["name"])
        self.assertEqual(by_id[inner["parentSpanId"]]["name"], "serve ep 5 label 1")
        self.assertIn("syscall", "\n".join(trace.text_lines(cap)))

    def test_otlp_problems_catch_broken_documents(self) -> None:
        doc = trace.otlp(trace.decode(theader() + two_hop().frames()))
        spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
        spans[0]["traceId"] = spans[0]["traceId"][:30]
        spans[1]["parentSpanId"] = "00000000000000ff"
        spans[2]["kind"] = "SPAN_KIND_SERVER"
        problems = "\n".join(trace.otlp_problems(doc))
        self.assertIn("is not 16 bytes of hex", problems)
        self.assertIn("parentSpanId 00000000000000ff is no span", problems)
        self.assertIn("'SPAN_KIND_SERVER' is not an OTLP SpanKind integer", problems)

    def test_otlp_accepted_by_protobuf(self) -> None:
        """The independent decoder: Google's protobuf runtime (tools/otlp_check.py)."""
        doc = trace.otlp(trace.decode(theader() + two_hop().frames()))
        with tempfile.TemporaryDirectory() as d:
            good, bad = os.path.join(d, "good.json"), os.path.join(d, "bad.json")
            with open(good, "w") as f:
                json.dump(doc, f)
            doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["parentSpanID"] = "00"
            with open(bad, "w") as f:
                json.dump(doc, f)
            ok = otlp_check(good)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
            self.assertIn("otlp: 4 spans, 1 traces", ok.stdout)
            self.assertEqual(otlp_check(bad).returncode, 1)

    def test_random_bytes_never_raise(self) -> None:
        rng = random.Random(1313)
        good = theader() + two_hop().frames() + tframe(trace.T_LOST, trace.LOST.pack(0, 0, 5, 1))
        for i in range(400):
            if i % 2:
                data = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 600)))
                if i % 4 == 1:
                    data = trace.SYNC_BYTES.join(data[k:k + 40] for k in range(0, len(data), 40))
            else:
                buf = bytearray(good)
                for _ in range(rng.randrange(1, 8)):
                    buf[rng.randrange(len(buf))] = rng.getrandbits(8)
                data = bytes(buf[:rng.randrange(len(buf) + 1)])
            cap = trace.decode(data)
            trace.stats(cap)
            trace.text_lines(cap)
            if cap.headers:
                trace.chrome(cap)
                trace.otlp(cap)

    def test_command_line_errors_are_one_line(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            junk = os.path.join(d, "junk.bin")
            with open(junk, "wb") as f:
                f.write(b"not a trace at all\n" * 10)
            for args in ([junk], [junk, "--chrome", os.path.join(d, "c.json")], [os.path.join(d, "absent")]):
                p = subprocess.run([sys.executable, trace.__file__, *args], capture_output=True, text=True)
                self.assertEqual(p.returncode, 2)
                self.assertNotIn("Traceback", p.stderr)
                self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            cut = os.path.join(d, "cut.bin")
            with open(cut, "wb") as f:
                f.write(two_hop().frames())  # records but no header: the formats need tsc_hz
            p = subprocess.run([sys.executable, trace.__file__, cut, "--otlp", os.path.join(d, "o.json")],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn("no header frame", p.stderr)


def otlp_check(path: str) -> subprocess.CompletedProcess:
    return subprocess.run([testrun.OTLP_PYTHON, os.path.join(os.path.dirname(trace.__file__), "otlp_check.py"), path],
                          capture_output=True, text=True)


class TraceCheckTests(unittest.TestCase):
    """testrun.check_trace, the trace-export scenario's host-side check."""

    def _check(self, data: bytes, smp: int = 2) -> list[str]:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "trace.bin")
            with open(path, "wb") as f:
                f.write(data)
            return testrun.check_trace(path, smp)

    def test_good_capture_passes(self) -> None:
        self.assertEqual(self._check(b"BdsDxe: booting\r\n" + theader() + two_hop().frames()), [])

    def test_damage_missing_cpu_and_no_ipc_fail(self) -> None:
        frames = bytearray(theader() + two_hop().frames())
        frames[-20] ^= 1
        self.assertTrue(any("damaged" in p for p in self._check(bytes(frames))))
        self.assertTrue(any("CPUs" in p for p in self._check(theader() + two_hop().frames(), smp=3)))
        r = Recs()
        for i in range(6):
            r.add(i % 2, 1, "syscall_enter", 1)
            r.add(i % 2, 1, "syscall_exit", 1)
        self.assertTrue(any("spans" in p for p in self._check(theader() + r.frames())))
        self.assertTrue(any("no header" in p for p in self._check(b"")))


if __name__ == "__main__":
    unittest.main()
