/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests, KUnit style: a test case is a plain function taking a
 * struct ktest; cases are grouped in suites registered in the .ktest_suites
 * linker section; results are printed as KTAP (the Linux kernel's test output
 * format) on the console, where tools/testrun.py reads them.
 *
 *	static void buddy_alloc_aligns(struct ktest *t)
 *	{
 *		KT_EXPECT_EQ(t, pa % 4096, 0);
 *	}
 *	KTEST_SUITE(frame, KTEST_CASE(buddy_alloc_aligns));
 *
 * KT_EXPECT_* record a failure and go on; KT_ASSERT_* also end the case.
 * A fault inside a case fails that case and the run goes on.
 * Only debug builds contain tests.
 */
#ifndef FERROUS_TEST_KTEST_H
#define FERROUS_TEST_KTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct ktest {
	const char *name;
	bool failed;
	unsigned checks;
	const char *skip_reason; /* set by ktest_skip */
};

struct ktest_case {
	const char *name;
	void (*fn)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	size_t ncases;
};

#define KTEST_CASE(fn) { #fn, fn }
#define KTEST_SUITE(sname, ...)                                                             \
	static const struct ktest_case sname##_ktest_cases[] = { __VA_ARGS__ };              \
	static const struct ktest_suite sname##_ktest_suite                                 \
		__attribute__((used, section(".ktest_suites"), aligned(8))) = {              \
			#sname, sname##_ktest_cases, ARRAY_SIZE(sname##_ktest_cases)         \
		}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...) PRINTF_LIKE(4, 5);
/* Marks the case skipped ("ok N name # SKIP reason"); the case should return. */
void ktest_skip(struct ktest *t, const char *reason);
/* A diagnostic line in the KTAP output ("# ..."). */
void ktest_note(struct ktest *t, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define KT_EXPECT_MSG(t, cond, ...)                                        \
	({                                                                 \
		(t)->checks++;                                             \
		bool _ok = (cond);                                         \
		if (!_ok)                                                  \
			ktest_fail(t, __FILE__, __LINE__, __VA_ARGS__);     \
		_ok;                                                       \
	})

#define KT_EXPECT(t, cond) KT_EXPECT_MSG(t, cond, "expected %s", #cond)

#define KT_EXPECT_CMP(t, a, op, b)                                                           \
	({                                                                                   \
		unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
		KT_EXPECT_MSG(t, _a op _b, "expected %s %s %s: got %#llx, %#llx", #a, #op, #b, _a, _b); \
	})
#define KT_EXPECT_EQ(t, a, b) KT_EXPECT_CMP(t, a, ==, b)
#define KT_EXPECT_NE(t, a, b) KT_EXPECT_CMP(t, a, !=, b)
#define KT_EXPECT_LT(t, a, b) KT_EXPECT_CMP(t, a, <, b)
#define KT_EXPECT_LE(t, a, b) KT_EXPECT_CMP(t, a, <=, b)
#define KT_EXPECT_GT(t, a, b) KT_EXPECT_CMP(t, a, >, b)
#define KT_EXPECT_GE(t, a, b) KT_EXPECT_CMP(t, a, >=, b)

/* Status checks print the status names. */
#define KT_EXPECT_STATUS(t, got, want)                                                      \
	({                                                                                  \
		fe_status_t _g = (got), _w = (want);                                        \
		KT_EXPECT_MSG(t, _g == _w, "%s: got %s, want %s", #got, fe_status_name(_g), \
		              fe_status_name(_w));                                          \
	})
#define KT_EXPECT_OK(t, got) KT_EXPECT_STATUS(t, got, FE_OK)

#define KT_ASSERT(t, expect)  \
	do {                  \
		if (!(expect)) \
			return; \
	} while (0)

/* Runs the suites named in spec ("all", or a comma-separated list) and
 * prints KTAP. Returns the number of failed cases (unknown names count).
 * Release kernels have no suites: they say so and count one failure. */
unsigned ktest_run(const char *spec);
/* Panics from a recognisable function (the panic test's backtrace names it). */
NORETURN void ktest_deliberate_panic(void);
/* Takes an uncaught page fault at a recognisable address and function. */
NORETURN void ktest_deliberate_fault(void);

#endif /* FERROUS_TEST_KTEST_H */
