/* SPDX-License-Identifier: MIT */
/*
 * ubench: in-guest microbenchmarks, the Ferrous side of `make bench`. The
 * workloads, their batch sizes and their Linux counterparts are defined
 * once in bench/workloads.h. Each benchmark times batches of one operation
 * with the TSC and reports the median batch's cycles per operation;
 * figures only, never a verdict.
 */
#ifndef UBENCH_H
#define UBENCH_H

#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#include <workloads.h>

#define PAGE 4096ULL
#define BATCHES BENCH_BATCHES

/* Runs one batch of n operations; returns the first failure. */
typedef fe_status_t (*bench_batch_fn)(void *ctx, unsigned n);

/* Sorts v[0 .. n-1] in place, ascending. */
void bench_sort(uint64_t *v, unsigned n);

/* One warm-up batch, then BATCHES timed ones of `per_batch` operations;
 * *cycles = the median batch's cycles per operation. */
fe_status_t bench_measure(bench_batch_fn fn, void *ctx, unsigned per_batch, uint64_t *cycles);

/* What a benchmark found: a figure, or why it could not run here. */
struct bench_result {
	uint64_t cycles;         /* per operation */
	uint64_t per_milli_s;    /* idle_wakeups: events per 1000 s (no floating point here) */
	const char *skipped;     /* non-NULL: not run, for this reason (one word) */
	unsigned pairs;          /* the contention rows: IPC pairs at once (0: not one) */
	bool lock_stats;         /* the big lock's share during them, below */
	uint64_t waited_ppm;     /* acquisitions that waited, per million */
	uint64_t spin_ppm;       /* CPU time spent spinning for it, per million */
	uint32_t reqs_per_op;    /* the blk rows: device requests per operation (0: not one) */
};

/* A benchmark returns FE_OK with a figure or a skip reason in *r, or the
 * error that stopped it. */
typedef fe_status_t (*bench_run_fn)(unsigned per_batch, struct bench_result *r);

struct bench {
	const char *name;
	bench_run_fn run;
	unsigned per_batch; /* operations per batch */
	const char *set;    /* QEMU configuration: "smp1", "smp2" or "smp2mt" */
};

extern const struct bench benches[];
extern const unsigned nbenches;

/* One per W(...) row of workloads.h: benches.c, xcpu.c, contend.c and blk.c define them. */
#define UBENCH_DECLARE(row, fe, lx, n, unit, set) fe_status_t fe(unsigned, struct bench_result *);
BENCH_WORKLOADS(UBENCH_DECLARE)
#undef UBENCH_DECLARE

/* What a benchmark measures, for the `#` line before its figure. */
const char *bench_what(const char *name);

/* The server role (`ubench role=server [cpu=N]`): answers every call with
 * itself, from a thread pinned to CPU N when given. Never returns unless
 * something fails. */
int bench_server(int cpu);
/* The server's loop on endpoint ep; the first reply is the CPU it runs on. */
void bench_serve(fe_handle_t ep);
/* Round trips to a server process started with cpu_arg ("cpu=N" or NULL);
 * want_cpu >= 0: a skip unless the server runs on that CPU. */
fe_status_t bench_with_server(const char *cpu_arg, int want_cpu, unsigned per_batch,
			      struct bench_result *r);

/* The child of spawn_exit_wait: `ubench role=exit` returns at once. */
#define BENCH_ROLE_EXIT "role=exit"

/* Kills a helper process and waits for it (bounded), then drops the handle. */
fe_status_t bench_stop_process(fe_handle_t p);

/* n round trips with one word to the server on endpoint *ctx, checked. */
fe_status_t bench_call_batch(void *ctx, unsigned n);

/* Online CPUs, from fe_kernel_stats (1 without the trace capability). */
uint32_t bench_cpus(void);

#endif /* UBENCH_H */
