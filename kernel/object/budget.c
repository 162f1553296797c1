/* SPDX-License-Identifier: MIT */
#include "object/budget.h"

#include "core/cpu.h"
#include "core/panic.h"
#include "mm/frame.h"
#include "mm/kmem.h"
#include "mm/vm.h"

static struct kmem_cache budget_cache;

void budget_init(void)
{
	kmem_cache_init(&budget_cache, "budget", sizeof(struct budget), 8);
}

fe_status_t budget_create(struct budget *parent, uint64_t limit, struct budget **out)
{
	struct budget *b;
	fe_status_t st;

	if (limit == 0 || (parent && limit > parent->limit))
		return FE_ERR_INVALID_ARG;
	if (parent && (st = budget_charge(parent, sizeof(*b))) != FE_OK)
		return st;
	if ((st = kmem_zalloc(&budget_cache, (void **)&b)) != FE_OK) {
		if (parent)
			budget_uncharge(parent, sizeof(*b));
		return st;
	}
	b->limit = limit;
	b->parent = parent;
	b->refs = 1;
	if (parent)
		budget_get(parent);
	*out = b;
	return FE_OK;
}

void budget_get(struct budget *b)
{
	b->refs++;
}

void budget_put(struct budget *b)
{
	while (b && --b->refs == 0) {
		struct budget *parent = b->parent;

		if (b->used != 0)
			panic("budget %p freed with %llu bytes still charged", (void *)b,
			      (unsigned long long)b->used);
		kmem_free(&budget_cache, b);
		if (parent)
			budget_uncharge(parent, sizeof(*b));
		b = parent;
	}
}

fe_status_t budget_charge(struct budget *b, uint64_t bytes)
{
	for (struct budget *p = b; p; p = p->parent)
		if (bytes > p->limit - p->used)
			return FE_ERR_NO_MEMORY;
	for (struct budget *p = b; p; p = p->parent) {
		p->used += bytes;
		if (p->used > p->peak)
			p->peak = p->used;
	}
	return FE_OK;
}

void budget_uncharge(struct budget *b, uint64_t bytes)
{
	for (struct budget *p = b; p; p = p->parent) {
		if (p->used < bytes)
			panic("budget %p: uncharging %llu of %llu bytes", (void *)p,
			      (unsigned long long)bytes, (unsigned long long)p->used);
		p->used -= bytes;
	}
}

fe_status_t budget_zalloc(struct budget *b, struct kmem_cache *kc, void **out)
{
	fe_status_t st = budget_charge(b, kc->slab.obj_size);

	if (st != FE_OK)
		return st;
	if ((st = kmem_zalloc(kc, out)) != FE_OK)
		budget_uncharge(b, kc->slab.obj_size);
	return st;
}

void budget_free(struct budget *b, struct kmem_cache *kc, void *obj)
{
	kmem_free(kc, obj);
	budget_uncharge(b, kc->slab.obj_size);
}

fe_status_t budget_frame_alloc_on(struct budget *b, uint32_t node, unsigned order, uint64_t *phys)
{
	fe_status_t st = budget_charge(b, PAGE_SIZE << order);

	if (st != FE_OK)
		return st;
	if ((st = frame_alloc_zeroed_on(node, order, phys)) != FE_OK)
		budget_uncharge(b, PAGE_SIZE << order);
	return st;
}

fe_status_t budget_frame_alloc(struct budget *b, unsigned order, uint64_t *phys)
{
	return budget_frame_alloc_on(b, this_cpu()->node, order, phys);
}

void budget_frame_free(struct budget *b, uint64_t phys, unsigned order)
{
	frame_free(phys, order);
	budget_uncharge(b, PAGE_SIZE << order);
}
