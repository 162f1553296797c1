/* SPDX-License-Identifier: MIT */
/*
 * Contiguous VMOs (FE_VMO_CONTIGUOUS; ADR 0011, decision 3) as user space
 * sees them: they map and read back zeros like any VMO, their size is the
 * one asked for (rounded to pages, not to the block), they are charged as
 * their whole power-of-two block and give it back when the last reference
 * goes, bad flags and sizes are refused changing nothing, and a budget too
 * small refuses them with FE_ERR_NO_MEMORY, leaving nothing behind. That the
 * frames really are one aligned block is the kernel's `vmo` suite's to
 * check: no call tells user space a physical address.
 */
#include "ut.h"

#define VA 0x64000000ULL /* fixed test mappings stay below 4 GiB (user/README.md) */
#define RW (FE_VM_READ | FE_VM_WRITE)
#define HOG_BUDGET (1ULL << 20)
#define HOG_VMO (64ULL << 10)
#define FRAME_SLACK 2u /* as sysfuzz's leak check: stack-slot page tables stay */
#define CHURN_ROUNDS 4u
#define CHURN_NS 20000000ULL /* 20 ms, then 7 ms more each round */

static uint64_t budget_used(void)
{
	struct fe_process_info pi = { 0 };

	(void)fe_process_info(fe_self, &pi);
	return pi.budget_used;
}

static uint32_t handles_held(void)
{
	struct fe_process_info pi = { 0 };

	(void)fe_process_info(fe_self, &pi);
	return pi.handles;
}

static bool kernel_stats(struct fe_kernel_stats *ks)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	return tr != FE_HANDLE_INVALID && fe_kernel_stats(tr, ks) == FE_OK;
}

/* True if `len` bytes of v from `offset` read back as zeros. */
static bool reads_zero(struct ut *t, fe_handle_t v, uint64_t offset, uint64_t len)
{
	static uint64_t buf[PAGE / 8];
	uint64_t z = 0;

	for (; len > 0; offset += sizeof(buf), len -= sizeof(buf)) {
		memset(buf, 0xa5, sizeof(buf));
		if (!UT_EXPECT_OK(t, fe_vmo_read(v, offset, buf, sizeof(buf))))
			return false;
		for (size_t i = 0; i < ARRAY_SIZE(buf); i++)
			z |= buf[i];
	}
	return z == 0;
}

static void contig_maps_and_reads_back_zeros(struct ut *t)
{
	const uint64_t size = 16 * PAGE, mark = 0x636f6e7469670a00ULL;
	volatile uint64_t *m = (volatile uint64_t *)(uintptr_t)VA;
	uint64_t z = 0, back = 0;
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create_flags(size, FE_VMO_CONTIGUOUS, &v)));
	UT_EXPECT(t, reads_zero(t, v, 0, size));
	if (UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA, size, RW))) {
		for (uint64_t i = 0; i < size / 8; i++)
			z |= m[i];
		UT_EXPECT_EQ(t, z, 0);
		m[(5 * PAGE + 8) / 8] = mark; /* through the mapping, read through the handle */
		UT_EXPECT_OK(t, fe_vmo_read(v, 5 * PAGE + 8, &back, sizeof(back)));
		UT_EXPECT_EQ(t, back, mark);
		UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, size));
	}
	ut_del(t, v);
}

/* The size is the one asked for, in pages: the rest of the block is out of
 * reach. The largest size works. */
static void contig_size_is_rounded_to_pages(struct ut *t)
{
	static const uint64_t sizes[] = { 1, PAGE + 1, 3 * PAGE, FE_VMO_CONTIGUOUS_MAX };
	uint8_t byte = 0xff;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t end = (sizes[i] + PAGE - 1) & ~(PAGE - 1);
		fe_handle_t v;
		if (!UT_EXPECT_OK(t, fe_vmo_create_flags(sizes[i], FE_VMO_CONTIGUOUS, &v)))
			continue;
		UT_EXPECT_OK(t, fe_vmo_read(v, end - 1, &byte, 1));
		UT_EXPECT_EQ(t, byte, 0);
		UT_EXPECT_STATUS(t, fe_vmo_read(v, end, &byte, 1), FE_ERR_OUT_OF_RANGE);
		ut_del(t, v);
	}
}

/* Unknown flag bits (all 64 through the raw call), zero and over-limit
 * sizes: FE_ERR_INVALID_ARG, no handle written, nothing charged. */
static void contig_refuses_bad_flags_and_sizes(struct ut *t)
{
	static const uint32_t flags[] = { 2, FE_VMO_CONTIGUOUS | 2, 1u << 31, ~0u };
	static const uint64_t sizes[] = { 0, FE_VMO_CONTIGUOUS_MAX + 1, 2 * FE_VMO_CONTIGUOUS_MAX,
	                                  1ULL << 30, ~0ULL };
	fe_handle_t v = FE_HANDLE_INVALID;
	uint64_t used = budget_used();
	uint32_t handles = handles_held();

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		UT_EXPECT_STATUS(t, fe_vmo_create_flags(PAGE, flags[i], &v), FE_ERR_INVALID_ARG);
	for (unsigned bit = 1; bit < 64; bit++)
		UT_EXPECT_STATUS(t, (fe_status_t)fe_syscall6(FE_SYS_VMO_CREATE, PAGE,
		                                             (uint64_t)(uintptr_t)&v,
		                                             FE_VMO_CONTIGUOUS | (1ULL << bit), 0, 0, 0),
		                 FE_ERR_INVALID_ARG);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		UT_EXPECT_STATUS(t, fe_vmo_create_flags(sizes[i], FE_VMO_CONTIGUOUS, &v),
		                 FE_ERR_INVALID_ARG);
	UT_EXPECT_EQ(t, v, FE_HANDLE_INVALID);
	UT_EXPECT_EQ(t, budget_used(), used);
	UT_EXPECT_EQ(t, handles_held(), handles);
}

/* What making a VMO adds to our budget; *all_back turns false if deleting
 * it did not give all of that back. */
static uint64_t charge_of(struct ut *t, uint64_t size, uint32_t flags, bool *all_back)
{
	uint64_t before = budget_used(), used = 0;
	fe_handle_t v;

	if (!UT_EXPECT_OK(t, fe_vmo_create_flags(size, flags, &v)))
		return 0;
	used = budget_used() - before;
	ut_del(t, v);
	*all_back &= budget_used() == before;
	return used;
}

/*
 * A contiguous VMO costs what a plain one of its block's size does (the same
 * object and page array, the block's pages): 4 pages as 4, 3 pages as 4,
 * 1 MiB as 1 MiB. All of it comes back when it is deleted.
 */
static void contig_charged_as_its_block(struct ut *t)
{
	bool back = true;

	(void)charge_of(t, PAGE, FE_VMO_CONTIGUOUS, &back); /* warm up: handle table, slabs */
	uint64_t plain3 = charge_of(t, 3 * PAGE, 0, &back);
	uint64_t plain4 = charge_of(t, 4 * PAGE, 0, &back);
	uint64_t plain1m = charge_of(t, 1ULL << 20, 0, &back);
	uint64_t contig3 = charge_of(t, 3 * PAGE, FE_VMO_CONTIGUOUS, &back);
	uint64_t contig4 = charge_of(t, 4 * PAGE, FE_VMO_CONTIGUOUS, &back);
	uint64_t contig1m = charge_of(t, 1ULL << 20, FE_VMO_CONTIGUOUS, &back);

	UT_EXPECT_GE(t, plain4, 4 * PAGE);
	UT_EXPECT_EQ(t, plain4, plain3 + PAGE);
	UT_EXPECT_EQ(t, contig4, plain4);
	UT_EXPECT_EQ(t, contig3, plain4);
	UT_EXPECT_GE(t, plain1m, 1ULL << 20);
	UT_EXPECT_EQ(t, contig1m, plain1m);
	UT_EXPECT(t, back);
}

/* A mapping keeps the block after the handle is gone; the unmap frees it and
 * its charge comes back. */
static void contig_freed_when_the_last_mapping_goes(struct ut *t)
{
	const uint64_t size = 8 * PAGE;
	volatile uint64_t *m = (volatile uint64_t *)(uintptr_t)VA;
	uint64_t before = 0, mapped = 0, after = 0;
	fe_handle_t v;

	for (int round = 0; round < 2; round++) { /* the first round makes page tables */
		before = budget_used();
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create_flags(size, FE_VMO_CONTIGUOUS, &v)));
		UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, VA, size, RW));
		ut_del(t, v);
		m[size / 8 - 1] = 7;
		UT_EXPECT_EQ(t, m[size / 8 - 1], 7);
		mapped = budget_used();
		UT_EXPECT_OK(t, fe_vm_unmap(fe_self, VA, size));
		after = budget_used();
	}
	UT_EXPECT_GE(t, mapped, before + size);
	UT_EXPECT_EQ(t, after, before);
}

/* `role=contig-hog`: in a budget of HOG_BUDGET, a contiguous VMO twice that
 * is refused; then HOG_VMO ones until refused. Each refusal must be
 * FE_ERR_NO_MEMORY and change neither the budget nor the handles. */
int ut_role_contig_hog(void)
{
	uint64_t used = budget_used(), n = 0;
	uint32_t handles = handles_held();
	fe_handle_t h;
	fe_status_t st;

	if (fe_vmo_create_flags(2 * HOG_BUDGET, FE_VMO_CONTIGUOUS, &h) != FE_ERR_NO_MEMORY)
		return 2;
	if (budget_used() != used || handles_held() != handles)
		return 3;
	while ((st = fe_vmo_create_flags(HOG_VMO, FE_VMO_CONTIGUOUS, &h)) == FE_OK)
		n++;
	printf("    # contig-hog: %llu made, then %s\n", (unsigned long long)n, fe_status_name(st));
	if (st != FE_ERR_NO_MEMORY || n == 0)
		return 4;
	used = budget_used(), handles = handles_held();
	if (fe_vmo_create_flags(HOG_VMO, FE_VMO_CONTIGUOUS, &h) != FE_ERR_NO_MEMORY)
		return 5;
	return budget_used() == used && handles_held() == handles ? 0 : 6;
}

/* `role=contig-churn`: makes and drops the largest contiguous VMOs forever,
 * so it is nearly always inside vmo_create, zeroing a block between two
 * work points. */
int ut_role_contig_churn(void)
{
	for (;;) {
		fe_handle_t h;
		if (fe_vmo_create_flags(FE_VMO_CONTIGUOUS_MAX, FE_VMO_CONTIGUOUS, &h) == FE_OK)
			(void)fe_handle_delete(h);
	}
}

static uint64_t frames_in_use(const struct fe_kernel_stats *ks)
{
	return ks->frames_total - ks->frames_free - ks->kheap_frames;
}

static void run_child(struct ut *t, const char *role, const char *arg, uint64_t budget)
{
	struct ut_child c = { .role = role, .arg = arg, .budget = budget };
	fe_handle_t p;

	if (UT_EXPECT_OK(t, ut_spawn(&c, &p)))
		ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
}

/* A child exhausting its budget with contiguous VMOs is refused cleanly, and
 * once it has ended every object, heap object, handle and frame is back. */
static void contig_budget_exhaustion_leaks_nothing(struct ut *t)
{
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };

	run_child(t, "exit", "0", 0); /* warm up */
	if (!kernel_stats(&ka)) {
		ut_skip(t, "no trace capability");
		return;
	}
	run_child(t, "contig-hog", NULL, HOG_BUDGET);
	UT_ASSERT(t, kernel_stats(&kb));
	UT_EXPECT_EQ(t, kb.processes, ka.processes);
	UT_EXPECT_EQ(t, kb.threads, ka.threads);
	UT_EXPECT_EQ(t, kb.objects, ka.objects);
	UT_EXPECT_EQ(t, kb.kheap_objects, ka.kheap_objects);
	UT_EXPECT_EQ(t, kb.handles, ka.handles);
	UT_EXPECT_LE(t, frames_in_use(&kb), frames_in_use(&ka) + FRAME_SLACK);
}

/* A process killed while its thread is preempted zeroing a contiguous block
 * (at a work point) gives everything back: the call frees the block and the
 * half-made VMO (FE_ERR_CANCELED). As quota's kill_inside_a_long_call: the
 * child runs below us on our CPU, so our wake-up preempts it at a work point
 * and we kill it there. */
static void contig_kill_while_zeroing_frees_everything(struct ut *t)
{
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };
	struct ut_child c = { .role = "contig-churn", .budget = FE_VMO_CONTIGUOUS_MAX + (16ULL << 20),
	                      .priority = FE_PRIORITY_MIN + 1 };
	fe_handle_t p;

	run_child(t, "exit", "0", 0); /* warm up */
	if (!kernel_stats(&ka)) {
		ut_skip(t, "no trace capability");
		return;
	}
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0));
	uint64_t before = budget_used();
	for (unsigned i = 0; i < CHURN_ROUNDS; i++) {
		if (!UT_EXPECT_OK(t, ut_spawn(&c, &p)))
			break;
		(void)fe_thread_sleep(CHURN_NS + i * 7000000ULL);
		UT_EXPECT_OK(t, fe_process_kill(p));
		ut_expect_exit(t, p, FE_EXIT_KILLED, 0);
	}
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	UT_EXPECT_EQ(t, budget_used(), before);
	UT_ASSERT(t, kernel_stats(&kb));
	UT_EXPECT_EQ(t, kb.processes, ka.processes);
	UT_EXPECT_EQ(t, kb.objects, ka.objects);
	UT_EXPECT_EQ(t, kb.kheap_objects, ka.kheap_objects);
	UT_EXPECT_EQ(t, kb.threads, ka.threads);
	UT_EXPECT_LE(t, frames_in_use(&kb), frames_in_use(&ka) + FRAME_SLACK);
}

UT_SUITE(contig,
	UT_CASE(contig_maps_and_reads_back_zeros),
	UT_CASE(contig_size_is_rounded_to_pages),
	UT_CASE(contig_refuses_bad_flags_and_sizes),
	UT_CASE(contig_charged_as_its_block),
	UT_CASE(contig_freed_when_the_last_mapping_goes),
	UT_CASE(contig_budget_exhaustion_leaks_nothing),
	UT_CASE(contig_kill_while_zeroing_frees_everything));
