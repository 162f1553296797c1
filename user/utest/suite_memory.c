/* SPDX-License-Identifier: MIT */
/* Memory objects, mappings, W^X, faults, and memory shared between processes. */
#include "ut.h"

#define VA 0x60000000ULL /* fixed test mappings stay below 4 GiB (user/README.md) */
#define RW (FE_VM_READ | FE_VM_WRITE)

static volatile uint64_t *at(uint64_t va)
{
	return (volatile uint64_t *)(uintptr_t)va;
}

static void vmo_create_sizes(struct ut *t)
{
	fe_handle_t v = FE_HANDLE_INVALID;
	uint8_t byte = 0;

	UT_EXPECT_STATUS(t, fe_vmo_create(0, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vmo_create((1ULL << 30) + 1, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vmo_create(~0ULL, &v), FE_ERR_INVALID_ARG);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(5000, &v))); /* rounded up to two pages */
	UT_EXPECT_OK(t, fe_vmo_read(v, 2 * PAGE - 1, &byte, 1));
	UT_EXPECT_STATUS(t, fe_vmo_read(v, 2 * PAGE, &byte, 1), FE_ERR_OUT_OF_RANGE);
	ut_del(t, v);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(1, &v)));
	UT_EXPECT_OK(t, fe_vmo_read(v, PAGE - 1, &byte, 1));
	ut_del(t, v);
}

static void vmo_zero_filled_and_reads_back(struct ut *t)
{
	fe_handle_t v;
	char in[64] = "capabilities all the way down", out[64];
	uint64_t zeros[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(2 * PAGE, &v)));
	UT_EXPECT_OK(t, fe_vmo_read(v, PAGE - 32, zeros, sizeof(zeros)));
	for (size_t i = 0; i < ARRAY_SIZE(zeros); i++)
		UT_EXPECT_EQ(t, zeros[i], 0);
	UT_EXPECT_OK(t, fe_vmo_write(v, PAGE - 20, in, sizeof(in))); /* across the page boundary */
	memset(out, 0, sizeof(out));
	UT_EXPECT_OK(t, fe_vmo_read(v, PAGE - 20, out, sizeof(out)));
	UT_EXPECT(t, memcmp(in, out, sizeof(in)) == 0);
	ut_del(t, v);
}

static void vmo_access_checks(struct ut *t)
{
	fe_handle_t v, ro, wo, e;
	uint64_t x = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_EXPECT_STATUS(t, fe_vmo_read(v, PAGE - 4, &x, 8), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_vmo_write(v, ~0ULL - 2, &x, 8), FE_ERR_OUT_OF_RANGE);
	ro = ut_dup(t, v, FE_RIGHT_READ);
	wo = ut_dup(t, v, FE_RIGHT_WRITE);
	UT_EXPECT_STATUS(t, fe_vmo_write(ro, 0, &x, 8), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vmo_read(ro, 0, &x, 8));
	UT_EXPECT_STATUS(t, fe_vmo_read(wo, 0, &x, 8), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vmo_write(wo, 0, &x, 8));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&e)));
	UT_EXPECT_STATUS(t, fe_vmo_write(e, 0, &x, 8), FE_ERR_WRONG_TYPE);
	ut_del(t, e);
	ut_del(t, wo);
	ut_del(t, ro);
	ut_del(t, v);
}

static void map_touch_unmap(struct ut *t)
{
	fe_handle_t v;
	uint64_t x = 0, y = 0x1122334455667788ULL;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(2 * PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA, 2 * PAGE, RW)));
	at(VA)[600] = 0xabcdef;
	UT_EXPECT_OK(t, fe_vmo_read(v, 600 * 8, &x, sizeof(x)));
	UT_EXPECT_EQ(t, x, 0xabcdef);
	UT_EXPECT_OK(t, fe_vmo_write(v, 8, &y, sizeof(y)));
	UT_EXPECT_EQ(t, at(VA)[1], y);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, 2 * PAGE));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, v, PAGE, VA, PAGE, FE_VM_READ)));
	UT_EXPECT_EQ(t, at(VA)[600 - 512], 0xabcdef); /* the second page, now first */
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, PAGE));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, PAGE)); /* unmapping a hole is fine */
	ut_del(t, v);
}

static void map_argument_checks(struct ut *t)
{
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(2 * PAGE, &v)));
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA + 1, PAGE, FE_VM_READ), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 1, VA, PAGE, FE_VM_READ), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, PAGE + 1, FE_VM_READ), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, 0, FE_VM_READ), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, PAGE, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, PAGE, 8), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, PAGE, FE_VM_READ | 0x100),
			 FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, 3 * PAGE, FE_VM_READ),
			 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 2 * PAGE, VA, PAGE, FE_VM_READ),
			 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, ~0ULL & ~(PAGE - 1), VA, 2 * PAGE, FE_VM_READ),
	                 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, ~0ULL & ~(PAGE - 1), FE_VM_READ),
	                 FE_ERR_OUT_OF_RANGE);
	ut_del(t, v);
}

/* Every mapping below FE_USER_BASE, above FE_USER_TOP or in the kernel half. */
static void kernel_addresses_refused(struct ut *t)
{
	static const uint64_t bad_va[] = {
		0,
		FE_USER_BASE - PAGE,
		FE_USER_TOP,
		FE_USER_TOP - PAGE /* + 2 pages */,
		0x0000800000000000ULL,
		0xffff800000000000ULL,
		0xffffffff80000000ULL,
		~0ULL & ~(PAGE - 1),
	};
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(2 * PAGE, &v)));
	for (size_t i = 0; i < ARRAY_SIZE(bad_va); i++) {
		UT_EXPECT_MSG(t,
			      fe_vm_map(fe_self, v, 0, bad_va[i], 2 * PAGE, FE_VM_READ) ==
				      FE_ERR_OUT_OF_RANGE,
			      "map at %#llx: expected FE_ERR_OUT_OF_RANGE",
			      (unsigned long long)bad_va[i]);
		UT_EXPECT_MSG(t, fe_vm_unmap(fe_self, bad_va[i], 2 * PAGE) == FE_ERR_OUT_OF_RANGE,
			      "unmap at %#llx: expected FE_ERR_OUT_OF_RANGE",
			      (unsigned long long)bad_va[i]);
	}
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, FE_USER_TOP - 2 * PAGE, 2 * PAGE, FE_VM_READ));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, FE_USER_TOP - 2 * PAGE, 2 * PAGE));
	ut_del(t, v);
}

static void map_rights_checks(struct ut *t)
{
	fe_handle_t v, ro, nomap, e, p_nomanage;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&e)));
	ro = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_MAP);
	nomap = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_EXECUTE);
	p_nomanage = ut_dup(t, fe_self, FE_RIGHT_READ | FE_RIGHT_WAIT);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, PAGE, FE_VM_WRITE | FE_VM_EXEC),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, PAGE, RW | FE_VM_EXEC),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, ro, 0, VA, PAGE, RW), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, ro, 0, VA, PAGE, FE_VM_READ | FE_VM_EXEC),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, nomap, 0, VA, PAGE, FE_VM_READ),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(p_nomanage, v, 0, VA, PAGE, FE_VM_READ),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_unmap(p_nomanage, VA, PAGE), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, e, 0, VA, PAGE, FE_VM_READ), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_vm_map(v, v, 0, VA, PAGE, FE_VM_READ), FE_ERR_WRONG_TYPE);
	UT_EXPECT_OK(t, fe_vm_map(fe_self, ro, 0, VA, PAGE, FE_VM_READ));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, PAGE));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA, PAGE, FE_VM_READ | FE_VM_EXEC));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, PAGE));
	ut_del(t, p_nomanage);
	ut_del(t, nomap);
	ut_del(t, ro);
	ut_del(t, e);
	ut_del(t, v);
}

static void overlapping_map_exists(struct ut *t)
{
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(4 * PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA + PAGE, 2 * PAGE, RW)));
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA + 2 * PAGE, PAGE, FE_VM_READ),
			 FE_ERR_EXISTS);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, 2 * PAGE, FE_VM_READ), FE_ERR_EXISTS);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, VA, 4 * PAGE, FE_VM_READ), FE_ERR_EXISTS);
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA, PAGE, FE_VM_READ)); /* adjacent below */
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA + 3 * PAGE, PAGE, FE_VM_READ)); /* and above */
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, 4 * PAGE));
	ut_del(t, v);
}

/* Unmapping the middle page leaves its neighbours mapped. */
static void unmap_part_of_mapping(struct ut *t)
{
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(3 * PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA, 3 * PAGE, RW)));
	UT_EXPECT_STATUS(t, fe_vm_unmap(fe_self, VA + 1, PAGE), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_unmap(fe_self, VA, PAGE - 1), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_vm_unmap(fe_self, VA, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA + PAGE, PAGE));
	at(VA)[0] = 1;
	at(VA + 2 * PAGE)[0] = 3;
	UT_EXPECT_OK(
		t, fe_vm_map(fe_self, v, PAGE, VA + PAGE, PAGE, RW)); /* the hole can be refilled */
	at(VA + PAGE)[0] = 2;
	for (unsigned i = 0; i < 3; i++)
		UT_EXPECT_EQ(t, at(VA + i * PAGE)[0], i + 1);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, 3 * PAGE));
	ut_del(t, v);
}

/* With MANAGE on another process, we map into its address space. */
static void map_into_other_process(struct ut *t)
{
	fe_handle_t v, p;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("mapped", 6, 1 << 20, &p)));
	UT_EXPECT_OK(t, fe_vm_map(p, v, 0, VA, PAGE, RW));
	UT_EXPECT_STATUS(t, fe_vm_map(p, v, 0, VA, PAGE, FE_VM_READ), FE_ERR_EXISTS);
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA, PAGE, FE_VM_READ)); /* our space is separate */
	UT_EXPECT_OK(t, fe_vm_unmap(p, VA, PAGE));
	UT_EXPECT_OK(t, fe_vm_map(p, v, 0, VA, PAGE, FE_VM_READ));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, PAGE));
	ut_del(t, p);
	ut_del(t, v);
}

static fe_handle_t fault_child(struct ut *t, const char *what, fe_handle_t user0)
{
	struct ut_child c = { .role = "fault", .arg = what, .user = { user0 } };
	fe_handle_t p = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, ut_spawn(&c, &p));
	return p;
}

static void write_to_read_only_page_faults(struct ut *t)
{
	fe_handle_t p = fault_child(t, "write-ro", FE_HANDLE_INVALID);

	UT_ASSERT(t, p != FE_HANDLE_INVALID);
	ut_expect_fault(t, p, 14, (uint64_t)(uintptr_t)ut_rodata_word, NULL);
}

static void execute_writable_page_faults(struct ut *t)
{
	struct fe_exit_status st = { 0 };
	fe_handle_t p = fault_child(t, "exec-data", FE_HANDLE_INVALID);

	UT_ASSERT(t, p != FE_HANDLE_INVALID);
	ut_expect_fault(t, p, 14, (uint64_t)(uintptr_t)ut_data_page, &st);
	UT_EXPECT_EQ(t, st.rip, (uint64_t)(uintptr_t)ut_data_page);
}

static void null_pointer_read_faults(struct ut *t)
{
	fe_handle_t p = fault_child(t, "null-read", FE_HANDLE_INVALID);

	UT_ASSERT(t, p != FE_HANDLE_INVALID);
	ut_expect_fault(t, p, 14, 8, NULL);
}

static void invalid_opcode_faults(struct ut *t)
{
	struct fe_exit_status st = { 0 };
	fe_handle_t p = fault_child(t, "ud2", FE_HANDLE_INVALID);

	UT_ASSERT(t, p != FE_HANDLE_INVALID);
	ut_expect_fault(t, p, 6, UT_ANY_ADDR, &st);
	UT_EXPECT_EQ(t, st.rip, (uint64_t)(uintptr_t)ut_ud2_here);
}

/* The child writes through its mapping; we read through a read-only one,
 * then answer through the VMO; the child sees it in its mapping. */
static void shared_memory_child_writes(struct ut *t)
{
	struct ut_child c = { .role = "shm-writer" };
	fe_handle_t v, ro, p;
	uint64_t token = 0x1234;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	ro = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_MAP);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, ro, 0, VA, PAGE, FE_VM_READ)));
	c.user[0] = v;
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	UT_EXPECT_EQ(t, ut_poll(&at(VA)[1]), 1);
	UT_EXPECT_EQ(t, at(VA)[8], 0x5eed0000ULL + 8);
	UT_EXPECT_EQ(t, at(VA)[511], 0x5eed0000ULL + 511);
	UT_EXPECT_OK(t, fe_vmo_write(v, 0, &token, sizeof(token)));
	ut_expect_exit(t, p, FE_EXIT_NORMAL, (int64_t)token + 1);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, PAGE));
	ut_del(t, ro);
	ut_del(t, v);
}

/* We write through our mapping; the child reads through a read-only one. */
static void shared_memory_child_reads_read_only(struct ut *t)
{
	struct ut_child c = { .role = "shm-reader" };
	fe_handle_t v, p;
	uint64_t sum = 0, token = 0x4321;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA, PAGE, RW)));
	c.user[0] = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_MAP | FE_RIGHT_TRANSFER);
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	for (unsigned i = 8; i < PAGE / 8; i++) {
		at(VA)[i] = i * 3;
		sum += i * 3;
	}
	at(VA)[0] = token;
	ut_expect_exit(t, p, FE_EXIT_NORMAL, (int64_t)((token ^ sum) & 0x7fffffff));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, PAGE));
	ut_del(t, c.user[0]);
	ut_del(t, v);
}

static void write_to_read_only_shared_mapping_faults(struct ut *t)
{
	fe_handle_t v, ro, p;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	ro = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_MAP | FE_RIGHT_TRANSFER);
	p = fault_child(t, "shm-write", ro);
	if (p != FE_HANDLE_INVALID)
		ut_expect_fault(t, p, 14, UT_SHM_VA, NULL);
	ut_del(t, ro);
	ut_del(t, v);
}

UT_SUITE(memory,
	UT_CASE(vmo_create_sizes),
	UT_CASE(vmo_zero_filled_and_reads_back),
	UT_CASE(vmo_access_checks),
	UT_CASE(map_touch_unmap),
	UT_CASE(map_argument_checks),
	UT_CASE(kernel_addresses_refused),
	UT_CASE(map_rights_checks),
	UT_CASE(overlapping_map_exists),
	UT_CASE(unmap_part_of_mapping),
	UT_CASE(map_into_other_process),
	UT_CASE(write_to_read_only_page_faults),
	UT_CASE(execute_writable_page_faults),
	UT_CASE(null_pointer_read_faults),
	UT_CASE(invalid_opcode_faults),
	UT_CASE(shared_memory_child_writes),
	UT_CASE(shared_memory_child_reads_read_only),
	UT_CASE(write_to_read_only_shared_mapping_faults));
