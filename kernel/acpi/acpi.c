/* SPDX-License-Identifier: MIT */
/*
 * ACPI table parsing. The tables are firmware bytes reached through the
 * caller's map function: every table is mapped for exactly the length it
 * claims (after that length has been bounded), its checksum is verified
 * before any field is used, every sub-structure is bounds-checked against its
 * table, and multi-byte fields are copied out (the tables have no alignment).
 *
 * struct acpi_info is large: it is only ever written through the caller's
 * pointer, never built on the stack.
 */
#include "acpi.h"
#include "parse.h"

#define SDT_HDR_LEN 36u     /* signature, length, revision, checksum, OEM ids */
#define RSDP_V1_LEN 20u
#define RSDP_V2_LEN 36u
#define RSDP_MAX_LEN 4096u  /* the v2 RSDP is 36 bytes: room to grow, not for nonsense */

#define MADT_ENTRIES 44u    /* header, local APIC address, flags */
#define SRAT_ENTRIES 48u    /* header, 12 reserved bytes */
#define SLIT_MATRIX 44u     /* header, 8-byte locality count */
#define HPET_LEN 56u
#define MCFG_ENTRIES 44u /* header and 8 reserved bytes */
#define MCFG_ENTRY_LEN 16u
#define ECAM_ALIGN (1ull << 20) /* one bus's configuration space */

#define MADT_PCAT_COMPAT 1u
#define MADT_CPU_ENABLED 1u
#define MADT_CPU_ONLINE_CAPABLE 2u
#define MADT_NMI_ALL_UIDS 0xffu

#define SRAT_ENABLED 1u
#define SRAT_MEM_HOTPLUG 2u
#define SRAT_MEM_NONVOLATILE 4u

#define GAS_SYSTEM_MEMORY 0u

/* MADT record types, with the length each needs. */
enum {
	MADT_LAPIC = 0, MADT_LAPIC_LEN = 8,
	MADT_IOAPIC = 1, MADT_IOAPIC_LEN = 12,
	MADT_OVERRIDE = 2, MADT_OVERRIDE_LEN = 10,
	MADT_LAPIC_NMI = 4, MADT_LAPIC_NMI_LEN = 6,
	MADT_LAPIC_ADDR = 5, MADT_LAPIC_ADDR_LEN = 12,
	MADT_X2APIC = 9, MADT_X2APIC_LEN = 16,
	MADT_X2APIC_NMI = 0xa, MADT_X2APIC_NMI_LEN = 12,
};

/* SRAT record types, with the length each needs. */
enum {
	SRAT_CPU = 0, SRAT_CPU_LEN = 16,
	SRAT_MEM = 1, SRAT_MEM_LEN = 40,
	SRAT_X2APIC = 2, SRAT_X2APIC_LEN = 24,
};

/* The caller's window onto physical memory. */
struct acpi_mem {
	acpi_map_fn map;
	void *ctx;
};

/* What the RSDP points at (0 = absent). */
struct rsdp_info {
	uint64_t rsdt;
	uint64_t xsdt;
};

/* A checked root table: XSDT (8-byte entries) or RSDT (4-byte entries). */
struct root_table {
	const uint8_t *p;
	uint32_t len;
	uint32_t esize;
};

/* The byte sum of p[0, len): zero for a valid ACPI structure. */
static uint8_t byte_sum(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

static bool sig_eq(const void *p, const char *sig, uint32_t n)
{
	const uint8_t *b = p;

	for (uint32_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)sig[i])
			return false;
	return true;
}

/*
 * Checks the RSDP's extended (ACPI 2.0+) part and reads the XSDT address.
 * Returns FE_OK, FE_ERR_FAULT (not readable) or FE_ERR_BAD_FORMAT.
 */
static fe_status_t rsdp_ext(const struct acpi_mem *m, uint64_t phys, uint64_t *xsdt)
{
	const uint8_t *p = m->map(phys, RSDP_V2_LEN, m->ctx);

	if (p == NULL)
		return FE_ERR_FAULT;
	uint32_t len = acpi_rd32(p + 20);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN)
		return FE_ERR_BAD_FORMAT;
	p = m->map(phys, len, m->ctx);
	if (p == NULL)
		return FE_ERR_FAULT;
	if (byte_sum(p, len) != 0)
		return FE_ERR_BAD_FORMAT;
	*xsdt = acpi_rd64(p + 24);
	return FE_OK;
}

/*
 * Checks the RSDP at `phys`: signature and the 20-byte checksum, and for
 * revision 2+ the extended checksum. Records its revision and OEM id in
 * *out. Returns FE_OK, FE_ERR_FAULT (not readable) or FE_ERR_BAD_FORMAT.
 */
static fe_status_t rsdp_read(const struct acpi_mem *m, uint64_t phys, struct acpi_info *out,
                             struct rsdp_info *r)
{
	const uint8_t *p = m->map(phys, RSDP_V1_LEN, m->ctx);

	if (p == NULL)
		return FE_ERR_FAULT;
	if (!sig_eq(p, "RSD PTR ", 8) || byte_sum(p, RSDP_V1_LEN) != 0)
		return FE_ERR_BAD_FORMAT;
	out->revision = p[15];
	__builtin_memcpy(out->oem_id, p + 9, 6);
	r->rsdt = acpi_rd32(p + 16);
	r->xsdt = 0;
	if (out->revision < 2)
		return FE_OK;
	return rsdp_ext(m, phys, &r->xsdt);
}

/*
 * Starts a fresh *ref for the table at `phys` with the signature and length
 * from its header. Returns FE_OK, or FE_ERR_FAULT if the header is unreadable.
 */
static fe_status_t sdt_header(const struct acpi_mem *m, uint64_t phys, struct acpi_table_ref *ref)
{
	const uint8_t *h = m->map(phys, SDT_HDR_LEN, m->ctx);

	*ref = (struct acpi_table_ref){ .phys = phys };
	if (h == NULL)
		return FE_ERR_FAULT;
	__builtin_memcpy(ref->sig, h, 4);
	ref->length = acpi_rd32(h + 4);
	return FE_OK;
}

/*
 * Maps the whole table `ref` names and checks its length and checksum.
 * Returns FE_OK with *body set and ref->checksum_ok true; otherwise ORs one
 * ACPI_WARN_* bit into *warn and returns FE_ERR_BAD_FORMAT (absurd length,
 * bad checksum) or FE_ERR_FAULT (the body is not readable).
 */
static fe_status_t sdt_body(const struct acpi_mem *m, struct acpi_table_ref *ref,
                            const uint8_t **body, uint32_t *warn)
{
	if (ref->length < SDT_HDR_LEN || ref->length > ACPI_MAX_TABLE_LEN) {
		*warn |= ACPI_WARN_BAD_LENGTH;
		return FE_ERR_BAD_FORMAT;
	}
	const uint8_t *t = m->map(ref->phys, ref->length, m->ctx);
	if (t == NULL) {
		*warn |= ACPI_WARN_UNREADABLE;
		return FE_ERR_FAULT;
	}
	if (byte_sum(t, ref->length) != 0) {
		*warn |= ACPI_WARN_BAD_CHECKSUM;
		return FE_ERR_BAD_FORMAT;
	}
	ref->checksum_ok = true;
	*body = t;
	return FE_OK;
}

/*
 * Maps and checks the root table at `phys`, which must carry signature `sig`.
 * Returns FE_OK with *root's pointer and length set, FE_ERR_FAULT or
 * FE_ERR_BAD_FORMAT; problems with a warning bit are recorded in *out.
 */
static fe_status_t root_try(const struct acpi_mem *m, uint64_t phys, const char *sig,
                            struct acpi_info *out, struct root_table *root)
{
	struct acpi_table_ref ref;

	if (sdt_header(m, phys, &ref) != FE_OK) {
		out->warnings |= ACPI_WARN_UNREADABLE;
		return FE_ERR_FAULT;
	}
	if (!sig_eq(ref.sig, sig, 4))
		return FE_ERR_BAD_FORMAT;
	fe_status_t st = sdt_body(m, &ref, &root->p, &out->warnings);
	if (st == FE_OK)
		root->len = ref.length;
	return st;
}

/*
 * Loads the XSDT when the RSDP names one, else (or when it is unusable, with
 * ACPI_WARN_ROOT_FALLBACK) the RSDT. Returns FE_OK, or the error of the last
 * table tried: FE_ERR_FAULT or FE_ERR_BAD_FORMAT (also when neither exists).
 */
static fe_status_t root_load(const struct acpi_mem *m, const struct rsdp_info *r,
                             struct acpi_info *out, struct root_table *root)
{
	fe_status_t st = FE_ERR_BAD_FORMAT;

	if (r->xsdt != 0) {
		st = root_try(m, r->xsdt, "XSDT", out, root);
		if (st == FE_OK) {
			root->esize = 8;
			return FE_OK;
		}
		if (r->rsdt != 0)
			out->warnings |= ACPI_WARN_ROOT_FALLBACK;
	}
	if (r->rsdt != 0) {
		st = root_try(m, r->rsdt, "RSDT", out, root);
		root->esize = 4;
	}
	return st;
}

/* True when record `len` is at least `need` bytes; else records ACPI_WARN_TRUNCATED. */
static bool rec_fits(uint32_t len, uint32_t need, struct acpi_info *out)
{
	if (len >= need)
		return true;
	out->warnings |= ACPI_WARN_TRUNCATED;
	return false;
}

typedef void (*record_fn)(const uint8_t *rec, uint32_t len, struct acpi_info *out);

/*
 * Calls `fn` on each (type, length) record in t[start, len), start <= len.
 * Stops with ACPI_WARN_TRUNCATED at a record shorter than its own two-byte
 * head or running past the table: the walk has lost its place there, so
 * nothing after it can be trusted.
 */
static void walk_records(const uint8_t *t, uint32_t start, uint32_t len, record_fn fn,
                         struct acpi_info *out)
{
	uint32_t off = start;

	while (off < len) {
		uint32_t rlen = len - off >= 2 ? t[off + 1] : 0;

		if (rlen < 2 || rlen > len - off) {
			out->warnings |= ACPI_WARN_TRUNCATED;
			return;
		}
		fn(t + off, rlen, out);
		off += rlen;
	}
}

/* Records a processor unless it is neither enabled nor online-capable (unusable). */
static void add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
	bool enabled = flags & MADT_CPU_ENABLED, capable = flags & MADT_CPU_ONLINE_CAPABLE;

	if (!enabled && !capable)
		return;
	if (out->ncpus == ACPI_MAX_CPUS) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	out->cpus[out->ncpus++] = (struct acpi_cpu){ apic_id, uid, enabled, capable };
}

static void add_ioapic(struct acpi_info *out, const uint8_t *r)
{
	if (out->nioapics == ACPI_MAX_IOAPICS) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	out->ioapics[out->nioapics++] = (struct acpi_ioapic){
		.id = r[2], .addr = acpi_rd32(r + 4), .gsi_base = acpi_rd32(r + 8),
	};
}

static void add_override(struct acpi_info *out, const uint8_t *r)
{
	if (out->noverrides == ACPI_MAX_OVERRIDES) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	out->overrides[out->noverrides++] = (struct acpi_override){
		.bus = r[2], .source_irq = r[3], .gsi = acpi_rd32(r + 4), .flags = acpi_rd16(r + 8),
	};
}

static void add_nmi(struct acpi_info *out, uint32_t uid, uint16_t flags, uint8_t lint)
{
	if (out->nnmis == ACPI_MAX_NMIS) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	out->nmis[out->nnmis++] = (struct acpi_lapic_nmi){ uid, flags, lint };
}

/* One MADT record; types we have no use for (GIC, SAPIC, ...) are ignored. */
static void madt_record(const uint8_t *r, uint32_t len, struct acpi_info *out)
{
	switch (r[0]) {
	case MADT_LAPIC:
		if (rec_fits(len, MADT_LAPIC_LEN, out))
			add_cpu(out, r[3], r[2], acpi_rd32(r + 4));
		break;
	case MADT_IOAPIC:
		if (rec_fits(len, MADT_IOAPIC_LEN, out))
			add_ioapic(out, r);
		break;
	case MADT_OVERRIDE:
		if (rec_fits(len, MADT_OVERRIDE_LEN, out))
			add_override(out, r);
		break;
	case MADT_LAPIC_NMI:
		/* An 8-bit UID of 0xff means every processor: widen it to the x2APIC form. */
		if (rec_fits(len, MADT_LAPIC_NMI_LEN, out))
			add_nmi(out, r[2] == MADT_NMI_ALL_UIDS ? UINT32_MAX : r[2], acpi_rd16(r + 3), r[5]);
		break;
	case MADT_LAPIC_ADDR:
		if (rec_fits(len, MADT_LAPIC_ADDR_LEN, out))
			out->lapic_addr = acpi_rd64(r + 4);
		break;
	case MADT_X2APIC:
		if (rec_fits(len, MADT_X2APIC_LEN, out))
			add_cpu(out, acpi_rd32(r + 4), acpi_rd32(r + 12), acpi_rd32(r + 8));
		break;
	case MADT_X2APIC_NMI:
		if (rec_fits(len, MADT_X2APIC_NMI_LEN, out))
			add_nmi(out, acpi_rd32(r + 4), acpi_rd16(r + 2), r[8]);
		break;
	default:
		break;
	}
}

static void madt_parse(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	if (len < MADT_ENTRIES) {
		out->warnings |= ACPI_WARN_TRUNCATED;
		return;
	}
	out->have_madt = true;
	out->lapic_addr = acpi_rd32(t + 36);
	out->pcat_compat = (acpi_rd32(t + 40) & MADT_PCAT_COMPAT) != 0;
	walk_records(t, MADT_ENTRIES, len, madt_record, out);
}

/* Records the HPET only when its registers are in memory space (they must be MMIO). */
static void hpet_parse(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	if (len < HPET_LEN) {
		out->warnings |= ACPI_WARN_TRUNCATED;
		return;
	}
	if (t[40] != GAS_SYSTEM_MEMORY)
		return;
	out->hpet = (struct acpi_hpet){
		.present = true, .address = acpi_rd64(t + 44), .number = t[52], .min_tick = acpi_rd16(t + 53),
	};
}

/*
 * ECAM windows. An entry whose bus range is reversed, whose base is not
 * bus-aligned, or whose window would wrap the address space is skipped: the
 * kernel would otherwise map something that is not configuration space.
 */
static void mcfg_parse(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	if (len < MCFG_ENTRIES || (len - MCFG_ENTRIES) % MCFG_ENTRY_LEN != 0)
		out->warnings |= ACPI_WARN_TRUNCATED;
	for (uint32_t at = MCFG_ENTRIES; len >= MCFG_ENTRY_LEN && at <= len - MCFG_ENTRY_LEN;
	     at += MCFG_ENTRY_LEN) {
		const uint8_t *e = t + at;
		struct acpi_ecam w = { .base = acpi_rd64(e), .segment = acpi_rd16(e + 8), .bus_start = e[10],
		                       .bus_end = e[11] };
		uint64_t size = ((uint64_t)w.bus_end - w.bus_start + 1) * ECAM_ALIGN;

		if (w.bus_start > w.bus_end || w.base % ECAM_ALIGN != 0 || w.base > UINT64_MAX - size) {
			out->warnings |= ACPI_WARN_BAD_ENTRY;
			continue;
		}
		if (out->necam == ACPI_MAX_ECAM) {
			out->warnings |= ACPI_WARN_TOO_MANY;
			return;
		}
		out->ecam[out->necam++] = w;
	}
}

static void add_srat_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t node)
{
	if (out->nsrat_cpus == ACPI_MAX_CPUS) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	out->srat_cpus[out->nsrat_cpus++] = (struct acpi_srat_cpu){ apic_id, node };
}

static void add_srat_mem(struct acpi_info *out, const uint8_t *r, uint32_t flags)
{
	if (out->nsrat_mems == ACPI_MAX_MEM_AFFINITY) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	out->srat_mems[out->nsrat_mems++] = (struct acpi_srat_mem){
		.base = acpi_rd64(r + 8),
		.length = acpi_rd64(r + 16),
		.node = acpi_rd32(r + 2),
		.hotplug = flags & SRAT_MEM_HOTPLUG,
		.nonvolatile = flags & SRAT_MEM_NONVOLATILE,
	};
}

/* One SRAT record; disabled entries and other types are ignored. */
static void srat_record(const uint8_t *r, uint32_t len, struct acpi_info *out)
{
	switch (r[0]) {
	case SRAT_CPU:
		/* The proximity domain is split: bits 7:0 at byte 2, bits 31:8 at bytes 9-11. */
		if (rec_fits(len, SRAT_CPU_LEN, out) && (acpi_rd32(r + 4) & SRAT_ENABLED))
			add_srat_cpu(out, r[3], r[2] | (uint32_t)r[9] << 8 | (uint32_t)r[10] << 16 |
			                             (uint32_t)r[11] << 24);
		break;
	case SRAT_MEM:
		if (rec_fits(len, SRAT_MEM_LEN, out) && (acpi_rd32(r + 28) & SRAT_ENABLED))
			add_srat_mem(out, r, acpi_rd32(r + 28));
		break;
	case SRAT_X2APIC:
		if (rec_fits(len, SRAT_X2APIC_LEN, out) && (acpi_rd32(r + 12) & SRAT_ENABLED))
			add_srat_cpu(out, acpi_rd32(r + 8), acpi_rd32(r + 4));
		break;
	default:
		break;
	}
}

static void srat_parse(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	if (len < SRAT_ENTRIES) {
		out->warnings |= ACPI_WARN_TRUNCATED;
		return;
	}
	out->have_srat = true;
	walk_records(t, SRAT_ENTRIES, len, srat_record, out);
}

/* Copies the distance matrix when it has at most ACPI_MAX_NODES nodes and fits the table. */
static void slit_parse(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	if (len < SLIT_MATRIX) {
		out->warnings |= ACPI_WARN_TRUNCATED;
		return;
	}
	uint64_t n = acpi_rd64(t + 36);
	if (n > ACPI_MAX_NODES) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	if (n * n > len - SLIT_MATRIX) {
		out->warnings |= ACPI_WARN_TRUNCATED;
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < n; j++)
			out->slit[i][j] = t[SLIT_MATRIX + i * n + j];
	out->slit_nodes = (uint32_t)n;
}

/* True when an earlier valid table carries `sig`: only the first of each kind is parsed. */
static bool seen_valid(const struct acpi_info *out, const char *sig)
{
	for (uint32_t i = 0; i < out->ntables; i++)
		if (out->tables[i].checksum_ok && sig_eq(out->tables[i].sig, sig, 4))
			return true;
	return false;
}

/* Parses a checked table whose signature we know; others are only listed. */
static void parse_table(const uint8_t *t, uint32_t len, const char *sig, struct acpi_info *out)
{
	if (sig_eq(sig, "APIC", 4))
		madt_parse(t, len, out);
	else if (sig_eq(sig, "HPET", 4))
		hpet_parse(t, len, out);
	else if (sig_eq(sig, "SRAT", 4))
		srat_parse(t, len, out);
	else if (sig_eq(sig, "SLIT", 4))
		slit_parse(t, len, out);
	else if (sig_eq(sig, "MCFG", 4))
		mcfg_parse(t, len, out);
	else if (sig_eq(sig, "DMAR", 4))
		acpi_dmar_parse(t, len, out);
}

/*
 * Lists the table at `phys` in out->tables (unless its header is unreadable)
 * and parses it if it passed its checks. out->ntables < ACPI_MAX_TABLES.
 */
static void load_table(const struct acpi_mem *m, uint64_t phys, struct acpi_info *out)
{
	struct acpi_table_ref ref;
	const uint8_t *t = NULL;

	if (sdt_header(m, phys, &ref) != FE_OK) {
		out->warnings |= ACPI_WARN_UNREADABLE;
		return;
	}
	fe_status_t st = sdt_body(m, &ref, &t, &out->warnings);
	bool first = st == FE_OK && !seen_valid(out, ref.sig);
	out->tables[out->ntables++] = ref;
	if (first)
		parse_table(t, ref.length, ref.sig, out);
}

/* Loads every table the root lists (null entries skipped), at most ACPI_MAX_TABLES. */
static void walk_root(const struct acpi_mem *m, const struct root_table *root,
                      struct acpi_info *out)
{
	uint32_t body = root->len - SDT_HDR_LEN;
	uint32_t n = body / root->esize;

	if (body % root->esize != 0)
		out->warnings |= ACPI_WARN_TRUNCATED;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = root->p + SDT_HDR_LEN + i * root->esize;
		uint64_t phys = root->esize == 8 ? acpi_rd64(e) : acpi_rd32(e);

		if (phys == 0)
			continue;
		if (out->ntables == ACPI_MAX_TABLES) {
			out->warnings |= ACPI_WARN_TOO_MANY;
			return;
		}
		load_table(m, phys, out);
	}
}

fe_status_t acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, void *ctx, struct acpi_info *out)
{
	struct acpi_mem m = { map, ctx };
	struct rsdp_info r;
	struct root_table root;

	if (out == NULL)
		return FE_ERR_INVALID_ARG;
	__builtin_memset(out, 0, sizeof(*out));
	if (map == NULL)
		return FE_ERR_INVALID_ARG;
	fe_status_t st = rsdp_read(&m, rsdp_phys, out, &r);
	if (st != FE_OK)
		return st;
	st = root_load(&m, &r, out, &root);
	if (st != FE_OK)
		return st;
	walk_root(&m, &root, out);
	return FE_OK;
}

/* Override flags with "conforms to the bus" (or reserved) fields made ISA's: edge, high. */
static uint16_t isa_flags(uint16_t f)
{
	uint16_t pol = (f & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_POLARITY_LOW ?
	                       ACPI_INTI_POLARITY_LOW : ACPI_INTI_POLARITY_HIGH;
	uint16_t trig = (f & ACPI_INTI_TRIGGER_MASK) == ACPI_INTI_TRIGGER_LEVEL ?
	                        ACPI_INTI_TRIGGER_LEVEL : ACPI_INTI_TRIGGER_EDGE;
	return pol | trig;
}

/* The flags are always explicit: one polarity and one trigger value, never "conforms". */
void acpi_isa_irq(const struct acpi_info *info, uint8_t irq, uint32_t *gsi, uint16_t *flags)
{
	uint32_t g = irq;
	uint16_t f = 0;
	uint32_t n = info == NULL ? 0 : info->noverrides;

	for (uint32_t i = 0; i < n && i < ACPI_MAX_OVERRIDES; i++) {
		const struct acpi_override *o = &info->overrides[i];

		if (o->bus == 0 && o->source_irq == irq) {
			g = o->gsi;
			f = o->flags;
			break;
		}
	}
	*gsi = g;
	*flags = isa_flags(f);
}
