/* SPDX-License-Identifier: MIT */
/*
 * The trace schema (include/ferrous/trace.h) against what the kernel
 * emits: each case drives every member of one part of the schema (every
 * system call number, every scheduling reason, every allocation path),
 * reads the rings back (fe_trace_read) and names each member it did not
 * find. Waits for records are bounded by the watchdog, never by time.
 */
#include <fe/ipc.h>
#include <ferrous/trace.h>

#include "ut.h"

#define WINDOW 4096 /* records read back: the kernel's most per call */
/* An argument no call accepts: not a handle of ours, not a user address, not a size. */
#define BOGUS 0xfffffff0ULL
#define EXIT_CODE 0x7e57

static struct fe_trace_record recs[WINDOW];

struct named {
	uint32_t value;
	const char *name;
};

#define SYS(n) { FE_SYS_##n, #n }
static const struct named syscalls[] = {
	SYS(NULL), SYS(CONSOLE_WRITE), SYS(HANDLE_DUP), SYS(HANDLE_DELETE), SYS(HANDLE_REVOKE),
	SYS(HANDLE_INFO), SYS(HANDLE_GRANT), SYS(PROCESS_CREATE), SYS(PROCESS_INFO),
	SYS(PROCESS_WAIT), SYS(PROCESS_KILL), SYS(PROCESS_EXIT), SYS(THREAD_CREATE),
	SYS(THREAD_EXIT), SYS(THREAD_YIELD), SYS(THREAD_SET_IPC_BUFFER), SYS(VMO_CREATE),
	SYS(VMO_READ), SYS(VMO_WRITE), SYS(VM_MAP), SYS(VM_UNMAP), SYS(ENDPOINT_CREATE), SYS(CALL),
	SYS(RECV), SYS(REPLY), SYS(REPLY_RECV), SYS(NOTIF_CREATE), SYS(NOTIF_SIGNAL),
	SYS(NOTIF_WAIT), SYS(IRQ_BIND), SYS(IRQ_ACK), SYS(IOPORT_IN), SYS(IOPORT_OUT),
	SYS(TRACE_READ), SYS(KERNEL_STATS), SYS(THREAD_SLEEP), SYS(THREAD_SET_AFFINITY),
	SYS(CPU_CURRENT), SYS(CPU_STATS), SYS(NODE_STATS), SYS(PROCESS_WATCH),
	SYS(PCI_CONFIG_READ), SYS(PCI_CONFIG_WRITE), SYS(PCI_DEVICE_CREATE), SYS(PCI_BAR),
	SYS(PCI_IRQ_BIND), SYS(PCI_DMA_MAP), SYS(PCI_DMA_UNMAP), SYS(PCI_RELEASE),
	SYS(CONSOLE_ATTACH), SYS(CONSOLE_TAKE), SYS(CONSOLE_DETACH), SYS(IOPORT_WRITE),
	SYS(GROUP_CREATE), SYS(GROUP_INFO), SYS(GROUP_KILL), SYS(GROUP_FREEZE),
	{ FE_SYS_COUNT, "(past the table)" },
};
_Static_assert(ARRAY_SIZE(syscalls) == FE_SYS_COUNT + 1, "every system call is listed");

static fe_handle_t trace_handle(struct ut *t)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	if (tr == FE_HANDLE_INVALID)
		ut_skip(t, "no trace capability");
	return tr;
}

/* Reads the newest records of every CPU into recs; their number. */
static uint64_t read_back(struct ut *t, fe_handle_t tr)
{
	uint64_t n = 0;

	if (!UT_EXPECT_OK(t, fe_trace_read(tr, recs, WINDOW, &n)))
		return 0;
	return n < WINDOW ? n : WINDOW;
}

/* Names the members of want[] (seen[i] false) missing; their number. */
static unsigned report_missing(struct ut *t, const char *what, const struct named *want,
                               const bool *seen, unsigned n)
{
	unsigned missing = 0;

	for (unsigned i = 0; i < n; i++)
		if (!seen[i]) {
			ut_note(t, "no %s record for %s (%u)", what, want[i].name, want[i].value);
			missing++;
		}
	return missing;
}

/* ---- every system call number ---- */

static fe_status_t statuses[ARRAY_SIZE(syscalls)];

static bool syscall_seen(const struct fe_trace_record *r, unsigned i)
{
	uint32_t nr = syscalls[i].value;

	if (r->type != FE_TRACE_SYSCALL || FE_TRACE_SYSCALL_NR(r->arg[0]) != nr)
		return false;
	if (nr == FE_SYS_THREAD_EXIT)
		return true; /* made by the helper thread, with whatever it had in rdi */
	if (nr == FE_SYS_PROCESS_EXIT)
		return r->arg[1] == EXIT_CODE; /* the child's exit code, status FE_OK */
	/* Ours: the arguments at entry and the status the call returned. */
	return r->arg[1] == (nr == FE_SYS_THREAD_SLEEP ? 1 : BOGUS) && r->arg[2] == BOGUS &&
	       FE_TRACE_SYSCALL_STATUS(r->arg[0]) == statuses[i];
}

static volatile bool helper_ran;

static void returns_at_once(void *arg)
{
	(void)arg;
	helper_ran = true; /* returning ends the thread: FE_SYS_THREAD_EXIT */
}

static void make_every_call(struct ut *t)
{
	fe_handle_t th, child;

	for (unsigned i = 0; i < ARRAY_SIZE(syscalls); i++) {
		uint32_t nr = syscalls[i].value;
		if (nr == FE_SYS_THREAD_EXIT || nr == FE_SYS_PROCESS_EXIT)
			continue;
		/* Every argument refused, so no call changes anything; sleep 1 ns. */
		statuses[i] = (fe_status_t)fe_syscall6(nr, nr == FE_SYS_THREAD_SLEEP ? 1 : BOGUS, BOGUS,
		                                       BOGUS, BOGUS, BOGUS, BOGUS);
	}
	UT_EXPECT_STATUS(t, statuses[FE_SYS_COUNT], FE_ERR_BAD_SYSCALL);
	helper_ran = false;
	UT_EXPECT_OK(t, fe_thread_spawn(returns_at_once, NULL, FE_PRIORITY_DEFAULT, &th));
	while (!helper_ran && !ut_timed_out())
		fe_thread_yield();
	fe_handle_delete(th);
	if (UT_EXPECT_OK(t, ut_spawn(&(struct ut_child){ .role = "exit", .arg = "0x7e57" }, &child)))
		ut_expect_exit(t, child, FE_EXIT_NORMAL, EXIT_CODE);
}

/* One record per call, at its exit, with its number, first arguments and status. */
static void every_syscall_number_is_recorded(struct ut *t)
{
	fe_handle_t tr = trace_handle(t);
	bool seen[ARRAY_SIZE(syscalls)];
	uint64_t n;

	if (tr == FE_HANDLE_INVALID)
		return;
	make_every_call(t);
	/* The helper thread's exit may still be on its way (another CPU). */
	do {
		n = read_back(t, tr);
		for (unsigned i = 0; i < ARRAY_SIZE(syscalls); i++) {
			seen[i] = false;
			for (uint64_t r = 0; r < n && !seen[i]; r++)
				seen[i] = syscall_seen(&recs[r], i);
		}
		ut_progress();
	} while (!seen[FE_SYS_THREAD_EXIT] && !ut_timed_out() && fe_thread_yield() == FE_OK);
	UT_EXPECT_EQ(t, report_missing(t, "syscall", syscalls, seen, ARRAY_SIZE(syscalls)), 0);
	for (uint64_t r = 0; r < n; r++) {
		UT_EXPECT_NE(t, recs[r].type, FE_TRACE_SYSCALL_ENTER); /* reserved: no longer emitted */
		UT_EXPECT_NE(t, recs[r].type, FE_TRACE_SYSCALL_EXIT);
	}
}

/* ---- every scheduling reason ---- */

#define R(n) { FE_SCHED_##n, #n }
/* The reasons a switch away gives (arg[2] of sched_switch)... */
static const struct named switch_reasons[] = {
	R(PREEMPTED), R(BLOCKED), R(YIELDED), R(EXITED), R(IPC_DIRECT), R(MIGRATED),
};
/* ...and a wake-up (arg[2] of sched_wake). MIGRATED last: it needs two CPUs. */
static const struct named wake_reasons[] = { R(WOKEN), R(TIMEOUT), R(MIGRATED) };

static fe_handle_t ep, notif;
static volatile bool stop;

/* Answers calls on ep until told to stop (a call with label 1). */
static void server(void *arg)
{
	struct fe_msg m;

	(void)arg;
	if (fe_recv(ep, 0, &m) != FE_OK)
		return;
	for (;;) {
		uint32_t label = FE_MSG_LABEL(m.info);
		m = fe_msg_make(label, 0, 0);
		if (label == 1) {
			fe_reply(&m);
			return;
		}
		if (fe_reply_recv(ep, &m) != FE_OK)
			return;
	}
}

/* Waits on notif (blocked, then woken) until told to stop. */
static void waiter(void *arg)
{
	uint64_t bits;

	(void)arg;
	while (!stop && fe_notif_wait(notif, 0, &bits) == FE_OK)
		;
}

/* Below our priority, so they run only while we sleep: one wakes the
 * waiter (which preempts it), both yield to each other. */
static void signaller(void *arg)
{
	(void)arg;
	while (!stop) {
		fe_notif_signal(notif, 1);
		fe_thread_yield();
	}
}

static void yielder(void *arg)
{
	(void)arg;
	while (!stop)
		fe_thread_yield();
}

/* Starts fn on this CPU (pinned: the hand-over and the preemption happen here). */
static void start_here(struct ut *t, void (*fn)(void *), uint32_t prio, uint64_t here, fe_handle_t *th)
{
	if (UT_EXPECT_OK(t, fe_thread_spawn(fn, NULL, prio, th)))
		UT_EXPECT_OK(t, fe_thread_set_affinity(*th, here));
}

static void drive_scheduler(struct ut *t, uint32_t cpu, uint32_t ncpu)
{
	fe_handle_t th[4] = { FE_HANDLE_INVALID, FE_HANDLE_INVALID, FE_HANDLE_INVALID, FE_HANDLE_INVALID };
	struct fe_msg m;
	uint64_t here = 1ULL << cpu;

	stop = false;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&ep)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&notif)));
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, here));
	start_here(t, server, FE_PRIORITY_DEFAULT, here, &th[0]);
	start_here(t, waiter, FE_PRIORITY_DEFAULT, here, &th[1]);
	start_here(t, signaller, FE_PRIORITY_DEFAULT - 1, here, &th[2]);
	start_here(t, yielder, FE_PRIORITY_DEFAULT - 1, here, &th[3]);
	for (int i = 0; i < 4; i++) {
		m = fe_msg_make(0, 0, 0);
		UT_EXPECT_OK(t, fe_call(ep, &m));          /* IPC_DIRECT both ways */
		UT_EXPECT_OK(t, fe_thread_sleep(1000000)); /* BLOCKED, then TIMEOUT; meanwhile
		                                              WOKEN, PREEMPTED, YIELDED */
	}
	if (ncpu > 1) /* MIGRATED: away from this CPU and back */
		for (uint32_t other = cpu == 0 ? 1 : 0, i = 0; i < 2; i++)
			UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << (i ? cpu : other)));
	stop = true;
	m = fe_msg_make(1, 0, 0);
	UT_EXPECT_OK(t, fe_call(ep, &m)); /* the server returns: EXITED */
	UT_EXPECT_OK(t, fe_notif_signal(notif, 1));
	UT_EXPECT_OK(t, fe_thread_sleep(1000000)); /* the others end meanwhile */
	fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL);
	for (unsigned i = 0; i < ARRAY_SIZE(th); i++)
		fe_handle_delete(th[i]);
	fe_handle_delete(ep), fe_handle_delete(notif);
}

static void scan_reasons(uint64_t n, uint16_t type, const struct named *want, bool *seen, unsigned k)
{
	for (unsigned i = 0; i < k; i++)
		seen[i] = false;
	for (uint64_t r = 0; r < n; r++)
		for (unsigned i = 0; i < k; i++)
			seen[i] |= recs[r].type == type && recs[r].arg[2] == want[i].value;
}

/* Each reason code of fe_sched_reason appears where the schema says. */
static void every_sched_reason_is_recorded(struct ut *t)
{
	fe_handle_t tr = trace_handle(t);
	bool sw[ARRAY_SIZE(switch_reasons)], wk[ARRAY_SIZE(wake_reasons)];
	uint32_t cpu = 0, ncpu = ut_cpu_count();
	unsigned nsw = ARRAY_SIZE(switch_reasons) - (ncpu > 1 ? 0 : 1);
	unsigned nwk = ARRAY_SIZE(wake_reasons) - (ncpu > 1 ? 0 : 1);

	if (tr == FE_HANDLE_INVALID)
		return;
	UT_EXPECT_OK(t, fe_cpu_current(&cpu));
	drive_scheduler(t, cpu, ncpu);
	uint64_t n = read_back(t, tr);
	scan_reasons(n, FE_TRACE_SCHED_SWITCH, switch_reasons, sw, nsw);
	scan_reasons(n, FE_TRACE_SCHED_WAKE, wake_reasons, wk, nwk);
	UT_EXPECT_EQ(t, report_missing(t, "sched_switch", switch_reasons, sw, nsw), 0);
	UT_EXPECT_EQ(t, report_missing(t, "sched_wake", wake_reasons, wk, nwk), 0);
	if (ncpu < 2)
		ut_note(t, "one CPU: MIGRATED not expected");
	/* The hand-over is one record: no wake with reason IPC_DIRECT. */
	for (uint64_t r = 0; r < n; r++)
		UT_EXPECT(t, recs[r].type != FE_TRACE_SCHED_WAKE || recs[r].arg[2] != FE_SCHED_IPC_DIRECT);
}

/* ---- every allocation path ---- */

#define EV(n) { FE_TRACE_##n, #n }
static const struct named alloc_events[] = {
	EV(FRAME_ALLOC), EV(FRAME_FREE), EV(SLAB_GROW), EV(CAP_CREATE), EV(CAP_TRANSFER),
	EV(CAP_REVOKE),
};
#define ENDPOINTS 200 /* more than two slabs of endpoints, so the cache must grow */

/* Takes one call on ep, keeps the capability it carries, answers. */
static void taker(void *arg)
{
	struct fe_msg m;
	fe_handle_t got;
	unsigned n;

	(void)arg;
	if (fe_recv(ep, 0, &m) == FE_OK && fe_msg_take_caps(&m, &got, 1, &n) == FE_OK) {
		m = fe_msg_make(0, 0, 0);
		fe_reply(&m);
	}
}

/* A capability derived, sent to a thread (cap_transfer), then revoked. */
static void drive_capabilities(struct ut *t)
{
	fe_handle_t d, th;
	struct fe_msg m = fe_msg_make(0, 0, 0);
	uint64_t removed = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&ep)));
	if (UT_EXPECT_OK(t, fe_handle_dup(ep, FE_RIGHTS_ALL, 0, &d)) &&
	    UT_EXPECT_OK(t, fe_thread_spawn(taker, NULL, FE_PRIORITY_DEFAULT, &th))) {
		UT_EXPECT_OK(t, fe_msg_attach_caps(&m, &d, 1));
		UT_EXPECT_OK(t, fe_call(ep, &m));
		UT_EXPECT_OK(t, fe_handle_revoke(d, &removed));
		UT_EXPECT_EQ(t, removed, 1); /* the taker's copy */
		fe_handle_delete(th);
	}
	fe_handle_delete(d);
	fe_handle_delete(ep);
}

static void drive_allocations(struct ut *t)
{
	static fe_handle_t eps[ENDPOINTS];
	fe_handle_t v;
	unsigned made = 0;

	/* A page allocated on the first write, freed with the VMO. */
	if (UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v))) {
		UT_EXPECT_OK(t, fe_vmo_write(v, 0, "x", 1));
		UT_EXPECT_OK(t, fe_handle_delete(v));
	}
	/* Kernel objects from a slab cache. */
	while (made < ENDPOINTS && fe_endpoint_create(&eps[made]) == FE_OK)
		made++;
	UT_EXPECT_EQ(t, made, ENDPOINTS);
	for (unsigned i = 0; i < made; i++)
		fe_handle_delete(eps[i]);
	drive_capabilities(t);
}

static void every_allocation_path_is_recorded(struct ut *t)
{
	fe_handle_t tr = trace_handle(t);
	bool seen[ARRAY_SIZE(alloc_events)] = { false };

	if (tr == FE_HANDLE_INVALID)
		return;
	drive_allocations(t);
	uint64_t n = read_back(t, tr);
	for (uint64_t r = 0; r < n; r++)
		for (unsigned i = 0; i < ARRAY_SIZE(alloc_events); i++)
			seen[i] |= recs[r].type == alloc_events[i].value;
	UT_EXPECT_EQ(t, report_missing(t, "allocation", alloc_events, seen, ARRAY_SIZE(alloc_events)), 0);
}

UT_SUITE(trace, UT_CASE(every_syscall_number_is_recorded), UT_CASE(every_sched_reason_is_recorded),
         UT_CASE(every_allocation_path_is_recorded));
