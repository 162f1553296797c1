/* SPDX-License-Identifier: MIT */
/* The ksyms suite: the kernel names its own functions, for backtraces. */
#include "core/backtrace.h"
#include "core/kernel.h"
#include "core/ksyms.h"
#include "lib/string.h"
#include "test/ktest.h"

static void names_a_function(struct ktest *t)
{
	char name[64];
	uint64_t off = 99;
	uint64_t addr = (uint64_t)(uintptr_t)kernel_main;

	KT_ASSERT(t, KT_EXPECT_OK(t, ksyms_lookup(addr + 5, name, sizeof(name), &off)));
	KT_EXPECT_MSG(t, strcmp(name, "kernel_main") == 0, "got '%s'", name);
	KT_EXPECT_EQ(t, off, 5);
	KT_EXPECT_OK(t, ksyms_address("kernel_main", &off));
	KT_EXPECT_EQ(t, off, addr);
	KT_EXPECT_STATUS(t, ksyms_lookup(0x1000, name, sizeof(name), &off), FE_ERR_NOT_FOUND);
	KT_EXPECT_STATUS(t, ksyms_address("no_such_symbol_anywhere", &off), FE_ERR_NOT_FOUND);
}

__attribute__((noinline)) static size_t walk_from_here(uint64_t *pcs, size_t max)
{
	return arch_backtrace_walk((uint64_t)(uintptr_t)__builtin_frame_address(0), pcs, max);
}

__attribute__((noinline)) static size_t ksyms_test_outer(uint64_t *pcs, size_t max)
{
	size_t n = walk_from_here(pcs, max);
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* keep this frame: no tail call */
	return n;
}

/* A backtrace from two calls deep names both callers, innermost first. */
static void backtrace_names_callers(struct ktest *t)
{
	uint64_t pcs[BACKTRACE_MAX];
	char name[64];
	uint64_t off;
	size_t n = ksyms_test_outer(pcs, BACKTRACE_MAX);

	KT_ASSERT(t, KT_EXPECT_GE(t, n, 3));
	KT_ASSERT(t, KT_EXPECT_OK(t, ksyms_lookup(pcs[0] - 1, name, sizeof(name), &off)));
	KT_EXPECT_MSG(t, strcmp(name, "ksyms_test_outer") == 0, "frame 0 is '%s'", name);
	KT_ASSERT(t, KT_EXPECT_OK(t, ksyms_lookup(pcs[1] - 1, name, sizeof(name), &off)));
	KT_EXPECT_MSG(t, strcmp(name, "backtrace_names_callers") == 0, "frame 1 is '%s'", name);
}

KTEST_SUITE(ksyms,
	KTEST_CASE(names_a_function),
	KTEST_CASE(backtrace_names_callers));
