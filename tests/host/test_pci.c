/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/pci/config.c, the kernel's reading of what a PCI
 * function reports about itself: BAR decoding from all-ones probes, the walk
 * of the standard capability list (bounded, loop-detecting, recording the MSI
 * and MSI-X spans the kernel keeps), the shape check of a configuration
 * access, and the filter on a driver's writes. The device is untrusted, so
 * most cases feed values no real device should report and check that each
 * gives an error, never a wrong BAR, span or write.
 */
#include "host_test.h"

#include "pci/config.h"

#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)

/* ---------------------------------------------------------------- BARs */

/* Six BAR slots, all unimplemented (orig 0, mask 0) until a case sets some. */
struct probes {
	struct pci_bar_probe p[FE_PCI_BARS];
};

static void set_bar(struct probes *pr, unsigned i, uint32_t orig, uint32_t mask)
{
	pr->p[i] = (struct pci_bar_probe){ .orig = orig, .mask = mask };
}

/* Decodes BAR i from an exact-size heap copy of the probes, so ASan reports
 * a look at a seventh slot. */
static struct pci_bar decode(const struct probes *pr, unsigned i)
{
	struct pci_bar_probe *copy = (struct pci_bar_probe *)exact_copy(pr->p, sizeof(pr->p));
	struct pci_bar bar;

	memset(&bar, 0x5a, sizeof(bar)); /* every field must be written */
	pci_bar_decode(copy, i, &bar);
	free(copy);
	return bar;
}

/* One BAR decoded alone in slot 0 (slot 1 left unimplemented). */
static struct pci_bar decode_one(uint32_t orig, uint32_t mask)
{
	struct probes pr = { 0 };

	set_bar(&pr, 0, orig, mask);
	return decode(&pr, 0);
}

static void expect_bar(const struct pci_bar *b, fe_status_t st, unsigned kind, uint64_t base,
                       uint64_t size, bool prefetchable)
{
	assert_status(b->status, st);
	assert_int_equal(b->kind, kind);
	assert_int_equal(b->base, base);
	assert_int_equal(b->size, size);
	assert_int_equal(b->prefetchable, prefetchable);
}

/* A slot with no writable address bits is not a BAR: NOT_FOUND, kind 0 and
 * nothing else set, whatever the flag bits say. */
static void bar_unimplemented(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0, 0);

	expect_bar(&b, FE_ERR_NOT_FOUND, 0, 0, 0, false);
	/* Read-only flag bits alone (an I/O bit, a prefetchable 32-bit type). */
	b = decode_one(0x00000001, 0x00000001);
	expect_bar(&b, FE_ERR_NOT_FOUND, 0, 0, 0, false);
	b = decode_one(0x00000008, 0x00000008);
	expect_bar(&b, FE_ERR_NOT_FOUND, 0, 0, 0, false);
	/* A 64-bit type whose both halves are read-only. */
	b = decode_one(0x00000004, 0x00000004);
	expect_bar(&b, FE_ERR_NOT_FOUND, 0, 0, 0, false);
}

/* The everyday case: a 32-bit memory BAR of 4 KiB (an AHCI ABAR) and the
 * smallest (16 bytes) and a large (256 MiB) one. */
static void bar_mem32(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0xfebf0000, 0xfffff000);

	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM32, 0xfebf0000, 4096, false);
	b = decode_one(0xfebf1010, 0xfffffff0);
	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM32, 0xfebf1010, 16, false);
	b = decode_one(0xe0000000, 0xf0000000);
	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM32, 0xe0000000, 256 * MIB, false);
	/* The whole upper half of the 4 GiB space, ending exactly at 2^32. */
	b = decode_one(0x80000000, 0x80000000);
	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM32, 0x80000000, 2 * GIB, false);
}

/* Bit 3 of a memory BAR is its prefetchable flag; it is not part of the base. */
static void bar_prefetchable(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0xc0000008, 0xfe000008);

	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM32, 0xc0000000, 32 * MIB, true);
}

/* A 64-bit BAR takes its slot and the next: the upper half's probe gives the
 * address and size bits above 4 GiB. 8 GiB at 16 GiB has no writable bit in
 * the lower half at all, which must not read as "unimplemented". */
static void bar_mem64(void **state)
{
	(void)state;
	struct probes pr = { 0 };

	set_bar(&pr, 0, 0x0000000c, 0x0000000c);  /* 64-bit, prefetchable, lower half */
	set_bar(&pr, 1, 0x00000004, 0xfffffffe);  /* upper half: base 16 GiB, size 8 GiB */
	set_bar(&pr, 2, 0xfebf4004, 0xffffc004);  /* 64-bit, 16 KiB below 4 GiB */
	set_bar(&pr, 3, 0x00000000, 0xffffffff);
	set_bar(&pr, 4, 0x00004004, 0xffffc004);  /* 64-bit, 16 KiB at 32 GiB + 16 KiB */
	set_bar(&pr, 5, 0x00000008, 0xffffffff);

	struct pci_bar b = decode(&pr, 0);
	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM64, 16 * GIB, 8 * GIB, true);
	b = decode(&pr, 2);
	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM64, 0xfebf4000, 16 * KIB, false);
	b = decode(&pr, 4);
	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM64, 32 * GIB + 16 * KIB, 16 * KIB, false);
}

/* A 64-bit BAR in the last slot has no upper half: BAD_FORMAT (it still
 * says what kind it claimed to be), and nothing past the six probes is read
 * (decode() hands over an exact-size copy). */
static void bar_mem64_in_last_slot(void **state)
{
	(void)state;
	struct probes pr = { 0 };

	set_bar(&pr, 5, 0xfebf0004, 0xfffff004);
	struct pci_bar b = decode(&pr, 5);
	assert_status(b.status, FE_ERR_BAD_FORMAT);
	assert_int_equal(b.kind, FE_PCI_BAR_MEM64);
	/* With no writable bit in the lower half it is simply not implemented. */
	set_bar(&pr, 5, 0x00000004, 0x00000004);
	b = decode(&pr, 5);
	expect_bar(&b, FE_ERR_NOT_FOUND, 0, 0, 0, false);
}

/* Writable bits with a hole (0xfff0f000) stand for no size at all: BAD_FORMAT,
 * size 0. The same for a 64-bit BAR whose upper half does not take every
 * address bit (a device decoding only 40 bits, or a hole above 4 GiB). */
static void bar_not_power_of_two(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0xfeb00000, 0xfff0f000);

	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_MEM32, 0xfeb00000, 0, false);

	struct probes pr = { 0 };
	set_bar(&pr, 0, 0xfebf0004, 0xfffff004);
	set_bar(&pr, 1, 0x00000000, 0x000000ff);
	b = decode(&pr, 0);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_MEM64, 0xfebf0000, 0, false);
	set_bar(&pr, 1, 0x00000000, 0xfffffeff);
	b = decode(&pr, 0);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_MEM64, 0xfebf0000, 0, false);
}

/* A base not a multiple of the size cannot be what the device decodes:
 * BAD_FORMAT, with the size still reported. */
static void bar_misaligned(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0xfebf0800, 0xfffff000);

	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_MEM32, 0xfebf0800, 4096, false);

	struct probes pr = { 0 };
	set_bar(&pr, 0, 0x0000000c, 0x0000000c);
	set_bar(&pr, 1, 0x00000005, 0xfffffffe); /* 20 GiB is not a multiple of 8 GiB */
	b = decode(&pr, 0);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_MEM64, 20 * GIB, 8 * GIB, true);
}

/* A BAR that would end at or past 2^64 is refused (the overflow check). */
static void bar_range_end(void **state)
{
	(void)state;
	struct probes pr = { 0 };

	set_bar(&pr, 0, 0xfffff004, 0xfffff004);
	set_bar(&pr, 1, 0xffffffff, 0xffffffff);
	struct pci_bar b = decode(&pr, 0);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_MEM64, 0xfffffffffffff000ull, 4096, false);
	/* One page lower it ends just below 2^64: accepted. */
	set_bar(&pr, 0, 0xffffe004, 0xfffff004);
	b = decode(&pr, 0);
	expect_bar(&b, FE_OK, FE_PCI_BAR_MEM64, 0xffffffffffffe000ull, 4096, false);
}

/* Firmware left the BAR unassigned (base 0): BAD_STATE, for each kind. */
static void bar_unassigned(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0x00000000, 0xfffff000);

	expect_bar(&b, FE_ERR_BAD_STATE, FE_PCI_BAR_MEM32, 0, 4096, false);
	b = decode_one(0x00000001, 0xffffffe1);
	expect_bar(&b, FE_ERR_BAD_STATE, FE_PCI_BAR_IO, 0, 32, false);

	struct probes pr = { 0 };
	set_bar(&pr, 0, 0x00000004, 0xffffc004);
	set_bar(&pr, 1, 0x00000000, 0xffffffff);
	b = decode(&pr, 0);
	expect_bar(&b, FE_ERR_BAD_STATE, FE_PCI_BAR_MEM64, 0, 16 * KIB, false);
}

/* Type 01b (below 1 MiB, a PCI 2.x relic) is not supported; the size is
 * still given. */
static void bar_below_1m(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0x000d0002, 0xffff0002);

	assert_status(b.status, FE_ERR_UNSUPPORTED);
	assert_int_equal(b.kind, FE_PCI_BAR_MEM32);
	assert_int_equal(b.size, 64 * KIB);
}

/* Type 11b is reserved: BAD_FORMAT, even with a sane size and base. */
static void bar_reserved_type(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0xfebf0006, 0xfffff006);

	assert_status(b.status, FE_ERR_BAD_FORMAT);
	assert_int_equal(b.kind, FE_PCI_BAR_MEM32);
	assert_int_equal(b.size, 4096);
}

/* An I/O BAR of 32 ports at 0x6040, whether the device leaves the upper 16
 * bits of the BAR read-only zero (0x0000ffe1) or writable (0xffffffe1). Bit 1
 * (reserved) is not part of the port. */
static void bar_io(void **state)
{
	(void)state;
	struct pci_bar b = decode_one(0x00006041, 0x0000ffe1);

	expect_bar(&b, FE_OK, FE_PCI_BAR_IO, 0x6040, 32, false);
	b = decode_one(0x00006041, 0xffffffe1);
	expect_bar(&b, FE_OK, FE_PCI_BAR_IO, 0x6040, 32, false);
	b = decode_one(0x00006043, 0xffffffe3);
	expect_bar(&b, FE_OK, FE_PCI_BAR_IO, 0x6040, 32, false);
	/* The smallest: 4 ports. */
	b = decode_one(0x0000c0fd, 0x0000fffd);
	expect_bar(&b, FE_OK, FE_PCI_BAR_IO, 0xc0fc, 4, false);
	/* The largest allowed, 256 ports, ending exactly at 0x10000. */
	b = decode_one(0x0000ff01, 0xffffff01);
	expect_bar(&b, FE_OK, FE_PCI_BAR_IO, 0xff00, 256, false);
}

/* I/O BARs the x86 port space cannot hold, or that no PCI device may have. */
static void bar_io_limits(void **state)
{
	(void)state;
	/* 512 ports: more than the specification's 256. */
	struct pci_bar b = decode_one(0x0000c001, 0xfffffe01);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_IO, 0xc000, 512, false);
	/* Past the 64 Ki ports (base 0x10000), in both mask styles. */
	b = decode_one(0x00010001, 0xffffffe1);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_IO, 0x10000, 32, false);
	b = decode_one(0xffffffe1, 0x0000ffe1);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_IO, 0xffffffe0, 32, false);
	/* Not aligned to its size. */
	b = decode_one(0x00006051, 0xffffffe1);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_IO, 0x6050, 32, false);
	/* A hole in the mask, and upper bits only partly writable. */
	b = decode_one(0x00006001, 0xffffef01);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_IO, 0x6000, 0, false);
	b = decode_one(0x00006041, 0x00ffffe1);
	expect_bar(&b, FE_ERR_BAD_FORMAT, FE_PCI_BAR_IO, 0x6040, 0, false);
}

/* An index past the six slots is NOT_FOUND and reads no probe. */
static void bar_index_out_of_range(void **state)
{
	(void)state;
	struct probes pr = { 0 };

	for (unsigned i = 0; i < FE_PCI_BARS; i++)
		set_bar(&pr, i, 0xfebf0000, 0xfffff000);
	const unsigned bad[] = { FE_PCI_BARS, FE_PCI_BARS + 1, 0x80000000u, ~0u };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct pci_bar b = decode(&pr, bad[k]);
		expect_bar(&b, FE_ERR_NOT_FOUND, 0, 0, 0, false);
	}
}

/* A whole function as QEMU's virtio-net-pci shows it: I/O BAR 0, memory BAR
 * 1, nothing in 2 and 3, a 64-bit prefetchable BAR 4 whose upper half is
 * slot 5. Decoded as the kernel's size_bars() does, skipping the upper half. */
static void bar_whole_function(void **state)
{
	(void)state;
	struct probes pr = { 0 };
	struct pci_bar b[FE_PCI_BARS];

	set_bar(&pr, 0, 0x0000c041, 0xffffffe1);
	set_bar(&pr, 1, 0xfebd1000, 0xfffff000);
	set_bar(&pr, 4, 0xfe00000c, 0xffffc00c);
	set_bar(&pr, 5, 0x00000000, 0xffffffff);
	for (unsigned i = 0; i < FE_PCI_BARS; i++) {
		b[i] = decode(&pr, i);
		if (b[i].kind == FE_PCI_BAR_MEM64 && i + 1 < FE_PCI_BARS)
			b[++i] = (struct pci_bar){ .status = FE_ERR_NOT_FOUND };
	}
	expect_bar(&b[0], FE_OK, FE_PCI_BAR_IO, 0xc040, 32, false);
	expect_bar(&b[1], FE_OK, FE_PCI_BAR_MEM32, 0xfebd1000, 4096, false);
	expect_bar(&b[2], FE_ERR_NOT_FOUND, 0, 0, 0, false);
	expect_bar(&b[3], FE_ERR_NOT_FOUND, 0, 0, 0, false);
	expect_bar(&b[4], FE_OK, FE_PCI_BAR_MEM64, 0xfe000000, 16 * KIB, true);
	expect_bar(&b[5], FE_ERR_NOT_FOUND, 0, 0, 0, false);
}

/* ---------------------------------------------------------------- capabilities */

/* A fake function: 4 KiB of configuration space and a count of reads. */
struct fake_cfg {
	uint8_t b[FE_PCI_CONFIG_SIZE];
	unsigned reads;
};

/* The walk reads only the standard 256 bytes, one or two bytes at a time,
 * aligned: anything else fails the case here. */
static uint32_t cfg_read(void *ctx, uint32_t off, unsigned width)
{
	struct fake_cfg *c = ctx;
	uint32_t v = 0;

	assert_true(width == 1 || width == 2);
	assert_true(off % width == 0);
	assert_true(off + width <= 0x100);
	c->reads++;
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)c->b[off + i] << (8 * i);
	return v;
}

/* A type-0 function (a made-up vendor) with the capabilities bit set in its
 * status register and its first capability at `first`. */
static void cfg_init(struct fake_cfg *c, uint8_t first)
{
	memset(c, 0, sizeof(*c));
	put16(c->b + FE_PCI_VENDOR_ID, 0x1b36);
	put16(c->b + FE_PCI_DEVICE_ID, 0x0010);
	put16(c->b + FE_PCI_STATUS, FE_PCI_STATUS_CAPS);
	c->b[FE_PCI_CAP_PTR] = first;
}

/* Capability `id` at `off`, pointing to `next`, with a 16-bit word after the
 * two header bytes (MSI's message control; other capabilities' first word). */
static void cap(struct fake_cfg *c, uint8_t off, uint8_t id, uint8_t next, uint16_t word)
{
	c->b[off] = id;
	c->b[off + 1] = next;
	put16(c->b + off + 2, word);
}

static struct pci_owned_caps walk(struct fake_cfg *c, fe_status_t want)
{
	struct pci_owned_caps o;

	memset(&o, 0x5a, sizeof(o)); /* must be cleared even when nothing is found */
	c->reads = 0;
	assert_status(pci_find_owned_caps(cfg_read, c, &o), want);
	return o;
}

static void expect_span(struct pci_cap_span s, uint16_t off, uint16_t len)
{
	assert_int_equal(s.off, off);
	assert_int_equal(s.len, len);
}

#define MSI_64 0x0080u
#define MSI_MASKING 0x0100u

/* Without the status bit the capability pointer means nothing and is not
 * followed, however good the list behind it looks; the status register is
 * the only read. With the bit and a null pointer, the list is empty. */
static void caps_none(void **state)
{
	(void)state;
	static struct fake_cfg c;

	cfg_init(&c, 0x50);
	cap(&c, 0x50, FE_PCI_CAP_MSI, 0x00, MSI_64);
	put16(c.b + FE_PCI_STATUS, 0);
	struct pci_owned_caps o = walk(&c, FE_OK);
	expect_span(o.msi, 0, 0);
	expect_span(o.msix, 0, 0);
	assert_int_equal(c.reads, 1);

	cfg_init(&c, 0x00);
	o = walk(&c, FE_OK);
	expect_span(o.msi, 0, 0);
	expect_span(o.msix, 0, 0);
}

/* The MSI span follows message control: 10 bytes for 32-bit addresses, 14
 * for 64-bit, 20 and 24 with per-vector masking (mask and pending words).
 * Other control bits (enable, multiple message capable/enable) change nothing. */
static void caps_msi_lengths(void **state)
{
	(void)state;
	static struct fake_cfg c;
	static const struct {
		uint16_t ctl, len;
	} cases[] = {
		{ 0x0000, 10 }, { 0x0001, 10 }, { 0x000e, 10 }, { 0x0070, 10 },
		{ MSI_64, 14 }, { MSI_64 | 0x007f, 14 },
		{ MSI_MASKING, 20 },
		{ MSI_64 | MSI_MASKING, 24 }, { 0xffff, 24 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg_init(&c, 0x50);
		cap(&c, 0x50, FE_PCI_CAP_MSI, 0x00, cases[i].ctl);
		struct pci_owned_caps o = walk(&c, FE_OK);
		expect_span(o.msi, 0x50, cases[i].len);
		expect_span(o.msix, 0, 0);
	}
}

/* MSI-X is 12 bytes (header, table and PBA words), whatever its control says. */
static void caps_msix(void **state)
{
	(void)state;
	static struct fake_cfg c;

	cfg_init(&c, 0x98);
	cap(&c, 0x98, FE_PCI_CAP_MSIX, 0x00, 0xc7ff);
	struct pci_owned_caps o = walk(&c, FE_OK);
	expect_span(o.msi, 0, 0);
	expect_span(o.msix, 0x98, 12);
}

/* Any aligned read of the fake space (the MSI-X layout reads dwords). */
static uint32_t cfg_read_any(void *ctx, uint32_t off, unsigned width)
{
	struct fake_cfg *c = ctx;
	uint32_t v = 0;

	assert_true(off % width == 0 && off + width <= FE_PCI_CONFIG_SIZE);
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)c->b[off + i] << (8 * i);
	return v;
}

/* Where MSI-X keeps its table and pending bits: QEMU virtio-pci's layout
 * (3 entries, table at BAR 1 + 0, PBA at BAR 1 + 0x800), and the largest
 * table (2048 entries) with its PBA in another BAR. */
static void msix_layout(void **state)
{
	(void)state;
	static struct fake_cfg c;
	struct pci_msix_layout l;

	cfg_init(&c, 0x98);
	cap(&c, 0x98, FE_PCI_CAP_MSIX, 0x00, 0x0002);
	put32(c.b + 0x98 + 4, 0x00000001);
	put32(c.b + 0x98 + 8, 0x00000801);
	pci_msix_layout(cfg_read_any, &c, 0x98, &l);
	assert_int_equal(l.entries, 3);
	assert_int_equal(l.table_bar, 1);
	assert_int_equal(l.table_off, 0);
	assert_int_equal(l.table_len, 48);
	assert_int_equal(l.pba_bar, 1);
	assert_int_equal(l.pba_off, 0x800);
	assert_int_equal(l.pba_len, 8);
	cap(&c, 0x98, FE_PCI_CAP_MSIX, 0x00, 0xc7ff); /* enable and mask bits ignored */
	put32(c.b + 0x98 + 4, 0x00002000);
	put32(c.b + 0x98 + 8, 0x00003004);
	pci_msix_layout(cfg_read_any, &c, 0x98, &l);
	assert_int_equal(l.entries, 2048);
	assert_int_equal(l.table_bar, 0);
	assert_int_equal(l.table_off, 0x2000);
	assert_int_equal(l.table_len, 2048 * 16);
	assert_int_equal(l.pba_bar, 4);
	assert_int_equal(l.pba_off, 0x3000);
	assert_int_equal(l.pba_len, 256);
}

/* A realistic list (power management, PCI Express, vendor, MSI, MSI-X, in no
 * particular address order): both spans found, the others ignored. */
static void caps_realistic_list(void **state)
{
	(void)state;
	static struct fake_cfg c;

	cfg_init(&c, 0x40);
	cap(&c, 0x40, 0x01, 0x70, 0x0003);                 /* power management */
	cap(&c, 0x70, FE_PCI_CAP_EXPRESS, 0xb0, 0x0002);
	cap(&c, 0xb0, FE_PCI_CAP_MSIX, 0x50, 0x0040);
	cap(&c, 0x50, FE_PCI_CAP_MSI, 0x84, MSI_64 | MSI_MASKING);
	cap(&c, 0x84, FE_PCI_CAP_VENDOR, 0x00, 0x0514);
	struct pci_owned_caps o = walk(&c, FE_OK);
	expect_span(o.msi, 0x50, 24);
	expect_span(o.msix, 0xb0, 12);
}

/* A second MSI or MSI-X capability (which the specification does not allow)
 * does not replace the first: the kernel keeps the one it found first. */
static void caps_duplicates(void **state)
{
	(void)state;
	static struct fake_cfg c;

	cfg_init(&c, 0x40);
	cap(&c, 0x40, FE_PCI_CAP_MSI, 0x50, 0);
	cap(&c, 0x50, FE_PCI_CAP_MSIX, 0x60, 0);
	cap(&c, 0x60, FE_PCI_CAP_MSI, 0x70, MSI_64 | MSI_MASKING);
	cap(&c, 0x70, FE_PCI_CAP_MSIX, 0x00, 0);
	struct pci_owned_caps o = walk(&c, FE_OK);
	expect_span(o.msi, 0x40, 10);
	expect_span(o.msix, 0x50, 12);
}

/* A list that comes back to an entry it visited is BAD_FORMAT; what was
 * found before the repeat is kept. Also a capability pointing to itself, and
 * a loop entered before anything was found. */
static void caps_loop(void **state)
{
	(void)state;
	static struct fake_cfg c;

	cfg_init(&c, 0x40);
	cap(&c, 0x40, 0x01, 0x50, 0);
	cap(&c, 0x50, FE_PCI_CAP_MSI, 0x60, MSI_64);
	cap(&c, 0x60, FE_PCI_CAP_EXPRESS, 0x40, 0);       /* back to the start */
	struct pci_owned_caps o = walk(&c, FE_ERR_BAD_FORMAT);
	expect_span(o.msi, 0x50, 14);
	expect_span(o.msix, 0, 0);
	/* Caught at the first repeat, not by the 48-entry bound: status and
	 * pointer, ID and next of three entries, MSI's control. */
	assert_int_equal(c.reads, 2 + 3 * 2 + 1);

	cfg_init(&c, 0x60);
	cap(&c, 0x60, FE_PCI_CAP_MSIX, 0x60, 0);          /* itself */
	o = walk(&c, FE_ERR_BAD_FORMAT);
	expect_span(o.msi, 0, 0);
	expect_span(o.msix, 0x60, 12);
	assert_int_equal(c.reads, 2 + 2);

	cfg_init(&c, 0x40);
	cap(&c, 0x40, 0x01, 0x44, 0);
	cap(&c, 0x44, FE_PCI_CAP_VENDOR, 0x40, 0);
	cap(&c, 0x80, FE_PCI_CAP_MSI, 0x00, 0);           /* never reached */
	o = walk(&c, FE_ERR_BAD_FORMAT);
	expect_span(o.msi, 0, 0);
	expect_span(o.msix, 0, 0);
}

/* A pointer into the header (below 0x40) is BAD_FORMAT, as the first
 * pointer or later in the list, keeping what came before; 0x01..0x03 are the
 * null pointer once the low bits go. */
static void caps_pointer_into_header(void **state)
{
	(void)state;
	static struct fake_cfg c;
	static const uint8_t bad[] = { 0x04, 0x10, 0x34, 0x3c, 0x3f };

	for (size_t i = 0; i < sizeof(bad); i++) {
		cfg_init(&c, bad[i]);
		struct pci_owned_caps o = walk(&c, FE_ERR_BAD_FORMAT);
		expect_span(o.msi, 0, 0);
		expect_span(o.msix, 0, 0);

		cfg_init(&c, 0x48);
		cap(&c, 0x48, FE_PCI_CAP_MSIX, 0x60, 0);
		cap(&c, 0x60, FE_PCI_CAP_VENDOR, bad[i], 0);
		o = walk(&c, FE_ERR_BAD_FORMAT);
		expect_span(o.msix, 0x48, 12);
	}
	for (uint8_t p = 1; p <= 3; p++) {
		cfg_init(&c, p);
		struct pci_owned_caps o = walk(&c, FE_OK);
		expect_span(o.msi, 0, 0);
	}
}

/* The low two bits of every pointer are reserved and ignored: 0x53 means
 * 0x50, 0x62 means 0x60, 0xff means 0xfc. Spans are dword aligned. */
static void caps_low_bits_ignored(void **state)
{
	(void)state;
	static struct fake_cfg c;

	cfg_init(&c, 0x53);
	cap(&c, 0x50, FE_PCI_CAP_MSI, 0x62, 0);
	cap(&c, 0x60, FE_PCI_CAP_VENDOR, 0xff, 0);
	cap(&c, 0xfc, FE_PCI_CAP_MSIX, 0x03, 0);
	struct pci_owned_caps o = walk(&c, FE_OK);
	expect_span(o.msi, 0x50, 10);
	expect_span(o.msix, 0xfc, 12);
}

/* Chains every one of the 48 dword slots in [0x40, 0x100), in order, MSI in
 * the last one (0xfc), its span running past 0x100 as the device describes
 * it. Returns after setting the last slot's next pointer to `last_next`. */
static void chain_all(struct fake_cfg *c, uint8_t last_next)
{
	cfg_init(c, 0x40);
	for (unsigned off = 0x40; off < 0xfc; off += 4)
		cap(c, (uint8_t)off, FE_PCI_CAP_VENDOR, (uint8_t)(off + 4), 0);
	cap(c, 0xfc, FE_PCI_CAP_MSI, last_next, MSI_64);
}

/* 48 entries, the most that fit, are walked to the end; a 49th (which can
 * only be a repeat: every slot is taken) is BAD_FORMAT with the MSI span
 * kept. Both walks stay bounded: the status, the pointer, and per entry at
 * most the ID, the next pointer and MSI's control. (With pointers rounded
 * down to dwords the 48-entry bound and the loop check always fire
 * together; no list can tell them apart.) */
static void caps_max_entries(void **state)
{
	(void)state;
	static struct fake_cfg c;

	chain_all(&c, 0x00);
	struct pci_owned_caps o = walk(&c, FE_OK);
	expect_span(o.msi, 0xfc, 14);
	assert_true(c.reads <= 2 + 48 * 3);

	chain_all(&c, 0x40);
	o = walk(&c, FE_ERR_BAD_FORMAT);
	expect_span(o.msi, 0xfc, 14);
	assert_true(c.reads <= 2 + 48 * 3);

	/* The same in descending order. */
	cfg_init(&c, 0xfc);
	for (unsigned off = 0xfc; off > 0x40; off -= 4)
		cap(&c, (uint8_t)off, FE_PCI_CAP_VENDOR, (uint8_t)(off - 4), 0);
	cap(&c, 0x40, FE_PCI_CAP_MSIX, 0x00, 0);
	o = walk(&c, FE_OK);
	expect_span(o.msix, 0x40, 12);
}

/* ---------------------------------------------------------------- access checks */

/* Only widths 1, 2 and 4, naturally aligned, inside the 4 KiB. */
static void access_ok_shapes(void **state)
{
	(void)state;
	static const uint64_t bad_widths[] = { 0, 3, 5, 8, 16, 0x100000001ull, UINT64_MAX };

	for (size_t i = 0; i < sizeof(bad_widths) / sizeof(bad_widths[0]); i++) {
		assert_false(pci_config_access_ok(0, bad_widths[i]));
		assert_false(pci_config_access_ok(0x40, bad_widths[i]));
	}
	assert_true(pci_config_access_ok(0, 1));
	assert_true(pci_config_access_ok(0, 2));
	assert_true(pci_config_access_ok(0, 4));
	/* Misaligned. */
	assert_false(pci_config_access_ok(1, 2));
	assert_false(pci_config_access_ok(3, 2));
	assert_false(pci_config_access_ok(2, 4));
	assert_false(pci_config_access_ok(5, 4));
	assert_true(pci_config_access_ok(2, 2));
	assert_true(pci_config_access_ok(3, 1));
	/* The end of the 4 KiB. */
	assert_true(pci_config_access_ok(4095, 1));
	assert_false(pci_config_access_ok(4095, 2));
	assert_true(pci_config_access_ok(4094, 2));
	assert_true(pci_config_access_ok(4092, 4));
	assert_false(pci_config_access_ok(4096, 1));
	assert_false(pci_config_access_ok(4096, 4));
	assert_false(pci_config_access_ok(UINT32_MAX, 1));
	assert_false(pci_config_access_ok(0xfffffffc, 4));
}

/* ---------------------------------------------------------------- write filter */

/* MSI (64-bit, 14 bytes) at 0x50 and MSI-X at 0x70: [0x50, 0x5e), [0x70, 0x7c). */
static const struct pci_owned_caps owned = { .msi = { 0x50, 14 }, .msix = { 0x70, 12 } };

#define SENTINEL 0xa5a5a5a5u

static fe_status_t filter(const struct pci_owned_caps *o, uint32_t off, unsigned width,
                          uint32_t value, uint32_t current, uint32_t *out)
{
	*out = SENTINEL;
	return pci_config_write_filter(o, off, width, value, current, out);
}

static void expect_denied(const struct pci_owned_caps *o, uint32_t off, unsigned width)
{
	uint32_t out;

	if (filter(o, off, width, 0xffffffff, 0, &out) != FE_ERR_ACCESS_DENIED) {
		print_message("# write of %u bytes at 0x%x allowed\n", width, off);
		fail();
	}
	assert_int_equal(out, SENTINEL); /* nothing to write */
}

static void expect_passed(const struct pci_owned_caps *o, uint32_t off, unsigned width,
                          uint32_t value)
{
	uint32_t out;

	if (filter(o, off, width, value, ~value, &out) != FE_OK) {
		print_message("# write of %u bytes at 0x%x refused\n", width, off);
		fail();
	}
	assert_int_equal(out, value); /* as given; `current` plays no part */
}

/* A 16-bit command write takes only I/O, memory, bus master and INTx disable
 * from the driver; every other bit (SERR, parity, ...) stays as it was. */
static void filter_command_word(void **state)
{
	(void)state;
	static const struct {
		uint32_t value, current, want;
	} cases[] = {
		{ 0xffff, 0x0000, 0x0407 },
		{ 0x0000, 0xffff, 0xfbf8 },
		{ 0x0406, 0x0100, 0x0506 },  /* SERR enable kept, memory + bus master + INTx off */
		{ 0x0100, 0x0006, 0x0000 },  /* cannot set SERR, does clear memory + bus master */
		{ 0x0007, 0x0007, 0x0007 },
	};
	uint32_t out;

	assert_int_equal(FE_PCI_COMMAND_DRIVER_BITS, 0x0407);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_status(filter(&owned, FE_PCI_COMMAND, 2, cases[i].value, cases[i].current, &out),
		              FE_OK);
		assert_int_equal(out, cases[i].want);
		assert_int_equal((out ^ cases[i].current) & ~FE_PCI_COMMAND_DRIVER_BITS, 0);
	}
}

/* Byte writes to the command register: byte 4 holds I/O, memory and bus
 * master (bits 0..2); byte 5 holds INTx disable (bit 10 = its bit 2) and
 * nothing else the driver may touch. */
static void filter_command_bytes(void **state)
{
	(void)state;
	uint32_t out;

	assert_status(filter(&owned, 4, 1, 0xff, 0x00, &out), FE_OK);
	assert_int_equal(out, 0x07);
	assert_status(filter(&owned, 4, 1, 0x00, 0xff, &out), FE_OK);
	assert_int_equal(out, 0xf8);
	assert_status(filter(&owned, 4, 1, 0x02, 0x40, &out), FE_OK);
	assert_int_equal(out, 0x42);

	assert_status(filter(&owned, 5, 1, 0xff, 0x00, &out), FE_OK);
	assert_int_equal(out, 0x04);
	assert_status(filter(&owned, 5, 1, 0x00, 0xff, &out), FE_OK);
	assert_int_equal(out, 0xfb);
	assert_status(filter(&owned, 5, 1, 0x04, 0x01, &out), FE_OK); /* SERR (bit 8) kept */
	assert_int_equal(out, 0x05);
	assert_status(filter(&owned, 5, 1, 0x01, 0x00, &out), FE_OK); /* cannot set SERR */
	assert_int_equal(out, 0x00);
}

/* A dword write at 4 would also write the status register: refused. */
static void filter_command_dword(void **state)
{
	(void)state;
	expect_denied(&owned, FE_PCI_COMMAND, 4);
	expect_denied(&owned, FE_PCI_STATUS, 2);
	expect_denied(&owned, FE_PCI_STATUS, 1);
	expect_denied(&owned, FE_PCI_STATUS + 1, 1);
}

/* Every other well-formed write to the header is refused: IDs, status, class,
 * header type, the BARs, subsystem IDs, the ROM BAR, the capability pointer,
 * interrupt line and pin. */
static void filter_header(void **state)
{
	(void)state;
	for (uint32_t off = 0; off < FE_PCI_HEADER_END; off++) {
		for (unsigned w = 1; w <= 4; w *= 2) {
			if (off % w != 0)
				continue;
			if ((off == FE_PCI_COMMAND && w <= 2) || (off == FE_PCI_COMMAND + 1 && w == 1))
				continue;
			expect_denied(&owned, off, w);
		}
	}
	/* Named, so a reader sees them listed. */
	for (unsigned i = 0; i < FE_PCI_BARS; i++)
		expect_denied(&owned, FE_PCI_BAR0 + 4 * i, 4);
	expect_denied(&owned, FE_PCI_ROM, 4);
	expect_denied(&owned, FE_PCI_CAP_PTR, 1);
	expect_denied(&owned, FE_PCI_INT_LINE, 1);
	expect_denied(&owned, FE_PCI_INT_LINE, 4);
	expect_denied(&owned, FE_PCI_HEADER_TYPE, 1);
}

/* The kernel's MSI and MSI-X capabilities are refused byte for byte,
 * including writes that only partly overlap them; the bytes just outside
 * are the driver's. */
static void filter_owned_spans(void **state)
{
	(void)state;
	for (uint32_t off = 0x50; off < 0x5e; off++)
		expect_denied(&owned, off, 1);
	for (uint32_t off = 0x70; off < 0x7c; off++)
		expect_denied(&owned, off, 1);
	expect_denied(&owned, 0x50, 4);
	expect_denied(&owned, 0x5c, 4);   /* [0x5c, 0x60): two bytes of MSI */
	expect_denied(&owned, 0x5c, 2);
	expect_denied(&owned, 0x70, 4);
	expect_denied(&owned, 0x78, 4);
	expect_passed(&owned, 0x4c, 4, 0x11223344); /* ends where MSI starts */
	expect_passed(&owned, 0x5e, 2, 0x5566);     /* starts where MSI ends */
	expect_passed(&owned, 0x5e, 1, 0x77);
	expect_passed(&owned, 0x6c, 4, 0x8899aabb); /* ends where MSI-X starts */
	expect_passed(&owned, 0x7c, 4, 0xccddeeff); /* starts where MSI-X ends */

	/* A span the device placed across 0x100 (MSI at 0xfc) guards its bytes too. */
	const struct pci_owned_caps high = { .msi = { 0xfc, 24 } };
	expect_denied(&high, 0xfc, 4);
	expect_denied(&high, 0xff, 1);
	expect_passed(&high, 0xf8, 4, 0x01020304);
}

/* The device-specific area outside the spans is written as given. */
static void filter_device_specific(void **state)
{
	(void)state;
	expect_passed(&owned, 0x40, 4, 0xdeadbeef);
	expect_passed(&owned, 0x41, 1, 0x5a);
	expect_passed(&owned, 0x42, 2, 0xbeef);
	expect_passed(&owned, 0x80, 4, 0);
	expect_passed(&owned, 0xfc, 4, 0xcafef00d); /* ends exactly at 0x100 */
	expect_passed(&owned, 0xfe, 2, 0x1234);
	expect_passed(&owned, 0xff, 1, 0xab);

	/* With no capabilities kept, every byte of the area is the driver's. */
	const struct pci_owned_caps none = { { 0, 0 }, { 0, 0 } };
	for (uint32_t off = FE_PCI_HEADER_END; off < 0x100; off += 4)
		expect_passed(&none, off, 4, off * 0x01010101u);
}

/* Extended configuration space (0x100 and up: AER, SR-IOV, ...) is refused. */
static void filter_extended(void **state)
{
	(void)state;
	const struct pci_owned_caps none = { { 0, 0 }, { 0, 0 } };

	for (uint32_t off = 0x100; off < FE_PCI_CONFIG_SIZE; off += 0x7c) {
		expect_denied(&none, off & ~3u, 4);
		expect_denied(&none, off & ~1u, 2);
		expect_denied(&none, off, 1);
	}
	expect_denied(&none, 0x100, 1);
	expect_denied(&none, 0x100, 4);
	expect_denied(&none, 0xffc, 4);
	expect_denied(&none, 0xfff, 1);
}

/* Every well-formed access in the 4 KiB, against the rule stated byte by
 * byte: allowed exactly when it is a command write, or every byte lies in
 * [0x40, 0x100) outside both spans. */
static void filter_every_access(void **state)
{
	(void)state;
	unsigned allowed = 0;

	for (uint32_t off = 0; off < FE_PCI_CONFIG_SIZE; off++) {
		for (unsigned w = 1; w <= 4; w *= 2) {
			if (!pci_config_access_ok(off, w))
				continue;
			bool cmd = (off == 4 && w <= 2) || (off == 5 && w == 1);
			bool ok = true;
			for (uint32_t b = off; b < off + w; b++)
				ok = ok && b >= 0x40 && b < 0x100 && !(b >= 0x50 && b < 0x5e) &&
				     !(b >= 0x70 && b < 0x7c);
			uint32_t out;
			fe_status_t st = filter(&owned, off, w, 0x12345678, 0x9abcdef0, &out);
			assert_status(st, (cmd || ok) ? FE_OK : FE_ERR_ACCESS_DENIED);
			allowed += st == FE_OK;
		}
	}
	/* 3 command writes; [0x40, 0x100) less the 26 kept bytes leaves runs of
	 * 16, 18 and 132 bytes: 166 byte, 83 word and 41 dword accesses. */
	assert_int_equal(allowed, 3 + 166 + 83 + 41);
}

/* End to end: the spans the walk finds are what the filter guards. */
static void filter_after_walk(void **state)
{
	(void)state;
	static struct fake_cfg c;
	uint32_t out;

	cfg_init(&c, 0x50);
	cap(&c, 0x50, FE_PCI_CAP_MSI, 0xa0, MSI_64 | MSI_MASKING);
	cap(&c, 0xa0, FE_PCI_CAP_MSIX, 0x00, 0x0003);
	struct pci_owned_caps o = walk(&c, FE_OK);
	expect_denied(&o, 0x50, 4);
	expect_denied(&o, 0x64, 4); /* the pending bits, last word of the 24 */
	assert_status(filter(&o, 0x68, 4, 1, 0, &out), FE_OK);
	expect_denied(&o, 0xa8, 4); /* the PBA word, last of the 12 */
	assert_status(filter(&o, 0xac, 4, 1, 0, &out), FE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bar_unimplemented),
		cmocka_unit_test(bar_mem32),
		cmocka_unit_test(bar_prefetchable),
		cmocka_unit_test(bar_mem64),
		cmocka_unit_test(bar_mem64_in_last_slot),
		cmocka_unit_test(bar_not_power_of_two),
		cmocka_unit_test(bar_misaligned),
		cmocka_unit_test(bar_range_end),
		cmocka_unit_test(bar_unassigned),
		cmocka_unit_test(bar_below_1m),
		cmocka_unit_test(bar_reserved_type),
		cmocka_unit_test(bar_io),
		cmocka_unit_test(bar_io_limits),
		cmocka_unit_test(bar_index_out_of_range),
		cmocka_unit_test(bar_whole_function),
		cmocka_unit_test(caps_none),
		cmocka_unit_test(caps_msi_lengths),
		cmocka_unit_test(caps_msix),
		cmocka_unit_test(msix_layout),
		cmocka_unit_test(caps_realistic_list),
		cmocka_unit_test(caps_duplicates),
		cmocka_unit_test(caps_loop),
		cmocka_unit_test(caps_pointer_into_header),
		cmocka_unit_test(caps_low_bits_ignored),
		cmocka_unit_test(caps_max_entries),
		cmocka_unit_test(access_ok_shapes),
		cmocka_unit_test(filter_command_word),
		cmocka_unit_test(filter_command_bytes),
		cmocka_unit_test(filter_command_dword),
		cmocka_unit_test(filter_header),
		cmocka_unit_test(filter_owned_spans),
		cmocka_unit_test(filter_device_specific),
		cmocka_unit_test(filter_extended),
		cmocka_unit_test(filter_every_access),
		cmocka_unit_test(filter_after_walk),
	};
	return cmocka_run_group_tests_name("pci", tests, NULL, NULL);
}
