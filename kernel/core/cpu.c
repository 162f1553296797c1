/* SPDX-License-Identifier: MIT */
#include "cpu.h"

#include <arch/gdt.h>

/* Boot-time data; each struct cpu is written by its own CPU once it runs. */
struct cpu cpus[MAX_CPUS];
uint32_t ncpus;

/* The boot CPU's IST stacks, each above an unmapped guard page (entry.S). */
extern char ist_df_top[], ist_nmi_top[], ist_mc_top[];

void cpu_init_boot(void)
{
	struct cpu *c = &cpus[0];
	const uint64_t ist[3] = { (uint64_t)(uintptr_t)ist_df_top, (uint64_t)(uintptr_t)ist_nmi_top,
	                          (uint64_t)(uintptr_t)ist_mc_top };

	c->self = c;
	c->index = 0;
	c->online = true;
	gdt_init_cpu(c, ist);
	idt_load();
	ncpus = 1;
}
