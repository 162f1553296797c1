/* SPDX-License-Identifier: MIT */
/*
 * The runner: KTAP output exactly as the kernel's ktest prints it
 * (kernel/test/ktest.c), and the watchdog that keeps a case from hanging.
 *
 *	KTAP version 1
 *	1..2
 *	    KTAP version 1
 *	    # Subtest: handles
 *	    1..3
 *	    ok 1 dup_narrows_rights
 *	    # forged_handles_refused: user/utest/suite_handles.c:40: ...
 *	    not ok 2 forged_handles_refused
 *	    ...
 *	not ok 1 handles
 */
#include "ut.h"

#define WATCH_TICK_NS 100000000ULL /* 100 ms */
#define WATCH_TICKS (UT_CASE_TIMEOUT_S * 10)
#define WATCH_MAX 32

/*
 * Shared between the main thread and the watchdog. case_seq is odd while a
 * case runs and changes at every start and end; `progress` is bumped by
 * cases that see work get done (ut_progress). The watchdog never prints
 * through the console buffer (it is not thread-safe) but leaves `timed_out`
 * set.
 */
static volatile uint32_t case_seq;
static volatile uint64_t progress;
static volatile bool timed_out;
static volatile bool watchdog_started;
static volatile fe_handle_t watched[WATCH_MAX];
static bool watchdog_running;
fe_handle_t ut_watchdog_thread = FE_HANDLE_INVALID;

void ut_progress(void)
{
	__atomic_fetch_add(&progress, 1, __ATOMIC_RELAXED);
}

bool ut_timed_out(void)
{
	return timed_out;
}
void ut_fail(struct ut *t, const char *file, int line, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->failed = true;
	printf("    # %s: %s:%d: %s\n", t->name, file, line, msg);
}

void ut_note(struct ut *t, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("    # %s: %s\n", t->name, msg);
}

void ut_skip(struct ut *t, const char *why)
{
	t->skipped = true;
	strlcpy(t->skip_reason, why, sizeof(t->skip_reason));
}

bool ut_watch(fe_handle_t proc)
{
	for (unsigned i = 0; i < WATCH_MAX; i++)
		if (watched[i] == FE_HANDLE_INVALID) {
			watched[i] = proc;
			return true;
		}
	return false;
}

void ut_unwatch(fe_handle_t proc)
{
	for (unsigned i = 0; i < WATCH_MAX; i++)
		if (watched[i] == proc)
			watched[i] = FE_HANDLE_INVALID;
}

/* Kills every watched child: whatever the case blocks on then returns. */
static void kill_watched(void)
{
	timed_out = true;
	for (unsigned i = 0; i < WATCH_MAX; i++)
		if (watched[i] != FE_HANDLE_INVALID)
			(void)fe_process_kill(watched[i]); /* may have ended already */
}

/*
 * What shows that a case is getting somewhere: its own progress reports,
 * and the system calls of the children it watches (a child computing or
 * blocked makes none). A handle the main thread has just deleted reads as
 * an error and adds nothing.
 */
static uint64_t progress_mark(void)
{
	uint64_t mark = progress;

	for (unsigned i = 0; i < WATCH_MAX; i++) {
		struct fe_process_info pi = { 0 };
		fe_handle_t p = watched[i];
		if (p != FE_HANDLE_INVALID && fe_process_info(p, &pi) == FE_OK)
			mark += pi.syscalls;
	}
	return mark;
}

/* The case is stuck even with its children dead (blocked on something of
 * its own): say so in raw bytes, as the run can only end here. */
_Noreturn static void give_up(void)
{
	static const char msg[] =
		"# utest: watchdog: a case made no progress for twice the limit, even after its "
		"children were killed: stopping utest\n";

	(void)fe_console_write(fe_console, msg, sizeof(msg) - 1);
	fe_process_exit(3);
}

/*
 * A case that makes no progress for UT_CASE_TIMEOUT_S has its children
 * killed (a call to a dead server then returns) and fails; if it still makes
 * none for as long again, utest ends. The limit counts time without
 * progress, not time: on a loaded host a slow case is not a hung one.
 */
static void watchdog(void *arg)
{
	uint32_t seen_seq = 0;
	uint64_t seen_mark = 0;
	unsigned ticks = 0;

	(void)arg;
	watchdog_started = true;
	while (fe_thread_sleep(WATCH_TICK_NS) == FE_OK) {
		uint32_t seq = case_seq;
		uint64_t mark = progress_mark();
		if (seq != seen_seq || mark != seen_mark || !(seq & 1)) {
			seen_seq = seq;
			seen_mark = mark;
			ticks = 0;
			continue;
		}
		if (++ticks == WATCH_TICKS)
			kill_watched();
		else if (ticks == 2 * WATCH_TICKS)
			give_up();
	}
}

/* Children a case left behind are killed before the next case starts. */
static void forget_children(struct ut *t)
{
	for (unsigned i = 0; i < WATCH_MAX; i++) {
		fe_handle_t p = watched[i];
		if (p == FE_HANDLE_INVALID)
			continue;
		ut_note(t, "a child was left behind: killing and reaping it");
		ut_stop(t, p);
	}
}

/* TSC ticks per second, for case durations (0: unknown, no trace capability). */
static uint64_t tsc_hz(void)
{
	struct fe_kernel_stats ks = { 0 };
	fe_handle_t tr = fe_start_handle(FE_START_TRACE);

	return tr != FE_HANDLE_INVALID && fe_kernel_stats(tr, &ks) == FE_OK ? ks.tsc_hz : 0;
}

/* Cases that take a second or more say how long (host time: a loaded host
 * stretches it; nothing depends on it). */
static void note_duration(const char *name, uint64_t ticks)
{
	static uint64_t hz;

	if (hz == 0)
		hz = tsc_hz();
	if (hz && ticks >= hz)
		printf("    # %s: took %llu.%01llu s\n", name, (unsigned long long)(ticks / hz),
		       (unsigned long long)(ticks % hz * 10 / hz));
}

static bool run_case(const struct ut_case *tc, unsigned n)
{
	struct ut t = { .name = tc->name };

	timed_out = false;
	case_seq++;
	uint64_t t0 = fe_rdtsc();
	tc->fn(&t);
	note_duration(tc->name, fe_rdtsc() - t0);
	case_seq++;
	if (timed_out) {
		t.failed = true;
		printf("    # %s: no progress for %u s: timed out, its children were killed\n",
		       tc->name, UT_CASE_TIMEOUT_S);
	}
	forget_children(&t);
	if (t.skipped && !t.failed)
		printf("    ok %u %s # SKIP %s\n", n, tc->name, t.skip_reason);
	else
		printf("    %s %u %s\n", t.failed ? "not ok" : "ok", n, tc->name);
	return !t.failed;
}

static unsigned run_suite(const struct ut_suite *s, unsigned n)
{
	unsigned failed = 0;

	printf("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", s->name, s->ncases);
	for (size_t i = 0; i < s->ncases; i++)
		if (!run_case(&s->cases[i], (unsigned)i + 1))
			failed++;
	printf("%s %u %s\n", failed ? "not ok" : "ok", n, s->name);
	return failed;
}

/* True if `name` is one of the comma-separated words of spec, or spec is "all". */
static bool selected(const char *spec, const char *name)
{
	size_t len = strlen(name);

	if (strcmp(spec, "all") == 0)
		return true;
	for (const char *p = spec; *p;) {
		const char *end = strchr(p, ',');
		size_t wlen = end ? (size_t)(end - p) : strlen(p);
		if (wlen == len && strncmp(p, name, len) == 0)
			return true;
		p += wlen + (end ? 1 : 0);
	}
	return false;
}

static const struct ut_suite *const suites[] = {
	&ut_suite_syscall, &ut_suite_handles, &ut_suite_memory, &ut_suite_contig, &ut_suite_process,
	&ut_suite_thread,  &ut_suite_budget,  &ut_suite_ipc,    &ut_suite_notification,
	&ut_suite_devices, &ut_suite_smp,  &ut_suite_numa,  &ut_suite_capacity,
	&ut_suite_rflags,
	&ut_suite_args,    &ut_suite_atomic, &ut_suite_wx,    &ut_suite_fpu,
	&ut_suite_revoke,  &ut_suite_quota,  &ut_suite_watch, &ut_suite_pci, &ut_suite_dma,
	&ut_suite_blk,     &ut_suite_iommu,  &ut_suite_net,   &ut_suite_net_odd, &ut_suite_console,
	&ut_suite_group,
	&ut_suite_trace,
};

/* Starts the watchdog and waits until it runs: a thread's start-up makes
 * and deletes a handle (its IPC buffer), which a case counting handles
 * would otherwise see. */
static void start_watchdog(void)
{
	watchdog_running = fe_thread_spawn(watchdog, NULL, FE_PRIORITY_DEFAULT,
	                                   &ut_watchdog_thread) == FE_OK;
	while (watchdog_running && !watchdog_started)
		(void)fe_thread_sleep(1000000);
}

unsigned ut_run(const char *spec)
{
	unsigned nsel = 0, n = 0, failed = 0, cases = 0;
	if (!watchdog_running)
		start_watchdog();
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++)
		nsel += selected(spec, suites[i]->name);
	printf("KTAP version 1\n1..%u\n", nsel);
	if (!watchdog_running)
		printf("# utest: no watchdog thread: a hung case will hang the run\n");
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
		if (!selected(spec, suites[i]->name))
			continue;
		failed += run_suite(suites[i], ++n);
		cases += (unsigned)suites[i]->ncases;
	}
	if (nsel == 0) {
		printf("# utest: no suite matches '%s'\n", spec);
		failed++;
	}
	printf("# utest: %u suites, %u cases, %u failed\n", nsel, cases, failed);
	return failed;
}
