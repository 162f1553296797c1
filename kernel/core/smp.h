/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the other CPUs the MADT lists. Each AP sets up its own struct
 * cpu (GDT, TSS with IST stacks, IDT, local APIC, syscall MSRs, trace ring),
 * reports itself online, takes the big lock and enters its idle loop.
 */
#ifndef FERROUS_CORE_SMP_H
#define FERROUS_CORE_SMP_H

#include <stdint.h>

/* Boot CPU, holding the big lock: starts up to boot_opts.max_cpus - 1 APs,
 * one at a time; returns how many came online. */
uint32_t smp_start_aps(void);

#endif /* FERROUS_CORE_SMP_H */
