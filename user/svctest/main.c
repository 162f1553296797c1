/* SPDX-License-Identifier: MIT */
/*
 * svctest's runner: the cases in order as KTAP, then the supervisor's
 * shutdown with 0 if every case passed, 1 otherwise, which the supervisor
 * and init pass on as QEMU's exit status.
 *
 * A watchdog thread ends the run (shutdown 1) if the run makes no progress
 * for WATCHDOG_S: a restart that never comes must fail the scenario, not
 * hang it.
 *
 * Arguments (the manifest's `args`, or `supervisor.svctest.KEY=VALUE` on
 * the command line): `mode=faults` runs the long crash campaign under load
 * instead of the cases (faults.c, `make faults`), `mode=restart` measures
 * restart time alone (`make bench`); `crashes=N` sizes either.
 */
#include <stdarg.h>

#include "svctest.h"

#define WATCHDOG_S 120u
#define NS_PER_S 1000000000ULL
#define POLL_NS 1000000ULL /* between two looks at a service's state */

fe_handle_t ctl;
uint64_t tsc_hz;
unsigned crashes_injected;
static uint64_t progress_count;
static const char *current = "start";

static const struct {
	const char *name;
	void (*fn)(struct test *t);
} cases[] = {
	{ "caps_match_the_manifest", caps_match_the_manifest },
	{ "clients_cannot_crash", clients_cannot_crash },
	{ "start_order_follows_dependencies", start_order_follows_dependencies },
	{ "crash_campaign", crash_campaign },
	{ "restart_time", restart_time },
	{ "in_flight_call_is_retried", in_flight_call_is_retried },
	{ "restart_by_request", restart_by_request },
	{ "restart_never_stays_dead", restart_never_stays_dead },
	{ "gives_up_after_max_restarts", gives_up_after_max_restarts },
	{ "exit_zero_stops_on_failure", exit_zero_stops_on_failure },
	{ "missing_program_fails_alone", missing_program_fails_alone },
	{ "device_resolved_or_failed", device_resolved_or_failed },
	{ "driver_restarts_under_a_client", driver_restarts_under_a_client },
	{ "driver_dma_fault_under_a_client", driver_dma_fault_under_a_client },
	{ "dma_fault_needs_a_hook", dma_fault_needs_a_hook },
	{ "net_driver_dma_fault", net_driver_dma_fault },
	{ "uart_crashes_keep_the_console", uart_crashes_keep_the_console },
	{ "pcibus_answers_and_refuses", pcibus_answers_and_refuses },
	{ "pcibus_crash_leaves_drivers_working", pcibus_crash_leaves_drivers_working },
};

void test_fail(struct test *t, int line, const char *fmt, ...)
{
	va_list ap;

	t->failed = true;
	printf("    # %s: line %d: ", t->name, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void set_current(const char *what)
{
	current = what;
}

void progress(void)
{
	__atomic_add_fetch(&progress_count, 1, __ATOMIC_RELAXED);
}

bool row_of(struct test *t, const char *name, struct fe_supervisor_row *row)
{
	fe_status_t st = fe_supervisor_find(ctl, name, row);

	return CHECK(t, st == FE_OK, "no row for %s: %s", name, fe_status_name(st));
}

bool wait_state(struct test *t, const char *name, uint32_t state, struct fe_supervisor_row *row)
{
	for (;;) {
		if (!row_of(t, name, row))
			return false;
		if (row->state == state)
			return true;
		(void)fe_thread_sleep(POLL_NS);
	}
}

bool connect_to(struct test *t, const char *name, fe_handle_t *ep)
{
	fe_status_t st = fe_supervisor_connect(ctl, name, ep);

	return CHECK(t, st == FE_OK, "connect %s: %s", name, fe_status_name(st));
}

bool who(struct test *t, fe_handle_t ep, uint64_t *koid, uint64_t *slots)
{
	struct fe_msg m = fe_msg_make(FE_SERVICE_WHO, 0, 0);
	/* Asked again if a dying instance had taken it: a driver with two
	 * serving threads (uart) may receive it in one while the other faults. */
	fe_status_t st = fe_service_call_idempotent(ep, &m, NULL);
	struct fe_ipc_buffer *buf = fe_ipc_buffer();

	if (!CHECK(t, st == FE_OK && fe_service_status(&m) == FE_OK, "who: %s, answer %s",
	           fe_status_name(st), fe_status_name(fe_service_status(&m))))
		return false;
	*koid = m.w[0];
	if (slots && CHECK(t, buf && FE_MSG_WORDS(m.info) == FE_SERVICE_WHO_WORDS,
	                   "who: %u words", FE_MSG_WORDS(m.info)))
		for (unsigned s = 0; s < FE_START_SLOTS; s++)
			slots[s] = buf->words[FE_SERVICE_WHO_SLOTS + s];
	return true;
}

/* Shuts everything down after WATCHDOG_S without progress. */
static void watchdog(void *arg)
{
	uint64_t last = 0, still = 0;

	(void)arg;
	for (;;) {
		(void)fe_thread_sleep(NS_PER_S);
		uint64_t now = __atomic_load_n(&progress_count, __ATOMIC_RELAXED);
		still = now == last ? still + 1 : 0;
		last = now;
		if (still < WATCHDOG_S)
			continue;
		printf("# svctest: no progress for %u s in %s; giving up\n", WATCHDOG_S, current);
		fe_flush();
		(void)fe_supervisor_shutdown(ctl, 1);
		fe_exit(1);
	}
}

static fe_status_t setup(void)
{
	struct fe_kernel_stats ks;
	fe_handle_t wd;
	fe_status_t st;

	if ((ctl = fe_supervisor_handle()) == FE_HANDLE_INVALID) {
		printf("svctest: no supervisor control endpoint (run from a manifest with "
		       "`caps supervisor`)\n");
		return FE_ERR_NOT_FOUND;
	}
	if ((st = fe_kernel_stats(fe_start_handle(FE_START_TRACE), &ks)) != FE_OK) {
		printf("svctest: no kernel statistics (needs `caps trace`): %s\n", fe_status_name(st));
		return st;
	}
	tsc_hz = ks.tsc_hz;
	if ((st = fe_thread_spawn(watchdog, NULL, FE_PRIORITY_DEFAULT, &wd)) != FE_OK)
		return st;
	fe_handle_delete(wd);
	return FE_OK;
}

/* The `mode=` and `crashes=` arguments; false (said why) for others. */
static bool parse_args(int argc, char **argv, const char **mode, unsigned *crashes)
{
	for (int i = 1; i < argc; i++) {
		uint64_t n;
		if (strncmp(argv[i], "mode=", 5) == 0 &&
		    (strcmp(argv[i] + 5, "faults") == 0 || strcmp(argv[i] + 5, "restart") == 0)) {
			*mode = argv[i] + 5;
		} else if (strncmp(argv[i], "crashes=", 8) == 0 &&
		           fe_parse_u64(argv[i] + 8, &n) == FE_OK && n > 0 && n <= 100000) {
			*crashes = (unsigned)n;
		} else {
			printf("svctest: unknown argument %s (mode=faults|restart, crashes=1..100000)\n",
			       argv[i]);
			return false;
		}
	}
	return true;
}

/* The cases, as KTAP; the exit code. */
static int run_cases(void)
{
	unsigned failed = 0;

	printf("KTAP version 1\n1..%zu\n", ARRAY_SIZE(cases));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct test t = { .name = cases[i].name };
		current = t.name;
		cases[i].fn(&t);
		progress();
		printf("%s %zu %s\n", t.failed ? "not ok" : "ok", i + 1, t.name);
		failed += t.failed;
	}
	printf("# svctest: %u crashes injected, %u of %zu cases failed\n", crashes_injected, failed,
	       ARRAY_SIZE(cases));
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *mode = "cases";
	unsigned crashes = 0;
	int code;

	if (setup() != FE_OK)
		return 1; /* no supervisor to tell: restart never leaves it stopped */
	if (!parse_args(argc, argv, &mode, &crashes))
		code = 1;
	else if (strcmp(mode, "faults") == 0)
		code = faults_run(crashes ? crashes : FAULTS_DEFAULT);
	else if (strcmp(mode, "restart") == 0)
		code = restart_bench_run(crashes ? crashes : RESTART_BENCH_DEFAULT);
	else
		code = run_cases();
	fe_flush();
	fe_status_t st = fe_supervisor_shutdown(ctl, code);
	/* Only reached if the supervisor refused: then say so and end. */
	printf("svctest: shutdown: %s\n", fe_status_name(st));
	return 1;
}
