/* SPDX-License-Identifier: MIT */
/* Starting application processors (arch/x86_64/smp.c, ap_trampoline.S). */
#ifndef FERROUS_ARCH_SMP_H
#define FERROUS_ARCH_SMP_H

#include <stdint.h>

#include <ferrous/errors.h>

/* Places the start-up trampoline below 1 MiB; FE_ERR_NO_MEMORY if no low
 * page is free. */
fe_status_t arch_smp_prepare(void);
/* The AP's first step in ap_main: take the boot CPU's CR0 and CR4, as
 * arch_smp_prepare recorded them, so every CPU runs with the same paging,
 * caching and protection settings. */
void arch_ap_adopt_boot_cpu_controls(void);
/* Sends INIT and STARTUP to apic_id; the AP enters ap_main(cpu) on
 * stack_top. The caller waits for it to report itself online. */
void arch_start_ap(uint32_t apic_id, uint64_t stack_top, void *cpu);

#endif /* FERROUS_ARCH_SMP_H */
