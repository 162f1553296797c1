/* SPDX-License-Identifier: MIT */
/*
 * The Linux workloads, one function per W(...) row of bench/workloads.h,
 * each the counterpart of the ubench workload on the same row. Partners of
 * ping-pongs stay on the caller's CPU (pinned) unless the row is cross-CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <unistd.h>

#include "lbench.h"

#define PAGE 4096

static const struct {
	const char *name, *what;
} whats[] = {
	{ "getpid", "syscall(SYS_getpid), bypassing any libc caching" },
	{ "pipe_pingpong", "one byte to a child process over a pipe and back (round trip)" },
	{ "yield_pingpong", "one switch: two threads on one CPU alternating through sched_yield" },
	{ "futex_pingpong", "FUTEX_WAKE of a thread blocked in FUTEX_WAIT, until it runs (half a ping-pong)" },
	{ "fork_exec_wait", "fork, execve of /init " EXIT_AT_ONCE " (returns at once), waitpid" },
	{ "memfd_map_touch_unmap", "mmap MAP_SHARED of an existing one-page memfd, one write, munmap" },
	{ "mmap_touch_munmap", "mmap of one anonymous page, one write (allocates it), munmap" },
	{ "pipe_pingpong_xcpu", "pipe_pingpong with parent and child pinned to CPUs 0 and 1" },
	{ "idle_wakeups", "local timer interrupts (LOC) per second on the last CPU while idle" },
	{ "pipe_pairs_one", "pipe_pingpong, one parent/child pair pinned to CPU 0 (contention rows' base)" },
	{ "pipe_pairs_per_cpu",
	  "one pipe_pingpong pair per CPU at once, pair i pinned to CPU i; aggregate cycles per round trip" },
	{ "pipe_pairs_unpinned", "pipe_pairs_per_cpu with nothing pinned: the scheduler places the pairs" },
	{ "odirect_rand_read_4k", "pread of 4 KiB at a pseudo-random block of /dev/vda, O_DIRECT, queue depth 1" },
	{ "odirect_seq_read_1m", "pread of 1 MiB after the last one from /dev/vda, O_DIRECT, queue depth 1" },
};

const char *lbench_what(const char *name)
{
	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++)
		if (strcmp(whats[i].name, name) == 0)
			return whats[i].what;
	return "?";
}

/* ---- null system call ---- */

static bool getpid_batch(void *ctx, unsigned n)
{
	(void)ctx;
	for (unsigned i = 0; i < n; i++)
		if (syscall(SYS_getpid) <= 0)
			return false;
	return true;
}

struct result lx_getpid(unsigned per_batch)
{
	return measure(getpid_batch, NULL, per_batch);
}

/* ---- pipe ping-pong between two processes ---- */

bool pipe_batch(void *ctx, unsigned n)
{
	const struct pipes *p = ctx;
	char c = 'x';

	for (unsigned i = 0; i < n; i++)
		if (write(p->to_child[1], &c, 1) != 1 || read(p->to_parent[0], &c, 1) != 1)
			return false;
	return true;
}

_Noreturn void pipe_echo(const struct pipes *p, int cpu)
{
	char c;

	if (cpu >= 0 && !pin_to_cpu(cpu))
		_exit(2);
	close(p->to_child[1]);
	close(p->to_parent[0]);
	while (read(p->to_child[0], &c, 1) == 1)
		if (write(p->to_parent[1], &c, 1) != 1)
			break;
	_exit(0);
}

/* A round trip to a child on child_cpu (-1: wherever the parent is). */
static struct result pipe_pingpong_on(unsigned per_batch, int child_cpu)
{
	struct pipes p;

	if (pipe(p.to_child) != 0 || pipe(p.to_parent) != 0)
		return failed("pipe");
	pid_t pid = fork();
	if (pid < 0)
		return failed("fork");
	if (pid == 0)
		pipe_echo(&p, child_cpu);
	close(p.to_child[0]);
	close(p.to_parent[1]);
	struct result r = measure(pipe_batch, &p, per_batch);
	close(p.to_child[1]); /* EOF: the child ends */
	close(p.to_parent[0]);
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return r.outcome == DONE ? failed("pipe child") : r;
	return r;
}

struct result lx_pipe_pingpong(unsigned per_batch)
{
	return pipe_pingpong_on(per_batch, -1); /* the child inherits CPU 0 */
}

struct result lx_pipe_pingpong_xcpu(unsigned per_batch)
{
	if (online_cpus() < 2)
		return skipped("one-cpu");
	return pipe_pingpong_on(per_batch, 1);
}

/* ---- sched_yield between two threads ---- */

struct partner {
	volatile int stop;
	int word; /* futex_pingpong: 1 = the partner's turn, 0 = ours */
};

static void *yielder(void *arg)
{
	struct partner *y = arg;

	while (!y->stop)
		sched_yield();
	return NULL;
}

static bool yield_batch(void *ctx, unsigned n)
{
	(void)ctx;
	for (unsigned i = 0; i < n; i++)
		if (sched_yield() != 0)
			return false;
	return true;
}

static long switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/* Each yield is two switches (to the partner and back), so the figure is
 * halved; the rusage count shows whether yields really switched. */
struct result lx_yield_pingpong(unsigned per_batch)
{
	static struct partner y;
	pthread_t th;
	long before = switches();

	if ((errno = pthread_create(&th, NULL, yielder, &y)) != 0)
		return failed("pthread_create");
	struct result r = measure(yield_batch, NULL, per_batch);
	y.stop = 1;
	pthread_join(th, NULL);
	printf("# yield_pingpong: %ld switches for %u yields\n", switches() - before,
	       per_batch * (BENCH_BATCHES + 1));
	r.fig.cycles /= 2;
	r.fig.ns /= 2;
	return r;
}

/* ---- futex wake-up between two threads ---- */

static long futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Waits for its turn (word == 1), hands it back (word = 0) with a wake. */
static void *futex_partner(void *arg)
{
	struct partner *f = arg;

	for (;;) {
		while (__atomic_load_n(&f->word, __ATOMIC_ACQUIRE) == 0)
			futex(&f->word, FUTEX_WAIT_PRIVATE, 0);
		if (f->stop)
			return NULL;
		__atomic_store_n(&f->word, 0, __ATOMIC_RELEASE);
		futex(&f->word, FUTEX_WAKE_PRIVATE, 1);
	}
}

static bool futex_batch(void *ctx, unsigned n)
{
	struct partner *f = ctx;

	for (unsigned i = 0; i < n; i++) {
		__atomic_store_n(&f->word, 1, __ATOMIC_RELEASE);
		futex(&f->word, FUTEX_WAKE_PRIVATE, 1);
		while (__atomic_load_n(&f->word, __ATOMIC_ACQUIRE) == 1)
			futex(&f->word, FUTEX_WAIT_PRIVATE, 1);
	}
	return true;
}

/* A round trip is two wake -> run hand-overs; the figure is half of it. */
struct result lx_futex_pingpong(unsigned per_batch)
{
	static struct partner f;
	pthread_t th;

	if ((errno = pthread_create(&th, NULL, futex_partner, &f)) != 0)
		return failed("pthread_create");
	struct result r = measure(futex_batch, &f, per_batch);
	f.stop = 1;
	__atomic_store_n(&f.word, 1, __ATOMIC_RELEASE);
	futex(&f.word, FUTEX_WAKE_PRIVATE, 1);
	pthread_join(th, NULL);
	r.fig.cycles /= 2;
	r.fig.ns /= 2;
	return r;
}

/* ---- fork, exec, exit, wait ---- */

static bool spawn_batch(void *ctx, unsigned n)
{
	char *const argv[] = { "/init", EXIT_AT_ONCE, NULL };
	int status;

	(void)ctx;
	for (unsigned i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return false;
		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			return false;
	}
	return true;
}

struct result lx_fork_exec_wait(unsigned per_batch)
{
	return measure(spawn_batch, NULL, per_batch);
}

/* ---- memory mapping ---- */

/* fd >= 0: a shared mapping of that file's first page; else anonymous. */
static bool map_batch(void *ctx, unsigned n)
{
	int fd = *(const int *)ctx;
	int flags = fd >= 0 ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS;

	for (unsigned i = 0; i < n; i++) {
		volatile uint64_t *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, flags, fd, 0);
		if (p == MAP_FAILED)
			return false;
		*p = i; /* touch */
		if (munmap((void *)p, PAGE) != 0)
			return false;
	}
	return true;
}

/* The counterpart of mapping an existing one-page VMO: a memfd whose page
 * exists already, so no allocation is timed. */
struct result lx_memfd_map_touch_unmap(unsigned per_batch)
{
	int fd = memfd_create("bench", 0);
	char page[PAGE] = { 1 };

	if (fd < 0)
		return failed("memfd_create");
	if (write(fd, page, PAGE) != PAGE) {
		close(fd);
		return failed("memfd write");
	}
	struct result r = measure(map_batch, &fd, per_batch);
	close(fd);
	return r;
}

struct result lx_mmap_touch_munmap(unsigned per_batch)
{
	int fd = -1;

	return measure(map_batch, &fd, per_batch);
}

/* ---- idle wake-ups ---- */

/* The LOC (local timer interrupts) count of one CPU, from /proc/interrupts;
 * -1 if it cannot be read. */
static long long local_timer_irqs(int cpu)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[4096];
	long long n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line + strspn(line, " "), "LOC:", 4) == 0) {
			char *s = strchr(line, ':') + 1;
			for (int c = 0; c <= cpu && s; c++)
				n = strtoll(s, &s, 10);
			break;
		}
	fclose(f);
	return n;
}

/* The last CPU (CPU 1 with -smp 2) sits idle while we sleep on CPU 0. */
struct result lx_idle_wakeups(unsigned per_batch)
{
	int cpu = online_cpus() - 1;
	struct timespec ts = { .tv_sec = BENCH_IDLE_NS / 1000000000ull };
	struct result r = { .outcome = DONE };

	(void)per_batch;
	struct timespec start, end;
	long long before = local_timer_irqs(cpu);
	clock_gettime(CLOCK_MONOTONIC, &start);
	nanosleep(&ts, NULL);
	clock_gettime(CLOCK_MONOTONIC, &end);
	long long after = local_timer_irqs(cpu);
	if (before < 0 || after < 0)
		return skipped("no-proc-interrupts");
	double s = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
	r.per_s = (double)(after - before) / s;
	printf("# idle_wakeups: CPU %d, %lld LOC interrupts in %.3f s\n", cpu, after - before, s);
	return r;
}
