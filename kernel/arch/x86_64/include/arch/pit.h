/* SPDX-License-Identifier: MIT */
/* The 8254 programmable interval timer: TSC calibration fallback and a
 * known interrupt source (ISA IRQ 0) for testing interrupt routing. */
#ifndef FERROUS_ARCH_PIT_H
#define FERROUS_ARCH_PIT_H

#include <stdint.h>

#define PIT_HZ 1193182u
#define PIT_ISA_IRQ 0

/* Busy-waits `ms` milliseconds (1..50) on channel 2; returns the TSC ticks elapsed. */
uint64_t pit_measure_tsc(unsigned ms);

/* Channel 0, mode 0: raises IRQ 0 once after `ticks` PIT ticks. */
void pit_oneshot(uint16_t ticks);

#endif /* FERROUS_ARCH_PIT_H */
