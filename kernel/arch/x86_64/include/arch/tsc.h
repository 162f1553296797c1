/* SPDX-License-Identifier: MIT */
#ifndef FERROUS_ARCH_TSC_H
#define FERROUS_ARCH_TSC_H

#include <stdint.h>

/* The TSC frequency in Hz, from CPUID leaf 0x15 when it says, else measured
 * against the HPET (if hpet_init succeeded) or the PIT. *source names the method. */
uint64_t arch_tsc_calibrate(const char **source);

#endif /* FERROUS_ARCH_TSC_H */
