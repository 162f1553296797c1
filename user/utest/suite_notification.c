/* SPDX-License-Identifier: MIT */
/* Notifications: bits accumulate, a wait takes and clears them all. */
#include "ut.h"

static void bits_accumulate_and_clear(struct ut *t)
{
	fe_handle_t n;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_EXPECT_OK(t, fe_notif_signal(n, 1));
	UT_EXPECT_OK(t, fe_notif_signal(n, 1ULL << 63));
	UT_EXPECT_OK(t, fe_notif_signal(n, 1)); /* again: still one bit */
	UT_EXPECT_OK(t, fe_notif_wait(n, FE_NONBLOCK, &bits));
	UT_EXPECT_EQ(t, bits, 1 | (1ULL << 63));
	bits = 7;
	UT_EXPECT_STATUS(t, fe_notif_wait(n, FE_NONBLOCK, &bits), FE_ERR_WOULD_BLOCK);
	UT_EXPECT_EQ(t, bits, 7); /* untouched */
	UT_EXPECT_OK(t, fe_notif_signal(n, 2));
	UT_EXPECT_OK(t, fe_notif_wait(n, FE_NONBLOCK, &bits));
	UT_EXPECT_EQ(t, bits, 2); /* the earlier bits were cleared */
	ut_del(t, n);
}

/* A wait that cannot write its result does not consume the bits. */
static void failed_wait_keeps_bits(struct ut *t)
{
	fe_handle_t n;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_EXPECT_OK(t, fe_notif_signal(n, 0x80));
	UT_EXPECT_STATUS(t, fe_notif_wait(n, FE_NONBLOCK, NULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_notif_wait(n, FE_NONBLOCK, (uint64_t *)0xffff800000000000ULL),
	                 FE_ERR_FAULT);
	UT_EXPECT_OK(t, fe_notif_wait(n, FE_NONBLOCK, &bits));
	UT_EXPECT_EQ(t, bits, 0x80);
	ut_del(t, n);
}

static void notification_rights_and_types(struct ut *t)
{
	fe_handle_t n, signal_only, wait_only, v;
	uint64_t bits = 0;

	UT_ASSERT(t,
		  UT_EXPECT_OK(t, fe_notif_create(&n)) && UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	signal_only = ut_dup(t, n, FE_RIGHT_SIGNAL);
	wait_only = ut_dup(t, n, FE_RIGHT_WAIT);
	UT_EXPECT_STATUS(t, fe_notif_wait(signal_only, FE_NONBLOCK, &bits), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_notif_signal(wait_only, 1), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_notif_signal(signal_only, 8));
	UT_EXPECT_OK(t, fe_notif_wait(wait_only, FE_NONBLOCK, &bits));
	UT_EXPECT_EQ(t, bits, 8);
	UT_EXPECT_STATUS(t, fe_notif_signal(v, 1), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_notif_wait(v, FE_NONBLOCK, &bits), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_notif_wait(n, 0x40, &bits), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_notif_signal(FE_HANDLE_MAKE(0xfffff0, 1), 1), FE_ERR_BAD_HANDLE);
	ut_del(t, wait_only);
	ut_del(t, signal_only);
	ut_del(t, v);
	ut_del(t, n);
}

struct waiter {
	fe_handle_t n;
	fe_status_t st;
	uint64_t bits;
	volatile uint64_t done;
};

static void wait_blocking(void *arg)
{
	struct waiter *w = arg;

	w->st = fe_notif_wait(w->n, 0, &w->bits);
	w->done = 1;
}

/* A wait with bits pending returns at once (in a thread: were it to block,
 * only that thread would hang). */
static void signal_then_wait_returns_bits(struct ut *t)
{
	struct waiter w = { 0 };
	fe_handle_t th;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&w.n)));
	UT_EXPECT_OK(t, fe_notif_signal(w.n, 1));
	UT_EXPECT_OK(t, fe_notif_signal(w.n, 4));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(wait_blocking, &w, FE_PRIORITY_DEFAULT, &th)));
	UT_EXPECT_EQ(t, ut_poll(&w.done), 1);
	UT_EXPECT_OK(t, w.st);
	UT_EXPECT_EQ(t, w.bits, 5);
	ut_del(t, th);
	ut_del(t, w.n);
}

/* A thread blocked in waitfn (on w->n) wakes with the bits when we signal. */
static void signal_wakes(struct ut *t, void (*waitfn)(void *), uint64_t bits)
{
	struct waiter w = { 0 };
	fe_handle_t th;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&w.n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(waitfn, &w, FE_PRIORITY_DEFAULT, &th)));
	UT_EXPECT_OK(t, fe_thread_sleep(10000000)); /* it runs and blocks */
	UT_EXPECT_EQ(t, w.done, 0);
	UT_EXPECT_OK(t, fe_notif_signal(w.n, bits));
	UT_EXPECT_EQ(t, ut_poll(&w.done), 1);
	UT_EXPECT_OK(t, w.st);
	UT_EXPECT_EQ(t, w.bits, bits);
	ut_del(t, th);
	ut_del(t, w.n);
}

static void signal_wakes_blocked_thread(struct ut *t)
{
	signal_wakes(t, wait_blocking, 1ULL << 40);
}

static uint64_t now_ns(void)
{
	struct fe_cpu_stats cs = { 0 };

	(void)fe_cpu_stats(ut_slot(FE_START_TRACE), 0, &cs);
	return cs.now_ns;
}

/* A timed wait with nothing pending ends with FE_ERR_TIMED_OUT, not before
 * its time (load only makes it later), taking nothing; bits pending or
 * arriving end it with them. */
static void timed_wait_times_out_or_takes_bits(struct ut *t)
{
	fe_handle_t n;
	uint64_t bits = 7;

	if (ut_slot(FE_START_TRACE) == FE_HANDLE_INVALID) {
		ut_skip(t, "no trace capability (the clock)");
		return;
	}
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	uint64_t t0 = now_ns();
	UT_EXPECT_STATUS(t, fe_notif_wait_timeout(n, &bits, 20000000), FE_ERR_TIMED_OUT);
	UT_EXPECT_GE(t, now_ns() - t0, 20000000u);
	UT_EXPECT_EQ(t, bits, 7); /* untouched */
	UT_EXPECT_STATUS(t, fe_notif_wait_timeout(n, &bits, 0), FE_ERR_TIMED_OUT);
	UT_EXPECT_OK(t, fe_notif_signal(n, 0x30));
	UT_EXPECT_OK(t, fe_notif_wait_timeout(n, &bits, 0)); /* pending: at once */
	UT_EXPECT_EQ(t, bits, 0x30);
	/* Bad flags: both FE_NONBLOCK and FE_TIMEOUT, or an unknown bit. */
	UT_EXPECT_STATUS(t, (fe_status_t)fe_syscall6(FE_SYS_NOTIF_WAIT, n, FE_NONBLOCK | FE_TIMEOUT,
	                                             (uint64_t)&bits, 1000, 0, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, (fe_status_t)fe_syscall6(FE_SYS_NOTIF_WAIT, n, 4, (uint64_t)&bits, 0, 0, 0),
	                 FE_ERR_INVALID_ARG);
	ut_del(t, n);
}

static void wait_a_minute(void *arg)
{
	struct waiter *w = arg;

	w->st = fe_notif_wait_timeout(w->n, &w->bits, 60000000000ULL);
	w->done = 1;
}

/* A signal ends a timed wait early, with its bits. */
static void signal_ends_a_timed_wait(struct ut *t)
{
	signal_wakes(t, wait_a_minute, 1ULL << 50);
}

/* A child that never ends: a timed process wait says so; then killed, the
 * wait sees the end. */
static void timed_process_wait(struct ut *t)
{
	struct ut_child c = { .role = "hang" };
	struct fe_exit_status st;
	fe_handle_t p;

	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	UT_EXPECT_STATUS(t, fe_process_wait_timeout(p, &st, 20000000), FE_ERR_TIMED_OUT);
	UT_EXPECT_OK(t, fe_process_kill(p));
	UT_EXPECT_OK(t, fe_process_wait_timeout(p, &st, 60000000000ULL));
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	ut_stop(t, p);
}

static void signal_from_another_process(struct ut *t)
{
	struct ut_child c = { .role = "notify", .arg = "0x600" };
	fe_handle_t n, p;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	c.user[0] = ut_dup(t, n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
	UT_EXPECT_OK(t, fe_notif_wait(n, FE_NONBLOCK, &bits));
	UT_EXPECT_EQ(t, bits, 0x600);
	ut_del(t, c.user[0]);
	ut_del(t, n);
}

UT_SUITE(notification,
	UT_CASE(signal_then_wait_returns_bits),
	UT_CASE(bits_accumulate_and_clear),
	UT_CASE(failed_wait_keeps_bits),
	UT_CASE(notification_rights_and_types),
	UT_CASE(signal_wakes_blocked_thread),
	UT_CASE(signal_from_another_process),
	UT_CASE(timed_wait_times_out_or_takes_bits),
	UT_CASE(signal_ends_a_timed_wait),
	UT_CASE(timed_process_wait));
