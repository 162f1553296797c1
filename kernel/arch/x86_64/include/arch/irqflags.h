/* SPDX-License-Identifier: MIT */
/* Saving and restoring the interrupt flag around critical sections. */
#ifndef FERROUS_ARCH_IRQFLAGS_H
#define FERROUS_ARCH_IRQFLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "x86.h"

typedef uint64_t irqflags_t;

/* Disables interrupts; returns the previous state for arch_irq_restore. */
static inline irqflags_t arch_irq_save(void)
{
	irqflags_t f = read_rflags();
	cli();
	return f;
}

static inline void arch_irq_restore(irqflags_t f)
{
	if (f & RFLAGS_IF)
		sti();
}

static inline bool arch_irqs_enabled(void) { return (read_rflags() & RFLAGS_IF) != 0; }

#endif /* FERROUS_ARCH_IRQFLAGS_H */
