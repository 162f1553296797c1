/* SPDX-License-Identifier: MIT */
/*
 * ubench: in-guest microbenchmarks. Each benchmark times batches of one
 * operation with the TSC and reports the median batch's cycles per
 * operation; figures only, never a verdict.
 */
#ifndef UBENCH_H
#define UBENCH_H

#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#define PAGE 4096ULL
#define BATCHES 9u

/* Runs one batch of n operations; returns the first failure. */
typedef fe_status_t (*bench_batch_fn)(void *ctx, unsigned n);

/* One warm-up batch, then BATCHES timed ones of `per_batch` operations;
 * *cycles = the median batch's cycles per operation. */
fe_status_t bench_measure(bench_batch_fn fn, void *ctx, unsigned per_batch, uint64_t *cycles);

struct bench {
	const char *name;
	fe_status_t (*run)(unsigned per_batch, uint64_t *cycles); /* cycles per operation */
	unsigned per_batch;                   /* operations per batch */
	const char *what;                     /* what one operation is */
};

extern const struct bench benches[];
extern const unsigned nbenches;

/* The server role (`ubench role=server`): answers every call with itself. */
int bench_server(void);

#endif /* UBENCH_H */
