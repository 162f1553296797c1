/* SPDX-License-Identifier: MIT */
/* The paging suite: the kernel's page permissions, checked by faulting. */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/probe.h>
#include <arch/trap.h>
#include <arch/x86.h>

#include "core/fault_catch.h"
#include "core/kernel.h"
#include "mm/frame.h"
#include "mm/kmap.h"
#include "mm/vm.h"
#include "mm/vmap.h"
#include "test/ktest.h"

extern char __text_start[], __rodata_start[], __data_start[];
extern char boot_stack_guard[], ist_df_guard[], ist_nmi_guard[], ist_mc_guard[];

static const uint64_t rodata_object = 0x1122334455667788ULL;
static uint64_t data_object = 42;

/* Writes through a catch; returns the catch so the test can inspect the fault. */
static void write_caught(volatile uint8_t *p, struct fault_catch *fc)
{
	if (FAULT_CATCH(fc) == 0) {
		uint8_t v = *p;
		*p = v; /* same value: harmless if the protection were missing */
		fault_catch_disarm();
	}
}

static void expect_write_protection_fault(struct ktest *t, const struct fault_catch *fc,
                                          const void *addr)
{
	KT_EXPECT(t, fc->fired);
	KT_EXPECT_EQ(t, fc->vector, VEC_PF);
	KT_EXPECT_EQ(t, fc->error & (PF_PRESENT | PF_WRITE | PF_USER), PF_PRESENT | PF_WRITE);
	KT_EXPECT_EQ(t, fc->addr, (uint64_t)(uintptr_t)addr);
}

static void text_is_read_only(struct ktest *t)
{
	struct fault_catch fc;
	uint8_t *p = (uint8_t *)__text_start + 64;

	KT_EXPECT_STATUS(t, arch_probe_write8(p, *p), FE_ERR_FAULT);
	write_caught(p, &fc);
	expect_write_protection_fault(t, &fc, p);
}

static void rodata_is_read_only(struct ktest *t)
{
	struct fault_catch fc;
	uint8_t *p = (uint8_t *)(uintptr_t)&rodata_object;

	write_caught(p, &fc);
	expect_write_protection_fault(t, &fc, p);
	KT_EXPECT_EQ(t, rodata_object, 0x1122334455667788ULL);
}

static void data_is_not_executable(struct ktest *t)
{
	static uint8_t code[16] = { 0xc3 }; /* ret */
	struct fault_catch fc;
	void (*fn)(void) = (void (*)(void))(uintptr_t)code;

	if (FAULT_CATCH(&fc) == 0) {
		fn();
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.vector, VEC_PF);
	KT_EXPECT_EQ(t, fc.error & (PF_PRESENT | PF_INSTR), PF_PRESENT | PF_INSTR);
	KT_EXPECT_EQ(t, fc.addr, (uint64_t)(uintptr_t)code);
}

/* No kernel mapping is both writable and executable. */
static void sections_are_w_xor_x(struct ktest *t)
{
	uint64_t pa;
	unsigned f;
	const void *probes[] = { __text_start, __rodata_start, __data_start, &data_object,
	                         phys_to_virt(boot_info->mem_map) };

	for (unsigned i = 0; i < ARRAY_SIZE(probes); i++) {
		KT_ASSERT(t, KT_EXPECT_OK(t, arch_pt_query(kmap_root(), (uint64_t)(uintptr_t)probes[i],
		                                           &pa, &f)));
		KT_EXPECT(t, !((f & VM_WRITE) && (f & VM_EXEC)));
	}
	arch_pt_query(kmap_root(), (uint64_t)(uintptr_t)__text_start, &pa, &f);
	KT_EXPECT_EQ(t, f & (VM_WRITE | VM_EXEC | VM_USER), VM_EXEC);
	arch_pt_query(kmap_root(), (uint64_t)(uintptr_t)__rodata_start, &pa, &f);
	KT_EXPECT_EQ(t, f & (VM_WRITE | VM_EXEC | VM_USER), 0);
	arch_pt_query(kmap_root(), (uint64_t)(uintptr_t)&data_object, &pa, &f);
	KT_EXPECT_EQ(t, f & (VM_WRITE | VM_EXEC | VM_USER), VM_WRITE);
	KT_EXPECT_EQ(t, pa, kmap_image_phys(&data_object));
}

/* The direct-map alias of the kernel image cannot be used to patch it. */
static void image_alias_is_read_only(struct ktest *t)
{
	uint8_t *alias = phys_to_virt(kmap_image_phys(__text_start));
	uint64_t v;

	KT_EXPECT_OK(t, arch_probe_read64(alias, &v));
	KT_EXPECT_EQ(t, v, *(const uint64_t *)(const void *)__text_start);
	KT_EXPECT_STATUS(t, arch_probe_write8(alias, alias[0]), FE_ERR_FAULT);
}

static void boot_stack_guards_are_unmapped(struct ktest *t)
{
	const char *guards[] = { boot_stack_guard, ist_df_guard, ist_nmi_guard, ist_mc_guard };
	uint64_t pa, v;
	unsigned f;

	for (unsigned i = 0; i < ARRAY_SIZE(guards); i++) {
		KT_EXPECT_STATUS(t, arch_pt_query(kmap_root(), (uint64_t)(uintptr_t)guards[i], &pa, &f),
		                 FE_ERR_NOT_FOUND);
		KT_EXPECT_STATUS(t, arch_probe_read64(guards[i] + 4088, &v), FE_ERR_FAULT);
	}
}

static void kernel_stack_has_guard(struct ktest *t)
{
	struct kstack s;
	uint64_t v;

	KT_ASSERT(t, KT_EXPECT_OK(t, kstack_alloc(&s)));
	KT_EXPECT_OK(t, arch_probe_write64((void *)(uintptr_t)(s.top - 8), 7));
	KT_EXPECT_OK(t, arch_probe_write64((void *)(uintptr_t)s.base, 7));
	KT_EXPECT_STATUS(t, arch_probe_read64((void *)(uintptr_t)(s.base - 8), &v), FE_ERR_FAULT);
	KT_EXPECT_STATUS(t, arch_probe_read64((void *)(uintptr_t)kstack_guard_lo(&s), &v), FE_ERR_FAULT);
	kstack_free(&s);
	KT_EXPECT_STATUS(t, arch_probe_read64((void *)(uintptr_t)s.base, &v), FE_ERR_FAULT);
}

#define TEST_USER_VA 0x400000ULL

/* SMAP: the kernel cannot read a user page unless it opens the window. */
static void smap_blocks_user_reads(struct ktest *t)
{
	uint64_t pa, v = 0;

	if (!cpu_features.smap) {
		ktest_skip(t, "CPU without SMAP");
		return;
	}
	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc_zeroed(0, &pa)));
	*(uint64_t *)phys_to_virt(pa) = 0x5a5a;
	KT_ASSERT(t, KT_EXPECT_OK(t, arch_pt_map(kmap_root(), TEST_USER_VA, pa, PAGE_SIZE,
	                                         VM_READ | VM_WRITE | VM_USER)));
	KT_EXPECT_STATUS(t, arch_probe_read64((void *)TEST_USER_VA, &v), FE_ERR_FAULT);
	stac();
	KT_EXPECT_OK(t, arch_probe_read64((void *)TEST_USER_VA, &v));
	clac();
	KT_EXPECT_EQ(t, v, 0x5a5a);
	KT_EXPECT_OK(t, arch_pt_unmap(kmap_root(), TEST_USER_VA, PAGE_SIZE));
	frame_free(pa, 0);
}

/* SMEP: the kernel never executes a user page. */
static void smep_blocks_user_code(struct ktest *t)
{
	struct fault_catch fc;
	uint64_t pa;

	if (!cpu_features.smep) {
		ktest_skip(t, "CPU without SMEP");
		return;
	}
	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc_zeroed(0, &pa)));
	*(uint8_t *)phys_to_virt(pa) = 0xc3; /* ret */
	KT_ASSERT(t, KT_EXPECT_OK(t, arch_pt_map(kmap_root(), TEST_USER_VA, pa, PAGE_SIZE,
	                                         VM_READ | VM_EXEC | VM_USER)));
	void (*fn)(void) = (void (*)(void))TEST_USER_VA;
	if (FAULT_CATCH(&fc) == 0) {
		fn();
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.vector, VEC_PF);
	KT_EXPECT_EQ(t, fc.error & (PF_INSTR | PF_USER), PF_INSTR);
	KT_EXPECT_OK(t, arch_pt_unmap(kmap_root(), TEST_USER_VA, PAGE_SIZE));
	frame_free(pa, 0);
}

static void map_query_unmap(struct ktest *t)
{
	const uint64_t va = VMAP_BASE + (200ULL << 30); /* far from the MMIO windows in use */
	uint64_t pa, got;
	unsigned f;

	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(0, &pa)));
	KT_EXPECT_STATUS(t, arch_pt_map(kmap_root(), va + 1, pa, PAGE_SIZE, VM_READ), FE_ERR_INVALID_ARG);
	KT_EXPECT_OK(t, arch_pt_map(kmap_root(), va, pa, PAGE_SIZE, VM_READ | VM_WRITE));
	KT_EXPECT_STATUS(t, arch_pt_map(kmap_root(), va, pa, PAGE_SIZE, VM_READ), FE_ERR_EXISTS);
	KT_EXPECT_OK(t, arch_pt_query(kmap_root(), va + 123, &got, &f));
	KT_EXPECT_EQ(t, got, pa + 123);
	KT_EXPECT_EQ(t, f & (VM_WRITE | VM_EXEC | VM_USER | VM_UNCACHED), VM_WRITE);
	KT_EXPECT_OK(t, arch_probe_write64((void *)va, 99));
	KT_EXPECT_EQ(t, *(uint64_t *)phys_to_virt(pa), 99);
	KT_EXPECT_OK(t, arch_pt_unmap(kmap_root(), va, PAGE_SIZE));
	KT_EXPECT_STATUS(t, arch_pt_query(kmap_root(), va, &got, &f), FE_ERR_NOT_FOUND);
	KT_EXPECT_STATUS(t, arch_pt_unmap(kmap_root(), va, PAGE_SIZE), FE_ERR_NOT_FOUND);
	KT_EXPECT_STATUS(t, arch_probe_read64((void *)va, &got), FE_ERR_FAULT);
	frame_free(pa, 0);
}

static void direct_map_is_rw_nx(struct ktest *t)
{
	uint64_t pa, got;
	unsigned f;

	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(0, &pa)));
	KT_EXPECT_OK(t, arch_pt_query(kmap_root(), (uint64_t)(uintptr_t)phys_to_virt(pa), &got, &f));
	KT_EXPECT_EQ(t, got, pa);
	KT_EXPECT_EQ(t, f & (VM_WRITE | VM_EXEC | VM_USER), VM_WRITE);
	frame_free(pa, 0);
}

KTEST_SUITE(paging,
	KTEST_CASE(text_is_read_only),
	KTEST_CASE(rodata_is_read_only),
	KTEST_CASE(data_is_not_executable),
	KTEST_CASE(sections_are_w_xor_x),
	KTEST_CASE(image_alias_is_read_only),
	KTEST_CASE(boot_stack_guards_are_unmapped),
	KTEST_CASE(kernel_stack_has_guard),
	KTEST_CASE(smap_blocks_user_reads),
	KTEST_CASE(smep_blocks_user_code),
	KTEST_CASE(map_query_unmap),
	KTEST_CASE(direct_map_is_rw_nx));
