/* SPDX-License-Identifier: MIT */
/*
 * Big-lock contention (set smp2mt): N independent IPC pairs at once, each a
 * client thread of this process calling its own server process. Pinned,
 * pair i runs client and server on CPU i, so no wake-up crosses CPUs and
 * the pairs share nothing but the kernel's big lock (ADR 0006); unpinned,
 * the scheduler places them. The figure is aggregate: a batch's wall time
 * (first client's start to last client's end) over all the pairs' round
 * trips, so 1 / figure is the pairs' combined throughput.
 *
 * This thread coordinates: per batch it signals every client's `go`
 * notification and waits until each has set its bit in `done`; it blocks
 * meanwhile, so it takes no part in the contention. Around the timed
 * batches it reads every CPU's big-lock counters (fe_cpu_stats) and
 * reports the share of CPU time spent spinning for the lock.
 */
#include "ubench.h"

#define MAX_PAIRS 4u
#define ALL_CPUS (~0ULL)

struct contend;

struct pair {
	struct contend *c;
	unsigned idx;
	int cpu;                           /* -1: not pinned */
	fe_handle_t ep, server, thread, go;
	uint64_t t0[BATCHES + 1], t1[BATCHES + 1]; /* [0]: the warm-up batch */
	fe_status_t st;
	const char *skipped;
};

struct contend {
	unsigned n, per_batch;
	volatile bool abort; /* set before a `go`: the clients end instead */
	fe_handle_t done;    /* bit i: pair i finished the batch */
	struct pair p[MAX_PAIRS];
};

/* The first call's answer is the server's CPU (bench_serve). */
static void pair_check_cpus(struct pair *p)
{
	struct fe_msg m = { .info = FE_MSG_INFO(1, 1, 0) };
	uint32_t here = ~0u;

	if (p->cpu < 0) {
		p->st = fe_thread_set_affinity(FE_HANDLE_INVALID, ALL_CPUS);
		if (p->st == FE_OK)
			p->st = fe_call(p->ep, &m);
		return;
	}
	p->st = fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << p->cpu);
	if (p->st == FE_ERR_UNSUPPORTED) {
		p->st = FE_OK;
		p->skipped = "affinity-unsupported";
		return;
	}
	if (p->st == FE_OK && (p->st = fe_cpu_current(&here)) == FE_OK && here != (uint32_t)p->cpu)
		p->skipped = "client-not-on-its-cpu";
	else if (p->st == FE_OK && (p->st = fe_call(p->ep, &m)) == FE_OK && m.w[0] != (uint64_t)p->cpu)
		p->skipped = "server-not-on-its-cpu";
}

/* A client: BATCHES + 1 batches, each started by `go` and reported in
 * `done`. After a failure or a skip it still answers every batch (without
 * calls), so the coordinator never waits for ever. */
static void pair_client(void *arg)
{
	struct pair *p = arg;
	uint64_t bits;

	pair_check_cpus(p);
	for (unsigned b = 0; b <= BATCHES; b++) {
		fe_status_t st = fe_notif_wait(p->go, 0, &bits);
		if (p->c->abort)
			return;
		p->st = p->st != FE_OK ? p->st : st;
		p->t0[b] = fe_rdtsc();
		if (p->st == FE_OK && !p->skipped)
			p->st = bench_call_batch(&p->ep, p->c->per_batch);
		p->t1[b] = fe_rdtsc();
		st = fe_notif_signal(p->c->done, 1ULL << p->idx);
		if (st != FE_OK) { /* the coordinator would wait for ever: stop everything */
			printf("# contend: pair %u cannot signal: %s\n", p->idx, fe_status_name(st));
			fe_process_exit(2);
		}
	}
}

/* Pair i's server process, its notification and its client thread. */
static fe_status_t pair_start(struct pair *p)
{
	char cpu_arg[16];
	const char *argv[] = { "ubench", "role=server", p->cpu >= 0 ? cpu_arg : NULL, NULL };
	struct fe_spawn_args a = { .path = "ubench", .argv = argv };
	fe_status_t st;

	snprintf(cpu_arg, sizeof(cpu_arg), "cpu=%d", p->cpu);
	if ((st = fe_endpoint_create(&p->ep)) != FE_OK || (st = fe_notif_create(&p->go)) != FE_OK)
		return st;
	a.handles[FE_START_ENDPOINT] = p->ep;
	if ((st = fe_spawn(&a, &p->server)) != FE_OK)
		return st;
	return fe_thread_spawn(pair_client, p, FE_PRIORITY_DEFAULT, &p->thread);
}

/* Ends what pair_start made (the client thread has ended or never ran). */
static fe_status_t pair_stop(struct pair *p)
{
	fe_status_t st = FE_OK, s;

	if (p->server != FE_HANDLE_INVALID && (s = bench_stop_process(p->server)) != FE_OK)
		st = s;
	fe_handle_t hs[] = { p->thread, p->go, p->ep };
	for (unsigned i = 0; i < ARRAY_SIZE(hs); i++)
		if (hs[i] != FE_HANDLE_INVALID && (s = fe_handle_delete(hs[i])) != FE_OK && st == FE_OK)
			st = s;
	return st;
}

/* One batch: every client started, then every client's done bit. */
static fe_status_t run_batch(struct contend *c)
{
	uint64_t all = (1ULL << c->n) - 1, seen = 0, bits;
	fe_status_t st = FE_OK;

	for (unsigned i = 0; i < c->n && st == FE_OK; i++)
		st = fe_notif_signal(c->p[i].go, 1);
	while (st == FE_OK && seen != all)
		if ((st = fe_notif_wait(c->done, 0, &bits)) == FE_OK)
			seen |= bits;
	return st;
}

/* Batch b's wall time: the first start to the last end. */
static uint64_t batch_wall(const struct contend *c, unsigned b)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned i = 0; i < c->n; i++) {
		lo = c->p[i].t0[b] < lo ? c->p[i].t0[b] : lo;
		hi = c->p[i].t1[b] > hi ? c->p[i].t1[b] : hi;
	}
	return hi - lo;
}

struct lock_sample {
	uint64_t tsc, acquires, contended, spin;
	bool ok;
};

/* Every CPU's big-lock counters, summed. */
static struct lock_sample lock_sample(void)
{
	fe_handle_t tr = fe_start_handle(FE_START_TRACE);
	struct lock_sample s = { .tsc = fe_rdtsc(), .ok = true };
	uint32_t ncpu = bench_cpus();

	for (uint32_t i = 0; i < ncpu; i++) {
		struct fe_cpu_stats cs;
		if (fe_cpu_stats(tr, i, &cs) != FE_OK) {
			s.ok = false;
			return s;
		}
		s.acquires += cs.lock_acquires;
		s.contended += cs.lock_contended;
		s.spin += cs.lock_spin_cycles;
	}
	return s;
}

/* The lock's share of the timed batches: waits per acquisition, and spin
 * cycles over the interval's cycles on all CPUs (each in millionths). */
static void lock_report(const char *name, const struct lock_sample *a, const struct lock_sample *b,
			struct bench_result *r)
{
	uint64_t acq = b->acquires - a->acquires, wait = b->contended - a->contended;
	uint64_t cpu_cycles = (b->tsc - a->tsc) * bench_cpus();

	if (!a->ok || !b->ok || cpu_cycles == 0)
		return;
	r->lock_stats = true;
	r->waited_ppm = acq ? wait * 1000000 / acq : 0;
	r->spin_ppm = (b->spin - a->spin) * 1000000 / cpu_cycles;
	printf("# %s: big lock: %llu acquisitions, %llu waited, %llu cycles spinning of %llu CPU cycles\n",
	       name, (unsigned long long)acq, (unsigned long long)wait,
	       (unsigned long long)(b->spin - a->spin), (unsigned long long)cpu_cycles);
}

/* The warm-up and timed batches, with the lock counters around the timed ones. */
static fe_status_t measure_pairs(struct contend *c, const char *name, struct bench_result *r)
{
	uint64_t v[BATCHES];
	struct lock_sample before, after;
	fe_status_t st = run_batch(c);

	before = lock_sample();
	for (unsigned b = 1; b <= BATCHES && st == FE_OK; b++)
		st = run_batch(c);
	after = lock_sample();
	for (unsigned i = 0; i < c->n && st == FE_OK; i++) {
		st = c->p[i].st;
		r->skipped = r->skipped ? r->skipped : c->p[i].skipped;
	}
	if (st != FE_OK || r->skipped)
		return st;
	for (unsigned b = 1; b <= BATCHES; b++)
		v[b - 1] = batch_wall(c, b) / ((uint64_t)c->n * c->per_batch);
	bench_sort(v, BATCHES);
	r->cycles = v[BATCHES / 2];
	lock_report(name, &before, &after, r);
	return FE_OK;
}

/* n pairs, pinned to CPUs 0 .. n-1 or not. */
static fe_status_t run_pairs(const char *name, unsigned n, bool pinned, unsigned per_batch,
			     struct bench_result *r)
{
	static struct contend c;
	fe_status_t st, s;

	c = (struct contend){ .n = n, .per_batch = per_batch };
	r->pairs = n;
	if ((st = fe_notif_create(&c.done)) != FE_OK)
		return st;
	unsigned started = 0;
	for (; started < n && st == FE_OK; started++) {
		c.p[started] = (struct pair){ .c = &c, .idx = started, .cpu = pinned ? (int)started : -1 };
		st = pair_start(&c.p[started]);
	}
	if (st == FE_OK)
		st = measure_pairs(&c, name, r);
	else { /* the clients started wait for `go`: let them end */
		c.abort = true;
		for (unsigned i = 0; i < started; i++)
			if (c.p[i].thread != FE_HANDLE_INVALID)
				(void)fe_notif_signal(c.p[i].go, 1);
	}
	for (unsigned i = 0; i < started; i++)
		if ((s = pair_stop(&c.p[i])) != FE_OK && st == FE_OK)
			st = s;
	s = fe_handle_delete(c.done);
	return st != FE_OK ? st : s;
}

static unsigned pairs_all_cpus(struct bench_result *r)
{
	uint32_t n = bench_cpus();

	if (n < 2)
		r->skipped = "one-cpu";
	return n > MAX_PAIRS ? MAX_PAIRS : n;
}

fe_status_t ipc_pairs_one(unsigned per_batch, struct bench_result *r)
{
	return run_pairs("ipc_pairs_one", 1, true, per_batch, r);
}

fe_status_t ipc_pairs_per_cpu(unsigned per_batch, struct bench_result *r)
{
	unsigned n = pairs_all_cpus(r);

	return r->skipped ? FE_OK : run_pairs("ipc_pairs_per_cpu", n, true, per_batch, r);
}

fe_status_t ipc_pairs_unpinned(unsigned per_batch, struct bench_result *r)
{
	unsigned n = pairs_all_cpus(r);

	return r->skipped ? FE_OK : run_pairs("ipc_pairs_unpinned", n, false, per_batch, r);
}
