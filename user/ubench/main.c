/* SPDX-License-Identifier: MIT */
/*
 * ubench: in-guest microbenchmarks (`init.run=ubench`; `ubench.only=NAME`
 * for one, `ubench.set=smp1|smp2|smp2mt|blk` for one configuration's rows of
 * bench/workloads.h). One line per figure, for scripts (bench/bench.py):
 *
 *	bench null_syscall cycles=123 ns=45 iters=100000
 *	bench idle_wakeups per_s=4.000
 *	bench ipc_call_reply_xcpu skipped reason=one-cpu
 *	bench ipc_pairs_per_cpu cycles=900 ns=310 iters=36000 pairs=2 waited_ppm=41000 spin_ppm=52000
 *	bench blk_seq_read_1m cycles=2100000 ns=700000 iters=288 reqs_per_op=1
 *
 * cycles is guest TSC cycles per operation (median of BATCHES batches); ns
 * uses tsc_hz from fe_kernel_stats (absent without the trace capability).
 * A benchmark that cannot run here prints a skip; one that fails prints
 * `# bench NAME failed: STATUS`, and the exit code is then 1.
 */
#include "ubench.h"

void bench_sort(uint64_t *v, unsigned n)
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
	bench_sort(v, BATCHES);
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

#define UBENCH_ENTRY(row, fe, lx, n, unit, set) { #fe, fe, n, #set },
const struct bench benches[] = { BENCH_WORKLOADS(UBENCH_ENTRY) };
#undef UBENCH_ENTRY
const unsigned nbenches = ARRAY_SIZE(benches);

static void print_figure(const struct bench *b, const struct bench_result *r, uint64_t hz)
{
	if (r->skipped) {
		printf("bench %s skipped reason=%s\n", b->name, r->skipped);
		return;
	}
	if (strcmp(b->name, "idle_wakeups") == 0) { /* a rate, not a duration */
		printf("bench %s per_s=%llu.%03llu\n", b->name,
		       (unsigned long long)(r->per_milli_s / 1000),
		       (unsigned long long)(r->per_milli_s % 1000));
		return;
	}
	printf("bench %s cycles=%llu", b->name, (unsigned long long)r->cycles);
	if (hz)
		printf(" ns=%llu", (unsigned long long)(r->cycles * 1000000000ULL / hz));
	printf(" iters=%u", b->per_batch * BATCHES);
	if (r->pairs)
		printf(" pairs=%u", r->pairs);
	if (r->reqs_per_op)
		printf(" reqs_per_op=%u", r->reqs_per_op);
	if (r->lock_stats)
		printf(" waited_ppm=%llu spin_ppm=%llu", (unsigned long long)r->waited_ppm,
		       (unsigned long long)r->spin_ppm);
	printf("\n");
}

static bool run_one(const struct bench *b, uint64_t hz)
{
	struct bench_result r = { 0 };
	fe_status_t st;

	printf("# %s: %s\n", b->name, bench_what(b->name));
	if ((st = b->run(b->per_batch, &r)) != FE_OK) {
		printf("# bench %s failed: %s\n", b->name, fe_status_name(st));
		return false;
	}
	print_figure(b, &r, hz);
	return true;
}

/* The helper roles this program plays for its own benchmarks. */
static bool run_role(int argc, char **argv, int *code)
{
	int cpu = -1;
	bool server = false;

	for (int i = 1; i < argc; i++) {
		uint64_t v;
		if (strcmp(argv[i], BENCH_ROLE_EXIT) == 0) {
			*code = 0; /* spawn_exit_wait's child: back at once */
			return true;
		}
		server |= strcmp(argv[i], "role=server") == 0;
		if (strncmp(argv[i], "cpu=", 4) == 0 && fe_parse_u64(argv[i] + 4, &v) == FE_OK && v < 64)
			cpu = (int)v;
	}
	if (server)
		*code = bench_server(cpu);
	return server;
}

int main(int argc, char **argv)
{
	const char *only = NULL, *set = NULL;
	bool ok = true;
	int code;

	if (run_role(argc, argv, &code))
		return code;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "only=", 5) == 0)
			only = argv[i] + 5;
		if (strncmp(argv[i], "set=", 4) == 0)
			set = argv[i] + 4;
	}
	uint64_t hz = tsc_hz();
	printf("# ubench: guest TSC %llu Hz; %u CPU(s); median of %u batches; set=%s\n",
	       (unsigned long long)hz, bench_cpus(), BATCHES, set ? set : "all");
	for (unsigned i = 0; i < nbenches; i++) {
		if ((only && strcmp(only, benches[i].name) != 0) ||
		    (set && strcmp(set, benches[i].set) != 0))
			continue;
		ok &= run_one(&benches[i], hz);
	}
	return ok ? 0 : 1;
}
