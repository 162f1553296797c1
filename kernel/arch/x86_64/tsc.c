/* SPDX-License-Identifier: MIT */
#include <arch/cpu.h>
#include <arch/hpet.h>
#include <arch/pit.h>
#include <arch/tsc.h>
#include <arch/x86.h>

/* 20 ms of HPET counting: long enough for a 0.1% estimate. */
static uint64_t measure_with_hpet(void)
{
	uint64_t hz = hpet_hz();
	uint64_t c0 = hpet_counter();
	uint64_t t0 = rdtsc();
	uint64_t c1;

	while ((c1 = hpet_counter()) - c0 < hz / 50)
		cpu_relax();
	uint64_t t1 = rdtsc();
	/* Both factors are small (ticks in 20 ms, HPET Hz): no 64-bit overflow. */
	return (t1 - t0) * hz / (c1 - c0);
}

/* Shortest of three 10 ms PIT windows: the least disturbed one. */
static uint64_t measure_with_pit(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t t = pit_measure_tsc(10);
		if (t < best)
			best = t;
	}
	return best * 100;
}

uint64_t arch_tsc_calibrate(const char **source)
{
	const struct cpu_features *f = &cpu_features;

	if (f->tsc_crystal_hz && f->tsc_ratio_num && f->tsc_ratio_den) {
		*source = "CPUID 0x15";
		return (uint64_t)f->tsc_crystal_hz * f->tsc_ratio_num / f->tsc_ratio_den;
	}
	if (hpet_present()) {
		*source = "HPET";
		return measure_with_hpet();
	}
	*source = "PIT";
	return measure_with_pit();
}
