/* SPDX-License-Identifier: MIT */
/*
 * Interrupt objects: one ISA interrupt line whose interrupts are delivered
 * as a bit in a notification, so a driver in user space waits for its
 * device like for anything else. Lines are edge-triggered (ISA), so the
 * line stays unmasked and fe_irq_ack only confirms the binding; a level-
 * triggered line (PCI, later) would be masked until acknowledged.
 *
 * A binding belongs to the process that made it and to the two capabilities
 * it was made through (the IRQ's and the notification's): it ends when that
 * process ends, when either capability is removed by a revoke, or when the
 * line is bound again (ADR 0009). So an exited driver's notification (and its
 * budget charge) does not stay alive in the binding.
 */
#ifndef FERROUS_OBJECT_INTERRUPT_H
#define FERROUS_OBJECT_INTERRUPT_H

#include <stdint.h>

#include <ferrous/errors.h>

#include "cap/cspace.h"
#include "object/kobj.h"

struct notification;
struct process;

struct irq_object {
	struct kobj obj;
	uint8_t isa_irq;
	unsigned vector;
	struct notification *notif; /* referenced; NULL until bound */
	uint64_t bit;
	uint64_t count;             /* interrupts delivered */
	/* While bound: */
	struct process *binder;     /* not referenced: the binding ends with it */
	struct cap_dep via_irq, via_notif;
	struct irq_object *bound_next, *bound_prev; /* every bound IRQ object */
};

void interrupt_init_cache(void);
fe_status_t irq_object_create(uint8_t isa_irq, struct irq_object **out);
/* Binds irq to bit `bit` of the notification, for process `binder`, through
 * capabilities irq_cap (the IRQ) and notif_cap (the notification). */
fe_status_t irq_object_bind(struct cap *irq_cap, struct cap *notif_cap, unsigned bit,
                            struct process *binder);
fe_status_t irq_object_ack(struct irq_object *irq);
/* Ends every binding process p made (p is ending). */
void irq_unbind_process(struct process *p);
/* Revoke reached a binding (a cspace dependent, already detached). */
void irq_object_revoke(struct cap_dep *d);

#endif /* FERROUS_OBJECT_INTERRUPT_H */
