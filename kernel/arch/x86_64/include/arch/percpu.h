/* SPDX-License-Identifier: MIT */
/* Reaching the current CPU's struct cpu through GS. */
#ifndef FERROUS_ARCH_PERCPU_H
#define FERROUS_ARCH_PERCPU_H

struct cpu;

/* SAFETY: GS_BASE holds this CPU's struct cpu from cpu_init_boot()/AP start
 * onward, and the entry stubs keep it so while kernel code runs; its first
 * field is a pointer to itself. */
static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

#endif /* FERROUS_ARCH_PERCPU_H */
