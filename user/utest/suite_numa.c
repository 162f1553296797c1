/* SPDX-License-Identifier: MIT */
/*
 * The numa suite: FE_SYS_NODE_STATS, and where a process's memory comes from
 * on a machine with several nodes. A process's home node is the node of the
 * CPU that created it, and its memory objects come from that node's pool, so
 * a case pins itself to a CPU of a node N with memory and starts a child from
 * there: the child's memory must come from N while N has frames, and once N
 * is empty from another node, each such allocation counted as remote (N's
 * remote_allocs, the kernel's frames_remote).
 *
 * No case assumes a layout: N is picked by what the nodes have (a CPU,
 * memory, few enough free frames for a child to fill), and a case skips
 * with the reason when no node fits. Boot scenarios numa-user, numa3-user
 * and numa-nomem-user run the suite on three layouts.
 */
#include "ut.h"

#define LOCAL_PAGES 1024u  /* 4 MiB: the memory object the "local" child touches */
#define EXTRA_PAGES 64u    /* asked of node 1 once it is empty */
#define FILL_CHUNK 256u    /* pages per memory object while filling node 1 */
#define FILL_MAX_VMOS 4096u
/* Enough to fill a 64 MiB node; the child also needs its image, page tables
 * and objects. utest's own budget is half of init's, about 180 MiB on a 512
 * MiB machine. */
#define CHILD_BUDGET (96ULL << 20)
/* What the "fill" child needs besides the node's free frames. */
#define FILL_OVERHEAD (16ULL << 20)
/*
 * Frames of node 1 that may still be in use after the child has ended and
 * been reaped: each slab cache keeps one empty slab for reuse (kernel/mm/
 * slab.h), and the caches that grew on node 1 while the child ran (memory
 * objects, handle tables, threads) keep theirs. A few pages each; 64 frames
 * (256 KiB) is far below what the child held (all of node 1).
 */
#define RETURN_SLACK 64u
#define RETURN_POLLS 2000u /* ~2 s for the reaper to give the frames back */
#define POLL_NS 1000000ULL

/*
 * The page parent and child share (the child's USER0, mapped at UT_SHM_VA).
 * The parent writes `go` and `leave`; the child writes the rest.
 */
struct numa_shm {
	volatile uint64_t go;      /* parent: allocate EXTRA_PAGES more ("fill") */
	volatile uint64_t ready;   /* child: its memory is allocated (and touched) */
	volatile uint64_t extra;   /* child: the EXTRA_PAGES are allocated too */
	volatile uint64_t leave;   /* parent: exit now */
	volatile uint64_t failed;  /* child: the step that failed (its exit code), or 0 */
	volatile uint64_t pages;   /* child: pages it allocated before `ready` */
	volatile uint64_t node;    /* parent, before the child starts: the node to fill */
};

/* ---- the child: `utest role=numa local|fill` ---- */

/* Sets `word` so the parent stops waiting, recording a failure first. */
static int child_report(struct numa_shm *s, volatile uint64_t *word, int rc)
{
	if (rc != 0)
		s->failed = (uint64_t)rc;
	*word = 1;
	return rc;
}

/* A LOCAL_PAGES memory object, mapped and written page by page. */
static int child_local(struct numa_shm *s)
{
	fe_handle_t v;
	uint64_t va = fe_va_alloc(LOCAL_PAGES * PAGE);

	if (va == 0 || fe_vmo_create(LOCAL_PAGES * PAGE, &v) != FE_OK)
		return 3;
	if (fe_vm_map(fe_self, v, 0, va, LOCAL_PAGES * PAGE, FE_VM_READ | FE_VM_WRITE) != FE_OK)
		return 4;
	for (uint64_t i = 0; i < LOCAL_PAGES; i++)
		*(volatile uint64_t *)(uintptr_t)(va + i * PAGE) = i + 1;
	s->pages = LOCAL_PAGES;
	return 0;
}

/*
 * Memory objects until node s->node has no free frame left, each no bigger
 * than what the node still has; they are kept until the process ends.
 */
static int child_fill(struct numa_shm *s, fe_handle_t tr)
{
	struct fe_node_stats ns;
	fe_handle_t v;

	for (unsigned n = 0; n < FILL_MAX_VMOS; n++) {
		if (fe_node_stats(tr, (uint32_t)s->node, &ns) != FE_OK)
			return 5;
		if (ns.free_frames == 0)
			return 0;
		uint64_t chunk = ns.free_frames < FILL_CHUNK ? ns.free_frames : FILL_CHUNK;
		if (fe_vmo_create(chunk * PAGE, &v) != FE_OK)
			return 6;
		s->pages += chunk;
	}
	return 7; /* the node never emptied */
}

/* USER0: the shared page; USER1 ("fill" only): the trace capability, READ. */
int ut_role_numa(const char *arg)
{
	struct numa_shm *s = (struct numa_shm *)UT_SHM_VA;
	bool fill = arg && strcmp(arg, "fill") == 0;
	fe_handle_t v;
	int rc;

	if (!arg || (!fill && strcmp(arg, "local") != 0))
		return 2;
	if (fe_vm_map(fe_self, ut_slot(FE_START_USER0), 0, UT_SHM_VA, PAGE,
	              FE_VM_READ | FE_VM_WRITE) != FE_OK)
		return 1;
	rc = fill ? child_fill(s, ut_slot(FE_START_USER0 + 1)) : child_local(s);
	if (child_report(s, &s->ready, rc) != 0)
		return rc;
	if (fill) {
		if (!ut_poll(&s->go))
			return child_report(s, &s->extra, 8);
		rc = fe_vmo_create(EXTRA_PAGES * PAGE, &v) == FE_OK ? 0 : 9;
		if (child_report(s, &s->extra, rc) != 0)
			return rc;
	}
	return ut_poll(&s->leave) ? 0 : 10;
}

/* ---- the parent ---- */

static fe_handle_t trace_cap(struct ut *t)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	if (tr == FE_HANDLE_INVALID)
		ut_skip(t, "no trace capability");
	return tr;
}

static bool node_stats(struct ut *t, uint32_t node, struct fe_node_stats *out)
{
	return UT_EXPECT_OK(t, fe_node_stats(ut_slot(FE_START_TRACE), node, out));
}

static bool kernel_stats(struct ut *t, struct fe_kernel_stats *out)
{
	return UT_EXPECT_OK(t, fe_kernel_stats(ut_slot(FE_START_TRACE), out));
}

/* The lowest CPU in a node's mask. */
static uint32_t first_cpu(uint64_t mask)
{
	uint32_t c = 0;

	while (!((mask >> c) & 1))
		c++;
	return c;
}

/*
 * A node with a CPU and memory, and that CPU (true), or a skip. "local":
 * prefers a node other than node 0 (where init and utest start), else node
 * 0. "fill": the one with the fewest free frames, which must fit in a
 * child's budget, and another node must have memory to fall back to.
 */
static bool pick_node(struct ut *t, bool fill, uint32_t *node, uint32_t *cpu)
{
	struct fe_kernel_stats ks = { 0 };
	struct fe_node_stats ns, best = { 0 };
	uint32_t with_memory = 0;
	bool found = false;

	if (trace_cap(t) == FE_HANDLE_INVALID || !kernel_stats(t, &ks))
		return false;
	if (ks.numa_nodes < 2) {
		ut_skip(t, "one NUMA node (boot scenario numa-user has two)");
		return false;
	}
	for (uint32_t n = 0; n < ks.numa_nodes; n++) {
		if (!node_stats(t, n, &ns))
			return false;
		if (ns.total_frames > 0)
			with_memory++;
		if (ns.total_frames == 0 || ns.cpu_mask == 0)
			continue;
		if (!found || (fill ? ns.free_frames < best.free_frames : best.node == 0)) {
			best = ns;
			found = true;
		}
	}
	if (!found) {
		ut_skip(t, "no node has both a CPU and memory");
		return false;
	}
	if (fill && with_memory < 2) {
		ut_skip(t, "only one node has memory: nothing to fall back to once it is full");
		return false;
	}
	if (fill && best.free_frames * PAGE + FILL_OVERHEAD > CHILD_BUDGET) {
		ut_note(t, "node %llu: %llu MiB free", (unsigned long long)best.node,
		        (unsigned long long)(best.free_frames * PAGE >> 20));
		ut_skip(t, "every node with a CPU has more free memory than a child's budget can fill");
		return false;
	}
	*node = (uint32_t)best.node;
	*cpu = first_cpu(best.cpu_mask);
	return true;
}

/* Failed calls must leave *out as it was: filled with this byte first. */
#define UNTOUCHED 0xa5

static bool untouched(const struct fe_node_stats *ns)
{
	const uint8_t *b = (const uint8_t *)ns;

	for (size_t i = 0; i < sizeof(*ns); i++)
		if (b[i] != UNTOUCHED)
			return false;
	return true;
}

/* An out-structure running off the end of a mapping (fe_map_new leaves a guard page). */
static void straddle_writes_nothing(struct ut *t, fe_handle_t tr)
{
	fe_handle_t vmo;
	void *va;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &vmo, &va)));
	volatile uint64_t *tail = (volatile uint64_t *)((char *)va + PAGE - 16);
	tail[0] = tail[1] = 0x5a5a5a5a5a5a5a5aULL;
	UT_EXPECT_STATUS(t, fe_node_stats(tr, 0, (void *)(uintptr_t)tail), FE_ERR_FAULT);
	UT_EXPECT_EQ(t, tail[0], 0x5a5a5a5a5a5a5a5aULL);
	UT_EXPECT_EQ(t, tail[1], 0x5a5a5a5a5a5a5a5aULL);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, PAGE));
	ut_del(t, vmo);
}

/* Every refusal of FE_SYS_NODE_STATS, each writing nothing. */
static void node_stats_checks(struct ut *t)
{
	struct fe_kernel_stats ks = { 0 };
	struct fe_node_stats ns;
	fe_handle_t tr = trace_cap(t);

	if (tr == FE_HANDLE_INVALID || !kernel_stats(t, &ks))
		return;
	fe_handle_t no_read = ut_dup(t, tr, FE_RIGHT_DUPLICATE);
	uint32_t past = (uint32_t)ks.numa_nodes;
	memset(&ns, UNTOUCHED, sizeof(ns));
	UT_EXPECT_STATUS(t, fe_node_stats(tr, past, &ns), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_node_stats(tr, ~0u, &ns), FE_ERR_INVALID_ARG);
	/* All 64 bits of the index count: 1 << 32 is not node 0. */
	UT_EXPECT_STATUS(t, (fe_status_t)fe_syscall6(FE_SYS_NODE_STATS, tr, 1ULL << 32,
	                                             (uint64_t)(uintptr_t)&ns, 0, 0, 0),
	                 FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_node_stats(0x123456789ULL, 0, &ns), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_node_stats(fe_self, 0, &ns), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_node_stats(no_read, 0, &ns), FE_ERR_ACCESS_DENIED);
	UT_EXPECT(t, untouched(&ns));
	UT_EXPECT_STATUS(t, fe_node_stats(tr, 0, NULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_node_stats(tr, 0, (void *)0x20000), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_node_stats(tr, 0, (void *)0xffff800000000000ULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_node_stats(tr, 0, (void *)(uintptr_t)ut_rodata_word), FE_ERR_FAULT);
	straddle_writes_nothing(t, tr);
	UT_EXPECT_OK(t, fe_node_stats(tr, past - 1, &ns)); /* the last node is fine */
	UT_EXPECT_EQ(t, ns.node, past - 1);
	ut_del(t, no_read);
}

/* The nodes add up to the kernel's totals, and their CPU masks match fe_cpu_stats. */
static void node_stats_describe_the_machine(struct ut *t)
{
	struct fe_kernel_stats before = { 0 }, after = { 0 };
	uint64_t total = 0, remote = 0, cpus_seen = 0;
	fe_handle_t tr = trace_cap(t);

	if (tr == FE_HANDLE_INVALID || !kernel_stats(t, &before))
		return;
	UT_EXPECT_GE(t, before.numa_nodes, 1);
	for (uint32_t n = 0; n < before.numa_nodes; n++) {
		struct fe_node_stats ns = { 0 };
		UT_ASSERT(t, node_stats(t, n, &ns));
		UT_EXPECT_EQ(t, ns.node, n);
		UT_EXPECT_LE(t, ns.free_frames, ns.total_frames);
		UT_EXPECT_EQ(t, ns.cpu_mask & cpus_seen, 0); /* a CPU is on one node */
		for (uint32_t c = 0; c < before.cpus; c++) {
			struct fe_cpu_stats cs;
			if (UT_EXPECT_OK(t, fe_cpu_stats(tr, c, &cs)))
				UT_EXPECT_EQ(t, (ns.cpu_mask >> c) & 1, cs.node == n);
		}
		ut_note(t, "node %u: %llu of %llu frames free, %llu local and %llu remote allocations, "
		        "cpus %#llx", n, (unsigned long long)ns.free_frames,
		        (unsigned long long)ns.total_frames, (unsigned long long)ns.local_allocs,
		        (unsigned long long)ns.remote_allocs, (unsigned long long)ns.cpu_mask);
		cpus_seen |= ns.cpu_mask;
		total += ns.total_frames;
		remote += ns.remote_allocs;
	}
	UT_ASSERT(t, kernel_stats(t, &after));
	UT_EXPECT_EQ(t, total, before.frames_total);
	UT_EXPECT_EQ(t, cpus_seen, before.cpus < 64 ? (1ULL << before.cpus) - 1 : ~0ULL);
	UT_EXPECT_GE(t, remote, before.frames_remote); /* read in between */
	UT_EXPECT_LE(t, remote, after.frames_remote);
	if (before.numa_nodes == 1) {
		struct fe_node_stats n0 = { 0 };
		UT_ASSERT(t, node_stats(t, 0, &n0));
		UT_EXPECT_EQ(t, n0.remote_allocs, 0); /* nowhere else to go */
		UT_EXPECT_GT(t, n0.local_allocs, 0);
	}
}

/* Shared page + child, started from the current CPU. */
struct numa_child {
	fe_handle_t shm, proc;
	struct numa_shm *s;
};

static bool start_child(struct ut *t, const char *mode, fe_handle_t tr, uint32_t node,
                        struct numa_child *k)
{
	void *va = NULL;
	struct ut_child c = { .role = "numa", .arg = mode, .budget = CHILD_BUDGET };

	if (!UT_EXPECT_OK(t, fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &k->shm, &va)))
		return false;
	k->s = va;
	k->s->node = node;
	c.user[0] = k->shm;
	c.user[1] = tr;
	if (UT_EXPECT_OK(t, ut_spawn(&c, &k->proc)))
		return true;
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, PAGE));
	ut_del(t, k->shm);
	return false;
}

/* Waits for the child's `word`; false (noted) if the child failed or never got there. */
static bool child_reached(struct ut *t, struct numa_child *k, volatile uint64_t *word)
{
	if (!ut_poll(word)) {
		ut_note(t, "the child did not report in time");
		return UT_EXPECT(t, false);
	}
	return UT_EXPECT_MSG(t, k->s->failed == 0, "the child failed at step %llu",
	                     (unsigned long long)k->s->failed);
}

/* Lets the child go and checks it exited 0; unmaps the shared page. */
static void end_child(struct ut *t, struct numa_child *k)
{
	k->s->leave = 1;
	ut_expect_exit(t, k->proc, FE_EXIT_NORMAL, 0);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)k->s, PAGE));
	ut_del(t, k->shm);
}

/*
 * Runs fn(t, node) pinned to `cpu`, then lets this thread run anywhere again
 * (also when fn ended early).
 */
static void on_cpu(struct ut *t, uint32_t cpu, uint32_t node, void (*fn)(struct ut *t, uint32_t node))
{
	uint32_t here = ~0u;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu)));
	UT_EXPECT_OK(t, fe_cpu_current(&here));
	if (UT_EXPECT_EQ(t, here, cpu))
		fn(t, node);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
}

#define MAX_NODES 64u /* the most nodes local_on_node compares */

/* Every node's stats into out[]; false if a call failed. */
static bool all_node_stats(struct ut *t, uint32_t nodes, struct fe_node_stats *out)
{
	for (uint32_t n = 0; n < nodes; n++)
		if (!node_stats(t, n, &out[n]))
			return false;
	return true;
}

static void local_on_node(struct ut *t, uint32_t node)
{
	struct fe_node_stats a[MAX_NODES], b[MAX_NODES];
	struct fe_kernel_stats ks = { 0 };
	struct numa_child k;

	UT_ASSERT(t, kernel_stats(t, &ks) && UT_EXPECT_LE(t, ks.numa_nodes, MAX_NODES));
	uint32_t nodes = (uint32_t)ks.numa_nodes;
	UT_ASSERT(t, all_node_stats(t, nodes, a));
	UT_ASSERT(t, start_child(t, "local", FE_HANDLE_INVALID, node, &k));
	if (child_reached(t, &k, &k.s->ready) && all_node_stats(t, nodes, b)) {
		UT_EXPECT_GE(t, b[node].local_allocs, a[node].local_allocs + LOCAL_PAGES);
		UT_EXPECT_GE(t, a[node].free_frames, b[node].free_frames + LOCAL_PAGES);
		UT_EXPECT_EQ(t, b[node].remote_allocs, a[node].remote_allocs); /* it had frames */
		for (uint32_t n = 0; n < nodes; n++) {
			if (n == node)
				continue;
			/* A node without memory counts whatever its CPUs ask for as remote. */
			if (a[n].total_frames > 0)
				UT_EXPECT_EQ(t, b[n].remote_allocs, a[n].remote_allocs);
			/* Had the pages come from node n, its count would have grown by as much. */
			UT_EXPECT_LT(t, b[n].local_allocs - a[n].local_allocs, LOCAL_PAGES);
			UT_EXPECT_LT(t, b[n].remote_allocs - a[n].remote_allocs, LOCAL_PAGES);
		}
		ut_note(t, "node %u: %llu allocations, %llu frames fewer free while the child runs",
		        node, (unsigned long long)(b[node].local_allocs - a[node].local_allocs),
		        (unsigned long long)(a[node].free_frames - b[node].free_frames));
	}
	end_child(t, &k);
}

/* (c) A child started from a CPU of a node with memory gets its memory from that node. */
static void child_allocates_on_its_node(struct ut *t)
{
	uint32_t node, cpu;

	if (pick_node(t, false, &node, &cpu))
		on_cpu(t, cpu, node, local_on_node);
}

/* The node's free frames back to within RETURN_SLACK of `want` (bounded wait). */
static void expect_node_back(struct ut *t, uint32_t node, uint64_t want)
{
	struct fe_node_stats ns = { 0 };

	for (unsigned i = 0; i < RETURN_POLLS; i++) {
		if (!node_stats(t, node, &ns) || ns.free_frames + RETURN_SLACK >= want)
			break;
		(void)fe_thread_sleep(POLL_NS);
	}
	if (UT_EXPECT_MSG(t, ns.free_frames + RETURN_SLACK >= want,
	                  "node %u: %llu frames free after the child, %llu before", node,
	                  (unsigned long long)ns.free_frames, (unsigned long long)want))
		ut_note(t, "node %u: %llu frames free after the child, %llu before", node,
		        (unsigned long long)ns.free_frames, (unsigned long long)want);
}

static void fill_node(struct ut *t, uint32_t node)
{
	struct fe_node_stats a1 = { 0 }, e1 = { 0 }, x1 = { 0 };
	struct fe_kernel_stats ek = { 0 }, xk = { 0 };
	fe_handle_t tr = ut_dup(t, ut_slot(FE_START_TRACE), FE_RIGHT_READ | FE_RIGHT_TRANSFER);
	struct numa_child k;

	UT_ASSERT(t, node_stats(t, node, &a1));
	if (!start_child(t, "fill", tr, node, &k))
		goto out;
	if (!child_reached(t, &k, &k.s->ready) || !node_stats(t, node, &e1) || !kernel_stats(t, &ek))
		goto end;
	UT_EXPECT_EQ(t, e1.free_frames, 0);
	k.s->go = 1;
	if (child_reached(t, &k, &k.s->extra) && node_stats(t, node, &x1) && kernel_stats(t, &xk)) {
		UT_EXPECT_GE(t, x1.remote_allocs, e1.remote_allocs + EXTRA_PAGES);
		UT_EXPECT_GE(t, xk.frames_remote, ek.frames_remote + EXTRA_PAGES);
		UT_EXPECT_EQ(t, x1.free_frames, 0);
	}
	ut_note(t, "node %u: %llu frames free at the start, filled with %llu pages; "
	        "remote allocations %llu -> %llu", node, (unsigned long long)a1.free_frames,
	        (unsigned long long)k.s->pages, (unsigned long long)e1.remote_allocs,
	        (unsigned long long)x1.remote_allocs);
end:
	end_child(t, &k);
	expect_node_back(t, node, a1.free_frames);
out:
	ut_del(t, tr);
}

/*
 * (d) Once the child's node is empty, what the child asks of it comes from
 * elsewhere, counted as remote; when the child ends the node gets its frames
 * back. The node is the one with a CPU and the fewest free frames.
 */
static void exhausted_node_goes_remote(struct ut *t)
{
	uint32_t node, cpu;

	if (pick_node(t, true, &node, &cpu))
		on_cpu(t, cpu, node, fill_node);
}

UT_SUITE(numa,
	UT_CASE(node_stats_checks),
	UT_CASE(node_stats_describe_the_machine),
	UT_CASE(child_allocates_on_its_node),
	UT_CASE(exhausted_node_goes_remote));
