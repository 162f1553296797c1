/* SPDX-License-Identifier: MIT */
/*
 * What revoke reaches (ADR 0009): revoking a capability takes back, besides
 * every capability derived from it, what was made through those: mappings
 * (VMO and MMIO), IPC buffers, waits on endpoints and notifications, and
 * interrupt bindings. Revoke returns only once no CPU can write through a
 * removed mapping.
 */
#include "ut.h"

#define POLL_NS 1000000ULL
#define POLLS 2000u                     /* ~2 s of 1 ms polls */
#define MAP_VA 0x51000000ULL            /* this process's own test mappings */
#define HPET_VA 0x52000000ULL

static uint64_t read_word(struct ut *t, fe_handle_t v)
{
	uint64_t w = 0;

	UT_EXPECT_OK(t, fe_vmo_read(v, 0, &w, sizeof(w)));
	return w;
}

/* ---- a writer on another CPU ---- */

/* `utest role=revoke-writer [CPU]`: maps USER0 (a VMO granted by the parent)
 * at UT_SHM_VA and writes a counter to it forever, pinned to CPU if given.
 * Ends only by a fault (what the parent expects) or a kill. */
int ut_role_revoke_writer(const char *arg)
{
	volatile uint64_t *p = (volatile uint64_t *)UT_SHM_VA;
	uint64_t cpu;

	if (arg && (fe_parse_u64(arg, &cpu) != FE_OK ||
	            fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu) != FE_OK))
		return 2;
	if (fe_vm_map(fe_self, ut_slot(FE_START_USER0), 0, UT_SHM_VA, PAGE,
	              FE_VM_READ | FE_VM_WRITE) != FE_OK)
		return 3;
	for (uint64_t i = 1;; i++)
		*p = i;
}

/* The child's capability is derived from ours: revoking ours removes it and
 * the mapping made through it, on every CPU, before revoke returns. */
static void revoke_unmaps_a_writer_on_any_cpu(struct ut *t)
{
	bool two = ut_cpu_count() >= 2;
	struct ut_child c = { .role = "revoke-writer", .arg = two ? "1" : NULL };
	fe_handle_t v, p;
	uint64_t removed = 0, before, after;

	if (two)
		UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	c.user[0] = v;
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	for (unsigned i = 0; i < 20 * POLLS && read_word(t, v) == 0; i++)
		(void)fe_thread_sleep(POLL_NS);
	before = read_word(t, v);
	UT_EXPECT_NE(t, before, 0);
	UT_EXPECT_OK(t, fe_handle_revoke(v, &removed));
	UT_EXPECT_GE(t, removed, 1);
	before = read_word(t, v);
	for (unsigned i = 0; i < 20; i++) /* give a stale writer every chance */
		(void)fe_thread_sleep(POLL_NS);
	after = read_word(t, v);
	UT_EXPECT_EQ(t, after, before);
	ut_expect_fault(t, p, 14, UT_SHM_VA, NULL);
	ut_del(t, v);
	if (two)
		UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
}

static bool has_rights(fe_handle_t h, uint32_t rights)
{
	struct fe_handle_info info = { 0 };

	return h != FE_HANDLE_INVALID && fe_handle_info(h, &info) == FE_OK &&
	       (info.rights & rights) == rights;
}

/* A mapping made through a revoked duplicate is gone: its range is free
 * again, both halves if an unmap split it. Deleting the handle instead
 * leaves the mapping (it holds its own reference). VMO and MMIO alike. */
static void revoke_removes_mappings_made_through_copies(struct ut *t)
{
	fe_handle_t v, d, hpet = ut_slot(FE_START_MMIO_HPET), hd;
	volatile uint64_t *w = (volatile uint64_t *)MAP_VA;
	const uint32_t rw = FE_VM_READ | FE_VM_WRITE;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(3 * PAGE, &v)));
	d = ut_dup(t, v, FE_RIGHT_MAP | FE_RIGHT_READ | FE_RIGHT_WRITE);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, d, 0, MAP_VA, 3 * PAGE, rw)));
	*w = 42;
	UT_EXPECT_EQ(t, read_word(t, v), 42);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, MAP_VA + PAGE, PAGE)); /* two halves now */
	UT_EXPECT_OK(t, fe_handle_revoke(v, NULL));
	UT_EXPECT_STATUS(t, fe_handle_info(d, &(struct fe_handle_info){ 0 }), FE_ERR_BAD_HANDLE);
	/* The range is free: mapping it again works (else FE_ERR_EXISTS). */
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, MAP_VA, 3 * PAGE, rw));
	UT_EXPECT_EQ(t, *w, 42);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, MAP_VA, 3 * PAGE));
	d = ut_dup(t, v, FE_RIGHT_MAP | FE_RIGHT_READ);
	UT_EXPECT_OK(t, fe_vm_map(fe_self, d, 0, MAP_VA, PAGE, FE_VM_READ));
	ut_del(t, d); /* deleting is not revoking: the mapping stays */
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, MAP_VA, PAGE, FE_VM_READ), FE_ERR_EXISTS);
	UT_EXPECT_EQ(t, *w, 42);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, MAP_VA, PAGE));
	ut_del(t, v);
	if (!has_rights(hpet, FE_RIGHT_MAP | FE_RIGHT_READ | FE_RIGHT_DUPLICATE | FE_RIGHT_REVOKE)) {
		ut_note(t, "no HPET capability to map and revoke: MMIO not checked");
		return;
	}
	hd = ut_dup(t, hpet, FE_RIGHT_MAP | FE_RIGHT_READ | FE_RIGHT_DUPLICATE | FE_RIGHT_REVOKE);
	d = ut_dup(t, hd, FE_RIGHT_MAP | FE_RIGHT_READ);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, d, 0, HPET_VA, PAGE, FE_VM_READ)));
	UT_EXPECT_OK(t, fe_handle_revoke(hd, NULL));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, hd, 0, HPET_VA, PAGE, FE_VM_READ));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, HPET_VA, PAGE));
	ut_del(t, hd);
}

/* ---- one shootdown for many mappings ---- */

#define MANY_MAPS 32u
#define TRACE_WINDOW 1024u

static volatile uint64_t spin_ready, spin_stop, spin_count;

/* Runs in this address space on CPU 1 until told to stop, so every TLB
 * shootdown for it has a CPU to signal. */
static void spinner(void *arg)
{
	(void)arg;
	if (fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 1) != FE_OK)
		return;
	spin_ready = 1;
	while (!spin_stop)
		spin_count++;
}

/* In the trace, during this CPU's last revoke call (its record is written at
 * its exit and says when it began): how many mappings it removed and how many
 * shootdowns it sent. */
static void count_revoke_work(const struct fe_trace_record *r, uint64_t n, uint32_t cpu,
                              unsigned *deps, unsigned *shootdowns)
{
	uint64_t end = n;

	for (uint64_t i = 0; i < n; i++)
		if (r[i].cpu == cpu && r[i].type == FE_TRACE_SYSCALL &&
		    FE_TRACE_SYSCALL_NR(r[i].arg[0]) == FE_SYS_HANDLE_REVOKE)
			end = i;
	*deps = *shootdowns = 0;
	if (end == n)
		return;
	uint64_t began = r[end].tsc - r[end].arg[3];
	for (uint64_t i = 0; i < end; i++) {
		if (r[i].cpu != cpu || r[i].tsc < began)
			continue;
		*deps += r[i].type == FE_TRACE_CAP_REVOKE_DEP && r[i].arg[0] == 1;
		*shootdowns += r[i].type == FE_TRACE_TLB_SHOOTDOWN;
	}
}

/* Revoking a capability that made many mappings flushes the other CPUs'
 * TLBs once, not once per mapping (the big lock is held, interrupts off,
 * while each shootdown waits for every CPU using the address space). */
static void revoke_of_many_mappings_shoots_down_once(struct ut *t)
{
	static struct fe_trace_record recs[TRACE_WINDOW];
	fe_handle_t tr = ut_slot(FE_START_TRACE), v, d, th;
	unsigned deps, shootdowns;
	uint64_t n = 0;

	if (ut_cpu_count() < 2 || tr == FE_HANDLE_INVALID) {
		ut_skip(t, "needs two CPUs and the trace capability");
		return;
	}
	spin_ready = spin_stop = 0;
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(spinner, NULL, FE_PRIORITY_DEFAULT, &th)));
	UT_EXPECT_EQ(t, ut_poll(&spin_ready), 1);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(MANY_MAPS * PAGE, &v)));
	d = ut_dup(t, v, FE_RIGHT_MAP | FE_RIGHT_READ | FE_RIGHT_WRITE);
	for (unsigned i = 0; i < MANY_MAPS; i++) /* a page apart: separate mappings */
		UT_EXPECT_OK(t, fe_vm_map(fe_self, d, i * PAGE, MAP_VA + 2 * i * PAGE, PAGE,
		                          FE_VM_READ | FE_VM_WRITE));
	UT_EXPECT_OK(t, fe_handle_revoke(v, NULL));
	UT_EXPECT_OK(t, fe_trace_read(tr, recs, TRACE_WINDOW, &n));
	spin_stop = 1;
	count_revoke_work(recs, n, 0, &deps, &shootdowns);
	UT_EXPECT_EQ(t, deps, MANY_MAPS);
	UT_EXPECT_EQ(t, shootdowns, 1);
	/* Every range is free again (else FE_ERR_EXISTS). */
	for (unsigned half = 0; half < 2; half++) {
		uint64_t va = MAP_VA + half * MANY_MAPS * PAGE;
		UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, MANY_MAPS * PAGE, FE_VM_READ));
		UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, MANY_MAPS * PAGE));
	}
	ut_del(t, v);
	ut_del(t, th);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
}

/* ---- IPC buffers ---- */

static fe_handle_t buf_copy, buf_ep;
static volatile uint64_t buf_ready, buf_go, buf_done;
static volatile fe_status_t buf_result;

static void buffer_user(void *arg)
{
	struct fe_msg m = { .info = FE_MSG_INFO(1, 8, 0) };

	(void)arg;
	buf_result = fe_thread_set_ipc_buffer(buf_copy, 0);
	buf_ready = 1;
	if (buf_result == FE_OK) {
		(void)ut_poll(&buf_go);
		buf_result = fe_call(buf_ep, &m); /* 8 words need a buffer */
	}
	buf_done = 1;
}

/* A buffer set through a revoked copy is detached: the VMO is freed (its
 * charge returns) and a long message has no buffer to come from. */
static void revoke_detaches_ipc_buffers(struct ut *t)
{
	struct fe_process_info a = { 0 }, b = { 0 };
	fe_handle_t v, th;
	struct fe_msg m;

	buf_ready = buf_go = buf_done = 0;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&buf_ep)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	buf_copy = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_WRITE);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(buffer_user, NULL, FE_PRIORITY_DEFAULT, &th)));
	UT_EXPECT_EQ(t, ut_poll(&buf_ready), 1);
	UT_EXPECT_OK(t, buf_result);
	UT_EXPECT_OK(t, fe_process_info(fe_self, &a));
	UT_EXPECT_OK(t, fe_handle_revoke(v, NULL));
	ut_del(t, v);
	UT_EXPECT_OK(t, fe_process_info(fe_self, &b));
	UT_EXPECT_MSG(t, a.budget_used >= b.budget_used + PAGE,
	              "the buffer's VMO was not freed: budget %llu before, %llu after",
	              (unsigned long long)a.budget_used, (unsigned long long)b.budget_used);
	buf_go = 1;
	/* If the call got through (the buffer stayed), answer it so nothing hangs. */
	while (!buf_done) {
		if (fe_recv(buf_ep, FE_NONBLOCK, &m) == FE_OK) {
			ut_note(t, "a long call was sent from a revoked buffer");
			m.info = FE_MSG_INFO(0, 0, 0);
			(void)fe_reply(&m);
		}
		(void)fe_thread_sleep(POLL_NS);
	}
	UT_EXPECT_STATUS(t, buf_result, FE_ERR_BAD_STATE);
	ut_del(t, th);
	ut_del(t, buf_ep);
}

/* ---- blocked waits ---- */

enum wait_kind { WAIT_RECV, WAIT_CALL, WAIT_NOTIF, WAIT_REPLY_RECV };

static fe_handle_t wait_copy;
static volatile uint64_t wait_started, wait_done;
static volatile fe_status_t wait_result;

/* Waits through wait_copy; whatever it gets on FE_OK it answers, so the
 * parent can end a wait a revoke did not end. */
static void waiter(void *arg)
{
	enum wait_kind k = (enum wait_kind)(uintptr_t)arg;
	struct fe_msg m = { .info = FE_MSG_INFO(1, 0, 0) };
	uint64_t bits;

	if (k == WAIT_REPLY_RECV) {
		/* Take one call, then wait for the next in reply_recv (the fastpath). */
		if (fe_recv(wait_copy, 0, &m) != FE_OK)
			return;
		wait_started = 1;
		wait_result = fe_reply_recv(wait_copy, &m);
	} else {
		wait_started = 1;
		wait_result = k == WAIT_RECV ? fe_recv(wait_copy, 0, &m)
		              : k == WAIT_CALL ? fe_call(wait_copy, &m)
		                               : fe_notif_wait(wait_copy, 0, &bits);
	}
	if (wait_result == FE_OK && k != WAIT_CALL && k != WAIT_NOTIF)
		(void)fe_reply(&m);
	wait_done = 1;
}

/* Yields until the waiter has started and had the CPU once more, so it is
 * blocked (both run on this CPU, at one priority). */
static void let_it_block(void)
{
	for (unsigned i = 0; i < 100000 && !wait_started; i++)
		(void)fe_thread_yield();
	for (unsigned i = 0; i < 3; i++)
		(void)fe_thread_yield();
}

/* Ends a wait the revoke should have ended (so a failing test does not hang). */
static void unblock(struct ut *t, enum wait_kind k, fe_handle_t obj)
{
	struct fe_msg m = { .info = FE_MSG_INFO(2, 0, 0) };

	if (wait_done)
		return;
	ut_note(t, "the waiter was still blocked after the revoke");
	if (k == WAIT_NOTIF)
		(void)fe_notif_signal(obj, 1);
	else if (k == WAIT_CALL && fe_recv(obj, 0, &m) == FE_OK)
		(void)fe_reply(&m);
	else if (k != WAIT_CALL)
		(void)fe_call(obj, &m);
}

static void wait_then_revoke(struct ut *t, enum wait_kind k)
{
	struct fe_msg m = { .info = FE_MSG_INFO(3, 0, 0) };
	fe_handle_t obj, th;
	uint32_t cpu = 0;

	wait_started = wait_done = 0;
	wait_result = FE_OK;
	UT_EXPECT_OK(t, fe_cpu_current(&cpu));
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, k == WAIT_NOTIF ? fe_notif_create(&obj)
	                                              : fe_endpoint_create(&obj)));
	wait_copy = ut_dup(t, obj, FE_RIGHTS_ALL & ~FE_RIGHT_REVOKE);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(waiter, (void *)(uintptr_t)k,
	                                             FE_PRIORITY_DEFAULT, &th)));
	if (k == WAIT_REPLY_RECV)
		UT_EXPECT_OK(t, fe_call(obj, &m)); /* answered from reply_recv */
	let_it_block();
	UT_EXPECT_OK(t, fe_handle_revoke(obj, NULL));
	for (unsigned i = 0; i < POLLS && !wait_done; i++)
		(void)fe_thread_sleep(POLL_NS);
	UT_EXPECT_MSG(t, wait_done && wait_result == FE_ERR_CANCELED,
	              "wait kind %d: done %llu, status %s", k, (unsigned long long)wait_done,
	              fe_status_name(wait_result));
	unblock(t, k, obj);
	/* The next call or signal no longer reaches the revoked waiter. */
	for (unsigned i = 0; i < POLLS && !wait_done; i++)
		(void)fe_thread_sleep(POLL_NS);
	ut_del(t, th);
	ut_del(t, obj);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
}

static void revoke_wakes_a_blocked_receiver(struct ut *t)
{
	wait_then_revoke(t, WAIT_RECV);
}

static void revoke_wakes_a_queued_caller(struct ut *t)
{
	wait_then_revoke(t, WAIT_CALL);
}

static void revoke_wakes_a_notification_waiter(struct ut *t)
{
	wait_then_revoke(t, WAIT_NOTIF);
}

static void revoke_wakes_a_server_in_reply_recv(struct ut *t)
{
	wait_then_revoke(t, WAIT_REPLY_RECV);
}

/* ---- interrupt bindings ---- */

/* A binding made through a revoked copy of the IRQ or of the notification ends. */
static void revoke_ends_interrupt_bindings(struct ut *t)
{
	const uint32_t need = FE_RIGHT_MANAGE | FE_RIGHT_DUPLICATE | FE_RIGHT_REVOKE;
	fe_handle_t irq = ut_slot(FE_START_IRQ_COM1), mine, n, d;

	if (!has_rights(irq, need)) {
		ut_skip(t, "no IRQ capability to bind and revoke");
		return;
	}
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	mine = ut_dup(t, irq, need);
	d = ut_dup(t, mine, FE_RIGHT_MANAGE);
	UT_EXPECT_OK(t, fe_irq_bind(d, n, 3));
	UT_EXPECT_OK(t, fe_irq_ack(mine));
	UT_EXPECT_OK(t, fe_handle_revoke(mine, NULL));
	UT_EXPECT_STATUS(t, fe_irq_ack(mine), FE_ERR_BAD_STATE); /* no binding left */
	d = ut_dup(t, n, FE_RIGHT_SIGNAL);
	UT_EXPECT_OK(t, fe_irq_bind(mine, d, 3));
	UT_EXPECT_OK(t, fe_irq_ack(mine));
	UT_EXPECT_OK(t, fe_handle_revoke(n, NULL));
	UT_EXPECT_STATUS(t, fe_irq_ack(mine), FE_ERR_BAD_STATE);
	ut_del(t, mine);
	ut_del(t, n);
}

UT_SUITE(revoke,
	UT_CASE(revoke_unmaps_a_writer_on_any_cpu),
	UT_CASE(revoke_removes_mappings_made_through_copies),
	UT_CASE(revoke_of_many_mappings_shoots_down_once),
	UT_CASE(revoke_detaches_ipc_buffers),
	UT_CASE(revoke_wakes_a_blocked_receiver),
	UT_CASE(revoke_wakes_a_queued_caller),
	UT_CASE(revoke_wakes_a_notification_waiter),
	UT_CASE(revoke_wakes_a_server_in_reply_recv),
	UT_CASE(revoke_ends_interrupt_bindings));
