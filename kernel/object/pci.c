/* SPDX-License-Identifier: MIT */
#include "object/pci.h"

#include <arch/pci_ecam.h>

#include "core/log.h"
#include "core/panic.h"
#include "mm/kmem.h"
#include "mm/vm.h"
#include "object/budget.h"
#include "object/device.h"
#include "trace/trace.h"

#define PCI_CLASS_BRIDGE 0x06u
#define HEADER_LAYOUT(v) ((v) & 0x7fu)

static struct kmem_cache pci_device_cache;
static struct kobj pci_root; /* a singleton: keeps its first reference */
static bool have_ecam;
/* Functions a capability was made for; entries are never removed. Under
 * the big lock. */
static struct pci_function functions[PCI_MAX_FUNCTIONS];
static uint32_t nfunctions;

struct pci_function *pci_function_at(uint32_t i)
{
	return i < nfunctions ? &functions[i] : NULL;
}

struct pci_function *pci_function_find(uint32_t addr)
{
	for (uint32_t i = 0; i < nfunctions; i++)
		if (functions[i].addr == addr)
			return &functions[i];
	return NULL;
}

void pci_init_cache(void)
{
	kmem_cache_init(&pci_device_cache, "pci-device", sizeof(struct pci_device), 8);
	pci_dma_init_cache();
	kobj_init(&pci_root, FE_OBJ_PCI_ROOT, NULL);
}

void pci_init(const struct acpi_info *acpi)
{
	uint32_t n = ecam_init(acpi);

	have_ecam = n > 0;
	if (!have_ecam) {
		pr_info("pci: no ECAM window (no ACPI MCFG); no PCI capabilities\n");
		return;
	}
	pr_info("pci: %u ECAM window(s) mapped; PCI capabilities for the root task\n", n);
	if (pci_dma_init(acpi) == 0)
		pr_warn("pci: no IOMMU in use: DMA is unconfined, a driver's device can reach any "
		        "memory\n");
}

struct kobj *pci_root_object(void)
{
	if (!have_ecam)
		return NULL;
	kobj_get(&pci_root);
	return &pci_root;
}

fe_status_t pci_config_read(uint32_t addr, uint32_t off, uint64_t width, uint32_t *out)
{
	struct ecam_cfg *cfg = ecam_function(addr);

	if (!pci_config_access_ok(off, width))
		return FE_ERR_INVALID_ARG;
	if (cfg == NULL)
		return FE_ERR_NOT_FOUND;
	*out = ecam_read(cfg, off, (unsigned)width);
	return FE_OK;
}

uint32_t pci_function_read(void *fn, uint32_t off, unsigned width)
{
	return ecam_read(((struct pci_function *)fn)->cfg, off, width);
}

/*
 * Sizes the six BARs: with I/O and memory decoding off (so the device never
 * answers at an all-ones address), each BAR written with all ones, read
 * back, and restored. Called once per function, before any capability for
 * it exists.
 */
static void size_bars(struct pci_function *fn)
{
	struct pci_bar_probe probe[FE_PCI_BARS];
	uint32_t cmd = ecam_read(fn->cfg, FE_PCI_COMMAND, 2);

	ecam_write(fn->cfg, FE_PCI_COMMAND, 2, cmd & ~(FE_PCI_COMMAND_IO | FE_PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < FE_PCI_BARS; i++) {
		uint32_t off = FE_PCI_BAR0 + 4 * i;
		probe[i].orig = ecam_read(fn->cfg, off, 4);
		ecam_write(fn->cfg, off, 4, 0xffffffffu);
		probe[i].mask = ecam_read(fn->cfg, off, 4);
		ecam_write(fn->cfg, off, 4, probe[i].orig);
	}
	ecam_write(fn->cfg, FE_PCI_COMMAND, 2, cmd);
	for (unsigned i = 0; i < FE_PCI_BARS; i++) {
		pci_bar_decode(probe, i, &fn->bars[i]);
		if (fn->bars[i].kind == FE_PCI_BAR_MEM64 && i + 1 < FE_PCI_BARS) {
			fn->bars[i + 1] = (struct pci_bar){ .status = FE_ERR_NOT_FOUND };
			i++;
		}
	}
}

/* The record for addr, made (and its BARs sized) on first use. */
static fe_status_t function_get(uint32_t addr, struct ecam_cfg *cfg, struct pci_function **out)
{
	if ((*out = pci_function_find(addr)) != NULL)
		return FE_OK;
	if (nfunctions == PCI_MAX_FUNCTIONS)
		return FE_ERR_NO_RESOURCES;
	struct pci_function *fn = &functions[nfunctions];
	*fn = (struct pci_function){ .addr = addr, .index = (uint16_t)nfunctions, .cfg = cfg,
	                             .iommu_unit = pci_dma_unit_of(addr) };
	fn->claim_via.kind = CAP_DEP_PCI_CLAIM;
	for (unsigned i = 0; i < PCI_MAX_VECTORS; i++)
		fn->vectors[i] = (struct pci_vector){ .fn = fn, .via_notif.kind = CAP_DEP_PCI_IRQ_NOTIF };
	fn->vendor = (uint16_t)ecam_read(cfg, FE_PCI_VENDOR_ID, 2);
	fn->device = (uint16_t)ecam_read(cfg, FE_PCI_DEVICE_ID, 2);
	size_bars(fn);
	if (pci_find_owned_caps(pci_function_read, fn, &fn->owned) != FE_OK)
		pr_warn("pci: %02x:%02x.%u: malformed capability list; MSI and MSI-X past the fault "
		        "unusable\n", FE_PCI_BUS(addr), FE_PCI_DEV(addr), FE_PCI_FN(addr));
	nfunctions++;
	*out = fn;
	return FE_OK;
}

fe_status_t pci_device_create(struct budget *b, uint32_t addr, struct pci_device **out)
{
	struct ecam_cfg *cfg = ecam_function(addr);
	struct pci_function *fn;
	struct pci_device *d;
	fe_status_t st;

	if (cfg == NULL || ecam_read(cfg, FE_PCI_VENDOR_ID, 2) == 0xffffu)
		return FE_ERR_NOT_FOUND;
	if (ecam_read(cfg, FE_PCI_CLASS, 1) == PCI_CLASS_BRIDGE ||
	    HEADER_LAYOUT(ecam_read(cfg, FE_PCI_HEADER_TYPE, 1)) != 0)
		return FE_ERR_UNSUPPORTED;
	if ((st = function_get(addr, cfg, &fn)) != FE_OK)
		return st;
	if ((st = budget_zalloc(b, &pci_device_cache, (void **)&d)) != FE_OK)
		return st;
	kobj_init(&d->obj, FE_OBJ_PCI_DEVICE, b);
	d->fn = fn;
	trace_emit(FE_TRACE_PCI, addr, FE_TRACE_PCI_DEVICE, ((uint64_t)fn->vendor << 16) | fn->device, 0);
	*out = d;
	return FE_OK;
}

fe_status_t pci_device_config_write(struct pci_device *d, uint32_t off, uint64_t width,
                                    uint32_t value)
{
	struct pci_function *fn = d->fn;
	uint32_t v;

	if (!pci_config_access_ok(off, width))
		return FE_ERR_INVALID_ARG;
	fe_status_t st = pci_config_write_filter(&fn->owned, off, (unsigned)width, value,
	                                         ecam_read(fn->cfg, off, (unsigned)width), &v);
	trace_emit(FE_TRACE_PCI, fn->addr, st == FE_OK ? FE_TRACE_PCI_WRITE : FE_TRACE_PCI_WRITE_REFUSED,
	           off | (width << 16), st == FE_OK ? v : value);
	if (st == FE_OK)
		ecam_write(fn->cfg, off, (unsigned)width, v);
	return st;
}

/* The pages of BAR `index` that hold the MSI-X table or pending bits
 * (kept out of every mapping of its capability), as [*off, *off + *len). */
static void msix_hole(struct pci_function *fn, unsigned index, uint64_t *off, uint64_t *len)
{
	struct pci_msix_layout l;
	uint64_t lo = UINT64_MAX, hi = 0;

	*off = *len = 0;
	if (fn->owned.msix.len == 0)
		return;
	pci_msix_layout(pci_function_read, fn, fn->owned.msix.off, &l);
	if (l.table_bar == index) {
		lo = l.table_off;
		hi = (uint64_t)l.table_off + l.table_len;
	}
	if (l.pba_bar == index) {
		lo = l.pba_off < lo ? l.pba_off : lo;
		hi = (uint64_t)l.pba_off + l.pba_len > hi ? (uint64_t)l.pba_off + l.pba_len : hi;
	}
	if (lo < hi) {
		*off = lo & ~(PAGE_SIZE - 1);
		*len = ((hi + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)) - *off;
	}
}

static fe_status_t bar_object(struct pci_function *fn, unsigned index, struct budget *b,
                              struct kobj **obj)
{
	const struct pci_bar *bar = &fn->bars[index];

	if (bar->kind == FE_PCI_BAR_IO) {
		struct ioport *io;
		fe_status_t st = ioport_create(b, (uint16_t)bar->base, (uint16_t)bar->size, &io);
		if (st == FE_OK)
			*obj = &io->obj;
		return st;
	}
	if (bar->size < PAGE_SIZE || bar->base % PAGE_SIZE != 0)
		return FE_ERR_UNSUPPORTED;
	struct mmio *m;
	fe_status_t st = mmio_create(b, bar->base, bar->size, &m);
	if (st == FE_OK) {
		msix_hole(fn, index, &m->hole_off, &m->hole_len);
		*obj = &m->obj;
	}
	return st;
}

fe_status_t pci_device_bar(struct pci_device *d, struct budget *b, unsigned index,
                           struct kobj **obj, struct fe_pci_bar_info *info)
{
	if (index >= FE_PCI_BARS)
		return FE_ERR_INVALID_ARG;
	const struct pci_bar *bar = &d->fn->bars[index];
	fe_status_t st = bar->status;

	if (st == FE_OK && obj != NULL)
		st = bar_object(d->fn, index, b, obj);
	if (st != FE_OK)
		return st;
	*info = (struct fe_pci_bar_info){ .kind = bar->kind, .prefetchable = bar->prefetchable,
	                                  .size = bar->size,
	                                  .port = bar->kind == FE_PCI_BAR_IO ? bar->base : 0 };
	if (bar->kind != FE_PCI_BAR_IO)
		msix_hole(d->fn, index, &info->kernel_off, &info->kernel_len);
	if (obj != NULL)
		trace_emit(FE_TRACE_PCI, d->fn->addr, FE_TRACE_PCI_BAR, index, bar->size);
	return FE_OK;
}

void pci_object_destroy(struct kobj *o)
{
	if (o->type != FE_OBJ_PCI_DEVICE)
		panic("pci_object_destroy: the root capability's object lost its last reference");
	budget_free(o->budget, &pci_device_cache, o);
}
