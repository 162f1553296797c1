/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU one-shot timers. There is no periodic tick: the local APIC timer
 * (TSC-deadline mode, or one-shot mode where TSC-deadline is missing) is
 * armed only when something needs to run at a given time, so an idle CPU
 * takes no timer interrupts at all.
 */
#ifndef FERROUS_CORE_TIMER_H
#define FERROUS_CORE_TIMER_H

#include <stdint.h>

/* Called from the timer interrupt on the CPU that armed it. */
typedef void (*timer_fn)(void *ctx);

/* Boot CPU: picks the mode, calibrates the APIC timer if needed, installs
 * the interrupt handler. Requires clock_init. */
void timer_init(void);

/* Arms this CPU's timer for TSC value `deadline` (replacing any pending one).
 * A deadline already past fires at once. Call with interrupts disabled or
 * from the CPU's own context. */
void timer_arm(uint64_t deadline, timer_fn fn, void *ctx);
void timer_cancel(void);

/* "TSC-deadline" or "one-shot". */
const char *timer_mode_name(void);

#endif /* FERROUS_CORE_TIMER_H */
