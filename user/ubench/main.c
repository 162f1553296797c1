/* SPDX-License-Identifier: MIT */
/*
 * ubench: in-guest microbenchmarks (`init.run=ubench`, or `ubench.only=NAME`).
 * One line per figure, for scripts:
 *
 *	bench null_syscall cycles=123 ns=45 iters=100000
 *
 * cycles is guest TSC cycles per operation (median of BATCHES batches); ns
 * uses tsc_hz from fe_kernel_stats (absent without the trace capability).
 * A benchmark that cannot run prints `# bench NAME failed: STATUS`; the
 * exit code is then 1.
 */
#include "ubench.h"

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j] < v[j - 1]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

fe_status_t bench_measure(bench_batch_fn fn, void *ctx, unsigned per_batch, uint64_t *cycles)
{
	uint64_t v[BATCHES];
	fe_status_t st = fn(ctx, per_batch); /* warm-up: caches, page tables, first-use paths */

	for (unsigned b = 0; b < BATCHES && st == FE_OK; b++) {
		uint64_t t0 = fe_rdtsc();
		st = fn(ctx, per_batch);
		v[b] = (fe_rdtsc() - t0) / per_batch;
	}
	if (st != FE_OK)
		return st;
	sort(v, BATCHES);
	*cycles = v[BATCHES / 2];
	return FE_OK;
}

static uint64_t tsc_hz(void)
{
	struct fe_kernel_stats ks;
	fe_handle_t tr = fe_start_handle(FE_START_TRACE);

	if (tr == FE_HANDLE_INVALID || fe_kernel_stats(tr, &ks) != FE_OK)
		return 0;
	return ks.tsc_hz;
}

static bool run_one(const struct bench *b, uint64_t hz)
{
	uint64_t cycles = 0;
	fe_status_t st = b->run(b->per_batch, &cycles);

	if (st != FE_OK) {
		printf("# bench %s failed: %s\n", b->name, fe_status_name(st));
		return false;
	}
	printf("bench %s cycles=%llu", b->name, (unsigned long long)cycles);
	if (hz)
		printf(" ns=%llu", (unsigned long long)(cycles * 1000000000ULL / hz));
	printf(" iters=%u\n", b->per_batch * BATCHES);
	return true;
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	bool ok = true;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "role=server") == 0)
			return bench_server();
		if (strncmp(argv[i], "only=", 5) == 0)
			only = argv[i] + 5;
	}
	uint64_t hz = tsc_hz();
	printf("# ubench: guest TSC %llu Hz; median of %u batches; one line per figure\n",
	       (unsigned long long)hz, BATCHES);
	for (unsigned i = 0; i < nbenches; i++) {
		if (only && strcmp(only, benches[i].name) != 0)
			continue;
		printf("# %s: %s\n", benches[i].name, benches[i].what);
		ok &= run_one(&benches[i], hz);
	}
	return ok ? 0 : 1;
}
