/* SPDX-License-Identifier: MIT */
/* Threads: creation (raw and through the runtime), shared memory, exit,
 * priorities, yield and sleep, IPC buffer registration. */
#include "ut.h"

#define RAW_STACK 0x10000ULL /* one runtime thread region, so fe_ipc_buffer() sees no block */
#define LOW_PRIORITY (FE_PRIORITY_DEFAULT - 1)

/* What a raw thread (ut_raw_entry, no runtime set-up) saw and got. */
struct raw_result {
	fe_handle_t ep;
	uint64_t arg, rsp;
	fe_status_t long_call, caps_call;
	volatile uint64_t done;
};

_Noreturn void ut_raw_main(uint64_t arg, uint64_t entry_rsp)
{
	struct raw_result *r = (struct raw_result *)(uintptr_t)arg;
	struct fe_msg m = { .info = FE_MSG_INFO(1, FE_IPC_REG_WORDS + 1, 0) };

	r->arg = arg;
	r->rsp = entry_rsp;
	r->long_call = fe_call(r->ep, &m); /* no IPC buffer: refused before it blocks */
	m.info = FE_MSG_INFO(1, 0, 1);
	r->caps_call = fe_call(r->ep, &m);
	r->done = 1;
	fe_thread_exit();
}

/* A zero-filled stack region; returns its top, 0 on failure. */
static uint64_t raw_stack(struct ut *t)
{
	uint64_t va = fe_va_alloc_aligned(RAW_STACK, RAW_STACK);
	fe_handle_t v;
	bool ok;

	if (!UT_EXPECT_NE(t, va, 0) || !UT_EXPECT_OK(t, fe_vmo_create(RAW_STACK, &v)))
		return 0;
	ok = UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, RAW_STACK, FE_VM_READ | FE_VM_WRITE));
	ut_del(t, v); /* the mapping keeps the pages */
	return ok ? va + RAW_STACK : 0;
}

static bool run_raw_thread(struct ut *t, struct raw_result *r, uint64_t *stack_top)
{
	fe_handle_t th;
	struct fe_handle_info hi = { 0 };

	*stack_top = raw_stack(t);
	if (*stack_top == 0 || !UT_EXPECT_OK(t, fe_endpoint_create(&r->ep)))
		return false;
	if (!UT_EXPECT_OK(t,
			  fe_thread_create(fe_self, (uint64_t)(uintptr_t)ut_raw_entry, *stack_top,
					   (uint64_t)(uintptr_t)r, FE_PRIORITY_DEFAULT, &th)))
		return false;
	UT_EXPECT_OK(t, fe_handle_info(th, &hi));
	UT_EXPECT_EQ(t, hi.type, FE_OBJ_THREAD);
	UT_EXPECT_EQ(t, ut_poll(&r->done), 1);
	ut_del(t, th);
	ut_del(t, r->ep);
	return r->done != 0;
}

static void thread_starts_with_arg_and_stack(struct ut *t)
{
	struct raw_result r = { 0 };
	uint64_t top;

	UT_ASSERT(t, run_raw_thread(t, &r, &top));
	UT_EXPECT_EQ(t, r.arg, (uint64_t)(uintptr_t)&r); /* and it wrote into our memory */
	UT_EXPECT_EQ(t, r.rsp, top);
}

static void long_message_without_ipc_buffer_is_bad_state(struct ut *t)
{
	struct raw_result r = { 0 };
	uint64_t top;

	UT_ASSERT(t, run_raw_thread(t, &r, &top));
	UT_EXPECT_STATUS(t, r.long_call, FE_ERR_BAD_STATE);
	UT_EXPECT_STATUS(t, r.caps_call, FE_ERR_BAD_STATE);
}

/* Every refusal, aimed at an empty process: a thread created by mistake would show. */
static void thread_create_checks(struct ut *t)
{
	static const uint64_t bad_entry[] = {0,
					     FE_USER_BASE - 1,
					     FE_USER_TOP,
					     0x0000800000000000ULL,
					     0xffff800000000000ULL,
					     0xffffffff80000000ULL};
	static const uint64_t bad_stack[] = { 0, 0x0000800000000000ULL, 0xffff800000000000ULL,
	                                      0xffffffff80000000ULL };
	const uint64_t ok_va = 0x400000, ok_stack = 0x7000000;
	struct fe_process_info pi = { .threads = 99 };
	fe_handle_t p, nomanage, v, th = FE_HANDLE_INVALID;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("nothreads", 9, 1 << 20, &p)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	nomanage = ut_dup(t, p, FE_RIGHTS_ALL & ~FE_RIGHT_MANAGE);
	for (size_t i = 0; i < ARRAY_SIZE(bad_entry); i++)
		UT_EXPECT_STATUS(t, fe_thread_create(p, bad_entry[i], ok_stack, 0, 1, &th),
				 FE_ERR_INVALID_ARG);
	for (size_t i = 0; i < ARRAY_SIZE(bad_stack); i++)
		UT_EXPECT_STATUS(t, fe_thread_create(p, ok_va, bad_stack[i], 0, 1, &th),
				 FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_thread_create(p, ok_va, ok_stack, 0, FE_PRIORITY_MAX + 1, &th),
	                 FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_thread_create(p, ok_va, ok_stack, 0, FE_PRIORITY_MAX, &th),
	                 FE_ERR_ACCESS_DENIED); /* above our own priority */
	UT_EXPECT_STATUS(t, fe_thread_create(nomanage, ok_va, ok_stack, 0, 1, &th),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_thread_create(v, ok_va, ok_stack, 0, 1, &th), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_thread_create(p, ok_va, ok_stack, 0, 1, NULL), FE_ERR_FAULT);
	UT_EXPECT_EQ(t, th, FE_HANDLE_INVALID);
	UT_EXPECT_OK(t, fe_process_info(p, &pi));
	UT_EXPECT_EQ(t, pi.threads, 0);
	ut_del(t, nomanage);
	ut_del(t, v);
	ut_del(t, p);
}

#define WORKERS 4
#define WORKER_ROUNDS 1000

static struct {
	uint64_t own[WORKERS];
	uint64_t total;
	uint64_t finished;
} shared;

static void counting_worker(void *arg)
{
	unsigned k = (unsigned)(uintptr_t)arg;

	for (unsigned i = 0; i < WORKER_ROUNDS; i++) {
		shared.own[k]++;
		__atomic_fetch_add(&shared.total, 1, __ATOMIC_SEQ_CST);
		if (i % 100 == 0)
			(void)fe_thread_yield();
	}
	__atomic_fetch_add(&shared.finished, 1, __ATOMIC_SEQ_CST);
}

static void threads_share_memory(struct ut *t)
{
	fe_handle_t th[WORKERS];

	memset(&shared, 0, sizeof(shared));
	for (unsigned k = 0; k < WORKERS; k++)
		UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(counting_worker, (void *)(uintptr_t)k,
		                                             FE_PRIORITY_DEFAULT, &th[k])));
	UT_WAIT_UNTIL(__atomic_load_n(&shared.finished, __ATOMIC_SEQ_CST) == WORKERS);
	UT_EXPECT_EQ(t, shared.finished, WORKERS);
	UT_EXPECT_EQ(t, shared.total, WORKERS * WORKER_ROUNDS);
	for (unsigned k = 0; k < WORKERS; k++) {
		UT_EXPECT_EQ(t, shared.own[k], WORKER_ROUNDS);
		ut_del(t, th[k]);
	}
}

static uint64_t order[2], norder;

static void record_priority(void *arg)
{
	order[__atomic_fetch_add(&norder, 1, __ATOMIC_SEQ_CST)] = (uint64_t)(uintptr_t)arg;
}

/* Both become ready while we run; once we sleep, the higher one goes first.
 * All three stay on this CPU (new threads inherit their creator's
 * affinity): with more CPUs the two would simply run side by side. */
static void higher_priority_runs_first(struct ut *t)
{
	fe_handle_t a, b;
	uint32_t cpu = 0;

	norder = 0;
	UT_EXPECT_OK(t, fe_cpu_current(&cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(record_priority, (void *)10, 10, &a)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(record_priority, (void *)12, 12, &b)));
	UT_WAIT_UNTIL(__atomic_load_n(&norder, __ATOMIC_SEQ_CST) == 2);
	UT_EXPECT_EQ(t, norder, 2);
	UT_EXPECT_EQ(t, order[0], 12);
	UT_EXPECT_EQ(t, order[1], 10);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	ut_del(t, a);
	ut_del(t, b);
}

static uint64_t low_ran;

static void set_low_ran(void *arg)
{
	(void)arg;
	__atomic_store_n(&low_ran, 1, __ATOMIC_SEQ_CST);
}

/* Yielding gives the CPU only to threads of our priority, never below. Both
 * stay on this CPU (the new thread inherits our affinity): with another CPU
 * idle, the low one would simply run there. */
static void lower_priority_waits_while_we_run(struct ut *t)
{
	fe_handle_t th;
	uint32_t cpu = 0;

	low_ran = 0;
	UT_EXPECT_OK(t, fe_cpu_current(&cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(set_low_ran, NULL, LOW_PRIORITY, &th)));
	for (unsigned i = 0; i < 200; i++)
		UT_EXPECT_OK(t, fe_thread_yield());
	UT_EXPECT_EQ(t, __atomic_load_n(&low_ran, __ATOMIC_SEQ_CST), 0);
	UT_EXPECT_EQ(t, ut_poll(&low_ran), 1); /* sleeping lets it run */
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	ut_del(t, th);
}

static void last_thread_exit_ends_process(struct ut *t)
{
	struct ut_child c = { .role = "thread-exit" };
	fe_handle_t p;
	uint64_t written = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &c.user[0])));
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
	UT_EXPECT_OK(t, fe_vmo_read(c.user[0], 0, &written, sizeof(written)));
	UT_EXPECT_EQ(t, written, 1); /* the second thread outlived the main one */
	ut_del(t, c.user[0]);
}

static void yield_and_sleep(struct ut *t)
{
	struct fe_kernel_stats ks = { 0 };
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	UT_EXPECT_OK(t, fe_thread_yield());
	UT_EXPECT_OK(t, fe_thread_sleep(0));
	if (tr == FE_HANDLE_INVALID) {
		ut_skip(t, "no trace capability for tsc_hz");
		return;
	}
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_kernel_stats(tr, &ks)));
	uint64_t t0 = fe_rdtsc();
	UT_EXPECT_OK(t, fe_thread_sleep(5000000));
	UT_EXPECT_GE(t, fe_rdtsc() - t0, ks.tsc_hz / 200); /* at least 5 ms */
}

struct ipcbuf_result {
	fe_status_t unaligned, beyond, wrapped, no_write, wrong_type, forged;
	volatile uint64_t done;
};

/* In a thread of its own, so a wrongly accepted buffer cannot break the main one. */
static void try_bad_ipc_buffers(void *arg)
{
	struct ipcbuf_result *r = arg;
	fe_handle_t v, ro, e;

	if (fe_vmo_create(2 * PAGE, &v) == FE_OK &&
	    fe_handle_dup(v, FE_RIGHT_READ, 0, &ro) == FE_OK && fe_endpoint_create(&e) == FE_OK) {
		r->unaligned = fe_thread_set_ipc_buffer(v, 8);
		r->beyond = fe_thread_set_ipc_buffer(v, 2 * PAGE);
		r->wrapped = fe_thread_set_ipc_buffer(v, ~0ULL & ~(PAGE - 1));
		r->no_write = fe_thread_set_ipc_buffer(ro, 0);
		r->wrong_type = fe_thread_set_ipc_buffer(e, 0);
		r->forged = fe_thread_set_ipc_buffer(FE_HANDLE_MAKE(0xfffff0, 1), 0);
	}
	r->done = 1;
}

static void set_ipc_buffer_checks(struct ut *t)
{
	struct ipcbuf_result r = { 0 };
	fe_handle_t th;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(try_bad_ipc_buffers, &r, FE_PRIORITY_DEFAULT,
						     &th)));
	UT_ASSERT(t, UT_EXPECT_EQ(t, ut_poll(&r.done), 1));
	UT_EXPECT_STATUS(t, r.unaligned, FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, r.beyond, FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, r.wrapped, FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, r.no_write, FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, r.wrong_type, FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, r.forged, FE_ERR_BAD_HANDLE);
	ut_del(t, th);
}

UT_SUITE(thread,
	UT_CASE(thread_starts_with_arg_and_stack),
	UT_CASE(long_message_without_ipc_buffer_is_bad_state),
	UT_CASE(thread_create_checks),
	UT_CASE(threads_share_memory),
	UT_CASE(higher_priority_runs_first),
	UT_CASE(lower_priority_waits_while_we_run),
	UT_CASE(last_thread_exit_ends_process),
	UT_CASE(yield_and_sleep),
	UT_CASE(set_ipc_buffer_checks));
