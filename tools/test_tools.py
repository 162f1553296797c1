"""Unit tests of the test tooling itself: the KTAP/TAP parser, scenario
judging, the QEMU runner's exit-status and timeout handling (with a fake
QEMU), and the `net` scenario's host peer and its check (with a fake QMP).
testrun.py runs these first; each case counts as one test.
"""
from __future__ import annotations

import json
import os
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


if __name__ == "__main__":
    unittest.main()
