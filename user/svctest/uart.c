/* SPDX-License-Identifier: MIT */
/*
 * The serial console's driver crashed under the run's own output: this
 * KTAP stream goes through `uart` (user/uart16550). Each crash kind, twice,
 * each right after a burst of numbered lines (`# seq K of N: ...`), so the
 * driver is likely mid-line when it dies: the supervisor restarts it, the
 * kernel writes what it left from the first byte it had not written
 * (core/console_ring.h), the new instance takes the console over again. The
 * host then finds every numbered line exactly once, whole and in order
 * (scenario `supervisor`, seq_check).
 */
#include <fe/serial.h>

#include "svctest.h"

#define POLLS 2000u
#define POLL_NS 1000000ULL
#define LINES_PER_CRASH 6u
/* tools/testrun.py's SEQ_PAYLOAD. */
#define SEQ_PAYLOAD "the quick brown fox jumps over the lazy dog 0123456789"

static const enum fe_fault kinds[] = { FE_FAULT_NULL, FE_FAULT_WILD, FE_FAULT_ILLEGAL,
                                       FE_FAULT_STACK };
#define ROUNDS (2u * ARRAY_SIZE(kinds))
#define SEQ_TOTAL ((unsigned)((ROUNDS + 1u) * LINES_PER_CRASH))

static unsigned seq;

static void burst(void)
{
	for (unsigned i = 0; i < LINES_PER_CRASH; i++) {
		seq++;
		printf("# seq %u of %u: " SEQ_PAYLOAD "\n", seq, SEQ_TOTAL);
	}
}

/* Polls until the console is held by a driver again. */
static bool console_held(struct test *t)
{
	struct fe_kernel_stats ks = { 0 };

	for (unsigned i = 0; i < POLLS; i++) {
		if (fe_kernel_stats(fe_start_handle(FE_START_TRACE), &ks) == FE_OK && ks.console_attached)
			return true;
		(void)fe_thread_sleep(POLL_NS);
	}
	return CHECK(t, false, "no driver holds the console");
}

/* The instance answering now, once it is not k0: a dying instance's other
 * serving thread may still answer a call or two. */
static bool replaced(struct test *t, fe_handle_t ep, uint64_t k0, uint64_t *k1)
{
	for (unsigned i = 0; i < POLLS; i++) {
		if (!who(t, ep, k1, NULL))
			return false;
		if (*k1 != k0)
			return true;
		(void)fe_thread_sleep(POLL_NS);
		progress();
	}
	return CHECK(t, false, "uart %llu still answers", (unsigned long long)k0);
}

/* Polls until the instance answering has written some of the last burst:
 * its pump takes the lines from the console's ring after they were put
 * there, so the count may still be 0 at the first look. Bounded only by
 * the watchdog (no progress is counted here). */
static bool last_instance_writes(struct test *t, fe_handle_t ep)
{
	struct fe_serial_info info;

	for (;;) {
		if (!CHECK_OK(t, fe_serial_info(ep, &info)))
			return false;
		if (info.written > 0)
			return true;
		(void)fe_thread_sleep(POLL_NS);
	}
}

void uart_crashes_keep_the_console(struct test *t)
{
	struct fe_supervisor_row before, after;
	struct fe_serial_info info;
	fe_handle_t ep;

	if (!connect_to(t, "uart", &ep) || !row_of(t, "uart", &before))
		return;
	if (CHECK_OK(t, fe_serial_info(ep, &info)))
		CHECK(t, info.flags & FE_SERIAL_F_CONSOLE, "uart does not hold the console");
	for (unsigned round = 0; round < ROUNDS; round++) {
		enum fe_fault f = kinds[round % ARRAY_SIZE(kinds)];
		uint64_t k0 = 0, k1 = 0;
		if (!who(t, ep, &k0, NULL))
			break;
		burst();
		if (!CHECK_OK(t, fe_supervisor_crash(ctl, "uart", f, 0)))
			break;
		crashes_injected++;
		if (!replaced(t, ep, k0, &k1))
			break;
		progress();
	}
	burst();
	if (console_held(t) && row_of(t, "uart", &after))
		CHECK_EQ(t, after.restarts, before.restarts + ROUNDS);
	CHECK(t, last_instance_writes(t, ep), "the last instance wrote nothing");
	fe_handle_delete(ep);
}
