/* SPDX-License-Identifier: MIT */
/*
 * Who drives a PCI function, and its interrupts (ADR 0011, decisions 3 to
 * 5; the memory its device may reach is pci_dma.c's). A function is claimed by the
 * process whose first DMA mapping or interrupt binding it was; the claim
 * ends with that process or when the device capability it was made through
 * is revoked, and ending it quiesces the device in this order: bus
 * mastering off (the device can no longer reach memory), MSI and MSI-X off
 * and every vector unbound, and only then the DMA mappings dropped (with an
 * IOMMU, the function's domain first, waited for: pci_dma.c), which lets
 * their pages go.
 */
#include <arch/pci_ecam.h>
#include <arch/pci_msi.h>

#include "core/cpu.h"
#include "core/irq.h"
#include "core/panic.h"
#include "lib/util.h"
#include "object/notification.h"
#include "object/pci.h"
#include "object/process.h"
#include "trace/trace.h"

#define MSI_CTL_ENABLE 0x1u
#define MSI_CTL_MME_MASK 0x70u
#define MSI_CTL_64BIT 0x80u
#define MSI_CTL_MASKING 0x100u
#define MSIX_CTL_FUNCTION_MASK 0x4000u
#define MSIX_CTL_ENABLE 0x8000u

static uint32_t cfg_read(struct pci_function *fn, uint32_t off, unsigned width)
{
	return ecam_read(fn->cfg, off, width);
}

static void cfg_write(struct pci_function *fn, uint32_t off, unsigned width, uint32_t v)
{
	ecam_write(fn->cfg, off, width, v);
}

fe_status_t pci_claim_check(const struct pci_function *fn, const struct process *p)
{
	return fn->owner == NULL || fn->owner == p ? FE_OK : FE_ERR_BUSY;
}

void pci_claim(struct pci_function *fn, struct cap *via, struct process *p)
{
	if (fn->owner == p)
		return;
	if (fn->owner != NULL)
		panic("pci_claim: %02x:%02x.%u is claimed already", FE_PCI_BUS(fn->addr),
		      FE_PCI_DEV(fn->addr), FE_PCI_FN(fn->addr));
	fn->owner = p;
	cspace_dep_attach(via, &fn->claim_via);
}

/* ---- interrupts ---- */

static void deliver(unsigned vector, struct trap_frame *f, void *ctx)
{
	struct pci_vector *v = ctx;

	(void)vector, (void)f;
	v->count++;
	if (v->notif)
		notification_signal(v->notif, 1ULL << v->bit);
}

static void vector_unbind(struct pci_vector *v)
{
	struct pci_function *fn = v->fn;
	unsigned index = (unsigned)(v - fn->vectors);

	if (!v->notif)
		return;
	if (fn->msix_table)
		msix_entry_mask(fn->msix_table, index);
	cspace_dep_detach(&v->via_notif);
	irq_unregister(v->vector);
	kobj_put(&v->notif->obj);
	v->notif = NULL;
}

/* MSI (one message) or MSI-X off in the capability the kernel owns. */
static void interrupts_off(struct pci_function *fn)
{
	if (fn->owned.msix.len) {
		uint32_t off = fn->owned.msix.off + 2u;
		cfg_write(fn, off, 2, cfg_read(fn, off, 2) & ~MSIX_CTL_ENABLE);
	}
	if (fn->owned.msi.len) {
		uint32_t off = fn->owned.msi.off + 2u;
		cfg_write(fn, off, 2, cfg_read(fn, off, 2) & ~MSI_CTL_ENABLE);
	}
	for (unsigned i = 0; i < PCI_MAX_VECTORS; i++)
		vector_unbind(&fn->vectors[i]);
}

static void msi_program(struct pci_function *fn, uint64_t addr, uint32_t data)
{
	uint32_t cap = fn->owned.msi.off, ctl = cfg_read(fn, cap + 2, 2);
	bool wide = (ctl & MSI_CTL_64BIT) != 0;

	cfg_write(fn, cap + 2, 2, ctl & ~(MSI_CTL_ENABLE | MSI_CTL_MME_MASK));
	cfg_write(fn, cap + 4, 4, (uint32_t)addr);
	if (wide)
		cfg_write(fn, cap + 8, 4, (uint32_t)(addr >> 32));
	cfg_write(fn, cap + (wide ? 12u : 8u), 2, data);
	if (ctl & MSI_CTL_MASKING)
		cfg_write(fn, cap + (wide ? 16u : 12u), 4, 0); /* vector 0 unmasked */
	cfg_write(fn, cap + 2, 2, (ctl & ~MSI_CTL_MME_MASK) | MSI_CTL_ENABLE);
}

/* The MSI-X table, mapped on first use; FE_ERR_BAD_FORMAT if the device
 * puts it outside a usable memory BAR (its BAR index checked before use). */
static fe_status_t msix_table(struct pci_function *fn)
{
	struct pci_msix_layout l;

	if (fn->msix_table)
		return FE_OK;
	pci_msix_layout(pci_function_read, fn, fn->owned.msix.off, &l);
	if (l.table_bar >= FE_PCI_BARS)
		return FE_ERR_BAD_FORMAT;
	const struct pci_bar *bar = &fn->bars[l.table_bar];
	if (bar->status != FE_OK || bar->kind == FE_PCI_BAR_IO ||
	    !range_within(l.table_off, l.table_len, bar->size))
		return FE_ERR_BAD_FORMAT;
	fe_status_t st = msix_table_map(bar->base + l.table_off, l.entries, &fn->msix_table);
	if (st != FE_OK)
		return st;
	fn->msix_entries = l.entries;
	for (uint32_t i = 0; i < l.entries; i++)
		msix_entry_mask(fn->msix_table, i);
	return FE_OK;
}

static void msix_program(struct pci_function *fn, unsigned index, uint64_t addr, uint32_t data)
{
	uint32_t off = fn->owned.msix.off + 2u;

	msix_entry_write(fn->msix_table, index, addr, data, false);
	cfg_write(fn, off, 2, (cfg_read(fn, off, 2) & ~MSIX_CTL_FUNCTION_MASK) | MSIX_CTL_ENABLE);
}

/* Which message index names, and whether the function has it. */
static fe_status_t check_index(struct pci_function *fn, unsigned index)
{
	fe_status_t st;

	if (index >= PCI_MAX_VECTORS)
		return FE_ERR_OUT_OF_RANGE;
	if (fn->owned.msix.len) {
		if ((st = msix_table(fn)) != FE_OK)
			return st;
		return index < fn->msix_entries ? FE_OK : FE_ERR_OUT_OF_RANGE;
	}
	if (fn->owned.msi.len)
		return index == 0 ? FE_OK : FE_ERR_OUT_OF_RANGE;
	return FE_ERR_UNSUPPORTED; /* INTx is not offered: its routing needs ACPI's AML */
}

fe_status_t pci_irq_bind(struct pci_function *fn, unsigned index, struct cap *notif_cap,
                         unsigned bit)
{
	struct pci_vector *v;
	uint64_t addr;
	uint32_t data;
	unsigned vector;
	fe_status_t st;

	if (bit >= 64)
		return FE_ERR_INVALID_ARG;
	if ((st = check_index(fn, index)) != FE_OK)
		return st;
	v = &fn->vectors[index];
	if ((st = irq_alloc_vector(&vector)) != FE_OK ||
	    (st = irq_register(vector, deliver, v)) != FE_OK)
		return st;
	if (v->notif)
		vector_unbind(v); /* bound again: the old vector and notification go */
	v->vector = vector;
	v->bit = bit;
	v->notif = notif_cap->obj;
	kobj_get(&v->notif->obj);
	cspace_dep_attach(notif_cap, &v->via_notif);
	/* Every message goes to the boot CPU; notification_signal wakes the
	 * waiter wherever it runs. */
	arch_msi_message(vector, cpus[0].apic_id, &addr, &data);
	if (fn->owned.msix.len)
		msix_program(fn, index, addr, data);
	else
		msi_program(fn, addr, data);
	trace_emit(FE_TRACE_PCI, fn->addr, FE_TRACE_PCI_IRQ_BIND, index, vector);
	return FE_OK;
}

/* ---- the end of a claim ---- */

static void quiesce(struct pci_function *fn)
{
	unsigned maps = 0;

	cfg_write(fn, FE_PCI_COMMAND, 2, cfg_read(fn, FE_PCI_COMMAND, 2) & ~FE_PCI_COMMAND_BUS_MASTER);
	interrupts_off(fn);
	for (const struct list_link *l = fn->dma.first; l; l = l->next)
		maps++;
	pci_dma_release_all(fn);
	trace_emit(FE_TRACE_PCI, fn->addr, FE_TRACE_PCI_QUIESCE, fn->owner ? fn->owner->obj.koid : 0,
	           maps);
	cspace_dep_detach(&fn->claim_via);
	fn->owner = NULL;
}

fe_status_t pci_release(struct pci_function *fn, struct process *p)
{
	if (fn->owner != p)
		return FE_ERR_BAD_STATE;
	quiesce(fn);
	return FE_OK;
}

void pci_release_process(struct process *p)
{
	struct pci_function *fn;

	for (uint32_t i = 0; (fn = pci_function_at(i)) != NULL; i++)
		if (fn->owner == p)
			quiesce(fn);
}

void pci_claim_revoke(struct cap_dep *d)
{
	if (d->kind == CAP_DEP_PCI_CLAIM)
		quiesce(container_of(d, struct pci_function, claim_via));
	else if (d->kind == CAP_DEP_PCI_IRQ_NOTIF)
		vector_unbind(container_of(d, struct pci_vector, via_notif));
	else
		panic("pci_claim_revoke: dependent of kind %u", d->kind);
}
