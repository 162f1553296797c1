/* SPDX-License-Identifier: MIT */
/* The local APIC timer behind core/timer.h. */
#include <arch/cpu.h>
#include <arch/irqflags.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <arch/x86.h>
#include <ferrous/trace.h>

#include "core/clock.h"
#include "core/cpu.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/timer.h"
#include "trace/trace.h"

/* Set once at boot. */
static bool use_deadline;
static uint64_t apic_timer_hz; /* one-shot mode: APIC timer ticks per second */
static uint64_t apic_per_tsc_fp; /* apic_timer_hz / tsc_hz, 32.32 fixed point */

/* APIC timer ticks in 10 ms of TSC time (one-shot mode only). */
static uint64_t measure_apic_timer(void)
{
	uint64_t window = clock_tsc_hz() / 100;

	lapic_timer_oneshot(UINT32_MAX);
	uint64_t t0 = rdtsc();
	while (rdtsc() - t0 < window)
		cpu_relax();
	uint32_t left = lapic_timer_current();
	lapic_timer_stop();
	return (uint64_t)(UINT32_MAX - left) * 100;
}

static void timer_interrupt(unsigned vector, struct trap_frame *f, void *ctx)
{
	(void)vector, (void)f, (void)ctx;
	struct cpu *c = this_cpu();
	timer_fn fn = c->timer_fn;
	void *fctx = c->timer_ctx;
	uint64_t deadline = c->timer_deadline;

	c->timer_irqs++;
	uint64_t now = rdtsc();
	if (now < deadline && fn) {
		/* One-shot mode fired early: the delta did not fit 32 bits of ticks. */
		timer_arm(deadline, fn, fctx);
		return;
	}
	c->timer_fn = NULL;
	c->timer_deadline = 0;
	trace_emit(FE_TRACE_TIMER_FIRE, deadline, now > deadline ? now - deadline : 0, 0, 0);
	if (fn)
		fn(fctx);
}

void timer_init(void)
{
	use_deadline = cpu_features.tsc_deadline;
	if (!use_deadline) {
		apic_timer_hz = measure_apic_timer();
		if (apic_timer_hz == 0 || apic_timer_hz > clock_tsc_hz())
			panic("timer: the local APIC timer does not count sensibly (%llu Hz)",
			      (unsigned long long)apic_timer_hz);
		apic_per_tsc_fp = (apic_timer_hz << 32) / clock_tsc_hz();
	}
	if (irq_register(VEC_TIMER, timer_interrupt, NULL) != FE_OK)
		panic("timer: vector %u taken", VEC_TIMER);
	pr_info("timer: local APIC %s mode%s, no periodic tick\n",
	        use_deadline ? "TSC-deadline" : "one-shot", lapic_x2apic_mode() ? " (x2APIC)" : "");
	if (!use_deadline)
		pr_info("timer: APIC timer %llu kHz\n", (unsigned long long)(apic_timer_hz / 1000));
}

const char *timer_mode_name(void)
{
	return use_deadline ? "TSC-deadline" : "one-shot";
}

void timer_arm(uint64_t deadline, timer_fn fn, void *ctx)
{
	irqflags_t fl = arch_irq_save();
	struct cpu *c = this_cpu();

	c->timer_fn = fn;
	c->timer_ctx = ctx;
	c->timer_deadline = deadline;
	trace_emit(FE_TRACE_TIMER_ARM, deadline, use_deadline ? 0 : 1, 0, 0);
	if (use_deadline) {
		lapic_timer_tsc_deadline(deadline);
	} else {
		uint64_t now = rdtsc();
		uint64_t delta = deadline > now ? deadline - now : 0;
		uint64_t ticks = (uint64_t)(((unsigned __int128)delta * apic_per_tsc_fp) >> 32);
		lapic_timer_oneshot(ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks);
	}
	arch_irq_restore(fl);
}

void timer_cancel(void)
{
	irqflags_t fl = arch_irq_save();
	struct cpu *c = this_cpu();

	c->timer_fn = NULL;
	c->timer_deadline = 0;
	lapic_timer_stop();
	arch_irq_restore(fl);
}
