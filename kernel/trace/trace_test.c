/* SPDX-License-Identifier: MIT */
/* The trace suite: events emitted by real kernel paths are read back. */
#include <arch/probe.h>
#include <arch/trap.h>
#include <arch/x86.h>

#include "core/cpu.h"
#include "core/timer.h"
#include "mm/frame.h"
#include "test/ktest.h"
#include "trace/ring.h"
#include "trace/trace.h"

/* Reads this CPU's ring up to now: the consumer catches up. */
static void drain(void)
{
	struct fe_trace_record r;
	uint64_t lost = 0;

	while (trace_read(this_cpu()->index, &r, &lost) == FE_OK)
		;
}

/* Finds the first record of `type` in what is waiting; true if found. */
static bool find(uint16_t type, struct fe_trace_record *out)
{
	uint64_t lost = 0;

	while (trace_read(this_cpu()->index, out, &lost) == FE_OK)
		if (out->type == type)
			return true;
	return false;
}

static void frame_events_are_recorded(struct ktest *t)
{
	struct fe_trace_record r;
	uint64_t pa;

	drain();
	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(2, &pa)));
	frame_free(pa, 2);
	KT_ASSERT(t, KT_EXPECT(t, find(FE_TRACE_FRAME_ALLOC, &r)));
	KT_EXPECT_EQ(t, r.arg[0], pa);
	KT_EXPECT_EQ(t, r.arg[1], 2);
	KT_EXPECT_EQ(t, r.cpu, this_cpu()->index);
	KT_EXPECT_NE(t, r.tsc, 0);
	uint64_t alloc_tsc = r.tsc;
	KT_ASSERT(t, KT_EXPECT(t, find(FE_TRACE_FRAME_FREE, &r)));
	KT_EXPECT_EQ(t, r.arg[0], pa);
	KT_EXPECT_GE(t, r.tsc, alloc_tsc);
}

static void exception_events_are_recorded(struct ktest *t)
{
	struct fe_trace_record r;
	uint64_t v;
	void *bad = (void *)0xffff9000dead3000ULL;

	drain();
	KT_EXPECT_STATUS(t, arch_probe_read64(bad, &v), FE_ERR_FAULT);
	KT_ASSERT(t, KT_EXPECT(t, find(FE_TRACE_EXCEPTION, &r)));
	KT_EXPECT_EQ(t, r.arg[0], 14);
	KT_EXPECT_EQ(t, r.arg[3], (uint64_t)(uintptr_t)bad);
}

static void set_flag(void *ctx)
{
	*(volatile int *)ctx = 1;
}

static void interrupt_events_are_recorded(struct ktest *t)
{
	struct fe_trace_record r;
	volatile int fired = 0;

	drain();
	timer_arm(rdtsc(), set_flag, (void *)&fired);
	for (uint64_t spins = 0; !fired && spins < 1000000000ULL; spins++)
		cpu_relax();
	KT_ASSERT(t, KT_EXPECT(t, fired));
	KT_ASSERT(t, KT_EXPECT(t, find(FE_TRACE_IRQ_ENTER, &r)));
	KT_EXPECT_EQ(t, r.arg[0], VEC_TIMER);
	KT_EXPECT(t, find(FE_TRACE_TIMER_FIRE, &r));
	KT_EXPECT(t, find(FE_TRACE_IRQ_EXIT, &r));
}

static void records_come_back_in_order(struct ktest *t)
{
	struct fe_trace_record r;
	uint64_t lost = 0, prev = 0;
	unsigned n = 0;

	drain();
	for (uint64_t i = 0; i < 100; i++)
		trace_emit(FE_TRACE_BOOT_PHASE, 1000 + i, i, 0, 0);
	while (trace_read(this_cpu()->index, &r, &lost) == FE_OK) {
		if (r.type != FE_TRACE_BOOT_PHASE || r.arg[0] < 1000)
			continue; /* an interrupt's events may interleave */
		KT_EXPECT_EQ(t, r.arg[0], 1000 + n);
		KT_EXPECT_GT(t, r.seq, prev);
		prev = r.seq;
		n++;
	}
	KT_EXPECT_EQ(t, n, 100);
	KT_EXPECT_EQ(t, lost, 0);
}

/* Emitting more than the ring holds overwrites the oldest, counted both in
 * the ring's statistics and as lost records for the reader. */
static void overflow_is_counted(struct ktest *t)
{
	struct fe_trace_record r;
	uint64_t lost = 0;
	uint32_t cpu = this_cpu()->index;

	drain();
	struct trace_stats before = trace_get_stats(cpu);
	for (uint64_t i = 0; i < TRACE_RING_RECORDS + 500; i++)
		trace_emit(FE_TRACE_BOOT_PHASE, i, 0, 0, 0);
	struct trace_stats after = trace_get_stats(cpu);
	KT_EXPECT_GE(t, after.overwritten - before.overwritten, 500);
	KT_ASSERT(t, KT_EXPECT_OK(t, trace_read(cpu, &r, &lost)));
	KT_EXPECT_GE(t, lost, 500);
	drain();
}

static void disabled_tracing_records_nothing(struct ktest *t)
{
	struct fe_trace_record r;
	uint64_t lost = 0;

	drain();
	trace_set_enabled(false);
	trace_emit(FE_TRACE_BOOT_PHASE, 1, 2, 3, 4);
	trace_set_enabled(true);
	bool found = false;
	while (trace_read(this_cpu()->index, &r, &lost) == FE_OK)
		found |= (r.type == FE_TRACE_BOOT_PHASE && r.arg[0] == 1 && r.arg[3] == 4);
	KT_EXPECT(t, !found);
}

KTEST_SUITE(trace,
	KTEST_CASE(frame_events_are_recorded),
	KTEST_CASE(exception_events_are_recorded),
	KTEST_CASE(interrupt_events_are_recorded),
	KTEST_CASE(records_come_back_in_order),
	KTEST_CASE(overflow_is_counted),
	KTEST_CASE(disabled_tracing_records_nothing));
