/* SPDX-License-Identifier: MIT */
/*
 * The benchmarks that need a second CPU (set smp2): IPC between threads
 * pinned to CPUs 0 and 1, and wake-ups of an idle CPU. Both print a skip
 * rather than a figure while the kernel has one CPU online or does not
 * support affinity or per-CPU statistics.
 *
 * A thread is pinned through its handle, and a process's first thread has
 * none; so what must be pinned runs in a thread made for it (run_pinned).
 */
#include "ubench.h"

struct pinned {
	void (*fn)(void *);
	void *arg;
	volatile int go;    /* 0: wait; 1: run fn; -1: pinning failed, just end */
	fe_handle_t done;   /* notification signalled when the thread ends */
};

static void pinned_entry(void *arg)
{
	struct pinned *p = arg;

	while (p->go == 0) /* until the affinity is set (and, with SMP, applied) */
		(void)fe_thread_yield();
	if (p->go > 0)
		p->fn(p->arg);
	(void)fe_notif_signal(p->done, 1);
}

/* Runs fn(arg) in a new thread pinned to `cpu` and waits for it to end.
 * FE_ERR_UNSUPPORTED: the kernel cannot pin; fn did not run. */
static fe_status_t run_pinned(uint32_t cpu, void (*fn)(void *), void *arg)
{
	static struct pinned p;
	fe_handle_t th;
	uint64_t bits;
	fe_status_t st;

	p = (struct pinned){ .fn = fn, .arg = arg };
	if ((st = fe_notif_create(&p.done)) != FE_OK)
		return st;
	if ((st = fe_thread_spawn(pinned_entry, &p, FE_PRIORITY_DEFAULT, &th)) == FE_OK) {
		fe_status_t a = fe_thread_set_affinity(th, 1ull << cpu);
		p.go = a == FE_OK ? 1 : -1;
		st = fe_notif_wait(p.done, 0, &bits);
		st = st != FE_OK ? st : a;
		fe_status_t d = fe_handle_delete(th);
		st = st != FE_OK ? st : d;
	}
	fe_status_t d = fe_handle_delete(p.done);
	return st != FE_OK ? st : d;
}

uint32_t bench_cpus(void)
{
	struct fe_kernel_stats ks;
	fe_handle_t tr = fe_start_handle(FE_START_TRACE);

	if (tr == FE_HANDLE_INVALID || fe_kernel_stats(tr, &ks) != FE_OK || ks.cpus == 0)
		return 1;
	return (uint32_t)ks.cpus;
}

/* ---- the server of ipc_call_reply[_xcpu] ---- */

static void serve_start_endpoint(void *arg)
{
	(void)arg;
	bench_serve(fe_start_handle(FE_START_ENDPOINT));
}

/* Unpinned, the first thread serves. Pinned, a thread on `cpu` serves and
 * the first one stays blocked: the client kills the process when done. If
 * pinning fails the server still answers, and its first reply tells the
 * client which CPU it is on. */
int bench_server(int cpu)
{
	if (cpu < 0) {
		serve_start_endpoint(NULL);
		return 1;
	}
	if (run_pinned((uint32_t)cpu, serve_start_endpoint, NULL) == FE_ERR_UNSUPPORTED)
		serve_start_endpoint(NULL);
	return 1;
}

/* ---- IPC round trip between CPUs 0 and 1 ---- */

struct xcall {
	unsigned per_batch;
	struct bench_result *r;
	fe_status_t st;
};

/* On CPU 0 (if pinning worked): a server on CPU 1, then the calls. */
static void xcall_client(void *arg)
{
	struct xcall *x = arg;
	uint32_t cpu = ~0u;

	if ((x->st = fe_cpu_current(&cpu)) == FE_OK && cpu != 0)
		x->r->skipped = "client-not-on-cpu0";
	else if (x->st == FE_OK)
		x->st = bench_with_server("cpu=1", 1, x->per_batch, x->r);
}

fe_status_t ipc_call_reply_xcpu(unsigned per_batch, struct bench_result *r)
{
	struct xcall x = { .per_batch = per_batch, .r = r };

	if (bench_cpus() < 2) {
		r->skipped = "one-cpu";
		return FE_OK;
	}
	fe_status_t st = run_pinned(0, xcall_client, &x);
	if (st == FE_ERR_UNSUPPORTED) {
		r->skipped = "affinity-unsupported";
		return FE_OK;
	}
	return st != FE_OK ? st : x.st;
}

/* ---- wake-ups of an idle CPU ---- */

struct idle {
	uint32_t cpu;
	struct fe_cpu_stats before, after;
	fe_status_t st;
};

static uint64_t wakeups(const struct fe_cpu_stats *s)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < FE_WAKE_CAUSES; i++)
		n += s->wakeups[i];
	return n;
}

/* Two readings of the idle CPU's counters, BENCH_IDLE_NS apart. */
static void idle_sample(void *arg)
{
	struct idle *d = arg;
	fe_handle_t tr = fe_start_handle(FE_START_TRACE);

	if ((d->st = fe_cpu_stats(tr, d->cpu, &d->before)) != FE_OK)
		return;
	if ((d->st = fe_thread_sleep(BENCH_IDLE_NS)) == FE_OK)
		d->st = fe_cpu_stats(tr, d->cpu, &d->after);
}

static void idle_report(const struct idle *d, struct bench_result *r)
{
	uint64_t n = wakeups(&d->after) - wakeups(&d->before);
	uint64_t ns = d->after.now_ns - d->before.now_ns;

	r->per_milli_s = ns ? n * 1000000000000ull / ns : 0;
	printf("# idle_wakeups: CPU %u, %llu wake-ups (%llu timer irqs) in %llu ms\n", d->cpu,
	       (unsigned long long)n,
	       (unsigned long long)(d->after.timer_irqs - d->before.timer_irqs),
	       (unsigned long long)(ns / 1000000));
}

/* The last CPU (CPU 1 with -smp 2) idles while this thread sleeps on
 * CPU 0; with one CPU, the one CPU idles around our own wake-up. */
fe_status_t idle_wakeups(unsigned per_batch, struct bench_result *r)
{
	struct idle d = { .cpu = bench_cpus() - 1 };
	fe_status_t st = FE_OK;

	(void)per_batch;
	if (d.cpu == 0)
		idle_sample(&d);
	else
		st = run_pinned(0, idle_sample, &d);
	if (st == FE_ERR_UNSUPPORTED || d.st == FE_ERR_UNSUPPORTED) {
		r->skipped = st == FE_ERR_UNSUPPORTED ? "affinity-unsupported" : "cpu-stats-unsupported";
		return FE_OK;
	}
	if (st != FE_OK || d.st != FE_OK)
		return st != FE_OK ? st : d.st;
	idle_report(&d, r);
	return FE_OK;
}
