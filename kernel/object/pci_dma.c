/* SPDX-License-Identifier: MIT */
/*
 * The memory a PCI function's device may reach (ADR 0011, decision 3).
 *
 * With an IOMMU unit covering the function, the claim's first mapping gives
 * the function a domain (arch/iommu.h): its own I/O page table, empty but
 * for what its driver maps, at device addresses this file hands out (the
 * driver learns them only from pci_dma_map). Pages need not be contiguous;
 * each mapping is followed by an unmapped guard page, so a transfer that
 * runs past its buffer faults. Removing a mapping, or the claim's end,
 * waits for the unit to forget it before the VMO is let go, so a page is
 * never reused while the device can reach it. A DMA the unit refuses is
 * recorded and traced, and ends the process holding the function's claim
 * (FE_EXIT_DMA_FAULT).
 *
 * Without one, the device address is the physical address, the pages must
 * be contiguous, and nothing but the driver's good sense confines the
 * device; the kernel says so at boot.
 */
#include <arch/pci_ecam.h>

#include "core/biglock.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/util.h"
#include "mm/kmem.h"
#include "mm/vm.h"
#include "object/budget.h"
#include "object/pci.h"
#include "object/process.h"
#include "object/vmo.h"
#include "trace/trace.h"

/* Device addresses handed out: from 1 MiB (an address of 0, or any small
 * one, never reaches memory) to the MSI window, where a write is an
 * interrupt rather than memory (and not translated). */
#define IOVA_BASE (1ULL << 20)
#define IOVA_END 0xfee00000ULL
#define IOVA_GUARD PAGE_SIZE

/* One DMA mapping: a page-aligned range of a VMO the device may reach. */
struct dma_map {
	struct list_link link;   /* on pci_function.dma */
	struct vmo *vmo;         /* referenced: its pages stay while mapped */
	uint64_t offset, len;
	uint64_t device_addr;
	struct budget *budget;   /* charged for this record */
};

static struct kmem_cache dma_map_cache;
/* Set at boot; then under the big lock. */
static const struct acpi_info *acpi;
static uint32_t iommu_units;
static uint64_t dma_faults;
static uint64_t recordless_faults; /* from functions no capability was made for */

void pci_dma_init_cache(void)
{
	kmem_cache_init(&dma_map_cache, "dma-map", sizeof(struct dma_map), 8);
}

uint32_t pci_dma_init(const struct acpi_info *info)
{
	acpi = info;
	if (!info->dmar.present)
		return 0;
	iommu_units = arch_iommu_init(&info->dmar);
	if (iommu_units > 0 && info->dmar.drhd_dropped > 0)
		pr_warn("iommu: the DMAR names IOMMU units the kernel could not read (%u): DMA of the "
		        "devices they cover is unconfined\n", info->dmar.drhd_dropped);
	return iommu_units;
}

uint32_t pci_dma_iommu_units(void)
{
	return iommu_units;
}

uint64_t pci_dma_fault_count(void)
{
	return dma_faults;
}

static uint32_t scope_read(void *ctx, uint32_t addr, uint32_t off, unsigned width)
{
	struct ecam_cfg *cfg = ecam_function(addr);

	(void)ctx;
	return cfg ? ecam_read(cfg, off, width) : 0xffffffffu;
}

uint32_t pci_dma_unit_of(uint32_t addr)
{
	uint32_t unit;

	if (iommu_units == 0)
		return PCI_DMAR_NO_UNIT;
	unit = pci_dmar_unit(&acpi->dmar, addr, scope_read, NULL);
	if (unit != PCI_DMAR_NO_UNIT && arch_iommu_unit_active(unit))
		return unit;
	pr_warn("pci: %02x:%02x.%u: no IOMMU unit in use covers it: its DMA is unconfined\n",
	        FE_PCI_BUS(addr), FE_PCI_DEV(addr), FE_PCI_FN(addr));
	return PCI_DMAR_NO_UNIT;
}

/* ---- the domain ---- */

static bool domain_attached(const struct pci_function *fn)
{
	return fn->domain.pt.root != 0;
}

static fe_status_t table_alloc(void *ctx, uint64_t *pa)
{
	return budget_frame_alloc(ctx, 0, pa);
}

static void table_free(void *ctx, uint64_t pa)
{
	budget_frame_free(ctx, pa, 0);
}

/* fn's domain, made on first use with its tables charged to b. */
static fe_status_t domain_get(struct pci_function *fn, struct budget *b)
{
	const struct pt_alloc alloc = { .alloc = table_alloc, .free = table_free, .ctx = b };
	fe_status_t st;

	if (domain_attached(fn))
		return FE_OK;
	st = arch_iommu_attach(&fn->domain, fn->iommu_unit, fn->addr, (uint16_t)(fn->index + 1),
	                       &alloc);
	if (st != FE_OK)
		return st;
	budget_get(b);
	fn->domain_budget = b;
	return FE_OK;
}

/* The domain goes: the function reaches nothing from here on. */
static void domain_put(struct pci_function *fn)
{
	if (!domain_attached(fn))
		return;
	arch_iommu_detach(&fn->domain);
	budget_put(fn->domain_budget);
	fn->domain_budget = NULL;
}

/* A domain belongs to a claim; a failed first call claims nothing. */
static void domain_put_if_unclaimed(struct pci_function *fn)
{
	if (fn->owner == NULL && list_empty(&fn->dma))
		domain_put(fn);
}

/*
 * The lowest device address with room for len bytes and a guard page
 * before the next mapping (fn->dma is kept in address order), and the
 * mapping it goes after (NULL: first). FE_ERR_NO_RESOURCES when full.
 */
static fe_status_t iova_find(const struct pci_function *fn, uint64_t len, uint64_t *iova,
                             struct list_link **after)
{
	uint64_t at = IOVA_BASE;

	*after = NULL;
	for (struct list_link *l = fn->dma.first; l; l = l->next) {
		const struct dma_map *m = list_entry(l, struct dma_map, link);
		if (m->device_addr >= at && m->device_addr - at >= len + IOVA_GUARD)
			break;
		at = m->device_addr + m->len + IOVA_GUARD;
		*after = l;
	}
	if (at > IOVA_END || IOVA_END - at < len)
		return FE_ERR_NO_RESOURCES;
	*iova = at;
	return FE_OK;
}

/* ---- mappings ---- */

static fe_status_t contiguous_phys(const struct vmo *v, uint64_t offset, uint64_t len,
                                   uint64_t *phys)
{
	uint64_t first = offset / PAGE_SIZE, n = len / PAGE_SIZE;

	for (uint64_t i = 1; i < n; i++)
		if (v->pages[first + i] != v->pages[first] + i * PAGE_SIZE)
			return FE_ERR_UNSUPPORTED;
	*phys = v->pages[first];
	return FE_OK;
}

/* Installs the pages in fn's domain at a fresh device address. */
static fe_status_t map_confined(struct pci_function *fn, struct budget *b, const struct vmo *v,
                                uint64_t offset, uint64_t len, unsigned flags, uint64_t *iova,
                                struct list_link **after)
{
	unsigned perms = ((flags & FE_DMA_DEVICE_READ) ? IOMMU_READ : 0) |
	                 ((flags & FE_DMA_DEVICE_WRITE) ? IOMMU_WRITE : 0);
	fe_status_t st;

	if ((st = iova_find(fn, len, iova, after)) != FE_OK || (st = domain_get(fn, b)) != FE_OK)
		return st;
	return arch_iommu_map(&fn->domain, *iova, &v->pages[offset / PAGE_SIZE], len / PAGE_SIZE,
	                      perms);
}

fe_status_t pci_dma_map(struct pci_function *fn, struct budget *b, struct kobj *obj,
                        uint64_t offset, uint64_t len, unsigned flags, uint64_t *device_addr)
{
	struct vmo *v = (struct vmo *)obj;
	struct list_link *after = NULL;
	struct dma_map *m;
	uint64_t addr;
	fe_status_t st;

	if (len == 0 || offset % PAGE_SIZE || len % PAGE_SIZE)
		return FE_ERR_INVALID_ARG;
	if (len > FE_DMA_MAP_MAX || !range_within(offset, len, v->size))
		return FE_ERR_OUT_OF_RANGE;
	if ((flags & FE_DMA_PHYSICAL) && fn->iommu_unit != PCI_DMAR_NO_UNIT)
		return FE_ERR_UNSUPPORTED; /* its addresses would be taken as physical */
	if ((st = budget_zalloc(b, &dma_map_cache, (void **)&m)) != FE_OK)
		return st;
	if (fn->iommu_unit != PCI_DMAR_NO_UNIT)
		st = map_confined(fn, b, v, offset, len, flags, &addr, &after);
	else
		st = contiguous_phys(v, offset, len, &addr);
	if (st != FE_OK) {
		budget_free(b, &dma_map_cache, m);
		domain_put_if_unclaimed(fn);
		return st;
	}
	kobj_get(&v->obj);
	budget_get(b);
	*m = (struct dma_map){ .vmo = v, .offset = offset, .len = len, .device_addr = addr, .budget = b };
	list_insert_after(&fn->dma, after, &m->link);
	trace_emit(FE_TRACE_PCI, fn->addr, FE_TRACE_PCI_DMA_MAP, addr, len);
	*device_addr = addr;
	return FE_OK;
}

/* Forgets m; the device can no longer reach its pages (the caller made
 * sure), so the VMO may go. */
static void dma_map_drop(struct pci_function *fn, struct dma_map *m)
{
	struct budget *b = m->budget;

	list_remove(&fn->dma, &m->link);
	trace_emit(FE_TRACE_PCI, fn->addr, FE_TRACE_PCI_DMA_UNMAP, m->device_addr, m->len);
	kobj_put(&m->vmo->obj);
	budget_free(b, &dma_map_cache, m);
	budget_put(b);
}

fe_status_t pci_dma_unmap(struct pci_function *fn, uint64_t device_addr)
{
	for (struct list_link *l = fn->dma.first; l; l = l->next) {
		struct dma_map *m = list_entry(l, struct dma_map, link);
		if (m->device_addr != device_addr)
			continue;
		if (domain_attached(fn))
			arch_iommu_unmap(&fn->domain, m->device_addr, m->len / PAGE_SIZE);
		dma_map_drop(fn, m);
		domain_put_if_unclaimed(fn);
		return FE_OK;
	}
	return FE_ERR_NOT_FOUND;
}

void pci_dma_release_all(struct pci_function *fn)
{
	domain_put(fn);
	while (fn->dma.first)
		dma_map_drop(fn, list_entry(fn->dma.first, struct dma_map, link));
}

/* ---- faults ---- */

static const char *fault_reason(uint8_t reason)
{
	switch (reason) {
	case IOMMU_FAULT_CONTEXT_ABSENT:
		return "the function has no domain";
	case IOMMU_FAULT_BEYOND_WIDTH:
		return "beyond the domain's address width";
	case IOMMU_FAULT_WRITE:
		return "a write the domain does not allow";
	case IOMMU_FAULT_READ:
		return "a read the domain does not allow";
	default:
		return "see the VT-d fault reasons";
	}
}

/* Ends the claim's holder. The fault interrupt comes at a point where the
 * kernel was in no call (user mode, idle, a work point with the big lock
 * dropped: docs/locking.md), so ending a process here is as safe as in
 * any other interrupt; the nested case (kernel tests) has no claims. */
static void kill_owner(struct process *p, const struct iommu_fault *f, uint32_t addr)
{
	struct fe_exit_status why = { .reason = FE_EXIT_DMA_FAULT, .vector = f->reason,
	                              .address = f->address };

	if (big_lock_depth() != 1)
		panic("iommu_fault_report: a claimed function faulted inside a kernel call");
	pr_warn("process %llu '%s': its device %02x:%02x.%u made a DMA the IOMMU refused (%s at "
	        "%#llx: %s): process ended\n", (unsigned long long)p->obj.koid, p->name,
	        FE_PCI_BUS(addr), FE_PCI_DEV(addr), FE_PCI_FN(addr), f->write ? "write" : "read",
	        (unsigned long long)f->address, fault_reason(f->reason));
	process_terminate(p, &why);
}

void iommu_fault_report(const struct iommu_fault *f)
{
	uint32_t addr = FE_PCI_ADDR(f->segment, f->source >> 8, (f->source >> 3) & 31u,
	                            f->source & 7u);
	struct pci_function *fn = pci_function_find(addr);
	struct process *owner = fn ? fn->owner : NULL;
	uint64_t n = fn ? ++fn->dma_faults : ++recordless_faults;

	dma_faults++;
	trace_emit(FE_TRACE_IOMMU_FAULT, addr, f->address, f->reason | (uint64_t)f->write << 8,
	           owner ? owner->obj.koid : 0);
	if (owner && owner->alive) {
		kill_owner(owner, f, addr);
		return;
	}
	/* Nobody to end: a device with no driver, or one whose driver is gone. */
	if (n <= 4 || (n & 1023) == 0)
		pr_warn("iommu: %02x:%02x.%u, driven by no process, made a DMA the IOMMU refused (%s "
		        "at %#llx: %s)\n", FE_PCI_BUS(addr), FE_PCI_DEV(addr), FE_PCI_FN(addr),
		        f->write ? "write" : "read", (unsigned long long)f->address,
		        fault_reason(f->reason));
}
