/* SPDX-License-Identifier: MIT */
/*
 * Kernel time: the TSC, converted to nanoseconds once its frequency is known
 * (kernel/arch/x86_64/tsc.c calibrates it). Before that, clock_ns() is 0.
 * Requires an invariant TSC (checked and logged at calibration).
 */
#ifndef FERROUS_CORE_CLOCK_H
#define FERROUS_CORE_CLOCK_H

#include <stdint.h>

/* Records the TSC frequency (below 2^35 Hz) and the TSC value that counts as time zero. */
void clock_init(uint64_t tsc_hz, uint64_t tsc_zero);
uint64_t clock_tsc_hz(void);
/* Nanoseconds since tsc_zero (boot), 0 before clock_init. */
uint64_t clock_ns(void);
/* Converts a TSC delta to nanoseconds / nanoseconds to TSC ticks (saturating
 * at UINT64_MAX: a very long sleep stays very long). */
uint64_t clock_tsc_to_ns(uint64_t ticks);
uint64_t clock_ns_to_tsc(uint64_t ns);

#endif /* FERROUS_CORE_CLOCK_H */
