/* SPDX-License-Identifier: MIT */
/*
 * The exceptions suite: deliberate faults are taken on the right vector with
 * the right error code and address, and a probe's fault is recovered.
 * (The report printed for an uncaught fault is checked by the host runner's
 * `fault` and `panic` boot scenarios.)
 */
#include <arch/probe.h>
#include <arch/trap.h>
#include <arch/x86.h>

#include "core/fault_catch.h"
#include "test/ktest.h"

/* SAFETY: each helper executes one faulting instruction on purpose, inside
 * a fault catch armed by the test. */
static void do_ud2(void) { __asm__ volatile("ud2"); }
static void do_int3(void) { __asm__ volatile("int3"); }
static void do_divide_by_zero(void)
{
	__asm__ volatile("xorl %%ecx, %%ecx; movl $1, %%eax; xorl %%edx, %%edx; divl %%ecx"
	                 : : : "eax", "ecx", "edx");
}
static void do_noncanonical_read(void)
{
	__asm__ volatile("movabsq $0x0000900000000000, %%rax; shlq $1, %%rax; movq (%%rax), %%rax"
	                 : : : "rax", "memory");
}

static struct fault_catch run_caught(void (*fn)(void))
{
	struct fault_catch fc;

	if (FAULT_CATCH(&fc) == 0) {
		fn();
		fault_catch_disarm();
	}
	return fc;
}

static void invalid_opcode_is_vector_6(struct ktest *t)
{
	struct fault_catch fc = run_caught(do_ud2);
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.kind, FAULT_KIND_EXCEPTION);
	KT_EXPECT_EQ(t, fc.vector, VEC_UD);
	KT_EXPECT_GE(t, fc.rip, (uint64_t)(uintptr_t)do_ud2);
	KT_EXPECT_LT(t, fc.rip, (uint64_t)(uintptr_t)do_ud2 + 16);
}

static void breakpoint_is_vector_3(struct ktest *t)
{
	struct fault_catch fc = run_caught(do_int3);
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.vector, VEC_BP);
}

static void divide_error_is_vector_0(struct ktest *t)
{
	struct fault_catch fc = run_caught(do_divide_by_zero);
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.vector, VEC_DE);
}

static void noncanonical_access_is_gp(struct ktest *t)
{
	struct fault_catch fc = run_caught(do_noncanonical_read);
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.vector, VEC_GP);
	KT_EXPECT_EQ(t, fc.error, 0);
}

static void unmapped_read_is_page_fault(struct ktest *t)
{
	struct fault_catch fc;
	volatile uint64_t *p = (volatile uint64_t *)0xffff9000dead1000ULL;

	if (FAULT_CATCH(&fc) == 0) {
		(void)*p;
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.vector, VEC_PF);
	KT_EXPECT_EQ(t, fc.addr, (uint64_t)(uintptr_t)p);
	KT_EXPECT_EQ(t, fc.error & (PF_PRESENT | PF_WRITE | PF_USER | PF_INSTR), 0);
}

/* A probe's fault resumes at its fixup: no catch needed, nothing printed. */
static void probe_fault_is_recovered(struct ktest *t)
{
	uint64_t v = 77;

	KT_EXPECT_STATUS(t, arch_probe_read64((void *)0xffff9000dead2000ULL, &v), FE_ERR_FAULT);
	KT_EXPECT_EQ(t, v, 77);
	KT_EXPECT_STATUS(t, arch_probe_write64((void *)0xffff9000dead2000ULL, 1), FE_ERR_FAULT);
	KT_EXPECT_OK(t, arch_probe_read64(&v, &v));
}

/* Catches nest: an inner catch restores the outer one. */
static void fault_catches_nest(struct ktest *t)
{
	struct fault_catch outer, inner;

	if (FAULT_CATCH(&outer) == 0) {
		if (FAULT_CATCH(&inner) == 0) {
			do_ud2();
			fault_catch_disarm();
		}
		KT_EXPECT(t, inner.fired);
		do_int3();
		fault_catch_disarm();
	}
	KT_EXPECT(t, outer.fired);
	KT_EXPECT_EQ(t, outer.vector, VEC_BP);
}

KTEST_SUITE(exceptions,
	KTEST_CASE(invalid_opcode_is_vector_6),
	KTEST_CASE(breakpoint_is_vector_3),
	KTEST_CASE(divide_error_is_vector_0),
	KTEST_CASE(noncanonical_access_is_gp),
	KTEST_CASE(unmapped_read_is_page_fault),
	KTEST_CASE(probe_fault_is_recovered),
	KTEST_CASE(fault_catches_nest));
