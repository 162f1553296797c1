/* SPDX-License-Identifier: MIT */
/* The benchmarks: each a batch function and a run function that sets up
 * what it needs, measures, and takes it down again. */
#include "ubench.h"

#define REAP_POLLS 2000u

/* ---- null system call ---- */

static fe_status_t null_batch(void *ctx, unsigned n)
{
	(void)ctx;
	for (unsigned i = 0; i < n; i++)
		if (fe_null() != FE_OK)
			return FE_ERR_BAD_STATE;
	return FE_OK;
}

fe_status_t null_syscall(unsigned per_batch, struct bench_result *r)
{
	return bench_measure(null_batch, NULL, per_batch, &r->cycles);
}

/* ---- IPC round trip to another process ---- */

/* Echoes every request; the first reply carries the CPU it runs on (which
 * ipc_call_reply ignores and ipc_call_reply_xcpu checks). */
void bench_serve(fe_handle_t ep)
{
	struct fe_msg m;
	uint32_t cpu = 0;
	fe_status_t st = fe_recv(ep, 0, &m);

	if (st == FE_OK && fe_cpu_current(&cpu) == FE_OK)
		m.w[0] = cpu;
	while (st == FE_OK)
		st = fe_reply_recv(ep, &m); /* the request is the reply */
}

fe_status_t bench_call_batch(void *ctx, unsigned n)
{
	fe_handle_t ep = *(const fe_handle_t *)ctx;

	for (unsigned i = 0; i < n; i++) {
		struct fe_msg m = { .info = FE_MSG_INFO(1, 1, 0), .w = { i } };
		fe_status_t st = fe_call(ep, &m);
		if (st != FE_OK)
			return st;
		if (m.w[0] != i)
			return FE_ERR_BAD_STATE;
	}
	return FE_OK;
}

fe_status_t bench_stop_process(fe_handle_t p)
{
	struct fe_exit_status st;
	fe_status_t s = fe_process_kill(p);

	if (s != FE_OK && s != FE_ERR_BAD_STATE)
		return s;
	s = fe_process_wait(p, &st, FE_NONBLOCK);
	for (unsigned i = 0; i < REAP_POLLS && s == FE_ERR_WOULD_BLOCK; i++)
		if ((s = fe_thread_sleep(1000000)) == FE_OK)
			s = fe_process_wait(p, &st, FE_NONBLOCK);
	fe_status_t d = fe_handle_delete(p);
	return s != FE_OK ? s : d;
}

/* The server's CPU: the first call's answer (the server echoes all others). */
static fe_status_t server_cpu(fe_handle_t ep, uint32_t *cpu)
{
	struct fe_msg m = { .info = FE_MSG_INFO(1, 1, 0) };
	fe_status_t st = fe_call(ep, &m);

	*cpu = (uint32_t)m.w[0];
	return st;
}

/* Measures round trips to a server process, started with `cpu_arg`
 * ("cpu=N" pins it; NULL does not). want_cpu >= 0: skip unless the server
 * really runs there. */
fe_status_t bench_with_server(const char *cpu_arg, int want_cpu, unsigned per_batch,
			      struct bench_result *r)
{
	const char *argv[] = { "ubench", "role=server", cpu_arg, NULL };
	struct fe_spawn_args a = { .path = "ubench", .argv = argv };
	fe_handle_t ep, p;
	uint32_t cpu;
	fe_status_t st;

	if ((st = fe_endpoint_create(&ep)) != FE_OK)
		return st;
	a.handles[FE_START_ENDPOINT] = ep;
	if ((st = fe_spawn(&a, &p)) == FE_OK) {
		if ((st = server_cpu(ep, &cpu)) == FE_OK && want_cpu >= 0 && cpu != (uint32_t)want_cpu)
			r->skipped = "server-not-on-its-cpu";
		else if (st == FE_OK)
			st = bench_measure(bench_call_batch, &ep, per_batch, &r->cycles);
		fe_status_t s = bench_stop_process(p);
		st = st != FE_OK ? st : s;
	}
	fe_status_t d = fe_handle_delete(ep);
	return st != FE_OK ? st : d;
}

fe_status_t ipc_call_reply(unsigned per_batch, struct bench_result *r)
{
	return bench_with_server(NULL, -1, per_batch, r);
}

/* ---- context switch: two threads yielding to each other ---- */

struct partner {
	volatile bool stop;
	volatile bool done;
	fe_handle_t ping, pong; /* notifications (ping-pong only) */
};

static void yielder(void *arg)
{
	struct partner *y = arg;

	while (!y->stop && fe_thread_yield() == FE_OK)
		;
	y->done = true;
}

static fe_status_t yield_batch(void *ctx, unsigned n)
{
	(void)ctx;
	for (unsigned i = 0; i < n; i++)
		if (fe_thread_yield() != FE_OK)
			return FE_ERR_BAD_STATE;
	return FE_OK;
}

/* Stops a partner thread (its loop checks `stop`), waiting a bounded time. */
static fe_status_t join(struct partner *y, fe_handle_t th)
{
	y->stop = true;
	if (y->ping != FE_HANDLE_INVALID)
		(void)fe_notif_signal(y->ping, 1); /* wake it to see `stop` */
	for (unsigned i = 0; i < REAP_POLLS && !y->done; i++)
		if (fe_thread_sleep(1000000) != FE_OK)
			break;
	fe_status_t d = fe_handle_delete(th);
	return y->done ? d : FE_ERR_TIMED_OUT;
}

static uint64_t switches_now(void)
{
	struct fe_kernel_stats ks;
	fe_handle_t tr = fe_start_handle(FE_START_TRACE);

	return tr != FE_HANDLE_INVALID && fe_kernel_stats(tr, &ks) == FE_OK ? ks.context_switches
									    : 0;
}

/* Each of our yields is two switches (to the partner and back): checked
 * against the kernel's own count when the trace capability allows. */
fe_status_t context_switch_yield(unsigned per_batch, struct bench_result *r)
{
	static struct partner y;
	fe_handle_t th;
	uint64_t before = switches_now();
	fe_status_t st = fe_thread_spawn(yielder, &y, FE_PRIORITY_DEFAULT, &th);

	if (st != FE_OK)
		return st;
	st = bench_measure(yield_batch, NULL, per_batch, &r->cycles);
	uint64_t switched = switches_now() - before;
	fe_status_t j = join(&y, th);
	if (st != FE_OK || j != FE_OK)
		return st != FE_OK ? st : j;
	r->cycles /= 2;
	if (before)
		printf("# context_switch_yield: %llu switches for %llu yields\n",
		       (unsigned long long)switched, (unsigned long long)per_batch * (BATCHES + 1));
	return FE_OK;
}

/* ---- notification signal -> wait between two threads ---- */

/* Waits for ping, answers on pong; on the way out it signals pong once more
 * so the other side never waits for an answer that cannot come. */
static void ponger(void *arg)
{
	struct partner *pp = arg;
	uint64_t bits;

	while (fe_notif_wait(pp->ping, 0, &bits) == FE_OK && !pp->stop)
		if (fe_notif_signal(pp->pong, 1) != FE_OK)
			break;
	pp->done = true;
	(void)fe_notif_signal(pp->pong, 1);
}

static fe_status_t ping_batch(void *ctx, unsigned n)
{
	struct partner *pp = ctx;
	uint64_t bits;
	fe_status_t st = FE_OK;

	for (unsigned i = 0; i < n && st == FE_OK && !pp->done; i++)
		if ((st = fe_notif_signal(pp->ping, 1)) == FE_OK)
			st = fe_notif_wait(pp->pong, 0, &bits);
	return st == FE_OK && pp->done ? FE_ERR_PEER_CLOSED : st;
}

/* A round trip is two signal -> wake-up hand-overs; the figure is half of it. */
fe_status_t notify_signal_wait(unsigned per_batch, struct bench_result *r)
{
	static struct partner pp;
	fe_handle_t th;
	fe_status_t st;

	if ((st = fe_notif_create(&pp.ping)) != FE_OK || (st = fe_notif_create(&pp.pong)) != FE_OK)
		return st;
	if ((st = fe_thread_spawn(ponger, &pp, FE_PRIORITY_DEFAULT, &th)) != FE_OK)
		return st;
	st = bench_measure(ping_batch, &pp, per_batch, &r->cycles);
	fe_status_t j = join(&pp, th);
	if (fe_handle_delete(pp.ping) != FE_OK || fe_handle_delete(pp.pong) != FE_OK)
		j = j != FE_OK ? j : FE_ERR_BAD_STATE;
	r->cycles /= 2;
	return st != FE_OK ? st : j;
}

/* ---- spawn, exit, wait ---- */

/* This program again, told to return at once: the same counterpart as
 * Linux's fork_exec_wait, which runs its /init the same way. */
static fe_status_t spawn_batch(void *ctx, unsigned n)
{
	const char *argv[] = { "ubench", BENCH_ROLE_EXIT, NULL };
	struct fe_spawn_args a = { .path = "ubench", .argv = argv };
	struct fe_exit_status es;
	fe_handle_t p;
	fe_status_t st = FE_OK;

	(void)ctx;
	for (unsigned i = 0; i < n && st == FE_OK; i++) {
		if ((st = fe_spawn(&a, &p)) != FE_OK)
			break;
		st = fe_process_wait(p, &es, 0);
		if (st == FE_OK && (es.reason != FE_EXIT_NORMAL || es.code != 0))
			st = FE_ERR_BAD_STATE;
		fe_status_t d = fe_handle_delete(p);
		st = st != FE_OK ? st : d;
	}
	return st;
}

fe_status_t spawn_exit_wait(unsigned per_batch, struct bench_result *r)
{
	return bench_measure(spawn_batch, NULL, per_batch, &r->cycles);
}

/* ---- memory mapping ---- */

struct mapping {
	fe_handle_t vmo;
	uint64_t va;
};

static fe_status_t map_batch(void *ctx, unsigned n)
{
	const struct mapping *mp = ctx;
	fe_status_t st = FE_OK;

	for (unsigned i = 0; i < n && st == FE_OK; i++) {
		if ((st = fe_vm_map(fe_self, mp->vmo, 0, mp->va, PAGE, FE_VM_READ | FE_VM_WRITE)) !=
		    FE_OK)
			break;
		*(volatile uint64_t *)(uintptr_t)mp->va = i; /* touch */
		st = fe_vm_unmap(fe_self, mp->va, PAGE);
	}
	return st;
}

/* An existing one-page VMO: map, write one word, unmap. */
fe_status_t page_map_touch_unmap(unsigned per_batch, struct bench_result *r)
{
	struct mapping mp = { .va = fe_va_alloc(PAGE) };
	fe_status_t st;

	if (mp.va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vmo_create(PAGE, &mp.vmo)) != FE_OK)
		return st;
	st = bench_measure(map_batch, &mp, per_batch, &r->cycles);
	fe_status_t d = fe_handle_delete(mp.vmo);
	return st != FE_OK ? st : d;
}

static fe_status_t vmo_batch(void *ctx, unsigned n)
{
	struct mapping mp = { .va = *(const uint64_t *)ctx };
	fe_status_t st = FE_OK;

	for (unsigned i = 0; i < n && st == FE_OK; i++) {
		if ((st = fe_vmo_create(PAGE, &mp.vmo)) != FE_OK)
			break;
		st = map_batch(&mp, 1);
		fe_status_t d = fe_handle_delete(mp.vmo);
		st = st != FE_OK ? st : d;
	}
	return st;
}

/* The same with a fresh VMO each time: page allocation and freeing included. */
fe_status_t vmo_create_map_touch_unmap(unsigned per_batch, struct bench_result *r)
{
	uint64_t va = fe_va_alloc(PAGE);

	return va ? bench_measure(vmo_batch, &va, per_batch, &r->cycles) : FE_ERR_NO_RESOURCES;
}

static const struct {
	const char *name, *what;
} whats[] = {
	{ "null_syscall", "fe_null()" },
	{ "ipc_call_reply",
	  "fe_call with one word to a server process answering with fe_reply_recv (round trip)" },
	{ "context_switch_yield",
	  "one switch: two threads of one process alternating through fe_thread_yield" },
	{ "notify_signal_wait",
	  "fe_notif_signal to a thread blocked in fe_notif_wait, until it runs (half a ping-pong)" },
	{ "spawn_exit_wait",
	  "fe_spawn of ubench " BENCH_ROLE_EXIT " (returns at once), fe_process_wait, fe_handle_delete" },
	{ "page_map_touch_unmap", "fe_vm_map of an existing one-page VMO, one write, fe_vm_unmap" },
	{ "vmo_create_map_touch_unmap",
	  "fe_vmo_create of one page, map, one write (allocates it), unmap, fe_handle_delete" },
	{ "ipc_call_reply_xcpu", "ipc_call_reply with client and server pinned to CPUs 0 and 1" },
	{ "idle_wakeups", "wake-ups per second of the last CPU while idle (fe_cpu_stats)" },
	{ "ipc_pairs_one", "ipc_call_reply, one client/server pair pinned to CPU 0 (contention rows' base)" },
	{ "ipc_pairs_per_cpu",
	  "one ipc_call_reply pair per CPU at once, pair i pinned to CPU i; aggregate cycles per round trip" },
	{ "ipc_pairs_unpinned", "ipc_pairs_per_cpu with nothing pinned: the scheduler places the pairs" },
	{ "blk_rand_read_4k",
	  "4 KiB read at a pseudo-random block, queue depth 1, through the virtio-blk driver process" },
	{ "blk_seq_read_1m",
	  "1 MiB read after the last one, queue depth 1, through the virtio-blk driver process" },
};

const char *bench_what(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(whats); i++)
		if (strcmp(whats[i].name, name) == 0)
			return whats[i].what;
	return "?";
}
