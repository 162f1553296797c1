/* SPDX-License-Identifier: MIT */
/*
 * The Linux side of the contention rows (set smp2mt): N pipe ping-pong
 * pairs at once, each a client process and its echo child. Pinned, pair i
 * runs both on CPU i (sched_setaffinity), so no wake-up crosses CPUs;
 * unpinned, both may run anywhere. As on Ferrous (user/ubench/contend.c)
 * the figure is aggregate: a batch's wall time, first client's start to
 * last client's end, over all the pairs' round trips.
 *
 * This process coordinates: per batch it writes one byte to every
 * client's `go` pipe and reads one byte per client from the shared `done`
 * pipe; clients write their batch's clocks to a shared page.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "lbench.h"

#define MAX_PAIRS 4

/* One pair's clocks around one batch. */
struct stamp {
	uint64_t c0, c1, n0, n1;
};

/* Shared with the clients: [pair][batch], batch 0 the warm-up. */
struct board {
	struct stamp s[MAX_PAIRS][BENCH_BATCHES + 1];
};

struct pairs {
	unsigned n, per_batch;
	bool pinned;
	struct board *board;
	int go[MAX_PAIRS][2], done[2];
	pid_t pid[MAX_PAIRS];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Every online CPU: undoes run_one's pinning to CPU 0. */
static bool unpin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < online_cpus(); c++)
		CPU_SET(c, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

/* The batches of client i; exit 0 if they and its echo child went well. */
static bool client_batches(const struct pairs *ps, unsigned i, struct pipes *p)
{
	bool ok = true;

	for (unsigned b = 0; b <= BENCH_BATCHES; b++) {
		char c;
		if (read(ps->go[i][0], &c, 1) != 1) /* EOF: the coordinator gave up */
			return false;
		struct stamp *s = &ps->board->s[i][b];
		s->n0 = mono_ns();
		s->c0 = __rdtsc();
		ok = ok && pipe_batch(p, ps->per_batch);
		s->c1 = __rdtsc();
		s->n1 = mono_ns();
		c = ok ? 'y' : 'n';
		if (write(ps->done[1], &c, 1) != 1)
			return false;
	}
	return ok;
}

static _Noreturn void pair_client(const struct pairs *ps, unsigned i)
{
	int cpu = ps->pinned ? (int)i : -1;
	struct pipes p;

	for (unsigned j = 0; j < i; j++) /* the earlier pairs' go pipes: theirs alone */
		close(ps->go[j][1]);
	close(ps->go[i][1]);
	close(ps->done[0]);
	if (!(cpu >= 0 ? pin_to_cpu(cpu) : unpin()) || pipe(p.to_child) != 0 || pipe(p.to_parent) != 0)
		_exit(2);
	pid_t pid = fork();
	if (pid < 0)
		_exit(3);
	if (pid == 0)
		pipe_echo(&p, cpu);
	close(p.to_child[0]);
	close(p.to_parent[1]);
	bool ok = client_batches(ps, i, &p);
	close(p.to_child[1]); /* EOF: the echo child ends */
	close(p.to_parent[0]);
	int status;
	bool child_ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	_exit(ok && child_ok ? 0 : 1);
}

/* Starts every client; false (and the rest not started) on a failure. */
static bool start_clients(struct pairs *ps, unsigned *started)
{
	for (*started = 0; *started < ps->n; ++*started) {
		unsigned i = *started;
		if (pipe(ps->go[i]) != 0)
			return false;
		if ((ps->pid[i] = fork()) < 0) {
			close(ps->go[i][0]);
			close(ps->go[i][1]);
			return false;
		}
		if (ps->pid[i] == 0)
			pair_client(ps, i);
		close(ps->go[i][0]);
	}
	return true;
}

/* One batch: a byte to every client, then one back from each. */
static bool run_batch(const struct pairs *ps)
{
	char c = 'g';
	bool ok = true;

	for (unsigned i = 0; i < ps->n; i++)
		if (write(ps->go[i][1], &c, 1) != 1)
			return false;
	for (unsigned got = 0; got < ps->n; got++) {
		if (read(ps->done[0], &c, 1) != 1)
			return false;
		ok = ok && c == 'y';
	}
	return ok;
}

/* Batch b's wall time on both clocks, per round trip of all pairs. */
static struct figure batch_figure(const struct pairs *ps, unsigned b)
{
	uint64_t c0 = UINT64_MAX, c1 = 0, n0 = UINT64_MAX, n1 = 0, ops = (uint64_t)ps->n * ps->per_batch;

	for (unsigned i = 0; i < ps->n; i++) {
		const struct stamp *s = &ps->board->s[i][b];
		c0 = s->c0 < c0 ? s->c0 : c0;
		c1 = s->c1 > c1 ? s->c1 : c1;
		n0 = s->n0 < n0 ? s->n0 : n0;
		n1 = s->n1 > n1 ? s->n1 : n1;
	}
	return (struct figure){ .cycles = (c1 - c0) / ops, .ns = (n1 - n0) / ops };
}

/* Ends the clients (EOF on go if they still wait) and reaps them. */
static bool stop_clients(struct pairs *ps, unsigned started)
{
	bool ok = true;

	for (unsigned i = 0; i < started; i++)
		close(ps->go[i][1]);
	close(ps->done[0]);
	for (unsigned i = 0; i < started; i++) {
		int status;
		ok = waitpid(ps->pid[i], &status, 0) == ps->pid[i] && WIFEXITED(status) &&
		     WEXITSTATUS(status) == 0 && ok;
	}
	return ok;
}

static struct result run_pairs(unsigned n, bool pinned, unsigned per_batch)
{
	struct pairs ps = { .n = n, .pinned = pinned, .per_batch = per_batch };
	struct figure v[BENCH_BATCHES];
	unsigned started;

	ps.board = mmap(NULL, sizeof(*ps.board), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ps.board == MAP_FAILED)
		return failed("mmap");
	if (pipe(ps.done) != 0) {
		munmap(ps.board, sizeof(*ps.board));
		return failed("pipe");
	}
	bool ok = start_clients(&ps, &started);
	close(ps.done[1]);
	for (unsigned b = 0; ok && b <= BENCH_BATCHES; b++)
		ok = run_batch(&ps);
	ok = stop_clients(&ps, started) && ok;
	for (unsigned b = 1; ok && b <= BENCH_BATCHES; b++)
		v[b - 1] = batch_figure(&ps, b);
	munmap(ps.board, sizeof(*ps.board));
	if (!ok)
		return failed("pipe pairs");
	struct result r = median_figure(v);
	r.pairs = n;
	return r;
}

static unsigned pairs_all_cpus(void)
{
	int n = online_cpus();

	return n > MAX_PAIRS ? MAX_PAIRS : (unsigned)n;
}

struct result lx_pipe_pairs_one(unsigned per_batch)
{
	return run_pairs(1, true, per_batch);
}

struct result lx_pipe_pairs_per_cpu(unsigned per_batch)
{
	if (online_cpus() < 2)
		return skipped("one-cpu");
	return run_pairs(pairs_all_cpus(), true, per_batch);
}

struct result lx_pipe_pairs_unpinned(unsigned per_batch)
{
	if (online_cpus() < 2)
		return skipped("one-cpu");
	return run_pairs(pairs_all_cpus(), false, per_batch);
}
