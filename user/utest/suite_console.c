/* SPDX-License-Identifier: MIT */
/*
 * The console's hand-over to a user-space UART driver (FE_SYS_CONSOLE_*,
 * kernel/object/console_driver.c): only a holder of the console's I/O ports
 * may take its output, one at a time; while it holds it, console writes go
 * whole into the kernel's ring, it is told through its notification bit and
 * takes them line by line; a full ring drops whole writes and says so; and
 * what a driver that ends leaves unconfirmed is written by the kernel
 * itself (counted in fe_kernel_stats.console_reclaimed).
 *
 * While a case holds the console, what it takes that is not its own (the
 * kernel's lines, say) is printed again after it lets go, so nothing
 * disappears from the log; and it prints nothing itself meanwhile.
 */
#include "ut.h"

#define BIT 3u
#define FILLER_LINE 64u
#define OVERFLOW_BYTES (80u * 1024) /* more than the kernel's 64 KiB ring */

static fe_handle_t io(void)
{
	return ut_slot(FE_START_IOPORT_COM1);
}

static bool kstats(struct fe_kernel_stats *ks)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);

	return tr != FE_HANDLE_INVALID && fe_kernel_stats(tr, ks) == FE_OK;
}

/* What a case took but did not expect, printed again once it let go. */
static char others[4096];
static size_t others_len;

static void keep_other(const char *s, size_t n)
{
	if (others_len + n <= sizeof(others)) {
		memcpy(others + others_len, s, n);
		others_len += n;
	}
}

static void print_others(void)
{
	if (others_len)
		(void)fe_console_write(fe_console, others, others_len);
	others_len = 0;
}

static bool have_port(struct ut *t)
{
	if (io() == FE_HANDLE_INVALID || ut_slot(FE_START_TRACE) == FE_HANDLE_INVALID) {
		ut_skip(t, "no COM1 io-port or trace capability");
		return false;
	}
	return true;
}

static void attach_checks_its_capabilities(struct ut *t)
{
	fe_handle_t n, ro_io, no_signal;

	if (!have_port(t))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_EXPECT_OK(t, fe_handle_dup(io(), FE_RIGHT_READ, 0, &ro_io));
	UT_EXPECT_OK(t, fe_handle_dup(n, FE_RIGHT_WAIT, 0, &no_signal));
	UT_EXPECT_EQ(t, fe_console_attach(0x7fff1234, io(), n, BIT), FE_ERR_BAD_HANDLE);
	UT_EXPECT_EQ(t, fe_console_attach(n, io(), n, BIT), FE_ERR_WRONG_TYPE);
	UT_EXPECT_EQ(t, fe_console_attach(fe_console, n, n, BIT), FE_ERR_WRONG_TYPE);
	UT_EXPECT_EQ(t, fe_console_attach(fe_console, ro_io, n, BIT), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_EQ(t, fe_console_attach(fe_console, io(), no_signal, BIT), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_EQ(t, fe_console_attach(fe_console, io(), n, 64), FE_ERR_INVALID_ARG);
	fe_handle_delete(ro_io);
	fe_handle_delete(no_signal);
	fe_handle_delete(n);
}

static void take_and_detach_need_the_attachment(struct ut *t)
{
	char buf[16];
	uint64_t got = 99;

	if (!have_port(t))
		return;
	UT_EXPECT_EQ(t, fe_console_take(fe_console, buf, sizeof(buf), &got), FE_ERR_BAD_STATE);
	UT_EXPECT_EQ(t, got, 99u);
	UT_EXPECT_EQ(t, fe_console_detach(fe_console), FE_ERR_BAD_STATE);
}

/* Takes chunks until one equals want (others kept); false if none waits. */
static bool take_until(const char *want, uint64_t *chunks)
{
	char buf[FE_CONSOLE_CHUNK_MAX];
	uint64_t n;

	for (;;) {
		if (fe_console_take(fe_console, buf, sizeof(buf), &n) != FE_OK || n == 0)
			return false;
		(*chunks)++;
		if (n == strlen(want) && memcmp(buf, want, n) == 0)
			return true;
		keep_other(buf, (size_t)n);
	}
}

static void output_goes_to_the_driver_while_attached(struct ut *t)
{
	static const char line[] = "    # console: this line went through the ring\n";
	struct fe_kernel_stats ks;
	fe_handle_t n;
	uint64_t bits = 0, chunks = 0, got = 0;
	char buf[8];
	fe_status_t again, bad_ptr;
	bool found;

	if (!have_port(t))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_console_attach(fe_console, io(), n, BIT)));
	again = fe_console_attach(fe_console, io(), n, BIT);
	(void)fe_console_write(fe_console, line, sizeof(line) - 1);
	fe_status_t woke = fe_notif_wait(n, FE_NONBLOCK, &bits);
	bool stats = kstats(&ks);
	bad_ptr = fe_console_take(fe_console, (char *)8, 16, &got);
	found = take_until(line, &chunks);
	UT_EXPECT_OK(t, fe_console_detach(fe_console));
	print_others();
	UT_EXPECT_EQ(t, again, FE_ERR_BUSY);
	UT_EXPECT_OK(t, woke);
	UT_EXPECT_EQ(t, bits, 1ULL << BIT);
	UT_EXPECT(t, stats && ks.console_attached == 1);
	UT_EXPECT_EQ(t, bad_ptr, FE_ERR_FAULT);
	UT_EXPECT(t, found);
	UT_EXPECT(t, kstats(&ks) && ks.console_attached == 0);
	UT_EXPECT_EQ(t, fe_console_take(fe_console, buf, sizeof(buf), &got), FE_ERR_BAD_STATE);
	fe_handle_delete(n);
}

static void full_ring_drops_whole_writes_and_says_so(struct ut *t)
{
	struct fe_kernel_stats before, after;
	char filler[FILLER_LINE], buf[FE_CONSOLE_CHUNK_MAX];
	uint64_t got, chunks = 0, marker = 0, filler_seen = 0;
	fe_handle_t n;

	if (!have_port(t))
		return;
	memset(filler, '.', sizeof(filler));
	memcpy(filler, "    # filler", 12);
	filler[FILLER_LINE - 1] = '\n';
	UT_ASSERT(t, kstats(&before));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_console_attach(fe_console, io(), n, BIT)));
	for (unsigned i = 0; i < OVERFLOW_BYTES / FILLER_LINE; i++)
		(void)fe_console_write(fe_console, filler, sizeof(filler));
	while (fe_console_take(fe_console, buf, sizeof(buf), &got) == FE_OK && got > 0) {
		chunks++;
		if (got == FILLER_LINE && memcmp(buf, filler, FILLER_LINE) == 0)
			filler_seen++;
		else if (got > 10 && memcmp(buf, "[console: ", 10) == 0)
			marker++;
		else
			keep_other(buf, (size_t)got);
	}
	(void)fe_console_write(fe_console, "x\n", 2); /* room again: the marker goes first */
	while (fe_console_take(fe_console, buf, sizeof(buf), &got) == FE_OK && got > 0)
		if (got > 10 && memcmp(buf, "[console: ", 10) == 0)
			marker++;
	UT_EXPECT_OK(t, fe_console_detach(fe_console));
	print_others();
	UT_ASSERT(t, kstats(&after));
	UT_EXPECT_GT(t, after.console_dropped, before.console_dropped);
	UT_EXPECT_EQ(t, (after.console_dropped - before.console_dropped) % FILLER_LINE, 0u);
	UT_EXPECT_EQ(t, filler_seen * FILLER_LINE + (after.console_dropped - before.console_dropped),
	             (uint64_t)OVERFLOW_BYTES);
	UT_EXPECT_EQ(t, marker, 1u);
	fe_handle_delete(n);
}

static void a_dead_driver_leaves_its_output_to_the_kernel(struct ut *t)
{
	struct ut_child c = { .role = "console-driver", .user = { io() } };
	struct fe_kernel_stats before, after;
	fe_handle_t p;

	if (!have_port(t))
		return;
	UT_ASSERT(t, kstats(&before));
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
	UT_ASSERT(t, kstats(&after));
	/* Its three lines, never taken, written by the kernel when it ended. */
	UT_EXPECT_GE(t, after.console_reclaimed - before.console_reclaimed, 3u * 43u);
	UT_EXPECT_EQ(t, after.console_attached, 0u);
}

/* The child: attaches, writes three lines and ends without taking them. */
int ut_role_console_driver(void)
{
	static const char line[] = "    # console: left by a driver that ended\n";
	fe_handle_t n;

	if (fe_notif_create(&n) != FE_OK ||
	    fe_console_attach(fe_console, fe_start_handle(FE_START_USER0), n, 0) != FE_OK)
		return 1;
	for (int i = 0; i < 3; i++)
		(void)fe_console_write(fe_console, line, sizeof(line) - 1);
	return 0;
}

UT_SUITE(console,
	UT_CASE(attach_checks_its_capabilities),
	UT_CASE(take_and_detach_need_the_attachment),
	UT_CASE(output_goes_to_the_driver_while_attached),
	UT_CASE(full_ring_drops_whole_writes_and_says_so),
	UT_CASE(a_dead_driver_leaves_its_output_to_the_kernel));
