/* SPDX-License-Identifier: MIT */
#include "sched/policy.h"

/*
 * Placement ranks candidate CPUs lexicographically by a list of keys, one
 * list per mode (pack, spread, least-loaded); each key gives a score,
 * higher is better, and the lowest index wins a full tie. The reason
 * reported is the most important key on which the winner beat some rival:
 * the strongest rule that shaped the choice (a home-node CPU chosen over
 * remote ones reports "node" even if cache warmth then picked among the
 * local ones).
 */
enum key {
	KEY_RUNS_NOW, /* it would run at once: nothing runs there, or it outranks what does */
	KEY_BIG,      /* demanding: the bigger capacity; others: indifferent */
	KEY_FIT,      /* demanding: the bigger capacity; others: the smaller */
	KEY_WAKER,    /* the waker's CPU */
	KEY_LAST,     /* the CPU it last ran on */
	KEY_FEWEST,   /* fewer runnable */
	KEY_LOAD,     /* lower (runnable + 1) / capacity, the load once it is there */
	KEY_NODE,     /* its home node */
	KEY_AWAKE,    /* no wake-up needed */
};

/* Which candidates a mode ranks. */
enum filter {
	FILTER_ANY,   /* every allowed online CPU */
	FILTER_AWAKE, /* not idle */
	FILTER_FREE,  /* nothing runnable */
};

struct mode {
	enum filter filter;
	const enum key *keys;
	uint32_t nkeys;
	enum sched_place_reason reason; /* when no key decided (one candidate, or index) */
};

/*
 * Pack: keep to awake CPUs. Fixed priorities first (run at once if some awake
 * CPU allows it), then a big core for a demanding thread, then the waker
 * (a sync wake-up: the waker often blocks next, its cache holds the data),
 * then cache warmth, then the emptiest, then the home node.
 */
static const enum key pack_keys[] = {
	KEY_RUNS_NOW, KEY_BIG, KEY_WAKER, KEY_LAST, KEY_FEWEST, KEY_NODE,
};
/*
 * Spread: CPUs with nothing to run. Node first (memory stays local for the
 * thread's whole run), then capacity (demanding to big, others to little so
 * big cores stay free for demanding threads, and little ones cost less
 * energy), then cache warmth, then one that needs no wake-up.
 */
static const enum key spread_keys[] = {
	KEY_NODE, KEY_FIT, KEY_LAST, KEY_AWAKE,
};
/* No free CPU: run at once if it outranks someone, else the least loaded. */
static const enum key loaded_keys[] = {
	KEY_RUNS_NOW, KEY_LOAD, KEY_NODE, KEY_FIT, KEY_LAST,
};

#define NKEYS(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static const struct mode pack_mode = {
	FILTER_AWAKE, pack_keys, NKEYS(pack_keys), SCHED_PLACE_PACK,
};
static const struct mode spread_mode = {
	FILTER_FREE, spread_keys, NKEYS(spread_keys), SCHED_PLACE_SPREAD,
};
static const struct mode loaded_mode = {
	FILTER_ANY, loaded_keys, NKEYS(loaded_keys), SCHED_PLACE_LEAST_LOADED,
};

struct ctx {
	const struct sched_cpu_view *cpus;
	uint32_t ncand; /* CPUs that affinity can name: min(ncpus, 64) */
	const struct sched_thread_view *t;
};

static uint64_t capacity(const struct sched_cpu_view *c)
{
	if (c->capacity == 0)
		return 1;
	return c->capacity > SCHED_CAPACITY_MAX ? SCHED_CAPACITY_MAX : c->capacity;
}

/* It would run at once there: nothing to wait behind, or it preempts. */
static bool runs_now(const struct sched_cpu_view *c, const struct sched_thread_view *t)
{
	return c->nr_running == 0 || t->priority > c->cur_priority;
}

/*
 * (nr_running + 1) / capacity as a fixed-point integer. Capacities are at
 * most 2^10, so distinct fractions differ by at least 2^-20 and 20 bits of
 * fraction keep every comparison exact; nr_running + 1 <= 2^32 fits.
 */
static uint64_t load_after(const struct sched_cpu_view *c)
{
	return (((uint64_t)c->nr_running + 1) << 20) / capacity(c);
}

static uint64_t score(const struct ctx *x, enum key k, uint32_t i)
{
	const struct sched_cpu_view *c = &x->cpus[i];
	const struct sched_thread_view *t = x->t;

	switch (k) {
	case KEY_RUNS_NOW: return runs_now(c, t);
	case KEY_BIG:      return t->demanding ? capacity(c) : 0;
	case KEY_FIT:      return t->demanding ? capacity(c) : SCHED_CAPACITY_MAX + 1 - capacity(c);
	case KEY_WAKER:    return i == t->waker_cpu;
	case KEY_LAST:     return i == t->last_cpu;
	case KEY_FEWEST:   return UINT32_MAX - c->nr_running;
	case KEY_LOAD:     return UINT64_MAX - load_after(c);
	case KEY_NODE:     return t->home_node != SCHED_NO_NODE && c->node == t->home_node;
	case KEY_AWAKE:    return !c->idle;
	}
	return 0;
}

static bool candidate(const struct ctx *x, uint32_t i)
{
	return i < x->ncand && ((x->t->affinity >> i) & 1) && x->cpus[i].online;
}

static bool passes(const struct ctx *x, enum filter f, uint32_t i)
{
	if (!candidate(x, i))
		return false;
	switch (f) {
	case FILTER_ANY:   return true;
	case FILTER_AWAKE: return !x->cpus[i].idle;
	case FILTER_FREE:  return x->cpus[i].nr_running == 0;
	}
	return false;
}

/* The index in m->keys of the first key on which a and b differ, or
 * m->nkeys if none; *a_better says which way it went. */
static uint32_t first_difference(const struct ctx *x, const struct mode *m, uint32_t a,
                                 uint32_t b, bool *a_better)
{
	for (uint32_t k = 0; k < m->nkeys; k++) {
		uint64_t sa = score(x, m->keys[k], a), sb = score(x, m->keys[k], b);

		if (sa != sb) {
			*a_better = sa > sb;
			return k;
		}
	}
	*a_better = a < b;
	return m->nkeys;
}

static bool better(const struct ctx *x, const struct mode *m, uint32_t a, uint32_t b)
{
	bool a_better;

	(void)first_difference(x, m, a, b, &a_better);
	return a_better;
}

/* The best candidate under m, or SCHED_NO_CPU if there is none. */
static uint32_t rank(const struct ctx *x, const struct mode *m)
{
	uint32_t best = SCHED_NO_CPU;

	for (uint32_t i = 0; i < x->ncand; i++) {
		if (passes(x, m->filter, i) && (best == SCHED_NO_CPU || better(x, m, i, best)))
			best = i;
	}
	return best;
}

static bool preempts(const struct sched_cpu_view *c, const struct sched_thread_view *t)
{
	return !c->idle && c->nr_running > 0 && t->priority > c->cur_priority;
}

static enum sched_place_reason key_reason(const struct ctx *x, const struct mode *m,
                                          enum key k, uint32_t cpu)
{
	switch (k) {
	case KEY_RUNS_NOW: return preempts(&x->cpus[cpu], x->t) ? SCHED_PLACE_PREEMPT : m->reason;
	case KEY_BIG:
	case KEY_FIT:      return SCHED_PLACE_CAPACITY;
	case KEY_WAKER:    return SCHED_PLACE_WAKER;
	case KEY_LAST:     return SCHED_PLACE_LAST_CPU;
	case KEY_LOAD:     return SCHED_PLACE_LEAST_LOADED;
	case KEY_NODE:     return SCHED_PLACE_NODE;
	case KEY_FEWEST:
	case KEY_AWAKE:    break;
	}
	return m->reason;
}

/* The most important rule on which best beat some rival under m. */
static enum sched_place_reason reason_of(const struct ctx *x, const struct mode *m, uint32_t best)
{
	uint32_t k = m->nkeys;
	bool best_better;

	for (uint32_t i = 0; i < x->ncand; i++) {
		if (i != best && passes(x, m->filter, i)) {
			uint32_t d = first_difference(x, m, best, i, &best_better);

			k = d < k ? d : k;
		}
	}
	return k == m->nkeys ? m->reason : key_reason(x, m, m->keys[k], best);
}

static struct sched_placement decide(const struct ctx *x, uint32_t cpu,
                                     enum sched_place_reason why)
{
	const struct sched_cpu_view *c = &x->cpus[cpu];

	return (struct sched_placement){
		.cpu = cpu,
		.reason = why,
		.wake_cpu = c->idle,
		.preempt = preempts(c, x->t),
	};
}

/* Some allowed CPU with nothing to run is bigger than cpu, and on a node at
 * least as good for t (node comes before capacity). */
static bool bigger_free(const struct ctx *x, uint32_t cpu)
{
	uint64_t cap = capacity(&x->cpus[cpu]), node = score(x, KEY_NODE, cpu);

	for (uint32_t i = 0; i < x->ncand; i++) {
		if (passes(x, FILTER_FREE, i) && capacity(&x->cpus[i]) > cap &&
		    score(x, KEY_NODE, i) >= node)
			return true;
	}
	return false;
}

static bool any_free(const struct ctx *x)
{
	for (uint32_t i = 0; i < x->ncand; i++) {
		if (passes(x, FILTER_FREE, i))
			return true;
	}
	return false;
}

/*
 * Packing is worth it only while the system is lightly loaded, and:
 * - not onto a CPU running a demanding thread while some allowed CPU is
 *   free, whether it would preempt that thread or queue behind it: either
 *   way the demanding thread is placed again when its slice ends (sched.c),
 *   onto the free CPU, so the wake-up is paid anyway, plus a migration, it
 *   loses its (perhaps big) core, and a queued thread first waits up to a
 *   slice;
 * - not for a demanding thread that would wait behind another: it would
 *   take whole slices from that thread for as long as both run, while a CPU
 *   sleeps (and a sleeping CPU never pulls, so nothing would undo it);
 * - not for a demanding thread that a free bigger core would serve: it uses
 *   whole slices, so waking that core pays for itself, and on the smaller
 *   one it would run slower for as long as it runs.
 */
static bool pack_fits(const struct ctx *x, uint32_t best)
{
	const struct sched_cpu_view *c;

	if (best == SCHED_NO_CPU)
		return false;
	c = &x->cpus[best];
	if (c->cur_demanding && any_free(x))
		return false;
	if (!x->t->demanding)
		return true;
	return runs_now(c, x->t) && !bigger_free(x, best);
}

/* Count of candidates, up to two: tells "none" and "only one" apart. */
static uint32_t candidates_upto2(const struct ctx *x, uint32_t *first)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < x->ncand && n < 2; i++) {
		if (candidate(x, i) && n++ == 0)
			*first = i;
	}
	return n;
}

/* The mode whose rules apply to t now, and its best CPU (there is one). */
static const struct mode *choose_mode(const struct ctx *x, uint32_t ncpus, uint32_t *best)
{
	if (!sched_system_busy(x->cpus, ncpus)) {
		*best = rank(x, &pack_mode);
		if (pack_fits(x, *best))
			return &pack_mode;
	}
	*best = rank(x, &spread_mode);
	if (*best != SCHED_NO_CPU)
		return &spread_mode;
	*best = rank(x, &loaded_mode);
	return &loaded_mode;
}

struct sched_placement sched_place(const struct sched_cpu_view *cpus, uint32_t ncpus,
                                   const struct sched_thread_view *t)
{
	struct ctx x = { cpus, ncpus < SCHED_POLICY_MAX_CPUS ? ncpus : SCHED_POLICY_MAX_CPUS, t };
	uint32_t best = SCHED_NO_CPU, n = candidates_upto2(&x, &best);
	const struct mode *m;

	if (n == 0)
		return (struct sched_placement){ .cpu = SCHED_NO_CPU, .reason = SCHED_PLACE_NONE };
	if (n == 1)
		return decide(&x, best, SCHED_PLACE_AFFINITY);
	m = choose_mode(&x, ncpus, &best);
	return decide(&x, best, reason_of(&x, m, best));
}

uint64_t sched_bigger_cpus(const struct sched_cpu_view *cpus, uint32_t ncpus, uint32_t self)
{
	uint64_t mask = 0;

	if (self >= ncpus)
		return 0;
	for (uint32_t i = 0; i < ncpus && i < SCHED_POLICY_MAX_CPUS; i++) {
		if (cpus[i].online && capacity(&cpus[i]) > capacity(&cpus[self]))
			mask |= 1ULL << i;
	}
	return mask;
}

bool sched_system_busy(const struct sched_cpu_view *cpus, uint32_t ncpus)
{
	uint64_t runnable = 0, awake = 0;

	for (uint32_t i = 0; i < ncpus; i++) {
		if (!cpus[i].online)
			continue;
		if (cpus[i].nr_running >= 2)
			return true;
		runnable += cpus[i].nr_running;
		awake += !cpus[i].idle;
	}
	return runnable > awake;
}

/*
 * Moving one thread from src to dst helps if dst would otherwise idle (any
 * capacity beats none), or if dst's load after the move stays below src's
 * load before it, capacity-weighted: otherwise the thread would just swap
 * one queue for a worse one.
 */
static bool worth_pulling(const struct sched_cpu_view *src, const struct sched_cpu_view *dst)
{
	if (!src->online || src->nr_running < 2)
		return false;
	if (dst->nr_running == 0)
		return true;
	return ((uint64_t)dst->nr_running + 1) * capacity(src) <
	       (uint64_t)src->nr_running * capacity(dst);
}

/* Pull order: same node as self (a remote thread's memory stays remote),
 * then the most runnable, then the smaller core (its queue waits longest),
 * then the lowest index. */
static bool busier(const struct sched_cpu_view *cpus, uint32_t self, uint32_t a, uint32_t b)
{
	bool local_a = cpus[a].node == cpus[self].node, local_b = cpus[b].node == cpus[self].node;

	if (local_a != local_b)
		return local_a;
	if (cpus[a].nr_running != cpus[b].nr_running)
		return cpus[a].nr_running > cpus[b].nr_running;
	if (capacity(&cpus[a]) != capacity(&cpus[b]))
		return capacity(&cpus[a]) < capacity(&cpus[b]);
	return a < b;
}

bool sched_pick_pull(const struct sched_cpu_view *cpus, uint32_t ncpus, uint32_t self,
                     uint32_t *from)
{
	uint32_t best = SCHED_NO_CPU;

	if (self >= ncpus || !cpus[self].online)
		return false;
	for (uint32_t i = 0; i < ncpus; i++) {
		if (i == self || !worth_pulling(&cpus[i], &cpus[self]))
			continue;
		if (best == SCHED_NO_CPU || busier(cpus, self, i, best))
			best = i;
	}
	if (best == SCHED_NO_CPU)
		return false;
	*from = best;
	return true;
}

const char *sched_place_reason_name(enum sched_place_reason r)
{
	static const char *const names[] = {
		[SCHED_PLACE_AFFINITY] = "affinity",
		[SCHED_PLACE_PACK] = "pack",
		[SCHED_PLACE_WAKER] = "waker",
		[SCHED_PLACE_SPREAD] = "spread",
		[SCHED_PLACE_CAPACITY] = "capacity",
		[SCHED_PLACE_LAST_CPU] = "last-cpu",
		[SCHED_PLACE_NODE] = "node",
		[SCHED_PLACE_PREEMPT] = "preempt",
		[SCHED_PLACE_LEAST_LOADED] = "least-loaded",
		[SCHED_PLACE_NONE] = "none",
	};

	if ((unsigned)r >= NKEYS(names) || !names[r])
		return "?";
	return names[r];
}
