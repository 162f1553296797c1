/* SPDX-License-Identifier: MIT */
/*
 * The capacity suite: big and little CPUs, end to end. FE_SYS_CPU_STATS
 * reports the capacities of the kernel command line (cpu_capacity=, which
 * the scenario repeats to utest as utest.capacity=), and a CPU-bound thread
 * free to run anywhere ends up, and stays, on the biggest CPU, moved there
 * by the scheduler for its capacity (a trace event says so).
 *
 * Where every CPU has the same capacity (the `user` scenarios) the cases
 * skip; the `capacity` boot scenario runs them with cpu_capacity=512,1024.
 * Waits are bounded only so a broken scheduler fails instead of hanging.
 */
#include "ut.h"

#define PLACE_CAPACITY 5u            /* SCHED_PLACE_CAPACITY (kernel/sched/policy.h): trace ABI */
#define REPORT_EVERY (1u << 18)      /* spinner loop iterations per report */
#define SETTLE_POLL_NS 50000000ULL   /* 50 ms: the spinner gets whole slices between polls */
#define SETTLE_NS 10000000000ULL     /* one 10 ms slice is enough; 10 s is generous */
#define WATCH_NS 1000000000ULL       /* then its work is watched for 1 s, */
#define WATCH_POLL_NS 5000000ULL     /* waking every 5 ms meanwhile */
#define MIN_REPORTS 10u              /* it must make progress while watched */
#define TRACE_RECORDS 2048u
#define TRIES 5                      /* to see the capacity move (see reaches_big_for_capacity) */

/* Given to the spawned thread; written by it, read by the case. */
struct spinner {
	uint32_t little, big;   /* set before it starts */
	fe_handle_t thread;
	uint64_t koid;          /* the thread's, as trace records name it */
	uint32_t cpu;           /* where it ran at its last report */
	uint64_t reports;       /* reports so far, each REPORT_EVERY iterations of work */
	uint64_t reports_big;   /* those made on the big CPU */
	uint32_t stop, done;
};

static fe_handle_t need_trace(struct ut *t)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	if (tr == FE_HANDLE_INVALID)
		ut_skip(t, "no trace capability (FE_SYS_CPU_STATS needs it)");
	return tr;
}

static uint32_t cpu_count(fe_handle_t tr)
{
	struct fe_kernel_stats ks = { 0 };

	if (fe_kernel_stats(tr, &ks) != FE_OK)
		return 1;
	return (uint32_t)ks.cpus;
}

static uint64_t now_ns(fe_handle_t tr)
{
	struct fe_cpu_stats cs = { 0 };

	(void)fe_cpu_stats(tr, 0, &cs);
	return cs.now_ns;
}

/*
 * The figure for `cpu` in a cpu_capacity=-style list "A,B,...": the cpu-th,
 * or the last one for CPUs past the end, as the kernel reads it. False if
 * the list is malformed.
 */
static bool listed_capacity(const char *list, uint32_t cpu, uint64_t *out)
{
	char word[16];
	uint32_t i = 0;

	for (const char *p = list;; i++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0 || len >= sizeof(word))
			return false;
		memcpy(word, p, len);
		word[len] = '\0';
		if (fe_parse_u64(word, out) != FE_OK)
			return false;
		if (i == cpu || !end)
			return true;
		p = end + 1;
	}
}

static void capacities_match_command_line(struct ut *t)
{
	fe_handle_t tr = need_trace(t);
	struct fe_cpu_stats cs;
	uint32_t first = 0;
	bool differ = false;
	uint64_t want = 0;

	if (tr == FE_HANDLE_INVALID)
		return;
	for (uint32_t i = 0, n = cpu_count(tr); i < n; i++) {
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_cpu_stats(tr, i, &cs)));
		UT_EXPECT_GE(t, cs.capacity, 1);
		UT_EXPECT_LE(t, cs.capacity, 1024);
		first = i == 0 ? cs.capacity : first;
		differ |= cs.capacity != first;
		if (!ut_capacity_list)
			continue;
		UT_ASSERT(t, UT_EXPECT_MSG(t, listed_capacity(ut_capacity_list, i, &want),
		                           "malformed utest.capacity=%s", ut_capacity_list));
		UT_EXPECT_MSG(t, cs.capacity == want, "cpu %u: capacity %u, command line %llu", i,
		              cs.capacity, (unsigned long long)want);
	}
	if (!ut_capacity_list)
		ut_skip(t, differ ? "no utest.capacity= to compare with" : "all CPUs have equal capacity");
}

/* The biggest and the littlest CPU (the lowest index among equals); false
 * (the case skipped) if they have the same capacity. */
static bool big_and_little(struct ut *t, fe_handle_t tr, struct spinner *s)
{
	struct fe_cpu_stats cs;
	uint32_t big_cap = 0, little_cap = UINT32_MAX;

	for (uint32_t i = 0, n = cpu_count(tr); i < n; i++) {
		if (!UT_EXPECT_OK(t, fe_cpu_stats(tr, i, &cs)))
			return false;
		if (cs.capacity > big_cap) {
			big_cap = cs.capacity;
			s->big = i;
		}
		if (cs.capacity < little_cap) {
			little_cap = cs.capacity;
			s->little = i;
		}
	}
	if (big_cap > little_cap)
		return true;
	ut_skip(t, "all CPUs have equal capacity");
	return false;
}

/*
 * CPU-bound: it never blocks, so a slice it is left alone for runs out. It
 * starts pinned to the little CPU (the case widens its affinity), and every
 * REPORT_EVERY iterations notes where it runs, counting the work done on
 * the big CPU.
 */
static void spinner(void *arg)
{
	struct spinner *s = arg;
	uint32_t cpu = 0;

	(void)fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << s->little);
	for (uint64_t i = 0; !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE); i++) {
		if (i % REPORT_EVERY != 0 || fe_cpu_current(&cpu) != FE_OK)
			continue;
		__atomic_store_n(&s->cpu, cpu, __ATOMIC_RELAXED);
		if (cpu == s->big)
			__atomic_fetch_add(&s->reports_big, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s->reports, 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
}

/* Polls until the spinner reports from `cpu`, for at most ns; true if it did. */
static bool wait_on_cpu(fe_handle_t tr, struct spinner *s, uint32_t cpu, uint64_t ns)
{
	uint64_t end = now_ns(tr) + ns;

	do {
		if (__atomic_load_n(&s->reports, __ATOMIC_ACQUIRE) > 0 &&
		    __atomic_load_n(&s->cpu, __ATOMIC_RELAXED) == cpu)
			return true;
	} while (fe_thread_sleep(SETTLE_POLL_NS) == FE_OK && now_ns(tr) < end);
	return false;
}

/*
 * Why the trace says it moved: the reason of the last placement of the
 * spinner onto the big CPU at or after TSC `since`, which the little CPU it
 * left must have made. 0 if the trace is empty (trace=off); -1 (failed) if
 * it shows no such placement.
 */
static int64_t placement_reason(struct ut *t, fe_handle_t tr, const struct spinner *s,
                                uint64_t since)
{
	static struct fe_trace_record recs[TRACE_RECORDS];
	const struct fe_trace_record *last = NULL;
	uint64_t n = 0;

	if (!UT_EXPECT_OK(t, fe_trace_read(tr, recs, TRACE_RECORDS, &n)))
		return -1;
	if (n == 0)
		return 0;
	for (uint64_t i = 0; i < n && i < TRACE_RECORDS; i++)
		if (recs[i].type == FE_TRACE_SCHED_PLACE && recs[i].arg[0] == s->koid &&
		    recs[i].arg[1] == s->big && recs[i].tsc >= since)
			last = &recs[i];
	if (!UT_EXPECT_MSG(t, last != NULL, "no FE_TRACE_SCHED_PLACE of thread %llu to cpu %u",
	                   (unsigned long long)s->koid, s->big))
		return -1;
	UT_EXPECT_EQ(t, last->arg[3], s->little);
	return (int64_t)last->arg[2];
}

/* Pins this thread and the watchdog to `mask`. */
static void pin_ours(struct ut *t, uint64_t mask)
{
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, mask));
	if (ut_watchdog_thread != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_thread_set_affinity(ut_watchdog_thread, mask));
}

/*
 * Where the spinner's work went over WATCH_NS: at least 90% on the big CPU
 * (all of it, unless something moved it). Meanwhile this thread and the
 * watchdog may run anywhere and wake every WATCH_POLL_NS and 100 ms: a
 * light thread waking on the little CPU must run there, not queue on the
 * big one and push the spinner off it.
 */
static void expect_stays_big(struct ut *t, fe_handle_t tr, struct spinner *s)
{
	uint64_t r0 = __atomic_load_n(&s->reports, __ATOMIC_ACQUIRE);
	uint64_t b0 = __atomic_load_n(&s->reports_big, __ATOMIC_RELAXED);
	uint64_t end = now_ns(tr) + WATCH_NS;

	pin_ours(t, ~0ULL);
	do
		(void)fe_thread_sleep(WATCH_POLL_NS);
	while (now_ns(tr) < end);
	uint64_t r = __atomic_load_n(&s->reports, __ATOMIC_ACQUIRE) - r0;
	uint64_t b = __atomic_load_n(&s->reports_big, __ATOMIC_RELAXED) - b0;
	ut_note(t, "while watched: %llu of %llu reports from the big cpu %u",
	        (unsigned long long)b, (unsigned long long)r, s->big);
	UT_EXPECT_GE(t, r, MIN_REPORTS);
	UT_EXPECT_GE(t, b * 10, r * 9);
}

/* Pins the spinner to the little CPU, then lets it run anywhere: true once
 * it reports from the big CPU. *since: the TSC when it was let go. */
static bool free_from_little(struct ut *t, fe_handle_t tr, struct spinner *s, uint64_t *since)
{
	uint64_t t0;

	if (!UT_EXPECT_OK(t, fe_thread_set_affinity(s->thread, 1ULL << s->little)) ||
	    !UT_EXPECT_MSG(t, wait_on_cpu(tr, s, s->little, SETTLE_NS),
	                   "the spinner never ran on the little cpu %u", s->little))
		return false;
	t0 = now_ns(tr);
	*since = fe_rdtsc();
	if (!UT_EXPECT_OK(t, fe_thread_set_affinity(s->thread, ~0ULL)) ||
	    !UT_EXPECT_MSG(t, wait_on_cpu(tr, s, s->big, SETTLE_NS),
	                   "free to run anywhere, the spinner stayed off the big cpu %u for %llu s",
	                   s->big, SETTLE_NS / 1000000000ULL))
		return false;
	ut_note(t, "on the big cpu %u within %llu ms", s->big,
	        (unsigned long long)((now_ns(tr) - t0) / 1000000));
	return true;
}

/*
 * The spinner must reach the big CPU, moved there for its capacity. If one
 * of our threads woke on the little CPU just as the spinner's slice ended
 * (likelier on a loaded host), the little CPU was not free, and the move is
 * recorded as `spread`: true, but not what this looks for, so it tries
 * again, a few times.
 */
static bool reaches_big_for_capacity(struct ut *t, fe_handle_t tr, struct spinner *s)
{
	uint64_t since = 0;

	for (unsigned i = 1; i <= TRIES; i++) {
		if (!free_from_little(t, tr, s, &since))
			return false;
		int64_t why = placement_reason(t, tr, s, since);
		if (why < 0)
			return false;
		if (why == 0) {
			ut_note(t, "the trace is empty (trace=off?): the reason is not checked");
			return true;
		}
		if (why == PLACE_CAPACITY)
			return true;
		ut_note(t, "try %u: placed on the big cpu for reason %lld, not capacity", i,
		        (long long)why);
	}
	return UT_EXPECT_MSG(t, false, "in %u tries never placed on the big cpu for its capacity",
	                     TRIES);
}

/* The spinner runs while this judges it. */
static void judge_spinner(struct ut *t, fe_handle_t tr, struct spinner *s)
{
	struct fe_handle_info hi = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_handle_info(s->thread, &hi)));
	s->koid = hi.koid;
	if (reaches_big_for_capacity(t, tr, s))
		expect_stays_big(t, tr, s);
}

/*
 * A demanding thread free to run anywhere ends up on the big CPU and stays
 * there. Until it arrives, this thread and the watchdog keep to the little
 * CPU, at a higher priority than the spinner: they never compete with it
 * for the big CPU, and on the little one they preempt it rather than queue
 * beside it. With equal capacities it would never get a slice of its own
 * there, so never be found CPU-bound, and stay put; the trace shows that
 * its capacity moved it (a preempted CPU-bound thread may also spread to a
 * free CPU, which is not what this tests).
 */
static void demanding_thread_moves_to_big_cpu(struct ut *t)
{
	static struct spinner s;
	fe_handle_t tr = need_trace(t);

	if (tr == FE_HANDLE_INVALID)
		return;
	s = (struct spinner){ .thread = FE_HANDLE_INVALID };
	if (!big_and_little(t, tr, &s))
		return;
	pin_ours(t, 1ULL << s.little);
	if (UT_EXPECT_OK(t, fe_thread_spawn(spinner, &s, FE_PRIORITY_DEFAULT - 1, &s.thread)))
		judge_spinner(t, tr, &s);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	if (s.thread != FE_HANDLE_INVALID) {
		for (unsigned i = 0; i < 200 && !__atomic_load_n(&s.done, __ATOMIC_ACQUIRE); i++)
			(void)fe_thread_sleep(SETTLE_POLL_NS);
		UT_EXPECT_EQ(t, __atomic_load_n(&s.done, __ATOMIC_ACQUIRE), 1);
		ut_del(t, s.thread);
	}
	pin_ours(t, ~0ULL);
}

UT_SUITE(capacity,
	UT_CASE(capacities_match_command_line),
	UT_CASE(demanding_thread_moves_to_big_cpu));
