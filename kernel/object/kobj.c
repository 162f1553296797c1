/* SPDX-License-Identifier: MIT */
#include "object/kobj.h"

#include "cap/cspace.h"
#include "core/cpu.h"
#include "core/log.h"
#include "core/panic.h"
#include "mm/frame.h"
#include "mm/kmem.h"
#include "mm/vm.h"
#include "mm/aspace.h"
#include "object/budget.h"
#include "object/device.h"
#include "object/endpoint.h"
#include "object/group.h"
#include "object/interrupt.h"
#include "object/notification.h"
#include "object/pci.h"
#include "object/process.h"
#include "object/thread.h"
#include "object/vmo.h"
#include "object/watch.h"
#include "core/kernel.h"

static uint64_t next_koid = 1;
struct kobj *kobj_reap_list; /* under the big lock */
static uint64_t live_objects; /* initialised and not yet destroyed */
static struct kobj *live_list; /* the same objects, newest first (kobj_dump_live) */

static void live_link(struct kobj *o)
{
	o->live_prev = NULL;
	o->live_next = live_list;
	if (live_list)
		live_list->live_prev = o;
	live_list = o;
	live_objects++;
}

static void live_unlink(struct kobj *o)
{
	if (o->live_prev)
		o->live_prev->live_next = o->live_next;
	else
		live_list = o->live_next;
	if (o->live_next)
		o->live_next->live_prev = o->live_prev;
	o->live_next = o->live_prev = NULL;
	live_objects--;
}

uint64_t kobj_count(void)
{
	return live_objects;
}

static void (*const destructors[FE_OBJ_TYPE_COUNT])(struct kobj *) = {
	[FE_OBJ_PROCESS] = process_destroy,
	[FE_OBJ_THREAD] = thread_destroy,
	[FE_OBJ_ENDPOINT] = endpoint_destroy,
	[FE_OBJ_NOTIFICATION] = notification_destroy,
	[FE_OBJ_VMO] = vmo_destroy,
	[FE_OBJ_IRQ] = irq_object_destroy,
	[FE_OBJ_IOPORT] = device_object_destroy,
	[FE_OBJ_MMIO] = device_object_destroy,
	[FE_OBJ_CONSOLE] = device_object_destroy,
	[FE_OBJ_TRACE] = device_object_destroy,
	[FE_OBJ_PCI_ROOT] = pci_object_destroy,
	[FE_OBJ_PCI_DEVICE] = pci_object_destroy,
	[FE_OBJ_GROUP] = group_destroy,
};

void kobj_init(struct kobj *o, uint32_t type, struct budget *b)
{
	o->type = type;
	o->refs = 1;
	o->koid = next_koid++;
	live_link(o);
	o->budget = b;
	o->reap_next = NULL;
	if (b)
		budget_get(b);
}

void kobj_abandon(struct kobj *o)
{
	live_unlink(o);
	if (o->budget)
		budget_put(o->budget);
	o->budget = NULL;
	o->refs = 0;
}

void kobj_get(struct kobj *o)
{
	if (o->refs == 0)
		panic("kobj_get on dead object koid %llu type %u", (unsigned long long)o->koid, o->type);
	o->refs++;
}

void kobj_put(struct kobj *o)
{
	if (o->refs == 0)
		panic("kobj_put: reference count underflow, koid %llu type %u",
		      (unsigned long long)o->koid, o->type);
	if (--o->refs == 0) {
		o->reap_next = kobj_reap_list;
		kobj_reap_list = o;
	}
}

void kobj_reap_all(void)
{
	while (kobj_reap_list) {
		struct kobj *o = kobj_reap_list;
		struct budget *b = o->budget;

		kobj_reap_list = o->reap_next;
		if (o->type >= FE_OBJ_TYPE_COUNT || !destructors[o->type])
			panic("kobj_reap: no destructor for type %u", o->type);
		live_unlink(o);
		destructors[o->type](o);
		if (b)
			budget_put(b);
	}
}

static const char *const type_names[FE_OBJ_TYPE_COUNT] = {
	[FE_OBJ_PROCESS] = "process", [FE_OBJ_THREAD] = "thread", [FE_OBJ_ENDPOINT] = "endpoint",
	[FE_OBJ_NOTIFICATION] = "notification", [FE_OBJ_VMO] = "vmo", [FE_OBJ_IRQ] = "irq",
	[FE_OBJ_IOPORT] = "ioport", [FE_OBJ_MMIO] = "mmio", [FE_OBJ_CONSOLE] = "console",
	[FE_OBJ_TRACE] = "trace", [FE_OBJ_PCI_ROOT] = "pci-root", [FE_OBJ_PCI_DEVICE] = "pci-device",
	[FE_OBJ_GROUP] = "group",
};

/* One line per object, and one more for a process or thread: its state. */
static void dump_one(struct kobj *o)
{
	const char *name = o->type < FE_OBJ_TYPE_COUNT && type_names[o->type] ? type_names[o->type]
	                                                                       : "?";

	pr_info("kobj: %s koid %llu refs %u%s\n", name, (unsigned long long)o->koid, o->refs,
	        o->refs == 0 ? " (being reaped)" : "");
	if (o->type == FE_OBJ_PROCESS) {
		struct process *p = process_of(o);
		pr_info("kobj:   process '%s' alive %d finished %d threads %u handles %llu budget refs %u\n",
		        p->name, p->alive, p->finished, p->nthreads, (unsigned long long)p->cspace.count,
		        p->budget->refs);
	} else if (o->type == FE_OBJ_THREAD) {
		struct thread *t = thread_of(o);
		pr_info("kobj:   thread of process %llu state %d blocked %d killed %d in_work_point %d "
		        "waits on %llu holds %llu reply_to %d reply_from %d ipcbuf %d\n",
		        (unsigned long long)t->proc->obj.koid, t->state, t->blocked, t->killed,
		        t->in_work_point, t->wq_obj ? (unsigned long long)t->wq_obj->koid : 0ULL,
		        t->call_ref ? (unsigned long long)t->call_ref->koid : 0ULL, t->reply_to != NULL,
		        t->reply_from != NULL, t->ipcbuf_vmo != NULL);
	}
}

void kobj_dump_live(void)
{
	pr_info("kobj: %llu live objects\n", (unsigned long long)live_objects);
	for (struct kobj *o = live_list; o; o = o->live_next)
		dump_one(o);
	kmem_print_caches();
}

static unsigned order_for(size_t bytes)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* Handle-table chunks: whole frames, zeroed, charged to the owner. */
static fe_status_t chunk_alloc(void *ctx, size_t bytes, void **out)
{
	uint64_t pa;
	fe_status_t st = budget_frame_alloc(ctx, order_for(bytes), &pa);

	if (st == FE_OK)
		*out = phys_to_virt(pa);
	return st;
}

static void chunk_free(void *ctx, void *p, size_t bytes)
{
	budget_frame_free(ctx, virt_to_phys_direct(p), order_for(bytes));
}

static void cap_obj_get(void *obj, uint32_t type)
{
	if (type == FE_OBJ_GROUP)
		group_cap_get(obj);
	kobj_get(obj);
}

static void cap_obj_put(void *obj, uint32_t type)
{
	if (type == FE_OBJ_GROUP)
		group_cap_put(obj); /* before the reference goes: it may thaw the group */
	kobj_put(obj);
}

static void cap_dep_revoke(struct cap_dep *d)
{
	switch (d->kind) {
	case CAP_DEP_MAPPING: aspace_revoke_mapping(d); return;
	case CAP_DEP_IPCBUF: thread_revoke_ipcbuf(d); return;
	case CAP_DEP_WAIT: thread_revoke_wait(d); return;
	case CAP_DEP_IRQ:
	case CAP_DEP_IRQ_NOTIF: irq_object_revoke(d); return;
	case CAP_DEP_WATCH:
	case CAP_DEP_WATCH_NOTIF: watch_revoke(d); return;
	case CAP_DEP_PCI_CLAIM:
	case CAP_DEP_PCI_IRQ_NOTIF: pci_claim_revoke(d); return;
	default: panic("cap_dep_revoke: unknown kind %u", d->kind);
	}
}

void kobj_cspace_env(struct cspace_env *env, struct budget *b)
{
	env->dep_revoke = cap_dep_revoke;
	env->alloc = chunk_alloc;
	env->free = chunk_free;
	env->obj_get = cap_obj_get;
	env->obj_put = cap_obj_put;
	env->ctx = b;
}

void objects_init(void)
{
	budget_init();
	process_init_cache();
	group_init();
	thread_init_cache();
	vmo_init_cache();
	endpoint_init_cache();
	notification_init_cache();
	interrupt_init_cache();
	watch_init_cache();
	device_init_cache();
	pci_init_cache();
	aspace_init_cache();
}
