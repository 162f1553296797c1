/* SPDX-License-Identifier: MIT */
#include "mm/numa.h"

#include <stdbool.h>

#include "core/log.h"
#include "lib/fmt.h"
#include "lib/util.h"

/* Written once by numa_init, before any other CPU runs; read-only after. */
static struct numa_topo machine = {
	.nnodes = 1,
	.distance = { { NUMA_DISTANCE_LOCAL } },
	.nfallback = { 1 },
};

/* Adds dom to the sorted set t->domain, keeping the lowest NUMA_MAX_NODES. */
static void add_domain(struct numa_topo *t, uint32_t dom)
{
	uint32_t i = 0;

	while (i < t->nnodes && t->domain[i] < dom)
		i++;
	if (i < t->nnodes && t->domain[i] == dom)
		return;
	if (t->nnodes == NUMA_MAX_NODES) {
		t->flags |= NUMA_F_TOO_MANY;
		if (i == t->nnodes)
			return;
		t->nnodes--; /* the highest domain gives way */
	}
	for (uint32_t j = t->nnodes; j > i; j--)
		t->domain[j] = t->domain[j - 1];
	t->domain[i] = dom;
	t->nnodes++;
}

static uint32_t node_of_domain(const struct numa_topo *t, uint32_t dom)
{
	for (uint32_t i = 0; i < t->nnodes; i++)
		if (t->domain[i] == dom)
			return i;
	return 0;
}

static bool counts(const struct acpi_srat_mem *m)
{
	return !m->hotplug && m->length > 0;
}

/* Inserts [base, end) in base order unless it overlaps a range already there. */
static void add_range(struct numa_topo *t, uint64_t base, uint64_t end, uint32_t node)
{
	uint32_t i = 0;

	while (i < t->nranges && t->ranges[i].base < base)
		i++;
	if ((i > 0 && t->ranges[i - 1].end > base) || (i < t->nranges && t->ranges[i].base < end))
		return;
	for (uint32_t j = t->nranges; j > i; j--)
		t->ranges[j] = t->ranges[j - 1];
	t->ranges[i] = (struct numa_range){ base, end, node };
	t->nranges++;
	t->bytes[node] += end - base;
}

/* The SLIT's matrix, if it covers every node with sane values (10 on the diagonal, > 10 off it). */
static bool slit_usable(const struct acpi_info *acpi, const struct numa_topo *t)
{
	if (acpi->slit_nodes == 0)
		return false;
	for (uint32_t i = 0; i < t->nnodes; i++) {
		for (uint32_t j = 0; j < t->nnodes; j++) {
			uint32_t di = t->domain[i], dj = t->domain[j];
			if (di >= acpi->slit_nodes || dj >= acpi->slit_nodes)
				return false;
			uint8_t d = acpi->slit[di][dj];
			if (i == j ? d != NUMA_DISTANCE_LOCAL : d <= NUMA_DISTANCE_LOCAL)
				return false;
		}
	}
	return true;
}

static void set_distances(const struct acpi_info *acpi, struct numa_topo *t)
{
	bool slit = slit_usable(acpi, t);

	if (slit)
		t->flags |= NUMA_F_SLIT;
	else if (acpi->slit_nodes > 0)
		t->flags |= NUMA_F_BAD_SLIT;
	for (uint32_t i = 0; i < t->nnodes; i++)
		for (uint32_t j = 0; j < t->nnodes; j++)
			t->distance[i][j] = slit ? acpi->slit[t->domain[i]][t->domain[j]]
			                  : i == j ? NUMA_DISTANCE_LOCAL : NUMA_DISTANCE_REMOTE;
}

/* Node n first, then the reachable others by distance (stable: ties keep node order). */
static void set_fallback(struct numa_topo *t, uint32_t n)
{
	uint32_t *list = t->fallback[n], len = 1;

	list[0] = n;
	for (uint32_t m = 0; m < t->nnodes; m++) {
		uint8_t d = t->distance[n][m];
		if (m == n || d == NUMA_DISTANCE_UNREACHABLE)
			continue;
		uint32_t i = len;
		while (i > 1 && t->distance[n][list[i - 1]] > d) {
			list[i] = list[i - 1];
			i--;
		}
		list[i] = m;
		len++;
	}
	t->nfallback[n] = len;
}

static void add_srat(const struct acpi_info *acpi, struct numa_topo *t)
{
	t->nnodes = 0;
	for (uint32_t i = 0; i < acpi->nsrat_mems; i++)
		if (counts(&acpi->srat_mems[i]))
			add_domain(t, acpi->srat_mems[i].node);
	for (uint32_t i = 0; i < acpi->nsrat_cpus; i++)
		add_domain(t, acpi->srat_cpus[i].node);
	if (t->nnodes == 0)
		t->nnodes = 1; /* an SRAT with nothing usable in it */
	for (uint32_t i = 0; i < acpi->nsrat_mems; i++) {
		const struct acpi_srat_mem *m = &acpi->srat_mems[i];
		if (!counts(m))
			continue;
		uint64_t end = m->base + m->length < m->base ? UINT64_MAX : m->base + m->length;
		add_range(t, m->base, end, node_of_domain(t, m->node));
	}
	for (uint32_t i = 0; i < acpi->nsrat_cpus && i < NUMA_MAX_CPUS; i++)
		t->cpus[t->ncpus++] = (struct numa_cpu){ acpi->srat_cpus[i].apic_id,
		                                         node_of_domain(t, acpi->srat_cpus[i].node) };
}

void numa_topo_build(const struct acpi_info *acpi, struct numa_topo *t)
{
	*t = (struct numa_topo){ .nnodes = 1 };
	if (acpi->have_srat) {
		t->flags |= NUMA_F_SRAT;
		add_srat(acpi, t);
	}
	set_distances(acpi, t);
	for (uint32_t n = 0; n < t->nnodes; n++)
		set_fallback(t, n);
}

uint64_t numa_topo_piece(const struct numa_topo *t, uint64_t base, uint64_t end, uint32_t *node)
{
	for (uint32_t i = 0; i < t->nranges; i++) {
		const struct numa_range *r = &t->ranges[i];
		if (base < r->base) { /* in a gap: node 0 up to the next range */
			*node = 0;
			return MIN(end, r->base);
		}
		if (base < r->end) {
			*node = r->node;
			return MIN(end, r->end);
		}
	}
	*node = 0;
	return end;
}

uint32_t numa_topo_node_of_phys(const struct numa_topo *t, uint64_t phys)
{
	uint32_t node;

	numa_topo_piece(t, phys, phys + 1, &node);
	return node;
}

uint32_t numa_topo_node_of_apic(const struct numa_topo *t, uint32_t apic_id)
{
	for (uint32_t i = 0; i < t->ncpus; i++)
		if (t->cpus[i].apic_id == apic_id)
			return t->cpus[i].node;
	return 0;
}

uint32_t numa_topo_distance(const struct numa_topo *t, uint32_t from, uint32_t to)
{
	if (from >= t->nnodes || to >= t->nnodes)
		return NUMA_DISTANCE_UNREACHABLE;
	return t->distance[from][to];
}

/* Appends to buf at *at, never past size (the result stays NUL-terminated). */
#define APPEND(buf, size, at, ...)                                                     \
	do {                                                                            \
		if (*(at) < (size))                                                     \
			*(at) += fmt_snprintf((buf) + *(at), (size) - *(at), __VA_ARGS__); \
	} while (0)

static void describe_node(const struct numa_topo *t, uint32_t n, char *buf, size_t size, size_t *at)
{
	bool first = true;

	APPEND(buf, size, at, "%snode %u %llu MiB cpus {", n ? ", " : "", n,
	       (unsigned long long)((t->bytes[n] + (1u << 19)) >> 20)); /* nearest MiB */
	for (uint32_t i = 0; i < t->ncpus; i++) {
		if (t->cpus[i].node != n)
			continue;
		APPEND(buf, size, at, "%s%u", first ? "" : ",", t->cpus[i].apic_id);
		first = false;
	}
	APPEND(buf, size, at, "}");
}

void numa_topo_describe(const struct numa_topo *t, char *buf, size_t size)
{
	size_t at = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (!(t->flags & NUMA_F_SRAT)) {
		APPEND(buf, size, &at, "no SRAT, one node");
		return;
	}
	APPEND(buf, size, &at, "%u node%s: ", t->nnodes, t->nnodes == 1 ? "" : "s");
	for (uint32_t n = 0; n < t->nnodes; n++)
		describe_node(t, n, buf, size, &at);
}

static void log_distances(const struct numa_topo *t)
{
	char line[160];
	size_t at = 0;

	line[0] = '\0';
	for (uint32_t i = 0; i < t->nnodes; i++) {
		APPEND(line, sizeof(line), &at, "%snode %u:", i ? "; " : "", i);
		for (uint32_t j = 0; j < t->nnodes; j++)
			APPEND(line, sizeof(line), &at, " %u", t->distance[i][j]);
	}
	pr_info("numa: distances (%s): %s\n", t->flags & NUMA_F_SLIT ? "SLIT" : "default", line);
}

void numa_init(const struct acpi_info *acpi)
{
	char line[200];

	numa_topo_build(acpi, &machine);
	numa_topo_describe(&machine, line, sizeof(line));
	pr_info("numa: %s\n", line);
	if (machine.nnodes > 1)
		log_distances(&machine);
	if (machine.flags & NUMA_F_BAD_SLIT)
		pr_warn("numa: the SLIT does not match the SRAT's nodes or has invalid distances; using defaults\n");
	if (machine.flags & NUMA_F_TOO_MANY)
		pr_warn("numa: more than %u proximity domains; the extra ones count as node 0\n",
		        NUMA_MAX_NODES);
}

const struct numa_topo *numa_topo(void)
{
	return &machine;
}

uint32_t numa_node_count(void)
{
	return machine.nnodes;
}

uint32_t numa_node_of_phys(uint64_t phys)
{
	return numa_topo_node_of_phys(&machine, phys);
}

uint32_t numa_node_of_apic(uint32_t apic_id)
{
	return numa_topo_node_of_apic(&machine, apic_id);
}

uint32_t numa_distance(uint32_t from, uint32_t to)
{
	return numa_topo_distance(&machine, from, to);
}

uint32_t numa_fallback(uint32_t node, const uint32_t **order)
{
	if (node >= machine.nnodes)
		node = 0;
	*order = machine.fallback[node];
	return machine.nfallback[node];
}
