/* SPDX-License-Identifier: MIT */
/*
 * The crash campaign: every fault kind injected into `echo` again and
 * again, through the supervisor (`crash echo HOW`), half of them answered
 * first and half in flight (FE_SERVICE_CRASH_NO_REPLY). After each: the
 * supervisor restarted it (one more restart), its record of the dead
 * instance names the fault (reason, vector, address), and the client's
 * one endpoint capability, taken once before the first crash, gets answers
 * from the new instance.
 *
 * Restart time: from just before the crash request to the new instance's
 * answer to a call made right after it (the call waits on the endpoint
 * while the supervisor notices the end, waits the 1 ms backoff and starts
 * the next instance), in four parts (struct restarts). Printed, never
 * asserted; hangs apart, since theirs is mostly the heartbeat timeout.
 *
 * crash_once serves the long campaign of `make faults` too (faults.c).
 */
#include "svctest.h"

#define ROUNDS 10      /* of each fault but hang */
#define HANG_ROUNDS 3  /* each waits out echo's heartbeat timeout */
#define GUARD_PAGE 4096ULL

static struct restarts campaign;
unsigned extra_restarts;
uint64_t last_crashed;

/* What the supervisor must have recorded for fault f. */
static void expect_death(struct test *t, enum fe_fault f, const struct fe_supervisor_death *d)
{
	const char *name = fe_fault_name(f);
	uint64_t stack_base = FE_STACK_TOP - FE_STACK_SIZE;

	switch (f) {
	case FE_FAULT_HANG:
		CHECK(t, d->reason == FE_SUPERVISOR_REASON_HANG, "%s: reason %s", name,
		      fe_supervisor_reason_name(d->reason));
		return;
	case FE_FAULT_BUDGET:
		CHECK(t, d->reason == FE_SUPERVISOR_REASON_BUDGET && d->code == FE_SERVICE_EXIT_BUDGET,
		      "%s: reason %s code %lld", name, fe_supervisor_reason_name(d->reason),
		      (long long)d->code);
		return;
	default:
		break;
	}
	if (!CHECK(t, d->reason == FE_SUPERVISOR_REASON_FAULT, "%s: reason %s", name,
	           fe_supervisor_reason_name(d->reason)))
		return;
	if (f == FE_FAULT_ILLEGAL) {
		CHECK(t, d->vector == 6, "%s: vector %u, want 6 (#UD)", name, d->vector);
		return;
	}
	CHECK(t, d->vector == 14, "%s: vector %u, want 14 (#PF)", name, d->vector);
	if (f == FE_FAULT_NULL)
		CHECK_EQ(t, d->address, 0);
	else if (f == FE_FAULT_WILD)
		CHECK_EQ(t, d->address, FE_FAULT_WILD_ADDRESS);
	else
		CHECK(t, d->address < stack_base && d->address >= stack_base - GUARD_PAGE,
		      "stack: fault at %#llx, not in the page below the stack at %#llx",
		      (unsigned long long)d->address, (unsigned long long)stack_base);
}

/* The supervisor's view after one crash of instance k0 of `name`: *after
 * its row now, *notified when it learnt of the end (0 if unknown). */
static void expect_restart(struct test *t, const char *name, enum fe_fault f, uint64_t k0,
                           uint64_t k1, const struct fe_supervisor_row *before,
                           struct fe_supervisor_row *after, uint64_t *notified)
{
	struct fe_supervisor_death d;

	CHECK(t, k1 != k0, "%s %s: instance %llu still answers", name, fe_fault_name(f),
	      (unsigned long long)k0);
	*notified = 0;
	after->spawned_tsc = 0;
	if (row_of(t, name, after)) {
		CHECK(t, after->restarts >= before->restarts + 1, "%s %s: restarts %u -> %u", name,
		      fe_fault_name(f), before->restarts, after->restarts);
		if (after->restarts == before->restarts + 1) {
			CHECK_EQ(t, after->koid, k1);
		} else if (after->restarts > before->restarts + 1) {
			/* A heartbeat missed (under load, or an instance that hung):
			 * the one that answered may have been replaced since. */
			extra_restarts += after->restarts - before->restarts - 1;
			printf("    # %s %s: %u restarts for one crash\n", name, fe_fault_name(f),
			       after->restarts - before->restarts);
		}
	}
	if (CHECK_OK(t, fe_supervisor_death(ctl, name, k0, &d))) {
		expect_death(t, f, &d);
		*notified = d.tsc;
	}
}

/* Adds one restart's times to r if its stamps are in order (t0 < notified
 * < start < spawned < t1: a second restart in between breaks that). */
static void add_sample(struct restarts *r, enum fe_fault f, uint64_t t0, uint64_t t1,
                       uint64_t notified, const struct fe_supervisor_row *after)
{
	if (f == FE_FAULT_HANG) {
		if (r->nhang < HANG_SAMPLES_MAX)
			r->hang[r->nhang++] = t1 - t0;
		return;
	}
	if (r->n == SAMPLES_MAX || !(t0 < notified && notified <= after->start_tsc &&
	                             after->start_tsc <= after->spawned_tsc && after->spawned_tsc < t1))
		return;
	r->notified[r->n] = notified - t0;
	r->backoff[r->n] = after->start_tsc - notified;
	r->spawn[r->n] = after->spawned_tsc - after->start_tsc;
	r->answer[r->n] = t1 - after->spawned_tsc;
	r->total[r->n++] = t1 - t0;
}

bool crash_once(struct test *t, struct restarts *r, const char *name, fe_handle_t ep,
                enum fe_fault f, bool in_flight)
{
	struct fe_supervisor_row before, after;
	uint64_t k0, k1, notified;
	bool was_ok = !t->failed;

	if (!who(t, ep, &k0, NULL) || !row_of(t, name, &before))
		return false;
	last_crashed = k0;
	uint64_t t0 = fe_rdtsc();
	fe_status_t st = fe_supervisor_crash(ctl, name, f, in_flight ? FE_SERVICE_CRASH_NO_REPLY : 0);
	if (!CHECK(t, st == (in_flight ? FE_ERR_PEER_CLOSED : FE_OK), "crash %s %s%s: %s", name,
	           fe_fault_name(f), in_flight ? " (in flight)" : "", fe_status_name(st)))
		return false;
	crashes_injected++;
	if (!who(t, ep, &k1, NULL))
		return false;
	uint64_t t1 = fe_rdtsc();
	expect_restart(t, name, f, k0, k1, &before, &after, &notified);
	add_sample(r, f, t0, t1, notified, &after);
	progress();
	return was_ok && !t->failed;
}

void crash_campaign(struct test *t)
{
	fe_handle_t ep;
	unsigned done = 0;

	if (!connect_to(t, "echo", &ep))
		return;
	for (unsigned r = 0; r < ROUNDS; r++)
		for (unsigned f = FE_FAULT_NONE + 1; f < FE_FAULT_COUNT; f++) {
			if (f == FE_FAULT_DMA)
				continue; /* echo has no device: driver.c crashes blk with it */
			if (f == FE_FAULT_HANG && r >= HANG_ROUNDS)
				continue;
			done += crash_once(t, &campaign, "echo", ep, (enum fe_fault)f, (r + f) % 2 == 1);
		}
	printf("    # campaign: %u crashes of echo, %u as expected\n", campaign.n + campaign.nhang,
	       done);
	fe_handle_delete(ep);
}

void sort_ticks(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

uint64_t median_of(const uint64_t *v, unsigned n)
{
	return n ? v[n / 2] : 0;
}

uint64_t p99_of(const uint64_t *v, unsigned n)
{
	return n ? v[(n * 99 + 99) / 100 - 1] : 0;
}

uint64_t ticks_us(uint64_t ticks)
{
	return ticks / (tsc_hz / 1000000);
}

static void print_part(const char *part, uint64_t *v, unsigned n)
{
	sort_ticks(v, n);
	printf("# restart: %s median %llu us, p99 %llu us\n", part,
	       (unsigned long long)ticks_us(median_of(v, n)), (unsigned long long)ticks_us(p99_of(v, n)));
}

void restarts_print(const char *what, struct restarts *r)
{
	sort_ticks(r->total, r->n);
	printf("# restart: median %llu us, p99 %llu us over %u crashes (%s)\n",
	       (unsigned long long)ticks_us(median_of(r->total, r->n)),
	       (unsigned long long)ticks_us(p99_of(r->total, r->n)), r->n, what);
	print_part("crash request to supervisor notified", r->notified, r->n);
	print_part("notified to the next start (backoff, wake-ups)", r->backoff, r->n);
	print_part("fe_spawn", r->spawn, r->n);
	print_part("spawned to the new instance's answer", r->answer, r->n);
	sort_ticks(r->hang, r->nhang);
	if (r->nhang)
		printf("# restart after a hang (heartbeat timeout included): median %llu us over %u\n",
		       (unsigned long long)ticks_us(median_of(r->hang, r->nhang)), r->nhang);
}

/* Prints the campaign's restart times; fails only if there were none. */
void restart_time(struct test *t)
{
	if (!CHECK(t, campaign.n > 0 && tsc_hz >= 1000000, "no restart was measured"))
		return;
	restarts_print("echo", &campaign);
}
