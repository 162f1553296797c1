/* SPDX-License-Identifier: MIT */
/*
 * The numa suite: per-node frame pools on the machine's real topology. The
 * two-node cases need QEMU -numa with two nodes (boot scenario "numa") and
 * are skipped on one node; the one-node case is skipped on two.
 */
#include "core/cpu.h"
#include "core/fault_catch.h"
#include "core/kernel.h"
#include "core/panic.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/numa.h"
#include "object/budget.h"
#include "object/kobj.h"
#include "object/process.h"
#include "object/vmo.h"
#include "test/ktest.h"

#define CHAIN_END UINT64_MAX

static struct frame_node_stats node_stats(uint32_t node)
{
	struct frame_node_stats s = { 0 };

	if (frame_get_node_stats(node, &s) != FE_OK)
		panic("numa_test: no stats for node %u", node);
	return s;
}

/* True if [pa, pa + bytes) lies inside one SRAT range of `node`. */
static bool in_node_ranges(uint64_t pa, uint64_t bytes, uint32_t node)
{
	const struct numa_topo *t = numa_topo();

	for (uint32_t i = 0; i < t->nranges; i++)
		if (t->ranges[i].node == node && pa >= t->ranges[i].base && pa + bytes <= t->ranges[i].end)
			return true;
	return false;
}

/* Blocks are chained through their first two words: next block, own order. */
static void push(uint64_t *head, uint64_t pa, unsigned order)
{
	uint64_t *link = phys_to_virt(pa);

	link[0] = *head;
	link[1] = order;
	*head = pa;
}

static void free_chain(uint64_t head)
{
	while (head != CHAIN_END) {
		const uint64_t *link = phys_to_virt(head);
		uint64_t next = link[0];
		frame_free(head, (unsigned)link[1]);
		head = next;
	}
}

/*
 * Allocates everything `node`'s pool holds (largest blocks first): a request
 * that comes back from another node ends that order. Returns the chain.
 */
static uint64_t exhaust_node(uint32_t node, uint64_t *blocks)
{
	uint64_t head = CHAIN_END, pa;

	*blocks = 0;
	for (unsigned o = BUDDY_MAX_ORDER + 1; o-- > 0;) {
		while (frame_alloc_on(node, o, &pa) == FE_OK) {
			if (numa_node_of_phys(pa) != node) {
				frame_free(pa, o);
				break;
			}
			push(&head, pa, o);
			++*blocks;
		}
	}
	return head;
}

static bool need_two_nodes(struct ktest *t)
{
	if (numa_node_count() >= 2)
		return true;
	ktest_skip(t, "one NUMA node (boot scenario numa has two)");
	return false;
}

/* The boot CPU's node comes from the SRAT; distances and fallback orders are consistent. */
static void numa_topology_is_consistent(struct ktest *t)
{
	uint32_t n = numa_node_count();
	uint64_t total = 0;

	KT_ASSERT(t, KT_EXPECT(t, n >= 1 && n <= NUMA_MAX_NODES));
	KT_EXPECT_EQ(t, this_cpu()->node, numa_node_of_apic(this_cpu()->apic_id));
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t *order;
		KT_EXPECT_EQ(t, numa_distance(i, i), NUMA_DISTANCE_LOCAL);
		KT_EXPECT_GE(t, numa_fallback(i, &order), 1);
		KT_EXPECT_EQ(t, order[0], i);
		total += node_stats(i).total_frames;
	}
	KT_EXPECT_EQ(t, total, frame_get_stats().total_frames);
	KT_EXPECT_STATUS(t, frame_get_node_stats(n, &(struct frame_node_stats){ 0 }), FE_ERR_INVALID_ARG);
}

/* frame_alloc on the boot CPU is served by the CPU's own node and counted local. */
static void numa_frame_alloc_is_local(struct ktest *t)
{
	uint32_t node = this_cpu()->node;
	struct frame_node_stats before = node_stats(node);
	uint64_t pa;

	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(0, &pa)));
	struct frame_node_stats after = node_stats(node);
	KT_EXPECT_EQ(t, numa_node_of_phys(pa), node);
	KT_EXPECT_EQ(t, after.local_allocs, before.local_allocs + 1);
	KT_EXPECT_EQ(t, after.remote_allocs, before.remote_allocs);
	KT_EXPECT_EQ(t, after.free_frames, before.free_frames - 1);
	frame_free(pa, 0);
	KT_EXPECT_EQ(t, node_stats(node).free_frames, before.free_frames);
}

/* While node 1 has frames, frame_alloc_on(1) returns frames inside node 1's SRAT ranges. */
static void numa_alloc_on_node1_stays_on_node1(struct ktest *t)
{
	uint64_t pa[BUDDY_MAX_ORDER + 1];

	if (!need_two_nodes(t))
		return;
	struct frame_node_stats before = node_stats(1);
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc_on(1, o, &pa[o])));
		KT_EXPECT(t, in_node_ranges(pa[o], FE_PAGE_SIZE << o, 1));
		KT_EXPECT_EQ(t, numa_node_of_phys(pa[o]), 1);
	}
	struct frame_node_stats mid = node_stats(1);
	KT_EXPECT_EQ(t, mid.local_allocs, before.local_allocs + BUDDY_MAX_ORDER + 1);
	KT_EXPECT_EQ(t, mid.remote_allocs, before.remote_allocs);
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		frame_free(pa[o], o);
	KT_EXPECT_EQ(t, node_stats(1).free_frames, before.free_frames);
	KT_EXPECT_OK(t, frame_check());
}

#define REMOTE_ALLOCS 16u

/* Takes REMOTE_ALLOCS frames for node 1 once it is empty; checks where they came from. */
static uint64_t alloc_remote(struct ktest *t, uint32_t nearest)
{
	uint64_t head = CHAIN_END, pa;

	for (unsigned i = 0; i < REMOTE_ALLOCS; i++) {
		if (!KT_EXPECT_OK(t, frame_alloc_on(1, 0, &pa)))
			break;
		KT_EXPECT_EQ(t, numa_node_of_phys(pa), nearest);
		KT_EXPECT(t, in_node_ranges(pa, FE_PAGE_SIZE, nearest));
		push(&head, pa, 0);
	}
	return head;
}

/*
 * Once node 1 is exhausted, its allocations come from the nearest other node
 * and each counts as remote; frees go back to the node owning each frame.
 */
static void numa_exhausted_node_falls_back(struct ktest *t)
{
	const uint32_t *order;
	uint64_t blocks;

	if (!need_two_nodes(t))
		return;
	KT_ASSERT(t, KT_EXPECT_GE(t, numa_fallback(1, &order), 2));
	uint32_t nearest = order[1];
	struct frame_node_stats n1_before = node_stats(1);
	uint64_t local = exhaust_node(1, &blocks);
	struct frame_node_stats n1_empty = node_stats(1), near_before = node_stats(nearest);
	uint64_t remote_total = frame_get_stats().remote_allocs;
	KT_EXPECT_EQ(t, n1_empty.free_frames, 0);

	uint64_t remote = alloc_remote(t, nearest);
	KT_EXPECT_EQ(t, node_stats(1).remote_allocs, n1_empty.remote_allocs + REMOTE_ALLOCS);
	KT_EXPECT_EQ(t, frame_get_stats().remote_allocs, remote_total + REMOTE_ALLOCS);
	KT_EXPECT_EQ(t, node_stats(1).local_allocs, n1_empty.local_allocs);
	KT_EXPECT_EQ(t, node_stats(nearest).free_frames, near_before.free_frames - REMOTE_ALLOCS);

	free_chain(remote);
	KT_EXPECT_EQ(t, node_stats(nearest).free_frames, near_before.free_frames);
	KT_EXPECT_EQ(t, node_stats(1).free_frames, 0);
	free_chain(local);
	KT_EXPECT_EQ(t, node_stats(1).free_frames, n1_before.free_frames);
	KT_EXPECT_OK(t, frame_check());
	ktest_note(t, "node 1: %llu blocks, %llu MiB exhausted; %u remote allocations from node %u",
	           (unsigned long long)blocks, (unsigned long long)(n1_before.free_frames >> 8),
	           REMOTE_ALLOCS, nearest);
}

/* One node: it owns every address and every allocation is local. */
static void numa_single_node(struct ktest *t)
{
	const uint32_t *order;
	uint64_t pa;

	if (numa_node_count() != 1) {
		ktest_skip(t, "more than one NUMA node");
		return;
	}
	KT_EXPECT_EQ(t, numa_fallback(0, &order), 1);
	KT_EXPECT_EQ(t, numa_node_of_phys(0x100000), 0);
	KT_EXPECT_EQ(t, numa_node_of_phys(1ULL << 40), 0);
	KT_EXPECT_EQ(t, this_cpu()->node, 0);
	struct frame_node_stats before = node_stats(0);
	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc_on(0, 2, &pa)));
	KT_EXPECT_EQ(t, node_stats(0).local_allocs, before.local_allocs + 1);
	frame_free(pa, 2);
	KT_EXPECT_EQ(t, node_stats(0).remote_allocs, before.remote_allocs);
}

/* A process's home node is its creator's CPU's; a VMO's pages come from the node it names. */
static void numa_vmo_pages_follow_home_node(struct ktest *t)
{
	uint32_t node = numa_node_count() - 1; /* node 1 on two nodes */
	struct budget *b;
	struct process *p;
	struct vmo *v;

	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, 64u << 20, &b)));
	if (KT_EXPECT_OK(t, process_create(b, "numa-test", 1u << 20, &p))) {
		KT_EXPECT_EQ(t, p->home_node, this_cpu()->node);
		kobj_put(&p->obj);
	}
	if (KT_EXPECT_OK(t, vmo_create(b, node, 16 * FE_PAGE_SIZE, &v))) {
		KT_EXPECT_EQ(t, v->node, node);
		for (uint64_t i = 0; i < 16; i++)
			KT_EXPECT_EQ(t, numa_node_of_phys(v->pages[i]), node);
		KT_EXPECT_EQ(t, numa_node_of_phys(virt_to_phys_direct(v->pages)), node);
		kobj_put(&v->obj);
	}
	kobj_reap();
	KT_EXPECT_EQ(t, b->used, 0);
	budget_put(b);
}

/* Asking for a node the machine does not have is a kernel bug: it panics. */
static void numa_bad_node_panics(struct ktest *t)
{
	struct fault_catch fc;
	uint64_t pa;

	if (FAULT_CATCH(&fc) == 0) {
		frame_alloc_on(numa_node_count(), 0, &pa);
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.kind, FAULT_KIND_PANIC);
	KT_EXPECT(t, strncmp(fc.detail, "frame_alloc_on:", 15) == 0);
	KT_EXPECT_OK(t, frame_check());
}

KTEST_SUITE(numa,
	KTEST_CASE(numa_topology_is_consistent),
	KTEST_CASE(numa_frame_alloc_is_local),
	KTEST_CASE(numa_alloc_on_node1_stays_on_node1),
	KTEST_CASE(numa_exhausted_node_falls_back),
	KTEST_CASE(numa_single_node),
	KTEST_CASE(numa_vmo_pages_follow_home_node),
	KTEST_CASE(numa_bad_node_panics));
