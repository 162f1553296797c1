/* SPDX-License-Identifier: MIT */
/*
 * The DMA remapping table (DMAR, Intel VT-d specification chapter 8): the
 * IOMMU register sets (DRHD), the devices each covers, and the memory
 * regions firmware reserves for some devices' DMA (RMRR).
 *
 * Firmware bytes, trusted for nothing: every structure and device scope is
 * bounds-checked against its parent before a field is read. A structure
 * that runs past its parent ends the walk at that level (its place is lost);
 * a unit with an impossible register address is skipped. Both count in
 * drhd_dropped: the devices a lost unit covers have no known IOMMU, and the
 * kernel must not claim their DMA is confined.
 */
#include "acpi.h"
#include "parse.h"

#define DMAR_STRUCTS 48u   /* header, host address width, flags, 10 reserved bytes */
#define DMAR_STRUCT_HEAD 4u /* type (2 bytes), length (2 bytes) */
#define DRHD_SCOPES 16u    /* head, flags, size, segment, register base */
#define RMRR_SCOPES 24u    /* head, reserved, segment, base, limit */
#define SCOPE_PATH 6u      /* type, length, flags, reserved, enumeration id, start bus */
#define DRHD_INCLUDE_PCI_ALL 0x1u
#define PAGE_MASK 0xfffull
#define PCI_DEVICES 32u
#define PCI_FUNCTIONS 8u

/* Remapping structure types we use; others (ATSR, RHSA, ANDD, SATC) are skipped. */
enum { DMAR_DRHD = 0, DMAR_RMRR = 1 };

/* Where a structure's device scopes go. */
struct scope_list {
	struct acpi_dmar_scope *scopes;
	uint32_t *n;
};

static bool fits(uint32_t len, uint32_t need, struct acpi_info *out)
{
	if (len >= need)
		return true;
	out->warnings |= ACPI_WARN_TRUNCATED;
	return false;
}

/* Records one well-framed scope s[0, len) (len >= SCOPE_PATH, whole hops). */
static void scope_add(const uint8_t *s, uint32_t len, struct scope_list l, struct acpi_info *out)
{
	uint32_t hops = (len - SCOPE_PATH) / 2;

	if (s[0] < ACPI_DMAR_SCOPE_ENDPOINT || s[0] > ACPI_DMAR_SCOPE_NAMESPACE)
		return; /* a type from a later specification: nothing we act on */
	if (hops == 0) {
		out->warnings |= ACPI_WARN_BAD_ENTRY;
		return;
	}
	for (uint32_t i = 0; i < hops; i++) {
		if (s[SCOPE_PATH + 2 * i] >= PCI_DEVICES || s[SCOPE_PATH + 2 * i + 1] >= PCI_FUNCTIONS) {
			out->warnings |= ACPI_WARN_BAD_ENTRY;
			return;
		}
	}
	if (hops > ACPI_MAX_SCOPE_PATH || *l.n == ACPI_MAX_DMAR_SCOPES) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	struct acpi_dmar_scope *d = &l.scopes[(*l.n)++];
	*d = (struct acpi_dmar_scope){ .type = s[0], .enum_id = s[4], .start_bus = s[5],
	                               .path_len = (uint8_t)hops };
	for (uint32_t i = 0; i < hops; i++) {
		d->path[i].dev = s[SCOPE_PATH + 2 * i];
		d->path[i].fn = s[SCOPE_PATH + 2 * i + 1];
	}
}

/* The device scopes in s[0, len): a scope whose length is short, odd or
 * past the end loses the walk its place, so the rest are not read. */
static void scopes_parse(const uint8_t *s, uint32_t len, struct scope_list l, struct acpi_info *out)
{
	uint32_t off = 0;

	while (off < len) {
		uint32_t slen = len - off >= 2 ? s[off + 1] : 0;

		if (slen < SCOPE_PATH || slen > len - off || (slen - SCOPE_PATH) % 2 != 0) {
			out->warnings |= ACPI_WARN_TRUNCATED;
			return;
		}
		scope_add(s + off, slen, l, out);
		off += slen;
	}
}

static void drhd_parse(const uint8_t *r, uint32_t len, struct acpi_info *out)
{
	struct acpi_dmar *d = &out->dmar;
	uint64_t base;

	if (!fits(len, DRHD_SCOPES, out)) {
		d->drhd_dropped++;
		return;
	}
	base = acpi_rd64(r + 8);
	if (base == 0 || (base & PAGE_MASK) != 0) {
		out->warnings |= ACPI_WARN_BAD_ENTRY;
		d->drhd_dropped++;
		return;
	}
	if (d->ndrhd == ACPI_MAX_DRHD) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		d->drhd_dropped++;
		return;
	}
	struct acpi_drhd *u = &d->drhd[d->ndrhd++];
	*u = (struct acpi_drhd){ .base = base, .segment = acpi_rd16(r + 6),
	                         .include_all = (r[4] & DRHD_INCLUDE_PCI_ALL) != 0 };
	scopes_parse(r + DRHD_SCOPES, len - DRHD_SCOPES,
	             (struct scope_list){ u->scopes, &u->nscopes }, out);
}

/* A region is kept only if it is whole pages, in order, and does not wrap. */
static void rmrr_parse(const uint8_t *r, uint32_t len, struct acpi_info *out)
{
	struct acpi_dmar *d = &out->dmar;

	if (!fits(len, RMRR_SCOPES, out))
		return;
	uint64_t base = acpi_rd64(r + 8), limit = acpi_rd64(r + 16);
	if ((base & PAGE_MASK) != 0 || (limit & PAGE_MASK) != PAGE_MASK || limit < base) {
		out->warnings |= ACPI_WARN_BAD_ENTRY;
		return;
	}
	if (d->nrmrr == ACPI_MAX_RMRR) {
		out->warnings |= ACPI_WARN_TOO_MANY;
		return;
	}
	struct acpi_rmrr *m = &d->rmrr[d->nrmrr++];
	*m = (struct acpi_rmrr){ .base = base, .limit = limit, .segment = acpi_rd16(r + 6) };
	scopes_parse(r + RMRR_SCOPES, len - RMRR_SCOPES,
	             (struct scope_list){ m->scopes, &m->nscopes }, out);
}

void acpi_dmar_parse(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	struct acpi_dmar *d = &out->dmar;
	uint32_t off = DMAR_STRUCTS;

	if (!fits(len, DMAR_STRUCTS, out))
		return;
	d->present = true;
	d->host_addr_width = (uint8_t)(t[36] + 1u);
	d->flags = t[37];
	while (off < len) {
		uint32_t rlen = len - off >= DMAR_STRUCT_HEAD ? acpi_rd16(t + off + 2) : 0;

		if (rlen < DMAR_STRUCT_HEAD || rlen > len - off) {
			out->warnings |= ACPI_WARN_TRUNCATED;
			d->drhd_dropped++; /* a unit may have been past this point */
			return;
		}
		if (acpi_rd16(t + off) == DMAR_DRHD)
			drhd_parse(t + off, rlen, out);
		else if (acpi_rd16(t + off) == DMAR_RMRR)
			rmrr_parse(t + off, rlen, out);
		off += rlen;
	}
}
