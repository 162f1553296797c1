/* SPDX-License-Identifier: MIT */
/*
 * Interrupt objects: one ISA interrupt line whose interrupts are delivered
 * as a bit in a notification, so a driver in user space waits for its
 * device like for anything else. Lines are edge-triggered (ISA), so the
 * line stays unmasked and fe_irq_ack only confirms the binding; a level-
 * triggered line (PCI, later) would be masked until acknowledged.
 */
#ifndef FERROUS_OBJECT_INTERRUPT_H
#define FERROUS_OBJECT_INTERRUPT_H

#include <stdint.h>

#include <ferrous/errors.h>

#include "object/kobj.h"

struct notification;

struct irq_object {
	struct kobj obj;
	uint8_t isa_irq;
	unsigned vector;
	struct notification *notif; /* referenced; NULL until bound */
	uint64_t bit;
	uint64_t count;             /* interrupts delivered */
};

void interrupt_init_cache(void);
fe_status_t irq_object_create(uint8_t isa_irq, struct irq_object **out);
fe_status_t irq_object_bind(struct irq_object *irq, struct notification *n, unsigned bit);
fe_status_t irq_object_ack(struct irq_object *irq);

#endif /* FERROUS_OBJECT_INTERRUPT_H */
