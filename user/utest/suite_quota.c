/* SPDX-License-Identifier: MIT */
/*
 * No process can exhaust what others need, and nothing outlives its owner
 * (ADR 0009): every kernel allocation a call causes is charged to a budget
 * (kernel stacks included; there is no global pool a budget could drain), a
 * dead thread gives its stack back at once, an exited process's interrupt
 * binding ends with it, and so do the processes it made and never started.
 */
#include "ut.h"

#define POLL_NS 1000000ULL
#define SIGNAL_POLLS 25000u        /* ~25 s: a hog fills its budget (TCG) */
#define THREADS_FRESH 16u          /* what a fresh process must be able to start */
#define DEAD_THREADS 2000u         /* 31 MiB of stacks if they were kept: twice the budget */
#define HOG_SMALL (1ULL << 20)
#define CHURN_VMO (32ULL << 20)    /* 8192 pages: 256 work points per vmo_create */
#define CHURN_ROUNDS 4u
#define HOG_THREADS (72ULL << 20)  /* room for more than the old 4096 stack slots */
#define LIMIT_VA 0x53000000ULL
#define FAR_VA 0x200000000ULL      /* needs page tables of its own */
#define RESERVE_SLOTS 1024u
#define SLEEPER_VA 0x0f000000ULL   /* a started grandchild's code page */
#define HOLD_MAX 4096u

/* The stackless threads (raw.S) all get this as their stack. */
static uint8_t shared_stack[64] __attribute__((aligned(16)));
#define SHARED_STACK_TOP ((uint64_t)(uintptr_t)(shared_stack + sizeof(shared_stack)))

static struct fe_process_info self_info(void)
{
	struct fe_process_info pi = { 0 };

	(void)fe_process_info(fe_self, &pi);
	return pi;
}

static fe_status_t exit_thread(fe_handle_t *th)
{
	return fe_thread_create(fe_self, (uint64_t)(uintptr_t)ut_exit_entry, SHARED_STACK_TOP, 0,
	                        FE_PRIORITY_DEFAULT, th);
}

/* Polls until ut_exited reaches n (bounded); true if it did. */
static bool exited_reach(uint64_t n)
{
	for (unsigned i = 0; i < 5000 && ut_exited < n; i++)
		(void)fe_thread_sleep(POLL_NS);
	return ut_exited >= n;
}

/* Pins the caller (and the threads it creates) to the CPU it is on. */
static void pin_here(void)
{
	uint32_t cpu = 0;

	if (fe_cpu_current(&cpu) == FE_OK)
		(void)fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu);
}

/* Sleeps until killed. */
static int hang(void)
{
	for (;;)
		(void)fe_thread_sleep(1000 * POLL_NS);
}

/* ---- child roles ---- */

/* `role=threads`: starts THREADS_FRESH threads and sees them all end. */
int ut_role_threads(void)
{
	for (unsigned i = 0; i < THREADS_FRESH; i++) {
		fe_handle_t th;
		fe_status_t st = exit_thread(&th);
		if (st != FE_OK) {
			printf("    # threads: thread %u: %s\n", i, fe_status_name(st));
			return 10 - st;
		}
	}
	return exited_reach(THREADS_FRESH) ? 0 : 2;
}

typedef fe_status_t (*make_fn)(fe_handle_t *h);
static fe_handle_t park_notif;

static fe_status_t make_thread(fe_handle_t *h)
{
	return fe_thread_create(fe_self, (uint64_t)(uintptr_t)ut_park_entry, SHARED_STACK_TOP,
	                        park_notif, FE_PRIORITY_DEFAULT, h);
}
static fe_status_t make_endpoint(fe_handle_t *h) { return fe_endpoint_create(h); }
static fe_status_t make_notif(fe_handle_t *h) { return fe_notif_create(h); }
static fe_status_t make_vmo(fe_handle_t *h) { return fe_vmo_create(PAGE, h); }
static fe_status_t make_dup(fe_handle_t *h) { return fe_handle_dup(fe_self, FE_RIGHT_READ, 0, h); }
static fe_status_t make_process(fe_handle_t *h) { return fe_process_create("p", 1, PAGE, h); }

/* Mapping records and page tables: one page of a VMO mapped again and
 * again, 2 MiB apart (a page table each). */
static fe_status_t make_mapping(fe_handle_t *h)
{
	static fe_handle_t v;
	static uint64_t n;

	if (!v && fe_vmo_create(PAGE, &v) != FE_OK)
		return FE_ERR_NO_MEMORY;
	*h = FE_HANDLE_INVALID;
	fe_status_t st = fe_vm_map(fe_self, v, 0, FAR_VA + (n << 21), PAGE, FE_VM_READ);
	n += st == FE_OK;
	return st;
}

static make_fn maker(const char *kind)
{
	static const struct { const char *name; make_fn fn; } kinds[] = {
		{ "thread", make_thread }, { "endpoint", make_endpoint },
		{ "notification", make_notif }, { "vmo", make_vmo }, { "handle", make_dup },
		{ "process", make_process }, { "mapping", make_mapping },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kind && strcmp(kind, kinds[i].name) == 0)
			return kinds[i].fn;
	return NULL;
}

/* `role=kind-hog KIND`: makes objects of one kind until its budget is spent,
 * keeping them; signals USER0 with 1 if that ended in FE_ERR_NO_MEMORY
 * (else 2), then waits to be killed. */
int ut_role_kind_hog(const char *hog_kind)
{
	make_fn mk = maker(hog_kind);
	fe_status_t st = FE_OK;
	uint64_t n = 0;
	fe_handle_t h;

	if (!mk || fe_notif_create(&park_notif) != FE_OK)
		return 2;
	pin_here(); /* threads inherit it: no cross-CPU wake-ups while filling */
	while ((st = mk(&h)) == FE_OK)
		n++;
	printf("    # hog %s: %llu made, then %s\n", hog_kind, (unsigned long long)n,
	       fe_status_name(st));
	(void)fe_notif_signal(ut_slot(FE_START_USER0), st == FE_ERR_NO_MEMORY && n > 0 ? 1 : 2);
	return hang();
}

/* `role=dead-threads`: DEAD_THREADS threads that exit at once, every handle
 * kept; their stacks must come back as they die (16 MiB could not hold them).
 * Signals USER0 with 1 if all were made, then waits to be killed. */
int ut_role_dead_threads(void)
{
	static fe_handle_t ths[DEAD_THREADS];
	fe_status_t st = FE_OK;
	unsigned n;

	pin_here();
	for (n = 0; n < DEAD_THREADS && st == FE_OK; n++) {
		if (n % 64 == 0 && !exited_reach(n))
			break;
		st = exit_thread(&ths[n]);
	}
	bool ok = st == FE_OK && n == DEAD_THREADS && exited_reach(DEAD_THREADS);
	struct fe_process_info pi = self_info();
	printf("    # dead-threads: %u made (%s), %llu exited, budget %llu of %llu\n", n,
	       fe_status_name(st), (unsigned long long)ut_exited,
	       (unsigned long long)pi.budget_used, (unsigned long long)pi.budget_limit);
	(void)fe_notif_signal(ut_slot(FE_START_USER0), ok ? 1 : 2);
	return hang();
}

/* `role=irq-binder`: binds USER0 (an IRQ) to a notification of its own, exits. */
int ut_role_irq_binder(void)
{
	fe_handle_t n;

	if (fe_notif_create(&n) != FE_OK)
		return 2;
	if (fe_irq_bind(ut_slot(FE_START_USER0), n, 7) != FE_OK)
		return 3;
	return fe_irq_ack(ut_slot(FE_START_USER0)) == FE_OK ? 0 : 4;
}

/* ---- at the limit: every allocating call refused, nothing changed ---- */

static fe_handle_t held[HOLD_MAX];
static unsigned nheld;

static void fill(make_fn mk)
{
	while (nheld < HOLD_MAX && mk(&held[nheld]) == FE_OK)
		nheld++;
}

/* True if the call was refused with FE_ERR_NO_MEMORY and the budget and
 * the handle count did not move. */
static bool refused(const char *what, fe_status_t st)
{
	static struct fe_process_info before;
	struct fe_process_info now = self_info();

	if (!what) {
		before = now;
		return true;
	}
	if (st == FE_ERR_NO_MEMORY && now.budget_used == before.budget_used &&
	    now.handles == before.handles)
		return true;
	printf("    # at-limit: %s: %s, budget %llu -> %llu, handles %u -> %u\n", what,
	       fe_status_name(st), (unsigned long long)before.budget_used,
	       (unsigned long long)now.budget_used, before.handles, now.handles);
	return false;
}

/* Free handle slots, so the fill below ends on objects, not on table chunks. */
static bool reserve_slots(void)
{
	static fe_handle_t d[RESERVE_SLOTS];

	for (unsigned i = 0; i < RESERVE_SLOTS; i++)
		if (make_dup(&d[i]) != FE_OK)
			return false;
	for (unsigned i = 0; i < RESERVE_SLOTS; i++)
		(void)fe_handle_delete(d[i]);
	return true;
}

static int calls_at_limit(fe_handle_t m1, fe_handle_t ep)
{
	volatile uint64_t *w = (volatile uint64_t *)LIMIT_VA;
	fe_handle_t h = FE_HANDLE_INVALID;

	refused(NULL, FE_OK);
	if (!refused("vmo_create", fe_vmo_create(PAGE, &h))) return 20;
	if (!refused("endpoint_create", fe_endpoint_create(&h))) return 21;
	if (!refused("notif_create", fe_notif_create(&h))) return 22;
	if (!refused("process_create", fe_process_create("x", 1, PAGE, &h))) return 23;
	if (!refused("thread_create", exit_thread(&h))) return 24;
	if (!refused("vm_map", fe_vm_map(fe_self, m1, 0, FAR_VA, PAGE, FE_VM_READ))) return 25;
	if (!refused("vm_unmap split", fe_vm_unmap(fe_self, LIMIT_VA + PAGE, PAGE))) return 26;
	if (w[0] != 1 || w[PAGE / 8] != 2 || w[2 * PAGE / 8] != 3)
		return 27; /* the refused split changed the mapping */
	/* Handle slots: fill the table, then a new chunk is refused. */
	fill(make_dup);
	refused(NULL, FE_OK);
	if (!refused("handle_dup", fe_handle_dup(ep, FE_RIGHT_READ, 0, &h))) return 28;
	if (!refused("handle_grant", fe_handle_grant(fe_self, ep, FE_RIGHT_READ, &h))) return 29;
	return 0;
}

/* `role=at-limit`: spends its budget to the last byte it can, then checks
 * that every call that allocates kernel memory is refused, changing nothing. */
int ut_role_at_limit(void)
{
	volatile uint64_t *w = (volatile uint64_t *)LIMIT_VA;
	fe_handle_t m3, m1, ep;

	if (fe_vmo_create(3 * PAGE, &m3) != FE_OK || fe_vmo_create(PAGE, &m1) != FE_OK ||
	    fe_endpoint_create(&ep) != FE_OK ||
	    fe_vm_map(fe_self, m3, 0, LIMIT_VA, 3 * PAGE, FE_VM_READ | FE_VM_WRITE) != FE_OK)
		return 2;
	w[0] = 1, w[PAGE / 8] = 2, w[2 * PAGE / 8] = 3;
	if (!reserve_slots())
		return 3;
	fill(make_vmo);
	fill(make_endpoint);
	fill(make_notif);
	fill(make_endpoint);
	if (nheld == HOLD_MAX)
		return 4;
	fe_handle_t spare;
	if (make_dup(&spare) != FE_OK) /* a free slot is left: no allocation needed */
		return 5;
	(void)fe_handle_delete(spare);
	return calls_at_limit(m1, ep);
}

/* `role=vmo-midway`: a VMO as large as its whole budget, so its page array
 * fits but its pages run out part way through. */
int ut_role_vmo_midway(void)
{
	fe_handle_t h;

	return fe_vmo_create(HOG_SMALL, &h) == FE_ERR_NO_MEMORY ? 0 : 2;
}

/* `utest role=vmo-churn`: makes and drops large VMOs forever, so it is
 * nearly always inside vmo_create, between two of its work points. */
int ut_role_vmo_churn(void)
{
	for (;;) {
		fe_handle_t h;
		if (fe_vmo_create(CHURN_VMO, &h) == FE_OK)
			fe_handle_delete(h);
	}
}

/* `utest role=waiter arg=process|notification`: makes an object only it
 * holds (a thread-less child, a notification) and waits on it for good.
 * First it tells the parent (notification USER0, as bits) what its system-
 * call count will be once it is inside that wait: the count goes up as a
 * call enters, under the big lock the wait then blocks under. */
/* Long past any kill under load; were the killed thread left on its CPU's
 * sleep list, the timer would find it freed when this passes. */
#define WAITER_TIMEOUT_NS 3000000000ULL

int ut_role_waiter(const char *what)
{
	struct fe_process_info pi = { 0 };
	struct fe_exit_status st;
	uint64_t bits;
	fe_handle_t h;
	bool proc = what && strncmp(what, "process", 7) == 0;
	bool timed = what && strstr(what, "-timed") != NULL;

	if ((proc ? fe_process_create("waited", 6, 16 * PAGE, &h) : fe_notif_create(&h)) != FE_OK)
		return 2;
	if (fe_process_info(fe_self, &pi) != FE_OK) /* counted: the signal is next, then the wait */
		return 3;
	(void)fe_notif_signal(ut_slot(FE_START_USER0), pi.syscalls + 2);
	if (timed)
		return 10 - (proc ? fe_process_wait_timeout(h, &st, WAITER_TIMEOUT_NS)
		                  : fe_notif_wait_timeout(h, &bits, WAITER_TIMEOUT_NS));
	return 10 - (proc ? fe_process_wait(h, &st, 0) : fe_notif_wait(h, 0, &bits));
}

/* Gives c (thread-less) a thread that sleeps for good: a code page of
 * `mov eax, SLEEP; mov rdi, -1; syscall; jmp` mapped there, no stack used. */
static fe_status_t start_sleeper(fe_handle_t c)
{
	static const uint8_t code[] = { 0xb8, FE_SYS_THREAD_SLEEP, 0, 0, 0,
	                                0x48, 0xc7, 0xc7, 0xff, 0xff, 0xff, 0xff,
	                                0x0f, 0x05, 0xeb, 0xf0 };
	fe_handle_t v, th;
	fe_status_t st;

	if ((st = fe_vmo_create(PAGE, &v)) != FE_OK)
		return st;
	if ((st = fe_vmo_write(v, 0, code, sizeof(code))) == FE_OK &&
	    (st = fe_vm_map(c, v, 0, SLEEPER_VA, PAGE, FE_VM_READ | FE_VM_EXEC)) == FE_OK &&
	    (st = fe_thread_create(c, SLEEPER_VA, SLEEPER_VA + PAGE, 0, FE_PRIORITY_DEFAULT,
	                           &th)) == FE_OK)
		(void)fe_handle_delete(th);
	(void)fe_handle_delete(v);
	return st;
}

/* `utest role=unstarted arg=self|pair|report|started`: makes a process
 * that never gets a thread and ends, leaving it nothing but its own handle
 * (self), or two holding each other's (pair): ADR 0009, decision 7, ends
 * them with us. report: grants it to the parent (USER0, our parent's
 * process), signals the handle (USER1) and sleeps until killed. started:
 * the same with a started one (a sleeping thread), and exits. */
int ut_role_unstarted(const char *how)
{
	bool report = how && strcmp(how, "report") == 0;
	bool started = how && strcmp(how, "started") == 0;
	fe_handle_t c, d, x;

	if (!how || fe_process_create("unstarted", 9, 16 * PAGE, &c) != FE_OK)
		return 2;
	if (strcmp(how, "self") == 0)
		return fe_handle_grant(c, c, FE_RIGHT_READ, &x) == FE_OK && fe_handle_delete(c) == FE_OK
		       ? 0 : 3;
	if (strcmp(how, "pair") == 0)
		return fe_process_create("unstarted2", 10, 16 * PAGE, &d) == FE_OK &&
		       fe_handle_grant(c, d, FE_RIGHT_READ, &x) == FE_OK &&
		       fe_handle_grant(d, c, FE_RIGHT_READ, &x) == FE_OK &&
		       fe_handle_delete(c) == FE_OK && fe_handle_delete(d) == FE_OK ? 0 : 4;
	if (!report && !started)
		return 5;
	if (started && start_sleeper(c) != FE_OK)
		return 6;
	if (fe_handle_grant(ut_slot(FE_START_USER0), c,
	                    FE_RIGHT_READ | FE_RIGHT_WAIT | FE_RIGHT_MANAGE, &x) != FE_OK ||
	    fe_notif_signal(ut_slot(FE_START_USER0 + 1), x) != FE_OK)
		return 7;
	for (unsigned i = 0; report && i < SIGNAL_POLLS; i++)
		(void)fe_thread_sleep(POLL_NS);
	return report ? 8 : 0;
}

/* ---- the parent ---- */

static bool kernel_stats(struct fe_kernel_stats *ks)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	return tr != FE_HANDLE_INVALID && fe_kernel_stats(tr, ks) == FE_OK;
}

static void run_role(struct ut *t, const char *role, const char *arg, uint64_t budget)
{
	struct ut_child c = { .role = role, .arg = arg, .budget = budget };
	fe_handle_t p;

	if (UT_EXPECT_OK(t, ut_spawn(&c, &p)))
		ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
}

/* Starts a hog that signals when it is done, expects signal 1, checks that a
 * fresh process can still start threads, and stops the hog. */
static void with_hog(struct ut *t, const char *role, const char *arg, uint64_t budget)
{
	struct ut_child c = { .role = role, .arg = arg, .budget = budget };
	fe_handle_t n, p;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	c.user[0] = ut_dup(t, n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	if (UT_EXPECT_OK(t, ut_spawn(&c, &p))) {
		for (unsigned i = 0; i < SIGNAL_POLLS && fe_notif_wait(n, FE_NONBLOCK, &bits) != FE_OK;
		     i++)
			(void)fe_thread_sleep(POLL_NS);
		UT_EXPECT_MSG(t, bits == 1, "%s %s: signalled %llu, expected 1", role, arg ? arg : "",
		              (unsigned long long)bits);
		run_role(t, "threads", NULL, 0);
		ut_stop(t, p);
	}
	ut_del(t, c.user[0]);
	ut_del(t, n);
}

static void thread_exhaustion_leaves_others_room(struct ut *t)
{
	struct fe_process_info me = self_info();
	uint64_t budget = me.budget_limit / 2 < HOG_THREADS ? me.budget_limit / 2 : HOG_THREADS;

	if (budget < HOG_THREADS)
		ut_note(t, "budget %llu: the hog gets %llu", (unsigned long long)me.budget_limit,
		        (unsigned long long)budget);
	with_hog(t, "kind-hog", "thread", budget);
}

static void every_kind_of_exhaustion_leaves_others_room(struct ut *t)
{
	static const char *const kinds[] = { "endpoint", "notification", "vmo", "handle",
	                                     "process", "mapping" };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		with_hog(t, "kind-hog", kinds[i], HOG_SMALL);
}

static void dead_threads_do_not_pin_stacks(struct ut *t)
{
	with_hog(t, "dead-threads", NULL, 0);
}

static void every_allocating_call_refused_at_the_limit(struct ut *t)
{
	run_role(t, "at-limit", NULL, HOG_SMALL);
}

/* Makes one object of each kind and frees it; returns how far the budget
 * moved for each (0 = the charge came back whole). */
static void charge_round(struct ut *t, int64_t *delta, size_t n)
{
	fe_handle_t h, v;
	size_t k = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	for (k = 0; k < n; k++) {
		uint64_t before = self_info().budget_used;
		fe_status_t st = FE_OK;
		switch (k) {
		case 0: st = fe_vmo_create(4 * PAGE, &h); break;
		case 1: st = fe_endpoint_create(&h); break;
		case 2: st = fe_notif_create(&h); break;
		case 3: st = fe_process_create("c", 1, HOG_SMALL, &h); break;
		case 4: {
			uint64_t e = ut_exited;
			if ((st = exit_thread(&h)) == FE_OK)
				UT_EXPECT(t, exited_reach(e + 1));
			break;
		}
		case 5: st = fe_handle_dup(v, FE_RIGHT_READ, 0, &h); break;
		default:
			st = fe_vm_map(fe_self, v, 0, LIMIT_VA, PAGE, FE_VM_READ);
			if (st == FE_OK)
				st = fe_vm_unmap(fe_self, LIMIT_VA, PAGE);
			h = FE_HANDLE_INVALID;
		}
		UT_EXPECT_OK(t, st);
		if (st == FE_OK && h != FE_HANDLE_INVALID)
			ut_del(t, h);
		delta[k] = (int64_t)(self_info().budget_used - before);
	}
	ut_del(t, v);
}

/* fe_process_info's budget_used returns to where it was when each kind of
 * object is freed (after a first round that grows tables once). */
static void charges_return_when_objects_are_freed(struct ut *t)
{
	static const char *const names[] = { "vmo", "endpoint", "notification", "process",
	                                     "thread", "handle", "mapping" };
	int64_t delta[ARRAY_SIZE(names)];

	charge_round(t, delta, ARRAY_SIZE(names));
	charge_round(t, delta, ARRAY_SIZE(names));
	for (size_t k = 0; k < ARRAY_SIZE(names); k++)
		UT_EXPECT_MSG(t, delta[k] == 0, "%s: %lld bytes still charged after it was freed",
		              names[k], (long long)delta[k]);
}

/* A mapped VMO whose handle is gone lives on in the mapping; the unmap
 * frees it and gives its charge back. */
static void unmap_frees_a_vmo_without_handles(struct ut *t)
{
	fe_handle_t v;
	uint64_t before, mapped, after;

	for (int round = 0; round < 2; round++) { /* the first round makes page tables */
		before = self_info().budget_used;
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(4 * PAGE, &v)));
		UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, LIMIT_VA, 4 * PAGE, FE_VM_READ));
		ut_del(t, v);
		mapped = self_info().budget_used;
		UT_EXPECT_OK(t, fe_vm_unmap(fe_self, LIMIT_VA, 4 * PAGE));
		after = self_info().budget_used;
	}
	UT_EXPECT_GE(t, mapped, before + 4 * PAGE);
	UT_EXPECT_EQ(t, after, before);
}

/* An exited process's interrupt binding goes with it: its notification is
 * freed and the charge to our budget (through its budget) comes back. */
static void interrupt_binding_ends_with_its_process(struct ut *t)
{
	fe_handle_t irq = ut_slot(FE_START_IRQ_COM1);
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };
	struct ut_child c = { .role = "irq-binder" };
	fe_handle_t p;

	if (irq == FE_HANDLE_INVALID) {
		ut_skip(t, "no IRQ capability");
		return;
	}
	c.user[0] = ut_dup(t, irq, FE_RIGHT_MANAGE | FE_RIGHT_TRANSFER);
	run_role(t, "exit", "0", 0); /* warm up */
	uint64_t before = self_info().budget_used;
	bool stats = kernel_stats(&ka);
	if (UT_EXPECT_OK(t, ut_spawn(&c, &p)))
		ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
	UT_EXPECT_EQ(t, self_info().budget_used, before);
	if (stats && kernel_stats(&kb))
		UT_EXPECT_EQ(t, kb.objects, ka.objects);
	UT_EXPECT_STATUS(t, fe_irq_ack(irq), FE_ERR_BAD_STATE); /* no binding left */
	ut_del(t, c.user[0]);
}

/* A VMO refused part way through its pages is not counted as alive
 * (`objects` once kept it for good, while its memory came back). */
static void vmo_refused_midway_is_not_counted(struct ut *t)
{
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };

	run_role(t, "exit", "0", 0); /* warm up */
	if (!kernel_stats(&ka)) {
		ut_skip(t, "no trace capability");
		return;
	}
	run_role(t, "vmo-midway", NULL, HOG_SMALL);
	UT_ASSERT(t, kernel_stats(&kb));
	UT_EXPECT_EQ(t, kb.objects, ka.objects);
	UT_EXPECT_EQ(t, kb.kheap_objects, ka.kheap_objects);
}

/* A process killed while its thread is preempted inside vmo_create (at a
 * work point, where the call lets other threads in) gives everything back:
 * the half-made VMO is undone by the call, not abandoned with the stack it
 * was being made on. The child runs below us on our CPU, so our wake-up
 * preempts it at its next work point and we kill it there. */
static void kill_inside_a_long_call_frees_everything(struct ut *t)
{
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };
	struct ut_child c = { .role = "vmo-churn", .budget = CHURN_VMO + (16ULL << 20),
	                      .priority = FE_PRIORITY_MIN + 1 };
	fe_handle_t p;

	run_role(t, "exit", "0", 0); /* warm up */
	if (!kernel_stats(&ka)) {
		ut_skip(t, "no trace capability");
		return;
	}
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0));
	uint64_t before = self_info().budget_used;
	for (unsigned i = 0; i < CHURN_ROUNDS; i++) {
		if (!UT_EXPECT_OK(t, ut_spawn(&c, &p)))
			break;
		(void)fe_thread_sleep(20 * POLL_NS + i * 7 * POLL_NS);
		UT_EXPECT_OK(t, fe_process_kill(p));
		ut_expect_exit(t, p, FE_EXIT_KILLED, 0);
	}
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	UT_EXPECT_EQ(t, self_info().budget_used, before);
	UT_ASSERT(t, kernel_stats(&kb));
	UT_EXPECT_EQ(t, kb.objects, ka.objects);
	UT_EXPECT_EQ(t, kb.kheap_objects, ka.kheap_objects);
	UT_EXPECT_EQ(t, kb.threads, ka.threads);
}

/* Kills a `waiter` child once it is blocked in its wait on `what`. */
static void kill_a_waiter(struct ut *t, const char *what)
{
	struct ut_child c = { .role = "waiter", .arg = what };
	struct fe_process_info pi = { 0 };
	uint64_t inside = 0;
	fe_handle_t n, p;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	c.user[0] = ut_dup(t, n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	if (UT_EXPECT_OK(t, ut_spawn(&c, &p))) {
		UT_EXPECT_OK(t, fe_notif_wait(n, 0, &inside));
		for (unsigned i = 0; i < SIGNAL_POLLS && fe_process_info(p, &pi) == FE_OK &&
		                     pi.syscalls < inside; i++)
			(void)fe_thread_sleep(POLL_NS);
		UT_EXPECT_MSG(t, pi.syscalls >= inside, "waiter %s: %llu calls, waits at %llu", what,
		              (unsigned long long)pi.syscalls, (unsigned long long)inside);
		UT_EXPECT_OK(t, fe_process_kill(p));
		ut_expect_exit(t, p, FE_EXIT_KILLED, 0);
	}
	ut_del(t, c.user[0]);
	ut_del(t, n);
}

/* A process killed while its thread is blocked in a wait gives back what it
 * waited on: the waited-for process (with its budget and its parent's) and
 * the notification, which the call kept referenced while it slept. A kill
 * ends a blocked thread without returning into its call, so that reference
 * must be dropped by the kill (issue 10: sysfuzz's "objects +1, kheap +3"
 * under host load was a worker killed in process_wait on its child). */
static void kill_during_a_wait_frees_what_it_waits_on(struct ut *t)
{
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };

	run_role(t, "exit", "0", 0); /* warm up */
	if (!kernel_stats(&ka)) {
		ut_skip(t, "no trace capability");
		return;
	}
	kill_a_waiter(t, "process");
	kill_a_waiter(t, "notification");
	kill_a_waiter(t, "process-timed");      /* on a wait queue and the sleep list */
	kill_a_waiter(t, "notification-timed");
	UT_ASSERT(t, kernel_stats(&kb));
	UT_EXPECT_EQ(t, kb.processes, ka.processes);
	UT_EXPECT_EQ(t, kb.objects, ka.objects);
	UT_EXPECT_EQ(t, kb.kheap_objects, ka.kheap_objects);
	UT_EXPECT_EQ(t, kb.threads, ka.threads);
}

/* Runs `unstarted` with `how` (after a first run: tables grow once) and
 * expects processes, kernel objects, heap objects and our budget back. */
static void unstarted_leaves_nothing(struct ut *t, const char *how)
{
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };

	run_role(t, "unstarted", how, 0); /* warm up */
	if (!kernel_stats(&ka)) {
		ut_skip(t, "no trace capability");
		return;
	}
	uint64_t before = self_info().budget_used;
	run_role(t, "unstarted", how, 0);
	UT_ASSERT(t, kernel_stats(&kb));
	UT_EXPECT_EQ(t, kb.processes, ka.processes);
	UT_EXPECT_EQ(t, kb.objects, ka.objects);
	UT_EXPECT_EQ(t, kb.kheap_objects, ka.kheap_objects);
	UT_EXPECT_EQ(t, self_info().budget_used, before);
}

/* A thread-less process holding the only handle to itself (a capability
 * cycle: nothing else could end it) ends with the process that made it,
 * and is freed with its charge to our budget through its maker's. */
static void unstarted_process_holding_itself_is_freed(struct ut *t)
{
	unstarted_leaves_nothing(t, "self");
}

/* Two thread-less processes holding the only handles to each other. */
static void unstarted_processes_holding_each_other_are_freed(struct ut *t)
{
	unstarted_leaves_nothing(t, "pair");
}

/* Spawns `unstarted` with `how`, which grants us its process; returns the
 * child (*p) and our handle to that process (*c), or false. */
static bool unstarted_granted(struct ut *t, const char *how, fe_handle_t *p, fe_handle_t *c)
{
	struct ut_child ch = { .role = "unstarted", .arg = how };
	fe_handle_t n;
	uint64_t bits = 0;

	if (!UT_EXPECT_OK(t, fe_notif_create(&n)))
		return false;
	ch.user[0] = ut_dup(t, fe_self, FE_RIGHT_MANAGE | FE_RIGHT_TRANSFER);
	ch.user[1] = ut_dup(t, n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	bool spawned = UT_EXPECT_OK(t, ut_spawn(&ch, p));
	for (unsigned i = 0; spawned && i < SIGNAL_POLLS &&
	                     fe_notif_wait(n, FE_NONBLOCK, &bits) != FE_OK; i++)
		(void)fe_thread_sleep(POLL_NS);
	*c = (fe_handle_t)bits;
	ut_del(t, ch.user[1]);
	ut_del(t, ch.user[0]);
	ut_del(t, n);
	if (spawned && !UT_EXPECT_MSG(t, bits != 0, "unstarted %s: granted us nothing", how))
		ut_stop(t, *p);
	return spawned && bits != 0;
}

/* Killing the maker of a process nobody started ends that process too, as
 * killed: a handle to it we were given reads so at once. */
static void unstarted_process_ends_with_its_maker(struct ut *t)
{
	struct fe_kernel_stats ka = { 0 }, kb = { 0 };
	struct fe_exit_status st = { 0 };
	fe_handle_t p, c;

	run_role(t, "exit", "0", 0); /* warm up */
	bool stats = kernel_stats(&ka);
	if (!unstarted_granted(t, "report", &p, &c))
		return;
	UT_EXPECT_STATUS(t, fe_process_wait(c, &st, FE_NONBLOCK), FE_ERR_WOULD_BLOCK);
	UT_EXPECT_OK(t, fe_process_kill(p));
	ut_expect_exit(t, p, FE_EXIT_KILLED, 0);
	if (UT_EXPECT_OK(t, fe_process_wait(c, &st, FE_NONBLOCK)))
		UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	ut_del(t, c);
	if (stats && kernel_stats(&kb)) {
		UT_EXPECT_EQ(t, kb.processes, ka.processes);
		UT_EXPECT_EQ(t, kb.objects, ka.objects);
	}
}

/* A process its maker started (gave a thread) is its own: it outlives its
 * maker, until we kill it. */
static void started_process_outlives_its_maker(struct ut *t)
{
	struct fe_process_info pi = { 0 };
	struct fe_exit_status st = { 0 };
	fe_handle_t p, c;

	if (!unstarted_granted(t, "started", &p, &c))
		return;
	ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
	UT_EXPECT_STATUS(t, fe_process_wait(c, &st, FE_NONBLOCK), FE_ERR_WOULD_BLOCK);
	if (UT_EXPECT_OK(t, fe_process_info(c, &pi)))
		UT_EXPECT_EQ(t, pi.threads, 1);
	UT_EXPECT_OK(t, fe_process_kill(c));
	if (UT_EXPECT_OK(t, fe_process_wait(c, &st, 0)))
		UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	ut_del(t, c);
}

UT_SUITE(quota,
	UT_CASE(thread_exhaustion_leaves_others_room),
	UT_CASE(every_kind_of_exhaustion_leaves_others_room),
	UT_CASE(dead_threads_do_not_pin_stacks),
	UT_CASE(every_allocating_call_refused_at_the_limit),
	UT_CASE(charges_return_when_objects_are_freed),
	UT_CASE(unmap_frees_a_vmo_without_handles),
	UT_CASE(interrupt_binding_ends_with_its_process),
	UT_CASE(vmo_refused_midway_is_not_counted),
	UT_CASE(kill_inside_a_long_call_frees_everything),
	UT_CASE(kill_during_a_wait_frees_what_it_waits_on),
	UT_CASE(unstarted_process_holding_itself_is_freed),
	UT_CASE(unstarted_processes_holding_each_other_are_freed),
	UT_CASE(unstarted_process_ends_with_its_maker),
	UT_CASE(started_process_outlives_its_maker));
