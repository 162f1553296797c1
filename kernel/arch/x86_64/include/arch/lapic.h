/* SPDX-License-Identifier: MIT */
/* The local APIC: per-CPU interrupt acceptance, EOI, the timer and IPIs. */
#ifndef FERROUS_ARCH_LAPIC_H
#define FERROUS_ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* Boot CPU: chooses x2APIC (MSRs) when the CPU has it, else maps the xAPIC
 * registers at `phys` (from ACPI); then lapic_init_cpu(). */
fe_status_t lapic_init(uint64_t phys);
/* Every CPU: enables its APIC, masks LINT0/1 and the timer, sets the
 * spurious and error vectors. */
void lapic_init_cpu(void);

bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* Timer. TSC-deadline mode fires when the TSC reaches `deadline`; one-shot
 * mode counts `ticks` of the APIC timer clock (bus clock / 16). */
void lapic_timer_tsc_deadline(uint64_t deadline);
void lapic_timer_oneshot(uint32_t ticks);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);

/* Inter-processor interrupts (SDM vol 3 section 10.6). */
void lapic_send_ipi(uint32_t apic_id, unsigned vector);
void lapic_send_nmi(uint32_t apic_id);
/* AP start-up: INIT, then STARTUP with the real-mode entry at page * 4096. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint32_t page);

#endif /* FERROUS_ARCH_LAPIC_H */
