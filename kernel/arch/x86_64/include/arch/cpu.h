/* SPDX-License-Identifier: MIT */
/* CPU identification, protection features, and whole-CPU control. */
#ifndef FERROUS_ARCH_CPU_H
#define FERROUS_ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/util.h"

struct trap_frame;

struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	bool nx, smep, smap, umip, pge, pdpe1gb, x2apic, tsc_deadline, invariant_tsc,
	    fsgsbase, pcid, mwait, rdrand;
	uint32_t tsc_crystal_hz;    /* CPUID 0x15, 0 if not reported */
	uint32_t tsc_ratio_num, tsc_ratio_den;
};

/* Filled by cpu_features_detect() on the boot CPU; read-only afterwards. */
extern struct cpu_features cpu_features;

void cpu_features_detect(void);

/* Turns on NX, write protection in ring 0, SMEP, SMAP, UMIP and global pages
 * where the CPU has them. Each CPU calls it for itself. */
void cpu_enable_protections(void);

/* A comma-separated list of the protections now on, for the boot log. */
void cpu_protections_string(char *buf, unsigned size);

NORETURN void arch_halt_forever(void);
/* Sleeps until the next interrupt, which is handled before this returns;
 * called with interrupts off, returns with them off. */
void arch_idle(void);
/* fe_cpu_stats.idle_method: FE_IDLE_HLT or FE_IDLE_MWAIT. */
unsigned arch_idle_method(void);
/* Boot CPU, timer running, big lock held: picks mwait if the CPU offers it
 * and it really sleeps (idle.c), else hlt; returns a description for the log. */
const char *arch_idle_probe(void);
/* Fills *f with the caller's registers (rip/rbp/rsp of the caller's frame). */
void arch_capture_frame(struct trap_frame *f);
/* Prints a register dump of *f (plus CR0, CR2, CR3, CR4) on the console;
 * the general registers only when `all` (a captured frame has just rip/rsp/rbp). */
void arch_dump_frame(const struct trap_frame *f, bool all);
/* Ends QEMU via isa-debug-exit: the process exits with (code << 1) | 1. */
void arch_qemu_exit(uint8_t code);

#endif /* FERROUS_ARCH_CPU_H */
