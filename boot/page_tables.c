/* SPDX-License-Identifier: MIT */
/*
 * The hand-off address space of boot_info.h. The kernel replaces these
 * tables at once, so they favour simplicity over precision: RAM is mapped in
 * 2 MiB pages with ranges rounded outward, and the identity map stays
 * executable because the loader's last instructions run from it.
 * Tables are written through the firmware's identity mapping.
 */
#include <arch/x86.h>

#include "lib/string.h"
#include "loader.h"

/* x86_64 page-table entry bits (Intel SDM vol. 3A, 4.5). */
#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_LARGE (1ULL << 7) /* in a page-directory entry: a 2 MiB page */
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define CR4_LA57 (1ULL << 12) /* 5-level paging */

#define PAGE_2M (2ULL << 20)
#define ENTRIES 512u
enum pt_level { LEVEL_PT = 1, LEVEL_PD = 2, LEVEL_PDPT = 3, LEVEL_PML4 = 4 };

/*
 * Physical memory must lie below this to be mapped: the direct map has to end
 * where the kernel's window (FE_KERNEL_VIRT_BASE) begins.
 */
#define MAP_LIMIT (FE_KERNEL_VIRT_BASE - FE_HHDM_BASE)
_Static_assert(MAP_LIMIT <= (1ULL << 47), "the identity map must stay in the lower half");

/* Table pages come from pools of this many pages, allocated as needed. */
#define POOL_PAGES 16u

struct pt_builder {
	uint64_t *pml4;
	uint64_t pool_next, pool_end; /* the unused part of the current pool */
	unsigned tables;              /* table pages used, for the report */
	uint64_t nx;                  /* PTE_NX, or 0 if the CPU has no NX */
};

/* A zeroed table page from the pool; a new pool when it is used up. */
static uint64_t *table_alloc(struct pt_builder *b)
{
	if (b->pool_next == b->pool_end) {
		b->pool_next = efi_alloc_pages(FE_EFI_MEM_BOOT_TABLES, POOL_PAGES * FE_PAGE_SIZE,
		                               "page tables");
		b->pool_end = b->pool_next + POOL_PAGES * FE_PAGE_SIZE;
	}
	uint64_t *t = (uint64_t *)(uintptr_t)b->pool_next;
	b->pool_next += FE_PAGE_SIZE;
	b->tables++;
	memset(t, 0, FE_PAGE_SIZE);
	return t;
}

static unsigned pt_index(uint64_t va, enum pt_level level)
{
	return (va >> (12 + 9 * (level - 1))) & (ENTRIES - 1);
}

/* The table that entry `i` of `table` points to, created if absent. */
static uint64_t *table_next(struct pt_builder *b, uint64_t *table, unsigned i, uint64_t va)
{
	if (table[i] & PTE_LARGE)
		fatal("page tables: 0x%llx is already inside a large page", (unsigned long long)va);
	if (!(table[i] & PTE_PRESENT))
		table[i] = (uint64_t)(uintptr_t)table_alloc(b) | PTE_PRESENT | PTE_WRITE;
	return (uint64_t *)(uintptr_t)(table[i] & PTE_ADDR);
}

/* Maps one page at `leaf` level (LEVEL_PT: 4 KiB, LEVEL_PD: 2 MiB with PTE_LARGE). */
static void map_page(struct pt_builder *b, uint64_t va, uint64_t pa, uint64_t flags,
                     enum pt_level leaf)
{
	uint64_t *t = b->pml4;

	for (enum pt_level level = LEVEL_PML4; level > leaf; level--)
		t = table_next(b, t, pt_index(va, level), va);
	t[pt_index(va, leaf)] = pa | flags;
}

/* Maps [lo, hi), 2 MiB aligned, at itself and in the direct map. */
static void map_ram(struct pt_builder *b, uint64_t lo, uint64_t hi)
{
	for (uint64_t pa = lo; pa < hi; pa += PAGE_2M) {
		map_page(b, pa, pa, PTE_PRESENT | PTE_WRITE | PTE_LARGE, LEVEL_PD);
		map_page(b, FE_HHDM_BASE + pa, pa, PTE_PRESENT | PTE_WRITE | PTE_LARGE | b->nx,
		         LEVEL_PD);
	}
}

/* Maps every range of `m` that is not device space; returns the highest end mapped. */
static uint64_t map_memory(struct pt_builder *b, const struct efi_mmap *m)
{
	uint64_t top = 0;

	for (UINTN i = 0; i < mmap_count(m); i++) {
		const EFI_MEMORY_DESCRIPTOR *d = mmap_desc(m, i);
		if (mmap_is_mmio(d->Type) || d->NumberOfPages == 0)
			continue;
		if (d->PhysicalStart >= MAP_LIMIT ||
		    d->NumberOfPages > (MAP_LIMIT - d->PhysicalStart) / FE_PAGE_SIZE)
			fatal("memory at 0x%llx (%llu pages) reaches past 0x%llx, the end of the "
			      "direct map", (unsigned long long)d->PhysicalStart,
			      (unsigned long long)d->NumberOfPages, (unsigned long long)MAP_LIMIT);
		uint64_t lo = ALIGN_DOWN(d->PhysicalStart, PAGE_2M);
		uint64_t hi = ALIGN_UP(d->PhysicalStart + d->NumberOfPages * FE_PAGE_SIZE, PAGE_2M);
		map_ram(b, lo, hi);
		top = MAX(top, hi);
	}
	return top;
}

static void map_kernel(struct pt_builder *b, const struct loaded_kernel *k)
{
	for (uint64_t off = 0; off < k->size; off += FE_PAGE_SIZE)
		map_page(b, k->virt + off, k->phys + off, PTE_PRESENT | PTE_WRITE, LEVEL_PT);
}

uint64_t pt_build(const struct efi_mmap *m, const struct loaded_kernel *k, bool nx,
                  uint64_t *hhdm_size)
{
	struct pt_builder b = { .nx = nx ? PTE_NX : 0 };

	if (read_cr4() & CR4_LA57)
		fatal("the firmware runs with 5-level paging; this loader builds 4-level tables");
	b.pml4 = table_alloc(&b);
	*hhdm_size = map_memory(&b, m);
	map_kernel(&b, k);
	con_printf("ferrous-boot: page tables: %u pages; direct map of %llu MiB%s\n", b.tables,
	           (unsigned long long)(*hhdm_size >> 20), nx ? ", NX" : " (CPU has no NX)");
	return (uint64_t)(uintptr_t)b.pml4;
}
