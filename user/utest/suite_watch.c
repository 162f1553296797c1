/* SPDX-License-Identifier: MIT */
/*
 * The watch suite: FE_SYS_PROCESS_WATCH, how a supervisor learns that a
 * service died without polling and without a thread per service. A watch
 * signals a notification bit once the process has finished (exit, kill or
 * fault), at once if it already has; the status is then read without
 * blocking. A watch is charged to its maker and ends, unfired, when its
 * maker ends or a capability it was made through is revoked
 * (kernel/object/watch.h).
 */
#include "ut.h"

static uint64_t budget_used(void)
{
	struct fe_process_info pi = { 0 };

	(void)fe_process_info(fe_self, &pi);
	return pi.budget_used;
}

static bool kernel_stats(struct fe_kernel_stats *ks)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	return tr != FE_HANDLE_INVALID && fe_kernel_stats(tr, ks) == FE_OK;
}

/* The bits pending on n, without waiting (0 if none). */
static uint64_t pending(fe_handle_t n)
{
	uint64_t bits = 0;

	return fe_notif_wait(n, FE_NONBLOCK, &bits) == FE_OK ? bits : 0;
}

/* Starts a child in `role` (arg may be NULL) and watches it on bit `bit` of
 * a new notification *n. A hanging child first signals *n once started, and
 * is waited for: its start-up allocations (charged to our budget, as its
 * parent) are then over before a case counts what a watch costs. */
static bool watch_child(struct ut *t, const char *role, const char *arg, unsigned bit,
                        fe_handle_t *p, fe_handle_t *n)
{
	struct ut_child c = { .role = role, .arg = arg };
	bool hangs = strcmp(role, "hang") == 0;
	uint64_t bits = 0;

	if (!UT_EXPECT_OK(t, fe_notif_create(n)))
		return false;
	if (hangs)
		c.user[0] = ut_dup(t, *n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	fe_status_t st = ut_spawn(&c, p);
	if (hangs) {
		ut_del(t, c.user[0]); /* the child has its own copy */
		if (st == FE_OK)
			UT_EXPECT_OK(t, fe_notif_wait(*n, 0, &bits));
	}
	if (!UT_EXPECT_OK(t, st)) {
		ut_del(t, *n);
		return false;
	}
	return UT_EXPECT_OK(t, fe_process_watch(*p, *n, bit));
}

/* Blocks on n until `bit` arrives (the watchdog kills the child if it never
 * does, which fires the watch too), then reads the status without blocking. */
static void expect_fired(struct ut *t, fe_handle_t p, fe_handle_t n, unsigned bit,
                         struct fe_exit_status *st)
{
	uint64_t bits = 0;

	UT_EXPECT_OK(t, fe_notif_wait(n, 0, &bits));
	UT_EXPECT_EQ(t, bits, 1ULL << bit);
	UT_EXPECT_OK(t, fe_process_wait(p, st, FE_NONBLOCK));
}

static void watch_reports_exit_kill_and_fault(struct ut *t)
{
	struct fe_exit_status st = { 0 };
	fe_handle_t p, n;

	if (watch_child(t, "exit", "7", 3, &p, &n)) {
		expect_fired(t, p, n, 3, &st);
		UT_EXPECT_EQ(t, st.reason, FE_EXIT_NORMAL);
		UT_EXPECT_EQ(t, st.code, 7);
		ut_unwatch(p);
		ut_del(t, p);
		ut_del(t, n);
	}
	if (watch_child(t, "hang", NULL, 63, &p, &n)) {
		UT_EXPECT_EQ(t, pending(n), 0); /* alive: nothing fired */
		UT_EXPECT_OK(t, fe_process_kill(p));
		expect_fired(t, p, n, 63, &st);
		UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
		ut_unwatch(p);
		ut_del(t, p);
		ut_del(t, n);
	}
	if (watch_child(t, "fault", "null-read", 0, &p, &n)) {
		expect_fired(t, p, n, 0, &st);
		UT_EXPECT_EQ(t, st.reason, FE_EXIT_FAULT);
		UT_EXPECT_EQ(t, st.vector, 14);
		UT_EXPECT_EQ(t, st.address, 8);
		ut_unwatch(p);
		ut_del(t, p);
		ut_del(t, n);
	}
}

static void watch_of_a_finished_process_fires_at_once(struct ut *t)
{
	struct ut_child c = { .role = "exit", .arg = "0" };
	struct fe_exit_status st;
	fe_handle_t p, n;
	uint64_t before = budget_used();

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	UT_EXPECT_OK(t, ut_wait(p, &st));
	uint64_t used = budget_used();
	UT_EXPECT_OK(t, fe_process_watch(p, n, 5));
	UT_EXPECT_EQ(t, pending(n), 1ULL << 5);
	UT_EXPECT_EQ(t, budget_used(), used); /* nothing was kept for it */
	ut_unwatch(p);
	ut_del(t, p);
	ut_del(t, n);
	UT_EXPECT_EQ(t, budget_used(), before);
}

/* Every refusal, through the raw call (all 64 bits of each argument), and
 * none leaves a watch behind: the process's end then signals nothing. The
 * process runs nothing (no thread), so nothing it does moves the budget
 * this checks: a child's charges count toward its parent's too. */
static void watch_checks_rights_and_arguments(struct ut *t)
{
	struct fe_exit_status st;
	fe_handle_t p, n, v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("watched", 7, 1 << 20, &p)));
	fe_handle_t p_nowait = ut_dup(t, p, FE_RIGHTS_ALL & ~FE_RIGHT_WAIT);
	fe_handle_t n_nosignal = ut_dup(t, n, FE_RIGHTS_ALL & ~FE_RIGHT_SIGNAL);
	uint64_t before = budget_used();

	UT_EXPECT_STATUS(t, fe_process_watch(p_nowait, n, 0), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_process_watch(p, n_nosignal, 0), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_process_watch(p, n, 64), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, (fe_status_t)fe_syscall6(FE_SYS_PROCESS_WATCH, p, n, 1ULL << 32, 0, 0, 0),
	                 FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, (fe_status_t)fe_syscall6(FE_SYS_PROCESS_WATCH, p, n, ~0ULL, 0, 0, 0),
	                 FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_process_watch(n, n, 0), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_process_watch(p, v, 0), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_process_watch(p + (1ULL << 24), n, 0), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_process_watch(p, 0x123456789ULL, 0), FE_ERR_BAD_HANDLE);
	UT_EXPECT_EQ(t, budget_used(), before);
	UT_EXPECT_OK(t, fe_process_kill(p));
	UT_EXPECT_OK(t, fe_process_wait(p, &st, 0));
	UT_EXPECT_EQ(t, pending(n), 0);
	ut_del(t, p_nowait);
	ut_del(t, n_nosignal);
	ut_del(t, p);
	ut_del(t, n);
	ut_del(t, v);
}

/* Two watches on one process: two bits of one notification and a second
 * notification; each is charged while armed and given back once fired. */
static void every_watch_fires_once(struct ut *t)
{
	fe_handle_t p, n, n2;
	struct fe_exit_status st;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n2)));
	uint64_t before = budget_used();
	if (!watch_child(t, "hang", NULL, 1, &p, &n)) {
		ut_del(t, n2);
		return;
	}
	UT_EXPECT_OK(t, fe_process_watch(p, n, 2));
	UT_EXPECT_OK(t, fe_process_watch(p, n2, 9));
	UT_EXPECT_GT(t, budget_used(), before);
	UT_EXPECT_OK(t, fe_process_kill(p));
	UT_EXPECT_OK(t, ut_wait(p, &st));
	UT_EXPECT_OK(t, fe_notif_wait(n2, 0, &bits));
	UT_EXPECT_EQ(t, bits, 1ULL << 9);
	UT_EXPECT_EQ(t, pending(n), (1ULL << 1) | (1ULL << 2));
	UT_EXPECT_EQ(t, pending(n), 0); /* once */
	ut_unwatch(p);
	ut_del(t, p);
	ut_del(t, n);
	UT_EXPECT_EQ(t, budget_used(), before); /* the child's and the watches' charges are back */
	ut_del(t, n2);
}

/* USER0: a process it may wait on; USER1: a notification it may signal.
 * Watches the one on the other and exits: the watch must end with it. */
int ut_role_watcher(void)
{
	fe_status_t st = fe_process_watch(ut_slot(FE_START_USER0), ut_slot(FE_START_USER0 + 1), 4);

	return st == FE_OK ? 0 : 10 - st;
}

/* A watch dies with its maker: once the watcher has exited, the watched
 * process's end signals nothing, and every object and byte is back. */
static void watch_ends_with_its_maker(struct ut *t)
{
	struct ut_child w = { .role = "watcher" }, h = { .role = "hang" };
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };
	struct fe_exit_status st;
	fe_handle_t hp, wp, n;

	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	/* The hanging child signals n once started: its start-up (runtime,
	 * heap) must not fall between the two counts. */
	h.user[0] = ut_dup(t, n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&h, &hp)));
	UT_EXPECT_OK(t, fe_notif_wait(n, 0, &bits));
	w.user[0] = ut_dup(t, hp, FE_RIGHT_WAIT | FE_RIGHT_TRANSFER);
	w.user[1] = ut_dup(t, n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	bool stats = kernel_stats(&ka);
	if (UT_EXPECT_OK(t, ut_spawn(&w, &wp)))
		ut_expect_exit(t, wp, FE_EXIT_NORMAL, 0);
	if (stats && UT_EXPECT(t, kernel_stats(&kb))) {
		UT_EXPECT_EQ(t, kb.objects, ka.objects);
		UT_EXPECT_EQ(t, kb.kheap_objects, ka.kheap_objects);
	}
	UT_EXPECT_OK(t, fe_process_kill(hp));
	UT_EXPECT_OK(t, ut_wait(hp, &st));
	UT_EXPECT_EQ(t, pending(n), 0);
	ut_unwatch(hp);
	ut_del(t, w.user[0]);
	ut_del(t, w.user[1]);
	ut_del(t, h.user[0]);
	ut_del(t, hp);
	ut_del(t, n);
}

/* Revoking either capability a watch was made through ends it (ADR 0009):
 * the charge returns at once and the process's end signals nothing. */
static void revoke_ends_a_watch(struct ut *t)
{
	for (unsigned which = 0; which < 2; which++) {
		struct fe_exit_status st;
		fe_handle_t p, n;
		uint64_t removed = 0, before = budget_used();

		if (!watch_child(t, "hang", NULL, 0, &p, &n))
			return;
		/* The second watch is made through copies; revoking `base`
		 * removes one of them (and nothing else: p's own copies, such as
		 * the child's handle to itself, stay). */
		fe_handle_t base = ut_dup(t, which == 0 ? p : n, FE_RIGHTS_ALL);
		fe_handle_t pc = ut_dup(t, which == 0 ? base : p, FE_RIGHT_WAIT);
		fe_handle_t nc = ut_dup(t, which == 0 ? n : base, FE_RIGHT_SIGNAL);
		uint64_t armed = budget_used();
		UT_EXPECT_OK(t, fe_process_watch(pc, nc, 1));
		UT_EXPECT_GT(t, budget_used(), armed);
		UT_EXPECT_OK(t, fe_handle_revoke(base, &removed));
		UT_EXPECT_EQ(t, removed, 1);
		UT_EXPECT_EQ(t, budget_used(), armed); /* the watch is gone at once */
		UT_EXPECT_OK(t, fe_handle_delete(which == 0 ? nc : pc));
		ut_del(t, base);
		UT_EXPECT_OK(t, fe_process_kill(p));
		UT_EXPECT_OK(t, ut_wait(p, &st));
		UT_EXPECT_EQ(t, pending(n), 1ULL << 0); /* the first watch only */
		ut_unwatch(p);
		ut_del(t, p);
		ut_del(t, n);
		UT_EXPECT_EQ(t, budget_used(), before);
	}
}

UT_SUITE(watch,
	UT_CASE(watch_reports_exit_kill_and_fault),
	UT_CASE(watch_of_a_finished_process_fires_at_once),
	UT_CASE(watch_checks_rights_and_arguments),
	UT_CASE(every_watch_fires_once),
	UT_CASE(watch_ends_with_its_maker),
	UT_CASE(revoke_ends_a_watch));
