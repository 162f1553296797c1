/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/pci/config.c: what a PCI function reports
 * about itself, fed to the kernel's BAR decoding, capability walk and driver
 * write filter. Any violated invariant aborts with the line that failed.
 *
 * Input layout (little-endian):
 *   [0, 24)   the six BARs' values read back after writing all ones (masks)
 *   [24, 28)  the value a driver writes (varied per offset, see check_filter)
 *   [28, 32)  an offset and [32, 40) a width for one free-form access check
 *   [40, ...) the function's configuration space, truncated or zero-padded
 *             to 4096 bytes; the BARs' original values are its 0x10..0x27,
 *             as the kernel reads them
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_LEN 40u
#define STD_END 0x100u          /* end of the standard (non-extended) space */
#define MSI_SPAN_MAX 24u
#define MAX_READS (2u + 48u * 3u) /* status, pointer; ID, next, MSI control per entry */

#define REQUIRE(cond)                                                              \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "fuzz_pci: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                   \
		}                                                                  \
	} while (0)

struct cfg {
	uint8_t b[FE_PCI_CONFIG_SIZE];
	unsigned reads;
};

static uint32_t le(const uint8_t *p, unsigned width)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static bool pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* ---------------------------------------------------------------- BARs */

/* What is true of any decoded BAR, whatever the probes said. */
static void check_bar_shape(const struct pci_bar *b, unsigned index)
{
	REQUIRE(b->status == FE_OK || b->status == FE_ERR_NOT_FOUND ||
	        b->status == FE_ERR_BAD_FORMAT || b->status == FE_ERR_BAD_STATE ||
	        b->status == FE_ERR_UNSUPPORTED);
	REQUIRE(b->kind == 0 || b->kind == FE_PCI_BAR_IO || b->kind == FE_PCI_BAR_MEM32 ||
	        b->kind == FE_PCI_BAR_MEM64);
	/* Not implemented: nothing else said; implemented: a kind. */
	REQUIRE((b->kind == 0) == (b->status == FE_ERR_NOT_FOUND));
	if (b->kind == 0)
		REQUIRE(b->size == 0 && b->base == 0 && !b->prefetchable);
	REQUIRE(!(b->prefetchable && b->kind == FE_PCI_BAR_IO));
	REQUIRE(b->size == 0 || pow2(b->size));
	if (b->kind == FE_PCI_BAR_MEM64 && index + 1 >= FE_PCI_BARS)
		REQUIRE(b->status == FE_ERR_BAD_FORMAT);
}

/* A BAR the kernel would make a capability for: a sane range, and exactly
 * the one the probes describe. */
static void check_bar_ok(const struct pci_bar *b, const struct pci_bar_probe *p, unsigned i)
{
	REQUIRE(b->size != 0 && b->base != 0 && b->base % b->size == 0);
	REQUIRE(b->base <= UINT64_MAX - b->size);
	switch (b->kind) {
	case FE_PCI_BAR_IO:
		REQUIRE(p[i].orig & 1);
		REQUIRE(b->size >= 4 && b->size <= 256 && b->base + b->size <= 0x10000);
		REQUIRE(b->base == (p[i].orig & ~3u));
		REQUIRE((p[i].mask & 0xfffcu) == (uint32_t)(~(b->size - 1) & 0xfffcu));
		/* The upper 16 bits read back all zero or all one. */
		REQUIRE((p[i].mask >> 16) == 0 || (p[i].mask >> 16) == 0xffff);
		break;
	case FE_PCI_BAR_MEM32:
		REQUIRE((p[i].orig & 7) == 0); /* memory, type 00b */
		REQUIRE(b->size >= 16 && b->base + b->size <= (1ull << 32));
		REQUIRE(b->base == (p[i].orig & ~0xfu));
		REQUIRE((p[i].mask & ~0xfu) == (uint32_t)~(b->size - 1));
		REQUIRE(b->prefetchable == ((p[i].orig & 8) != 0));
		break;
	case FE_PCI_BAR_MEM64: {
		REQUIRE((p[i].orig & 7) == 4 && i + 1 < FE_PCI_BARS);
		uint64_t base = (p[i].orig & ~0xfull) | (uint64_t)p[i + 1].orig << 32;
		uint64_t mask = (p[i].mask & ~0xfull) | (uint64_t)p[i + 1].mask << 32;
		REQUIRE(b->size >= 16 && b->base == base && mask == ~(b->size - 1));
		REQUIRE(b->prefetchable == ((p[i].orig & 8) != 0));
		break;
	}
	default:
		REQUIRE(false);
	}
}

/* The size a read-back stands for when it is all ones from bit k up (k in
 * [lo, hi]), else 0: stated by enumeration, unlike the kernel's bit trick. */
static uint64_t run_of_ones(uint64_t mask, unsigned lo, unsigned hi)
{
	for (unsigned k = lo; k <= hi; k++)
		if (mask == ~0ull << k)
			return 1ull << k;
	return 0;
}

/*
 * The other direction: probes describing a BAR any PCI device may have (a
 * size from the read-back's run of ones, a base assigned and aligned, inside
 * the port or address space) must decode as FE_OK, to exactly that BAR.
 * Returns whether they do describe one.
 */
static bool well_formed_bar(const struct pci_bar_probe *p, unsigned i, struct pci_bar *want)
{
	uint32_t orig = p[i].orig, mask = p[i].mask;

	*want = (struct pci_bar){ .status = FE_OK };
	if (orig & 1) {
		uint32_t upper = mask >> 16;
		if (upper != 0 && upper != 0xffff)
			return false;
		want->kind = FE_PCI_BAR_IO;
		want->size = run_of_ones(0xffffffffffff0000ull | (mask & 0xfffcu), 2, 8);
		want->base = orig & ~3u;
		return want->size != 0 && want->base != 0 && want->base % want->size == 0 &&
		       want->base + want->size <= 0x10000;
	}
	want->prefetchable = (orig & 8) != 0;
	if ((orig & 6) == 0) {
		want->kind = FE_PCI_BAR_MEM32;
		want->size = run_of_ones(0xffffffff00000000ull | (mask & ~0xfu), 4, 31);
		want->base = orig & ~0xfu;
	} else if ((orig & 6) == 4 && i + 1 < FE_PCI_BARS) {
		want->kind = FE_PCI_BAR_MEM64;
		want->size = run_of_ones((mask & ~0xfull) | (uint64_t)p[i + 1].mask << 32, 4, 63);
		want->base = (orig & ~0xfull) | (uint64_t)p[i + 1].orig << 32;
	} else {
		return false;
	}
	return want->size != 0 && want->base != 0 && want->base % want->size == 0 &&
	       want->base <= UINT64_MAX - want->size;
}

static void check_bars(const struct cfg *c, const uint8_t *masks)
{
	/* Heap, exactly six: ASan reports any look at a seventh. */
	struct pci_bar_probe *p = malloc(FE_PCI_BARS * sizeof(*p));

	REQUIRE(p != NULL);
	for (unsigned i = 0; i < FE_PCI_BARS; i++) {
		p[i].orig = le(c->b + FE_PCI_BAR0 + 4 * i, 4);
		p[i].mask = le(masks + 4 * i, 4);
	}
	for (unsigned i = 0; i < FE_PCI_BARS + 2; i++) {
		struct pci_bar b, again;

		pci_bar_decode(p, i, &b);
		pci_bar_decode(p, i, &again);
		REQUIRE(b.status == again.status && b.kind == again.kind && b.base == again.base &&
		        b.size == again.size && b.prefetchable == again.prefetchable);
		if (i >= FE_PCI_BARS) {
			REQUIRE(b.status == FE_ERR_NOT_FOUND && b.kind == 0);
			continue;
		}
		check_bar_shape(&b, i);
		if (b.status == FE_OK)
			check_bar_ok(&b, p, i);
		struct pci_bar want;
		if (well_formed_bar(p, i, &want))
			REQUIRE(b.status == FE_OK && b.kind == want.kind && b.base == want.base &&
			        b.size == want.size && b.prefetchable == want.prefetchable);
	}
	free(p);
}

/* ---------------------------------------------------------------- capabilities */

/* The walk may read only the standard space, aligned, a byte or a word. */
static uint32_t cfg_read(void *ctx, uint32_t off, unsigned width)
{
	struct cfg *c = ctx;

	REQUIRE(width == 1 || width == 2);
	REQUIRE(off % width == 0 && off + width <= STD_END);
	REQUIRE(++c->reads <= MAX_READS);
	return le(c->b + off, width);
}

static uint16_t msi_span_len(const struct cfg *c, unsigned off)
{
	uint32_t ctl = le(c->b + off + 2, 2);

	return (uint16_t)(10 + ((ctl & 0x80) ? 4 : 0) + ((ctl & 0x100) ? 10 : 0));
}

/*
 * The list as the PCI specification describes it, written without the
 * kernel's tricks: pointers rounded down to dwords, a pointer into the header
 * or back to a visited entry is malformed, the first MSI and MSI-X count.
 */
static fe_status_t reference_walk(const struct cfg *c, struct pci_owned_caps *out)
{
	unsigned visited[64], n = 0;

	*out = (struct pci_owned_caps){ { 0, 0 }, { 0, 0 } };
	if ((le(c->b + FE_PCI_STATUS, 2) & FE_PCI_STATUS_CAPS) == 0)
		return FE_OK;
	for (unsigned off = c->b[FE_PCI_CAP_PTR] & ~3u; off != 0; off = c->b[off + 1] & ~3u) {
		if (off < FE_PCI_HEADER_END)
			return FE_ERR_BAD_FORMAT;
		for (unsigned k = 0; k < n; k++)
			if (visited[k] == off)
				return FE_ERR_BAD_FORMAT;
		REQUIRE(n < 48); /* 48 distinct dwords in [0x40, 0x100) */
		visited[n++] = off;
		if (c->b[off] == FE_PCI_CAP_MSI && out->msi.len == 0)
			out->msi = (struct pci_cap_span){ (uint16_t)off, msi_span_len(c, off) };
		if (c->b[off] == FE_PCI_CAP_MSIX && out->msix.len == 0)
			out->msix = (struct pci_cap_span){ (uint16_t)off, 12 };
	}
	return FE_OK;
}

static void check_span(struct pci_cap_span s)
{
	if (s.len == 0) {
		REQUIRE(s.off == 0);
		return;
	}
	/* In the device-specific area, never over the header, dword aligned;
	 * a capability the device put at 0xfc may run past 0x100. */
	REQUIRE(s.off >= FE_PCI_HEADER_END && s.off < STD_END && s.off % 4 == 0);
	REQUIRE(s.off + s.len <= STD_END + MSI_SPAN_MAX);
}

static void check_caps(struct cfg *c, struct pci_owned_caps *owned)
{
	struct pci_owned_caps ref;

	c->reads = 0;
	fe_status_t st = pci_find_owned_caps(cfg_read, c, owned);
	REQUIRE(st == FE_OK || st == FE_ERR_BAD_FORMAT);
	check_span(owned->msi);
	check_span(owned->msix);
	if (owned->msi.len != 0) {
		REQUIRE(c->b[owned->msi.off] == FE_PCI_CAP_MSI);
		REQUIRE(owned->msi.len == 10 || owned->msi.len == 14 || owned->msi.len == 20 ||
		        owned->msi.len == 24);
	}
	if (owned->msix.len != 0)
		REQUIRE(c->b[owned->msix.off] == FE_PCI_CAP_MSIX && owned->msix.len == 12);
	if ((le(c->b + FE_PCI_STATUS, 2) & FE_PCI_STATUS_CAPS) == 0)
		REQUIRE(st == FE_OK && owned->msi.len == 0 && owned->msix.len == 0 && c->reads == 1);

	REQUIRE(reference_walk(c, &ref) == st);
	REQUIRE(ref.msi.off == owned->msi.off && ref.msi.len == owned->msi.len);
	REQUIRE(ref.msix.off == owned->msix.off && ref.msix.len == owned->msix.len);
}

/* ---------------------------------------------------------------- write filter */

static bool in_span(struct pci_cap_span s, uint32_t byte)
{
	return s.len != 0 && byte >= s.off && byte < (uint32_t)s.off + s.len;
}

/* One well-formed write of `width` at `off`, `current` what the register holds. */
static void check_write(const struct pci_owned_caps *o, uint32_t off, unsigned width,
                        uint32_t value, uint32_t current)
{
	const uint32_t sentinel = ~value ^ 0x5a5a5a5au;
	uint32_t out = sentinel;
	bool cmd = (off == FE_PCI_COMMAND && width <= 2) || (off == FE_PCI_COMMAND + 1 && width == 1);
	bool free_area = true; /* every byte device-specific and not the kernel's */

	for (uint32_t b = off; b < off + width; b++)
		free_area = free_area && b >= FE_PCI_HEADER_END && b < STD_END &&
		            !in_span(o->msi, b) && !in_span(o->msix, b);

	fe_status_t st = pci_config_write_filter(o, off, width, value, current, &out);
	REQUIRE(st == FE_OK || st == FE_ERR_ACCESS_DENIED);
	if (st != FE_OK) {
		REQUIRE(out == sentinel);
		REQUIRE(!cmd && !free_area); /* nothing the driver may write is refused */
		return;
	}
	/* Never a header byte other than the command register's, never a byte
	 * of MSI or MSI-X, never extended space. */
	for (uint32_t b = off; b < off + width; b++) {
		REQUIRE(b < STD_END && !in_span(o->msi, b) && !in_span(o->msix, b));
		REQUIRE(b >= FE_PCI_HEADER_END || b == FE_PCI_COMMAND || b == FE_PCI_COMMAND + 1);
	}
	if (!cmd) {
		REQUIRE(free_area && out == value);
		return;
	}
	/* A command write changes only the driver's bits, and takes those from value. */
	uint32_t wmask = width == 1 ? 0xffu : 0xffffu;
	uint32_t allowed = (off == FE_PCI_COMMAND ? FE_PCI_COMMAND_DRIVER_BITS
	                                          : FE_PCI_COMMAND_DRIVER_BITS >> 8) & wmask;
	REQUIRE(((out ^ current) & wmask & ~allowed) == 0);
	REQUIRE((out & allowed) == (value & allowed));
}

static void check_filter(const struct cfg *c, const struct pci_owned_caps *o, uint32_t value,
                         uint32_t free_off, uint64_t free_width)
{
	static const uint32_t extended[] = { 0x800, 0xffc, 0xffe, 0xfff };

	/* Every well-formed access up to a little past 0x100 (beyond, the rule is
	 * the same), then a few in extended space; `current` is what the
	 * register holds, `value` varies with the offset. */
	for (uint32_t off = 0; off < STD_END + 8; off++)
		for (unsigned w = 1; w <= 4; w *= 2)
			if (pci_config_access_ok(off, w))
				check_write(o, off, w, value ^ (off * 0x9e3779b9u), le(c->b + off, w));
	for (size_t k = 0; k < sizeof(extended) / sizeof(extended[0]); k++)
		for (unsigned w = 1; w <= 4; w *= 2)
			if (pci_config_access_ok(extended[k], w))
				check_write(o, extended[k], w, value, le(c->b + extended[k], w));

	/* Whatever the caller asks, access_ok means a 1, 2 or 4-byte aligned
	 * access inside the 4 KiB, and then the filter's rules hold. */
	bool ok = pci_config_access_ok(free_off, free_width);
	REQUIRE(ok == ((free_width == 1 || free_width == 2 || free_width == 4) &&
	               free_off < FE_PCI_CONFIG_SIZE && free_off % free_width == 0));
	if (ok) {
		REQUIRE(free_off + free_width <= FE_PCI_CONFIG_SIZE);
		check_write(o, free_off, (unsigned)free_width, value,
		            le(c->b + free_off, (unsigned)free_width));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg c; /* 4 KiB: not on the stack */
	uint8_t hdr[HDR_LEN] = { 0 };
	struct pci_owned_caps owned;
	uint64_t free_width;

	if (size != 0)
		memcpy(hdr, data, size < HDR_LEN ? size : HDR_LEN);
	memset(c.b, 0, sizeof(c.b));
	if (size > HDR_LEN) {
		size_t n = size - HDR_LEN;
		memcpy(c.b, data + HDR_LEN, n < sizeof(c.b) ? n : sizeof(c.b));
	}
	memcpy(&free_width, hdr + 32, sizeof(free_width));

	check_bars(&c, hdr);
	check_caps(&c, &owned);
	check_filter(&c, &owned, le(hdr + 24, 4), le(hdr + 28, 4), free_width);
	return 0;
}
