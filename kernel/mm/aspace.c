/* SPDX-License-Identifier: MIT */
#include "mm/aspace.h"

#include <arch/paging.h>
#include <ferrous/syscall.h>
#include <ferrous/trace.h>

#include <stddef.h>

#include "core/ipi.h"
#include "core/panic.h"
#include "lib/util.h"
#include "mm/kmap.h"
#include "mm/kmem.h"
#include "mm/vm.h"
#include "object/budget.h"
#include "object/device.h"
#include "object/kobj.h"
#include "object/vmo.h"
#include "trace/trace.h"

static struct kmem_cache mapping_cache;

/*
 * Mappings already out of their page tables whose translations other CPUs
 * may still cache: each keeps its object referenced (so no page it maps can
 * be freed and reused) until aspace_flush_removed() has shot down the TLBs
 * of `stale_cpus`, the CPUs that were running on one of their address spaces.
 * Batching makes a revoke or unmap of many mappings cost one shootdown, not
 * one per mapping. Under the big lock; empty whenever no call is running.
 */
static struct mapping *removed;
static uint64_t stale_cpus;

void aspace_init_cache(void)
{
	kmem_cache_init(&mapping_cache, "mapping", sizeof(struct mapping), 8);
}

static fe_status_t table_alloc(void *ctx, uint64_t *pa)
{
	struct aspace *as = ctx;
	fe_status_t st = budget_frame_alloc(as->budget, 0, pa);

	if (st == FE_OK)
		as->table_pages++;
	return st;
}

static void table_free(void *ctx, uint64_t pa)
{
	struct aspace *as = ctx;

	budget_frame_free(as->budget, pa, 0);
	as->table_pages--;
}

static struct pt_alloc tables_of(struct aspace *as)
{
	return (struct pt_alloc){ .alloc = table_alloc, .free = table_free, .ctx = as };
}

fe_status_t aspace_init(struct aspace *as, struct budget *b)
{
	struct pt_alloc a;

	as->budget = b;
	as->maps = NULL;
	as->table_pages = 0;
	a = tables_of(as);
	return arch_pt_create_user(kmap_root(), &a, &as->root);
}

void aspace_destroy(struct aspace *as)
{
	struct pt_alloc a = tables_of(as);

	if (as->root == 0)
		return;
	aspace_flush_removed(); /* a queued mapping may point at as */
	if (arch_pt_current() == as->root)
		arch_pt_activate(kmap_root());
	while (as->maps) {
		struct mapping *m = as->maps;

		as->maps = m->next;
		cspace_dep_detach(&m->via);
		kobj_put(m->mem);
		budget_free(as->budget, &mapping_cache, m);
	}
	arch_pt_destroy_user(as->root, &a);
	as->root = 0;
}

/* The user-half range check shared by map and unmap. */
static fe_status_t check_range(uint64_t va, uint64_t len)
{
	if (((va | len) & (PAGE_SIZE - 1)) != 0 || len == 0)
		return FE_ERR_INVALID_ARG;
	if (va < FE_USER_BASE || !range_within(va, len, FE_USER_TOP))
		return FE_ERR_OUT_OF_RANGE;
	return FE_OK;
}

static fe_status_t check_map_args(struct kobj *mem, uint64_t offset, uint64_t va, uint64_t len,
                                  uint32_t prot)
{
	uint64_t size = mem_size(mem);
	fe_status_t st;

	if ((offset & (PAGE_SIZE - 1)) != 0 || prot == 0 || (prot & ~7u) != 0)
		return FE_ERR_INVALID_ARG;
	if ((st = check_range(va, len)) != FE_OK)
		return st;
	if ((prot & FE_VM_WRITE) && (prot & FE_VM_EXEC))
		return FE_ERR_ACCESS_DENIED;
	if ((prot & FE_VM_EXEC) && mem->type == FE_OBJ_MMIO)
		return FE_ERR_ACCESS_DENIED; /* device memory is never code */
	if (!range_within(offset, len, size))
		return FE_ERR_OUT_OF_RANGE;
	if (mem->type == FE_OBJ_MMIO) {
		const struct mmio *m = (const struct mmio *)mem;
		if (m->hole_len && offset < m->hole_off + m->hole_len && m->hole_off < offset + len)
			return FE_ERR_ACCESS_DENIED; /* the kernel's pages in a BAR */
	}
	return mem_seal_check(mem, prot); /* W^X per object, ADR 0008 */
}

static bool overlaps(const struct aspace *as, uint64_t va, uint64_t len)
{
	for (const struct mapping *m = as->maps; m; m = m->next)
		if (va < m->va + m->len && m->va < va + len)
			return true;
	return false;
}

static void insert_sorted(struct aspace *as, struct mapping *m)
{
	struct mapping *prev = NULL, *next = as->maps;

	while (next && next->va < m->va)
		prev = next, next = next->next;
	m->prev = prev;
	m->next = next;
	if (next)
		next->prev = m;
	if (prev)
		prev->next = m;
	else
		as->maps = m;
}

static void unlink_mapping(struct aspace *as, struct mapping *m)
{
	if (m->prev)
		m->prev->next = m->next;
	else
		as->maps = m->next;
	if (m->next)
		m->next->prev = m->prev;
	m->next = m->prev = NULL;
}

/* Clears [va, va+len) from as's page tables; other CPUs' TLBs are flushed
 * by the next aspace_flush_removed(). */
static void unmap_range(struct aspace *as, uint64_t va, uint64_t len)
{
	arch_pt_unmap(as->root, va, len);
	stale_cpus |= tlb_cpus_using(as->root);
}

/* Unmaps all of m and queues it for aspace_flush_removed(). */
static void remove_mapping(struct aspace *as, struct mapping *m)
{
	unmap_range(as, m->va, m->len);
	unlink_mapping(as, m);
	cspace_dep_detach(&m->via);
	m->next = removed;
	removed = m;
}

bool aspace_flush_pending(void)
{
	return removed != NULL || stale_cpus != 0;
}

void aspace_flush_removed(void)
{
	tlb_shootdown(stale_cpus); /* before any page of a removed mapping can be freed */
	stale_cpus = 0;
	while (removed) {
		struct mapping *m = removed;

		removed = m->next;
		kobj_put(m->mem);
		budget_free(m->as->budget, &mapping_cache, m);
	}
}

void aspace_revoke_mapping(struct cap_dep *via)
{
	struct mapping *m = (struct mapping *)((char *)via - offsetof(struct mapping, via));

	trace_emit(FE_TRACE_CAP_REVOKE_DEP, CAP_DEP_MAPPING, m->mem->koid, m->va, m->len);
	remove_mapping(m->as, m);
}

static fe_status_t map_pages(struct aspace *as, struct kobj *mem, uint64_t offset, uint64_t va,
                             uint64_t len, uint32_t prot)
{
	struct pt_alloc a = tables_of(as);
	unsigned base = VM_USER | VM_READ | ((prot & FE_VM_WRITE) ? VM_WRITE : 0) |
	                ((prot & FE_VM_EXEC) ? VM_EXEC : 0);

	for (uint64_t done = 0; done < len; done += PAGE_SIZE) {
		uint64_t pa;
		bool uncached;
		fe_status_t st = mem_page(mem, offset + done, &pa, &uncached);

		if (st == FE_OK)
			st = arch_pt_map_with(as->root, va + done, pa, PAGE_SIZE,
			                      base | (uncached ? VM_UNCACHED : 0), &a);
		if (st != FE_OK) {
			if (done) {
				arch_pt_unmap(as->root, va, done);
				tlb_shootdown_root(as->root);
			}
			return st;
		}
	}
	return FE_OK;
}

fe_status_t aspace_map(struct aspace *as, struct kobj *mem, uint64_t offset, uint64_t va,
                       uint64_t len, uint32_t prot, struct cap *via)
{
	struct mapping *m;
	fe_status_t st;

	if ((st = check_map_args(mem, offset, va, len, prot)) != FE_OK)
		return st;
	if (overlaps(as, va, len))
		return FE_ERR_EXISTS;
	if ((st = budget_zalloc(as->budget, &mapping_cache, (void **)&m)) != FE_OK)
		return st;
	if ((st = map_pages(as, mem, offset, va, len, prot)) != FE_OK) {
		budget_free(as->budget, &mapping_cache, m);
		return st;
	}
	*m = (struct mapping){ .va = va, .len = len, .offset = offset, .mem = mem, .prot = prot,
	                       .as = as, .via = { .kind = CAP_DEP_MAPPING } };
	mem_seal(mem, prot);
	kobj_get(mem);
	insert_sorted(as, m);
	if (via)
		cspace_dep_attach(via, &m->via);
	return FE_OK;
}

/* Cuts [lo, hi) out of mapping m (which overlaps it). `spare` becomes the
 * upper part when the cut is in the middle; returns whether it was used. */
static bool cut(struct aspace *as, struct mapping *m, uint64_t lo, uint64_t hi, struct mapping *spare)
{
	uint64_t end = m->va + m->len;

	unmap_range(as, lo, hi - lo);
	if (lo > m->va && hi < end) {
		if (!spare)
			panic("aspace_unmap: a second split in one range");
		*spare = *m;
		spare->va = hi;
		spare->offset = m->offset + (hi - m->va);
		spare->len = end - hi;
		kobj_get(spare->mem);
		m->len = lo - m->va;
		spare->prev = m;
		if (m->next)
			m->next->prev = spare;
		m->next = spare;
		/* Both halves were made through the same capability. */
		spare->via = (struct cap_dep){ .kind = CAP_DEP_MAPPING };
		if (m->via.cap)
			cspace_dep_attach(m->via.cap, &spare->via);
		return true;
	}
	if (lo > m->va) {
		m->len = lo - m->va;
	} else {
		m->offset += hi - m->va;
		m->va = hi;
		m->len = end - hi;
	}
	return false;
}

fe_status_t aspace_unmap(struct aspace *as, uint64_t va, uint64_t len)
{
	struct mapping *spare = NULL;
	fe_status_t st;

	if ((st = check_range(va, len)) != FE_OK)
		return st;
	/* A split needs one more record; get it before changing anything. */
	if ((st = budget_zalloc(as->budget, &mapping_cache, (void **)&spare)) != FE_OK)
		return st;
	for (struct mapping *m = as->maps, *next; m; m = next) {
		uint64_t lo = va > m->va ? va : m->va;
		uint64_t hi = va + len < m->va + m->len ? va + len : m->va + m->len;

		next = m->next;
		if (lo >= hi)
			continue;
		if (lo == m->va && hi == m->va + m->len) {
			remove_mapping(as, m);
			continue;
		}
		if (cut(as, m, lo, hi, spare))
			spare = NULL;
	}
	aspace_flush_removed();
	if (spare)
		budget_free(as->budget, &mapping_cache, spare);
	return FE_OK;
}
