/* SPDX-License-Identifier: MIT */
/*
 * How an idle CPU sleeps: `mwait` where the CPU offers it and it really
 * sleeps, `hlt` otherwise.
 *
 * CPUID advertising MONITOR/MWAIT is not enough under emulation: QEMU's TCG
 * makes `mwait` a no-op whenever the machine has more than one vCPU, which
 * would turn every idle loop into a busy one. So arch_idle_probe() tries it:
 * it arms the timer a couple of milliseconds ahead and mwaits; if mwait comes
 * back before the timer fires, three times running, it does not sleep and
 * the CPU idles with hlt. Both break on any interrupt, so the scheduler's
 * wake-up IPIs work the same either way.
 */
#include <arch/cpu.h>
#include <arch/x86.h>
#include <ferrous/syscall.h>

#include "core/clock.h"
#include "core/cpu.h"
#include "core/timer.h"

#define PROBE_NS 2000000u /* 2 ms */
#define PROBE_TRIES 3

static unsigned method = FE_IDLE_HLT;

/* The line each CPU's mwait monitors (nothing writes it yet: interrupts,
 * including the reschedule IPI, end the wait). */
static struct {
	volatile uint64_t word;
	uint8_t pad[56];
} __attribute__((aligned(64))) lines[MAX_CPUS];

/* SAFETY: monitor arms address-range monitoring of a valid, cacheable kernel
 * line; sti's one-instruction interrupt shadow covers the mwait (or hlt), so
 * an interrupt already pending ends the wait rather than being handled just
 * before it (no lost wake-up). Interrupts are off again on return. */
static void mwait_once(void)
{
	__asm__ volatile("monitor" : : "a"(&lines[this_cpu()->index].word), "c"(0), "d"(0));
	__asm__ volatile("sti; mwait; cli" : : "a"(0), "c"(0) : "memory");
}

void arch_idle(void)
{
	if (method == FE_IDLE_MWAIT)
		mwait_once();
	else
		__asm__ volatile("sti; hlt; cli" : : : "memory");
}

unsigned arch_idle_method(void)
{
	return method;
}

static void probe_fired(void *ctx)
{
	*(volatile bool *)ctx = true;
}

/* True if mwait slept until the timer's interrupt at least once. */
static bool mwait_sleeps(void)
{
	for (int i = 0; i < PROBE_TRIES; i++) {
		volatile bool fired = false;
		timer_arm(rdtsc() + clock_ns_to_tsc(PROBE_NS), probe_fired, (void *)&fired);
		mwait_once();
		timer_cancel();
		if (fired)
			return true;
	}
	return false;
}

const char *arch_idle_probe(void)
{
	if (!cpu_features.mwait) {
		method = FE_IDLE_HLT;
		return "hlt (no MONITOR/MWAIT)";
	}
	if (!mwait_sleeps()) {
		method = FE_IDLE_HLT;
		return "hlt (mwait returns at once)";
	}
	method = FE_IDLE_MWAIT;
	return "mwait";
}
