/* SPDX-License-Identifier: MIT */
/*
 * The numa suite: per-node frame pools on the machine's real topology. No
 * case assumes a layout: each picks the nodes it needs by what they have
 * (memory, CPUs, size) and skips with the reason when the machine has none
 * (one node: boot scenario "ktest"; two: "numa"; three, one without a CPU:
 * "numa3"; a CPU node without memory: "numa-nomem").
 */
#include "core/cpu.h"
#include "core/fault_catch.h"
#include "core/kernel.h"
#include "core/panic.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/numa.h"
#include "object/budget.h"
#include "object/group.h"
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

static bool has_memory(uint32_t node)
{
	return node_stats(node).total_frames > 0;
}

/*
 * The node that serves `node`'s requests while every pool has frames: the
 * first node in its fallback order with memory (itself if it has some), or
 * NUMA_MAX_NODES if none has. `skip_self` starts after `node` itself.
 */
static uint32_t serving_node(uint32_t node, bool skip_self)
{
	const uint32_t *order;
	uint32_t count = numa_fallback(node, &order);

	for (uint32_t i = skip_self ? 1 : 0; i < count; i++)
		if (has_memory(order[i]))
			return order[i];
	return NUMA_MAX_NODES;
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

/*
 * frame_alloc on the boot CPU is served by the CPU's own node and counted
 * local; if that node has no memory, by the nearest node with some, counted
 * remote on the CPU's node.
 */
static void numa_frame_alloc_is_local(struct ktest *t)
{
	uint32_t node = this_cpu()->node, from = serving_node(node, false);
	bool local = from == node;
	uint64_t pa;

	KT_ASSERT(t, KT_EXPECT_LT(t, from, numa_node_count()));
	struct frame_node_stats before = node_stats(node), from_before = node_stats(from);
	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(0, &pa)));
	struct frame_node_stats after = node_stats(node);
	KT_EXPECT_EQ(t, numa_node_of_phys(pa), from);
	KT_EXPECT_EQ(t, after.local_allocs, before.local_allocs + (local ? 1 : 0));
	KT_EXPECT_EQ(t, after.remote_allocs, before.remote_allocs + (local ? 0 : 1));
	KT_EXPECT_EQ(t, node_stats(from).free_frames, from_before.free_frames - 1);
	frame_free(pa, 0);
	KT_EXPECT_EQ(t, node_stats(from).free_frames, from_before.free_frames);
	if (!local)
		ktest_note(t, "CPU node %u has no memory; served by node %u", node, from);
}

/*
 * A node other than the boot CPU's with memory, the smallest if `smallest`
 * (else the lowest-numbered); NUMA_MAX_NODES if there is none. With
 * `needs_fallback`, only a node whose fallback order reaches another node
 * with memory counts.
 */
static uint32_t other_memory_node(bool smallest, bool needs_fallback)
{
	uint32_t best = NUMA_MAX_NODES;
	uint64_t best_frames = UINT64_MAX;

	for (uint32_t n = 0; n < numa_node_count(); n++) {
		uint64_t frames = node_stats(n).total_frames;
		if (n == this_cpu()->node || frames == 0)
			continue;
		if (needs_fallback && serving_node(n, true) == NUMA_MAX_NODES)
			continue;
		if (best == NUMA_MAX_NODES || (smallest && frames < best_frames)) {
			best = n;
			best_frames = frames;
		}
	}
	return best;
}

/*
 * While a node other than the boot CPU's has frames, frame_alloc_on(node)
 * returns frames inside that node's SRAT ranges.
 */
static void numa_alloc_on_node_stays_on_node(struct ktest *t)
{
	uint64_t pa[BUDDY_MAX_ORDER + 1];

	if (!need_two_nodes(t))
		return;
	uint32_t node = other_memory_node(false, false);
	if (node == NUMA_MAX_NODES) {
		ktest_skip(t, "no node other than the boot CPU's has memory");
		return;
	}
	struct frame_node_stats before = node_stats(node);
	if (before.free_frames < 2ULL << BUDDY_MAX_ORDER) {
		ktest_skip(t, "the other node with memory has too few free frames for one block of each order");
		return;
	}
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc_on(node, o, &pa[o])));
		KT_EXPECT(t, in_node_ranges(pa[o], FE_PAGE_SIZE << o, node));
		KT_EXPECT_EQ(t, numa_node_of_phys(pa[o]), node);
	}
	struct frame_node_stats mid = node_stats(node);
	KT_EXPECT_EQ(t, mid.local_allocs, before.local_allocs + BUDDY_MAX_ORDER + 1);
	KT_EXPECT_EQ(t, mid.remote_allocs, before.remote_allocs);
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		frame_free(pa[o], o);
	KT_EXPECT_EQ(t, node_stats(node).free_frames, before.free_frames);
	KT_EXPECT_OK(t, frame_check());
	ktest_note(t, "node %u", node);
}

/*
 * A node without memory (a CPU-only node) has no pool: what is asked of it
 * comes from the nearest node with memory, counted remote on it.
 */
static void numa_memoryless_node_allocs_are_remote(struct ktest *t)
{
	unsigned tested = 0;
	uint64_t pa;

	for (uint32_t n = 0; n < numa_node_count(); n++) {
		if (has_memory(n))
			continue;
		uint32_t from = serving_node(n, false);
		KT_ASSERT(t, KT_EXPECT_LT(t, from, numa_node_count()));
		struct frame_node_stats before = node_stats(n), from_before = node_stats(from);
		KT_EXPECT_EQ(t, before.free_frames, 0);
		KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc_on(n, 1, &pa)));
		KT_EXPECT_EQ(t, numa_node_of_phys(pa), from);
		KT_EXPECT(t, in_node_ranges(pa, 2 * FE_PAGE_SIZE, from));
		KT_EXPECT_EQ(t, node_stats(n).remote_allocs, before.remote_allocs + 1);
		KT_EXPECT_EQ(t, node_stats(n).local_allocs, before.local_allocs);
		KT_EXPECT_EQ(t, node_stats(from).free_frames, from_before.free_frames - 2);
		frame_free(pa, 1);
		KT_EXPECT_EQ(t, node_stats(from).free_frames, from_before.free_frames);
		KT_EXPECT_EQ(t, node_stats(n).free_frames, 0);
		ktest_note(t, "node %u has no memory; served by node %u", n, from);
		tested++;
	}
	if (tested == 0)
		ktest_skip(t, "every node has memory (boot scenario numa-nomem has a node without)");
	KT_EXPECT_OK(t, frame_check());
}

#define REMOTE_ALLOCS 16u

/* Takes REMOTE_ALLOCS frames for `node` once it is empty; checks where they came from. */
static uint64_t alloc_remote(struct ktest *t, uint32_t node, uint32_t nearest)
{
	uint64_t head = CHAIN_END, pa;

	for (unsigned i = 0; i < REMOTE_ALLOCS; i++) {
		if (!KT_EXPECT_OK(t, frame_alloc_on(node, 0, &pa)))
			break;
		KT_EXPECT_EQ(t, numa_node_of_phys(pa), nearest);
		KT_EXPECT(t, in_node_ranges(pa, FE_PAGE_SIZE, nearest));
		push(&head, pa, 0);
	}
	return head;
}

/*
 * Once a node is exhausted, its allocations come from the nearest other node
 * with memory and each counts as remote; frees go back to the node owning
 * each frame. The node exhausted is the smallest with memory other than the
 * boot CPU's (whose pool the rest of the kernel keeps using meanwhile).
 */
static void numa_exhausted_node_falls_back(struct ktest *t)
{
	uint64_t blocks;

	if (!need_two_nodes(t))
		return;
	uint32_t node = other_memory_node(true, true);
	if (node == NUMA_MAX_NODES) {
		ktest_skip(t, "no node other than the boot CPU's has memory and another node with memory to fall back to");
		return;
	}
	uint32_t nearest = serving_node(node, true);
	struct frame_node_stats n_before = node_stats(node);
	uint64_t local = exhaust_node(node, &blocks);
	struct frame_node_stats n_empty = node_stats(node), near_before = node_stats(nearest);
	uint64_t remote_total = frame_get_stats().remote_allocs;
	KT_EXPECT_EQ(t, n_empty.free_frames, 0);

	uint64_t remote = alloc_remote(t, node, nearest);
	KT_EXPECT_EQ(t, node_stats(node).remote_allocs, n_empty.remote_allocs + REMOTE_ALLOCS);
	KT_EXPECT_EQ(t, frame_get_stats().remote_allocs, remote_total + REMOTE_ALLOCS);
	KT_EXPECT_EQ(t, node_stats(node).local_allocs, n_empty.local_allocs);
	KT_EXPECT_EQ(t, node_stats(nearest).free_frames, near_before.free_frames - REMOTE_ALLOCS);

	free_chain(remote);
	KT_EXPECT_EQ(t, node_stats(nearest).free_frames, near_before.free_frames);
	KT_EXPECT_EQ(t, node_stats(node).free_frames, 0);
	free_chain(local);
	KT_EXPECT_EQ(t, node_stats(node).free_frames, n_before.free_frames);
	KT_EXPECT_OK(t, frame_check());
	ktest_note(t, "node %u: %llu blocks, %llu MiB exhausted; %u remote allocations from node %u",
	           node, (unsigned long long)blocks, (unsigned long long)(n_before.free_frames >> 8),
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

/*
 * A process's home node is its creator's CPU's; a VMO's pages come from the
 * node it names (the highest-numbered node with memory).
 */
static void numa_vmo_pages_follow_home_node(struct ktest *t)
{
	uint32_t node = numa_node_count() - 1;
	struct budget *b;

	while (node > 0 && !has_memory(node))
		node--;
	KT_ASSERT(t, KT_EXPECT(t, has_memory(node)));
	struct process *p;
	struct vmo *v;

	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, 64u << 20, &b)));
	if (KT_EXPECT_OK(t, process_create(NULL, b, b, group_root(), "numa-test", 1u << 20, &p))) {
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
	KTEST_CASE(numa_alloc_on_node_stays_on_node),
	KTEST_CASE(numa_memoryless_node_allocs_are_remote),
	KTEST_CASE(numa_exhausted_node_falls_back),
	KTEST_CASE(numa_single_node),
	KTEST_CASE(numa_vmo_pages_follow_home_node),
	KTEST_CASE(numa_bad_node_panics));
