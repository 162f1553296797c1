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

/* A thread blocked in a wait wakes when we signal. */
static void signal_wakes_blocked_thread(struct ut *t)
{
	struct waiter w = { 0 };
	fe_handle_t th;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&w.n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(wait_blocking, &w, FE_PRIORITY_DEFAULT, &th)));
	UT_EXPECT_OK(t, fe_thread_sleep(10000000)); /* it runs and blocks */
	UT_EXPECT_EQ(t, w.done, 0);
	UT_EXPECT_OK(t, fe_notif_signal(w.n, 1ULL << 40));
	UT_EXPECT_EQ(t, ut_poll(&w.done), 1);
	UT_EXPECT_OK(t, w.st);
	UT_EXPECT_EQ(t, w.bits, 1ULL << 40);
	ut_del(t, th);
	ut_del(t, w.n);
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
	UT_CASE(signal_from_another_process));
