/* SPDX-License-Identifier: MIT */
/*
 * /init of the Linux benchmark initramfs. As PID 1 it mounts /proc, runs
 * the workloads of bench/workloads.h (those of `set=NAME` when given; the
 * kernel passes the words after `--` on its command line), prints one
 * `bench ...` line each on the console, and powers the machine off.
 * Run as `/init role=exit` it returns at once: the child of fork_exec_wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "lbench.h"

struct workload {
	const char *name;
	struct result (*run)(unsigned per_batch);
	unsigned per_batch;
	const char *set;
};

#define LBENCH_ENTRY(row, fe, lx, n, unit, set) { #lx, lx_##lx, n, #set },
static const struct workload workloads[] = { BENCH_WORKLOADS(LBENCH_ENTRY) };
#undef LBENCH_ENTRY

static int by_cycles(const void *a, const void *b)
{
	const struct figure *x = a, *y = b;

	return x->cycles < y->cycles ? -1 : x->cycles > y->cycles;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The figure is the median batch by cycles, with that batch's ns: one
 * batch's two clocks, never a mix of two batches. */
struct result measure(batch_fn fn, void *ctx, unsigned per_batch)
{
	struct figure v[BENCH_BATCHES];

	if (!fn(ctx, per_batch)) /* warm-up: caches, page tables, first-use paths */
		return failed("warm-up batch");
	for (unsigned b = 0; b < BENCH_BATCHES; b++) {
		uint64_t t0 = now_ns(), c0 = __rdtsc();
		if (!fn(ctx, per_batch))
			return failed("timed batch");
		v[b].cycles = (__rdtsc() - c0) / per_batch;
		v[b].ns = (now_ns() - t0) / per_batch;
	}
	return median_figure(v);
}

struct result median_figure(struct figure v[BENCH_BATCHES])
{
	qsort(v, BENCH_BATCHES, sizeof(v[0]), by_cycles);
	return (struct result){ .outcome = DONE, .fig = v[BENCH_BATCHES / 2] };
}

struct result failed(const char *what)
{
	printf("# %s: %s\n", what, strerror(errno));
	return (struct result){ .outcome = FAILED };
}

struct result skipped(const char *why)
{
	return (struct result){ .outcome = SKIPPED, .reason = why };
}

bool pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0 && sched_getcpu() == cpu;
}

int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static bool run_one(const struct workload *w)
{
	printf("# %s: %s\n", w->name, lbench_what(w->name));
	fflush(stdout);
	pin_to_cpu(0); /* each workload starts from CPU 0, whatever the last one did */
	struct result r = w->run(w->per_batch);
	switch (r.outcome) {
	case DONE:
		if (strcmp(w->name, "idle_wakeups") == 0) { /* a rate, not a duration */
			printf("bench %s per_s=%.1f\n", w->name, r.per_s);
			break;
		}
		printf("bench %s cycles=%llu ns=%llu iters=%u", w->name, (unsigned long long)r.fig.cycles,
		       (unsigned long long)r.fig.ns, w->per_batch * BENCH_BATCHES);
		if (r.pairs)
			printf(" pairs=%u", r.pairs);
		if (r.reqs_per_op > 0)
			printf(" reqs_per_op=%.2f", r.reqs_per_op);
		printf("\n");
		break;
	case SKIPPED:
		printf("bench %s skipped reason=%s\n", w->name, r.reason);
		break;
	case FAILED:
		printf("# bench %s failed\n", w->name);
		break;
	}
	fflush(stdout);
	return r.outcome != FAILED;
}

/* /proc for idle_wakeups (/proc/interrupts); an initramfs has none. */
static void mount_proc(void)
{
	mkdir("/proc", 0555);
	if (mount("proc", "/proc", "proc", 0, NULL) != 0)
		printf("# mount /proc: %s\n", strerror(errno));
}

static int run_all(const char *set)
{
	bool ok = true;

	printf("# lbench: Linux, %d CPU(s); median of %u batches; set=%s\n", online_cpus(),
	       BENCH_BATCHES, set ? set : "all");
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (!set || strcmp(set, workloads[i].set) == 0)
			ok &= run_one(&workloads[i]);
	printf("# lbench: done%s\n", ok ? "" : " (with failures)");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *set = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], EXIT_AT_ONCE) == 0)
			return 0;
		if (strncmp(argv[i], "set=", 4) == 0)
			set = argv[i] + 4;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getpid() != 1) /* run by hand, e.g. on a host: measure, do not power off */
		return run_all(set);
	mount_proc();
	run_all(set);
	sync();
	reboot(RB_POWER_OFF);
	return 1; /* not reached: PID 1 returning would panic the kernel */
}
