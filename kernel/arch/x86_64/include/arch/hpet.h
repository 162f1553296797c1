/* SPDX-License-Identifier: MIT */
/* The HPET main counter: a fixed-frequency clock for calibrating the TSC. */
#ifndef FERROUS_ARCH_HPET_H
#define FERROUS_ARCH_HPET_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* Maps and starts the HPET at `phys`: FE_OK, or an error from mapping, or
 * FE_ERR_UNSUPPORTED if its period is absurd. */
fe_status_t hpet_init(uint64_t phys);
bool hpet_present(void);
uint64_t hpet_counter(void);
uint64_t hpet_hz(void);

#endif /* FERROUS_ARCH_HPET_H */
