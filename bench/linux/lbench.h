/* SPDX-License-Identifier: MIT */
/*
 * The Linux side of `make bench`: /init of a static initramfs, running the
 * workloads of bench/workloads.h and printing the same `bench ...` lines as
 * Ferrous's ubench. Built with gcc -static against glibc.
 */
#ifndef LBENCH_H
#define LBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "../workloads.h"

/* One figure: per operation, medians over the timed batches. */
struct figure {
	uint64_t cycles; /* guest TSC */
	uint64_t ns;     /* CLOCK_MONOTONIC */
};

/* What a workload returns: 0 and a figure, a skip with a reason, or an
 * error (errno-style text already printed with `#`). */
enum outcome { DONE, SKIPPED, FAILED };

struct result {
	enum outcome outcome;
	struct figure fig;
	double per_s;       /* idle_wakeups only: a rate, not a duration */
	const char *reason; /* SKIPPED */
	unsigned pairs;     /* the contention rows: pairs at once */
	double reqs_per_op; /* the blk rows: device requests per operation (0: not one) */
};

/* Runs one batch of n operations; returns false on failure. */
typedef bool (*batch_fn)(void *ctx, unsigned n);

/* One warm-up batch, then BENCH_BATCHES timed ones of per_batch operations. */
struct result measure(batch_fn fn, void *ctx, unsigned per_batch);

/* The median of BENCH_BATCHES figures by cycles (sorts v). */
struct result median_figure(struct figure v[BENCH_BATCHES]);
struct result failed(const char *what);  /* prints `# what: strerror(errno)` */
struct result skipped(const char *why);
bool pin_to_cpu(int cpu); /* the calling thread only */
int online_cpus(void);

/* The pipe ping-pong (workloads.c), shared with the contention rows (pairs.c). */
struct pipes {
	int to_child[2], to_parent[2];
};
/* n round trips of one byte from the parent's ends. */
bool pipe_batch(void *ctx, unsigned n);
/* The child: pinned to cpu (-1: not), echoes bytes until the parent closes its end. */
_Noreturn void pipe_echo(const struct pipes *p, int cpu);

/* One per W(...) row of workloads.h, defined in workloads.c; lx_ keeps the
 * names clear of libc's (getpid). */
#define LBENCH_DECLARE(row, fe, lx, n, unit, set) struct result lx_##lx(unsigned per_batch);
BENCH_WORKLOADS(LBENCH_DECLARE)
#undef LBENCH_DECLARE

/* What a workload measures, for the `#` line before its figure. */
const char *lbench_what(const char *name);

/* The argument the child of fork_exec_wait runs /init with. */
#define EXIT_AT_ONCE "role=exit"

#endif /* LBENCH_H */
