/* SPDX-License-Identifier: MIT */
/*
 * Resource groups (ADR 0012, ferrous/group.h): a tree whose limits nest,
 * processes and threads counted and refused past a group's limit, memory
 * shared by everything in a group, kill reaching the whole subtree, the
 * empty notification, and every charge back to zero afterwards.
 */
#include "ut.h"

#define MiB (1ULL << 20)

static fe_handle_t root_group(struct ut *t)
{
	fe_handle_t g = ut_slot(FE_START_GROUP);

	UT_EXPECT_NE(t, g, FE_HANDLE_INVALID);
	return g;
}

static struct fe_group_info info(struct ut *t, fe_handle_t g)
{
	struct fe_group_info i = { 0 };

	UT_EXPECT_OK(t, fe_group_info(g, &i));
	return i;
}

static fe_handle_t make_group(struct ut *t, fe_handle_t parent, uint64_t memory,
                              uint32_t processes, uint32_t threads, fe_handle_t empty)
{
	struct fe_group_limits lim = { .memory = memory, .processes = processes, .threads = threads };
	fe_handle_t g = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, fe_group_create(parent, &lim, empty, 3, &g));
	return g;
}

/* A child in `role` (hang, busy) in group g; it signals user0 once running,
 * if given. FE_HANDLE_INVALID if it could not start (the case has failed). */
static fe_handle_t child_in(struct ut *t, const char *role, fe_handle_t g, uint64_t budget,
                            fe_handle_t started)
{
	struct ut_child c = { .role = role, .group = g, .budget = budget, .user = { started } };
	fe_handle_t p = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, ut_spawn(&c, &p));
	return p;
}

static uint64_t wait_bits(struct ut *t, fe_handle_t n)
{
	uint64_t bits = 0;

	UT_EXPECT_OK(t, fe_notif_wait(n, 0, &bits)); /* blocking: the watchdog bounds it */
	return bits;
}

static void the_tree_and_its_checks(struct ut *t)
{
	fe_handle_t root = root_group(t), n, ro, g, deep[FE_GROUP_DEPTH_MAX + 1];
	struct fe_group_info r = info(t, root);
	struct fe_group_limits lim = { .memory = MiB };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_EXPECT_EQ(t, r.depth, 0);
	UT_EXPECT_EQ(t, r.parent_koid, 0);
	UT_EXPECT(t, r.processes >= 2); /* init and utest at least */
	UT_EXPECT(t, r.memory_used > 0 && r.memory_used <= r.limits.memory);
	/* Limits nest; bad arguments and handles are refused. */
	lim.memory = r.limits.memory + 1;
	UT_EXPECT_STATUS(t, fe_group_create(root, &lim, FE_HANDLE_INVALID, 0, &g), FE_ERR_INVALID_ARG);
	lim.memory = 0;
	UT_EXPECT_STATUS(t, fe_group_create(root, &lim, FE_HANDLE_INVALID, 0, &g), FE_ERR_INVALID_ARG);
	lim.memory = MiB;
	UT_EXPECT_STATUS(t, fe_group_create(root, &lim, n, 64, &g), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_group_create(n, &lim, FE_HANDLE_INVALID, 0, &g), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_group_create(root, &lim, root, 0, &g), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_group_create(root + (1ULL << 24), &lim, FE_HANDLE_INVALID, 0, &g),
	                 FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_group_create(root, (const void *)8, FE_HANDLE_INVALID, 0, &g),
	                 FE_ERR_FAULT);
	ro = ut_dup(t, root, FE_RIGHT_READ);
	UT_EXPECT_STATUS(t, fe_group_create(ro, &lim, FE_HANDLE_INVALID, 0, &g), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_group_kill(ro), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_group_info(n, &r), FE_ERR_WRONG_TYPE);
	ut_del(t, ro);
	/* As deep as allowed, and no deeper; each within its parent's memory. */
	deep[0] = root;
	for (unsigned d = 1; d <= FE_GROUP_DEPTH_MAX; d++) {
		deep[d] = make_group(t, deep[d - 1], MiB - d * 4096, 0, 0, FE_HANDLE_INVALID);
		struct fe_group_info i = info(t, deep[d]);
		UT_EXPECT_EQ(t, i.depth, d);
		UT_EXPECT_EQ(t, i.limits.memory, MiB - d * 4096);
		UT_EXPECT_EQ(t, i.processes, 0);
	}
	lim.memory = 4096;
	UT_EXPECT_STATUS(t, fe_group_create(deep[FE_GROUP_DEPTH_MAX], &lim, FE_HANDLE_INVALID, 0, &g),
	                 FE_ERR_NO_RESOURCES);
	lim.memory = MiB;
	UT_EXPECT_STATUS(t, fe_group_create(deep[2], &lim, FE_HANDLE_INVALID, 0, &g), FE_ERR_INVALID_ARG);
	UT_EXPECT_EQ(t, info(t, deep[1]).children, 1);
	for (unsigned d = FE_GROUP_DEPTH_MAX; d >= 1; d--)
		ut_del(t, deep[d]);
	ut_del(t, n);
}

/* A group of at most two processes refuses a third; killing it ends both,
 * signals the empty bit once they have finished, and leaves nothing
 * charged once their handles are gone. */
static void process_limit_kill_and_empty(struct ut *t)
{
	fe_handle_t n, g, p[3];
	struct fe_exit_status st;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	g = make_group(t, root_group(t), 8 * MiB, 2, 0, n);
	p[0] = child_in(t, "hang", g, 2 * MiB, FE_HANDLE_INVALID);
	p[1] = child_in(t, "hang", g, 2 * MiB, FE_HANDLE_INVALID);
	struct ut_child c = { .role = "hang", .group = g, .budget = 2 * MiB };
	UT_EXPECT_STATUS(t, ut_spawn(&c, &p[2]), FE_ERR_NO_RESOURCES);
	struct fe_group_info i = info(t, g);
	UT_EXPECT_EQ(t, i.processes, 2);
	UT_EXPECT_EQ(t, i.processes_started, 2);
	UT_EXPECT_EQ(t, i.refused, 1);
	UT_EXPECT(t, i.memory_used > 0);
	UT_EXPECT_OK(t, fe_group_kill(g));
	UT_EXPECT_EQ(t, wait_bits(t, n), 1ULL << 3);
	for (int k = 0; k < 2; k++) {
		UT_EXPECT(t, ut_reap(t, p[k], &st));
		UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	}
	i = info(t, g);
	UT_EXPECT_EQ(t, i.state, FE_GROUP_KILLED);
	UT_EXPECT_EQ(t, i.processes, 0);
	UT_EXPECT_EQ(t, i.threads, 0);
	UT_EXPECT_EQ(t, i.memory_used, 0); /* every charge back */
	UT_EXPECT(t, i.memory_peak > 0 && i.memory_peak <= 8 * MiB);
	UT_EXPECT_STATUS(t, ut_spawn(&c, &p[2]), FE_ERR_BAD_STATE); /* killed stays killed */
	ut_del(t, g);
	ut_del(t, n);
}

/* A group of one thread: its process's first thread fits, a second does not. */
static void thread_limit(struct ut *t)
{
	fe_handle_t n, g, p, th;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	g = make_group(t, root_group(t), 4 * MiB, 0, 1, FE_HANDLE_INVALID);
	p = child_in(t, "hang", g, 2 * MiB, n);
	(void)wait_bits(t, n); /* running */
	UT_EXPECT_EQ(t, info(t, g).threads, 1);
	UT_EXPECT_STATUS(t, fe_thread_create(p, FE_USER_BASE, FE_STACK_TOP - 4096, 0,
	                                     FE_PRIORITY_DEFAULT, &th),
	                 FE_ERR_NO_RESOURCES);
	UT_EXPECT_EQ(t, info(t, g).refused, 1);
	ut_stop(t, p);
	UT_EXPECT_EQ(t, info(t, g).threads, 0);
	ut_del(t, g);
	ut_del(t, n);
}

/* Memory is the group's, whatever each process's budget says: two children
 * whose budgets add up to more than the group's memory share it, and the
 * hog among them is refused within it, not within its own budget. */
static void memory_is_shared_by_the_group(struct ut *t)
{
	fe_handle_t n, g, idle, hog;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	g = make_group(t, root_group(t), 3 * MiB, 0, 0, FE_HANDLE_INVALID);
	idle = child_in(t, "hang", g, 2 * MiB, n);
	(void)wait_bits(t, n);
	uint64_t idle_used = info(t, g).memory_used;
	struct ut_child c = { .role = "hog", .group = g, .budget = 3 * MiB };
	if (UT_EXPECT_OK(t, ut_spawn(&c, &hog)))
		ut_expect_exit(t, hog, FE_EXIT_NORMAL, 0); /* it was refused, and recovered */
	struct fe_group_info i = info(t, g);
	UT_EXPECT(t, i.syscalls > 0); /* the hog's, and the idle child's */
	UT_EXPECT(t, i.memory_peak <= 3 * MiB);
	/* The hog could take only what the idle child left of the group's. */
	UT_EXPECT(t, i.memory_peak > 3 * MiB - 64 * 1024);
	UT_EXPECT(t, idle_used > 0);
	UT_EXPECT_OK(t, fe_null()); /* and the rest of the machine carries on */
	ut_stop(t, idle);
	UT_EXPECT_EQ(t, info(t, g).memory_used, 0);
	ut_del(t, g);
	ut_del(t, n);
}

/* Polls group g until its figures satisfy `done` (the watchdog bounds it). */
static struct fe_group_info poll_info(struct ut *t, fe_handle_t g,
                                      bool (*done)(const struct fe_group_info *, uint64_t),
                                      uint64_t arg)
{
	struct fe_group_info i = info(t, g);

	while (!done(&i, arg) && !ut_timed_out()) {
		UT_EXPECT_OK(t, fe_thread_sleep(1000000));
		i = info(t, g);
	}
	return i;
}

static bool all_stopped(const struct fe_group_info *i, uint64_t unused)
{
	(void)unused;
	return i->threads > 0 && i->threads_stopped == i->threads;
}

static bool calls_past(const struct fe_group_info *i, uint64_t calls)
{
	return i->syscalls > calls;
}

/* Freeze stops a busy child before it runs user code again (its system
 * calls stop), thaw lets it go on, and a frozen group can still be killed. */
static void freeze_thaw_and_kill_frozen(struct ut *t)
{
	fe_handle_t n, e, g, p;
	struct fe_exit_status st;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&e)));
	g = make_group(t, root_group(t), 4 * MiB, 0, 0, e);
	p = child_in(t, "busy", g, 2 * MiB, n);
	UT_ASSERT(t, p != FE_HANDLE_INVALID);
	(void)wait_bits(t, n); /* running */
	UT_EXPECT_STATUS(t, fe_group_freeze(g, 2), FE_ERR_INVALID_ARG);
	UT_EXPECT_OK(t, fe_group_freeze(g, 1));
	struct fe_group_info i = poll_info(t, g, all_stopped, 0);
	UT_EXPECT_EQ(t, i.threads_stopped, 1);
	UT_EXPECT(t, i.state & FE_GROUP_FROZEN);
	UT_EXPECT_OK(t, fe_thread_sleep(20000000));
	UT_EXPECT_EQ(t, info(t, g).syscalls, i.syscalls); /* held: not one call more */
	UT_EXPECT_OK(t, fe_group_freeze(g, 0));
	i = poll_info(t, g, calls_past, i.syscalls); /* going again */
	UT_EXPECT_EQ(t, i.threads_stopped, 0);
	UT_EXPECT(t, !(i.state & FE_GROUP_FROZEN));
	UT_EXPECT_OK(t, fe_group_freeze(g, 1));
	(void)poll_info(t, g, all_stopped, 0);
	UT_EXPECT_OK(t, fe_group_kill(g));
	UT_EXPECT_EQ(t, wait_bits(t, e), 1ULL << 3);
	UT_EXPECT(t, ut_reap(t, p, &st));
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	UT_EXPECT_EQ(t, info(t, g).memory_used, 0);
	ut_del(t, g);
	ut_del(t, e);
	ut_del(t, n);
}

/* A frozen group whose last capability goes thaws: nothing could thaw it
 * after, and its processes would be held for ever. */
static void last_handle_gone_thaws(struct ut *t)
{
	fe_handle_t n, g, p;
	struct fe_process_info a = { 0 }, b = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	g = make_group(t, root_group(t), 4 * MiB, 0, 0, FE_HANDLE_INVALID);
	p = child_in(t, "busy", g, 2 * MiB, n);
	UT_ASSERT(t, p != FE_HANDLE_INVALID);
	(void)wait_bits(t, n);
	fe_handle_t copy = ut_dup(t, g, FE_RIGHTS_ALL);
	UT_EXPECT_OK(t, fe_group_freeze(g, 1));
	(void)poll_info(t, g, all_stopped, 0);
	ut_del(t, g);
	UT_EXPECT(t, info(t, copy).state & FE_GROUP_FROZEN); /* a copy still names it */
	ut_del(t, copy);
	UT_EXPECT_OK(t, fe_process_info(p, &a));
	do {
		UT_EXPECT_OK(t, fe_thread_sleep(1000000));
		UT_EXPECT_OK(t, fe_process_info(p, &b));
	} while (b.syscalls == a.syscalls && !ut_timed_out());
	UT_EXPECT(t, b.syscalls > a.syscalls); /* going again */
	ut_stop(t, p);
	ut_del(t, n);
}

/* Killing a group ends its subgroups' processes too, and marks them. */
static void kill_reaches_subgroups(struct ut *t)
{
	fe_handle_t n, top, sub, a, b;
	struct fe_exit_status st;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	top = make_group(t, root_group(t), 8 * MiB, 0, 0, n);
	sub = make_group(t, top, 4 * MiB, 0, 0, FE_HANDLE_INVALID);
	a = child_in(t, "hang", top, 2 * MiB, FE_HANDLE_INVALID);
	b = child_in(t, "hang", sub, 2 * MiB, FE_HANDLE_INVALID);
	UT_EXPECT_EQ(t, info(t, top).processes, 2);
	UT_EXPECT_EQ(t, info(t, sub).processes, 1);
	UT_EXPECT_OK(t, fe_group_kill(top));
	UT_EXPECT_EQ(t, wait_bits(t, n), 1ULL << 3);
	UT_EXPECT(t, ut_reap(t, a, &st));
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	UT_EXPECT(t, ut_reap(t, b, &st));
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	UT_EXPECT_EQ(t, info(t, sub).state, FE_GROUP_KILLED);
	UT_EXPECT_EQ(t, info(t, sub).memory_used, 0);
	ut_del(t, sub);
	UT_EXPECT_EQ(t, info(t, top).children, 0);
	UT_EXPECT_EQ(t, info(t, top).memory_used, 0); /* the subgroup's own record went too */
	ut_del(t, top);
	ut_del(t, n);
}

UT_SUITE(group,
	UT_CASE(the_tree_and_its_checks),
	UT_CASE(process_limit_kill_and_empty),
	UT_CASE(thread_limit),
	UT_CASE(memory_is_shared_by_the_group),
	UT_CASE(kill_reaches_subgroups),
	UT_CASE(freeze_thaw_and_kill_frozen),
	UT_CASE(last_handle_gone_thaws));
