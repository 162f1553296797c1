/* SPDX-License-Identifier: MIT */
/*
 * Conversions use fixed-point multipliers (value * mult >> CLOCK_SHIFT with a
 * 128-bit product) computed once, so no 128-bit division is needed at run
 * time: the kernel has no compiler runtime library.
 */
#include "clock.h"

#include <arch/x86.h>

#define CLOCK_SHIFT 28
#define NS_PER_SEC 1000000000ULL

/* Written once by the boot CPU before other CPUs start; read-only after. */
static uint64_t tsc_hz;
static uint64_t tsc_zero;
static uint64_t ns_per_tick_fp; /* (1e9 << CLOCK_SHIFT) / tsc_hz */
static uint64_t ticks_per_ns_fp; /* (tsc_hz << CLOCK_SHIFT) / 1e9 */

void clock_init(uint64_t hz, uint64_t zero)
{
	tsc_hz = hz;
	tsc_zero = zero;
	ns_per_tick_fp = (NS_PER_SEC << CLOCK_SHIFT) / hz;
	ticks_per_ns_fp = (hz << CLOCK_SHIFT) / NS_PER_SEC;
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t clock_tsc_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_fp) >> CLOCK_SHIFT);
}

uint64_t clock_ns_to_tsc(uint64_t ns)
{
	unsigned __int128 ticks = ((unsigned __int128)ns * ticks_per_ns_fp) >> CLOCK_SHIFT;

	/* Saturate: a count past 2^64 ticks (centuries) must not wrap to a short one. */
	return ticks > UINT64_MAX ? UINT64_MAX : (uint64_t)ticks;
}

uint64_t clock_ns(void)
{
	uint64_t now = rdtsc();
	return now > tsc_zero ? clock_tsc_to_ns(now - tsc_zero) : 0;
}
