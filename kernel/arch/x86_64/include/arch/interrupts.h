/* SPDX-License-Identifier: MIT */
/* Interrupt-controller hooks the generic irq code calls. */
#ifndef FERROUS_ARCH_INTERRUPTS_H
#define FERROUS_ARCH_INTERRUPTS_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* The 8259 PICs are remapped here and masked: anything arriving is spurious. */
#define VEC_PIC_BASE 0xe0

static inline bool arch_vector_is_legacy_pic(unsigned v)
{
	return v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16;
}

/* Signals end of interrupt for an APIC-delivered vector. */
void arch_irq_eoi(unsigned vector);

/* Remaps both 8259 PICs to VEC_PIC_BASE and masks every line (pic.c). */
void pic_disable(void);

/*
 * Routes ISA IRQ `irq` (applying ACPI overrides) to `vector` on the boot CPU
 * and unmasks it, or masks it again (ioapic.c).
 */
fe_status_t arch_isa_irq_route(uint8_t irq, unsigned vector);
fe_status_t arch_isa_irq_mask(uint8_t irq);

#endif /* FERROUS_ARCH_INTERRUPTS_H */
