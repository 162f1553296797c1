/* SPDX-License-Identifier: MIT */
/*
 * ubench: in-guest microbenchmarks in guest TSC cycles (median of batches):
 * null syscall, IPC call/reply round trip between two processes, context
 * switch (two threads of one process yielding to each other), and spawn to
 * exit and wait. Run with `init.run=ubench`. Figures only, never a verdict.
 */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#define BATCHES 9

static uint64_t median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[n / 2];
}

static void report(const char *name, uint64_t cycles, uint64_t hz, unsigned iters)
{
	printf("bench %s cycles=%llu ns=%llu iters=%u\n", name, (unsigned long long)cycles,
	       (unsigned long long)(cycles * 1000000000ULL / hz), iters);
}

static uint64_t null_syscall(void)
{
	uint64_t v[BATCHES];
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = fe_rdtsc();
		for (int i = 0; i < 10000; i++)
			fe_null();
		v[b] = (fe_rdtsc() - t0) / 10000;
	}
	return median(v, BATCHES);
}

static uint64_t ipc_round_trip(void)
{
	const char *argv[] = { "ubench", "role=server", NULL };
	struct fe_spawn_args a = { .path = "ubench", .argv = argv };
	fe_handle_t ep, p;
	uint64_t v[BATCHES];
	struct fe_exit_status st;

	if (fe_endpoint_create(&ep) != FE_OK)
		return 0;
	a.handles[FE_START_ENDPOINT] = ep;
	if (fe_spawn(&a, &p) != FE_OK)
		return 0;
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = fe_rdtsc();
		for (int i = 0; i < 2000; i++) {
			struct fe_msg m = { .info = FE_MSG_INFO(1, 1, 0), .w = { (uint64_t)i } };
			fe_call(ep, &m);
		}
		v[b] = (fe_rdtsc() - t0) / 2000;
	}
	fe_process_kill(p);
	fe_process_wait(p, &st, 0);
	return median(v, BATCHES);
}

static volatile int stop;

static void yielder(void *arg)
{
	(void)arg;
	while (!stop)
		fe_thread_yield();
}

static uint64_t context_switch(void)
{
	fe_handle_t th;
	uint64_t v[BATCHES];

	stop = 0;
	if (fe_thread_spawn(yielder, NULL, FE_PRIORITY_DEFAULT, &th) != FE_OK)
		return 0;
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = fe_rdtsc();
		for (int i = 0; i < 2000; i++)
			fe_thread_yield();
		v[b] = (fe_rdtsc() - t0) / 4000; /* each yield here is two switches */
	}
	stop = 1;
	fe_thread_yield();
	return median(v, BATCHES);
}

static uint64_t spawn_and_wait(void)
{
	const char *argv[] = { "ubench", "role=exit", NULL };
	struct fe_spawn_args a = { .path = "ubench", .argv = argv };
	uint64_t v[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		fe_handle_t p;
		struct fe_exit_status st;
		uint64_t t0 = fe_rdtsc();
		if (fe_spawn(&a, &p) != FE_OK || fe_process_wait(p, &st, 0) != FE_OK)
			return 0;
		v[b] = fe_rdtsc() - t0;
		fe_handle_delete(p);
	}
	return median(v, BATCHES);
}

static int server(void)
{
	struct fe_msg m;
	fe_handle_t ep = fe_start_info->handles[FE_START_ENDPOINT];
	fe_status_t st = fe_recv(ep, 0, &m);

	while (st == FE_OK)
		st = fe_reply_recv(ep, &m);
	return 1;
}

int main(int argc, char **argv)
{
	struct fe_kernel_stats ks;

	if (argc > 1 && strcmp(argv[1], "role=server") == 0)
		return server();
	if (argc > 1 && strcmp(argv[1], "role=exit") == 0)
		return 0;
	if (fe_kernel_stats(fe_start_info->handles[FE_START_TRACE], &ks) != FE_OK)
		return 1;
	report("null_syscall", null_syscall(), ks.tsc_hz, 10000);
	report("ipc_call_reply", ipc_round_trip(), ks.tsc_hz, 2000);
	report("context_switch_yield", context_switch(), ks.tsc_hz, 4000);
	report("spawn_exit_wait", spawn_and_wait(), ks.tsc_hz, BATCHES);
	return 0;
}
