"""The host side of the `net` scenario: the peer at the other end of the
guest's virtio-net device.

QEMU's dgram netdev carries each Ethernet frame as one UDP datagram between
its socket and ours (both on 127.0.0.1). QEMU binds a port of its own
choosing (one per NIC); the peer answers whoever sent the frame, so no port
has to be picked in advance and no two runs can collide.

The guest's test frames (user/utest/suite_net.c builds and checks the same):

    0  destination MAC     6  source MAC     12  ethertype 0x88b5
    14 magic b"FeNt"       18 op             19  0
    20 sequence number (u32, little-endian)  24  the frame's length (u16)  26  0 0
    28 payload: byte i of the frame is (seq * 7 + i) & 0xff

The guest can also pull the cable: a console line `# net-link down` (or
`up`) makes the peer tell QEMU, through its QMP socket, to set the NIC's
link state (set_link), which the device reports as a configuration change.

Ops: 1, echo request: the peer sends the same frame back as op 2 (echo
reply), from PEER_MAC to the sender's MAC. 3, junk request: first a frame
longer than any receive buffer and one shorter than an Ethernet header
(the device must drop or deliver them without harm to the driver), then
the reply. A frame of our ethertype that is malformed (wrong magic, length
field, payload) is counted as bad and not answered; any other frame is
counted as other and ignored.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import struct
import tempfile
import threading
from dataclasses import asdict, dataclass, field

PEER_MAC = bytes.fromhex("020000000001")  # locally administered, unicast
GUEST_MAC = "52:54:00:12:34:56"  # the first NIC's; the next ones count up
ETHERTYPE = 0x88B5  # IEEE 802 local experimental ethertype 1
MAGIC = b"FeNt"
HEADER = 28
OP_REQUEST, OP_REPLY, OP_JUNK = 1, 2, 3
OVERSIZE = 3000  # bytes: more than the driver's 1514-byte buffers
RUNT = 10        # bytes: less than an Ethernet header
MAX_DATAGRAM = 65536
NIC_ID = "nic0"  # the NIC whose cable `# net-link` pulls
LINK_REQUEST = re.compile(r"# net-link (up|down)\s*$")
SAMPLES = 4        # bad or other frames kept for the log
SAMPLE_BYTES = 64


@dataclass
class Stats:
    requests: int = 0  # well-formed requests received (op 1 or 3)
    replies: int = 0   # replies sent
    junk: int = 0      # oversize and runt frames sent
    bad: int = 0       # frames of our ethertype that were malformed
    other: int = 0     # frames of any other kind
    samples: list[str] = field(default_factory=list)  # the first bad or other frames, in hex, for a log
    link_changes: int = 0  # set_link commands QEMU accepted
    link_errors: list[str] = field(default_factory=list)


def guest_mac(i: int) -> str:
    """The MAC of the guest's NIC i."""
    last = int(GUEST_MAC.split(":")[-1], 16) + i
    return GUEST_MAC.rsplit(":", 1)[0] + f":{last:02x}"


def pattern(seq: int, length: int) -> bytes:
    """The payload of frame `seq` of `length` bytes (bytes HEADER..length-1)."""
    return bytes((seq * 7 + i) & 0xFF for i in range(HEADER, length))


def make_frame(dst: bytes, src: bytes, op: int, seq: int, length: int) -> bytes:
    """A test frame, as the guest builds it (the runner's own tests use this)."""
    head = dst + src + struct.pack(">H", ETHERTYPE) + MAGIC + bytes([op, 0]) + struct.pack("<IHH", seq, length, 0)
    return head + pattern(seq, length)


def parse(frame: bytes) -> tuple[int, int] | None | str:
    """(op, seq) of a well-formed test frame; "other" for a frame not of our
    ethertype; None for one of ours that is malformed."""
    if len(frame) < 14 or struct.unpack(">H", frame[12:14])[0] != ETHERTYPE:
        return "other"
    if len(frame) < HEADER or frame[14:18] != MAGIC:
        return None
    op = frame[18]
    seq, length, _ = struct.unpack("<IHH", frame[20:28])
    if length != len(frame) or frame[HEADER:] != pattern(seq, length):
        return None
    return op, seq


def answer(frame: bytes, stats: Stats) -> list[bytes]:
    """What the peer sends back for one frame from the guest, counted in stats."""
    got = parse(frame)
    if got == "other" or got is None or got[0] not in (OP_REQUEST, OP_JUNK):
        if got == "other":
            stats.other += 1
        else:
            stats.bad += 1
        if len(stats.samples) < SAMPLES:
            stats.samples.append(f"{len(frame)} bytes: {frame[:SAMPLE_BYTES].hex()}")
        return []
    op, seq = got
    stats.requests += 1
    out = []
    if op == OP_JUNK:
        out += [frame[6:12] + PEER_MAC + bytes(OVERSIZE - 12), bytes(RUNT)]
        stats.junk += 2
    reply = bytearray(frame)
    reply[0:6], reply[6:12], reply[18] = frame[6:12], PEER_MAC, OP_REPLY
    stats.replies += 1
    return out + [bytes(reply)]


class NetPeer:
    """A thread answering frames on a UDP socket until stop()."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stats = Stats()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._qmp_dir = tempfile.mkdtemp(prefix="ferrous-qmp-")  # short: a socket path has 108 bytes
        self.qmp_path = os.path.join(self._qmp_dir, "qmp.sock")

    def qemu_args(self, nics: list[str] | None = None) -> list[str]:
        """One modern virtio-net device (no option ROM) per entry of nics, with
        those extra -device options, each on its own netdev sending here; NIC
        i is nic<i> with MAC GUEST_MAC + i. And the QMP socket that pulls nic0's
        cable."""
        args = []
        for i, opts in enumerate(nics if nics is not None else [""]):
            netdev = (f"dgram,id=net{i},local.type=inet,local.host=127.0.0.1,local.port=0,"
                      f"remote.type=inet,remote.host=127.0.0.1,remote.port={self.port}")
            device = f"virtio-net-pci,netdev=net{i},id=nic{i},disable-legacy=on,mac={guest_mac(i)},romfile="
            args += ["-netdev", netdev, "-device", device + (f",{opts}" if opts else "")]
        return args + ["-qmp", f"unix:{self.qmp_path},server=on,wait=off"]

    def on_line(self, line: str) -> None:
        """Called with each console line: `# net-link up|down` plugs or pulls the cable."""
        m = LINK_REQUEST.search(line)
        if m:
            self.set_link(m.group(1) == "up")

    def set_link(self, up: bool) -> None:
        """QMP set_link on the NIC; failures are recorded in stats.link_errors."""
        commands = [{"execute": "qmp_capabilities"},
                    {"execute": "set_link", "arguments": {"name": NIC_ID, "up": up}}]
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(30)
                s.connect(self.qmp_path)
                f = s.makefile("rw")
                json.loads(f.readline())  # the greeting
                for cmd in commands:
                    f.write(json.dumps(cmd) + "\n")
                    f.flush()
                    reply = _qmp_reply(f)
                    if "error" in reply:
                        raise ValueError(f"{cmd['execute']}: {reply['error']}")
            self.stats.link_changes += 1
        except (OSError, ValueError) as e:
            self.stats.link_errors.append(f"set_link {'up' if up else 'down'}: {e}")

    def start(self) -> None:
        self._thread.start()

    def stop(self, path: str | None = None) -> Stats:
        """Stops the thread and closes the socket; writes the counts to path as JSON."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.sock.close()
        shutil.rmtree(self._qmp_dir, ignore_errors=True)
        if path:
            with open(path, "w") as f:
                json.dump(asdict(self.stats), f)
        return self.stats

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                frame, addr = self.sock.recvfrom(MAX_DATAGRAM)
            except socket.timeout:
                continue
            except OSError:
                return
            for out in answer(frame, self.stats):
                try:
                    self.sock.sendto(out, addr)
                except OSError:
                    pass  # QEMU gone: the run is ending


def _qmp_reply(f) -> dict:
    """The next command reply on a QMP stream, skipping events."""
    while True:
        line = f.readline()
        if not line:
            raise ValueError("QMP closed the connection")
        msg = json.loads(line)
        if "return" in msg or "error" in msg:
            return msg


def load_stats(path: str) -> Stats | None:
    try:
        with open(path) as f:
            return Stats(**json.load(f))
    except (OSError, ValueError, TypeError):
        return None
