/* SPDX-License-Identifier: MIT */
/*
 * The interrupt descriptor table: one 64-bit interrupt gate per vector, all
 * pointing at the stubs in isr.S. Shared by every CPU and read-only once built
 * (interrupt gates clear IF on entry, so handlers start with interrupts off).
 */
#include <stdbool.h>

#include <arch/asm.h>
#include <arch/gdt.h>
#include <arch/trap.h>

struct __attribute__((packed)) idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

struct __attribute__((packed)) idt_ptr {
	uint16_t limit;
	uint64_t base;
};

#define GATE_INTERRUPT 0x8e /* present, DPL0, 64-bit interrupt gate */

extern const uint64_t isr_stubs[256];

/* Built once by the boot CPU before any other CPU starts; read-only after. */
static struct idt_gate idt[256];
static bool idt_built;

static uint8_t ist_for(unsigned vec)
{
	switch (vec) {
	case VEC_DF: return IST_DOUBLE_FAULT;
	case VEC_NMI: return IST_NMI;
	case VEC_MC: return IST_MACHINE_CHECK;
	default: return 0;
	}
}

static void idt_build(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t addr = isr_stubs[v];
		idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)addr,
			.selector = SEL_KCODE,
			.ist = ist_for(v),
			.type_attr = GATE_INTERRUPT,
			.offset_mid = (uint16_t)(addr >> 16),
			.offset_hi = (uint32_t)(addr >> 32),
		};
	}
	idt_built = true;
}

/* SAFETY: lidt with a table whose every gate points at a stub in isr.S. */
void idt_load(void)
{
	if (!idt_built)
		idt_build();
	struct idt_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt (%0)" : : "r"(&p) : "memory");
}
