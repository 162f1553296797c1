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
 * the next instance). Printed, never asserted; hangs apart, since theirs is
 * mostly the heartbeat timeout.
 */
#include "svctest.h"

#define ROUNDS 10      /* of each fault but hang */
#define HANG_ROUNDS 3  /* each waits out echo's heartbeat timeout */
#define SAMPLES_MAX (ROUNDS * FE_FAULT_COUNT)
#define GUARD_PAGE 4096ULL

/* Restart times in TSC ticks, and their two parts: up to the supervisor
 * learning of the end (its death record's tsc), and from there to the new
 * instance's answer. */
static uint64_t samples[SAMPLES_MAX], to_notified[SAMPLES_MAX], to_answer[SAMPLES_MAX];
static uint64_t hang_samples[HANG_ROUNDS];
static unsigned nsamples, nhang;

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

/* The supervisor's view after one crash of instance k0; *notified = when it
 * learnt of the end (0 if unknown). */
static void expect_restart(struct test *t, enum fe_fault f, uint64_t k0, uint64_t k1,
                           const struct fe_supervisor_row *before, uint64_t *notified)
{
	struct fe_supervisor_row after;
	struct fe_supervisor_death d;

	CHECK(t, k1 != k0, "%s: instance %llu still answers", fe_fault_name(f),
	      (unsigned long long)k0);
	if (row_of(t, "echo", &after)) {
		CHECK(t, after.restarts >= before->restarts + 1, "%s: restarts %u -> %u",
		      fe_fault_name(f), before->restarts, after.restarts);
		if (after.restarts > before->restarts + 1) /* a heartbeat missed under load */
			printf("    # %s: %u restarts for one crash\n", fe_fault_name(f),
			       after.restarts - before->restarts);
		CHECK_EQ(t, after.koid, k1);
	}
	*notified = 0;
	if (CHECK_OK(t, fe_supervisor_death(ctl, "echo", k0, &d))) {
		expect_death(t, f, &d);
		*notified = d.tsc;
	}
}

/* One crash of echo; true if it went as it should. */
static bool crash_once(struct test *t, fe_handle_t ep, enum fe_fault f, bool in_flight)
{
	struct fe_supervisor_row before;
	uint64_t k0, k1;
	bool was_ok = !t->failed;

	if (!who(t, ep, &k0, NULL) || !row_of(t, "echo", &before))
		return false;
	uint64_t t0 = fe_rdtsc();
	fe_status_t st = fe_supervisor_crash(ctl, "echo", f, in_flight ? FE_SERVICE_CRASH_NO_REPLY : 0);
	if (!CHECK(t, st == (in_flight ? FE_ERR_PEER_CLOSED : FE_OK), "crash echo %s%s: %s",
	           fe_fault_name(f), in_flight ? " (in flight)" : "", fe_status_name(st)))
		return false;
	crashes_injected++;
	if (!who(t, ep, &k1, NULL))
		return false;
	uint64_t t1 = fe_rdtsc(), notified;
	expect_restart(t, f, k0, k1, &before, &notified);
	if (f == FE_FAULT_HANG) {
		hang_samples[nhang++] = t1 - t0;
	} else if (notified > t0 && notified < t1) {
		to_notified[nsamples] = notified - t0;
		to_answer[nsamples] = t1 - notified;
		samples[nsamples++] = t1 - t0;
	}
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
			done += crash_once(t, ep, (enum fe_fault)f, (r + f) % 2 == 1);
		}
	printf("    # campaign: %u crashes of echo, %u as expected\n", nsamples + nhang, done);
	fe_handle_delete(ep);
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

static uint64_t us(uint64_t ticks)
{
	return ticks / (tsc_hz / 1000000);
}

/* Prints the campaign's restart times; fails only if there were none. */
void restart_time(struct test *t)
{
	if (!CHECK(t, nsamples > 0 && tsc_hz >= 1000000, "no restart was measured"))
		return;
	sort(samples, nsamples);
	sort(to_notified, nsamples);
	sort(to_answer, nsamples);
	sort(hang_samples, nhang);
	unsigned p99 = (nsamples * 99 + 99) / 100 - 1;
	printf("# restart: median %llu us, p99 %llu us over %u crashes\n",
	       (unsigned long long)us(samples[nsamples / 2]), (unsigned long long)us(samples[p99]),
	       nsamples);
	printf("# restart: crash request to supervisor notified median %llu us, p99 %llu us; "
	       "notified to the new instance's answer median %llu us, p99 %llu us\n",
	       (unsigned long long)us(to_notified[nsamples / 2]),
	       (unsigned long long)us(to_notified[p99]), (unsigned long long)us(to_answer[nsamples / 2]),
	       (unsigned long long)us(to_answer[p99]));
	if (nhang)
		printf("# restart after a hang (heartbeat timeout included): median %llu us over %u\n",
		       (unsigned long long)us(hang_samples[nhang / 2]), nhang);
}
