/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/sched/policy.c: placement (affinity, packing under
 * light load, spreading under load, capacity, node, cache warmth,
 * preemption, deterministic ties, offline CPUs, edge sizes), the pack/spread
 * switch, bigger CPUs, pull choice, reason names, and invariants over random
 * snapshots.
 */
#include "host_test.h"

#include "sched/policy.h"

#define NO SCHED_NO_CPU
#define ALL (~0ULL)
#define MAXC 8 /* CPUs in a table case */

/* CPU views: state, runnable, running priority, capacity, node. */
#define CPU(on, idl, nr, prio, cap, nd)                                                  \
	{ .online = (on), .idle = (idl), .nr_running = (nr), .cur_priority = (prio),     \
	  .capacity = (cap), .node = (nd) }
#define IDLE_AT(cap, nd) CPU(true, true, 0, 0, cap, nd)
#define RUN_AT(nr, prio, cap, nd) CPU(true, false, nr, prio, cap, nd)
#define IDLE IDLE_AT(1024, 0)
#define RUN(nr, prio) RUN_AT(nr, prio, 1024, 0)
#define EMPTY_AT(cap, nd) CPU(true, false, 0, 0, cap, nd) /* awake, about to go idle */
#define EMPTY EMPTY_AT(1024, 0)
#define OFF CPU(false, true, 0, 0, 1024, 0)
/* Running a demanding (CPU-bound) thread. */
#define RUN_DEM(nr, prio, cap, nd)                                                        \
	{ .online = true, .nr_running = (nr), .cur_priority = (prio), .capacity = (cap),   \
	  .node = (nd), .cur_demanding = true }

/* A thread: affinity, last CPU, waker CPU, home node, priority, demanding. */
#define THR(aff, last, waker, home, prio, dem)                                           \
	{ .affinity = (aff), .last_cpu = (last), .waker_cpu = (waker), .home_node = (home), \
	  .priority = (prio), .demanding = (dem) }
#define T(prio) THR(ALL, NO, NO, SCHED_NO_NODE, prio, false)

struct place_case {
	const char *name;
	uint32_t ncpus;
	struct sched_cpu_view cpus[MAXC];
	struct sched_thread_view t;
	uint32_t cpu;
	enum sched_place_reason reason;
	bool wake, preempt;
};

static bool check_place(const struct place_case *c)
{
	struct sched_placement p = sched_place(c->cpus, c->ncpus, &c->t);

	if (p.cpu == c->cpu && p.reason == c->reason && p.wake_cpu == c->wake &&
	    p.preempt == c->preempt)
		return true;
	print_message("# %s: got cpu %u %s wake %d preempt %d, want cpu %u %s wake %d preempt %d\n",
	              c->name, p.cpu, sched_place_reason_name(p.reason), p.wake_cpu, p.preempt,
	              c->cpu, sched_place_reason_name(c->reason), c->wake, c->preempt);
	return false;
}

static void run_place_table(const struct place_case *cases, size_t n)
{
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		ok &= check_place(&cases[i]);
	assert_true(ok);
}

#define RUN_TABLE(tbl) run_place_table(tbl, sizeof(tbl) / sizeof((tbl)[0]))

static void affinity_and_offline(void **state)
{
	(void)state;
	static const struct place_case cases[] = {
		{ "one allowed CPU, though busy and others idle", 4,
		  { RUN(3, 20), IDLE, IDLE, IDLE }, THR(0x1, NO, 1, SCHED_NO_NODE, 5, false),
		  0, SCHED_PLACE_AFFINITY, false, false },
		{ "one allowed CPU, outranks what runs there", 4,
		  { IDLE, IDLE, RUN(1, 3), IDLE }, THR(0x4, 0, 0, SCHED_NO_NODE, 9, true),
		  2, SCHED_PLACE_AFFINITY, false, true },
		{ "one allowed CPU, idle: woken", 3,
		  { RUN(1, 20), RUN(1, 20), IDLE }, THR(0x4, NO, 0, SCHED_NO_NODE, 9, false),
		  2, SCHED_PLACE_AFFINITY, true, false },
		{ "the only online CPU among offline ones", 4,
		  { OFF, OFF, IDLE, OFF }, T(10), 2, SCHED_PLACE_AFFINITY, true, false },
		{ "one of two allowed is offline", 4,
		  { IDLE, OFF, RUN(1, 5), IDLE }, THR(0xa, 1, 1, SCHED_NO_NODE, 10, false),
		  3, SCHED_PLACE_AFFINITY, true, false },
		{ "every allowed CPU offline: none", 3,
		  { OFF, OFF, IDLE }, THR(0x3, 0, 2, SCHED_NO_NODE, 10, false),
		  NO, SCHED_PLACE_NONE, false, false },
		{ "offline CPU never chosen, though on the home node and last", 3,
		  { RUN(2, 10), OFF, IDLE_AT(1024, 0) }, THR(ALL, 1, 0, 7, 10, true),
		  2, SCHED_PLACE_SPREAD, true, false },
		{ "offline big CPU not chosen for a demanding thread", 3,
		  { RUN(2, 10), CPU(false, true, 0, 0, 1024, 0), IDLE_AT(256, 0) },
		  THR(ALL, NO, 0, SCHED_NO_NODE, 10, true), 2, SCHED_PLACE_SPREAD, true, false },
		{ "CPUs outside the affinity mask never chosen", 4,
		  { IDLE, RUN(2, 1), IDLE, RUN(3, 1) }, THR(0xa, 0, 0, SCHED_NO_NODE, 0, false),
		  1, SCHED_PLACE_LEAST_LOADED, false, false },
	};
	RUN_TABLE(cases);
}

static void pack_when_lightly_loaded(void **state)
{
	(void)state;
	static const struct place_case cases[] = {
		{ "the only awake CPU: no wake-up", 4,
		  { RUN(1, 10), IDLE, IDLE, IDLE }, THR(ALL, 3, 0, SCHED_NO_NODE, 10, false),
		  0, SCHED_PLACE_PACK, false, false },
		{ "the waker among awake CPUs", 4,
		  { RUN(1, 10), RUN(1, 10), IDLE, IDLE }, THR(ALL, NO, 1, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_WAKER, false, false },
		{ "the waker beats the last CPU", 4,
		  { RUN(1, 10), RUN(1, 10), RUN(1, 10), IDLE }, THR(ALL, 1, 2, SCHED_NO_NODE, 10, false),
		  2, SCHED_PLACE_WAKER, false, false },
		{ "the last CPU when the waker is not allowed", 4,
		  { RUN(1, 10), RUN(1, 10), RUN(1, 10), IDLE }, THR(0xe, 2, 0, SCHED_NO_NODE, 10, false),
		  2, SCHED_PLACE_LAST_CPU, false, false },
		{ "an idle last CPU is not woken", 4,
		  { RUN(1, 10), RUN(1, 10), IDLE, IDLE }, THR(ALL, 3, NO, SCHED_NO_NODE, 10, false),
		  0, SCHED_PLACE_PACK, false, false },
		{ "all awake run higher priorities: queue, do not wake", 4,
		  { RUN(1, 20), RUN(1, 25), IDLE, IDLE }, THR(ALL, 2, 1, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_WAKER, false, false },
		{ "equal priority elsewhere is no reason to leave the waker", 3,
		  { RUN(1, 20), RUN(1, 10), IDLE }, THR(ALL, NO, 0, SCHED_NO_NODE, 10, false),
		  0, SCHED_PLACE_WAKER, false, false },
		{ "an awake CPU with nothing to run beats queueing", 3,
		  { RUN(1, 20), EMPTY, IDLE }, THR(ALL, NO, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_PACK, false, false },
		{ "outranks a thread elsewhere: preempt there, not queue on the waker", 3,
		  { RUN(1, 20), RUN(1, 5), IDLE }, THR(ALL, NO, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_PREEMPT, false, true },
		{ "outranks the waker's thread too: the waker", 3,
		  { RUN(1, 5), RUN(1, 5), IDLE }, THR(ALL, 1, 0, SCHED_NO_NODE, 10, false),
		  0, SCHED_PLACE_WAKER, false, true },
		{ "home node among otherwise equal awake CPUs", 3,
		  { RUN_AT(1, 10, 1024, 0), RUN_AT(1, 10, 1024, 1), IDLE_AT(1024, 1) },
		  THR(ALL, NO, NO, 1, 10, false), 1, SCHED_PLACE_NODE, false, false },
		{ "an empty awake CPU before the home node", 3,
		  { EMPTY, RUN_AT(1, 10, 1024, 1), IDLE }, THR(ALL, NO, NO, 1, 0, false),
		  0, SCHED_PLACE_PACK, false, false },
		{ "demanding: the biggest awake core where it runs at once", 3,
		  { RUN_AT(1, 5, 512, 0), RUN_AT(1, 5, 1024, 0), IDLE_AT(1024, 0) },
		  THR(ALL, 0, 0, SCHED_NO_NODE, 10, true), 1, SCHED_PLACE_CAPACITY, false, true },
		{ "demanding: a free bigger core beats an awake little one", 2,
		  { EMPTY_AT(512, 0), IDLE_AT(1024, 0) }, THR(ALL, 0, 0, SCHED_NO_NODE, 10, true),
		  1, SCHED_PLACE_CAPACITY, true, false },
		{ "demanding: a free bigger core beats preempting a little one", 2,
		  { RUN_AT(1, 5, 512, 0), IDLE_AT(1024, 0) }, THR(ALL, 0, 0, SCHED_NO_NODE, 10, true),
		  1, SCHED_PLACE_SPREAD, true, false },
		{ "demanding: an awake core as big as any free one, no wake-up", 2,
		  { EMPTY_AT(1024, 0), IDLE_AT(1024, 0) }, THR(ALL, NO, 0, SCHED_NO_NODE, 10, true),
		  0, SCHED_PLACE_PACK, false, false },
		{ "demanding: a bigger core on another node does not count", 2,
		  { EMPTY_AT(512, 0), IDLE_AT(1024, 1) }, THR(ALL, 0, 0, 0, 10, true),
		  0, SCHED_PLACE_PACK, false, false },
		{ "light: stays on the awake little core", 2,
		  { EMPTY_AT(512, 0), IDLE_AT(1024, 0) }, THR(ALL, 0, 0, SCHED_NO_NODE, 10, false),
		  0, SCHED_PLACE_PACK, false, false },
		{ "a free CPU, though asleep, beats preempting a demanding thread", 2,
		  { RUN_DEM(1, 5, 1024, 0), IDLE_AT(512, 0) }, THR(ALL, 0, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_SPREAD, true, false },
		{ "an awake free CPU beats preempting a demanding thread on the waker", 2,
		  { RUN_DEM(1, 5, 1024, 0), EMPTY_AT(512, 0) }, THR(ALL, 0, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_SPREAD, false, false },
		{ "a free CPU, though asleep, beats queueing behind a demanding thread", 2,
		  { RUN_DEM(1, 10, 1024, 0), IDLE_AT(512, 0) }, THR(ALL, 0, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_SPREAD, true, false },
		{ "no free CPU: queues behind a demanding thread", 2,
		  { RUN_DEM(1, 10, 1024, 0), RUN(1, 20) }, THR(ALL, NO, NO, SCHED_NO_NODE, 10, false),
		  0, SCHED_PLACE_PACK, false, false },
		{ "no free CPU: preempts a demanding thread", 2,
		  { RUN_DEM(1, 5, 1024, 0), RUN(1, 20) }, THR(ALL, NO, 1, SCHED_NO_NODE, 10, false),
		  0, SCHED_PLACE_PREEMPT, false, true },
		{ "demanding would queue: spread instead", 3,
		  { RUN(1, 20), IDLE, IDLE }, THR(ALL, NO, 0, SCHED_NO_NODE, 10, true),
		  1, SCHED_PLACE_SPREAD, true, false },
		{ "nothing allowed is awake: wake one", 3,
		  { RUN(1, 10), IDLE, IDLE }, THR(0x6, NO, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_SPREAD, true, false },
		{ "all idle: wake the last CPU", 4,
		  { IDLE, IDLE, IDLE, IDLE }, THR(ALL, 2, NO, SCHED_NO_NODE, 10, false),
		  2, SCHED_PLACE_LAST_CPU, true, false },
	};
	RUN_TABLE(cases);
}

static void spread_when_busy(void **state)
{
	(void)state;
	static const struct place_case cases[] = {
		{ "a queue somewhere: an idle CPU is woken", 4,
		  { RUN(3, 10), RUN(1, 10), IDLE, IDLE }, THR(ALL, NO, 0, SCHED_NO_NODE, 10, false),
		  2, SCHED_PLACE_SPREAD, true, false },
		{ "idle CPU beats preempting an awake one", 3,
		  { RUN(2, 10), RUN(1, 5), IDLE }, THR(ALL, 1, 1, SCHED_NO_NODE, 10, false),
		  2, SCHED_PLACE_SPREAD, true, false },
		{ "work waiting on a sleeping CPU counts as busy", 3,
		  { RUN(1, 10), CPU(true, true, 1, 0, 1024, 0), IDLE },
		  THR(ALL, NO, 0, SCHED_NO_NODE, 10, false), 2, SCHED_PLACE_SPREAD, true, false },
		{ "home node first", 4,
		  { RUN(2, 10), IDLE_AT(1024, 0), IDLE_AT(1024, 1), IDLE_AT(1024, 1) },
		  THR(ALL, NO, 0, 1, 10, false), 2, SCHED_PLACE_NODE, true, false },
		{ "home node beats capacity", 3,
		  { RUN(2, 10), IDLE_AT(1024, 0), IDLE_AT(512, 1) }, THR(ALL, 1, 0, 1, 10, true),
		  2, SCHED_PLACE_NODE, true, false },
		{ "demanding: the biggest idle core", 4,
		  { RUN(2, 10), IDLE_AT(256, 0), IDLE_AT(1024, 0), IDLE_AT(512, 0) },
		  THR(ALL, 1, 0, SCHED_NO_NODE, 10, true), 2, SCHED_PLACE_CAPACITY, true, false },
		{ "light: the littlest idle core, big ones stay free", 4,
		  { RUN(2, 10), IDLE_AT(512, 0), IDLE_AT(1024, 0), IDLE_AT(256, 0) },
		  THR(ALL, 2, 0, SCHED_NO_NODE, 10, false), 3, SCHED_PLACE_CAPACITY, true, false },
		{ "light: the little core while the big one is busy", 3,
		  { RUN_AT(2, 10, 1024, 0), RUN_AT(1, 5, 1024, 0), IDLE_AT(256, 0) },
		  THR(ALL, 1, 0, SCHED_NO_NODE, 10, false), 2, SCHED_PLACE_SPREAD, true, false },
		{ "cache warmth among equal idle CPUs", 4,
		  { RUN(2, 10), IDLE, IDLE, IDLE }, THR(ALL, 3, 0, SCHED_NO_NODE, 10, false),
		  3, SCHED_PLACE_LAST_CPU, true, false },
		{ "capacity beats cache warmth", 3,
		  { RUN(2, 10), IDLE_AT(512, 0), IDLE_AT(1024, 0) },
		  THR(ALL, 1, 0, SCHED_NO_NODE, 10, true), 2, SCHED_PLACE_CAPACITY, true, false },
		{ "an awake CPU with nothing to run needs no wake-up", 3,
		  { RUN(2, 10), IDLE, EMPTY }, THR(ALL, NO, 0, SCHED_NO_NODE, 10, false),
		  2, SCHED_PLACE_SPREAD, false, false },
		{ "ties go to the lowest index", 4,
		  { RUN(2, 10), IDLE, IDLE, IDLE }, T(10), 1, SCHED_PLACE_SPREAD, true, false },
	};
	RUN_TABLE(cases);
}

static void no_free_cpu(void **state)
{
	(void)state;
	static const struct place_case cases[] = {
		{ "fewest runnable", 3,
		  { RUN(3, 20), RUN(2, 20), RUN(4, 20) }, THR(ALL, 0, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_LEAST_LOADED, false, false },
		{ "load weighted by capacity", 2,
		  { RUN_AT(2, 20, 1024, 0), RUN_AT(1, 20, 256, 0) },
		  THR(ALL, 1, 1, SCHED_NO_NODE, 10, false), 0, SCHED_PLACE_LEAST_LOADED, false, false },
		{ "outranking a thread beats a shorter queue", 2,
		  { RUN(2, 20), RUN(4, 5) }, THR(ALL, 0, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_PREEMPT, false, true },
		{ "equal priority does not preempt", 2,
		  { RUN(3, 10), RUN(2, 10) }, T(10), 1, SCHED_PLACE_LEAST_LOADED, false, false },
		{ "equal priority does not run at once: the shorter queue", 2,
		  { RUN(4, 10), RUN(2, 20) }, T(10), 1, SCHED_PLACE_LEAST_LOADED, false, false },
		{ "home node among equal loads", 2,
		  { RUN_AT(2, 20, 1024, 0), RUN_AT(2, 20, 1024, 1) }, THR(ALL, 0, 0, 1, 10, false),
		  1, SCHED_PLACE_NODE, false, false },
		{ "equal load: light thread to the little core", 2,
		  { RUN_AT(3, 20, 1024, 0), RUN_AT(1, 20, 512, 0) },
		  THR(ALL, 0, 0, SCHED_NO_NODE, 10, false), 1, SCHED_PLACE_CAPACITY, false, false },
		{ "equal load: demanding thread to the big core", 2,
		  { RUN_AT(3, 20, 1024, 0), RUN_AT(1, 20, 512, 0) },
		  THR(ALL, 1, 1, SCHED_NO_NODE, 10, true), 0, SCHED_PLACE_CAPACITY, false, false },
		{ "cache warmth among equal loads", 3,
		  { RUN(2, 20), RUN(2, 20), RUN(2, 20) }, THR(ALL, 1, 0, SCHED_NO_NODE, 10, false),
		  1, SCHED_PLACE_LAST_CPU, false, false },
		{ "full tie: lowest index", 3,
		  { RUN(2, 20), RUN(2, 20), RUN(2, 20) }, T(10), 0, SCHED_PLACE_LEAST_LOADED,
		  false, false },
		{ "full tie among preemptible: lowest index, preempt", 2,
		  { RUN(2, 1), RUN(2, 1) }, T(10), 0, SCHED_PLACE_LEAST_LOADED, false, true },
	};
	RUN_TABLE(cases);
}

static void edge_sizes(void **state)
{
	(void)state;
	static const struct place_case cases[] = {
		{ "one CPU, busy", 1, { RUN(5, 31) }, T(10), 0, SCHED_PLACE_AFFINITY, false, false },
		{ "one CPU, idle", 1, { IDLE }, T(0), 0, SCHED_PLACE_AFFINITY, true, false },
		{ "one CPU, offline", 1, { OFF }, T(10), NO, SCHED_PLACE_NONE, false, false },
		{ "no CPUs", 0, { IDLE }, T(10), NO, SCHED_PLACE_NONE, false, false },
		{ "zero affinity: nothing allowed", 2, { IDLE, IDLE },
		  THR(0, 0, 0, SCHED_NO_NODE, 1, false), NO, SCHED_PLACE_NONE, false, false },
		{ "all offline but one allowed", 8, { OFF, OFF, OFF, OFF, OFF, IDLE_AT(256, 3), OFF, OFF },
		  THR(ALL, 0, 0, 1, 31, true), 5, SCHED_PLACE_AFFINITY, true, false },
		{ "capacity out of range is clamped", 3,
		  { RUN(2, 10), IDLE_AT(0, 0), IDLE_AT(5000, 0) },
		  THR(ALL, NO, 0, SCHED_NO_NODE, 10, true), 2, SCHED_PLACE_CAPACITY, true, false },
	};
	RUN_TABLE(cases);
}

static void sixty_four_cpus(void **state)
{
	(void)state;
	struct sched_cpu_view cpus[70];
	struct sched_thread_view t = T(10);
	struct sched_placement p;

	for (int i = 0; i < 70; i++)
		cpus[i] = (struct sched_cpu_view)RUN_AT(2, 20, 1024, (uint32_t)i / 16);
	cpus[63] = (struct sched_cpu_view)IDLE_AT(1024, 3);
	p = sched_place(cpus, 64, &t);
	assert_int_equal(p.cpu, 63);
	assert_int_equal(p.reason, SCHED_PLACE_SPREAD);
	assert_true(p.wake_cpu);

	t.affinity = 1ULL << 63;
	cpus[63] = (struct sched_cpu_view)RUN(9, 30);
	p = sched_place(cpus, 64, &t);
	assert_int_equal(p.cpu, 63);
	assert_int_equal(p.reason, SCHED_PLACE_AFFINITY);

	/* CPUs past 63 cannot be named by affinity: never chosen. */
	t.affinity = ALL;
	cpus[63] = (struct sched_cpu_view)RUN_AT(2, 20, 1024, 3);
	cpus[66] = (struct sched_cpu_view)IDLE_AT(1024, 4);
	p = sched_place(cpus, 70, &t);
	assert_true(p.cpu < 64);
	assert_int_equal(p.reason, SCHED_PLACE_LEAST_LOADED);
	assert_int_equal(p.cpu, 0);

	/* Home node 2 (CPUs 32..47), last CPU 40: warm and local. The node
	 * ruled out most rivals, so it is the reason. */
	t = (struct sched_thread_view)THR(ALL, 40, 0, 2, 10, false);
	p = sched_place(cpus, 64, &t);
	assert_int_equal(p.cpu, 40);
	assert_int_equal(p.reason, SCHED_PLACE_NODE);
	t.last_cpu = 10; /* warm but remote: node wins */
	p = sched_place(cpus, 64, &t);
	assert_int_equal(p.cpu, 32);
	assert_int_equal(p.reason, SCHED_PLACE_NODE);

	/* The balancer sees all of them: CPU 66 pulls from the busiest. */
	cpus[65].nr_running = 7;
	uint32_t from = NO;
	assert_true(sched_pick_pull(cpus, 70, 66, &from));
	assert_int_equal(from, 65);
}

static void bigger_cpus(void **state)
{
	(void)state;
	const struct sched_cpu_view mixed[] = {
		IDLE_AT(512, 0), RUN_AT(1, 3, 1024, 0), OFF, IDLE_AT(256, 1), EMPTY_AT(768, 0),
	};
	const struct sched_cpu_view equal[] = { IDLE, RUN(1, 3), EMPTY };
	const struct sched_cpu_view clamped[] = { IDLE_AT(0, 0), IDLE_AT(1, 0), IDLE_AT(5000, 0),
	                                          IDLE_AT(1024, 0) };
	struct sched_cpu_view many[70];

	assert_int_equal(sched_bigger_cpus(mixed, 5, 0), 0x12); /* offline CPU 2 (1024) left out */
	assert_int_equal(sched_bigger_cpus(mixed, 5, 1), 0);    /* the biggest */
	assert_int_equal(sched_bigger_cpus(mixed, 5, 3), 0x13);
	assert_int_equal(sched_bigger_cpus(mixed, 5, 4), 0x2);
	assert_int_equal(sched_bigger_cpus(mixed, 4, 4), 0);    /* self out of range */
	assert_int_equal(sched_bigger_cpus(mixed, 3, 0), 0x2);  /* only the first ncpus */
	assert_int_equal(sched_bigger_cpus(equal, 3, 1), 0);
	assert_int_equal(sched_bigger_cpus(clamped, 4, 0), 0xc); /* 0 reads as 1, 5000 as 1024 */
	assert_int_equal(sched_bigger_cpus(clamped, 4, 2), 0);
	for (int i = 0; i < 70; i++)
		many[i] = (struct sched_cpu_view)IDLE_AT(i == 0 ? 256 : 1024, 0);
	assert_int_equal(sched_bigger_cpus(many, 70, 0), ~1ULL); /* CPUs past 63 cannot be named */
	assert_int_equal(sched_bigger_cpus(many, 70, 66), 0);
}

static void system_busy_switch(void **state)
{
	(void)state;
	const struct sched_cpu_view idle4[] = { IDLE, IDLE, IDLE, IDLE };
	const struct sched_cpu_view one_each[] = { RUN(1, 3), RUN(1, 3), IDLE };
	const struct sched_cpu_view queued[] = { RUN(2, 3), IDLE, IDLE };
	const struct sched_cpu_view pending[] = { RUN(1, 3), CPU(true, true, 1, 0, 1024, 0) };
	const struct sched_cpu_view offline_load[] = { RUN(1, 3), CPU(false, false, 5, 9, 1024, 0) };
	const struct sched_cpu_view awake_empty[] = { EMPTY, EMPTY, RUN(1, 1) };

	assert_false(sched_system_busy(idle4, 0));
	assert_false(sched_system_busy(idle4, 4));
	assert_false(sched_system_busy(one_each, 3));
	assert_true(sched_system_busy(queued, 3));
	assert_true(sched_system_busy(pending, 2));
	assert_false(sched_system_busy(offline_load, 2));
	assert_false(sched_system_busy(awake_empty, 3));
}

struct pull_case {
	const char *name;
	uint32_t ncpus;
	struct sched_cpu_view cpus[MAXC];
	uint32_t self;
	bool ok;
	uint32_t from;
};

static void pull_choice(void **state)
{
	(void)state;
	static const struct pull_case cases[] = {
		{ "the busiest", 4, { IDLE, RUN(2, 1), RUN(4, 1), RUN(3, 1) }, 0, true, 2 },
		{ "same node first", 3,
		  { IDLE_AT(1024, 0), RUN_AT(2, 1, 1024, 0), RUN_AT(5, 1, 1024, 1) }, 0, true, 1 },
		{ "same node as self, not node 0", 3,
		  { RUN_AT(6, 1, 1024, 0), RUN_AT(2, 1, 1024, 1), IDLE_AT(1024, 1) }, 2, true, 1 },
		{ "another node when nothing local is queued", 3,
		  { IDLE_AT(1024, 0), RUN_AT(1, 1, 1024, 0), RUN_AT(3, 1, 1024, 1) }, 0, true, 2 },
		{ "none when balanced", 4, { IDLE, RUN(1, 1), RUN(1, 9), EMPTY }, 0, false, NO },
		{ "none when all idle", 3, { IDLE, IDLE, IDLE }, 1, false, NO },
		{ "never from itself", 3, { RUN(5, 1), RUN(1, 1), IDLE }, 0, false, NO },
		{ "periodic: one queued thread elsewhere is no gain", 2,
		  { RUN(1, 1), RUN(2, 1) }, 0, false, NO },
		{ "periodic: pulls when the gap is two", 2, { RUN(1, 1), RUN(3, 1) }, 0, true, 1 },
		{ "offline source skipped", 3,
		  { IDLE, CPU(false, false, 9, 1, 1024, 0), RUN(2, 1) }, 0, true, 2 },
		{ "offline self pulls nothing", 2, { OFF, RUN(4, 1) }, 0, false, NO },
		{ "self out of range", 2, { IDLE, RUN(4, 1) }, 2, false, NO },
		{ "idle little core pulls from a big core's queue", 2,
		  { IDLE_AT(256, 0), RUN_AT(2, 1, 1024, 0) }, 0, true, 1 },
		{ "busy little core does not pull where it would be worse", 2,
		  { RUN_AT(1, 1, 256, 0), RUN_AT(3, 1, 1024, 0) }, 0, false, NO },
		{ "busy big core pulls from a little core's queue", 2,
		  { RUN_AT(1, 1, 1024, 0), RUN_AT(2, 1, 256, 0) }, 0, true, 1 },
		{ "equal queues: the smaller core first", 4,
		  { IDLE, RUN_AT(3, 1, 1024, 0), RUN_AT(3, 1, 512, 0), RUN_AT(3, 1, 512, 0) },
		  0, true, 2 },
		{ "full tie: lowest index", 4, { RUN(3, 1), IDLE, RUN(3, 1), RUN(3, 1) }, 1, true, 0 },
		{ "one CPU", 1, { IDLE }, 0, false, NO },
	};
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pull_case *c = &cases[i];
		uint32_t from = 12345;
		bool got = sched_pick_pull(c->cpus, c->ncpus, c->self, &from);
		uint32_t want_from = c->ok ? c->from : 12345; /* untouched on false */

		if (got != c->ok || from != want_from) {
			print_message("# %s: got %d from %u, want %d from %u\n", c->name, got, from,
			              c->ok, want_from);
			ok = false;
		}
	}
	assert_true(ok);
}

static void reason_names(void **state)
{
	(void)state;
	for (int r = SCHED_PLACE_AFFINITY; r <= SCHED_PLACE_NONE; r++) {
		const char *n = sched_place_reason_name((enum sched_place_reason)r);

		assert_string_not_equal(n, "?");
		for (int s = SCHED_PLACE_AFFINITY; s < r; s++)
			assert_string_not_equal(n, sched_place_reason_name((enum sched_place_reason)s));
	}
	assert_string_equal(sched_place_reason_name(SCHED_PLACE_LAST_CPU), "last-cpu");
	assert_string_equal(sched_place_reason_name((enum sched_place_reason)0), "?");
	assert_string_equal(sched_place_reason_name((enum sched_place_reason)(SCHED_PLACE_NONE + 1)),
	                    "?");
}

/* ---- invariants over random snapshots ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void random_cpu(struct sched_cpu_view *c)
{
	static const uint32_t caps[] = { 256, 512, 768, 1024 };

	c->online = rnd(8) != 0;
	c->idle = rnd(3) == 0;
	c->nr_running = c->idle ? (rnd(10) == 0) : rnd(4);
	c->cur_priority = c->idle ? 0 : rnd(32);
	c->cur_demanding = !c->idle && c->nr_running > 0 && rnd(2);
	c->capacity = caps[rnd(4)];
	c->node = rnd(3);
}

static void random_thread(struct sched_thread_view *t, uint32_t n)
{
	t->affinity = rnd(3) == 0 ? ALL : ((uint64_t)rnd(UINT32_MAX) << 32 | rnd(UINT32_MAX));
	if (t->affinity == 0)
		t->affinity = 1;
	t->last_cpu = rnd(4) == 0 ? NO : rnd(n);
	t->waker_cpu = rnd(4) == 0 ? NO : rnd(n);
	t->home_node = rnd(3) == 0 ? SCHED_NO_NODE : rnd(3);
	t->priority = rnd(32);
	t->demanding = rnd(2);
}

static bool allowed(const struct sched_cpu_view *cpus, const struct sched_thread_view *t, uint32_t i)
{
	return i < 64 && ((t->affinity >> i) & 1) && cpus[i].online;
}

static uint32_t clamped(uint32_t cap)
{
	return cap == 0 ? 1 : cap > 1024 ? 1024 : cap;
}

static bool on_home(const struct sched_cpu_view *c, const struct sched_thread_view *t)
{
	return t->home_node != SCHED_NO_NODE && c->node == t->home_node;
}

/* A demanding thread is never placed while an allowed CPU with nothing to
 * run, on a node as good, is bigger. */
static void check_no_bigger_free(const struct sched_cpu_view *cpus, uint32_t n,
                                 const struct sched_thread_view *t, uint32_t cpu)
{
	for (uint32_t i = 0; i < n; i++) {
		if (!allowed(cpus, t, i) || cpus[i].nr_running != 0 ||
		    on_home(&cpus[i], t) < on_home(&cpus[cpu], t))
			continue;
		assert_true(clamped(cpus[i].capacity) <= clamped(cpus[cpu].capacity));
	}
}

/* Checks one placement against the rules that must always hold. */
static void check_invariants(const struct sched_cpu_view *cpus, uint32_t n,
                             const struct sched_thread_view *t)
{
	struct sched_placement p = sched_place(cpus, n, t), again = sched_place(cpus, n, t);
	bool any = false, awake = false, free_cpu = false, busy = sched_system_busy(cpus, n);
	bool near_demanding = false; /* an awake CPU it may use runs a demanding thread */

	assert_memory_equal(&p, &again, sizeof(p));
	assert_string_not_equal(sched_place_reason_name(p.reason), "?");
	for (uint32_t i = 0; i < n; i++) {
		if (!allowed(cpus, t, i))
			continue;
		any = true;
		awake |= !cpus[i].idle;
		free_cpu |= cpus[i].nr_running == 0;
		near_demanding |= !cpus[i].idle && cpus[i].cur_demanding;
	}
	if (!any) {
		assert_int_equal(p.cpu, NO);
		assert_int_equal(p.reason, SCHED_PLACE_NONE);
		return;
	}
	assert_true(allowed(cpus, t, p.cpu));
	const struct sched_cpu_view *c = &cpus[p.cpu];
	assert_int_equal(p.wake_cpu, c->idle);
	assert_int_equal(p.preempt, !c->idle && c->nr_running > 0 && t->priority > c->cur_priority);
	if (!busy && awake && !t->demanding && !near_demanding)
		assert_false(p.wake_cpu); /* lightly loaded: no wake-up */
	if (busy && free_cpu && p.reason != SCHED_PLACE_AFFINITY)
		assert_int_equal(c->nr_running, 0); /* busy: never queue while a CPU is free */
	if (t->demanding)
		check_no_bigger_free(cpus, n, t, p.cpu);
	if (c->cur_demanding && p.reason != SCHED_PLACE_AFFINITY)
		assert_false(free_cpu); /* nothing preempts or queues behind a demanding thread
		                         * while a CPU is free */
}

static void check_pull_invariants(const struct sched_cpu_view *cpus, uint32_t n, uint32_t self)
{
	uint32_t from = NO;
	bool local;

	if (!sched_pick_pull(cpus, n, self, &from))
		return;
	assert_true(from < n);
	assert_int_not_equal(from, self);
	assert_true(cpus[from].online);
	assert_true(cpus[from].nr_running >= 2);
	if (cpus[self].nr_running != 0)
		return;
	/* Going idle, every queue is worth pulling from: none local beats a
	 * remote choice, none in the chosen class is longer. */
	local = cpus[from].node == cpus[self].node;
	for (uint32_t i = 0; i < n; i++) {
		if (i == self || !cpus[i].online || cpus[i].nr_running < 2)
			continue;
		if (!local)
			assert_int_not_equal(cpus[i].node, cpus[self].node);
		if ((cpus[i].node == cpus[self].node) == local)
			assert_true(cpus[i].nr_running <= cpus[from].nr_running);
	}
}

static void random_invariants(void **state)
{
	(void)state;
	static struct sched_cpu_view cpus[72];

	for (int round = 0; round < 20000; round++) {
		uint32_t n = 1 + rnd(round % 10 == 0 ? 72 : 8);
		struct sched_thread_view t;

		for (uint32_t i = 0; i < n; i++)
			random_cpu(&cpus[i]);
		random_thread(&t, n);
		check_invariants(cpus, n, &t);
		check_pull_invariants(cpus, n, rnd(n));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(affinity_and_offline),
		cmocka_unit_test(pack_when_lightly_loaded),
		cmocka_unit_test(spread_when_busy),
		cmocka_unit_test(no_free_cpu),
		cmocka_unit_test(edge_sizes),
		cmocka_unit_test(sixty_four_cpus),
		cmocka_unit_test(bigger_cpus),
		cmocka_unit_test(system_busy_switch),
		cmocka_unit_test(pull_choice),
		cmocka_unit_test(reason_names),
		cmocka_unit_test(random_invariants),
	};
	return cmocka_run_group_tests_name("sched_policy", tests, NULL, NULL);
}
