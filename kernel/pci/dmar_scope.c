/* SPDX-License-Identifier: MIT */
#include "dmar_scope.h"

#include <stdbool.h>

#define HEADER_LAYOUT_MASK 0x7fu
#define HEADER_BRIDGE 1u
#define BRIDGE_SECONDARY 0x19u   /* the bus the bridge leads to */
#define BRIDGE_SUBORDINATE 0x1au /* the highest bus behind it */

struct reader {
	pci_dmar_read_fn read;
	void *ctx;
};

/* The buses behind the bridge at `addr`: false if it is not one, or its
 * numbers are not a range above its own bus. */
static bool bridge_buses(const struct reader *r, uint32_t addr, uint32_t *lo, uint32_t *hi)
{
	if ((r->read(r->ctx, addr, FE_PCI_HEADER_TYPE, 1) & HEADER_LAYOUT_MASK) != HEADER_BRIDGE)
		return false;
	*lo = r->read(r->ctx, addr, BRIDGE_SECONDARY, 1);
	*hi = r->read(r->ctx, addr, BRIDGE_SUBORDINATE, 1);
	return *lo > FE_PCI_BUS(addr) && *lo <= *hi && *hi <= 0xffu;
}

/* Follows a scope's path to the function it ends at: every hop but the
 * last must be a bridge, whose secondary bus the next hop is on. */
static bool path_end(const struct reader *r, uint16_t seg, const struct acpi_dmar_scope *s,
                     uint32_t *addr)
{
	uint32_t bus = s->start_bus, lo, hi;

	for (uint32_t h = 0;; h++) {
		*addr = FE_PCI_ADDR(seg, bus, s->path[h].dev, s->path[h].fn);
		if (h + 1 == s->path_len)
			return true;
		if (!bridge_buses(r, *addr, &lo, &hi))
			return false;
		bus = lo;
	}
}

static bool scope_covers(const struct reader *r, uint16_t seg, const struct acpi_dmar_scope *s,
                         uint32_t addr)
{
	uint32_t end, lo, hi;

	if (s->type != ACPI_DMAR_SCOPE_ENDPOINT && s->type != ACPI_DMAR_SCOPE_BRIDGE)
		return false;
	if (s->path_len == 0 || s->path_len > ACPI_MAX_SCOPE_PATH || !path_end(r, seg, s, &end))
		return false;
	if (end == addr)
		return true;
	return s->type == ACPI_DMAR_SCOPE_BRIDGE && bridge_buses(r, end, &lo, &hi) &&
	       FE_PCI_BUS(addr) >= lo && FE_PCI_BUS(addr) <= hi;
}

uint32_t pci_dmar_unit(const struct acpi_dmar *d, uint32_t addr, pci_dmar_read_fn read,
                       void *ctx)
{
	const struct reader r = { read, ctx };
	uint32_t n = d->ndrhd < ACPI_MAX_DRHD ? d->ndrhd : ACPI_MAX_DRHD;

	for (uint32_t i = 0; i < n; i++) {
		const struct acpi_drhd *u = &d->drhd[i];
		if (u->segment != FE_PCI_SEG(addr))
			continue;
		for (uint32_t j = 0; j < u->nscopes && j < ACPI_MAX_DMAR_SCOPES; j++)
			if (scope_covers(&r, u->segment, &u->scopes[j], addr))
				return i;
	}
	for (uint32_t i = 0; i < n; i++)
		if (d->drhd[i].include_all && d->drhd[i].segment == FE_PCI_SEG(addr))
			return i;
	return PCI_DMAR_NO_UNIT;
}
