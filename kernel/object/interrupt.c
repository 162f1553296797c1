/* SPDX-License-Identifier: MIT */
#include "object/interrupt.h"

#include <arch/interrupts.h>

#include <ferrous/trace.h>

#include <stddef.h>

#include "core/irq.h"
#include "mm/kmem.h"
#include "object/notification.h"
#include "trace/trace.h"

static struct kmem_cache irq_cache;
static struct irq_object *bound; /* every bound IRQ object: at most one per line */

void interrupt_init_cache(void)
{
	kmem_cache_init(&irq_cache, "irq", sizeof(struct irq_object), 8);
}

fe_status_t irq_object_create(uint8_t isa_irq, struct irq_object **out)
{
	struct irq_object *irq;
	fe_status_t st;

	if (isa_irq >= 16)
		return FE_ERR_INVALID_ARG;
	if ((st = kmem_zalloc(&irq_cache, (void **)&irq)) != FE_OK)
		return st;
	kobj_init(&irq->obj, FE_OBJ_IRQ, NULL);
	irq->isa_irq = isa_irq;
	irq->vector = 32 + isa_irq;
	irq->via_irq.kind = CAP_DEP_IRQ;
	irq->via_notif.kind = CAP_DEP_IRQ_NOTIF;
	*out = irq;
	return FE_OK;
}

static void deliver(unsigned vector, struct trap_frame *f, void *ctx)
{
	struct irq_object *irq = ctx;

	(void)vector, (void)f;
	irq->count++;
	if (irq->notif)
		notification_signal(irq->notif, 1ULL << irq->bit);
}

/* Forgets who made the binding: its capabilities and process. */
static void forget_binder(struct irq_object *irq)
{
	cspace_dep_detach(&irq->via_irq);
	cspace_dep_detach(&irq->via_notif);
	irq->binder = NULL;
	if (irq->bound_prev)
		irq->bound_prev->bound_next = irq->bound_next;
	else if (bound == irq)
		bound = irq->bound_next;
	if (irq->bound_next)
		irq->bound_next->bound_prev = irq->bound_prev;
	irq->bound_next = irq->bound_prev = NULL;
}

static void remember_binder(struct irq_object *irq, struct cap *irq_cap, struct cap *notif_cap,
                            struct process *binder)
{
	irq->binder = binder;
	cspace_dep_attach(irq_cap, &irq->via_irq);
	cspace_dep_attach(notif_cap, &irq->via_notif);
	irq->bound_prev = NULL;
	irq->bound_next = bound;
	if (bound)
		bound->bound_prev = irq;
	bound = irq;
}

/* Masks the line and lets the notification go. */
static void unbind(struct irq_object *irq)
{
	if (!irq->notif)
		return;
	forget_binder(irq);
	arch_isa_irq_mask(irq->isa_irq);
	irq_unregister(irq->vector);
	kobj_put(&irq->notif->obj);
	irq->notif = NULL;
}

fe_status_t irq_object_bind(struct cap *irq_cap, struct cap *notif_cap, unsigned bit,
                            struct process *binder)
{
	struct irq_object *irq = irq_cap->obj;
	struct notification *n = notif_cap->obj;
	fe_status_t st;

	if (bit >= 64)
		return FE_ERR_INVALID_ARG;
	if (!irq->notif) {
		if ((st = irq_register(irq->vector, deliver, irq)) != FE_OK)
			return st;
		if ((st = arch_isa_irq_route(irq->isa_irq, irq->vector)) != FE_OK) {
			irq_unregister(irq->vector);
			return st;
		}
	} else {
		forget_binder(irq);
		kobj_put(&irq->notif->obj);
	}
	kobj_get(&n->obj);
	irq->notif = n;
	irq->bit = bit;
	remember_binder(irq, irq_cap, notif_cap, binder);
	return FE_OK;
}

void irq_unbind_process(struct process *p)
{
	for (struct irq_object *irq = bound, *next; irq; irq = next) {
		next = irq->bound_next;
		if (irq->binder == p) {
			trace_emit(FE_TRACE_CAP_REVOKE_DEP, CAP_DEP_IRQ, irq->obj.koid, irq->isa_irq, 1);
			unbind(irq);
		}
	}
}

void irq_object_revoke(struct cap_dep *d)
{
	/* Either of the two records may be the one revoked; the kind says which. */
	size_t off = d->kind == CAP_DEP_IRQ ? offsetof(struct irq_object, via_irq)
	                                    : offsetof(struct irq_object, via_notif);
	struct irq_object *irq = (struct irq_object *)((char *)d - off);

	trace_emit(FE_TRACE_CAP_REVOKE_DEP, CAP_DEP_IRQ, irq->obj.koid, irq->isa_irq, 0);
	unbind(irq);
}

fe_status_t irq_object_ack(struct irq_object *irq)
{
	return irq->notif ? FE_OK : FE_ERR_BAD_STATE;
}

void irq_object_destroy(struct kobj *o)
{
	struct irq_object *irq = (struct irq_object *)o;

	unbind(irq);
	kmem_free(&irq_cache, irq);
}
