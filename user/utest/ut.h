/* SPDX-License-Identifier: MIT */
/*
 * utest's framework: the kernel's ktest (kernel/test/ktest.h) in user space.
 * A case is a plain function taking a struct ut; cases are grouped in
 * suites; results are KTAP on the console, exactly as ktest prints them, so
 * tools/ktap.py counts every case:
 *
 *	static void vmo_reads_back(struct ut *t)
 *	{
 *		UT_EXPECT_OK(t, fe_vmo_write(v, 0, buf, 8));
 *	}
 *	UT_SUITE(memory, UT_CASE(vmo_reads_back), ...);
 *
 * UT_EXPECT_* record a failure and go on; UT_ASSERT(t, UT_EXPECT_...) also
 * ends the case. Children a case starts go through ut_spawn*, which puts
 * them under a watchdog: a case that makes no progress for UT_CASE_TIMEOUT_S
 * (no ut_progress, no system call by a watched child) has its children
 * killed (so a call to a dead server returns) and fails. Waits are bounded
 * by that watchdog, not by counts of sleeps: a loaded host makes a case
 * slow, never failed.
 */
#ifndef UTEST_UT_H
#define UTEST_UT_H

#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#define UT_CASE_TIMEOUT_S 30u
#define PAGE 4096ULL

struct ut {
	const char *name;
	bool failed;
	bool skipped;
	unsigned checks;
	char skip_reason[64];
};

struct ut_case {
	const char *name;
	void (*fn)(struct ut *t);
};

struct ut_suite {
	const char *name;
	const struct ut_case *cases;
	size_t ncases;
};

#define UT_CASE(fn) { #fn, fn }
#define UT_SUITE(sname, ...)                                                    \
	static const struct ut_case sname##_ut_cases[] = { __VA_ARGS__ };        \
	const struct ut_suite ut_suite_##sname = { #sname, sname##_ut_cases,     \
	                                           ARRAY_SIZE(sname##_ut_cases) }

extern const struct ut_suite ut_suite_contig;
extern const struct ut_suite ut_suite_syscall, ut_suite_handles, ut_suite_memory,
	ut_suite_process, ut_suite_thread, ut_suite_budget, ut_suite_ipc, ut_suite_notification,
	ut_suite_devices, ut_suite_smp, ut_suite_numa, ut_suite_capacity, ut_suite_rflags,
	ut_suite_args, ut_suite_atomic, ut_suite_wx, ut_suite_fpu, ut_suite_revoke, ut_suite_quota,
	ut_suite_watch, ut_suite_pci, ut_suite_dma, ut_suite_blk, ut_suite_iommu, ut_suite_net,
	ut_suite_net_odd, ut_suite_console, ut_suite_group, ut_suite_trace;

/* utest.capacity=A,B,...: the kernel's cpu_capacity= as the command line gave
 * it, for the capacity suite to compare with; NULL if not given. */
extern const char *ut_capacity_list;
/* utest.iommu=0|1: whether the scenario gave the machine an IOMMU; -1 if not said. */
extern int ut_iommu_expected;

void ut_fail(struct ut *t, const char *file, int line, const char *fmt, ...) PRINTF_LIKE(4, 5);
/* A diagnostic line in the KTAP output ("# ..."). */
void ut_note(struct ut *t, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Marks the case skipped (a capability utest was not given): "ok N name # SKIP why". */
void ut_skip(struct ut *t, const char *why);

#define UT_EXPECT_MSG(t, cond, ...)                                      \
	({                                                               \
		(t)->checks++;                                           \
		bool _ok = (cond);                                       \
		if (!_ok)                                                \
			ut_fail(t, __FILE__, __LINE__, __VA_ARGS__);      \
		_ok;                                                     \
	})

#define UT_EXPECT(t, cond) UT_EXPECT_MSG(t, cond, "expected %s", #cond)

#define UT_EXPECT_CMP(t, a, op, b)                                                             \
	({                                                                                     \
		unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
		UT_EXPECT_MSG(t, _a op _b, "expected %s %s %s: got %#llx, %#llx", #a, #op, #b, \
		              _a, _b);                                                         \
	})
#define UT_EXPECT_EQ(t, a, b) UT_EXPECT_CMP(t, a, ==, b)
#define UT_EXPECT_NE(t, a, b) UT_EXPECT_CMP(t, a, !=, b)
#define UT_EXPECT_LT(t, a, b) UT_EXPECT_CMP(t, a, <, b)
#define UT_EXPECT_LE(t, a, b) UT_EXPECT_CMP(t, a, <=, b)
#define UT_EXPECT_GT(t, a, b) UT_EXPECT_CMP(t, a, >, b)
#define UT_EXPECT_GE(t, a, b) UT_EXPECT_CMP(t, a, >=, b)

/* Status checks print the status names. */
#define UT_EXPECT_STATUS(t, got, want)                                                   \
	({                                                                               \
		fe_status_t _g = (got), _w = (want);                                     \
		UT_EXPECT_MSG(t, _g == _w, "%s: got %s, want %s", #got, fe_status_name(_g), \
		              fe_status_name(_w));                                       \
	})
#define UT_EXPECT_OK(t, got) UT_EXPECT_STATUS(t, got, FE_OK)

#define UT_ASSERT(t, expect)   \
	do {                   \
		if (!(expect)) \
			return; \
	} while (0)

/* Runs the suites named in spec ("all" or a comma-separated list) and
 * prints KTAP. Returns the number of failed cases (unknown names count). */
unsigned ut_run(const char *spec);
/* The watchdog thread (FE_HANDLE_INVALID if it could not start). */
/* Tells the watchdog that the running case got some work done. */
void ut_progress(void);
/* True once the watchdog has given up on the running case: loops that wait
 * for something end. */
bool ut_timed_out(void);
extern fe_handle_t ut_watchdog_thread;

/* ---- child processes (child.c) ---- */

/* Start-up slots FE_START_USER0.. a role may receive. */
#define UT_USER_SLOTS 4

/* A copy of utest started as `utest role=ROLE [ARG]`. Handles are granted
 * with the rights they have (dup them first to narrow). */
struct ut_child {
	const char *role;
	const char *arg;                 /* NULL: none */
	fe_handle_t ep;                  /* FE_START_ENDPOINT */
	fe_handle_t user[UT_USER_SLOTS]; /* FE_START_USER0 + i */
	uint64_t budget;                 /* 0: fe_spawn's default */
	uint32_t priority;               /* 0: default */
	fe_handle_t group;               /* 0: utest's own */
};

/* Starts the child under the watchdog. */
fe_status_t ut_spawn(const struct ut_child *c, fe_handle_t *proc);
/* fe_spawn under the watchdog, for other programs (hello). */
fe_status_t ut_spawn_args(const struct fe_spawn_args *a, fe_handle_t *proc);
/*
 * Waits (blocked, no polling) for proc to end; *st is filled. FE_ERR_TIMED_OUT
 * if the watchdog ended it: it made no progress for UT_CASE_TIMEOUT_S.
 */
fe_status_t ut_wait(fe_handle_t proc, struct fe_exit_status *st);
/* ut_wait, then expects reason and (for FE_EXIT_NORMAL) code; deletes proc. */
void ut_expect_exit(struct ut *t, fe_handle_t proc, uint32_t reason, int64_t code);
/* ut_wait for a fault; expects vector (and address unless UT_ANY_ADDR); deletes proc. */
#define UT_ANY_ADDR (~0ULL)
void ut_expect_fault(struct ut *t, fe_handle_t proc, uint32_t vector, uint64_t addr,
                     struct fe_exit_status *st);
/* Waits for proc to end (bounded), fills *st, deletes the handle; false if
 * it did not end (the case has failed). */
bool ut_reap(struct ut *t, fe_handle_t proc, struct fe_exit_status *st);
/* A driver child started for a device another driver holds: it must exit
 * with a non-zero code ("cannot start"); reaped, unwatched and deleted. */
void ut_expect_refused_driver(struct ut *t, fe_handle_t driver);
/* Kills proc if it is alive, reaps it and deletes the handle. */
void ut_stop(struct ut *t, fe_handle_t proc);
/* Puts proc on the list the watchdog kills from (false: the list is full);
 * ut_unwatch drops it (before deleting the handle yourself). */
bool ut_watch(fe_handle_t proc);
void ut_unwatch(fe_handle_t proc);

/* Runs a child role (argv[1] = "role=NAME"); its return is the exit code. */
int ut_role_main(const char *role, const char *arg);
int ut_role_server(void); /* server.c */
int ut_role_hog(void);    /* suite_budget.c */
int ut_role_contig_hog(void); /* suite_contig.c */
int ut_role_contig_churn(void);
int ut_role_tlb(void);    /* suite_smp.c */
int ut_role_console_driver(void); /* suite_console.c */
int ut_role_spinners(void);
int ut_role_numa(const char *arg); /* suite_numa.c */
int ut_role_sleeper(const char *arg); /* suite_args.c */
int ut_role_revoke_writer(const char *arg); /* suite_revoke.c */
int ut_role_kind_hog(const char *kind);    /* suite_quota.c */
int ut_role_dead_threads(void);
int ut_role_threads(void);
int ut_role_irq_binder(void);
int ut_role_at_limit(void);
int ut_role_vmo_midway(void);
int ut_role_vmo_churn(void);
int ut_role_waiter(const char *what);
int ut_role_unstarted(const char *how);
int ut_role_watcher(void); /* suite_watch.c */
int ut_role_pci_driver(const char *arg); /* suite_pci.c */
int ut_role_pci_claimer(void);            /* suite_dma.c */
int ut_role_pci_dma_die(const char *arg);
int ut_role_pci_dma_stray(const char *arg); /* suite_iommu.c */

/* ---- the server role's protocol (server.c) ----
 * Labels are operations; the reply's label is op | UT_REPLY. */
enum ut_op {
	UT_OP_EXIT = 1,	     /* reply w0 = calls served, then exit 0 */
	UT_OP_ECHO = 2,	     /* reply: the words reversed, each + 1 */
	UT_OP_WHO = 3,	     /* reply w0 = badge, w1 = span, w2 = words received */
	UT_OP_CAP_INFO = 4,  /* keeps the caps sent; reply w0 = count, w1 = rights, w2 = type,
				w3 = held index of cap 0; words[4 + i] = koid of cap i */
	UT_OP_CAP_WRITE = 5, /* vmo_write(held[w0], 0, &w1, 8); reply w0 = status */
	UT_OP_HELD_INFO = 6, /* reply w0 = handle_info(held[w0]) status, w1 = rights */
	UT_OP_REPLY_CAP = 7, /* a new notification, signalled with w0, sent in the reply */
	UT_OP_HANDLE_INFO =
		8,	  /* reply w0 = status, w1 = type, w2 = rights, w3 = koid of handle w0 */
	UT_OP_TALLY = 9,  /* reply w[i] = calls seen with badge UT_BADGE_BASE + i */
	UT_OP_DIE = 10,	  /* exit(w0) without replying */
	UT_OP_FAULT = 11, /* page fault without replying */
	UT_OP_HANG = 12,  /* signal the USER0 notification (if any), then never reply */
};
#define UT_REPLY 0x8000u
#define UT_OP_BAD 0xffffu
#define UT_BADGE_BASE 100u
#define UT_HELD_MAX 32
/* The client role: UT_CLIENT_CALLS echo calls, and a UT_OP_WHO after every
 * UT_CLIENT_WHO_EVERY of them, through its badged endpoint. Four clients
 * and a server on two vCPUs of multi-threaded TCG: on a busy host each
 * cross-vCPU wake-up waits for the host to run that vCPU's thread, so the
 * count is kept small (at 1,000 the case took 90-170 s at load 8). */
#define UT_CLIENT_CALLS 250u
#define UT_CLIENT_WHO_EVERY 25u

/* Fixed addresses children map shared memory at (below 4 GiB, see user/README.md). */
#define UT_SHM_VA 0x50000000ULL

/* What the fault roles touch; the parent knows the addresses too (same image). */
extern const char ut_rodata_word[8];
extern uint8_t ut_data_page[16];
void ut_ud2_here(void); /* raw.S: a ud2 instruction */
/* raw.S: RFLAGS helpers (suite_rflags.c) */
uint64_t ut_flags_syscall(uint64_t set, uint64_t nr);
void ut_flags_syscall_ret(void); /* the instruction after its syscall */
uint64_t ut_flags_spin(uint64_t set, uint64_t loops);
void ut_trap_flag(void);
void ut_iopl3_cli(void);
_Noreturn void ut_flags_ud2(uint64_t set);
int ut_role_rflags(const char *arg); /* suite_rflags.c */
int ut_role_fpu(const char *arg);    /* suite_fpu.c */

/* ---- raw threads (raw.S, suite_thread.c) ----
 * ut_raw_entry: the entry point for fe_thread_create without the runtime:
 * calls ut_raw_main(rdi = arg, rsi = rsp at entry), which must not return. */
void ut_raw_entry(void);
_Noreturn void ut_raw_main(uint64_t arg, uint64_t entry_rsp);
/* Stackless threads (raw.S): park on the notification in rdi; or count
 * themselves in ut_exited and exit. */
void ut_park_entry(void);
void ut_exit_entry(void);
extern volatile uint64_t ut_exited;

/* ---- small helpers (child.c) ---- */
fe_handle_t ut_slot(unsigned slot);
/* CPUs the kernel runs (from the trace capability's kernel stats; 1 without it). */
uint32_t ut_cpu_count(void);
/* A duplicate of h with exactly `rights` (FE_HANDLE_INVALID on failure, noted). */
fe_handle_t ut_dup(struct ut *t, fe_handle_t h, uint32_t rights);
/* Deletes h, expecting FE_OK. */
void ut_del(struct ut *t, fe_handle_t h);
/* Sleeps 1 ms at a time until cond holds or the watchdog gives up on the
 * case; the caller then checks cond. For the parent side of a case only. */
#define UT_WAIT_UNTIL(cond)                                  \
	do {                                                 \
		while (!(cond) && !ut_timed_out())           \
			(void)fe_thread_sleep(1000000);      \
	} while (0)
/* Polls *flag (sleeping 1 ms) until it is non-zero or the watchdog gives up
 * on the case (in a child, which has no watchdog: at least 20 s); returns it. */
uint64_t ut_poll(volatile uint64_t *flag);

#endif /* UTEST_UT_H */
