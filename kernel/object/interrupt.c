/* SPDX-License-Identifier: MIT */
#include "object/interrupt.h"

#include <arch/interrupts.h>

#include "core/irq.h"
#include "mm/kmem.h"
#include "object/notification.h"

static struct kmem_cache irq_cache;

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

fe_status_t irq_object_bind(struct irq_object *irq, struct notification *n, unsigned bit)
{
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
		kobj_put(&irq->notif->obj);
	}
	kobj_get(&n->obj);
	irq->notif = n;
	irq->bit = bit;
	return FE_OK;
}

fe_status_t irq_object_ack(struct irq_object *irq)
{
	return irq->notif ? FE_OK : FE_ERR_BAD_STATE;
}

void irq_object_destroy(struct kobj *o)
{
	struct irq_object *irq = (struct irq_object *)o;

	if (irq->notif) {
		arch_isa_irq_mask(irq->isa_irq);
		irq_unregister(irq->vector);
		kobj_put(&irq->notif->obj);
	}
	kmem_free(&irq_cache, irq);
}
