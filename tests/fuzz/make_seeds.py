#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora of the libFuzzer targets (deterministic output).

    tests/fuzz/make_seeds.py tests/fuzz/corpus      (or: make fuzz-seeds)

Each seed is a small, valid (or deliberately near-valid) input, so the
fuzzers start from the interesting paths instead of having to discover the
magic numbers and checksums themselves:

  elf/   synthetic x86_64 executables: user, higher-half kernel, stripped, and
         two Ferrous programs (with the ABI note) that pass elf_check_program
  cpio/  newc archives shaped like an initrd; the 070702 variant; empty
  acpi/  fake physical-memory images with the RSDP at address 0
  manifest/  service manifests: the ramdisk's own (initrd/services), every
         key and value shape, limits reached, and near misses (a cycle, an
         unknown dependency) that fail only once the whole text is read
  pci/   PCI functions as QEMU shows them (AHCI, virtio-net, NVMe, IDE) and
         malformed ones: BAR probes, then the configuration space
  block_check/  a block driver's limits, its client's ring indices and
         requests: good ones, each kind of bad one, a wild and a wrapped index
"""
import os
import struct
import sys

# ---------------------------------------------------------------- ELF

FERROUS_NOTE_OFF = 0xe8  # after the three program headers, before the text


def ferrous_note():
    """The Ferrous ABI note (kernel/lib/elf.h): "Ferrous", type 1, ABI version 1."""
    return struct.pack("<III", 8, 4, 1) + b"Ferrous\0" + struct.pack("<I", 1)


def elf_image(base, stripped=False, note=False):
    """Compact: text R-X at base+0x1100, data RW- at base+0x2180, symtab + strtab.
    note: a PT_NOTE with the Ferrous ABI note instead of PT_GNU_STACK, so the
    file passes elf_check_program and the fuzzer starts from a real program."""
    text_off, data_off, sym_off, str_off, shstr_off, sh_off = (
        0x100, 0x180, 0x190, 0x208, 0x228, 0x248)
    text_va, data_va = base + 0x1000 + text_off, base + 0x2000 + data_off
    b = bytearray(0x190 if stripped else sh_off + 4 * 64)
    strtab = b"\0_start\0main\0helper\0data_var\0"
    shstrtab = b"\0.symtab\0.strtab\0.shstrtab\0"
    phdrs = [
        (1, 5, text_off, text_va, text_va, 0x80, 0x80, 0x1000),
        (1, 6, data_off, data_va, data_va, 0x10, 0x1800, 0x1000),
        (4, 4, FERROUS_NOTE_OFF, 0, 0, 24, 24, 4) if note  # PT_NOTE
        else (0x6474e551, 6, 0, 0, 0, 0, 0, 16),  # PT_GNU_STACK
    ]
    shnum = 0 if stripped else 4
    eh = struct.pack("<16sHHIQQQIHHHHHH",
                     b"\x7fELF\x02\x01\x01" + bytes(9), 2, 62, 1,
                     text_va, 64, 0 if stripped else sh_off, 0,
                     64, 56, len(phdrs), 64, shnum, 3 if shnum else 0)
    b[0:64] = eh
    for i, ph in enumerate(phdrs):
        b[64 + 56 * i:64 + 56 * (i + 1)] = struct.pack("<IIQQQQQQ", *ph)
    if note:
        assert 64 + 56 * len(phdrs) <= FERROUS_NOTE_OFF and FERROUS_NOTE_OFF + 24 <= text_off
        b[FERROUS_NOTE_OFF:FERROUS_NOTE_OFF + 24] = ferrous_note()
    b[text_off:text_off + 0x80] = b"\xcc" * 0x80
    b[data_off:data_off + 0x10] = b"\x5a" * 0x10
    if stripped:
        return bytes(b)
    syms = [
        (0, 0, 0, 0, 0, 0),
        (1, 2, 0, 1, text_va, 0x20),          # _start
        (8, 2, 0, 1, text_va + 0x20, 0x40),   # main
        (13, 2, 0, 1, text_va + 0x60, 0),     # helper (no size)
        (20, 1, 0, 2, data_va, 8),            # data_var (object)
    ]
    assert sym_off + 24 * len(syms) <= str_off and str_off + len(strtab) <= shstr_off
    for i, s in enumerate(syms):
        b[sym_off + 24 * i:sym_off + 24 * (i + 1)] = struct.pack("<IBBHQQ", *s)
    b[str_off:str_off + len(strtab)] = strtab
    b[shstr_off:shstr_off + len(shstrtab)] = shstrtab
    shdrs = [
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        (1, 2, 0, 0, sym_off, 24 * len(syms), 2, 1, 8, 24),
        (9, 3, 0, 0, str_off, len(strtab), 0, 0, 1, 0),
        (17, 3, 0, 0, shstr_off, len(shstrtab), 0, 0, 1, 0),
    ]
    for i, s in enumerate(shdrs):
        b[sh_off + 64 * i:sh_off + 64 * (i + 1)] = struct.pack("<IIQQQQIIQQ", *s)
    return bytes(b)

# ---------------------------------------------------------------- cpio

def cpio_entry(name, mode, data=b"", magic=b"070701", ino=1, nlink=1):
    name = name.encode() + b"\0"
    check = sum(data) & 0xffffffff if magic == b"070702" else 0
    hdr = magic + b"".join(b"%08X" % v for v in (
        ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name), check))
    out = hdr + name
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out

def cpio_archive(entries, magic=b"070701"):
    out = b"".join(cpio_entry(n, m, d, magic, i + 1) for i, (n, m, d) in enumerate(entries))
    out += cpio_entry("TRAILER!!!", 0, b"", magic, 0)
    return out + b"\0" * (-len(out) % 512)

DIR, FILE = 0o040755, 0o100644

# ---------------------------------------------------------------- ACPI

def checksum_fix(b, at, length, sum_at):
    b[at + sum_at] = 0
    b[at + sum_at] = (-sum(b[at:at + length])) & 0xff

def sdt(sig, body):
    length = 36 + len(body)
    t = bytearray(sig + struct.pack("<IBB6s8sI4sI", length, 1, 0, b"FEROEM",
                                   b"SEEDTBL ", 1, b"FERR", 1) + body)
    checksum_fix(t, 0, length, 9)
    return bytes(t)

def madt():
    e = b""
    e += struct.pack("<BBBBI", 0, 8, 0, 0, 1)           # LAPIC enabled
    e += struct.pack("<BBBBI", 0, 8, 1, 1, 2)           # LAPIC online-capable
    e += struct.pack("<BBBBII", 1, 12, 8, 0, 0xfec00000, 0)  # I/O APIC
    e += struct.pack("<BBBBIH", 2, 10, 0, 0, 2, 0)      # IRQ0 -> GSI2
    e += struct.pack("<BBBBIH", 2, 10, 0, 9, 9, 0xd)    # IRQ9 level high
    e += struct.pack("<BBBHB", 4, 6, 0xff, 5, 1)        # LAPIC NMI
    e += struct.pack("<BBHQ", 5, 12, 0, 0xfee00000)     # LAPIC address override
    e += struct.pack("<BBHIII", 9, 16, 0, 0x100, 1, 2)  # x2APIC
    e += struct.pack("<BBHIB3s", 0xa, 12, 0, 2, 1, b"") # x2APIC NMI
    return sdt(b"APIC", struct.pack("<II", 0xfee00000, 1) + e)

def hpet():
    return sdt(b"HPET", struct.pack("<IBBBBQBHB", 0x8086a201, 0, 64, 0, 0,
                                    0xfed00000, 0, 0x80, 0))

def srat():
    e = b""
    e += struct.pack("<BBBBIB3sI", 0, 16, 0, 0, 1, 0, b"\0\0\0", 0)
    e += struct.pack("<BBBBIB3sI", 0, 16, 1, 1, 1, 0, b"\0\0\0", 0)
    e += struct.pack("<BBIHQQIIQ", 1, 40, 0, 0, 0, 0x80000000, 0, 1, 0)
    e += struct.pack("<BBIHQQIIQ", 1, 40, 1, 0, 0x80000000, 0x80000000, 0, 3, 0)
    e += struct.pack("<BBHIIIII", 2, 24, 0, 1, 0x100, 1, 0, 0)
    return sdt(b"SRAT", struct.pack("<IQ", 1, 0) + e)

def slit():
    return sdt(b"SLIT", struct.pack("<Q", 2) + bytes([10, 20, 20, 10]))

def mcfg():
    """Two ECAM windows: segment 0 buses 0-255 and segment 1 buses 16-31."""
    e = struct.pack("<QHBB4s", 0xb0000000, 0, 0, 255, b"")
    e += struct.pack("<QHBB4s", 0xe0000000, 1, 16, 31, b"")
    return sdt(b"MCFG", bytes(8) + e)

def dmar_scope(kind, enum_id, bus, path):
    return struct.pack("<BBHBB", kind, 6 + 2 * len(path), 0, enum_id, bus) + \
        b"".join(struct.pack("<BB", d, f) for d, f in path)

def dmar_struct(kind, body):
    return struct.pack("<HH", kind, 4 + len(body)) + body

def dmar():
    """QEMU's DMAR (one unit for every device, with its I/O APIC scope), a unit
    for one endpoint and one behind a bridge, an ATSR, and a reserved region."""
    s = dmar_struct(0, struct.pack("<BBHQ", 0, 0, 0, 0xfed91000) +
                    dmar_scope(1, 0, 0, [(4, 0)]) + dmar_scope(2, 0, 0, [(1, 0), (0, 2)]))
    s += dmar_struct(0, struct.pack("<BBHQ", 1, 0, 0, 0xfed90000) + dmar_scope(3, 0, 0xff, [(0, 0)]))
    s += dmar_struct(2, struct.pack("<BBH", 0, 0, 0))
    s += dmar_struct(1, struct.pack("<HHQQ", 0, 0, 0xe0000, 0xfffff) + dmar_scope(1, 0, 0, [(0x1d, 0)]))
    return sdt(b"DMAR", struct.pack("<BB10s", 38, 1, b"") + s)

def acpi_image(revision):
    """RSDP at 0, root table at 0x40, then the tables, 16-byte aligned."""
    tables = [madt(), hpet(), srat(), slit(), mcfg(), dmar()]
    esize = 8 if revision >= 2 else 4
    root_at = 0x40
    root_len = 36 + esize * len(tables)
    addrs, at = [], (root_at + root_len + 15) & ~15
    for t in tables:
        addrs.append(at)
        at = (at + len(t) + 15) & ~15
    img = bytearray(at)
    fmt = "<%d%s" % (len(addrs), "Q" if esize == 8 else "I")
    root = sdt(b"XSDT" if esize == 8 else b"RSDT", struct.pack(fmt, *addrs))
    img[root_at:root_at + len(root)] = root
    for a, t in zip(addrs, tables):
        img[a:a + len(t)] = t
    rsdt = root_at if revision < 2 else 0
    xsdt = root_at if revision >= 2 else 0
    rsdp = bytearray(struct.pack("<8sB6sBIIQB3s", b"RSD PTR ", 0, b"FERROS", revision,
                                 rsdt, 36, xsdt, 0, b""))
    checksum_fix(rsdp, 0, 20, 8)
    if revision >= 2:
        checksum_fix(rsdp, 0, 36, 32)
    img[0:36] = rsdp
    return bytes(img)

# ---------------------------------------------------------------- manifest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def manifest_every_key():
    return b"""# every key once
service pcibus
    program pcibus
    caps console pci-root
    restart always
service blk   # the first disk
\tprogram drivers/virtio-blk
\targs queue=2 debug
\tdevice pci 1af4:1042 instance 1
\tdepends pcibus
\trestart on-failure max 5 backoff 1ms..1000ms
\theartbeat 100ms timeout 500ms
\tbudget 4MiB
service fs
    program fs
    caps initrd trace hpet ioport-com1 irq-com1 supervisor
    device pci class 01:08:02 optional
    depends blk pcibus
    restart never"""


def manifest_chain(n, cycle=False):
    """n services, each depending on the next (the last on the first if cycle)."""
    out = []
    for i in range(n):
        out.append("service s%022d\nprogram p\nrestart always\n" % i)
        if i + 1 < n or cycle:
            out.append("depends s%022d\n" % ((i + 1) % n))
    return "".join(out).encode()


def manifest_seeds():
    with open(os.path.join(ROOT, "initrd", "services"), "rb") as f:
        ramdisk = f.read()
    return {
        "services.txt": ramdisk,
        "every-key.txt": manifest_every_key(),
        "chain16.txt": manifest_chain(16),
        "cycle.txt": manifest_chain(3, cycle=True),
        "unknown-dep.txt": b"service a\nprogram a\ndepends b\nrestart never\n",
        "limits.txt": b"service a\nprogram a\nargs 1 2 3 4 5 6 7 8\n"
                  b"restart always max 1000 backoff 1us..3600s\nheartbeat 3600s timeout 1us\n",
    }


# ---------------------------------------------------------------- PCI

NO_BAR = (0, 0)


def pci_function(ids, cls, bars, caps=(), cap_ptr=0, command=0x0007, write=(0, 0, 0),
                 int_pin=1, int_line=11):
    """One input of tests/fuzz/fuzz_pci.c: the six BARs' all-ones read-backs,
    a driver write (value, offset, width), then the standard 256 bytes of
    configuration space (the fuzzer pads it to 4 KiB).
    ids: (vendor, device, subsystem vendor, subsystem); cls: (class,
    subclass, prog-if, revision); bars: six (original value, mask) pairs;
    caps: (offset, bytes) placed as given; the status register's
    capabilities bit is set when cap_ptr is."""
    assert len(bars) == 6
    value, off, width = write
    hdr = struct.pack("<6IIIQ", *[m for _, m in bars], value, off, width)
    cfg = bytearray(256)
    vendor, device, sub_vendor, sub_id = ids
    klass, subclass, prog_if, rev = cls
    struct.pack_into("<HHHHBBBB", cfg, 0, vendor, device, command,
                     0x0010 if cap_ptr else 0, rev, prog_if, subclass, klass)
    struct.pack_into("<6I", cfg, 0x10, *[o for o, _ in bars])
    struct.pack_into("<HH", cfg, 0x2c, sub_vendor, sub_id)
    cfg[0x34] = cap_ptr
    cfg[0x3c], cfg[0x3d] = int_line, int_pin
    for at, body in caps:
        cfg[at:at + len(body)] = body
    assert len(cfg) == 256
    return hdr + bytes(cfg)


def msi(nxt, ctl):
    """MSI: 64-bit (ctl bit 7) and per-vector masking (bit 8) lengthen it."""
    n = 10 + (4 if ctl & 0x80 else 0) + (10 if ctl & 0x100 else 0)
    return (struct.pack("<BBH", 0x05, nxt, ctl) + bytes(n))[:n]


def msix(nxt, vectors, table_bir, table_off, pba_bir, pba_off):
    return struct.pack("<BBHII", 0x11, nxt, vectors - 1,
                       table_off | table_bir, pba_off | pba_bir)


def virtio_cap(nxt, cfg_type, bar, offset, length, extra=b""):
    """A virtio-pci vendor capability (ID 09): common, ISR, device, notify."""
    return struct.pack("<BBBBB3sII", 0x09, nxt, 16 + len(extra), cfg_type, bar, b"",
                       offset, length) + extra


def bar_io(port, ports, upper=0xffff):
    """(value, read-back) of an I/O BAR; upper: what the top 16 bits read back."""
    return (port | 1, (upper << 16) | ((0x10000 - ports) & 0xfffc) | 1)


def bar_mem32(base, size, pf=False):
    flags = 8 if pf else 0
    return (base | flags, (0x100000000 - size) | flags)


def bar_mem64(base, size, pf=False):
    """Two slots: the lower half with the flags, then the upper half."""
    flags = 4 | (8 if pf else 0)
    mask = (1 << 64) - size
    return [((base & 0xfffffff0) | flags, (mask & 0xfffffff0) | flags),
            (base >> 32, mask >> 32)]


def pci_seeds():
    io, mem32, mem64 = bar_io, bar_mem32, bar_mem64
    # q35's ICH9 AHCI: I/O BAR 4, ABAR in BAR 5, 64-bit MSI, then the SATA capability.
    ahci = pci_function(
        (0x8086, 0x2922, 0x1af4, 0x1100), (0x01, 0x06, 0x01, 0x02),
        [NO_BAR] * 4 + [io(0xc040, 32), mem32(0xfebf1000, 0x1000)],
        caps=[(0x80, msi(0xa8, 0x0080)),
              (0xa8, struct.pack("<BBHI", 0x12, 0x00, 0x0010, 0x48))],
        cap_ptr=0x80, write=(0x0406, 0x04, 2))
    # virtio-net-pci (transitional): legacy I/O BAR 0, MSI-X table in BAR 1,
    # the modern registers in 64-bit prefetchable BAR 4, five vendor capabilities.
    virtio = pci_function(
        (0x1af4, 0x1000, 0x1af4, 0x0001), (0x02, 0x00, 0x00, 0x00),
        [io(0xc000, 32), mem32(0xfebd1000, 0x1000), NO_BAR, NO_BAR]
        + mem64(0xfe000000, 0x4000, pf=True),
        caps=[(0x98, msix(0x84, 3, 1, 0, 1, 0x800)),
              (0x84, virtio_cap(0x70, 5, 0, 0, 0, bytes(4))),
              (0x70, virtio_cap(0x60, 2, 4, 0x3000, 0x1000, struct.pack("<I", 4))),
              (0x60, virtio_cap(0x50, 4, 4, 0x2000, 0x1000)),
              (0x50, virtio_cap(0x40, 3, 4, 0x1000, 0x1000)),
              (0x40, virtio_cap(0x00, 1, 4, 0x0000, 0x1000))],
        cap_ptr=0x98, write=(0xdeadbeef, 0x88, 4))
    # An NVMe controller with its registers above 4 GiB and an 8 GiB
    # prefetchable BAR whose lower half has no writable bit; power
    # management, MSI with masking (24 bytes), PCI Express, MSI-X.
    nvme = pci_function(
        (0x1b36, 0x0010, 0x1af4, 0x1100), (0x01, 0x08, 0x02, 0x02),
        mem64(0x800000000, 0x4000) + mem64(0x400000000, 0x200000000, pf=True) + [NO_BAR] * 2,
        caps=[(0x40, struct.pack("<BBHH", 0x01, 0x50, 0x0003, 0x0008)),
              (0x50, msi(0x70, 0x0180)),
              (0x70, struct.pack("<BBHI", 0x10, 0xb0, 0x0002, 0x00008000)),
              (0xb0, msix(0x00, 64, 0, 0x2000, 0, 0x3000))],
        cap_ptr=0x40, write=(0xffffffff, 0x5c, 4))
    # PIIX3 IDE: no capabilities; a bus-master I/O BAR whose upper 16 bits
    # read back zero.
    ide = pci_function(
        (0x8086, 0x7010, 0x1af4, 0x1100), (0x01, 0x01, 0x80, 0x00),
        [NO_BAR] * 4 + [io(0xc060, 16, upper=0), NO_BAR],
        command=0x0005, write=(0x04, 0x05, 1), int_pin=0, int_line=0)
    # Everything a device should not say: a BAR below 1 MiB, a reserved type,
    # a hole in a mask, 512 ports, an unassigned BAR, a 64-bit BAR in slot 5;
    # a capability list that loops after its MSI.
    malformed = pci_function(
        (0x1234, 0x5678, 0, 0), (0xff, 0x00, 0x00, 0x00),
        [(0x000d0002, 0xffff0002), (0xfebf0006, 0xfffff006), (0xfeb00000, 0xfff0f000),
         (0x0000c001, 0xfffffe01), (0x00000000, 0xfffff000), (0xfebf0004, 0xfffff004)],
        caps=[(0x40, msi(0x4b, 0x0100)), (0x48, struct.pack("<BB", 0x09, 0x41))],
        cap_ptr=0x43, write=(0xffffffff, 0x3c, 4))
    # All 48 dword slots in one list, MSI-X at 0xf0 and a 64-bit MSI with
    # masking at 0xfc, its 24 bytes running past 0x100.
    chain = [(off, struct.pack("<BBH", 0x09, off + 4, 0)) for off in range(0x40, 0xf0, 4)]
    chain += [(0xf0, struct.pack("<BBH", 0x11, 0xf4, 0)),
              (0xf4, struct.pack("<BBH", 0x09, 0xf8, 0)),
              (0xf8, struct.pack("<BBH", 0x09, 0xfc, 0)),
              (0xfc, struct.pack("<BBH", 0x05, 0x00, 0x0180))]
    long_chain = pci_function(
        (0x1af4, 0x1110, 0, 0), (0x05, 0x00, 0x00, 0x01),
        [mem32(0xfe800000, 0x800000, pf=True)] + [NO_BAR] * 5,
        caps=chain, cap_ptr=0x40, write=(0x12345678, 0xfc, 4))
    return {
        "ahci-q35.bin": ahci,
        "virtio-net.bin": virtio,
        "nvme-64bit.bin": nvme,
        "ide-nocaps.bin": ide,
        "malformed.bin": malformed,
        "long-chain.bin": long_chain,
    }

# ---------------------------------------------------------------- block

def blk_input(capacity, data_size, max_sectors, flags, published, seen, held, reqs):
    """One input of tests/fuzz/fuzz_block_check.c: limits, ring indices, requests."""
    out = struct.pack("<QQII", capacity, data_size, max_sectors, flags)
    out += struct.pack("<III", published, seen, held)
    for sector, off, count, tag, op in reqs:
        out += struct.pack("<QQIHBB", sector, off, count, tag, op, 0)
    return out


def block_seeds():
    good = [(0, 0, 8, 0, 1), (16376, 4096, 8, 1, 2), (0, 0, 0, 2, 3)]
    bad = [(16384, 0, 1, 3, 1), (2**64 - 1, 0, 2, 4, 1), (0, 2**64 - 100, 2, 5, 2),
           (0, 0, 0, 6, 1), (0, 0, 1, 7, 9), (5, 0, 0, 8, 3)]
    return {
        "good.bin": blk_input(16384, 65536, 2048, 1, 3, 0, 0, good),
        "bad.bin": blk_input(16384, 65536, 2048, 1, 6, 0, 0, bad),
        "read-only.bin": blk_input(16384, 65536, 2048, 2, 1, 0, 0, [(0, 0, 1, 0, 2)]),
        "wild-index.bin": blk_input(16384, 65536, 2048, 1, 1000, 0, 5, good),
        "wrapped-index.bin": blk_input(16384, 65536, 2048, 1, 3, 2**32 - 2, 10, good),
    }

# ---------------------------------------------------------------- main

def seeds():
    return {
        "elf": {
            "user.elf": elf_image(0x400000),
            "kernel.elf": elf_image(0xffffffff80100000),
            "stripped.elf": elf_image(0x400000, stripped=True),
            "ferrous.elf": elf_image(0x400000, note=True),
            "ferrous-stripped.elf": elf_image(0x400000, stripped=True, note=True),
        },
        "cpio": {
            "initrd.cpio": cpio_archive([
                (".", DIR, b""), ("./init", FILE, b"\x7fELF init"), ("bin", DIR, b""),
                ("./bin/sh", FILE, b"#!sh"), ("empty", FILE, b""), ("a", FILE, b"1"),
                ("bb", FILE, b"22"), ("ccc", FILE, b"333")]),
            "crc.cpio": cpio_archive([("init", FILE, b"hello")], magic=b"070702"),
            "empty.cpio": cpio_archive([]),
            # Hard links as GNU cpio writes them: the data only on the last link.
            "hardlinks.cpio": cpio_entry("init", FILE, b"", ino=5, nlink=2) +
                              cpio_entry("a", FILE, b"x", ino=6) +
                              cpio_entry("./bin/init", FILE, b"\x7fELF linked", ino=5, nlink=2) +
                              cpio_entry("TRAILER!!!", 0, b"", ino=0),
        },
        "acpi": {
            "v1-rsdt.bin": acpi_image(0),
            "v2-xsdt.bin": acpi_image(2),
        },
        "manifest": manifest_seeds(),
        "pci": pci_seeds(),
        "block_check": block_seeds(),
    }

def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py CORPUS_DIR")
    for fuzzer, files in seeds().items():
        d = os.path.join(sys.argv[1], fuzzer)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)

if __name__ == "__main__":
    main()
