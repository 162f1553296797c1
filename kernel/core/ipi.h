/* SPDX-License-Identifier: MIT */
/*
 * Inter-processor interrupts: reschedule ("look at your run queue"), TLB
 * shootdown (flush and acknowledge), and stop (an NMI, on panic).
 */
#ifndef FERROUS_CORE_IPI_H
#define FERROUS_CORE_IPI_H

#include <stdint.h>

void ipi_init(void);

/* Makes `cpu` enter the kernel and reschedule (its need_resched is set by
 * the caller). */
void ipi_reschedule(uint32_t cpu);

/*
 * Flushes the TLB of every online CPU in cpu_mask other than this one and
 * returns once all have (the caller flushed its own). Called with the big
 * lock held after page-table entries were cleared, before the frames they
 * named are reused.
 */
void tlb_shootdown(uint64_t cpu_mask);
/* The CPUs running on page-table root `root` now (a bit per CPU index). */
uint64_t tlb_cpus_using(uint64_t root);
/* The CPUs running on page-table root `root` (a process's address space). */
void tlb_shootdown_root(uint64_t root);
/* Every online CPU: after a kernel-half mapping was removed. */
void tlb_shootdown_all(void);

/* Serves a pending shootdown request on this CPU (the lock spin loop, the
 * TLB vector's handler). Needs no lock. */
void ipi_poll(void);
/* The TLB vector's handler: ipi_poll, then EOI. */
void ipi_tlb_interrupt(void);

/* Panic: NMI every other online CPU, which halts. */
void ipi_stop_others(void);

#endif /* FERROUS_CORE_IPI_H */
