/* SPDX-License-Identifier: MIT */
#include "object/vmo.h"

#include <ferrous/syscall.h>
#include <ferrous/trace.h>

#include "core/kernel.h"
#include "core/panic.h"
#include "core/usercopy.h"
#include "lib/util.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmem.h"
#include "mm/vm.h"
#include "object/budget.h"
#include "object/device.h"
#include "sched/sched.h"
#include "trace/trace.h"

static struct kmem_cache vmo_cache;

void vmo_init_cache(void)
{
	kmem_cache_init(&vmo_cache, "vmo", sizeof(struct vmo), 8);
}

static unsigned array_order(uint64_t npages)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < npages * sizeof(uint64_t))
		order++;
	return order;
}

static void free_pages(struct vmo *v, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		budget_frame_free(v->obj.budget, v->pages[i], 0);
}

/*
 * A VMO with room for npages page addresses, charged to b and counted alive
 * (kobj_init); its pages and size are the caller's to fill in, or to undo
 * with vmo_abandon.
 */
static fe_status_t vmo_shell(struct budget *b, uint32_t node, uint64_t npages, struct vmo **out)
{
	struct vmo *v;
	uint64_t arr;
	fe_status_t st;

	if ((st = budget_zalloc(b, &vmo_cache, (void **)&v)) != FE_OK)
		return st;
	v->pages_order = array_order(npages);
	v->node = node;
	if ((st = budget_frame_alloc_on(b, node, v->pages_order, &arr)) != FE_OK) {
		budget_free(b, &vmo_cache, v);
		return st;
	}
	v->pages = phys_to_virt(arr);
	kobj_init(&v->obj, FE_OBJ_VMO, b);
	*out = v;
	return FE_OK;
}

/* Undoes vmo_shell for a VMO nobody else has seen, whose pages are gone. */
static void vmo_abandon(struct budget *b, struct vmo *v)
{
	kobj_abandon(&v->obj); /* else `objects` would count it for good */
	budget_frame_free(b, virt_to_phys_direct(v->pages), v->pages_order);
	budget_free(b, &vmo_cache, v);
}

fe_status_t vmo_create(struct budget *b, uint32_t node, uint64_t size, struct vmo **out)
{
	struct vmo *v;
	fe_status_t st;

	if (size == 0 || size > VMO_MAX_SIZE)
		return FE_ERR_INVALID_ARG;
	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t npages = size / PAGE_SIZE;
	if ((st = vmo_shell(b, node, npages, &v)) != FE_OK)
		return st;
	/* Nobody else sees v yet, so other CPUs may run between the pages. */
	for (uint64_t i = 0; i < npages; i++) {
		if ((i + 1) % SCHED_WORK_PAGES == 0)
			st = sched_work_point();
		if (st == FE_OK)
			st = budget_frame_alloc_on(b, node, 0, &v->pages[i]);
		if (st != FE_OK) {
			free_pages(v, i);
			vmo_abandon(b, v);
			return st;
		}
	}
	v->size = size;
	v->owns_pages = true;
	*out = v;
	return FE_OK;
}

/* The smallest buddy order whose block holds npages frames. */
static unsigned block_order(uint64_t npages)
{
	unsigned order = 0;

	while ((1ULL << order) < npages)
		order++;
	return order;
}

/*
 * Zeroes the 2^order frames at base, a block nobody else sees, letting other
 * CPUs in every SCHED_WORK_PAGES pages (a 4 MiB block would hold the big
 * lock too long at once): FE_OK, or FE_ERR_CANCELED if the caller was killed.
 */
static fe_status_t zero_block(uint64_t base, unsigned order)
{
	fe_status_t st = FE_OK;

	for (uint64_t i = 0; i < (1ULL << order) && st == FE_OK; i++) {
		if ((i + 1) % SCHED_WORK_PAGES == 0)
			st = sched_work_point();
		if (st == FE_OK)
			memset(phys_to_virt(base + i * PAGE_SIZE), 0, PAGE_SIZE);
	}
	return st;
}

/* The largest contiguous VMO is the buddy allocator's largest block. */
_Static_assert(FE_VMO_CONTIGUOUS_MAX == PAGE_SIZE << BUDDY_MAX_ORDER,
               "FE_VMO_CONTIGUOUS_MAX is the largest buddy block");

fe_status_t vmo_create_contiguous(struct budget *b, uint32_t node, uint64_t size,
                                  struct vmo **out)
{
	struct vmo *v;
	uint64_t base;
	fe_status_t st;

	if (size == 0 || size > FE_VMO_CONTIGUOUS_MAX)
		return FE_ERR_INVALID_ARG;
	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t npages = size / PAGE_SIZE;
	unsigned order = block_order(npages);
	if ((st = vmo_shell(b, node, npages, &v)) != FE_OK)
		return st;
	/* Charged as the whole block: the frames past `size` are held too. */
	if ((st = budget_charge(b, PAGE_SIZE << order)) != FE_OK) {
		vmo_abandon(b, v);
		return st;
	}
	if ((st = frame_alloc_on(node, order, &base)) != FE_OK) {
		budget_uncharge(b, PAGE_SIZE << order);
		vmo_abandon(b, v);
		return st;
	}
	if ((st = zero_block(base, order)) != FE_OK) {
		budget_frame_free(b, base, order);
		vmo_abandon(b, v);
		return st;
	}
	for (uint64_t i = 0; i < npages; i++)
		v->pages[i] = base + i * PAGE_SIZE;
	v->size = size;
	v->owns_pages = true;
	v->contiguous = true;
	v->block_order = (uint8_t)order;
	*out = v;
	return FE_OK;
}

fe_status_t vmo_create_physical(uint64_t phys, uint64_t size, struct vmo **out)
{
	struct vmo *v;
	uint64_t arr;
	fe_status_t st;

	if ((phys & (PAGE_SIZE - 1)) != 0 || size == 0 || size > VMO_MAX_SIZE)
		return FE_ERR_INVALID_ARG;
	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if ((st = kmem_zalloc(&vmo_cache, (void **)&v)) != FE_OK)
		return st;
	v->pages_order = array_order(size / PAGE_SIZE);
	if ((st = frame_alloc_zeroed(v->pages_order, &arr)) != FE_OK) {
		kmem_free(&vmo_cache, v);
		return st;
	}
	v->pages = phys_to_virt(arr);
	for (uint64_t i = 0; i < size / PAGE_SIZE; i++)
		v->pages[i] = phys + i * PAGE_SIZE;
	kobj_init(&v->obj, FE_OBJ_VMO, NULL);
	v->size = size;
	*out = v;
	return FE_OK;
}

void vmo_destroy(struct kobj *o)
{
	struct vmo *v = (struct vmo *)o;
	uint64_t arr = virt_to_phys_direct(v->pages);

	if (!o->budget) {
		frame_free(arr, v->pages_order);
		kmem_free(&vmo_cache, v);
		return;
	}
	if (v->owns_pages && v->contiguous)
		budget_frame_free(o->budget, v->pages[0], v->block_order);
	else if (v->owns_pages)
		free_pages(v, v->size / PAGE_SIZE);
	budget_frame_free(o->budget, arr, v->pages_order);
	budget_free(o->budget, &vmo_cache, v);
}

static fe_status_t check_span(const struct vmo *v, uint64_t offset, uint64_t len)
{
	return range_within(offset, len, v->size) ? FE_OK : FE_ERR_OUT_OF_RANGE;
}

static fe_status_t check_write(const struct vmo *v, uint64_t offset, uint64_t len)
{
	fe_status_t st = check_span(v, offset, len);

	if (st == FE_OK && v->seal == VMO_CODE)
		st = FE_ERR_ACCESS_DENIED;
	return st;
}

fe_status_t vmo_write_kernel(struct vmo *v, uint64_t offset, const void *src, uint64_t len)
{
	const uint8_t *s = src;
	fe_status_t st = check_write(v, offset, len);

	while (st == FE_OK && len > 0) {
		uint64_t in_page = offset & (PAGE_SIZE - 1);
		uint64_t n = PAGE_SIZE - in_page < len ? PAGE_SIZE - in_page : len;

		memcpy((uint8_t *)phys_to_virt(v->pages[offset / PAGE_SIZE]) + in_page, s, n);
		s += n, offset += n, len -= n;
	}
	return st;
}

/* Checks everything first, so the page-by-page copies cannot fail part way
 * (core/usercopy.h: the big lock keeps the user range as it was checked). */
static fe_status_t check_copy_user(const struct vmo *v, uint64_t offset, uint64_t ubuf,
                                   uint64_t len, bool to_vmo)
{
	fe_status_t st = to_vmo ? check_write(v, offset, len) : check_span(v, offset, len);

	if (st == FE_OK && len > FE_VMO_IO_MAX)
		st = FE_ERR_INVALID_ARG; /* inside the object, but too long to copy at once */
	if (st != FE_OK)
		return st;
	return to_vmo ? user_check_read(ubuf, len) : user_check_write(ubuf, len);
}

fe_status_t vmo_copy_user(struct vmo *v, uint64_t offset, uint64_t ubuf, uint64_t len, bool to_vmo)
{
	fe_status_t st = check_copy_user(v, offset, ubuf, len, to_vmo);

	while (st == FE_OK && len > 0) {
		uint64_t in_page = offset & (PAGE_SIZE - 1);
		uint64_t n = PAGE_SIZE - in_page < len ? PAGE_SIZE - in_page : len;
		uint8_t *k = (uint8_t *)phys_to_virt(v->pages[offset / PAGE_SIZE]) + in_page;

		st = to_vmo ? copy_from_user(k, ubuf, n) : copy_to_user(ubuf, k, n);
		ubuf += n, offset += n, len -= n;
	}
	return st;
}

/* The seal a mapping with prot gives (VMO_OPEN: none, read-only). */
static enum vmo_seal seal_for(uint32_t prot)
{
	if (prot & FE_VM_EXEC)
		return VMO_CODE;
	return (prot & FE_VM_WRITE) ? VMO_DATA : VMO_OPEN;
}

fe_status_t mem_seal_check(const struct kobj *mem, uint32_t prot)
{
	enum vmo_seal want = seal_for(prot);

	if (mem->type != FE_OBJ_VMO || want == VMO_OPEN)
		return FE_OK;
	enum vmo_seal have = ((const struct vmo *)mem)->seal;
	return have == VMO_OPEN || have == want ? FE_OK : FE_ERR_ACCESS_DENIED;
}

void mem_seal(struct kobj *mem, uint32_t prot)
{
	enum vmo_seal want = seal_for(prot);

	if (mem->type != FE_OBJ_VMO || want == VMO_OPEN)
		return;
	struct vmo *v = (struct vmo *)mem;
	if (v->seal != want) {
		if (v->seal != VMO_OPEN)
			panic("mem_seal: VMO %llu sealed %u, mapped as %u", (unsigned long long)mem->koid,
			      v->seal, want);
		v->seal = (uint8_t)want;
		trace_emit(FE_TRACE_VMO_SEAL, mem->koid, want, 0, 0);
	}
}

fe_status_t mem_page(struct kobj *mem, uint64_t offset, uint64_t *phys, bool *uncached)
{
	if (offset >= mem_size(mem))
		return FE_ERR_OUT_OF_RANGE;
	if (mem->type == FE_OBJ_VMO) {
		*phys = ((struct vmo *)mem)->pages[offset / PAGE_SIZE];
		*uncached = false;
	} else {
		*phys = ((struct mmio *)mem)->phys + (offset & ~(PAGE_SIZE - 1));
		*uncached = true;
	}
	return FE_OK;
}

uint64_t mem_size(struct kobj *mem)
{
	if (mem->type == FE_OBJ_VMO)
		return ((struct vmo *)mem)->size;
	if (mem->type == FE_OBJ_MMIO)
		return ((struct mmio *)mem)->size;
	return 0;
}
