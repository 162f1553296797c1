/* SPDX-License-Identifier: MIT */
/*
 * The smp suite: IPC between threads on different CPUs with no lost
 * wake-ups, migration by affinity, TLB shootdown (an unmap on one CPU makes
 * the other fault), killing a process whose threads run on other CPUs, and
 * tickless idle (an idle CPU takes no timer interrupt). Cases that need two
 * CPUs skip on one. No verdict depends on timing.
 */
#include "ut.h"

/* IPC round trips in all: enough for four clients and two servers on two
 * CPUs to meet every interleaving of block and wake many times over, few
 * enough for multi-threaded TCG on a busy two-core host (cross-vCPU
 * wake-ups there cost milliseconds). */
#define ROUNDS 8000u
#define CLIENTS 4u
#define POLL_NS 1000000ULL

static bool need_two(struct ut *t)
{
	if (ut_cpu_count() >= 2)
		return true;
	ut_skip(t, "needs two CPUs");
	return false;
}

static uint32_t here(void)
{
	uint32_t c = 0;
	(void)fe_cpu_current(&c);
	return c;
}

/* ---- IPC across CPUs ---- */

static fe_handle_t smp_ep;
static uint64_t served, client_errors, clients_done;

/* Echo server: replies w0 + 1 to every call; pinned by its arg. */
static void echo_server(void *arg)
{
	struct fe_msg m;

	(void)fe_thread_set_affinity(FE_HANDLE_INVALID, (uint64_t)(uintptr_t)arg);
	if (fe_recv(smp_ep, 0, &m) != FE_OK)
		return;
	for (;;) {
		__atomic_fetch_add(&served, 1, __ATOMIC_RELAXED);
		m.w[0] += 1;
		if (fe_reply_recv(smp_ep, &m) != FE_OK)
			return;
	}
}

/* Client k: ROUNDS / CLIENTS calls from the CPU its arg names. */
static void echo_client(void *arg)
{
	uint64_t k = (uint64_t)(uintptr_t)arg;

	(void)fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << (k % 2));
	for (uint64_t i = 0; i < ROUNDS / CLIENTS; i++) {
		struct fe_msg m = { .info = FE_MSG_INFO(1, 1, 0), .w = { (k << 32) | i } };
		if (fe_call(smp_ep, &m) != FE_OK || m.w[0] != ((k << 32) | i) + 1)
			__atomic_fetch_add(&client_errors, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&clients_done, 1, __ATOMIC_SEQ_CST);
}

static void ipc_across_cpus_loses_no_wakeup(struct ut *t)
{
	fe_handle_t srv[2], cl[CLIENTS];

	if (!need_two(t))
		return;
	served = client_errors = clients_done = 0;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&smp_ep)));
	for (uintptr_t s = 0; s < 2; s++)
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(echo_server, (void *)(1UL << s), 16, &srv[s])));
	for (uintptr_t k = 0; k < CLIENTS; k++)
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(echo_client, (void *)k, 16, &cl[k])));
	/* A lost wake-up leaves clients_done short forever: served stops
	 * growing, and the watchdog ends the wait. */
	uint64_t seen = 0;
	while (__atomic_load_n(&clients_done, __ATOMIC_SEQ_CST) < CLIENTS && !ut_timed_out()) {
		(void)fe_thread_sleep(POLL_NS);
		uint64_t now = __atomic_load_n(&served, __ATOMIC_RELAXED);
		if (now != seen)
			ut_progress();
		seen = now;
	}
	UT_EXPECT_EQ(t, clients_done, CLIENTS);
	UT_EXPECT_EQ(t, client_errors, 0);
	UT_EXPECT_EQ(t, served, ROUNDS);
	ut_del(t, smp_ep); /* the servers stay blocked in recv until utest exits */
	for (unsigned k = 0; k < CLIENTS; k++)
		ut_del(t, cl[k]);
	for (unsigned s = 0; s < 2; s++)
		ut_del(t, srv[s]);
}

/* ---- migration ---- */

static void affinity_moves_the_thread(struct ut *t)
{
	struct fe_cpu_stats before = { 0 }, after = { 0 };
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	if (!need_two(t))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0)));
	UT_EXPECT_EQ(t, here(), 0);
	UT_EXPECT_OK(t, fe_cpu_stats(tr, 1, &before));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 1)));
	UT_EXPECT_EQ(t, here(), 1);
	UT_EXPECT_OK(t, fe_cpu_stats(tr, 1, &after));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0)));
	UT_EXPECT_EQ(t, here(), 0);
	UT_EXPECT_GT(t, after.migrations_in, before.migrations_in);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
}

static void affinity_checks(struct ut *t)
{
	struct fe_cpu_stats cs;
	fe_handle_t tr = ut_slot(FE_START_TRACE), v;

	UT_EXPECT_STATUS(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 63), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_thread_set_affinity(0x123456789ULL, 1), FE_ERR_BAD_HANDLE);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_EXPECT_STATUS(t, fe_thread_set_affinity(v, 1), FE_ERR_WRONG_TYPE);
	ut_del(t, v);
	UT_EXPECT_STATUS(t, fe_cpu_stats(tr, 63, &cs), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_OK(t, fe_cpu_stats(tr, 0, &cs));
	UT_EXPECT_EQ(t, cs.cpu, 0);
	UT_EXPECT_GT(t, cs.capacity, 0);
	UT_EXPECT_LE(t, cs.idle_ns, cs.now_ns);
	UT_EXPECT(t, cs.idle_method == FE_IDLE_HLT || cs.idle_method == FE_IDLE_MWAIT);
}

/* ---- TLB shootdown and remote kill: child roles ---- */

static volatile uint64_t reads;

static void tlb_reader(void *arg)
{
	(void)arg;
	(void)fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 1);
	for (;;) {
		(void)*(volatile uint64_t *)UT_SHM_VA;
		reads++;
	}
}

/* Maps a page, has a thread on CPU 1 read it in a loop, unmaps it from
 * CPU 0: the reader must fault (the process ends with #PF at UT_SHM_VA).
 * Exit 1: it kept reading, so CPU 1 used a stale translation. */
int ut_role_tlb(void)
{
	fe_handle_t v;

	if (fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0) != FE_OK)
		return 2;
	if (fe_vmo_create(PAGE, &v) != FE_OK ||
	    fe_vm_map(fe_self, v, 0, UT_SHM_VA, PAGE, FE_VM_READ) != FE_OK)
		return 3;
	fe_handle_t th;
	fe_status_t st = fe_thread_spawn(tlb_reader, NULL, 16, &th);
	if (st != FE_OK)
		return 10 - st; /* 10 + the status's magnitude */
	while (reads < 1000)
		(void)fe_thread_sleep(POLL_NS);
	if (fe_vm_unmap(fe_self, UT_SHM_VA, PAGE) != FE_OK)
		return 5;
	for (unsigned i = 0; i < 5000; i++)
		(void)fe_thread_sleep(POLL_NS);
	return 1;
}

static void spin(void *arg)
{
	(void)fe_thread_set_affinity(FE_HANDLE_INVALID, (uint64_t)(uintptr_t)arg);
	for (;;)
		reads++;
}

/* Two threads spinning on CPUs 0 and 1 until killed; exit 1 if it ever stops. */
int ut_role_spinners(void)
{
	fe_handle_t th;
	fe_status_t st = fe_thread_spawn(spin, (void *)(uintptr_t)2, 16, &th);
	if (st != FE_OK)
		return 10 - st;
	spin((void *)(uintptr_t)1);
	return 1;
}

static void unmap_shoots_down_other_cpus(struct ut *t)
{
	struct ut_child c = { .role = "tlb" };
	fe_handle_t p;

	if (!need_two(t))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	ut_expect_fault(t, p, 14, UT_SHM_VA, NULL);
}

static void kill_reaches_threads_on_other_cpus(struct ut *t)
{
	struct ut_child c = { .role = "spinners" };
	struct fe_exit_status st;
	struct fe_process_info info;
	fe_handle_t p;

	if (!need_two(t))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	/* Both spinners exist once the child has made its second thread. */
	UT_WAIT_UNTIL(fe_process_info(p, &info) != FE_OK || info.threads >= 2 ||
	              info.exit.reason != FE_EXIT_RUNNING);
	UT_EXPECT_EQ(t, info.threads, 2);
	if (!UT_EXPECT_EQ(t, info.exit.reason, FE_EXIT_RUNNING))
		ut_note(t, "the child ended before the kill: reason %u, code %lld, vector %u, rip %#llx",
		        info.exit.reason, (long long)info.exit.code, info.exit.vector,
		        (unsigned long long)info.exit.rip);
	UT_EXPECT_OK(t, fe_process_kill(p));
	UT_EXPECT_OK(t, ut_wait(p, &st));
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	UT_EXPECT_OK(t, fe_process_info(p, &info));
	UT_EXPECT_EQ(t, info.threads, 0);
	ut_unwatch(p);
	ut_del(t, p);
}

/* ---- bounded work under the big lock ---- */

#define BIG_VMO (64ULL << 20)
#define CALLS_DURING_MIN 20u

/* 0 before, 1 while the VMO is being made, 2 after, 3: stop. */
static volatile uint64_t creating, calls_during, caller_done;

/* On CPU 1: null system calls, counting those that began and ended while
 * CPU 0 was inside its vmo_create. */
static void null_caller(void *arg)
{
	(void)arg;
	(void)fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 1);
	while (creating != 3) {
		if (creating != 1)
			continue;
		(void)fe_null();
		if (creating == 1)
			calls_during++;
	}
	caller_done = 1;
}

/* Zeroing 64 MiB takes the kernel a long while under TCG: it must let the
 * other CPU's calls in between its pages. Held throughout, the big lock
 * would let at most the one call already waiting through. A host that
 * starves CPU 1's vCPU for a whole creation gets another try. */
static void long_vmo_create_lets_other_cpus_in(struct ut *t)
{
	fe_handle_t th, v;

	if (!need_two(t))
		return;
	creating = calls_during = caller_done = 0;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(null_caller, NULL, FE_PRIORITY_DEFAULT, &th)));
	for (unsigned attempt = 0; attempt < 5 && calls_during < CALLS_DURING_MIN; attempt++) {
		calls_during = 0;
		creating = 1;
		fe_status_t st = fe_vmo_create(BIG_VMO, &v);
		creating = 2;
		if (!UT_EXPECT_OK(t, st))
			break;
		ut_del(t, v);
		ut_progress();
	}
	creating = 3;
	UT_EXPECT_EQ(t, ut_poll(&caller_done), 1);
	UT_EXPECT_GE(t, calls_during, CALLS_DURING_MIN);
	ut_note(t, "CPU 1 made %llu system calls while CPU 0 made a 64 MiB VMO",
	        (unsigned long long)calls_during);
	ut_del(t, th);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
}

/* ---- tickless ---- */

/* While this thread sleeps a second on CPU 0, CPU 1 has nothing to run and
 * must take no timer interrupt at all. */
static void idle_cpu_takes_no_timer_interrupts(struct ut *t)
{
	struct fe_cpu_stats before = { 0 }, after = { 0 };
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	if (!need_two(t))
		return;
	/* Everything of ours onto CPU 0: this thread and the watchdog, whose
	 * periodic sleep would otherwise be a legitimate timer on CPU 1. Its
	 * current sleep may still end there once: let it pass first. */
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0)));
	if (ut_watchdog_thread != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_thread_set_affinity(ut_watchdog_thread, 1ULL << 0));
	UT_EXPECT_OK(t, fe_thread_sleep(300000000ULL));
	UT_EXPECT_OK(t, fe_cpu_stats(tr, 1, &before));
	UT_EXPECT_OK(t, fe_thread_sleep(1000000000ULL));
	UT_EXPECT_OK(t, fe_cpu_stats(tr, 1, &after));
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	if (ut_watchdog_thread != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_thread_set_affinity(ut_watchdog_thread, ~0ULL));
	UT_EXPECT_EQ(t, after.runnable, 0);
	UT_EXPECT_EQ(t, after.timer_irqs, before.timer_irqs);
	UT_EXPECT_EQ(t, after.wakeups[FE_WAKE_TIMER], before.wakeups[FE_WAKE_TIMER]);
	UT_EXPECT_GT(t, after.idle_ns, before.idle_ns);
	ut_note(t, "cpu 1 over 1 s idle: %llu wake-ups, %llu timer interrupts",
	        (unsigned long long)(after.idle_entries - before.idle_entries),
	        (unsigned long long)(after.timer_irqs - before.timer_irqs));
}

/* ---- big kernel lock counters ---- */

#define LOCK_CALLS 2000u

static uint64_t lock_callers_done, lock_callers_misplaced;

/* LOCK_CALLS null system calls from the CPU its arg names. */
static void lock_caller(void *arg)
{
	uint32_t cpu = (uint32_t)(uintptr_t)arg;

	if (fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu) != FE_OK || here() != cpu)
		__atomic_fetch_add(&lock_callers_misplaced, 1, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < LOCK_CALLS; i++)
		(void)fe_null();
	__atomic_fetch_add(&lock_callers_done, 1, __ATOMIC_SEQ_CST);
}

/* Threads on CPUs 0 and 1 making system calls at once: each CPU counts at
 * least those calls as acquisitions; no counter goes back; waits never
 * outnumber acquisitions; and a CPU cannot have spun longer than its TSC
 * has run since reset (its waits are disjoint intervals of it). Whether
 * they waited at all depends on timing, so that is only noted. */
static void big_lock_counters_add_up(struct ut *t)
{
	struct fe_cpu_stats before[2] = { 0 }, after[2] = { 0 };
	fe_handle_t tr = ut_slot(FE_START_TRACE), th[2];

	if (!need_two(t))
		return;
	lock_callers_done = lock_callers_misplaced = 0;
	for (uint32_t c = 0; c < 2; c++)
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_cpu_stats(tr, c, &before[c])));
	for (uintptr_t c = 0; c < 2; c++)
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(lock_caller, (void *)c, 16, &th[c])));
	for (unsigned i = 0; i < 600000 && __atomic_load_n(&lock_callers_done, __ATOMIC_SEQ_CST) < 2; i++)
		(void)fe_thread_sleep(POLL_NS);
	UT_EXPECT_EQ(t, lock_callers_done, 2);
	UT_EXPECT_EQ(t, lock_callers_misplaced, 0);
	for (uint32_t c = 0; c < 2; c++)
		UT_EXPECT_OK(t, fe_cpu_stats(tr, c, &after[c]));
	uint64_t tsc = fe_rdtsc();
	for (uint32_t c = 0; c < 2; c++) {
		UT_EXPECT_GE(t, after[c].lock_acquires - before[c].lock_acquires, LOCK_CALLS);
		UT_EXPECT_GE(t, after[c].lock_contended, before[c].lock_contended);
		UT_EXPECT_GE(t, after[c].lock_spin_cycles, before[c].lock_spin_cycles);
		UT_EXPECT_LE(t, after[c].lock_contended, after[c].lock_acquires);
		UT_EXPECT_LE(t, after[c].lock_spin_cycles, tsc);
		ut_note(t, "cpu %u: %llu acquisitions, %llu waited, %llu cycles spinning", c,
		        (unsigned long long)(after[c].lock_acquires - before[c].lock_acquires),
		        (unsigned long long)(after[c].lock_contended - before[c].lock_contended),
		        (unsigned long long)(after[c].lock_spin_cycles - before[c].lock_spin_cycles));
	}
	for (unsigned c = 0; c < 2; c++)
		ut_del(t, th[c]);
}

UT_SUITE(smp,
	UT_CASE(affinity_checks),
	UT_CASE(affinity_moves_the_thread),
	UT_CASE(ipc_across_cpus_loses_no_wakeup),
	UT_CASE(unmap_shoots_down_other_cpus),
	UT_CASE(kill_reaches_threads_on_other_cpus),
	UT_CASE(long_vmo_create_lets_other_cpus_in),
	UT_CASE(idle_cpu_takes_no_timer_interrupts),
	UT_CASE(big_lock_counters_add_up));
