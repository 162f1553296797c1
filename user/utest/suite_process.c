/* SPDX-License-Identifier: MIT */
/* Processes, threads, exit codes, budgets, priorities. */
#include "ut.h"

static void spawn_wait_exit_code(struct ut *t)
{
	const char *argv[] = { "hello", "exit=7", NULL };
	struct fe_spawn_args a = { .path = "hello", .argv = argv };
	struct fe_exit_status st;
	struct fe_process_info info;
	fe_handle_t p;

	a.handles[FE_START_CONSOLE] = fe_console;
	UT_OK(t, fe_spawn(&a, &p));
	UT_OK(t, fe_process_wait(p, &st, 0));
	UT_EXPECT_ST(t, st.reason, FE_EXIT_NORMAL);
	UT_EXPECT_ST(t, st.code, 7);
	UT_OK(t, fe_process_info(p, &info));
	UT_EXPECT_ST(t, info.threads, 0);
	UT_EXPECT(t, strcmp(info.name, "hello") == 0);
	UT_EXPECT_ST(t, fe_process_kill(p), FE_ERR_BAD_STATE);
	fe_handle_delete(p);
	struct fe_spawn_args missing = { .path = "no-such-program" };
	UT_EXPECT_ST(t, fe_spawn(&missing, &p), FE_ERR_NOT_FOUND);
}

static void kill_and_wait(struct ut *t)
{
	fe_handle_t p, ep;
	struct fe_exit_status st;

	UT_OK(t, fe_endpoint_create(&ep));
	UT_OK(t, ut_spawn_role("echo", "", ep, FE_HANDLE_INVALID, 0, &p)); /* blocks in recv */
	UT_EXPECT_ST(t, fe_process_wait(p, &st, FE_NONBLOCK), FE_ERR_WOULD_BLOCK);
	UT_OK(t, fe_process_kill(p));
	UT_OK(t, fe_process_wait(p, &st, 0));
	UT_EXPECT_ST(t, st.reason, FE_EXIT_KILLED);
	UT_EXPECT_ST(t, fe_process_wait(fe_self, &st, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_process_wait(p, &st, 8), FE_ERR_INVALID_ARG);
	fe_handle_delete(p);
	fe_handle_delete(ep);
}

static void create_argument_checks(struct ut *t)
{
	fe_handle_t p;
	struct fe_process_info self;

	UT_OK(t, fe_process_info(fe_self, &self));
	UT_EXPECT_ST(t, fe_process_create("x", 0, 1 << 20, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_process_create("x", 40, 1 << 20, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_process_create("x", 1, 0, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_process_create("x", 1, self.budget_limit + 1, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_process_create((char *)0xffff800000000000ULL, 4, 1 << 20, &p), FE_ERR_FAULT);
	UT_OK(t, fe_process_create("empty", 5, 1 << 20, &p));
	UT_EXPECT_ST(t, fe_thread_create(p, 0xffff800000000000ULL, 0x20000, 0, 1, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_thread_create(p, 0x400000, 0x20000, 0, 99, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_thread_create(p, 0x400000, 0x20000, 0, FE_PRIORITY_MAX, &p),
	             FE_ERR_ACCESS_DENIED);
	fe_handle_delete(p);
}

static void budget_exhaustion_is_contained(struct ut *t)
{
	struct fe_kernel_stats before, after;
	fe_handle_t tr = fe_start_info->handles[FE_START_TRACE], p;
	struct fe_exit_status st;

	UT_OK(t, fe_kernel_stats(tr, &before));
	UT_OK(t, ut_spawn_role("hog", "", FE_HANDLE_INVALID, FE_HANDLE_INVALID, 1 << 20, &p));
	UT_OK(t, ut_wait(p, &st));
	UT_EXPECT_ST(t, st.reason, FE_EXIT_NORMAL);
	UT_EXPECT_ST(t, st.code, 0); /* the hog hit FE_ERR_NO_MEMORY */
	fe_handle_delete(p);
	fe_thread_yield();
	UT_OK(t, fe_kernel_stats(tr, &after));
	UT_EXPECT(t, after.frames_free + 8 >= before.frames_free);
}

static volatile int order[2], norder;

static void record(void *arg)
{
	order[norder++] = (int)(uintptr_t)arg;
}

static void threads_run_by_priority(struct ut *t)
{
	fe_handle_t a, b;

	norder = 0;
	UT_OK(t, fe_thread_spawn(record, (void *)10, 10, &a));
	UT_OK(t, fe_thread_spawn(record, (void *)12, 12, &b));
	for (int i = 0; i < 500 && norder < 2; i++)
		fe_thread_sleep(1000000);
	UT_EXPECT_ST(t, norder, 2);
	UT_EXPECT_ST(t, order[0], 12);
	UT_EXPECT_ST(t, order[1], 10);
	fe_handle_delete(a);
	fe_handle_delete(b);
}

static void yield_and_sleep(struct ut *t)
{
	struct fe_kernel_stats ks;
	uint64_t t0;

	UT_OK(t, fe_thread_yield());
	UT_OK(t, fe_kernel_stats(fe_start_info->handles[FE_START_TRACE], &ks));
	t0 = fe_rdtsc();
	UT_OK(t, fe_thread_sleep(5000000));
	UT_EXPECT(t, fe_rdtsc() - t0 >= ks.tsc_hz / 1000 * 5);
}

static const struct ut_case cases[] = {
	{ "spawn_wait_exit_code", spawn_wait_exit_code },
	{ "kill_and_wait", kill_and_wait },
	{ "create_argument_checks", create_argument_checks },
	{ "budget_exhaustion_is_contained", budget_exhaustion_is_contained },
	{ "threads_run_by_priority", threads_run_by_priority },
	{ "yield_and_sleep", yield_and_sleep },
};
const struct ut_suite suite_process = { "process", UT_CASES(cases) };
