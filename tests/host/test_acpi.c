/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/acpi/acpi.c. Each test lays out synthetic ACPI tables
 * in a fake physical memory (an exact-size heap block, so ASan sees any read
 * past it) reached through a map function that refuses out-of-range
 * requests, the way the kernel's map refuses non-RAM.
 *
 * Fake physical memory map:
 *   0x0040 RSDP   0x0100 RSDT   0x0200 XSDT
 *   0x1000 MADT   0x2000 HPET   0x3000 SRAT   0x4000 SLIT   0x5000+ spare (MCFG, DMAR)
 */
#include "host_test.h"

#include "acpi/acpi.h"

#define MEM_SIZE 0x10000u
#define RSDP_AT 0x40u
#define RSDT_AT 0x100u
#define XSDT_AT 0x200u
#define MADT_AT 0x1000u
#define HPET_AT 0x2000u
#define SRAT_AT 0x3000u
#define SLIT_AT 0x4000u
#define SPARE_AT 0x5000u
#define SPARE2_AT 0x8000u

#define LAPIC_BASE 0xfee00000u
#define LAPIC_BASE64 0x00000012fee00000ull
#define IOAPIC_BASE 0xfec00000u
#define HPET_BASE 0xfed00000ull

#define EDGE_HIGH (ACPI_INTI_TRIGGER_EDGE | ACPI_INTI_POLARITY_HIGH)
#define LEVEL_LOW (ACPI_INTI_TRIGGER_LEVEL | ACPI_INTI_POLARITY_LOW)
#define LEVEL_HIGH (ACPI_INTI_TRIGGER_LEVEL | ACPI_INTI_POLARITY_HIGH)

struct fx {
	uint8_t *mem; /* MEM_SIZE bytes of fake physical memory */
	struct acpi_info info;
};

static const void *mem_map(uint64_t phys, uint64_t len, void *ctx)
{
	struct fx *f = ctx;

	if (phys > MEM_SIZE || len > MEM_SIZE - phys)
		return NULL;
	return f->mem + phys;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->mem = calloc(1, MEM_SIZE)) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

static fe_status_t parse(struct fx *f)
{
	return acpi_parse(RSDP_AT, mem_map, f, &f->info);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* ---- building tables ---- */

/* A table being written at f->mem + at; len grows as bytes are appended. */
struct tw {
	uint8_t *p;
	uint32_t len;
};

static struct tw tw_begin(struct fx *f, uint32_t at, const char *sig)
{
	struct tw t = { f->mem + at, 36 };

	memset(t.p, 0, 36);
	memcpy(t.p, sig, 4);
	t.p[8] = 1; /* revision */
	memcpy(t.p + 10, "FEROEM", 6);
	memcpy(t.p + 16, "TESTTBL ", 8);
	return t;
}

static void tw_u8(struct tw *t, uint8_t v) { t->p[t->len++] = v; }
static void tw_u16(struct tw *t, uint16_t v) { put16(t->p + t->len, v); t->len += 2; }
static void tw_u32(struct tw *t, uint32_t v) { put32(t->p + t->len, v); t->len += 4; }
static void tw_u64(struct tw *t, uint64_t v) { put64(t->p + t->len, v); t->len += 8; }
static void tw_zero(struct tw *t, uint32_t n) { memset(t->p + t->len, 0, n); t->len += n; }

/* Makes the checksum of the table at `at` right again, for its current length field. */
static void fix_sum_at(uint8_t *p)
{
	uint32_t len;

	memcpy(&len, p + 4, 4);
	p[9] = 0;
	p[9] = (uint8_t)-sum(p, len);
}

static void fix_sum(struct fx *f, uint32_t at)
{
	fix_sum_at(f->mem + at);
}

static void tw_end(struct tw *t)
{
	put32(t->p + 4, t->len);
	fix_sum_at(t->p);
}

static void put_rsdp(struct fx *f, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *p = f->mem + RSDP_AT;

	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "FERROS", 6);
	p[15] = rev;
	put32(p + 16, rsdt);
	p[8] = (uint8_t)-sum(p, 20);
	if (rev >= 2) {
		put32(p + 20, 36);
		put64(p + 24, xsdt);
		p[32] = (uint8_t)-sum(p, 36);
	}
}

static void put_root(struct fx *f, uint32_t at, const char *sig, const uint64_t *tables, unsigned n)
{
	struct tw t = tw_begin(f, at, sig);
	bool x = sig[0] == 'X';

	for (unsigned i = 0; i < n; i++) {
		if (x)
			tw_u64(&t, tables[i]);
		else
			tw_u32(&t, (uint32_t)tables[i]);
	}
	tw_end(&t);
}

static void madt_lapic(struct tw *t, uint8_t uid, uint8_t apic, uint32_t flags)
{
	tw_u8(t, 0), tw_u8(t, 8), tw_u8(t, uid), tw_u8(t, apic), tw_u32(t, flags);
}

static void madt_override(struct tw *t, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	tw_u8(t, 2), tw_u8(t, 10), tw_u8(t, bus), tw_u8(t, irq), tw_u32(t, gsi), tw_u16(t, flags);
}

static void madt_x2apic(struct tw *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	tw_u8(t, 9), tw_u8(t, 16), tw_u16(t, 0), tw_u32(t, id), tw_u32(t, flags), tw_u32(t, uid);
}

static struct tw madt_begin(struct fx *f, uint32_t at)
{
	struct tw t = tw_begin(f, at, "APIC");

	tw_u32(&t, LAPIC_BASE);
	tw_u32(&t, 1); /* PCAT_COMPAT */
	return t;
}

/* A MADT with every entry type we parse, plus one we do not. */
static void put_madt(struct fx *f, uint32_t at)
{
	struct tw t = madt_begin(f, at);

	madt_lapic(&t, 0, 0, 1);    /* enabled */
	madt_lapic(&t, 1, 2, 2);    /* online-capable */
	madt_lapic(&t, 2, 4, 0);    /* neither: unusable, not listed */
	tw_u8(&t, 1), tw_u8(&t, 12), tw_u8(&t, 8), tw_u8(&t, 0);   /* I/O APIC id 8 */
	tw_u32(&t, IOAPIC_BASE), tw_u32(&t, 0);
	madt_override(&t, 0, 0, 2, 0);        /* the timer on pin 2, bus defaults */
	madt_override(&t, 0, 9, 9, LEVEL_HIGH);
	madt_override(&t, 0, 10, 20, LEVEL_LOW);
	madt_override(&t, 1, 5, 30, LEVEL_LOW); /* not ISA */
	tw_u8(&t, 4), tw_u8(&t, 6), tw_u8(&t, 0xff), tw_u16(&t, 5), tw_u8(&t, 1); /* NMI: all, LINT1 */
	tw_u8(&t, 5), tw_u8(&t, 12), tw_u16(&t, 0), tw_u64(&t, LAPIC_BASE64);    /* address override */
	madt_x2apic(&t, 0x100, 1, 3);
	tw_u8(&t, 0xa), tw_u8(&t, 12), tw_u16(&t, 0xd), tw_u32(&t, 3), tw_u8(&t, 0); /* x2APIC NMI */
	tw_zero(&t, 3);
	tw_u8(&t, 0x7f), tw_u8(&t, 6), tw_zero(&t, 4); /* unknown type: skipped */
	tw_end(&t);
}

static void put_hpet(struct fx *f, uint32_t at)
{
	struct tw t = tw_begin(f, at, "HPET");

	tw_u32(&t, 0x8086a201);                              /* event timer block id */
	tw_u8(&t, 0), tw_u8(&t, 64), tw_u8(&t, 0), tw_u8(&t, 0); /* GAS: system memory */
	tw_u64(&t, HPET_BASE);
	tw_u8(&t, 0);       /* HPET number */
	tw_u16(&t, 0x80);   /* minimum tick */
	tw_u8(&t, 0);       /* page protection */
	tw_end(&t);
}

static void srat_cpu(struct tw *t, uint32_t domain, uint8_t apic, uint32_t flags)
{
	tw_u8(t, 0), tw_u8(t, 16), tw_u8(t, (uint8_t)domain), tw_u8(t, apic), tw_u32(t, flags);
	tw_u8(t, 0);
	tw_u8(t, (uint8_t)(domain >> 8)), tw_u8(t, (uint8_t)(domain >> 16));
	tw_u8(t, (uint8_t)(domain >> 24));
	tw_u32(t, 0);
}

static void srat_mem(struct tw *t, uint32_t domain, uint64_t base, uint64_t len, uint32_t flags)
{
	tw_u8(t, 1), tw_u8(t, 40), tw_u32(t, domain), tw_u16(t, 0);
	tw_u64(t, base), tw_u64(t, len), tw_u32(t, 0), tw_u32(t, flags), tw_u64(t, 0);
}

static struct tw srat_begin(struct fx *f, uint32_t at)
{
	struct tw t = tw_begin(f, at, "SRAT");

	tw_u32(&t, 1);
	tw_u64(&t, 0);
	return t;
}

static void put_srat(struct fx *f, uint32_t at)
{
	struct tw t = srat_begin(f, at);

	srat_cpu(&t, 0, 0, 1);
	srat_cpu(&t, 0x01020301, 2, 1);  /* domain split over bytes 2 and 9-11 */
	srat_cpu(&t, 1, 4, 0);           /* disabled: not listed */
	srat_mem(&t, 0, 0, 0x80000000, 1);
	srat_mem(&t, 1, 0x100000000ull, 0x40000000, 1 | 2 | 4); /* hot-pluggable, non-volatile */
	srat_mem(&t, 1, 0x200000000ull, 0x1000, 0);              /* disabled */
	tw_u8(&t, 2), tw_u8(&t, 24), tw_u16(&t, 0), tw_u32(&t, 7); /* x2APIC affinity, domain 7 */
	tw_u32(&t, 0x100), tw_u32(&t, 1), tw_u32(&t, 0), tw_u32(&t, 0);
	tw_end(&t);
}

static void put_slit(struct fx *f, uint32_t at, uint64_t n, uint32_t filled)
{
	struct tw t = tw_begin(f, at, "SLIT");

	tw_u64(&t, n);
	for (uint32_t i = 0; i < filled; i++)
		for (uint32_t j = 0; j < filled; j++)
			tw_u8(&t, i == j ? 10 : (uint8_t)(20 + i + j));
	tw_end(&t);
}

/* The standard machine: every table, listed by an RSDT (rev 0) or also an XSDT (rev 2). */
static void build(struct fx *f, uint8_t rev)
{
	const uint64_t tables[] = { MADT_AT, HPET_AT, SRAT_AT, SLIT_AT };

	put_madt(f, MADT_AT);
	put_hpet(f, HPET_AT);
	put_srat(f, SRAT_AT);
	put_slit(f, SLIT_AT, 2, 2);
	put_root(f, RSDT_AT, "RSDT", tables, 4);
	if (rev >= 2)
		put_root(f, XSDT_AT, "XSDT", tables, 4);
	put_rsdp(f, rev, RSDT_AT, rev >= 2 ? XSDT_AT : 0);
}

/* Lists exactly the given tables at the root (RSDT, RSDP revision 0). */
static void build_root_only(struct fx *f, const uint64_t *tables, unsigned n)
{
	put_root(f, RSDT_AT, "RSDT", tables, n);
	put_rsdp(f, 0, RSDT_AT, 0);
}

/* ---- RSDP and root table ---- */

static void check_standard_tables(const struct acpi_info *in)
{
	static const char *sigs[] = { "APIC", "HPET", "SRAT", "SLIT" };
	static const uint64_t at[] = { MADT_AT, HPET_AT, SRAT_AT, SLIT_AT };

	assert_int_equal(in->ntables, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_string_equal(in->tables[i].sig, sigs[i]);
		assert_int_equal(in->tables[i].phys, at[i]);
		assert_true(in->tables[i].checksum_ok);
	}
	assert_true(in->have_madt);
	assert_true(in->hpet.present);
	assert_true(in->have_srat);
	assert_int_equal(in->slit_nodes, 2);
}

static void test_rsdp_v1_rsdt(void **state)
{
	struct fx *f = *state;

	build(f, 0);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.revision, 0);
	assert_string_equal(f->info.oem_id, "FERROS");
	assert_int_equal(f->info.warnings, 0);
	check_standard_tables(&f->info);
	assert_int_equal(f->info.tables[0].length, f->mem[MADT_AT + 4] | f->mem[MADT_AT + 5] << 8);
}

static void test_rsdp_v2_xsdt(void **state)
{
	struct fx *f = *state;

	build(f, 2);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.revision, 2);
	assert_int_equal(f->info.warnings, 0);
	check_standard_tables(&f->info);
}

static void test_xsdt_preferred(void **state)
{
	struct fx *f = *state;
	const uint64_t only_hpet[] = { HPET_AT };

	build(f, 2);
	/* The RSDT names only the HPET: the XSDT's four tables must win. */
	put_root(f, RSDT_AT, "RSDT", only_hpet, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.ntables, 4);

	/* An XSDT entry above 4 GiB is followed (and here is unreadable). */
	const uint64_t high[] = { 0x100000000ull + MADT_AT, HPET_AT };
	put_root(f, XSDT_AT, "XSDT", high, 2);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.ntables, 1);
	assert_true(f->info.warnings & ACPI_WARN_UNREADABLE);
}

static void test_xsdt_bad_falls_back(void **state)
{
	struct fx *f = *state;

	build(f, 2);
	f->mem[XSDT_AT + 20] ^= 1; /* checksum now wrong */
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_BAD_CHECKSUM | ACPI_WARN_ROOT_FALLBACK);
	check_standard_tables(&f->info);

	/* A wrong signature at the XSDT address also falls back. */
	build(f, 2);
	memcpy(f->mem + XSDT_AT, "RSDT", 4);
	fix_sum(f, XSDT_AT);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_ROOT_FALLBACK);
	check_standard_tables(&f->info);

	/* Unreadable XSDT. */
	build(f, 2);
	put_rsdp(f, 2, RSDT_AT, MEM_SIZE);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_UNREADABLE | ACPI_WARN_ROOT_FALLBACK);
	check_standard_tables(&f->info);
}

static void test_xsdt_zero_uses_rsdt(void **state)
{
	struct fx *f = *state;

	build(f, 2);
	put_rsdp(f, 2, RSDT_AT, 0);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, 0);
	check_standard_tables(&f->info);
}

static void test_rsdp_bad(void **state)
{
	struct fx *f = *state;

	build(f, 0);
	f->mem[RSDP_AT + 9] ^= 1; /* OEM id byte: v1 checksum wrong */
	assert_status(parse(f), FE_ERR_BAD_FORMAT);

	build(f, 0);
	f->mem[RSDP_AT + 3] = 'X';
	f->mem[RSDP_AT + 8] = 0;
	f->mem[RSDP_AT + 8] = (uint8_t)-sum(f->mem + RSDP_AT, 20); /* checksum right, signature wrong */
	assert_status(parse(f), FE_ERR_BAD_FORMAT);

	/* v2: the first 20 bytes fine, the extended checksum wrong. */
	build(f, 2);
	f->mem[RSDP_AT + 24] ^= 1;
	f->mem[RSDP_AT + 8] = 0;
	f->mem[RSDP_AT + 8] = (uint8_t)-sum(f->mem + RSDP_AT, 20);
	assert_status(parse(f), FE_ERR_BAD_FORMAT);

	/* v2 lengths too small and absurdly large (both with a right extended checksum). */
	static const uint32_t bad_len[] = { 20, 35, 1u << 20, UINT32_MAX };
	for (unsigned i = 0; i < 4; i++) {
		build(f, 2);
		put32(f->mem + RSDP_AT + 20, bad_len[i]);
		f->mem[RSDP_AT + 32] = 0;
		f->mem[RSDP_AT + 32] = (uint8_t)-sum(f->mem + RSDP_AT, 36);
		assert_status(parse(f), FE_ERR_BAD_FORMAT);
	}
}

static void test_rsdp_unreadable(void **state)
{
	struct fx *f = *state;

	assert_status(acpi_parse(MEM_SIZE, mem_map, f, &f->info), FE_ERR_FAULT);
	assert_status(acpi_parse(UINT64_MAX - 4, mem_map, f, &f->info), FE_ERR_FAULT);

	/* A v2 RSDP whose extended half runs off the end of memory. */
	build(f, 2);
	memcpy(f->mem + MEM_SIZE - 20, f->mem + RSDP_AT, 20);
	assert_status(acpi_parse(MEM_SIZE - 20, mem_map, f, &f->info), FE_ERR_FAULT);
	assert_int_equal(f->info.revision, 2); /* the first half was read */

	/* A v2 RSDP longer than 36 bytes whose extra bytes run off the end of memory. */
	memcpy(f->mem + MEM_SIZE - 36, f->mem + RSDP_AT, 36);
	put32(f->mem + MEM_SIZE - 36 + 20, 37);
	assert_status(acpi_parse(MEM_SIZE - 36, mem_map, f, &f->info), FE_ERR_FAULT);
}

static void test_root_bad(void **state)
{
	struct fx *f = *state;

	build(f, 0);
	f->mem[RSDT_AT + 20] ^= 1;
	assert_status(parse(f), FE_ERR_BAD_FORMAT);
	assert_true(f->info.warnings & ACPI_WARN_BAD_CHECKSUM);
	assert_int_equal(f->info.ntables, 0);

	build(f, 0);
	memcpy(f->mem + RSDT_AT, "XSDT", 4); /* a root of the other kind */
	fix_sum(f, RSDT_AT);
	assert_status(parse(f), FE_ERR_BAD_FORMAT);

	build(f, 0);
	put32(f->mem + RSDT_AT + 4, 35);
	assert_status(parse(f), FE_ERR_BAD_FORMAT);
	assert_true(f->info.warnings & ACPI_WARN_BAD_LENGTH);

	build(f, 0);
	put32(f->mem + RSDT_AT + 4, ACPI_MAX_TABLE_LEN + 1);
	assert_status(parse(f), FE_ERR_BAD_FORMAT);

	build(f, 0);
	put_rsdp(f, 0, 0, 0); /* no root at all */
	assert_status(parse(f), FE_ERR_BAD_FORMAT);

	/* Both roots bad: the last one's error is returned. */
	build(f, 2);
	f->mem[XSDT_AT + 20] ^= 1;
	put_rsdp(f, 2, MEM_SIZE - 8, XSDT_AT);
	assert_status(parse(f), FE_ERR_FAULT);
}

static void test_root_unreadable(void **state)
{
	struct fx *f = *state;

	build(f, 0);
	put_rsdp(f, 0, MEM_SIZE - 16, 0); /* header runs off the end */
	assert_status(parse(f), FE_ERR_FAULT);
	assert_true(f->info.warnings & ACPI_WARN_UNREADABLE);

	/* Header readable, body not. */
	build(f, 0);
	memcpy(f->mem + MEM_SIZE - 36, f->mem + RSDT_AT, 36);
	put32(f->mem + MEM_SIZE - 36 + 4, 36 + 16);
	put_rsdp(f, 0, MEM_SIZE - 36, 0);
	assert_status(parse(f), FE_ERR_FAULT);
}

static void test_root_odd_length(void **state)
{
	struct fx *f = *state;

	build(f, 0);
	/* Two trailing bytes after the four 4-byte entries. */
	put32(f->mem + RSDT_AT + 4, 36 + 16 + 2);
	fix_sum(f, RSDT_AT);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	check_standard_tables(&f->info);
}

static void test_null_args(void **state)
{
	struct fx *f = *state;

	build(f, 0);
	assert_status(acpi_parse(RSDP_AT, mem_map, f, NULL), FE_ERR_INVALID_ARG);
	memset(&f->info, 0xa5, sizeof(f->info));
	assert_status(acpi_parse(RSDP_AT, NULL, f, &f->info), FE_ERR_INVALID_ARG);
	assert_int_equal(f->info.ncpus, 0); /* zeroed even so */
	assert_int_equal(f->info.warnings, 0);
}

static void test_out_zeroed_on_error(void **state)
{
	struct fx *f = *state;
	static const struct acpi_info zero;

	memset(&f->info, 0xa5, sizeof(f->info));
	assert_status(acpi_parse(MEM_SIZE, mem_map, f, &f->info), FE_ERR_FAULT);
	assert_memory_equal(&f->info, &zero, sizeof(zero));
}

/* ---- MADT ---- */

static void test_madt_all_types(void **state)
{
	struct fx *f = *state;
	const struct acpi_info *in = &f->info;

	build(f, 2);
	assert_status(parse(f), FE_OK);
	assert_int_equal(in->warnings, 0);
	assert_true(in->have_madt);
	assert_true(in->pcat_compat);
	assert_int_equal(in->lapic_addr, LAPIC_BASE64); /* the type-5 override wins */

	assert_int_equal(in->ncpus, 3);
	assert_int_equal(in->cpus[0].apic_id, 0);
	assert_int_equal(in->cpus[0].uid, 0);
	assert_true(in->cpus[0].enabled);
	assert_false(in->cpus[0].online_capable);
	assert_int_equal(in->cpus[1].apic_id, 2);
	assert_int_equal(in->cpus[1].uid, 1);
	assert_false(in->cpus[1].enabled);
	assert_true(in->cpus[1].online_capable);
	assert_int_equal(in->cpus[2].apic_id, 0x100); /* x2APIC */
	assert_int_equal(in->cpus[2].uid, 3);
	assert_true(in->cpus[2].enabled);

	assert_int_equal(in->nioapics, 1);
	assert_int_equal(in->ioapics[0].id, 8);
	assert_int_equal(in->ioapics[0].addr, IOAPIC_BASE);
	assert_int_equal(in->ioapics[0].gsi_base, 0);

	assert_int_equal(in->noverrides, 4);
	assert_int_equal(in->overrides[2].bus, 0);
	assert_int_equal(in->overrides[2].source_irq, 10);
	assert_int_equal(in->overrides[2].gsi, 20);
	assert_int_equal(in->overrides[2].flags, LEVEL_LOW);
	assert_int_equal(in->overrides[3].bus, 1);

	assert_int_equal(in->nnmis, 2);
	assert_int_equal(in->nmis[0].uid, 0xffffffffu); /* 8-bit 0xff widened: all processors */
	assert_int_equal(in->nmis[0].flags, 5);
	assert_int_equal(in->nmis[0].lint, 1);
	assert_int_equal(in->nmis[1].uid, 3);
	assert_int_equal(in->nmis[1].flags, 0xd);
	assert_int_equal(in->nmis[1].lint, 0);
}

static void test_madt_no_pcat_no_override(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { MADT_AT };

	struct tw t = madt_begin(f, MADT_AT);
	put32(t.p + 40, 0); /* no 8259s */
	madt_lapic(&t, 0, 0, 1);
	tw_end(&t);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_false(f->info.pcat_compat);
	assert_int_equal(f->info.lapic_addr, LAPIC_BASE);
	assert_int_equal(f->info.ncpus, 1);
}

static void test_isa_irq(void **state)
{
	struct fx *f = *state;
	uint32_t gsi;
	uint16_t flags;

	build(f, 0);
	assert_status(parse(f), FE_OK);
	acpi_isa_irq(&f->info, 0, &gsi, &flags); /* overridden, bus-default flags */
	assert_int_equal(gsi, 2);
	assert_int_equal(flags, EDGE_HIGH);
	acpi_isa_irq(&f->info, 9, &gsi, &flags);
	assert_int_equal(gsi, 9);
	assert_int_equal(flags, LEVEL_HIGH);
	acpi_isa_irq(&f->info, 10, &gsi, &flags);
	assert_int_equal(gsi, 20);
	assert_int_equal(flags, LEVEL_LOW);
	acpi_isa_irq(&f->info, 1, &gsi, &flags); /* no override: identity */
	assert_int_equal(gsi, 1);
	assert_int_equal(flags, EDGE_HIGH);
	acpi_isa_irq(&f->info, 5, &gsi, &flags); /* the bus-1 override does not apply */
	assert_int_equal(gsi, 5);
	assert_int_equal(flags, EDGE_HIGH);
	acpi_isa_irq(NULL, 4, &gsi, &flags);
	assert_int_equal(gsi, 4);
	assert_int_equal(flags, EDGE_HIGH);
}

static void test_isa_irq_flag_fields(void **state)
{
	struct fx *f = *state;
	struct acpi_info *in = &f->info;
	static const struct { uint16_t in, out; } cases[] = {
		{ 0x0, EDGE_HIGH }, /* both "conforms to bus" */
		{ 0x1, EDGE_HIGH },  { 0x3, ACPI_INTI_TRIGGER_EDGE | ACPI_INTI_POLARITY_LOW },
		{ 0xc, LEVEL_HIGH }, { 0xf, LEVEL_LOW },
		{ 0x2, EDGE_HIGH },  { 0x8, EDGE_HIGH }, /* reserved values: bus default */
		{ 0xfff0 | 0xf, LEVEL_LOW },             /* bits above the fields ignored */
	};

	memset(in, 0, sizeof(*in));
	in->noverrides = 1;
	in->overrides[0] = (struct acpi_override){ .bus = 0, .source_irq = 3, .gsi = 33 };
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t gsi;
		uint16_t flags;

		in->overrides[0].flags = cases[i].in;
		acpi_isa_irq(in, 3, &gsi, &flags);
		assert_int_equal(gsi, 33);
		assert_int_equal(flags, cases[i].out);
	}
	/* A corrupt count is bounded by the array. */
	in->noverrides = UINT32_MAX;
	uint32_t gsi;
	uint16_t flags;
	acpi_isa_irq(in, 200, &gsi, &flags);
	assert_int_equal(gsi, 200);
}

static void test_bad_table_checksum(void **state)
{
	struct fx *f = *state;

	build(f, 0);
	f->mem[MADT_AT + 20] ^= 1;
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_BAD_CHECKSUM);
	assert_false(f->info.have_madt);
	assert_int_equal(f->info.ncpus, 0);
	assert_int_equal(f->info.ntables, 4); /* listed, marked bad */
	assert_string_equal(f->info.tables[0].sig, "APIC");
	assert_false(f->info.tables[0].checksum_ok);
	assert_true(f->info.hpet.present); /* the rest still parsed */
	assert_true(f->info.have_srat);
}

static void test_madt_entry_length_zero(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { MADT_AT, HPET_AT };

	struct tw t = madt_begin(f, MADT_AT);
	madt_lapic(&t, 0, 0, 1);
	tw_u8(&t, 0), tw_u8(&t, 0), tw_zero(&t, 6); /* length 0: the walk cannot go on */
	madt_lapic(&t, 1, 1, 1);
	tw_end(&t);
	put_hpet(f, HPET_AT);
	build_root_only(f, tables, 2);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_true(f->info.have_madt);
	assert_int_equal(f->info.ncpus, 1);
	assert_true(f->info.hpet.present);

	/* Length 1 is as bad. */
	f->mem[MADT_AT + 44 + 8 + 1] = 1;
	fix_sum(f, MADT_AT);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_int_equal(f->info.ncpus, 1);
}

static void test_madt_entry_past_end(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { MADT_AT };

	struct tw t = madt_begin(f, MADT_AT);
	madt_lapic(&t, 0, 0, 1);
	madt_lapic(&t, 1, 1, 1);
	t.p[t.len - 8 + 1] = 9; /* the last entry claims one byte more than the table has */
	tw_end(&t);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_int_equal(f->info.ncpus, 1);

	/* A single stray byte at the end: not even a record head. */
	t = madt_begin(f, MADT_AT);
	madt_lapic(&t, 0, 0, 1);
	tw_u8(&t, 0);
	tw_end(&t);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_int_equal(f->info.ncpus, 1);
}

static void test_madt_entry_too_short_for_type(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { MADT_AT };
	static const struct { uint8_t type, need; } types[] = {
		{ 0, 8 }, { 1, 12 }, { 2, 10 }, { 4, 6 }, { 5, 12 }, { 9, 16 }, { 0xa, 12 },
	};

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		/* One byte short of what the type needs, but consistent: the walk stays in step. */
		uint8_t len = (uint8_t)(types[i].need - 1);
		struct tw t = madt_begin(f, MADT_AT);
		tw_u8(&t, types[i].type), tw_u8(&t, len);
		for (unsigned j = 2; j < len; j++)
			tw_u8(&t, 0x01);
		madt_lapic(&t, 1, 1, 1);
		tw_end(&t);
		build_root_only(f, tables, 1);
		assert_status(parse(f), FE_OK);
		assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
		assert_int_equal(f->info.ncpus, 1);
		assert_int_equal(f->info.cpus[0].apic_id, 1);
		assert_int_equal(f->info.nioapics + f->info.noverrides + f->info.nnmis, 0);
		assert_int_equal(f->info.lapic_addr, LAPIC_BASE);
	}
}

static void test_madt_header_too_short(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { MADT_AT };

	struct tw t = tw_begin(f, MADT_AT, "APIC");
	tw_u32(&t, LAPIC_BASE); /* flags missing */
	tw_end(&t);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_false(f->info.have_madt);
	assert_int_equal(f->info.lapic_addr, 0);
}

static void test_too_many_cpus(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { SPARE_AT };

	struct tw t = madt_begin(f, SPARE_AT);
	for (uint32_t i = 0; i < ACPI_MAX_CPUS + 44; i++) {
		if (i % 2)
			madt_x2apic(&t, i, 1, i);
		else
			madt_lapic(&t, (uint8_t)i, (uint8_t)i, 1);
	}
	tw_end(&t);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TOO_MANY);
	assert_int_equal(f->info.ncpus, ACPI_MAX_CPUS);
	assert_int_equal(f->info.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
}

static void test_too_many_other_madt_entries(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { SPARE_AT };

	struct tw t = madt_begin(f, SPARE_AT);
	for (uint32_t i = 0; i <= ACPI_MAX_IOAPICS; i++) {
		tw_u8(&t, 1), tw_u8(&t, 12), tw_u8(&t, (uint8_t)i), tw_u8(&t, 0);
		tw_u32(&t, IOAPIC_BASE + i * 0x1000), tw_u32(&t, i * 24);
	}
	for (uint32_t i = 0; i <= ACPI_MAX_OVERRIDES; i++)
		madt_override(&t, 0, (uint8_t)i, i, 0);
	for (uint32_t i = 0; i <= ACPI_MAX_NMIS; i++)
		tw_u8(&t, 4), tw_u8(&t, 6), tw_u8(&t, (uint8_t)i), tw_u16(&t, 0), tw_u8(&t, 1);
	tw_end(&t);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TOO_MANY);
	assert_int_equal(f->info.nioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(f->info.noverrides, ACPI_MAX_OVERRIDES);
	assert_int_equal(f->info.nnmis, ACPI_MAX_NMIS);
	assert_int_equal(f->info.ioapics[ACPI_MAX_IOAPICS - 1].gsi_base, (ACPI_MAX_IOAPICS - 1) * 24);
}

static void test_duplicate_madt_ignored(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { SPARE_AT, MADT_AT };

	struct tw t = madt_begin(f, SPARE_AT);
	t.p[t.len - 4] = 0; /* bad copy first: bad checksum, so the good one is parsed */
	madt_lapic(&t, 0, 0x40, 1);
	tw_end(&t);
	f->mem[SPARE_AT + 20] ^= 1;
	put_madt(f, MADT_AT);
	build_root_only(f, tables, 2);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.ncpus, 3);
	assert_true(f->info.pcat_compat);

	/* Two good ones: only the first counts. */
	fix_sum(f, SPARE_AT);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, 0);
	assert_int_equal(f->info.ntables, 2);
	assert_int_equal(f->info.ncpus, 1);
	assert_int_equal(f->info.cpus[0].apic_id, 0x40);
	assert_false(f->info.pcat_compat);
}

/* ---- table-level problems ---- */

static void test_unreadable_table(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { MEM_SIZE + 0x1000, HPET_AT, MEM_SIZE - 10 };

	put_hpet(f, HPET_AT);
	build_root_only(f, tables, 3);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_UNREADABLE);
	assert_int_equal(f->info.ntables, 1); /* header never read: not listed */
	assert_true(f->info.hpet.present);
}

static void test_unreadable_table_body(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { MEM_SIZE - 36, HPET_AT };

	put_hpet(f, HPET_AT);
	memcpy(f->mem + MEM_SIZE - 36, "APIC", 4);
	put32(f->mem + MEM_SIZE - 32, 100); /* body runs off the end of memory */
	build_root_only(f, tables, 2);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_UNREADABLE);
	assert_int_equal(f->info.ntables, 2);
	assert_string_equal(f->info.tables[0].sig, "APIC");
	assert_false(f->info.tables[0].checksum_ok);
	assert_int_equal(f->info.tables[0].length, 100);
	assert_false(f->info.have_madt);
}

static void test_bad_table_length(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { MADT_AT, HPET_AT };
	static const uint32_t bad[] = { 0, 35, ACPI_MAX_TABLE_LEN + 1, UINT32_MAX };

	for (unsigned i = 0; i < 4; i++) {
		put_madt(f, MADT_AT);
		put_hpet(f, HPET_AT);
		put32(f->mem + MADT_AT + 4, bad[i]);
		build_root_only(f, tables, 2);
		assert_status(parse(f), FE_OK);
		assert_int_equal(f->info.warnings, ACPI_WARN_BAD_LENGTH);
		assert_int_equal(f->info.ntables, 2);
		assert_false(f->info.tables[0].checksum_ok);
		assert_false(f->info.have_madt);
		assert_true(f->info.hpet.present);
	}
}

static void test_too_many_tables(void **state)
{
	struct fx *f = *state;
	uint64_t tables[ACPI_MAX_TABLES + 2];

	put_hpet(f, HPET_AT);
	tables[0] = 0; /* a null entry is skipped, not counted */
	for (unsigned i = 1; i < ACPI_MAX_TABLES + 2; i++)
		tables[i] = HPET_AT;
	build_root_only(f, tables, ACPI_MAX_TABLES + 2);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TOO_MANY);
	assert_int_equal(f->info.ntables, ACPI_MAX_TABLES);
}

static void test_unknown_tables_listed(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { SPARE_AT };

	struct tw t = tw_begin(f, SPARE_AT, "FACP");
	tw_zero(&t, 200);
	tw_end(&t);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, 0);
	assert_int_equal(f->info.ntables, 1);
	assert_string_equal(f->info.tables[0].sig, "FACP");
	assert_int_equal(f->info.tables[0].length, 236);
	assert_true(f->info.tables[0].checksum_ok);
}

/* ---- HPET, SRAT, SLIT ---- */

static void test_hpet(void **state)
{
	struct fx *f = *state;

	build(f, 0);
	assert_status(parse(f), FE_OK);
	assert_true(f->info.hpet.present);
	assert_int_equal(f->info.hpet.address, HPET_BASE);
	assert_int_equal(f->info.hpet.number, 0);
	assert_int_equal(f->info.hpet.min_tick, 0x80);
}

static void test_hpet_bad(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { HPET_AT };

	/* Registers in I/O space: not usable as MMIO. */
	put_hpet(f, HPET_AT);
	f->mem[HPET_AT + 40] = 1;
	fix_sum(f, HPET_AT);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_false(f->info.hpet.present);

	/* Too short to hold the fields. */
	put_hpet(f, HPET_AT);
	put32(f->mem + HPET_AT + 4, 55);
	fix_sum(f, HPET_AT);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_false(f->info.hpet.present);
}

/* An MCFG with the given (base, segment, start bus, end bus) entries. */
static void put_mcfg(struct fx *f, uint32_t at, const uint64_t (*e)[4], unsigned n)
{
	struct tw t = tw_begin(f, at, "MCFG");

	tw_zero(&t, 8);
	for (unsigned i = 0; i < n; i++) {
		tw_u64(&t, e[i][0]);
		tw_u16(&t, (uint16_t)e[i][1]);
		tw_u8(&t, (uint8_t)e[i][2]), tw_u8(&t, (uint8_t)e[i][3]);
		tw_zero(&t, 4);
	}
	tw_end(&t);
}

static void test_mcfg(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { SPARE_AT };
	const uint64_t e[][4] = { { 0xb0000000ull, 0, 0, 255 }, { 0xe0000000ull, 1, 16, 31 } };

	put_mcfg(f, SPARE_AT, e, 2);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, 0);
	assert_int_equal(f->info.necam, 2);
	assert_int_equal(f->info.ecam[0].base, 0xb0000000ull);
	assert_int_equal(f->info.ecam[0].bus_end, 255);
	assert_int_equal(f->info.ecam[1].segment, 1);
	assert_int_equal(f->info.ecam[1].bus_start, 16);
	assert_int_equal(f->info.ecam[1].bus_end, 31);
}

static void test_mcfg_bad(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { SPARE_AT };
	/* Reversed buses, a base inside a bus, a window past 2^64; then a good one. */
	const uint64_t e[][4] = { { 0xb0000000ull, 0, 9, 8 }, { 0xb0001000ull, 0, 0, 0 },
		                  { 0xfffffffffff00000ull, 0, 0, 1 }, { 0xc0000000ull, 0, 0, 0 } };

	put_mcfg(f, SPARE_AT, e, 4);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_BAD_ENTRY);
	assert_int_equal(f->info.necam, 1);
	assert_int_equal(f->info.ecam[0].base, 0xc0000000ull);

	/* A length that ends inside an entry: the whole entries before it count. */
	put_mcfg(f, SPARE_AT, e + 3, 1);
	put32(f->mem + SPARE_AT + 4, 44 + 16 + 7);
	fix_sum(f, SPARE_AT);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_int_equal(f->info.necam, 1);

	/* Shorter than its fixed part. */
	put32(f->mem + SPARE_AT + 4, 40);
	fix_sum(f, SPARE_AT);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_int_equal(f->info.necam, 0);
}

static void test_mcfg_too_many(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { SPARE_AT };
	uint64_t e[ACPI_MAX_ECAM + 1][4];

	for (unsigned i = 0; i <= ACPI_MAX_ECAM; i++) {
		e[i][0] = 0x100000000ull + i * (1ull << 28);
		e[i][1] = i, e[i][2] = 0, e[i][3] = 255;
	}
	put_mcfg(f, SPARE_AT, (const uint64_t (*)[4])e, ACPI_MAX_ECAM + 1);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TOO_MANY);
	assert_int_equal(f->info.necam, ACPI_MAX_ECAM);
}

/* ---- DMAR ---- */

#define IOMMU_BASE 0xfed90000ull

static struct tw dmar_begin(struct fx *f, uint32_t at, uint8_t haw, uint8_t flags)
{
	struct tw t = tw_begin(f, at, "DMAR");

	tw_u8(&t, haw);
	tw_u8(&t, flags);
	tw_zero(&t, 10);
	return t;
}

/* Opens a remapping structure of `type`; dmar_close writes its length. */
static uint32_t dmar_open(struct tw *t, uint16_t type)
{
	uint32_t at = t->len;

	tw_u16(t, type);
	tw_u16(t, 0);
	return at;
}

static void dmar_close(struct tw *t, uint32_t at)
{
	put16(t->p + at + 2, (uint16_t)(t->len - at));
}

static uint32_t drhd_open(struct tw *t, uint8_t flags, uint16_t segment, uint64_t base)
{
	uint32_t at = dmar_open(t, 0);

	tw_u8(t, flags);
	tw_u8(t, 0);
	tw_u16(t, segment);
	tw_u64(t, base);
	return at;
}

static uint32_t rmrr_open(struct tw *t, uint16_t segment, uint64_t base, uint64_t limit)
{
	uint32_t at = dmar_open(t, 1);

	tw_u16(t, 0);
	tw_u16(t, segment);
	tw_u64(t, base);
	tw_u64(t, limit);
	return at;
}

/* A device scope with `hops` (device, function) pairs from `path`. */
static void scope(struct tw *t, uint8_t type, uint8_t enum_id, uint8_t bus, const uint8_t *path,
                  unsigned hops)
{
	tw_u8(t, type);
	tw_u8(t, (uint8_t)(6 + 2 * hops));
	tw_u16(t, 0);
	tw_u8(t, enum_id);
	tw_u8(t, bus);
	for (unsigned i = 0; i < 2 * hops; i++)
		tw_u8(t, path[i]);
}

static void parse_dmar_at(struct fx *f)
{
	const uint64_t tables[] = { SPARE_AT };

	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
}

/* QEMU's shape (one unit for every device, an I/O APIC scope), a second
 * unit for one endpoint, a reserved region, and an ATSR that is skipped. */
static void test_dmar(void **state)
{
	struct fx *f = *state;
	const struct acpi_dmar *d = &f->info.dmar;
	const uint8_t ioapic[] = { 0, 0 }, nic[] = { 4, 0 }, usb[] = { 0x1d, 0 }, deep[] = { 1, 0, 0, 2 };
	struct tw t = dmar_begin(f, SPARE_AT, 38, ACPI_DMAR_INTR_REMAP);
	uint32_t at = drhd_open(&t, 0, 0, IOMMU_BASE + 0x1000);

	scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, nic, 1);
	scope(&t, ACPI_DMAR_SCOPE_BRIDGE, 0, 0, deep, 2);
	dmar_close(&t, at);
	at = drhd_open(&t, 1, 0, IOMMU_BASE);
	scope(&t, ACPI_DMAR_SCOPE_IOAPIC, 2, 0xff, ioapic, 1);
	dmar_close(&t, at);
	at = dmar_open(&t, 2); /* ATSR: not used */
	tw_zero(&t, 4);
	dmar_close(&t, at);
	at = rmrr_open(&t, 0, 0xe0000, 0xfffff);
	scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, usb, 1);
	dmar_close(&t, at);
	tw_end(&t);
	parse_dmar_at(f);

	assert_int_equal(f->info.warnings, 0);
	assert_true(d->present);
	assert_int_equal(d->host_addr_width, 39);
	assert_int_equal(d->flags, ACPI_DMAR_INTR_REMAP);
	assert_int_equal(d->drhd_dropped, 0);
	assert_int_equal(d->ndrhd, 2);
	assert_int_equal(d->drhd[0].base, IOMMU_BASE + 0x1000);
	assert_false(d->drhd[0].include_all);
	assert_int_equal(d->drhd[0].nscopes, 2);
	assert_int_equal(d->drhd[0].scopes[0].type, ACPI_DMAR_SCOPE_ENDPOINT);
	assert_int_equal(d->drhd[0].scopes[0].path_len, 1);
	assert_int_equal(d->drhd[0].scopes[0].path[0].dev, 4);
	assert_int_equal(d->drhd[0].scopes[1].path_len, 2);
	assert_int_equal(d->drhd[0].scopes[1].path[1].fn, 2);
	assert_true(d->drhd[1].include_all);
	assert_int_equal(d->drhd[1].base, IOMMU_BASE);
	assert_int_equal(d->drhd[1].nscopes, 1);
	assert_int_equal(d->drhd[1].scopes[0].type, ACPI_DMAR_SCOPE_IOAPIC);
	assert_int_equal(d->drhd[1].scopes[0].enum_id, 2);
	assert_int_equal(d->drhd[1].scopes[0].start_bus, 0xff);
	assert_int_equal(d->nrmrr, 1);
	assert_int_equal(d->rmrr[0].base, 0xe0000);
	assert_int_equal(d->rmrr[0].limit, 0xfffff);
	assert_int_equal(d->rmrr[0].scopes[0].path[0].dev, 0x1d);
}

/* Impossible values: the entry (or scope) is skipped, the rest kept. */
static void test_dmar_bad_entries(void **state)
{
	struct fx *f = *state;
	const struct acpi_dmar *d = &f->info.dmar;
	const uint8_t bad_dev[] = { 32, 0 }, bad_fn[] = { 3, 8 }, good[] = { 3, 1 };
	struct tw t = dmar_begin(f, SPARE_AT, 47, 0);
	uint32_t at;

	dmar_close(&t, drhd_open(&t, 1, 0, 0));                /* no registers */
	dmar_close(&t, drhd_open(&t, 1, 0, IOMMU_BASE + 8));   /* not page aligned */
	dmar_close(&t, rmrr_open(&t, 0, 0x1800, 0x1fff));      /* base inside a page */
	dmar_close(&t, rmrr_open(&t, 0, 0x1000, 0x17ff));      /* limit inside a page */
	dmar_close(&t, rmrr_open(&t, 0, 0x3000, 0x1fff));      /* reversed */
	at = drhd_open(&t, 1, 0, IOMMU_BASE);
	scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, bad_dev, 1);
	scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, bad_fn, 1);
	scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, good, 0);   /* no path */
	scope(&t, 9, 0, 0, good, 1);                          /* unknown type: ignored */
	scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, 5, good, 1);
	dmar_close(&t, at);
	tw_end(&t);
	parse_dmar_at(f);

	assert_int_equal(f->info.warnings, ACPI_WARN_BAD_ENTRY);
	assert_int_equal(d->host_addr_width, 48);
	assert_int_equal(d->drhd_dropped, 2);
	assert_int_equal(d->ndrhd, 1);
	assert_int_equal(d->nrmrr, 0);
	assert_int_equal(d->drhd[0].nscopes, 1);
	assert_int_equal(d->drhd[0].scopes[0].start_bus, 5);
	assert_int_equal(d->drhd[0].scopes[0].path[0].fn, 1);
}

/* A structure or scope whose length is wrong ends the walk at its level. */
static void test_dmar_truncated(void **state)
{
	struct fx *f = *state;
	const struct acpi_dmar *d = &f->info.dmar;
	const uint8_t p[] = { 1, 0 };
	struct tw t = dmar_begin(f, SPARE_AT, 38, 0);
	uint32_t at = drhd_open(&t, 0, 0, IOMMU_BASE);

	scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, p, 1);
	tw_u8(&t, ACPI_DMAR_SCOPE_ENDPOINT); /* a scope of odd length: the walk stops */
	tw_u8(&t, 7);
	tw_zero(&t, 5);
	scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, p, 1);
	dmar_close(&t, at);
	at = dmar_open(&t, 0); /* a unit too short for its registers */
	tw_zero(&t, 8);
	dmar_close(&t, at);
	at = dmar_open(&t, 0); /* a length of 3: the table walk stops */
	put16(t.p + at + 2, 3);
	dmar_close(&t, drhd_open(&t, 1, 0, IOMMU_BASE + 0x1000));
	put16(t.p + at + 2, 3);
	tw_end(&t);
	parse_dmar_at(f);

	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_int_equal(d->ndrhd, 1);
	assert_int_equal(d->drhd[0].nscopes, 1);
	assert_int_equal(d->drhd_dropped, 2); /* the short one, and whatever followed the bad length */

	/* A structure running past the table, then a table too short for its header. */
	t = dmar_begin(f, SPARE_AT, 38, 0);
	at = drhd_open(&t, 1, 0, IOMMU_BASE);
	dmar_close(&t, at);
	put16(t.p + at + 2, 200);
	tw_end(&t);
	parse_dmar_at(f);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_true(d->present);
	assert_int_equal(d->ndrhd, 0);
	assert_int_equal(d->drhd_dropped, 1);

	put32(f->mem + SPARE_AT + 4, 47);
	fix_sum(f, SPARE_AT);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_false(d->present);
}

static void test_dmar_too_many(void **state)
{
	struct fx *f = *state;
	const struct acpi_dmar *d = &f->info.dmar;
	const uint8_t p[] = { 1, 0, 2, 0, 3, 0, 4, 0, 5, 0 };
	struct tw t = dmar_begin(f, SPARE_AT, 38, 0);
	uint32_t at;

	for (unsigned i = 0; i <= ACPI_MAX_DRHD; i++)
		dmar_close(&t, drhd_open(&t, 0, 0, IOMMU_BASE + 0x1000 * i));
	for (unsigned i = 0; i <= ACPI_MAX_RMRR; i++)
		dmar_close(&t, rmrr_open(&t, 0, 0x100000 * i, 0x100000 * i + 0xfff));
	at = rmrr_open(&t, 0, 0, 0xfff);
	for (unsigned i = 0; i <= ACPI_MAX_DMAR_SCOPES; i++)
		scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, (uint8_t)i, p, 1);
	dmar_close(&t, at);
	tw_end(&t);
	parse_dmar_at(f);
	assert_int_equal(f->info.warnings, ACPI_WARN_TOO_MANY);
	assert_int_equal(d->ndrhd, ACPI_MAX_DRHD);
	assert_int_equal(d->drhd_dropped, 1);
	assert_int_equal(d->nrmrr, ACPI_MAX_RMRR);

	/* Too many scopes, and a path longer than a scope holds. */
	t = dmar_begin(f, SPARE_AT, 38, 0);
	at = drhd_open(&t, 0, 0, IOMMU_BASE);
	for (unsigned i = 0; i <= ACPI_MAX_DMAR_SCOPES; i++)
		scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, (uint8_t)i, p, 1);
	dmar_close(&t, at);
	at = drhd_open(&t, 0, 0, IOMMU_BASE + 0x1000);
	scope(&t, ACPI_DMAR_SCOPE_BRIDGE, 0, 0, p, ACPI_MAX_SCOPE_PATH + 1);
	scope(&t, ACPI_DMAR_SCOPE_BRIDGE, 0, 0, p, ACPI_MAX_SCOPE_PATH);
	dmar_close(&t, at);
	tw_end(&t);
	parse_dmar_at(f);
	assert_int_equal(f->info.warnings, ACPI_WARN_TOO_MANY);
	assert_int_equal(d->drhd[0].nscopes, ACPI_MAX_DMAR_SCOPES);
	assert_int_equal(d->drhd[0].scopes[ACPI_MAX_DMAR_SCOPES - 1].start_bus, ACPI_MAX_DMAR_SCOPES - 1);
	assert_int_equal(d->drhd[1].nscopes, 1);
	assert_int_equal(d->drhd[1].scopes[0].path_len, ACPI_MAX_SCOPE_PATH);
	assert_int_equal(d->drhd[1].scopes[0].path[ACPI_MAX_SCOPE_PATH - 1].dev, 4);
}

static void test_srat(void **state)
{
	struct fx *f = *state;
	const struct acpi_info *in = &f->info;

	build(f, 0);
	assert_status(parse(f), FE_OK);
	assert_true(in->have_srat);
	assert_int_equal(in->nsrat_cpus, 3);
	assert_int_equal(in->srat_cpus[0].apic_id, 0);
	assert_int_equal(in->srat_cpus[0].node, 0);
	assert_int_equal(in->srat_cpus[1].apic_id, 2);
	assert_int_equal(in->srat_cpus[1].node, 0x01020301);
	assert_int_equal(in->srat_cpus[2].apic_id, 0x100);
	assert_int_equal(in->srat_cpus[2].node, 7);

	assert_int_equal(in->nsrat_mems, 2);
	assert_int_equal(in->srat_mems[0].base, 0);
	assert_int_equal(in->srat_mems[0].length, 0x80000000);
	assert_int_equal(in->srat_mems[0].node, 0);
	assert_false(in->srat_mems[0].hotplug);
	assert_false(in->srat_mems[0].nonvolatile);
	assert_int_equal(in->srat_mems[1].base, 0x100000000ull);
	assert_int_equal(in->srat_mems[1].length, 0x40000000);
	assert_int_equal(in->srat_mems[1].node, 1);
	assert_true(in->srat_mems[1].hotplug);
	assert_true(in->srat_mems[1].nonvolatile);
}

static void test_srat_bad(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[] = { SRAT_AT };

	/* A memory record cut short (consistent length): skipped, the walk goes on. */
	struct tw t = srat_begin(f, SRAT_AT);
	tw_u8(&t, 1), tw_u8(&t, 24), tw_zero(&t, 22);
	srat_cpu(&t, 5, 9, 1);
	tw_end(&t);
	build_root_only(f, tables, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_int_equal(f->info.nsrat_mems, 0);
	assert_int_equal(f->info.nsrat_cpus, 1);
	assert_int_equal(f->info.srat_cpus[0].node, 5);

	/* A record running past the table: the walk stops. */
	t = srat_begin(f, SRAT_AT);
	srat_cpu(&t, 5, 9, 1);
	tw_u8(&t, 2), tw_u8(&t, 24), tw_zero(&t, 10);
	tw_end(&t);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_int_equal(f->info.nsrat_cpus, 1);

	/* Each type one byte short of what it needs: skipped, the walk goes on. */
	static const struct { uint8_t type, need; } types[] = { { 0, 16 }, { 1, 40 }, { 2, 24 } };
	for (unsigned i = 0; i < 3; i++) {
		uint8_t len = (uint8_t)(types[i].need - 1);
		t = srat_begin(f, SRAT_AT);
		tw_u8(&t, types[i].type), tw_u8(&t, len);
		for (unsigned j = 2; j < len; j++)
			tw_u8(&t, 0x01); /* "enabled" wherever the flags would be */
		srat_cpu(&t, 6, 9, 1);
		tw_end(&t);
		assert_status(parse(f), FE_OK);
		assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
		assert_int_equal(f->info.nsrat_cpus, 1);
		assert_int_equal(f->info.nsrat_mems, 0);
		assert_int_equal(f->info.srat_cpus[0].node, 6);
	}

	/* Types we do not use (GIC affinity, ...) are skipped. */
	t = srat_begin(f, SRAT_AT);
	tw_u8(&t, 3), tw_u8(&t, 18), tw_zero(&t, 16);
	srat_cpu(&t, 5, 9, 1);
	tw_end(&t);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, 0);
	assert_int_equal(f->info.nsrat_cpus, 1);

	/* The fixed part itself too short. */
	t = tw_begin(f, SRAT_AT, "SRAT");
	tw_u32(&t, 1);
	tw_end(&t);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TRUNCATED);
	assert_false(f->info.have_srat);

	/* More memory ranges and processors than fit. */
	t = srat_begin(f, SPARE2_AT);
	for (uint32_t i = 0; i <= ACPI_MAX_MEM_AFFINITY; i++)
		srat_mem(&t, i, (uint64_t)i << 30, 1u << 30, 1);
	for (uint32_t i = 0; i <= ACPI_MAX_CPUS; i++)
		srat_cpu(&t, i, (uint8_t)i, 1);
	tw_end(&t);
	const uint64_t big[] = { SPARE2_AT };
	build_root_only(f, big, 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(f->info.warnings, ACPI_WARN_TOO_MANY);
	assert_int_equal(f->info.nsrat_mems, ACPI_MAX_MEM_AFFINITY);
	assert_int_equal(f->info.nsrat_cpus, ACPI_MAX_CPUS);
	assert_int_equal(f->info.srat_cpus[ACPI_MAX_CPUS - 1].node, ACPI_MAX_CPUS - 1);
}

static void test_slit(void **state)
{
	struct fx *f = *state;
	const struct acpi_info *in = &f->info;

	build(f, 0);
	assert_status(parse(f), FE_OK);
	assert_int_equal(in->slit_nodes, 2);
	assert_int_equal(in->slit[0][0], 10);
	assert_int_equal(in->slit[0][1], 21);
	assert_int_equal(in->slit[1][0], 21);
	assert_int_equal(in->slit[1][1], 10);

	/* The largest accepted. */
	put_slit(f, SLIT_AT, ACPI_MAX_NODES, ACPI_MAX_NODES);
	assert_status(parse(f), FE_OK);
	assert_int_equal(in->warnings, 0);
	assert_int_equal(in->slit_nodes, ACPI_MAX_NODES);
	assert_int_equal(in->slit[ACPI_MAX_NODES - 1][ACPI_MAX_NODES - 2], 20 + 2 * ACPI_MAX_NODES - 3);
}

static void test_slit_bad(void **state)
{
	struct fx *f = *state;
	const struct acpi_info *in = &f->info;

	build(f, 0);
	put_slit(f, SLIT_AT, ACPI_MAX_NODES + 1, ACPI_MAX_NODES + 1);
	assert_status(parse(f), FE_OK);
	assert_int_equal(in->slit_nodes, 0);
	assert_int_equal(in->warnings, ACPI_WARN_TOO_MANY);

	put_slit(f, SLIT_AT, UINT64_MAX, 0); /* n * n would wrap */
	assert_status(parse(f), FE_OK);
	assert_int_equal(in->slit_nodes, 0);

	put_slit(f, SLIT_AT, 3, 2); /* matrix larger than the table */
	assert_status(parse(f), FE_OK);
	assert_int_equal(in->slit_nodes, 0);
	assert_int_equal(in->warnings, ACPI_WARN_TRUNCATED);

	put_slit(f, SLIT_AT, 0, 0); /* present but empty */
	assert_status(parse(f), FE_OK);
	assert_int_equal(in->slit_nodes, 0);
	assert_int_equal(in->warnings, 0);

	struct tw t = tw_begin(f, SLIT_AT, "SLIT"); /* no room for the count */
	tw_u32(&t, 1);
	tw_end(&t);
	assert_status(parse(f), FE_OK);
	assert_int_equal(in->warnings, ACPI_WARN_TRUNCATED);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rsdp_v1_rsdt),
		T(test_rsdp_v2_xsdt),
		T(test_xsdt_preferred),
		T(test_xsdt_bad_falls_back),
		T(test_xsdt_zero_uses_rsdt),
		T(test_rsdp_bad),
		T(test_rsdp_unreadable),
		T(test_root_bad),
		T(test_root_unreadable),
		T(test_root_odd_length),
		T(test_null_args),
		T(test_out_zeroed_on_error),
		T(test_madt_all_types),
		T(test_madt_no_pcat_no_override),
		T(test_isa_irq),
		T(test_isa_irq_flag_fields),
		T(test_bad_table_checksum),
		T(test_madt_entry_length_zero),
		T(test_madt_entry_past_end),
		T(test_madt_entry_too_short_for_type),
		T(test_madt_header_too_short),
		T(test_too_many_cpus),
		T(test_too_many_other_madt_entries),
		T(test_duplicate_madt_ignored),
		T(test_unreadable_table),
		T(test_unreadable_table_body),
		T(test_bad_table_length),
		T(test_too_many_tables),
		T(test_unknown_tables_listed),
		T(test_hpet),
		T(test_hpet_bad),
		T(test_srat),
		T(test_srat_bad),
		T(test_slit),
		T(test_slit_bad),
		T(test_mcfg),
		T(test_mcfg_bad),
		T(test_mcfg_too_many),
		T(test_dmar),
		T(test_dmar_bad_entries),
		T(test_dmar_truncated),
		T(test_dmar_too_many),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
