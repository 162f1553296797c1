/* SPDX-License-Identifier: MIT */
/*
 * NUMA topology: which node each range of physical memory and each CPU
 * belongs to, how far nodes are from each other, and the order in which a
 * node's allocations fall back to the others.
 *
 * Built once at boot from the SRAT and SLIT (struct acpi_info) by
 * numa_init, before frame_init, and read-only afterwards, so the queries
 * take no lock. Nodes are numbered 0 .. count-1 in the order of their ACPI
 * proximity domains. Without an SRAT the machine is one node that owns
 * every address and every CPU.
 *
 * Pure logic (host-tested): the numa_topo_* functions work on any topology;
 * the numa_* functions answer for the machine's.
 */
#ifndef FERROUS_MM_NUMA_H
#define FERROUS_MM_NUMA_H

#include <stddef.h>
#include <stdint.h>

#include "acpi/acpi.h"

#define NUMA_MAX_NODES ACPI_MAX_NODES
#define NUMA_MAX_RANGES ACPI_MAX_MEM_AFFINITY
#define NUMA_MAX_CPUS ACPI_MAX_CPUS

/* ACPI SLIT conventions: 10 = local; without a SLIT every remote node is 20. */
#define NUMA_DISTANCE_LOCAL 10u
#define NUMA_DISTANCE_REMOTE 20u
#define NUMA_DISTANCE_UNREACHABLE 255u

/* Why the topology is what it is (bit set = true). */
#define NUMA_F_SRAT (1u << 0)      /* built from an SRAT */
#define NUMA_F_SLIT (1u << 1)      /* distances from a SLIT */
#define NUMA_F_BAD_SLIT (1u << 2)  /* a SLIT was there but unusable: defaults used */
#define NUMA_F_TOO_MANY (1u << 3)  /* more domains than NUMA_MAX_NODES: extra ones fold into node 0 */

struct numa_range {
	uint64_t base, end; /* [base, end) */
	uint32_t node;
};

struct numa_cpu {
	uint32_t apic_id;
	uint32_t node;
};

struct numa_topo {
	uint32_t flags;  /* NUMA_F_* */
	uint32_t nnodes; /* >= 1 */
	uint32_t domain[NUMA_MAX_NODES]; /* ACPI proximity domain of each node */
	uint64_t bytes[NUMA_MAX_NODES];  /* memory the SRAT gives each node */
	uint32_t nranges;
	struct numa_range ranges[NUMA_MAX_RANGES]; /* sorted by base, not overlapping */
	uint32_t ncpus;
	struct numa_cpu cpus[NUMA_MAX_CPUS];
	uint8_t distance[NUMA_MAX_NODES][NUMA_MAX_NODES];
	/* fallback[n][0 .. nfallback[n]-1]: n first, then the others nearest
	 * first (ties: lower node first); unreachable nodes are left out. */
	uint32_t nfallback[NUMA_MAX_NODES];
	uint32_t fallback[NUMA_MAX_NODES][NUMA_MAX_NODES];
};

/*
 * Builds t from the SRAT and SLIT in acpi (a one-node topology if there is
 * no SRAT). Hot-pluggable memory ranges are ignored (Ferrous does not hot-add
 * memory). Overlapping ranges keep the first one seen. Never fails.
 */
void numa_topo_build(const struct acpi_info *acpi, struct numa_topo *t);

/* The node owning phys; node 0 for an address no SRAT range covers. */
uint32_t numa_topo_node_of_phys(const struct numa_topo *t, uint64_t phys);

/*
 * The node of [base, end) at base, and the end of the longest piece starting
 * at base that lies in that one node (<= end). For splitting memory ranges
 * at node boundaries.
 */
uint64_t numa_topo_piece(const struct numa_topo *t, uint64_t base, uint64_t end, uint32_t *node);

/* The node of the CPU with this APIC id; node 0 for a CPU the SRAT does not list. */
uint32_t numa_topo_node_of_apic(const struct numa_topo *t, uint32_t apic_id);

/* SLIT distance from one node to another (NUMA_DISTANCE_UNREACHABLE if either is out of range). */
uint32_t numa_topo_distance(const struct numa_topo *t, uint32_t from, uint32_t to);

/* One line: "2 nodes: node 0 256 MiB cpus {0}, node 1 256 MiB cpus {1}" (or "no SRAT, one node"). */
void numa_topo_describe(const struct numa_topo *t, char *buf, size_t size);

/* The machine's topology: built and logged by numa_init (one node before). */
void numa_init(const struct acpi_info *acpi);
const struct numa_topo *numa_topo(void);
uint32_t numa_node_count(void);
uint32_t numa_node_of_phys(uint64_t phys);
/* For CPU start-up: store the result in struct cpu.node. */
uint32_t numa_node_of_apic(uint32_t apic_id);
uint32_t numa_distance(uint32_t from, uint32_t to);
/* Sets *order to node's fallback list (node itself first); returns its length (>= 1). */
uint32_t numa_fallback(uint32_t node, const uint32_t **order);

#endif /* FERROUS_MM_NUMA_H */
