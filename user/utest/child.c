/* SPDX-License-Identifier: MIT */
/* The parent's side of child processes: start, wait (bounded), check, stop. */
#include "ut.h"

#define POLL_NS 1000000ULL /* 1 ms */
#define CHILD_POLLS 20000u /* in a child, which has no watchdog: at least 20 s */

fe_handle_t ut_slot(unsigned slot)
{
	return fe_start_handle(slot);
}

uint32_t ut_cpu_count(void)
{
	struct fe_kernel_stats ks = { 0 };
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	if (tr == FE_HANDLE_INVALID || fe_kernel_stats(tr, &ks) != FE_OK)
		return 1;
	return (uint32_t)ks.cpus;
}

fe_handle_t ut_dup(struct ut *t, fe_handle_t h, uint32_t rights)
{
	fe_handle_t d = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, fe_handle_dup(h, rights, 0, &d));
	return d;
}

void ut_del(struct ut *t, fe_handle_t h)
{
	UT_EXPECT_OK(t, fe_handle_delete(h));
}

uint64_t ut_poll(volatile uint64_t *flag)
{
	bool bounded = ut_watchdog_thread == FE_HANDLE_INVALID;

	for (unsigned i = 0; *flag == 0 && !ut_timed_out() && (!bounded || i < CHILD_POLLS); i++)
		if (fe_thread_sleep(POLL_NS) != FE_OK)
			break;
	return *flag;
}

fe_status_t ut_spawn_args(const struct fe_spawn_args *a, fe_handle_t *proc)
{
	fe_status_t st = fe_spawn(a, proc);

	if (st == FE_OK && !ut_watch(*proc)) {
		(void)fe_process_kill(*proc);
		(void)fe_handle_delete(*proc);
		return FE_ERR_NO_RESOURCES;
	}
	return st;
}

fe_status_t ut_spawn(const struct ut_child *c, fe_handle_t *proc)
{
	char role[40];
	const char *argv[] = { "utest", role, c->arg, NULL };
	struct fe_spawn_args a = { .path = "utest", .argv = argv, .budget = c->budget,
	                           .priority = c->priority, .group = c->group };

	snprintf(role, sizeof(role), "role=%s", c->role);
	a.handles[FE_START_CONSOLE] = fe_console;
	a.handles[FE_START_ENDPOINT] = c->ep;
	for (unsigned i = 0; i < UT_USER_SLOTS; i++)
		a.handles[FE_START_USER0 + i] = c->user[i];
	return ut_spawn_args(&a, proc);
}

/*
 * Blocks until proc ends: the watchdog kills a child that makes no progress,
 * which ends this wait too (then FE_ERR_TIMED_OUT, with *st filled).
 */
fe_status_t ut_wait(fe_handle_t proc, struct fe_exit_status *st)
{
	fe_status_t s = fe_process_wait(proc, st, 0);

	return s == FE_OK && ut_timed_out() ? FE_ERR_TIMED_OUT : s;
}

static const char *reason_name(uint32_t r)
{
	static const char *const names[] = { "running", "exited", "killed", "faulted",
		                             "ended by a DMA fault" };
	return r < ARRAY_SIZE(names) ? names[r] : "?";
}

bool ut_reap(struct ut *t, fe_handle_t proc, struct fe_exit_status *st)
{
	fe_status_t s = ut_wait(proc, st);

	ut_unwatch(proc);
	UT_EXPECT_OK(t, s);
	UT_EXPECT_OK(t, fe_handle_delete(proc));
	return s == FE_OK;
}

void ut_expect_exit(struct ut *t, fe_handle_t proc, uint32_t reason, int64_t code)
{
	struct fe_exit_status st;

	if (!ut_reap(t, proc, &st))
		return;
	UT_EXPECT_MSG(t, st.reason == reason, "child %s, expected it %s", reason_name(st.reason),
	              reason_name(reason));
	if (st.reason == FE_EXIT_FAULT && reason != FE_EXIT_FAULT)
		ut_note(t, "child faulted: vector %u, address %#llx, rip %#llx", st.vector,
		        (unsigned long long)st.address, (unsigned long long)st.rip);
	if (reason == FE_EXIT_NORMAL)
		UT_EXPECT_EQ(t, st.code, code);
}

void ut_expect_fault(struct ut *t, fe_handle_t proc, uint32_t vector, uint64_t addr,
                     struct fe_exit_status *out)
{
	struct fe_exit_status st;

	if (!ut_reap(t, proc, &st))
		return;
	UT_EXPECT_MSG(t, st.reason == FE_EXIT_FAULT, "child %s (code %lld), expected a fault",
	              reason_name(st.reason), (long long)st.code);
	UT_EXPECT_EQ(t, st.vector, vector);
	if (addr != UT_ANY_ADDR)
		UT_EXPECT_EQ(t, st.address, addr);
	if (out)
		*out = st;
}

void ut_stop(struct ut *t, fe_handle_t proc)
{
	struct fe_exit_status st;
	fe_status_t s = fe_process_kill(proc);

	UT_EXPECT(t, s == FE_OK || s == FE_ERR_BAD_STATE); /* BAD_STATE: it had ended */
	UT_EXPECT_OK(t, fe_process_wait(proc, &st, 0));
	ut_unwatch(proc);
	UT_EXPECT_OK(t, fe_handle_delete(proc));
}

void ut_expect_refused_driver(struct ut *t, fe_handle_t driver)
{
	struct fe_exit_status st;

	UT_EXPECT_OK(t, ut_wait(driver, &st));
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_NORMAL);
	UT_EXPECT_NE(t, st.code, 0); /* "cannot start": the device is busy */
	ut_unwatch(driver);
	ut_del(t, driver);
}
