/* SPDX-License-Identifier: MIT */
/* Memory objects, mappings, W^X and user-pointer checks. */
#include "ut.h"

#define VA 0x60000000ULL

static void vmo_read_write(struct ut *t)
{
	fe_handle_t v;
	char in[64] = "capabilities all the way down", out[64] = { 0 };

	UT_OK(t, fe_vmo_create(5000, &v)); /* rounded up to two pages */
	UT_OK(t, fe_vmo_write(v, 4090, in, sizeof(in)));
	UT_OK(t, fe_vmo_read(v, 4090, out, sizeof(out)));
	UT_EXPECT(t, memcmp(in, out, sizeof(in)) == 0);
	UT_EXPECT_ST(t, fe_vmo_read(v, 8190, out, 4), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_ST(t, fe_vmo_read(v, ~0ULL, out, 4), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_ST(t, fe_vmo_write(v, 0, (void *)0xffffffff80000000ULL, 8), FE_ERR_FAULT);
	UT_EXPECT_ST(t, fe_vmo_read(v, 0, (void *)0x1000, 8), FE_ERR_FAULT);
	UT_EXPECT_ST(t, fe_vmo_create(0, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_vmo_create((1ULL << 30) + 1, &v), FE_ERR_INVALID_ARG);
	fe_handle_delete(v);
}

static void map_touch_unmap(struct ut *t)
{
	fe_handle_t v;
	uint64_t x = 0;

	UT_OK(t, fe_vmo_create(2 * 4096, &v));
	UT_OK(t, fe_vm_map(fe_self, v, 0, VA, 2 * 4096, FE_VM_READ | FE_VM_WRITE));
	((volatile uint64_t *)VA)[600] = 0xabcdef;
	UT_OK(t, fe_vmo_read(v, 600 * 8, &x, sizeof(x)));
	UT_EXPECT_ST(t, x, 0xabcdef);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, VA + 4096, 4096, FE_VM_READ), FE_ERR_EXISTS);
	UT_OK(t, fe_vm_unmap(fe_self, VA, 2 * 4096));
	UT_OK(t, fe_vm_map(fe_self, v, 4096, VA, 4096, FE_VM_READ));
	UT_EXPECT_ST(t, ((volatile uint64_t *)VA)[600 - 512], 0xabcdef);
	UT_OK(t, fe_vm_unmap(fe_self, VA, 4096));
	UT_OK(t, fe_vm_unmap(fe_self, VA, 4096)); /* holes are fine */
	fe_handle_delete(v);
}

static void map_argument_checks(struct ut *t)
{
	fe_handle_t v, ro;

	UT_OK(t, fe_vmo_create(4096, &v));
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, VA + 1, 4096, FE_VM_READ), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, VA, 0, FE_VM_READ), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, VA, 4096, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, VA, 4096, 8), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, VA, 4096, FE_VM_WRITE | FE_VM_EXEC),
	             FE_ERR_ACCESS_DENIED);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, VA, 8192, FE_VM_READ), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, 0xffff800000000000ULL, 4096, FE_VM_READ),
	             FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, 0xffffffff80000000ULL, 4096, FE_VM_READ),
	             FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, v, 0, 0, 4096, FE_VM_READ), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_ST(t, fe_vm_unmap(fe_self, 0xffff800000000000ULL, 4096), FE_ERR_OUT_OF_RANGE);
	UT_OK(t, fe_handle_dup(v, FE_RIGHT_READ | FE_RIGHT_MAP, 0, &ro));
	UT_EXPECT_ST(t, fe_vm_map(fe_self, ro, 0, VA, 4096, FE_VM_READ | FE_VM_WRITE),
	             FE_ERR_ACCESS_DENIED);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, ro, 0, VA, 4096, FE_VM_READ | FE_VM_EXEC),
	             FE_ERR_ACCESS_DENIED);
	UT_EXPECT_ST(t, fe_vm_map(fe_self, fe_console, 0, VA, 4096, FE_VM_READ), FE_ERR_WRONG_TYPE);
	fe_handle_delete(ro);
	fe_handle_delete(v);
}

/* The child must end with a page fault at `addr` (0: any address). */
static void expect_fault(struct ut *t, const char *what, fe_handle_t user0, uint64_t addr)
{
	fe_handle_t child;
	struct fe_exit_status st;

	UT_OK(t, ut_spawn_role("fault", what, FE_HANDLE_INVALID, user0, 0, &child));
	UT_OK(t, ut_wait(child, &st));
	UT_EXPECT_ST(t, st.reason, FE_EXIT_FAULT);
	UT_EXPECT_ST(t, st.vector, 14);
	if (addr)
		UT_EXPECT_ST(t, st.address, addr);
	fe_handle_delete(child);
}

static void write_to_read_only_faults(struct ut *t)
{
	expect_fault(t, "write-ro", FE_HANDLE_INVALID, 0);
}

static void execute_writable_page_faults(struct ut *t)
{
	expect_fault(t, "exec-data", FE_HANDLE_INVALID, 0);
}

static void null_pointer_faults(struct ut *t)
{
	expect_fault(t, "null", FE_HANDLE_INVALID, 8);
}

static void shared_memory_between_processes(struct ut *t)
{
	fe_handle_t v, child;
	struct fe_exit_status st;

	UT_OK(t, fe_vmo_create(4096, &v));
	UT_OK(t, fe_vm_map(fe_self, v, 0, VA, 4096, FE_VM_READ));
	UT_OK(t, ut_spawn_role("shm-writer", "", FE_HANDLE_INVALID, v, 0, &child));
	UT_OK(t, ut_wait(child, &st));
	UT_EXPECT_ST(t, st.code, 0);
	UT_EXPECT_ST(t, ((volatile uint64_t *)VA)[0], 0x5eed0000ULL);
	UT_EXPECT_ST(t, ((volatile uint64_t *)VA)[511], 0x5eed0000ULL + 511);
	fe_vm_unmap(fe_self, VA, 4096);
	fe_handle_delete(child);
	/* A reader given only READ|MAP cannot write through its mapping. */
	fe_handle_t ro;
	UT_OK(t, fe_handle_dup(v, FE_RIGHT_READ | FE_RIGHT_MAP | FE_RIGHT_TRANSFER, 0, &ro));
	expect_fault(t, "shm-ro-write", ro, 0x50000000);
	fe_handle_delete(ro);
	fe_handle_delete(v);
}

static const struct ut_case cases[] = {
	{ "vmo_read_write", vmo_read_write },
	{ "map_touch_unmap", map_touch_unmap },
	{ "map_argument_checks", map_argument_checks },
	{ "write_to_read_only_faults", write_to_read_only_faults },
	{ "execute_writable_page_faults", execute_writable_page_faults },
	{ "null_pointer_faults", null_pointer_faults },
	{ "shared_memory_between_processes", shared_memory_between_processes },
};
const struct ut_suite suite_memory = { "memory", UT_CASES(cases) };
