/* SPDX-License-Identifier: MIT */
/* The system call boundary: call numbers and user pointers (in and out). */
#include "ut.h"

#define KERNEL_LOW 0xffff800000000000ULL
#define KERNEL_TEXT 0xffffffff80000000ULL
#define NON_CANONICAL 0x0000800000000000ULL
#define UNMAPPED_LOW 0x20000ULL /* above FE_USER_BASE, below the program */

/* Pointers no system call may read or write through. */
static const uint64_t bad_ptrs[] = {
	0, 8, UNMAPPED_LOW, FE_USER_TOP - 8, NON_CANONICAL, KERNEL_LOW, KERNEL_TEXT, ~0ULL - 7,
};

static uint32_t my_handle_count(struct ut *t)
{
	struct fe_process_info pi = { 0 };

	UT_EXPECT_OK(t, fe_process_info(fe_self, &pi));
	return pi.handles;
}

static void null_syscall_returns_ok(struct ut *t)
{
	UT_EXPECT_OK(t, fe_null());
	UT_EXPECT_EQ(t, fe_syscall6(FE_SYS_NULL, ~0ULL, 1, 2, 3, 4, 5), FE_OK);
}

static void unknown_syscall_numbers_refused(struct ut *t)
{
	static const uint64_t nrs[] = { FE_SYS_COUNT, FE_SYS_COUNT + 1, 255, 1ULL << 32,
	                                (1ULL << 32) | FE_SYS_NULL, ~0ULL };

	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++)
		UT_EXPECT_MSG(
			t, (fe_status_t)fe_syscall6(nrs[i], 0, 0, 0, 0, 0, 0) == FE_ERR_BAD_SYSCALL,
			"syscall %#llx: expected FE_ERR_BAD_SYSCALL", (unsigned long long)nrs[i]);
}

/* Each creating call with every bad out-pointer: FE_ERR_FAULT, no handle made. */
static void bad_out_pointer_creates_nothing(struct ut *t)
{
	uint32_t before = my_handle_count(t);

	for (size_t i = 0; i < ARRAY_SIZE(bad_ptrs); i++) {
		fe_handle_t *p = (fe_handle_t *)(uintptr_t)bad_ptrs[i];
		UT_EXPECT_STATUS(t, fe_vmo_create(PAGE, p), FE_ERR_FAULT);
		UT_EXPECT_STATUS(t, fe_endpoint_create(p), FE_ERR_FAULT);
		UT_EXPECT_STATUS(t, fe_notif_create(p), FE_ERR_FAULT);
		UT_EXPECT_STATUS(t, fe_handle_dup(fe_self, FE_RIGHT_READ, 0, p), FE_ERR_FAULT);
		UT_EXPECT_STATUS(t, fe_process_create("x", 1, 1 << 20, p), FE_ERR_FAULT);
	}
	UT_EXPECT_EQ(t, my_handle_count(t), before);
}

static void bad_out_pointer_for_info_faults(struct ut *t)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	for (size_t i = 0; i < ARRAY_SIZE(bad_ptrs); i++) {
		void *p = (void *)(uintptr_t)bad_ptrs[i];
		UT_EXPECT_STATUS(t, fe_handle_info(fe_self, p), FE_ERR_FAULT);
		UT_EXPECT_STATUS(t, fe_process_info(fe_self, p), FE_ERR_FAULT);
		if (tr != FE_HANDLE_INVALID)
			UT_EXPECT_STATUS(t, fe_kernel_stats(tr, p), FE_ERR_FAULT);
	}
}

/* The kernel must not write through a read-only user mapping either. */
static void read_only_out_pointer_faults(struct ut *t)
{
	fe_handle_t v;
	void *ro = (void *)(uintptr_t)ut_rodata_word;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_EXPECT_STATUS(t, fe_handle_info(v, ro), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_vmo_read(v, 0, ro, 8), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_vmo_create(PAGE, ro), FE_ERR_FAULT);
	UT_EXPECT(t, memcmp(ut_rodata_word, "ro-data", 8) == 0);
	ut_del(t, v);
}

/* An out-structure running off the end of a mapping: nothing is written. */
static void straddling_out_pointer_writes_nothing(struct ut *t)
{
	fe_handle_t vmo;
	void *va;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &vmo, &va)));
	uint64_t *tail = (uint64_t *)((char *)va + PAGE - 8); /* fe_map_new leaves a guard page */
	*tail = 0x5a5a5a5a5a5a5a5aULL;
	UT_EXPECT_STATUS(t, fe_handle_info(fe_self, (void *)tail), FE_ERR_FAULT);
	UT_EXPECT_EQ(t, *tail, 0x5a5a5a5a5a5a5a5aULL);
	UT_EXPECT_STATUS(t, fe_vmo_read(vmo, 0, tail, 16), FE_ERR_FAULT);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, PAGE));
	ut_del(t, vmo);
}

static void bad_input_buffer_faults(struct ut *t)
{
	fe_handle_t vmo;
	void *va;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &vmo, &va)));
	const char *straddle = (const char *)va + PAGE - 4;
	for (size_t i = 0; i < ARRAY_SIZE(bad_ptrs); i++) {
		const char *p = (const char *)(uintptr_t)bad_ptrs[i];
		UT_EXPECT_STATUS(t, fe_console_write(fe_console, p, 16), FE_ERR_FAULT);
		UT_EXPECT_STATUS(t, fe_vmo_write(vmo, 0, p, 16), FE_ERR_FAULT);
		UT_EXPECT_STATUS(t, fe_process_create(p, 4, 1 << 20, &(fe_handle_t){0}),
				 FE_ERR_FAULT);
	}
	UT_EXPECT_STATUS(t, fe_console_write(fe_console, straddle, 8), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_vmo_write(vmo, 0, straddle, 8), FE_ERR_FAULT);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, PAGE));
	ut_del(t, vmo);
}

/* A failing call leaves every out-parameter as it was. */
static void failed_calls_leave_out_params_alone(struct ut *t)
{
	fe_handle_t h = 0x1234, v, narrow;
	struct fe_handle_info info = { .koid = 77 };
	uint64_t bits = 99;

	UT_EXPECT_STATUS(t, fe_vmo_create(0, &h), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_handle_info(FE_HANDLE_MAKE(0xfffff0, 1), &info), FE_ERR_BAD_HANDLE);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&v)));
	UT_EXPECT_STATUS(t, fe_notif_wait(v, FE_NONBLOCK, &bits), FE_ERR_WOULD_BLOCK);
	narrow = ut_dup(t, v, FE_RIGHT_WAIT | FE_RIGHT_DUPLICATE);
	UT_EXPECT_STATUS(t, fe_handle_dup(narrow, FE_RIGHT_WAIT | FE_RIGHT_SIGNAL, 0, &h),
	                 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_EQ(t, h, 0x1234);
	UT_EXPECT_EQ(t, info.koid, 77);
	UT_EXPECT_EQ(t, bits, 99);
	ut_del(t, narrow);
	ut_del(t, v);
}

UT_SUITE(syscall,
	UT_CASE(null_syscall_returns_ok),
	UT_CASE(unknown_syscall_numbers_refused),
	UT_CASE(bad_out_pointer_creates_nothing),
	UT_CASE(bad_out_pointer_for_info_faults),
	UT_CASE(read_only_out_pointer_faults),
	UT_CASE(straddling_out_pointer_writes_nothing),
	UT_CASE(bad_input_buffer_faults),
	UT_CASE(failed_calls_leave_out_params_alone));
