/* SPDX-License-Identifier: MIT */
/*
 * The page-table format (Intel SDM vol 3, section 4.5): four levels of 512
 * eight-byte entries. Levels are numbered 4 (PML4) down to 1 (PT); a PS bit
 * at level 3 or 2 makes a 1 GiB or 2 MiB leaf.
 *
 * SAFETY: page-table pages are written only here, through the direct map;
 * callers serialise changes to one address space (the kernel half is built
 * at boot by one CPU; process address spaces take their own lock).
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/x86.h>

#include "core/kernel.h"
#include "mm/frame.h"
#include "mm/vm.h"

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_U (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define LEVEL_SHIFT(l) (12 + 9 * ((l) - 1))
#define LEVEL_SIZE(l) (1ULL << LEVEL_SHIFT(l))
#define INDEX(va, l) (((va) >> LEVEL_SHIFT(l)) & 511)

typedef uint64_t pte_t;

static pte_t *table_at(uint64_t pa)
{
	return phys_to_virt(pa & PTE_ADDR);
}

static pte_t leaf_bits(unsigned flags, unsigned level)
{
	pte_t e = PTE_P;

	if (flags & VM_WRITE)
		e |= PTE_W;
	if (flags & VM_USER)
		e |= PTE_U;
	if (!(flags & VM_EXEC) && cpu_features.nx)
		e |= PTE_NX;
	if (flags & VM_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	if ((flags & VM_GLOBAL) && !(flags & VM_USER))
		e |= PTE_G;
	if (level > 1)
		e |= PTE_PS;
	return e;
}

static unsigned flags_of(pte_t e)
{
	unsigned f = VM_READ;

	if (e & PTE_W)
		f |= VM_WRITE;
	if (e & PTE_U)
		f |= VM_USER;
	if (!(e & PTE_NX))
		f |= VM_EXEC;
	if (e & PTE_PCD)
		f |= VM_UNCACHED;
	if (e & PTE_G)
		f |= VM_GLOBAL;
	return f;
}

fe_status_t arch_pt_create(uint64_t *root)
{
	return frame_alloc_zeroed(0, root);
}

/*
 * Returns the entry for va at `level`, creating intermediate tables on the
 * way when `create`. NULL if a table is missing (and !create), a large page
 * sits above `level`, or no memory was left.
 */
static pte_t *walk_with(uint64_t root, uint64_t va, unsigned level, bool create, bool user,
                        const struct pt_alloc *alloc)
{
	pte_t *table = table_at(root);

	for (unsigned l = 4; l > level; l--) {
		pte_t *e = &table[INDEX(va, l)];
		if (!(*e & PTE_P)) {
			uint64_t pa;
			if (!create)
				return NULL;
			if ((alloc ? alloc->alloc(alloc->ctx, &pa) : frame_alloc_zeroed(0, &pa)) != FE_OK)
				return NULL;
			*e = pa | PTE_P | PTE_W | (user ? PTE_U : 0);
		} else if (*e & PTE_PS) {
			return NULL;
		} else if (user) {
			*e |= PTE_U;
		}
		table = table_at(*e);
	}
	return &table[INDEX(va, level)];
}

static pte_t *walk(uint64_t root, uint64_t va, unsigned level, bool create, bool user)
{
	return walk_with(root, va, level, create, user, NULL);
}

/* The largest page level usable at va/pa with `left` bytes to go. */
static unsigned pick_level(uint64_t va, uint64_t pa, uint64_t left, unsigned flags)
{
	if (flags & VM_LARGE) {
		for (unsigned l = cpu_features.pdpe1gb ? 3 : 2; l > 1; l--)
			if (((va | pa) & (LEVEL_SIZE(l) - 1)) == 0 && left >= LEVEL_SIZE(l))
				return l;
	}
	return 1;
}

/* Clears leaves in [va, end) that map_range set, whatever their size. */
static void unmap_leaves(uint64_t root, uint64_t va, uint64_t end)
{
	while (va < end) {
		unsigned l = 4;
		pte_t *e = NULL;
		for (; l >= 1; l--) {
			e = walk(root, va, l, false, false);
			if (e && (*e & PTE_P) && (l == 1 || (*e & PTE_PS)))
				break;
		}
		if (l == 0) {
			va += LEVEL_SIZE(1);
			continue;
		}
		*e = 0;
		invlpg(va);
		va += LEVEL_SIZE(l);
	}
}

fe_status_t arch_pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	return arch_pt_map_with(root, va, pa, size, flags, NULL);
}

fe_status_t arch_pt_map_with(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, unsigned flags,
                             const struct pt_alloc *alloc)
{
	uint64_t start = va, end = va + size;

	if (((va | pa | size) & (PAGE_SIZE - 1)) != 0 || size == 0 || end < va)
		return FE_ERR_INVALID_ARG;
	while (va < end) {
		unsigned l = pick_level(va, pa, end - va, flags);
		pte_t *e = walk_with(root, va, l, true, (flags & VM_USER) != 0, alloc);
		fe_status_t st = e == NULL ? FE_ERR_NO_MEMORY : (*e & PTE_P) ? FE_ERR_EXISTS : FE_OK;
		if (st != FE_OK) {
			unmap_leaves(root, start, va);
			return st;
		}
		*e = (pa & PTE_ADDR) | leaf_bits(flags, l);
		va += LEVEL_SIZE(l);
		pa += LEVEL_SIZE(l);
	}
	return FE_OK;
}

fe_status_t arch_pt_unmap(uint64_t root, uint64_t va, uint64_t size)
{
	if (((va | size) & (PAGE_SIZE - 1)) != 0)
		return FE_ERR_INVALID_ARG;
	for (uint64_t end = va + size; va < end; va += PAGE_SIZE) {
		pte_t *e = walk(root, va, 1, false, false);
		if (e == NULL) {
			pte_t *big = walk(root, va, 2, false, false);
			return (big && (*big & PTE_PS)) ? FE_ERR_UNSUPPORTED : FE_ERR_NOT_FOUND;
		}
		if (!(*e & PTE_P))
			return FE_ERR_NOT_FOUND;
		*e = 0;
		invlpg(va);
	}
	return FE_OK;
}

fe_status_t arch_pt_query(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags)
{
	pte_t *table = table_at(root);

	for (unsigned l = 4; l >= 1; l--) {
		pte_t e = table[INDEX(va, l)];
		if (!(e & PTE_P))
			return FE_ERR_NOT_FOUND;
		if (l == 1 || (e & PTE_PS)) {
			uint64_t mask = LEVEL_SIZE(l) - 1;
			*pa = (e & PTE_ADDR & ~mask) | (va & mask);
			*flags = flags_of(e);
			return FE_OK;
		}
		table = table_at(e);
	}
	return FE_ERR_NOT_FOUND;
}

fe_status_t arch_pt_prealloc_top(uint64_t root, uint64_t va)
{
	return walk(root, va, 3, true, false) ? FE_OK : FE_ERR_NO_MEMORY;
}

/* Frees the tables below `pa` at `level` (3 = a PDPT); leaves are not ours. */
static void free_tables(uint64_t pa, unsigned level, const struct pt_alloc *alloc)
{
	pte_t *table = table_at(pa);

	for (unsigned i = 0; level > 1 && i < 512; i++)
		if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
			free_tables(table[i] & PTE_ADDR, level - 1, alloc);
	alloc->free(alloc->ctx, pa);
}

void arch_pt_destroy_user(uint64_t root, const struct pt_alloc *alloc)
{
	pte_t *top = table_at(root);

	for (unsigned i = 0; i < 256; i++)
		if (top[i] & PTE_P)
			free_tables(top[i] & PTE_ADDR, 3, alloc);
	alloc->free(alloc->ctx, root);
}

fe_status_t arch_pt_create_user(uint64_t kernel_root, const struct pt_alloc *alloc, uint64_t *root)
{
	fe_status_t st = alloc->alloc(alloc->ctx, root);

	if (st != FE_OK)
		return st;
	/* The kernel half (entries 256..511) is shared: kmap preallocated every
	 * top-level table there, so later kernel mappings appear everywhere. */
	pte_t *dst = table_at(*root), *src = table_at(kernel_root);
	for (unsigned i = 256; i < 512; i++)
		dst[i] = src[i];
	return FE_OK;
}

void arch_pt_activate(uint64_t root)
{
	write_cr3(root);
}

/* SAFETY: toggling CR4.PGE flushes every TLB entry, global (kernel) ones
 * included (SDM vol 3 section 4.10.4.1); reloading CR3 flushes the rest
 * when global pages are off. Either leaves the page tables untouched. */
void arch_tlb_flush_all(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

uint64_t arch_pt_current(void)
{
	return read_cr3() & PTE_ADDR;
}
