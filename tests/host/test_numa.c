/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/mm/numa.c: nodes from SRAT proximity domains, the node
 * of an address and of a CPU, splitting ranges at node boundaries, SLIT
 * distances (and the defaults when it is absent or unusable), fallback
 * orders, and the boot line.
 */
#include "host_test.h"

#include <stdbool.h>

#include "core/log.h"
#include "mm/numa.h"

/* numa_init logs; these tests call only the pure functions. */
void klog(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

#define MiB (1ULL << 20)

static struct acpi_info *new_info(void)
{
	struct acpi_info *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	return a;
}

static void add_mem(struct acpi_info *a, uint64_t base, uint64_t len, uint32_t dom, bool hotplug)
{
	a->have_srat = true;
	a->srat_mems[a->nsrat_mems++] = (struct acpi_srat_mem){ .base = base, .length = len,
	                                                        .node = dom, .hotplug = hotplug };
}

static void add_cpu(struct acpi_info *a, uint32_t apic_id, uint32_t dom)
{
	a->have_srat = true;
	a->srat_cpus[a->nsrat_cpus++] = (struct acpi_srat_cpu){ apic_id, dom };
}

/* What QEMU builds for -numa node,nodeid=0,cpus=0 / nodeid=1,cpus=1 with 256 MiB each. */
static struct acpi_info *qemu_two_nodes(void)
{
	struct acpi_info *a = new_info();

	add_mem(a, 0, 0xa0000, 0, false);
	add_mem(a, 0x100000, 0x10000000 - 0x100000, 0, false);
	add_mem(a, 0x10000000, 0x10000000, 1, false);
	add_cpu(a, 0, 0);
	add_cpu(a, 1, 1);
	return a;
}

static struct numa_topo *build(const struct acpi_info *a)
{
	struct numa_topo *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	numa_topo_build(a, t);
	return t;
}

static void no_srat_is_one_node(void **state)
{
	(void)state;
	struct acpi_info *a = new_info();
	struct numa_topo *t = build(a);
	char line[64];
	uint32_t node = 7;

	assert_int_equal(t->nnodes, 1);
	assert_int_equal(t->flags & NUMA_F_SRAT, 0);
	assert_int_equal(numa_topo_node_of_phys(t, 0x12345000), 0);
	assert_int_equal(numa_topo_node_of_apic(t, 3), 0);
	assert_int_equal(numa_topo_distance(t, 0, 0), NUMA_DISTANCE_LOCAL);
	assert_int_equal(numa_topo_distance(t, 0, 1), NUMA_DISTANCE_UNREACHABLE);
	assert_int_equal(t->nfallback[0], 1);
	assert_int_equal(t->fallback[0][0], 0);
	assert_int_equal(numa_topo_piece(t, 0x1000, 0x9000, &node), 0x9000);
	assert_int_equal(node, 0);
	numa_topo_describe(t, line, sizeof(line));
	assert_string_equal(line, "no SRAT, one node");
	free(t);
	free(a);
}

static void two_nodes_split_at_the_boundary(void **state)
{
	(void)state;
	struct acpi_info *a = qemu_two_nodes();
	struct numa_topo *t = build(a);
	uint32_t node = 9;

	assert_int_equal(t->nnodes, 2);
	assert_int_equal(t->nranges, 3);
	assert_int_equal(numa_topo_node_of_phys(t, 0x100000), 0);
	assert_int_equal(numa_topo_node_of_phys(t, 0xfffffff), 0);
	assert_int_equal(numa_topo_node_of_phys(t, 0x10000000), 1);
	assert_int_equal(numa_topo_node_of_phys(t, 0x1fffffff), 1);
	assert_int_equal(numa_topo_node_of_phys(t, 0x20000000), 0); /* no range: node 0 */
	assert_int_equal(numa_topo_node_of_phys(t, 0xb0000), 0);    /* the hole below 1 MiB */
	/* A range across the boundary comes back in two pieces. */
	assert_int_equal(numa_topo_piece(t, 0xff00000, 0x10100000, &node), 0x10000000);
	assert_int_equal(node, 0);
	assert_int_equal(numa_topo_piece(t, 0x10000000, 0x10100000, &node), 0x10100000);
	assert_int_equal(node, 1);
	/* A piece in a gap stops where the next range starts. */
	assert_int_equal(numa_topo_piece(t, 0xa0000, 0x200000, &node), 0x100000);
	assert_int_equal(node, 0);
	assert_int_equal(numa_topo_piece(t, 0x1ff00000, 0x30000000, &node), 0x20000000);
	assert_int_equal(node, 1);
	assert_int_equal(numa_topo_node_of_apic(t, 0), 0);
	assert_int_equal(numa_topo_node_of_apic(t, 1), 1);
	assert_int_equal(numa_topo_node_of_apic(t, 42), 0);
	free(t);
	free(a);
}

static void defaults_without_slit(void **state)
{
	(void)state;
	struct acpi_info *a = qemu_two_nodes();
	struct numa_topo *t = build(a);

	assert_int_equal(t->flags & (NUMA_F_SLIT | NUMA_F_BAD_SLIT), 0);
	assert_int_equal(numa_topo_distance(t, 0, 1), NUMA_DISTANCE_REMOTE);
	assert_int_equal(numa_topo_distance(t, 1, 1), NUMA_DISTANCE_LOCAL);
	assert_int_equal(t->nfallback[1], 2);
	assert_int_equal(t->fallback[1][0], 1);
	assert_int_equal(t->fallback[1][1], 0);
	free(t);
	free(a);
}

static void describe_matches_the_boot_line(void **state)
{
	(void)state;
	struct acpi_info *a = qemu_two_nodes();
	struct numa_topo *t = build(a);
	char line[128], tiny[12];

	add_cpu(a, 2, 1);
	free(t);
	t = build(a);
	numa_topo_describe(t, line, sizeof(line));
	assert_string_equal(line, "2 nodes: node 0 256 MiB cpus {0}, node 1 256 MiB cpus {1,2}");
	numa_topo_describe(t, tiny, sizeof(tiny)); /* truncated, still a string */
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_memory_equal(tiny, line, sizeof(tiny) - 1);
	free(t);
	free(a);
}

/* Sparse domains 0, 1, 2, 5 become nodes 0..3; the SLIT is indexed by domain. */
static void slit_orders_fallback_nearest_first(void **state)
{
	(void)state;
	struct acpi_info *a = new_info();
	static const uint32_t doms[4] = { 0, 1, 2, 5 };
	static const uint8_t d0[6] = { 10, 30, 20, 0, 0, 20 };

	for (uint32_t i = 0; i < 4; i++)
		add_mem(a, (uint64_t)i * 256 * MiB, 256 * MiB, doms[i], false);
	a->slit_nodes = 6;
	for (uint32_t i = 0; i < 6; i++)
		for (uint32_t j = 0; j < 6; j++)
			a->slit[i][j] = i == j ? 10 : 40;
	memcpy(a->slit[0], d0, sizeof(d0));
	struct numa_topo *t = build(a);

	assert_int_equal(t->nnodes, 4);
	assert_int_equal(t->domain[3], 5);
	assert_true(t->flags & NUMA_F_SLIT);
	assert_int_equal(numa_topo_node_of_phys(t, 3 * 256 * MiB), 3);
	assert_int_equal(numa_topo_distance(t, 0, 3), 20);
	assert_int_equal(numa_topo_distance(t, 3, 0), 40);
	/* From node 0: 10 (itself), then 20 (nodes 2, 3 in node order), then 30 (node 1). */
	assert_int_equal(t->nfallback[0], 4);
	assert_int_equal(t->fallback[0][0], 0);
	assert_int_equal(t->fallback[0][1], 2);
	assert_int_equal(t->fallback[0][2], 3);
	assert_int_equal(t->fallback[0][3], 1);
	/* From node 2 everything else is 40: node order. */
	assert_int_equal(t->fallback[2][0], 2);
	assert_int_equal(t->fallback[2][1], 0);
	assert_int_equal(t->fallback[2][2], 1);
	assert_int_equal(t->fallback[2][3], 3);
	free(t);
	free(a);
}

static void unusable_slit_gives_defaults(void **state)
{
	(void)state;
	struct acpi_info *a = qemu_two_nodes();

	a->slit_nodes = 2;
	a->slit[0][0] = 10, a->slit[0][1] = 21, a->slit[1][0] = 21, a->slit[1][1] = 11;
	struct numa_topo *t = build(a);
	assert_true(t->flags & NUMA_F_BAD_SLIT);
	assert_int_equal(numa_topo_distance(t, 0, 1), NUMA_DISTANCE_REMOTE);
	free(t);

	a->slit_nodes = 1; /* smaller than the SRAT's domains */
	a->slit[0][0] = 10;
	t = build(a);
	assert_true(t->flags & NUMA_F_BAD_SLIT);
	free(t);

	a->slit_nodes = 2;
	a->slit[1][1] = 10, a->slit[0][1] = 10; /* off the diagonal must be > 10 */
	t = build(a);
	assert_true(t->flags & NUMA_F_BAD_SLIT);
	free(t);
	free(a);
}

static void unreachable_nodes_are_not_fallbacks(void **state)
{
	(void)state;
	struct acpi_info *a = qemu_two_nodes();

	a->slit_nodes = 2;
	a->slit[0][0] = a->slit[1][1] = 10;
	a->slit[0][1] = 255;
	a->slit[1][0] = 30;
	struct numa_topo *t = build(a);
	assert_true(t->flags & NUMA_F_SLIT);
	assert_int_equal(t->nfallback[0], 1);
	assert_int_equal(t->nfallback[1], 2);
	free(t);
	free(a);
}

/* Hot-pluggable and empty ranges are ignored; an overlapping range loses to the first. */
static void odd_ranges(void **state)
{
	(void)state;
	struct acpi_info *a = qemu_two_nodes();

	add_mem(a, 0x100000000ULL, 1ULL << 32, 3, true);
	add_mem(a, 0x200000000ULL, 0, 4, false);
	add_mem(a, 0x18000000, 0x10000000, 2, false); /* overlaps node 1: dropped */
	add_mem(a, UINT64_MAX - 0xfff, 0x2000, 0, false); /* wraps: clamped */
	struct numa_topo *t = build(a);
	assert_int_equal(t->nnodes, 3); /* domain 2 still names a node */
	assert_int_equal(t->nranges, 4);
	assert_int_equal(t->bytes[2], 0);
	assert_int_equal(numa_topo_node_of_phys(t, 0x1c000000), 1);
	assert_int_equal(numa_topo_node_of_phys(t, 0x180000000ULL), 0);
	assert_int_equal(t->ranges[3].end, UINT64_MAX);
	free(t);
	free(a);
}

/* A node with CPUs and no memory still exists; its allocations fall back. */
static void cpu_only_node(void **state)
{
	(void)state;
	struct acpi_info *a = qemu_two_nodes();

	add_cpu(a, 4, 7);
	struct numa_topo *t = build(a);
	assert_int_equal(t->nnodes, 3);
	assert_int_equal(numa_topo_node_of_apic(t, 4), 2);
	assert_int_equal(t->nfallback[2], 3);
	assert_int_equal(t->fallback[2][0], 2);
	free(t);
	free(a);
}

static void too_many_domains_fold_into_node_0(void **state)
{
	(void)state;
	struct acpi_info *a = new_info();

	for (uint32_t d = NUMA_MAX_NODES + 2; d-- > 0;) /* highest first: each must give way */
		add_mem(a, (uint64_t)d * 16 * MiB, 16 * MiB, d, false);
	struct numa_topo *t = build(a);
	assert_int_equal(t->nnodes, NUMA_MAX_NODES);
	assert_true(t->flags & NUMA_F_TOO_MANY);
	for (uint32_t n = 0; n < NUMA_MAX_NODES; n++)
		assert_int_equal(t->domain[n], n);
	assert_int_equal(numa_topo_node_of_phys(t, (NUMA_MAX_NODES - 1) * 16 * MiB), NUMA_MAX_NODES - 1);
	assert_int_equal(numa_topo_node_of_phys(t, (NUMA_MAX_NODES + 1) * 16 * MiB), 0);
	free(t);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_srat_is_one_node),
		cmocka_unit_test(two_nodes_split_at_the_boundary),
		cmocka_unit_test(defaults_without_slit),
		cmocka_unit_test(describe_matches_the_boot_line),
		cmocka_unit_test(slit_orders_fallback_nearest_first),
		cmocka_unit_test(unusable_slit_gives_defaults),
		cmocka_unit_test(unreachable_nodes_are_not_fallbacks),
		cmocka_unit_test(odd_ranges),
		cmocka_unit_test(cpu_only_node),
		cmocka_unit_test(too_many_domains_fold_into_node_0),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
