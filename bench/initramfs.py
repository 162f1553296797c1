#!/usr/bin/env python3
"""Writes the Linux benchmark initramfs: a cpio archive in the "newc" format.

Written here rather than with cpio(1) because the archive needs a device
node, /dev/console, which only root could create on disk: without it the
kernel has no console to give /init, and the benchmark's output is lost.
Every entry is owned by 0:0 with time 0, so the same /init gives the same
bytes.

With a module directory (bench/linux/fetch.sh's DIR/modules: NAME.ko files
and `order`, their names in load order), the archive also holds
/modules/order and each module it names, which /init loads for the blk rows.

    python3 bench/initramfs.py OUT.cpio INIT_BINARY [MODULE_DIR]
"""
from __future__ import annotations

import os
import stat
import sys

NEWC_MAGIC = b"070701"
TRAILER = "TRAILER!!!"


def _pad4(n: int) -> bytes:
    return b"\0" * (-n % 4)


def entry(name: str, mode: int, data: bytes = b"", ino: int = 0, rdev: tuple[int, int] = (0, 0)) -> bytes:
    """One newc member: 110-byte ASCII header, name + NUL, data, each padded to 4 bytes."""
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    header = NEWC_MAGIC + b"".join(b"%08X" % f for f in fields)
    name_b = name.encode() + b"\0"
    head = header + name_b
    return head + _pad4(len(head)) + data + _pad4(len(data))


def module_members(moddir: str | None) -> list[tuple[str, int, bytes, tuple[int, int]]]:
    """/modules, its order file and every module the order names (none without moddir)."""
    if not moddir:
        return []
    with open(os.path.join(moddir, "order"), "rb") as f:
        order = f.read()
    out = [("modules", stat.S_IFDIR | 0o755, b"", (0, 0)),
           ("modules/order", stat.S_IFREG | 0o644, order, (0, 0))]
    for name in order.decode().split():
        with open(os.path.join(moddir, name + ".ko"), "rb") as f:
            out.append((f"modules/{name}.ko", stat.S_IFREG | 0o644, f.read(), (0, 0)))
    return out


def archive(init: bytes, moddir: str | None = None) -> bytes:
    """The whole archive: /dev, /dev/console, /proc, /init and the modules, if any."""
    members = [
        ("dev", stat.S_IFDIR | 0o755, b"", (0, 0)),
        ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
        ("proc", stat.S_IFDIR | 0o555, b"", (0, 0)),
        ("init", stat.S_IFREG | 0o755, init, (0, 0)),
    ] + module_members(moddir)
    out = b"".join(entry(n, m, d, ino=i + 1, rdev=r) for i, (n, m, d, r) in enumerate(members))
    return out + entry(TRAILER, 0)


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[2], "rb") as f:
        data = archive(f.read(), sys.argv[3] if len(sys.argv) == 4 else None)
    with open(sys.argv[1], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
