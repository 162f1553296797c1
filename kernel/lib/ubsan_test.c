/* SPDX-License-Identifier: MIT */
/*
 * The ubsan suite: undefined behaviour and stack smashing are caught and
 * reported with the source location (debug builds run with the UBSan runtime
 * in kernel/lib/ubsan.c and -fstack-protector-strong).
 */
#include "core/fault_catch.h"
#include "lib/string.h"
#include "test/ktest.h"

/* Values come through volatile so the compiler cannot fold the UB away. */
static volatile int int_max = 0x7fffffff;
static volatile int shift_by = 40;
static volatile int index_of = 9;

static void expect_ubsan(struct ktest *t, const struct fault_catch *fc, const char *what)
{
	KT_EXPECT(t, fc->fired);
	KT_EXPECT_EQ(t, fc->kind, FAULT_KIND_UBSAN);
	KT_EXPECT_MSG(t, strncmp(fc->detail, what, strlen(what)) == 0, "detail '%s'", fc->detail);
	/* The report names this file. */
	KT_EXPECT_MSG(t, strstr(fc->detail, "kernel/lib/ubsan_test.c:") != NULL, "detail '%s'",
	              fc->detail);
}

static void signed_overflow_is_caught(struct ktest *t)
{
	struct fault_catch fc;
	volatile int r = 0;

	if (FAULT_CATCH(&fc) == 0) {
		r = int_max + 1;
		fault_catch_disarm();
	}
	(void)r;
	expect_ubsan(t, &fc, "UBSan: signed addition overflow");
}

static void oversized_shift_is_caught(struct ktest *t)
{
	struct fault_catch fc;
	volatile unsigned r = 0;

	if (FAULT_CATCH(&fc) == 0) {
		r = 1u << shift_by;
		fault_catch_disarm();
	}
	(void)r;
	expect_ubsan(t, &fc, "UBSan: shift out of bounds");
}

static void array_overrun_is_caught(struct ktest *t)
{
	struct fault_catch fc;
	int arr[8] = { 0 };
	volatile int r = 0;

	if (FAULT_CATCH(&fc) == 0) {
		r = arr[index_of]; // NOLINT(clang-analyzer-core.uninitialized.Assign): the bug under test
		fault_catch_disarm();
	}
	(void)r;
	expect_ubsan(t, &fc, "UBSan: array index out of bounds");
}

static void misaligned_access_is_caught(struct ktest *t)
{
	struct fault_catch fc;
	uint64_t words[2] = { 0, 0 };
	volatile uint64_t r = 0;

	if (FAULT_CATCH(&fc) == 0) {
		const uint64_t *p = (const uint64_t *)(const void *)((const char *)words + 3);
		r = *p; // NOLINT(clang-analyzer-core.uninitialized.Assign): the bug under test
		fault_catch_disarm();
	}
	(void)r;
	expect_ubsan(t, &fc, "UBSan: misaligned pointer use");
}

/* Overruns its own buffer through a pointer the compiler cannot see through. */
__attribute__((noinline)) static void smash_stack(volatile size_t n)
{
	char buf[16];
	char *volatile p = buf;

	memset(p, 0x41, n);
}

static void stack_smash_is_caught(struct ktest *t)
{
	struct fault_catch fc;

	if (FAULT_CATCH(&fc) == 0) {
		smash_stack(40);
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.kind, FAULT_KIND_STACK_PROTECTOR);
}

KTEST_SUITE(ubsan,
	KTEST_CASE(signed_overflow_is_caught),
	KTEST_CASE(oversized_shift_is_caught),
	KTEST_CASE(array_overrun_is_caught),
	KTEST_CASE(misaligned_access_is_caught),
	KTEST_CASE(stack_smash_is_caught));
