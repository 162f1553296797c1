/* SPDX-License-Identifier: MIT */
/*
 * The VT-d units (specification chapters 3, 6, 7 and 10): registers, root
 * and context tables, cache invalidation and fault reporting, in legacy
 * (root-table) mode with register-based invalidation.
 *
 * SAFETY: a unit's registers are an uncached kernel mapping of the page the
 * DMAR names, made once at boot and never unmapped; every access is one
 * aligned 32- or 64-bit volatile load or store of a register the
 * specification defines at that width and offset (the fault-recording and
 * IOTLB registers at the offsets CAP and ECAP give, checked to lie in the
 * page). The root table and context tables are zeroed frames the kernel
 * keeps for good (at most 1 + 256 per unit), reached through the direct
 * map; an entry the unit may read turns present with its last store (the
 * other half first, the present bit last, release-ordered) and is flushed
 * from the CPU caches when the unit does not snoop them. Every invalidation
 * is waited for, with the unit asked to drain DMA in flight where it can:
 * once a call that removes an entry returns, no device reaches what the
 * entry pointed at. A unit that never finishes one stops the machine, since
 * then nothing can say which memory a device still reaches.
 */
#include <arch/direct_map.h>
#include <arch/iommu.h>
#include <arch/pci_msi.h>
#include <arch/x86.h>
#include <ferrous/pci.h>

#include "core/cpu.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/panic.h"
#include "mm/frame.h"
#include "mm/vmap.h"

#define PAGE 4096ull

/* Registers. */
#define VER 0x00
#define CAP 0x08
#define ECAP 0x10
#define GCMD 0x18
#define GSTS 0x1c
#define RTADDR 0x20
#define CCMD 0x28
#define FSTS 0x34
#define FECTL 0x38
#define FEDATA 0x3c
#define FEADDR 0x40
#define FEUADDR 0x44

#define CAP_ND(c) ((unsigned)((c) & 7u))
#define CAP_RWBF (1ull << 4)
#define CAP_CM (1ull << 7)
#define CAP_SAGAW(c) ((unsigned)((c) >> 8) & 0x1fu)
#define SAGAW_39 0x2u /* 3-level tables */
#define SAGAW_48 0x4u /* 4-level tables */
#define CAP_FRO(c) ((uint32_t)((c) >> 24) & 0x3ffu)
#define CAP_NFR(c) ((uint32_t)((c) >> 40) & 0xffu)
#define CAP_DWD (1ull << 54)
#define CAP_DRD (1ull << 55)
#define ECAP_C (1ull << 0) /* page walks snoop CPU caches */
#define ECAP_IRO(e) ((uint32_t)((e) >> 8) & 0x3ffu)

#define GCMD_TE (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_WBF (1u << 27)
#define GCMD_QIE (1u << 26)
#define GCMD_IRE (1u << 25)
/* The status bits a command write repeats: the persistent ones (TE, EAFL,
 * QIE, IRE, CFI), never the one-shot commands (SRTP, SFL, WBF, SIRTP). */
#define GSTS_KEEP 0x96ffffffu

#define CCMD_ICC (1ull << 63)
#define CCMD_GLOBAL (1ull << 61)
#define CCMD_DEVICE (3ull << 61)
#define CCMD_CAIG(v) (((v) >> 59) & 3u)
#define IOTLB_IVT (1ull << 63)
#define IOTLB_GLOBAL (1ull << 60)
#define IOTLB_DOMAIN (2ull << 60)
#define IOTLB_IAIG(v) (((v) >> 57) & 3u)
#define IOTLB_DR (1ull << 49)
#define IOTLB_DW (1ull << 48)

#define FSTS_PFO (1u << 0)
#define FECTL_IM (1u << 31)
#define FRCD_F (1ull << 63)             /* in a record's upper half */
#define FRCD_F_DWORD (1u << 31)         /* the same bit in the record's last dword */
#define FRCD_READ (1ull << 62)          /* T: 1 = a read request */
#define FRCD_REASON(hi) ((uint8_t)((hi) >> 32))
#define FRCD_ADDR_MASK 0xfffffffffffff000ull

#define ENTRY_PRESENT 1ull
#define ENTRY_ADDR_MASK 0xfffffffffffff000ull
#define CTX_AW(levels) ((uint64_t)(levels) - 2u) /* 1: 39-bit, 2: 48-bit */
#define CTX_DID_SHIFT 8

#define SPIN_LIMIT 100000000u

/* A root or context entry (128 bits). */
struct vtd_entry {
	uint64_t lo, hi;
};
_Static_assert(sizeof(struct vtd_entry) * 256 == PAGE, "256 root or context entries to a page");

struct vtd_unit {
	volatile uint8_t *regs;
	uint64_t base, cap, ecap;
	uint64_t root;        /* root table, physical */
	uint32_t domains;     /* domain ids it supports */
	uint32_t fro, nfr;    /* fault records: offset, count */
	uint32_t iotlb;       /* offset of the IOTLB invalidation register */
	uint16_t segment;
	uint8_t levels;
	bool coherent, active;
};

/* Set up at boot; then under the big lock (the fault interrupt takes it). */
static struct vtd_unit units[ACPI_MAX_DRHD];
static uint32_t nunits;

static uint32_t r32(const struct vtd_unit *u, uint32_t off)
{
	return *(volatile uint32_t *)(u->regs + off);
}

static void w32(const struct vtd_unit *u, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(u->regs + off) = v;
}

static uint64_t r64(const struct vtd_unit *u, uint32_t off)
{
	return *(volatile uint64_t *)(u->regs + off);
}

static void w64(const struct vtd_unit *u, uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)(u->regs + off) = v;
}

/* Polls until (register & mask) == want; see the SAFETY note for why a
 * unit that never gets there stops the machine. */
static uint64_t wait_reg(const struct vtd_unit *u, uint32_t off, bool wide, uint64_t mask,
                         uint64_t want, const char *what)
{
	for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
		uint64_t v = wide ? r64(u, off) : r32(u, off);
		if ((v & mask) == want)
			return v;
		cpu_relax();
	}
	panic("iommu: VT-d at %#llx never finished %s", (unsigned long long)u->base, what);
}

/* Turns a persistent GCMD bit on or off, or issues a one-shot command
 * whose status bit sets when done (SRTP), and waits for GSTS to agree. */
static void command(const struct vtd_unit *u, uint32_t bit, bool on, const char *what)
{
	uint32_t keep = r32(u, GSTS) & GSTS_KEEP;

	w32(u, GCMD, on ? keep | bit : keep & ~bit);
	wait_reg(u, GSTS, false, bit, on ? bit : 0, what);
}

/* Units that buffer table writes must be told to flush them (CAP.RWBF). */
static void write_buffer_flush(const struct vtd_unit *u)
{
	if (!(u->cap & CAP_RWBF))
		return;
	w32(u, GCMD, (r32(u, GSTS) & GSTS_KEEP) | GCMD_WBF);
	wait_reg(u, GSTS, false, GCMD_WBF, 0, "a write-buffer flush");
}

/* A context-cache invalidation; a unit that would not do the one asked
 * (actual granularity 0) is asked for a global one. */
static void context_invalidate(const struct vtd_unit *u, uint64_t granularity, uint16_t sid,
                               uint16_t did)
{
	w64(u, CCMD, CCMD_ICC | granularity | (uint64_t)sid << 16 | did);
	uint64_t v = wait_reg(u, CCMD, true, CCMD_ICC, 0, "a context-cache invalidation");
	if (CCMD_CAIG(v) != 0)
		return;
	if (granularity == CCMD_GLOBAL)
		panic("iommu: VT-d at %#llx refused a global context-cache invalidation",
		      (unsigned long long)u->base);
	context_invalidate(u, CCMD_GLOBAL, 0, 0);
}

/* An IOTLB invalidation draining the reads and writes in flight. */
static void iotlb_invalidate(const struct vtd_unit *u, uint64_t granularity, uint16_t did)
{
	uint64_t drain = ((u->cap & CAP_DRD) ? IOTLB_DR : 0) | ((u->cap & CAP_DWD) ? IOTLB_DW : 0);

	w64(u, u->iotlb, IOTLB_IVT | granularity | drain | (uint64_t)did << 32);
	uint64_t v = wait_reg(u, u->iotlb, true, IOTLB_IVT, 0, "an IOTLB invalidation");
	if (IOTLB_IAIG(v) != 0)
		return;
	if (granularity == IOTLB_GLOBAL)
		panic("iommu: VT-d at %#llx refused a global IOTLB invalidation",
		      (unsigned long long)u->base);
	iotlb_invalidate(u, IOTLB_GLOBAL, 0);
}

static struct vtd_entry *entries(uint64_t pa)
{
	return phys_to_virt(pa);
}

static void entry_flush(const struct vtd_unit *u, const void *p, uint64_t len)
{
	if (!u->coherent)
		iommu_flush_lines(p, len);
}

/* The context table for `bus`, made (and its root entry set) on first use. */
static fe_status_t context_table(struct vtd_unit *u, uint32_t bus, struct vtd_entry **out)
{
	struct vtd_entry *re = &entries(u->root)[bus];
	uint64_t pa;

	if (!(re->lo & ENTRY_PRESENT)) {
		fe_status_t st = frame_alloc_zeroed(0, &pa);
		if (st != FE_OK)
			return st;
		entry_flush(u, entries(pa), PAGE);
		__atomic_store_n(&re->lo, pa | ENTRY_PRESENT, __ATOMIC_RELEASE);
		entry_flush(u, re, sizeof(*re));
	}
	*out = entries(re->lo & ENTRY_ADDR_MASK);
	return FE_OK;
}

static uint16_t source_id(uint32_t pci_addr)
{
	return (uint16_t)(pci_addr & 0xffffu); /* bus << 8 | device << 3 | function */
}

bool arch_iommu_unit_active(uint32_t unit)
{
	return unit < nunits && units[unit].active;
}

fe_status_t arch_iommu_attach(struct iommu_domain *d, uint32_t unit, uint32_t pci_addr,
                              uint16_t did, const struct pt_alloc *alloc)
{
	struct vtd_unit *u;
	struct vtd_entry *ctx;
	fe_status_t st;

	if (!arch_iommu_unit_active(unit))
		return FE_ERR_NO_RESOURCES;
	u = &units[unit];
	if (did == 0 || did >= u->domains)
		return FE_ERR_NO_RESOURCES;
	if ((st = context_table(u, FE_PCI_BUS(pci_addr), &ctx)) != FE_OK ||
	    (st = iommu_pt_init(&d->pt, u->levels, u->coherent, alloc)) != FE_OK)
		return st;
	d->unit = unit;
	d->pci_addr = pci_addr;
	d->did = did;
	struct vtd_entry *e = &ctx[pci_addr & 0xffu];
	if (e->lo & ENTRY_PRESENT)
		panic("arch_iommu_attach: %02x:%02x.%u has a domain already", FE_PCI_BUS(pci_addr),
		      FE_PCI_DEV(pci_addr), FE_PCI_FN(pci_addr));
	/* Translation type 00: untranslated requests go through the second level. */
	e->hi = CTX_AW(u->levels) | (uint64_t)did << CTX_DID_SHIFT;
	__atomic_store_n(&e->lo, d->pt.root | ENTRY_PRESENT, __ATOMIC_RELEASE);
	entry_flush(u, e, sizeof(*e));
	write_buffer_flush(u);
	context_invalidate(u, CCMD_DEVICE, source_id(pci_addr), did);
	iotlb_invalidate(u, IOTLB_DOMAIN, did);
	return FE_OK;
}

void arch_iommu_unmap(struct iommu_domain *d, uint64_t iova, uint64_t n)
{
	const struct vtd_unit *u = &units[d->unit];

	for (uint64_t i = 0; i < n; i++)
		if (iommu_pt_unmap(&d->pt, iova + i * PAGE) != FE_OK)
			panic("arch_iommu_unmap: %#llx is not mapped", (unsigned long long)(iova + i * PAGE));
	write_buffer_flush(u);
	iotlb_invalidate(u, IOTLB_DOMAIN, d->did);
}

fe_status_t arch_iommu_map(struct iommu_domain *d, uint64_t iova, const uint64_t *pages,
                           uint64_t n, unsigned perms)
{
	const struct vtd_unit *u = &units[d->unit];

	for (uint64_t i = 0; i < n; i++) {
		fe_status_t st = iommu_pt_map(&d->pt, iova + i * PAGE, pages[i], perms);
		if (st != FE_OK) {
			arch_iommu_unmap(d, iova, i);
			return st;
		}
	}
	write_buffer_flush(u);
	/* In caching mode the unit may have cached the entries as absent. */
	if (u->cap & CAP_CM)
		iotlb_invalidate(u, IOTLB_DOMAIN, d->did);
	return FE_OK;
}

void arch_iommu_detach(struct iommu_domain *d)
{
	struct vtd_unit *u = &units[d->unit];
	struct vtd_entry *ctx;

	if (context_table(u, FE_PCI_BUS(d->pci_addr), &ctx) != FE_OK)
		panic("arch_iommu_detach: no context table for an attached domain");
	struct vtd_entry *e = &ctx[d->pci_addr & 0xffu];
	__atomic_store_n(&e->lo, 0, __ATOMIC_RELEASE);
	e->hi = 0;
	entry_flush(u, e, sizeof(*e));
	write_buffer_flush(u);
	context_invalidate(u, CCMD_DEVICE, source_id(d->pci_addr), d->did);
	iotlb_invalidate(u, IOTLB_DOMAIN, d->did);
	iommu_pt_destroy(&d->pt);
}

/* ---- faults ---- */

/* Reads, clears and reports every fault record the unit holds. */
static void faults_drain(struct vtd_unit *u, bool report)
{
	for (uint32_t i = 0; i < u->nfr; i++) {
		uint32_t rec = u->fro + 16 * i;
		uint64_t hi = r64(u, rec + 8);
		if (!(hi & FRCD_F))
			continue;
		uint64_t lo = r64(u, rec);
		w32(u, rec + 12, FRCD_F_DWORD); /* write 1 to clear F */
		struct iommu_fault f = {
			.unit = (uint32_t)(u - units), .segment = u->segment, .source = (uint16_t)hi,
			.address = lo & FRCD_ADDR_MASK, .reason = FRCD_REASON(hi),
			.write = !(hi & FRCD_READ),
		};
		if (report)
			iommu_fault_report(&f);
	}
	if (r32(u, FSTS) & FSTS_PFO) {
		w32(u, FSTS, FSTS_PFO);
		if (report)
			pr_warn("iommu: VT-d at %#llx ran out of fault records: some faults went "
			        "unrecorded (their DMA was still refused)\n", (unsigned long long)u->base);
	}
}

static void fault_interrupt(unsigned vector, struct trap_frame *f, void *ctx)
{
	(void)vector, (void)f;
	faults_drain(ctx, true);
}

/* The fault event as an MSI to the boot CPU. */
static fe_status_t fault_event_setup(struct vtd_unit *u)
{
	uint64_t addr;
	uint32_t data;
	unsigned vector;
	fe_status_t st;

	if ((st = irq_alloc_vector(&vector)) != FE_OK ||
	    (st = irq_register(vector, fault_interrupt, u)) != FE_OK)
		return st;
	arch_msi_message(vector, cpus[0].apic_id, &addr, &data);
	w32(u, FEDATA, data);
	w32(u, FEADDR, (uint32_t)addr);
	w32(u, FEUADDR, (uint32_t)(addr >> 32));
	w32(u, FECTL, r32(u, FECTL) & ~FECTL_IM);
	return FE_OK;
}

/* ---- start-up ---- */

/* Reads what the unit can do; FE_ERR_UNSUPPORTED if it is nothing we drive. */
static fe_status_t unit_probe(struct vtd_unit *u, const struct acpi_drhd *h)
{
	void *va;
	fe_status_t st = vmap_mmio(h->base, PAGE, &va);

	if (st != FE_OK)
		return st;
	*u = (struct vtd_unit){ .regs = va, .base = h->base, .segment = h->segment };
	u->cap = r64(u, CAP);
	u->ecap = r64(u, ECAP);
	if (u->cap == ~0ull || u->ecap == ~0ull)
		return FE_ERR_NOT_FOUND;
	/* The widest we drive: 48-bit (4-level) where offered, else 39-bit. */
	u->levels = (CAP_SAGAW(u->cap) & SAGAW_48) ? 4 : (CAP_SAGAW(u->cap) & SAGAW_39) ? 3 : 0;
	u->domains = 1u << (4 + 2 * CAP_ND(u->cap));
	u->fro = CAP_FRO(u->cap) * 16;
	u->nfr = CAP_NFR(u->cap) + 1;
	u->iotlb = ECAP_IRO(u->ecap) * 16 + 8;
	u->coherent = (u->ecap & ECAP_C) != 0;
	if (u->levels == 0 || u->fro + 16 * u->nfr > PAGE || u->iotlb + 8 > PAGE)
		return FE_ERR_UNSUPPORTED;
	return FE_OK;
}

/* What firmware may have left on goes off first: translation (we set our
 * own tables), the invalidation queue (we invalidate through registers)
 * and interrupt remapping (we do not program it). */
static void unit_quiet(const struct vtd_unit *u)
{
	static const struct { uint32_t bit; const char *what; } left[] = {
		{ GCMD_TE, "translation" }, { GCMD_QIE, "queued invalidation" },
		{ GCMD_IRE, "interrupt remapping" },
	};

	for (unsigned i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		if (r32(u, GSTS) & left[i].bit) {
			pr_info("iommu: VT-d at %#llx: firmware left %s on; turning it off\n",
			        (unsigned long long)u->base, left[i].what);
			command(u, left[i].bit, false, left[i].what);
		}
	}
}

static fe_status_t unit_start(struct vtd_unit *u)
{
	fe_status_t st;

	unit_quiet(u);
	if ((st = frame_alloc_zeroed(0, &u->root)) != FE_OK)
		return st;
	entry_flush(u, entries(u->root), PAGE);
	w64(u, RTADDR, u->root); /* legacy mode: translation table mode 00 */
	command(u, GCMD_SRTP, true, "setting the root table");
	write_buffer_flush(u);
	context_invalidate(u, CCMD_GLOBAL, 0, 0);
	iotlb_invalidate(u, IOTLB_GLOBAL, 0);
	faults_drain(u, false); /* what happened before us is not a driver's doing */
	if ((st = fault_event_setup(u)) != FE_OK)
		pr_warn("iommu: VT-d at %#llx: no fault interrupt (%s): faults are refused but not "
		        "reported\n", (unsigned long long)u->base, fe_status_name(st));
	command(u, GCMD_TE, true, "enabling translation");
	u->active = true;
	return FE_OK;
}

uint32_t arch_iommu_init(const struct acpi_dmar *dmar)
{
	uint32_t active = 0;

	for (uint32_t i = 0; i < dmar->ndrhd && i < ACPI_MAX_DRHD; i++) {
		struct vtd_unit *u = &units[i];
		fe_status_t st = unit_probe(u, &dmar->drhd[i]);
		nunits = i + 1;
		if (st == FE_OK)
			st = unit_start(u);
		if (st != FE_OK) {
			pr_warn("iommu: VT-d at %#llx not used (%s): DMA of the devices it covers is "
			        "unconfined\n", (unsigned long long)dmar->drhd[i].base, fe_status_name(st));
			continue;
		}
		uint32_t ver = r32(u, VER);
		pr_info("iommu: VT-d at %#llx, DMA confined per device (version %u.%u, %u-level page "
		        "tables, %u domains, %u fault record(s)%s)\n", (unsigned long long)u->base,
		        (ver >> 4) & 0xfu, ver & 0xfu, u->levels, u->domains, u->nfr,
		        u->coherent ? "" : ", tables flushed from the caches");
		active++;
	}
	return active;
}
