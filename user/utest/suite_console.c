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
 * While a case holds the console, it prints nothing itself, and what it
 * takes that is not its own (the kernel's lines, say) is printed again
 * after it lets go, so nothing disappears from the log.
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

/* Everything taken while a case holds the console (the ring's 64 KiB and more). */
static char taken[80 * 1024];
static size_t taken_len;

/* Prints taken[] again but for the occurrences of skip (may be NULL). */
static void reprint_taken(const char *skip)
{
	size_t len = skip ? strlen(skip) : 0, from = 0;

	for (size_t i = 0; len && i + len <= taken_len;) {
		if (memcmp(taken + i, skip, len) != 0) {
			i++;
			continue;
		}
		if (i > from)
			(void)fe_console_write(fe_console, taken + from, i - from);
		i += len;
		from = i;
	}
	if (taken_len > from)
		(void)fe_console_write(fe_console, taken + from, taken_len - from);
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

/* Takes all that waits into taken[]; the number of chunks. */
static uint64_t take_all(void)
{
	uint64_t n, chunks = 0;

	while (taken_len < sizeof(taken) &&
	       fe_console_take(fe_console, taken + taken_len, sizeof(taken) - taken_len, &n) == FE_OK &&
	       n > 0) {
		taken_len += n;
		chunks++;
	}
	return chunks;
}

/* Occurrences of s in taken[]. */
static uint64_t count_taken(const char *s)
{
	size_t len = strlen(s);
	uint64_t c = 0;

	for (size_t i = 0; i + len <= taken_len; i++)
		if (memcmp(taken + i, s, len) == 0)
			c++;
	return c;
}

static void output_goes_to_the_driver_while_attached(struct ut *t)
{
	static const char line[] = "    # console: this line went through the ring\n";
	struct fe_kernel_stats ks;
	fe_handle_t n;
	uint64_t bits = 0, got = 0, found;
	char buf[8];
	fe_status_t again, bad_ptr;

	if (!have_port(t))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_console_attach(fe_console, io(), n, BIT)));
	again = fe_console_attach(fe_console, io(), n, BIT);
	(void)fe_console_write(fe_console, line, sizeof(line) - 1);
	fe_status_t woke = fe_notif_wait(n, FE_NONBLOCK, &bits);
	bool stats = kstats(&ks);
	bad_ptr = fe_console_take(fe_console, (char *)8, 16, &got);
	taken_len = 0;
	take_all();
	found = count_taken(line);
	UT_EXPECT_OK(t, fe_console_detach(fe_console));
	reprint_taken(line); /* what else went by meanwhile (the kernel's lines, say) */
	UT_EXPECT_EQ(t, again, FE_ERR_BUSY);
	UT_EXPECT_OK(t, woke);
	UT_EXPECT_EQ(t, bits, 1ULL << BIT);
	UT_EXPECT(t, stats && ks.console_attached == 1);
	UT_EXPECT_EQ(t, bad_ptr, FE_ERR_FAULT);
	UT_EXPECT_EQ(t, found, 1u);
	UT_EXPECT(t, kstats(&ks) && ks.console_attached == 0);
	UT_EXPECT_EQ(t, fe_console_take(fe_console, buf, sizeof(buf), &got), FE_ERR_BAD_STATE);
	fe_handle_delete(n);
}

static void full_ring_drops_whole_writes_and_says_so(struct ut *t)
{
	struct fe_kernel_stats before, after;
	char filler[FILLER_LINE + 1];
	fe_handle_t n;

	if (!have_port(t))
		return;
	memset(filler, '.', sizeof(filler));
	memcpy(filler, "    # filler", 12);
	filler[FILLER_LINE - 1] = '\n';
	filler[FILLER_LINE] = '\0';
	UT_ASSERT(t, kstats(&before));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_console_attach(fe_console, io(), n, BIT)));
	for (unsigned i = 0; i < OVERFLOW_BYTES / FILLER_LINE; i++)
		(void)fe_console_write(fe_console, filler, FILLER_LINE);
	taken_len = 0;
	take_all();
	uint64_t filler_seen = count_taken(filler);
	/* Room again: the marker goes first. */
	(void)fe_console_write(fe_console, "    # console: room again\n", 26);
	take_all();
	uint64_t marker = count_taken("[console: ");
	UT_EXPECT_OK(t, fe_console_detach(fe_console));
	reprint_taken(filler);
	UT_ASSERT(t, kstats(&after));
	UT_EXPECT_GT(t, after.console_dropped, before.console_dropped);
	UT_EXPECT_EQ(t, (after.console_dropped - before.console_dropped) % FILLER_LINE, 0u);
	UT_EXPECT_EQ(t, filler_seen * FILLER_LINE + (after.console_dropped - before.console_dropped),
	             (uint64_t)OVERFLOW_BYTES);
	UT_EXPECT_EQ(t, count_taken("    # console: room again\n"), 1u);
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
