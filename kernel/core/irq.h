/* SPDX-License-Identifier: MIT */
/*
 * Interrupt dispatch: a handler per vector, counted and traced. Vectors with
 * no handler are counted as unhandled and logged (rate-limited); spurious
 * interrupts (APIC vector 0xff, 8259 leftovers) are counted separately.
 */
#ifndef FERROUS_CORE_IRQ_H
#define FERROUS_CORE_IRQ_H

#include <stdint.h>

#include <ferrous/errors.h>

struct trap_frame;

typedef void (*irq_handler_fn)(unsigned vector, struct trap_frame *f, void *ctx);

/* Installs `fn` for `vector` (32..254). FE_ERR_BUSY if one is installed,
 * FE_ERR_INVALID_ARG for an exception or reserved vector. */
fe_status_t irq_register(unsigned vector, irq_handler_fn fn, void *ctx);
void irq_unregister(unsigned vector);

/* Allocates a free vector from the dynamic range: FE_OK or FE_ERR_NO_RESOURCES. */
fe_status_t irq_alloc_vector(unsigned *vector);

/* Called from trap_entry for every vector >= 32. */
void irq_dispatch(unsigned vector, struct trap_frame *f);

/* Totals over all CPUs. */
uint64_t irq_total_spurious(void);
uint64_t irq_total_unhandled(void);

#endif /* FERROUS_CORE_IRQ_H */
