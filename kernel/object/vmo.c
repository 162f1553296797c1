/* SPDX-License-Identifier: MIT */
#include "object/vmo.h"

#include "core/kernel.h"
#include "core/panic.h"
#include "core/usercopy.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmem.h"
#include "mm/vm.h"
#include "object/budget.h"
#include "object/device.h"
#include "sched/sched.h"

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

fe_status_t vmo_create(struct budget *b, uint32_t node, uint64_t size, struct vmo **out)
{
	struct vmo *v;
	uint64_t arr;
	fe_status_t st;

	if (size == 0 || size > VMO_MAX_SIZE)
		return FE_ERR_INVALID_ARG;
	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t npages = size / PAGE_SIZE;
	if ((st = budget_zalloc(b, &vmo_cache, (void **)&v)) != FE_OK)
		return st;
	v->pages_order = array_order(npages);
	v->node = node;
	if ((st = budget_frame_alloc_on(b, node, v->pages_order, &arr)) != FE_OK)
		goto fail_obj;
	v->pages = phys_to_virt(arr);
	kobj_init(&v->obj, FE_OBJ_VMO, b);
	/* Nobody else sees v yet, so other CPUs may run between the pages. */
	for (uint64_t i = 0; i < npages; i++) {
		if ((i + 1) % SCHED_WORK_PAGES == 0)
			st = sched_work_point();
		if (st == FE_OK)
			st = budget_frame_alloc_on(b, node, 0, &v->pages[i]);
		if (st != FE_OK) {
			free_pages(v, i);
			budget_put(b);
			budget_frame_free(b, arr, v->pages_order);
			goto fail_obj;
		}
	}
	v->size = size;
	v->owns_pages = true;
	*out = v;
	return FE_OK;

fail_obj:
	budget_free(b, &vmo_cache, v);
	return st;
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
	if (v->owns_pages)
		free_pages(v, v->size / PAGE_SIZE);
	budget_frame_free(o->budget, arr, v->pages_order);
	budget_free(o->budget, &vmo_cache, v);
}

static fe_status_t check_span(const struct vmo *v, uint64_t offset, uint64_t len)
{
	return offset > v->size || len > v->size - offset ? FE_ERR_OUT_OF_RANGE : FE_OK;
}

fe_status_t vmo_write_kernel(struct vmo *v, uint64_t offset, const void *src, uint64_t len)
{
	const uint8_t *s = src;
	fe_status_t st = check_span(v, offset, len);

	while (st == FE_OK && len > 0) {
		uint64_t in_page = offset & (PAGE_SIZE - 1);
		uint64_t n = PAGE_SIZE - in_page < len ? PAGE_SIZE - in_page : len;

		memcpy((uint8_t *)phys_to_virt(v->pages[offset / PAGE_SIZE]) + in_page, s, n);
		s += n, offset += n, len -= n;
	}
	return st;
}

fe_status_t vmo_copy_user(struct vmo *v, uint64_t offset, uint64_t ubuf, uint64_t len, bool to_vmo)
{
	fe_status_t st = check_span(v, offset, len);

	if (st == FE_OK && !user_range_ok(ubuf, len))
		st = FE_ERR_FAULT;
	while (st == FE_OK && len > 0) {
		uint64_t in_page = offset & (PAGE_SIZE - 1);
		uint64_t n = PAGE_SIZE - in_page < len ? PAGE_SIZE - in_page : len;
		uint8_t *k = (uint8_t *)phys_to_virt(v->pages[offset / PAGE_SIZE]) + in_page;

		st = to_vmo ? copy_from_user(k, ubuf, n) : copy_to_user(ubuf, k, n);
		ubuf += n, offset += n, len -= n;
	}
	return st;
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
