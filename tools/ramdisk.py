"""Purpose-built ramdisks for boot scenarios (tools/scenarios.py, `ramdisk=`).

Each kind starts from the build's initrd, unpacked with GNU cpio, changes
it, and packs it again with GNU cpio (newc, as mk/image.mk does), so hard
links come out exactly as GNU cpio writes them: the data only on the last
link. Damage that cpio cannot write is added by hand afterwards.
"""
from __future__ import annotations

import os
import shutil
import subprocess

# A Linux program: what a user might copy into the ramdisk by mistake.
LINUX_C = "#include <stdio.h>\nint main(void) { puts(\"hello from linux\"); return 0; }\n"


def _unpack(initrd: str, into: str) -> None:
    os.makedirs(into)
    with open(initrd, "rb") as f:
        subprocess.run(["cpio", "--quiet", "-id", "--no-absolute-filenames"], stdin=f, cwd=into, check=True)


def _pack(tree: str, out: str) -> None:
    names = subprocess.run(["find", ".", "-mindepth", "1"], cwd=tree, check=True, capture_output=True,
                           text=True).stdout.split("\n")
    listing = "\n".join(sorted(n for n in names if n)) + "\n"
    with open(out, "wb") as f:
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=tree, input=listing.encode(),
                       stdout=f, check=True)


def _linux_static(workdir: str) -> str:
    src, exe = os.path.join(workdir, "linux.c"), os.path.join(workdir, "linux-static")
    with open(src, "w") as f:
        f.write(LINUX_C)
    subprocess.run(["gcc", "-static", "-O1", "-o", exe, src], check=True, capture_output=True)
    return exe


def _newc_header(name: bytes, size: int, namesize: int | None = None, ino: int = 999) -> bytes:
    fields = [ino, 0o100644, 0, 0, 1, 0, size, 0, 0, 0, 0, namesize or len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % v for v in fields)


def _strip_trailer(data: bytes) -> bytes:
    """The archive up to its TRAILER!!! entry's header."""
    at = data.rfind(b"TRAILER!!!")
    return data[: data.rfind(b"070701", 0, at)]


def build(kind: str, initrd: str, workdir: str) -> str:
    """Writes the ramdisk `kind` into workdir; returns its path."""
    tree, out = os.path.join(workdir, "ramdisk"), os.path.join(workdir, f"initrd-{kind}.cpio")
    shutil.rmtree(tree, ignore_errors=True)
    _unpack(initrd, tree)
    if kind == "hardlinks":
        # Sorted, "init" comes before "init.link": GNU cpio writes init empty.
        os.link(os.path.join(tree, "init"), os.path.join(tree, "init.link"))
        os.link(os.path.join(tree, "hello"), os.path.join(tree, "hello.link"))
    elif kind == "no-init":
        os.remove(os.path.join(tree, "init"))
    elif kind in ("linux-init", "linux-prog"):
        shutil.copy(_linux_static(workdir), os.path.join(tree, "init" if kind == "linux-init" else "hello"))
    elif kind == "empty-init":
        open(os.path.join(tree, "init"), "w").close()
    elif kind == "text-prog":
        with open(os.path.join(tree, "hello"), "w") as f:
            f.write("hello is not a program\n")
    elif kind != "damaged-tail":
        raise ValueError(f"unknown ramdisk kind {kind}")
    _pack(tree, out)
    if kind == "damaged-tail":
        # No trailer; after the good entries one whose name is over the limit.
        data = _strip_trailer(open(out, "rb").read())
        bad = _newc_header(b"x" * 300, 4) + b"x" * 300 + b"\0"
        with open(out, "wb") as f:
            f.write(data + bad + b"\0" * (-len(bad) % 4) + b"DATA")
    return out
