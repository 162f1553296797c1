/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's clock: TSC time, and the deadlines.
 *
 * The kernel's IPC has no timeouts, so a thread that calls a service
 * (heartbeat, crash) arms a deadline before the call and disarms it after,
 * and the clock thread fires the ones that pass. Each deadline is one word,
 * `at`, that exactly one party takes back to 0 with a compare-and-swap: the
 * caller (the call came back in time) or the clock (it did not: the clock
 * then signals main). So a late answer and a timeout can never both count.
 * The clock thread waits on `wake` until the nearest deadline (a timed
 * notification wait), so one armed while it waits wakes it at once.
 *
 * Backoffs (DL_RESTART) are main's alone: main arms and disarms them and
 * waits for its events only until the nearest one ends
 * (clock_due_restarts), so a restart costs no wake-up of another thread.
 */
#include "supervisor.h"

#define NS_PER_S 1000000000ULL
#define CALIBRATE_NS 10000000ULL

static uint64_t tsc_hz;
static fe_handle_t wake;

/* a * b / c without a 128-bit division (libferrous has none): exact while
 * (a % c) * b fits 64 bits, which holds for b and c below 18e9 (a TSC rate
 * or a second in ns). */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

uint64_t clock_ticks(uint64_t ns)
{
	return mul_div(ns, tsc_hz, NS_PER_S);
}

uint64_t clock_ns(uint64_t ticks)
{
	return mul_div(ticks, NS_PER_S, tsc_hz);
}

void clock_arm(struct svc *s, enum deadline_kind kind, uint64_t gen, uint64_t ns)
{
	struct deadline *d = &s->dl[kind];
	uint64_t at = fe_rdtsc() + clock_ticks(ns);

	store(&d->gen, gen);
	store(&d->at, at ? at : 1);
	if (kind != DL_RESTART) /* main, the arming thread, sees its own */
		(void)fe_notif_signal(wake, 1); /* only fails if wake is gone: not while we run */
}

bool clock_disarm(struct svc *s, enum deadline_kind kind)
{
	uint64_t at = load(&s->dl[kind].at);

	return at != 0 && __atomic_compare_exchange_n(&s->dl[kind].at, &at, 0, false,
	                                              __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Takes deadline d of s if it has passed; its event bit then, else 0. */
static uint64_t expire(struct svc *s, enum deadline_kind kind, uint64_t now, uint64_t *next)
{
	struct deadline *d = &s->dl[kind];
	uint64_t gen = load(&d->gen); /* before `at`: a re-arm writes gen first */
	uint64_t at = load(&d->at);

	if (at == 0)
		return 0;
	if (at > now) {
		*next = at < *next ? at : *next;
		return 0;
	}
	if (!__atomic_compare_exchange_n(&d->at, &at, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 0; /* disarmed (or re-armed) meanwhile */
	if (kind == DL_RESTART)
		return EV_DUE(s->index);
	store(&s->hang_gen, gen);
	return EV_HANG(s->index);
}

uint64_t clock_due_restarts(uint64_t *wait_ns)
{
	uint64_t now = fe_rdtsc(), next = UINT64_MAX, due = 0;

	for (uint32_t i = 0; i < nservices; i++)
		due |= expire(&services[i], DL_RESTART, now, &next);
	*wait_ns = next == UINT64_MAX ? UINT64_MAX : clock_ns(next - now);
	return due;
}

static void clock_thread(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t now = fe_rdtsc(), next = UINT64_MAX, fired = 0, bits;
		for (uint32_t i = 0; i < nservices; i++)
			for (int k = 0; k < DL_KINDS; k++)
				if (k != DL_RESTART)
					fired |= expire(&services[i], (enum deadline_kind)k, now, &next);
		if (fired)
			(void)fe_notif_signal(events, fired);
		if (next == UINT64_MAX)
			(void)fe_notif_wait(wake, 0, &bits);
		else /* FE_ERR_TIMED_OUT: the deadline came; FE_OK: one was armed */
			(void)fe_notif_wait_timeout(wake, &bits, clock_ns(next - now));
	}
}

/* The TSC's rate: the kernel's figure if the trace capability is here,
 * else measured against a sleep (which lasts at least as long as asked). */
static void clock_calibrate(void)
{
	struct fe_kernel_stats ks;
	fe_handle_t trace = fe_start_handle(FE_START_TRACE);

	if (trace != FE_HANDLE_INVALID && fe_kernel_stats(trace, &ks) == FE_OK && ks.tsc_hz) {
		tsc_hz = ks.tsc_hz;
		return;
	}
	uint64_t t0 = fe_rdtsc();
	(void)fe_thread_sleep(CALIBRATE_NS);
	tsc_hz = (fe_rdtsc() - t0) * (NS_PER_S / CALIBRATE_NS);
	if (tsc_hz == 0)
		tsc_hz = NS_PER_S; /* a TSC that did not move: any rate keeps the arithmetic sane */
	printf("supervisor: no kernel statistics; the TSC measured at %llu MHz\n",
	       (unsigned long long)(tsc_hz / 1000000));
}

fe_status_t clock_start(void)
{
	fe_handle_t t;
	fe_status_t st;

	clock_calibrate();
	if ((st = fe_notif_create(&wake)) != FE_OK)
		return st;
	if ((st = fe_thread_spawn(clock_thread, NULL, FE_PRIORITY_DEFAULT, &t)) != FE_OK)
		return st;
	fe_handle_delete(t);
	return FE_OK;
}
