/* SPDX-License-Identifier: MIT */
/*
 * A small KTAP test framework for user space, printing the same format as
 * the kernel's ktest (one subtest per suite, one line per case), so the host
 * runner (tools/ktap.py) counts every case.
 */
#ifndef UTEST_UT_H
#define UTEST_UT_H

#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

struct ut {
	int failed;
};

struct ut_case {
	const char *name;
	void (*fn)(struct ut *t);
};

struct ut_suite {
	const char *name;
	const struct ut_case *cases;
	unsigned ncases;
};

void ut_fail(struct ut *t, const char *file, int line, const char *what, long long got,
             long long want);

#define UT_EXPECT(t, cond) \
	do { if (!(cond)) ut_fail((t), __FILE__, __LINE__, #cond, 0, 0); } while (0)
#define UT_EXPECT_ST(t, expr, want) \
	do { long long got_ = (long long)(expr); \
	     if (got_ != (long long)(want)) ut_fail((t), __FILE__, __LINE__, #expr, got_, (want)); \
	} while (0)
#define UT_OK(t, expr) UT_EXPECT_ST(t, expr, FE_OK)
#define UT_CASES(arr) (arr), (unsigned)(sizeof(arr) / sizeof((arr)[0]))

/* Helpers shared by the suites (helpers.c). */
/* Spawns this program with `role` (and optional arg) and the given handles
 * in FE_START_ENDPOINT and FE_START_USER0. */
fe_status_t ut_spawn_role(const char *role, const char *arg, fe_handle_t ep, fe_handle_t user0,
                          uint64_t budget, fe_handle_t *proc);
/* Waits for a child for at most ~5 s of polling, then kills it. */
fe_status_t ut_wait(fe_handle_t proc, struct fe_exit_status *st);
int ut_run_role(const char *role, const char *arg);

extern const struct ut_suite suite_handles, suite_memory, suite_process, suite_ipc,
	suite_notify, suite_devices;

#endif /* UTEST_UT_H */
