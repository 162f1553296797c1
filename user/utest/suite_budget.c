/* SPDX-License-Identifier: MIT */
/*
 * Budgets: the kernel memory a process (and its descendants) may use.
 * Running out is an error for that process only; the kernel goes on, and
 * everything comes back when the process ends.
 */
#include "ut.h"

#define HOG_BUDGET (1ULL << 20)
#define HOG_MAX 200000u      /* a budget that never runs out fails the hog */
#define HOG_VMOS_MAX 1024u   /* 4 MiB of pages: more than HOG_BUDGET */
#define FRAMES_SLACK 16u     /* "within a few pages" */

/* ---- the child: `utest role=hog` ---- */

/* One-page VMOs whose page exists (written once) until the budget runs out;
 * all deleted again. Returns the status that stopped it. */
static fe_status_t fill_vmos(uint64_t *n)
{
	static fe_handle_t vmos[HOG_VMOS_MAX];
	uint64_t one = 1;
	fe_status_t st = FE_OK;

	for (*n = 0; *n < HOG_VMOS_MAX && st == FE_OK; (*n)++) {
		if ((st = fe_vmo_create(PAGE, &vmos[*n])) != FE_OK)
			break;
		if ((st = fe_vmo_write(vmos[*n], 0, &one, sizeof(one))) != FE_OK)
			break;
	}
	for (uint64_t i = 0; i < *n; i++)
		if (fe_handle_delete(vmos[i]) != FE_OK)
			return FE_ERR_BAD_STATE;
	if (st != FE_OK && *n < HOG_VMOS_MAX && vmos[*n] != FE_HANDLE_INVALID)
		(void)fe_handle_delete(vmos[*n]); /* created, but its page was refused */
	return *n == HOG_VMOS_MAX ? FE_ERR_BUSY : st;
}

/* Endpoints until the budget runs out (kept); returns the status that stopped it. */
static fe_status_t fill_endpoints(uint64_t *n, fe_handle_t *last)
{
	fe_status_t st = FE_OK;

	for (*n = 0; *n < HOG_MAX && (st = fe_endpoint_create(last)) == FE_OK;)
		(*n)++;
	return *n == HOG_MAX ? FE_ERR_BUSY : st;
}

int ut_role_hog(void)
{
	struct fe_process_info pi = { 0 };
	fe_handle_t last = FE_HANDLE_INVALID, p;
	uint64_t eps = 0, vmos = 0;
	fe_status_t st = fill_vmos(&vmos);

	printf("    # hog: %llu memory objects, then %s\n", (unsigned long long)vmos,
	       fe_status_name(st));
	if (st != FE_ERR_NO_MEMORY || vmos == 0)
		return 10;
	st = fill_endpoints(&eps, &last); /* the pages given back are usable again */
	printf("    # hog: %llu endpoints, then %s\n", (unsigned long long)eps, fe_status_name(st));
	if (st != FE_ERR_NO_MEMORY || eps == 0)
		return 11;
	if (fe_handle_delete(last) != FE_OK || fe_endpoint_create(&last) != FE_OK)
		return 12; /* what one delete gave back is usable again */
	if (fe_process_info(fe_self, &pi) != FE_OK || pi.budget_used > pi.budget_limit)
		return 13;
	if (fe_process_create("g", 1, pi.budget_limit + PAGE, &p) != FE_ERR_INVALID_ARG)
		return 14;
	return 0;
}

/* ---- the parent ---- */

static bool kernel_stats(struct ut *t, struct fe_kernel_stats *ks)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	return tr != FE_HANDLE_INVALID && UT_EXPECT_OK(t, fe_kernel_stats(tr, ks));
}

static void run_role(struct ut *t, const char *role, const char *arg, uint64_t budget)
{
	struct ut_child c = { .role = role, .arg = arg, .budget = budget };
	fe_handle_t p;

	if (UT_EXPECT_OK(t, ut_spawn(&c, &p)))
		ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
}

/* Frames freed when a process ends may be returned a moment later. */
static void expect_frames_back(struct ut *t, const struct fe_kernel_stats *before)
{
	struct fe_kernel_stats after = { 0 };

	for (unsigned i = 0; i < 100; i++) {
		if (!kernel_stats(t, &after) ||
		    after.frames_free + FRAMES_SLACK >= before->frames_free)
			break;
		UT_EXPECT_OK(t, fe_thread_sleep(10000000));
	}
	UT_EXPECT_MSG(t, after.frames_free + FRAMES_SLACK >= before->frames_free,
		      "frames free: %llu before, %llu after",
		      (unsigned long long)before->frames_free,
		      (unsigned long long)after.frames_free);
	UT_EXPECT_EQ(t, after.processes, before->processes);
}

static void budget_exhaustion_is_contained(struct ut *t)
{
	struct fe_kernel_stats before = { 0 };
	fe_handle_t e;

	run_role(t, "exit", "0", 0); /* warm up: whatever a spawn leaves in this process */
	bool have_stats = kernel_stats(t, &before);
	run_role(t, "hog", NULL, HOG_BUDGET);
	UT_EXPECT_OK(t, fe_null()); /* the kernel is still here, and still has memory */
	UT_EXPECT_OK(t, fe_endpoint_create(&e));
	ut_del(t, e);
	if (have_stats)
		expect_frames_back(t, &before);
	else
		ut_note(t, "no trace capability: frames not checked");
}

static void budget_used_follows_objects(struct ut *t)
{
	struct fe_process_info a = { 0 }, b = { 0 }, c = { 0 };
	fe_handle_t eps[64];

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_info(fe_self, &a)));
	for (size_t i = 0; i < ARRAY_SIZE(eps); i++)
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&eps[i])));
	UT_EXPECT_OK(t, fe_process_info(fe_self, &b));
	for (size_t i = 0; i < ARRAY_SIZE(eps); i++)
		ut_del(t, eps[i]);
	UT_EXPECT_OK(t, fe_process_info(fe_self, &c));
	UT_EXPECT_GT(t, b.budget_used, a.budget_used);
	UT_EXPECT_LT(t, c.budget_used, b.budget_used);
	UT_EXPECT_LE(t, b.budget_used, b.budget_limit);
}

/* A program that does not fit its budget is not started, and leaves nothing. */
static void spawn_beyond_budget_fails_cleanly(struct ut *t)
{
	const char *argv[] = { "hello", NULL };
	struct fe_spawn_args a = { .path = "hello", .argv = argv, .budget = PAGE };
	struct fe_kernel_stats before = { 0 }, after = { 0 };
	struct fe_process_info pa = { 0 }, pb = { 0 };
	fe_handle_t p = FE_HANDLE_INVALID;

	bool have_stats = kernel_stats(t, &before);
	UT_EXPECT_OK(t, fe_process_info(fe_self, &pa));
	UT_EXPECT_STATUS(t, ut_spawn_args(&a, &p), FE_ERR_NO_MEMORY);
	UT_EXPECT_EQ(t, p, FE_HANDLE_INVALID);
	UT_EXPECT_OK(t, fe_process_info(fe_self, &pb));
	UT_EXPECT_EQ(t, pb.handles, pa.handles);
	if (have_stats && kernel_stats(t, &after))
		UT_EXPECT_EQ(t, after.processes, before.processes);
}

UT_SUITE(budget,
	UT_CASE(budget_exhaustion_is_contained),
	UT_CASE(budget_used_follows_objects),
	UT_CASE(spawn_beyond_budget_fails_cleanly));
