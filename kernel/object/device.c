/* SPDX-License-Identifier: MIT */
#include "object/device.h"

#include "core/panic.h"
#include "mm/kmem.h"
#include "mm/vm.h"
#include "object/budget.h"

static struct kmem_cache ioport_cache, mmio_cache;
static struct kobj console_obj, trace_obj;

void device_init_cache(void)
{
	kmem_cache_init(&ioport_cache, "ioport", sizeof(struct ioport), 8);
	kmem_cache_init(&mmio_cache, "mmio", sizeof(struct mmio), 8);
	/* The singletons keep their first reference forever. */
	kobj_init(&console_obj, FE_OBJ_CONSOLE, NULL);
	kobj_init(&trace_obj, FE_OBJ_TRACE, NULL);
}

fe_status_t ioport_create(struct budget *b, uint16_t base, uint16_t count, struct ioport **out)
{
	struct ioport *io;
	fe_status_t st;

	if (count == 0 || (uint32_t)base + count > 0x10000)
		return FE_ERR_INVALID_ARG;
	if ((st = budget_zalloc(b, &ioport_cache, (void **)&io)) != FE_OK)
		return st;
	kobj_init(&io->obj, FE_OBJ_IOPORT, b);
	io->base = base;
	io->count = count;
	*out = io;
	return FE_OK;
}

fe_status_t mmio_create(struct budget *b, uint64_t phys, uint64_t size, struct mmio **out)
{
	struct mmio *m;
	fe_status_t st;

	if ((phys & (PAGE_SIZE - 1)) != 0 || size == 0)
		return FE_ERR_INVALID_ARG;
	if ((st = budget_zalloc(b, &mmio_cache, (void **)&m)) != FE_OK)
		return st;
	kobj_init(&m->obj, FE_OBJ_MMIO, b);
	m->phys = phys;
	m->size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	*out = m;
	return FE_OK;
}

struct kobj *console_object(void)
{
	kobj_get(&console_obj);
	return &console_obj;
}

struct kobj *trace_object(void)
{
	kobj_get(&trace_obj);
	return &trace_obj;
}

void device_object_destroy(struct kobj *o)
{
	if (o->type == FE_OBJ_IOPORT)
		budget_free(o->budget, &ioport_cache, o);
	else if (o->type == FE_OBJ_MMIO)
		budget_free(o->budget, &mmio_cache, o);
	else
		panic("device_object_destroy: singleton of type %u lost its last reference", o->type);
}
