/* SPDX-License-Identifier: MIT */
#include "platform.h"

#include "core/kernel.h"
#include "core/log.h"
#include "core/panic.h"
#include "mm/kmap.h"

/* Written once by platform_init; read-only afterwards. */
static struct acpi_info acpi;

/* ACPI tables live in RAM the direct map covers; anything else is refused. */
static const void *acpi_map(uint64_t phys, uint64_t len, void *ctx)
{
	(void)ctx;
	return kmap_direct_mapped(phys, len) ? phys_to_virt(phys) : NULL;
}

static void log_madt(void)
{
	pr_info("acpi: %u CPUs, %u I/O APICs, %u overrides, local APIC at %#llx%s\n", acpi.ncpus,
	        acpi.nioapics, acpi.noverrides, (unsigned long long)acpi.lapic_addr,
	        acpi.pcat_compat ? ", 8259 PICs present" : "");
	for (uint32_t i = 0; i < acpi.nioapics; i++)
		pr_info("acpi: I/O APIC %u at %#llx, GSI base %u\n", acpi.ioapics[i].id,
		        (unsigned long long)acpi.ioapics[i].addr, acpi.ioapics[i].gsi_base);
	for (uint32_t i = 0; i < acpi.noverrides; i++)
		pr_debug("acpi: ISA IRQ %u -> GSI %u flags %#x\n", acpi.overrides[i].source_irq,
		         acpi.overrides[i].gsi, acpi.overrides[i].flags);
}

static void log_scope(uint32_t unit, const struct acpi_dmar_scope *s)
{
	const struct { uint8_t dev, fn; } *last = (const void *)&s->path[s->path_len - 1];

	pr_debug("acpi: DMAR unit %u scope: type %u, id %u, bus %u, %u hop(s), last %02x.%u\n", unit,
	         s->type, s->enum_id, s->start_bus, s->path_len, last->dev, last->fn);
}

static void log_dmar(void)
{
	const struct acpi_dmar *d = &acpi.dmar;

	if (!d->present)
		return;
	pr_info("acpi: DMAR: %u remapping unit(s), DMA addresses %u bits wide%s\n", d->ndrhd,
	        d->host_addr_width,
	        (d->flags & ACPI_DMAR_INTR_REMAP) ? ", interrupt remapping offered" : "");
	for (uint32_t i = 0; i < d->ndrhd; i++)
		pr_info("acpi: DMAR unit at %#llx, segment %u: %s, %u device scope(s)\n",
		        (unsigned long long)d->drhd[i].base, d->drhd[i].segment,
		        d->drhd[i].include_all ? "every device" : "named devices", d->drhd[i].nscopes);
	for (uint32_t i = 0; i < d->ndrhd; i++)
		for (uint32_t j = 0; j < d->drhd[i].nscopes; j++)
			log_scope(i, &d->drhd[i].scopes[j]);
	for (uint32_t i = 0; i < d->nrmrr; i++)
		pr_info("acpi: DMAR reserved region %#llx-%#llx for %u device scope(s)\n",
		        (unsigned long long)d->rmrr[i].base, (unsigned long long)d->rmrr[i].limit,
		        d->rmrr[i].nscopes);
}

void platform_init(const struct fe_boot_info *bi)
{
	if (bi->acpi_rsdp == 0)
		panic("acpi: the firmware gave no RSDP; Ferrous needs ACPI to find its interrupt controllers");
	fe_status_t st = acpi_parse(bi->acpi_rsdp, acpi_map, NULL, &acpi);
	if (st != FE_OK)
		panic("acpi: cannot read the tables at RSDP %#llx: %s", (unsigned long long)bi->acpi_rsdp,
		      fe_status_name(st));
	pr_info("acpi: revision %u, OEM '%s', %u tables\n", acpi.revision, acpi.oem_id, acpi.ntables);
	for (uint32_t i = 0; i < acpi.ntables; i++)
		pr_debug("acpi: table %s at %#llx, %u bytes%s\n", acpi.tables[i].sig,
		         (unsigned long long)acpi.tables[i].phys, acpi.tables[i].length,
		         acpi.tables[i].checksum_ok ? "" : ", bad checksum");
	if (acpi.warnings)
		pr_warn("acpi: problems in some tables (flags %#x); those were skipped\n", acpi.warnings);
	if (!acpi.have_madt || acpi.nioapics == 0)
		panic("acpi: no MADT or no I/O APIC: cannot route interrupts");
	log_madt();
	if (acpi.hpet.present)
		pr_info("acpi: HPET at %#llx\n", (unsigned long long)acpi.hpet.address);
	for (uint32_t i = 0; i < acpi.necam; i++)
		pr_info("acpi: PCI segment %u buses %u-%u: ECAM at %#llx\n", acpi.ecam[i].segment,
		        acpi.ecam[i].bus_start, acpi.ecam[i].bus_end,
		        (unsigned long long)acpi.ecam[i].base);
	log_dmar();
}

const struct acpi_info *platform_acpi(void)
{
	return &acpi;
}
