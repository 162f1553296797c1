/* SPDX-License-Identifier: MIT */
/*
 * SAFETY: `regs` is an uncached mapping of the HPET's register block, found
 * through ACPI; only the boot CPU writes the configuration, once.
 */
#include <stddef.h>

#include <arch/hpet.h>

#include "mm/vmap.h"

#define HPET_CAP 0x000
#define HPET_CONF 0x010
#define HPET_COUNTER 0x0f0
#define CONF_ENABLE 0x1ULL
#define FEMTO_PER_SEC 1000000000000000ULL

/* Set once at boot. */
static volatile uint64_t *regs;
static uint64_t period_fs;

static uint64_t rd(unsigned off) { return regs[off / 8]; }
static void wr(unsigned off, uint64_t v) { regs[off / 8] = v; }

fe_status_t hpet_init(uint64_t phys)
{
	void *va;
	fe_status_t st = vmap_mmio(phys, 1024, &va);
	if (st != FE_OK)
		return st;
	regs = va;
	period_fs = rd(HPET_CAP) >> 32;
	/* The spec bounds the period to (0, 100 ns]. */
	if (period_fs == 0 || period_fs > 100000000ULL) {
		regs = NULL;
		return FE_ERR_UNSUPPORTED;
	}
	wr(HPET_CONF, rd(HPET_CONF) | CONF_ENABLE);
	return FE_OK;
}

bool hpet_present(void)
{
	return regs != NULL;
}

uint64_t hpet_counter(void)
{
	return rd(HPET_COUNTER);
}

uint64_t hpet_hz(void)
{
	return period_fs ? FEMTO_PER_SEC / period_fs : 0;
}
