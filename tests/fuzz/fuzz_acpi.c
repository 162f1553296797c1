/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/acpi/acpi.c and dmar.c. The input is a fake physical
 * memory image with the RSDP at address 0; the map function hands out
 * pointers into it and NULL for anything out of range. Each input is parsed
 * twice: as it is, and with every checksum the parser will look at patched
 * to be right, so mutations reach the table bodies instead of dying at the
 * checksum. Contract violations trap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"

#define MAX_ROOT_ENTRIES 256u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct image {
	const uint8_t *p;
	size_t n;
};

static void require(int cond)
{
	if (!cond)
		__builtin_trap();
}

static const void *map(uint64_t phys, uint64_t len, void *ctx)
{
	const struct image *im = ctx;

	if (phys > im->n || len > im->n - phys)
		return NULL;
	return im->p + phys;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Sets the byte at at + sum_at so that [at, at + len) sums to zero, if it all lies in p. */
static void fix_sum(uint8_t *p, size_t n, uint64_t at, uint64_t len, uint64_t sum_at)
{
	uint8_t s = 0;

	if (at > n || len > n - at || sum_at >= len || len > ACPI_MAX_TABLE_LEN)
		return;
	p[at + sum_at] = 0;
	for (uint64_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[at + i]);
	p[at + sum_at] = (uint8_t)-s;
}

static void fix_table(uint8_t *p, size_t n, uint64_t at)
{
	if (at > n || n - at < 36)
		return;
	fix_sum(p, n, at, rd32(p + at + 4), 9);
}

/* Patches the checksums of a root table's entries, then of the root itself. */
static void fix_root(uint8_t *p, size_t n, uint64_t at, unsigned esize)
{
	if (at > n || n - at < 36)
		return;
	uint64_t len = rd32(p + at + 4);
	if (len < 36 || len > n - at)
		return;
	uint64_t count = (len - 36) / esize;
	for (uint64_t i = 0; i < count && i < MAX_ROOT_ENTRIES; i++) {
		const uint8_t *e = p + at + 36 + i * esize;
		fix_table(p, n, esize == 8 ? rd64(e) : rd32(e));
	}
	fix_table(p, n, at);
}

static void fix_checksums(uint8_t *p, size_t n)
{
	if (n < 20)
		return;
	fix_sum(p, n, 0, 20, 8);
	fix_root(p, n, rd32(p + 16), 4);
	if (n >= 36 && p[15] >= 2)
		fix_root(p, n, rd64(p + 24), 8);
	/* Last, in case a table patched above overlaps the RSDP. */
	fix_sum(p, n, 0, 20, 8);
	if (n >= 36 && p[15] >= 2)
		fix_sum(p, n, 0, rd32(p + 20), 32);
}

static void check_scopes(const struct acpi_dmar_scope *s, uint32_t n)
{
	require(n <= ACPI_MAX_DMAR_SCOPES);
	for (uint32_t i = 0; i < n; i++) {
		require(s[i].type >= ACPI_DMAR_SCOPE_ENDPOINT && s[i].type <= ACPI_DMAR_SCOPE_NAMESPACE);
		require(s[i].path_len >= 1 && s[i].path_len <= ACPI_MAX_SCOPE_PATH);
		for (uint32_t h = 0; h < s[i].path_len; h++)
			require(s[i].path[h].dev < 32 && s[i].path[h].fn < 8);
	}
}

/* Every unit kept has page-aligned registers; every region is whole pages. */
static void check_dmar(const struct acpi_dmar *d)
{
	require(d->ndrhd <= ACPI_MAX_DRHD && d->nrmrr <= ACPI_MAX_RMRR);
	if (!d->present)
		require(d->ndrhd == 0 && d->nrmrr == 0 && d->drhd_dropped == 0);
	for (uint32_t i = 0; i < d->ndrhd; i++) {
		require(d->drhd[i].base != 0 && d->drhd[i].base % 4096 == 0);
		check_scopes(d->drhd[i].scopes, d->drhd[i].nscopes);
	}
	for (uint32_t i = 0; i < d->nrmrr; i++) {
		const struct acpi_rmrr *r = &d->rmrr[i];
		require(r->base % 4096 == 0 && (r->limit + 1) % 4096 == 0 && r->base <= r->limit);
		check_scopes(r->scopes, r->nscopes);
	}
}

static void check_info(const struct acpi_info *in, fe_status_t st)
{
	require(st == FE_OK || st == FE_ERR_BAD_FORMAT || st == FE_ERR_FAULT);
	require(in->oem_id[6] == '\0');
	require(in->ntables <= ACPI_MAX_TABLES);
	for (uint32_t i = 0; i < in->ntables; i++)
		require(in->tables[i].sig[4] == '\0');
	require(in->ncpus <= ACPI_MAX_CPUS && in->nioapics <= ACPI_MAX_IOAPICS);
	require(in->noverrides <= ACPI_MAX_OVERRIDES && in->nnmis <= ACPI_MAX_NMIS);
	require(in->nsrat_cpus <= ACPI_MAX_CPUS && in->nsrat_mems <= ACPI_MAX_MEM_AFFINITY);
	require(in->slit_nodes <= ACPI_MAX_NODES);
	for (uint32_t i = 0; i < in->ncpus; i++)
		require(in->cpus[i].enabled || in->cpus[i].online_capable);
	check_dmar(&in->dmar);
	if (st != FE_OK)
		require(in->ntables == 0 && !in->have_madt && in->ncpus == 0);
}

static void check_isa_irqs(const struct acpi_info *in)
{
	for (unsigned irq = 0; irq < 256; irq++) {
		uint32_t gsi;
		uint16_t flags;

		acpi_isa_irq(in, (uint8_t)irq, &gsi, &flags);
		uint16_t pol = flags & ACPI_INTI_POLARITY_MASK, trig = flags & ACPI_INTI_TRIGGER_MASK;
		require(pol == ACPI_INTI_POLARITY_HIGH || pol == ACPI_INTI_POLARITY_LOW);
		require(trig == ACPI_INTI_TRIGGER_EDGE || trig == ACPI_INTI_TRIGGER_LEVEL);
		require((flags & ~(ACPI_INTI_POLARITY_MASK | ACPI_INTI_TRIGGER_MASK)) == 0);
	}
}

static void run(const uint8_t *p, size_t n, struct acpi_info *info)
{
	struct image im = { p, n };
	fe_status_t st = acpi_parse(0, map, &im, info);

	check_info(info, st);
	check_isa_irqs(info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info info; /* ~10 KiB: not on the stack, as in the kernel */
	uint8_t *fixed = malloc(size == 0 ? 1 : size);

	if (fixed == NULL)
		return 0;
	run(data, size, &info);
	memcpy(fixed, data, size);
	fix_checksums(fixed, size);
	run(fixed, size, &info);
	free(fixed);
	return 0;
}
