/* SPDX-License-Identifier: MIT */
/*
 * svctest: the supervisor's end-to-end test (scenario `supervisor`, manifest
 * initrd/svctest.services). It runs as one of the supervised services, with
 * the supervisor's control endpoint, and prints KTAP: one case per function,
 * cases in order, one failing check failing its case.
 *
 * No check depends on timing: waits are bounded only by the watchdog
 * (main.c), which ends the run if nothing progresses for a long time.
 */
#ifndef SVCTEST_SVCTEST_H
#define SVCTEST_SVCTEST_H

#include <fe/echo.h>
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/supervisor.h>

struct test {
	const char *name;
	bool failed;
};

void test_fail(struct test *t, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Records a failure (with the line and the message) unless cond holds;
 * evaluates to cond. */
#define CHECK(t, cond, ...)                                  \
	({                                                   \
		bool _ok = (cond);                           \
		if (!_ok)                                    \
			test_fail(t, __LINE__, __VA_ARGS__); \
		_ok;                                         \
	})
#define CHECK_OK(t, st) \
	({ fe_status_t _st = (st); CHECK(t, _st == FE_OK, "%s: %s", #st, fe_status_name(_st)); })
#define CHECK_EQ(t, got, want)                                                                    \
	({                                                                                        \
		uint64_t _g = (uint64_t)(got), _w = (uint64_t)(want);                               \
		CHECK(t, _g == _w, "%s = %llu (%#llx), want %llu", #got, (unsigned long long)_g,     \
		      (unsigned long long)_g, (unsigned long long)_w);                              \
	})

/* ---- main.c ---- */
extern fe_handle_t ctl;    /* the supervisor's control endpoint */
extern uint64_t tsc_hz;
void progress(void);       /* tells the watchdog the run is moving */
void set_current(const char *what); /* what the watchdog names if stuck */
/* The row of service name (a failed check if it has none). */
bool row_of(struct test *t, const char *name, struct fe_supervisor_row *row);
/* Polls until name's state is `state`; *row holds the last row read. */
bool wait_state(struct test *t, const char *name, uint32_t state, struct fe_supervisor_row *row);
/* A client capability to name's endpoint. */
bool connect_to(struct test *t, const char *name, fe_handle_t *ep);
/* FE_SERVICE_WHO on ep: the answering instance's koid, and its slot words
 * (type | rights << 8, FE_START_SLOTS of them) if slots is not NULL. */
bool who(struct test *t, fe_handle_t ep, uint64_t *koid, uint64_t *slots);

/* ---- the cases ---- */
void caps_match_the_manifest(struct test *t);       /* caps.c */
void clients_cannot_crash(struct test *t);
void start_order_follows_dependencies(struct test *t);
void crash_campaign(struct test *t);                /* campaign.c */
void restart_time(struct test *t);
void in_flight_call_is_retried(struct test *t);     /* retry.c */
void restart_by_request(struct test *t);
void restart_never_stays_dead(struct test *t);      /* policy.c */
void gives_up_after_max_restarts(struct test *t);
void exit_zero_stops_on_failure(struct test *t);
void missing_program_fails_alone(struct test *t);
void device_resolved_or_failed(struct test *t);
void driver_restarts_under_a_client(struct test *t); /* driver.c */
void driver_dma_fault_under_a_client(struct test *t);
void dma_fault_needs_a_hook(struct test *t);
void net_driver_dma_fault(struct test *t);
void uart_crashes_keep_the_console(struct test *t);  /* uart.c */
void pcibus_answers_and_refuses(struct test *t);     /* pcibus.c */
void pcibus_crash_leaves_drivers_working(struct test *t);

/* Crashes injected by the cases (the campaign's and the others'). */
extern unsigned crashes_injected;

/* ---- campaign.c: one crash, and restart times ---- */
#define SAMPLES_MAX 4096u
#define HANG_SAMPLES_MAX 512u

/*
 * Restart times in TSC ticks, from just before the crash request to the new
 * instance's answer, and their parts: to the supervisor learning of the end
 * (its death record's tsc), from there to its starting the next instance
 * (the backoff and the wake-ups: the row's start_tsc), fe_spawn itself (to
 * spawned_tsc), and from there to the answer. Hangs apart: theirs is mostly
 * the heartbeat timeout.
 */
struct restarts {
	uint64_t total[SAMPLES_MAX], notified[SAMPLES_MAX], backoff[SAMPLES_MAX];
	uint64_t spawn[SAMPLES_MAX], answer[SAMPLES_MAX];
	uint64_t hang[HANG_SAMPLES_MAX];
	unsigned n, nhang;
};

/* Restarts beyond one per crash (a heartbeat missed): counted, printed. */
extern unsigned extra_restarts;
/* Crashes `name` with fault f through the supervisor (in flight: the
 * service does not answer the request) and checks the restart: a new
 * instance answers on ep, the supervisor counted it and names the fault.
 * Adds the restart's times to r. True if it all went as it should. */
bool crash_once(struct test *t, struct restarts *r, const char *name, fe_handle_t ep,
                enum fe_fault f, bool in_flight);
/* The koid of the instance crash_once last meant to crash. */
extern uint64_t last_crashed;
/* Prints r's medians and p99s, one `# restart...` block headed `what`. */
void restarts_print(const char *what, struct restarts *r);
uint64_t ticks_us(uint64_t ticks);
/* Sorts v ascending (in place); the median and p99 of a sorted v. */
void sort_ticks(uint64_t *v, unsigned n);
uint64_t median_of(const uint64_t *v, unsigned n);
uint64_t p99_of(const uint64_t *v, unsigned n);

/* ---- faults.c: `mode=faults` and `mode=restart` (main.c picks) ---- */
#define FAULTS_DEFAULT 1000u        /* crashes */
#define RESTART_BENCH_DEFAULT 120u
/* The long crash campaign under load (`make faults`); the exit code. */
int faults_run(unsigned crashes);
/* Restart time only, echo alone, no load (`make bench`); the exit code. */
int restart_bench_run(unsigned crashes);

/* What the host recomputes (tools/testrun.py, blk_pattern). */
static inline uint8_t blk_pattern(uint64_t sector, uint64_t i, uint8_t salt)
{
	return (uint8_t)((sector * 131 + i * 7 + salt) ^ (i >> 9));
}

#endif /* SVCTEST_SVCTEST_H */
