/* SPDX-License-Identifier: MIT */
/*
 * Ordering services by their dependencies: Kahn's method, taking at each
 * step the first service in file order whose dependencies are all placed.
 * At most FE_MANIFEST_SERVICES_MAX services with FE_MANIFEST_DEPENDS_MAX
 * edges each, so the plain quadratic scan is the clearest choice.
 */
#include "manifest_internal.h"

/* True if every service s depends on is placed. */
static bool deps_placed(const struct fe_manifest_service *s, const bool *placed)
{
	for (uint32_t j = 0; j < s->ndepends; j++)
		if (!placed[s->depends[j]])
			return false;
	return true;
}

/* The first service s depends on that is not placed; s must have one. */
static uint32_t first_unplaced_dep(const struct fe_manifest_service *s, const bool *placed)
{
	uint32_t j = 0;

	while (placed[s->depends[j]])
		j++;
	return s->depends[j];
}

/*
 * Called when no unplaced service is ready, so every unplaced service has
 * an unplaced dependency: following them from the first unplaced service
 * must revisit one within nservices steps, and the walk from that one's
 * first visit is a cycle. Returns its length.
 */
static uint32_t cycle_find(const struct fe_manifest *m, const bool *placed, uint8_t *cycle)
{
	uint8_t path[FE_MANIFEST_SERVICES_MAX];
	uint8_t at[FE_MANIFEST_SERVICES_MAX]; /* a service's step on path, or 0xff */
	uint32_t n = 0, u = 0;

	memset(at, 0xff, sizeof(at));
	while (placed[u])
		u++;
	do {
		at[u] = (uint8_t)n;
		path[n++] = (uint8_t)u;
		u = first_unplaced_dep(&m->services[u], placed);
	} while (at[u] == 0xff);
	for (uint32_t i = at[u]; i < n; i++)
		cycle[i - at[u]] = path[i];
	return n - at[u];
}

fe_status_t manifest_order(struct fe_manifest *m, uint8_t cycle[FE_MANIFEST_SERVICES_MAX],
			   uint32_t *ncycle)
{
	bool placed[FE_MANIFEST_SERVICES_MAX] = { false };
	uint32_t n = m->nservices;

	*ncycle = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = 0;
		while (i < n && (placed[i] || !deps_placed(&m->services[i], placed)))
			i++;
		if (i == n) {
			*ncycle = cycle_find(m, placed, cycle);
			return FE_ERR_BAD_FORMAT;
		}
		placed[i] = true;
		m->start_order[k] = (uint8_t)i;
	}
	return FE_OK;
}
