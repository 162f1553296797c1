/* SPDX-License-Identifier: MIT */
/*
 * The fpu suite: every thread keeps its own x87, SSE and (where the CPU has
 * it) AVX registers across yields, preemption and migration, against other
 * threads of its process and other processes on the same CPU; a new thread
 * or process starts from the clean state, never from what ran before it;
 * an unmasked x87 or SIMD exception ends only the process that raised it.
 *
 * The registers are loaded and read back by fpu.S, with only system calls
 * or a spin loop between: compiled C may use XMM registers itself.
 */
#include <stddef.h>

#include "ut.h"

struct ut_fpu_regs {
	uint8_t v[16][32]; /* ymm0..15; the low 16 bytes are xmm0..15 */
	int64_t st[8];     /* x87 stack, in push order */
	uint32_t env[7];   /* fnstenv: FCW, FSW, FTW, FIP, ... */
	uint32_t mxcsr;
	uint32_t fcw;      /* loaded by ut_fpu_load */
};
_Static_assert(offsetof(struct ut_fpu_regs, st) == 512, "fpu.S ST_OFF");
_Static_assert(offsetof(struct ut_fpu_regs, env) == 576, "fpu.S ENV_OFF");
_Static_assert(offsetof(struct ut_fpu_regs, mxcsr) == 604, "fpu.S MXCSR_OFF");
_Static_assert(offsetof(struct ut_fpu_regs, fcw) == 608, "fpu.S FCW_OFF");

struct ut_raw_call {
	uint64_t nr, a0, a1, a2;
};

void ut_fpu_load(const struct ut_fpu_regs *in, int avx);
void ut_fpu_store(struct ut_fpu_regs *out, int avx);
uint64_t ut_fpu_hold_calls(const struct ut_fpu_regs *in, struct ut_fpu_regs *out,
                           const struct ut_raw_call *calls, uint64_t ncalls, int avx);
uint64_t ut_fpu_hold_spin(const struct ut_fpu_regs *in, struct ut_fpu_regs *out,
                          volatile uint64_t *mine, volatile const uint64_t *other, uint64_t rounds,
                          int avx);
uint64_t ut_xcr0(void);
uint32_t ut_fpu_raise_xm(void);
_Noreturn void ut_fpu_raise_mf(void);

#define FCW_CLEAN 0x037fu
#define MXCSR_CLEAN 0x1f80u
#define FTW_EMPTY 0xffffu
#define X87_INDEFINITE INT64_MIN /* fistp of an empty slot, invalid masked */
#define MXCSR_ZE (1u << 2)
#define XM_NOT_RAISED 42        /* the "xm" role's exit code on a CPU without #XM */
#define XCR0_SSE_AVX 0x6u
#define YIELDS 100u
#define SPIN_ROUNDS 4u
#define MIGRATIONS 20u

static int have_avx(void)
{
	return (ut_xcr0() & XCR0_SSE_AVX) == XCR0_SSE_AVX;
}

/* A pattern no other seed shares: every register byte, every x87 slot, a
 * control word (rounding mode) and an MXCSR (rounding, FTZ) that differ from
 * the clean state. */
static void pattern(struct ut_fpu_regs *r, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;

	for (size_t i = 0; i < sizeof(r->v); i += 8) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy((uint8_t *)r->v + i, &x, 8);
	}
	for (size_t i = 0; i < 8; i++)
		r->st[i] = (int64_t)(seed << 8 | i) - 1000;
	memset(r->env, 0, sizeof(r->env));
	r->fcw = FCW_CLEAN | ((uint32_t)(seed % 3 + 1) << 10); /* RC: down, up or zero */
	r->mxcsr = MXCSR_CLEAN | ((uint32_t)(seed % 3 + 1) << 13) | (1u << 15);
}

struct differences {
	unsigned xmm, ymm, st;
	bool fcw, mxcsr;
};

static struct differences compare(const struct ut_fpu_regs *want, const struct ut_fpu_regs *got,
                                  int avx)
{
	struct differences d = { 0 };

	for (unsigned i = 0; i < 16; i++) {
		d.xmm += memcmp(want->v[i], got->v[i], 16) != 0;
		d.ymm += avx && memcmp(want->v[i] + 16, got->v[i] + 16, 16) != 0;
	}
	for (unsigned i = 0; i < 8; i++)
		d.st += want->st[i] != got->st[i];
	d.fcw = (got->env[0] & 0xffff) != want->fcw;
	d.mxcsr = got->mxcsr != want->mxcsr;
	return d;
}

static bool all_same(const struct ut_fpu_regs *want, const struct ut_fpu_regs *got, int avx)
{
	struct differences d = compare(want, got, avx);
	return d.xmm + d.ymm + d.st == 0 && !d.fcw && !d.mxcsr;
}

/* Records a failure per part of `got` that differs from `want`. */
static void expect_same(struct ut *t, const struct ut_fpu_regs *want, const struct ut_fpu_regs *got,
                        int avx, const char *what)
{
	struct differences d = compare(want, got, avx);
	unsigned bad_x = d.xmm, bad_y = d.ymm, bad_st = d.st;

	UT_EXPECT_MSG(t, bad_x == 0, "%s: %u XMM registers changed", what, bad_x);
	UT_EXPECT_MSG(t, bad_y == 0, "%s: %u YMM upper halves changed", what, bad_y);
	UT_EXPECT_MSG(t, bad_st == 0, "%s: %u x87 registers changed", what, bad_st);
	UT_EXPECT_MSG(t, (got->env[0] & 0xffff) == want->fcw, "%s: FCW %#x, want %#x", what,
	              got->env[0] & 0xffff, want->fcw);
	UT_EXPECT_MSG(t, got->mxcsr == want->mxcsr, "%s: MXCSR %#x, want %#x", what, got->mxcsr,
	              want->mxcsr);
}

/* 0 if r is the clean state, else which part is not (the roles' exit code). */
static int unclean(const struct ut_fpu_regs *r, int avx)
{
	static const uint8_t zero[32];

	for (unsigned i = 0; i < 16; i++)
		if (memcmp(r->v[i], zero, avx ? 32 : 16) != 0)
			return 1;
	if ((r->env[0] & 0xffff) != FCW_CLEAN)
		return 2;
	if (r->mxcsr != MXCSR_CLEAN)
		return 3;
	if ((r->env[2] & 0xffff) != FTW_EMPTY || (r->env[1] & 0xffff) != 0)
		return 4;
	/* An empty slot reads as the integer indefinite; QEMU's TCG ignores
	 * the tags and reads the register itself, which the clean state zeroed. */
	for (unsigned i = 0; i < 8; i++)
		if (r->st[i] != X87_INDEFINITE && r->st[i] != 0)
			return 5;
	return 0;
}

struct holder {
	uint64_t seed;
	struct ut_fpu_regs in, out;
	uint64_t status;
	volatile uint64_t done;
	volatile uint64_t ticks;        /* ut_fpu_hold_spin's own counter */
	volatile uint64_t *other_ticks; /* the other spinner's */
};

static struct ut_raw_call yields[YIELDS];

static const struct ut_raw_call *yield_calls(void)
{
	for (unsigned i = 0; i < YIELDS; i++)
		yields[i] = (struct ut_raw_call){ FE_SYS_THREAD_YIELD, 0, 0, 0 };
	return yields;
}

static void hold_across_yields(void *arg)
{
	struct holder *h = arg;

	pattern(&h->in, h->seed);
	h->status = ut_fpu_hold_calls(&h->in, &h->out, yield_calls(), YIELDS, have_avx());
	h->done = 1;
}

static void hold_while_spinning(void *arg)
{
	struct holder *h = arg;

	pattern(&h->in, h->seed);
	h->status = ut_fpu_hold_spin(&h->in, &h->out, &h->ticks, h->other_ticks, SPIN_ROUNDS,
	                             have_avx());
	h->done = 1;
}

static bool pin_here(struct ut *t, uint32_t *cpu)
{
	*cpu = 0;
	UT_EXPECT_OK(t, fe_cpu_current(cpu));
	return UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << *cpu));
}

static void unpin(struct ut *t)
{
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
}

/* Two threads of this process on one CPU, yielding to each other 100 times
 * with different values in every register. */
static void threads_keep_state_across_yields(struct ut *t)
{
	static struct holder a, b;
	fe_handle_t th;
	uint32_t cpu;

	a = (struct holder){ .seed = 1 };
	b = (struct holder){ .seed = 2 };
	UT_ASSERT(t, pin_here(t, &cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(hold_across_yields, &b, FE_PRIORITY_DEFAULT, &th)));
	hold_across_yields(&a);
	UT_EXPECT_EQ(t, ut_poll(&b.done), 1);
	unpin(t);
	UT_EXPECT_EQ(t, a.status, FE_OK);
	UT_EXPECT_EQ(t, b.status, FE_OK);
	expect_same(t, &a.in, &a.out, have_avx(), "main thread");
	expect_same(t, &b.in, &b.out, have_avx(), "second thread");
	if (!have_avx())
		ut_note(t, "no AVX: x87 and SSE checked");
	ut_del(t, th);
}

/* The same without any system call: the slice timer switches between two
 * spinning threads on one CPU (each waits until the other has run). */
static void threads_keep_state_across_preemption(struct ut *t)
{
	static struct holder a, b;
	fe_handle_t th;
	uint32_t cpu;

	a = (struct holder){ .seed = 3, .other_ticks = &b.ticks };
	b = (struct holder){ .seed = 4, .other_ticks = &a.ticks };
	UT_ASSERT(t, pin_here(t, &cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(hold_while_spinning, &b, FE_PRIORITY_DEFAULT, &th)));
	hold_while_spinning(&a);
	UT_EXPECT_EQ(t, ut_poll(&b.done), 1);
	unpin(t);
	UT_EXPECT_MSG(t, a.status == 0 && b.status == 0, "no preemption seen (%llu, %llu)",
	              (unsigned long long)a.status, (unsigned long long)b.status);
	expect_same(t, &a.in, &a.out, have_avx(), "main thread");
	expect_same(t, &b.in, &b.out, have_avx(), "second thread");
	ut_del(t, th);
}

/* A child process on this CPU holds its own pattern across yields while we
 * hold ours, round after round until it has ended: neither sees the other's
 * (the child checks itself: its exit code). */
static void processes_keep_state_across_yields(struct ut *t)
{
	static struct holder a;
	struct ut_child c = { .role = "fpu", .arg = "hold" };
	struct fe_exit_status st;
	fe_handle_t p;
	uint32_t cpu;
	unsigned rounds = 0, bad = 0;

	UT_ASSERT(t, pin_here(t, &cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	do {
		a = (struct holder){ .seed = 5 + rounds };
		hold_across_yields(&a);
		bad += a.status != FE_OK || !all_same(&a.in, &a.out, have_avx());
		rounds++;
	} while (fe_process_wait(p, &st, FE_NONBLOCK) == FE_ERR_WOULD_BLOCK && !ut_timed_out());
	unpin(t);
	UT_EXPECT_MSG(t, bad == 0, "parent: %u of %u rounds lost state", bad, rounds);
	ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
}

/* One thread moves between two CPUs 20 times (set affinity, yield) while
 * threads on both CPUs run with other values: its registers go with it. */
static void state_follows_a_migrating_thread(struct ut *t)
{
	static struct holder a, b, c;
	static struct ut_raw_call calls[MIGRATIONS * 3];
	static uint32_t where[MIGRATIONS];
	fe_handle_t tb, tc;
	uint32_t cpu;

	if (ut_cpu_count() < 2) {
		ut_skip(t, "needs two CPUs");
		return;
	}
	UT_ASSERT(t, pin_here(t, &cpu));
	uint32_t other = cpu == 0 ? 1 : 0;
	b = (struct holder){ .seed = 7 };
	c = (struct holder){ .seed = 8 };
	/* One holder pinned to each CPU, yielding, for the mover to land beside. */
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(hold_across_yields, &b, FE_PRIORITY_DEFAULT, &tb)));
	UT_EXPECT_OK(t, fe_thread_set_affinity(tb, 1ULL << cpu));
	UT_EXPECT_OK(t, fe_thread_spawn(hold_across_yields, &c, FE_PRIORITY_DEFAULT, &tc));
	UT_EXPECT_OK(t, fe_thread_set_affinity(tc, 1ULL << other));
	for (uint32_t i = 0; i < MIGRATIONS; i++) {
		uint64_t to = (i & 1) ? cpu : other;
		calls[3 * i + 0] = (struct ut_raw_call){ FE_SYS_THREAD_SET_AFFINITY, 0, 1ULL << to, 0 };
		calls[3 * i + 1] = (struct ut_raw_call){ FE_SYS_THREAD_YIELD, 0, 0, 0 };
		calls[3 * i + 2] = (struct ut_raw_call){ FE_SYS_CPU_CURRENT, (uint64_t)(uintptr_t)&where[i], 0, 0 };
	}
	a = (struct holder){ .seed = 6 };
	pattern(&a.in, a.seed);
	a.status = ut_fpu_hold_calls(&a.in, &a.out, calls, ARRAY_SIZE(calls), have_avx());
	UT_EXPECT_EQ(t, ut_poll(&b.done), 1);
	UT_EXPECT_EQ(t, ut_poll(&c.done), 1);
	unpin(t);
	UT_EXPECT_EQ(t, a.status, FE_OK);
	unsigned moved = 0;
	for (uint32_t i = 0; i < MIGRATIONS; i++)
		moved += where[i] == ((i & 1) ? cpu : other);
	UT_EXPECT_EQ(t, moved, MIGRATIONS);
	expect_same(t, &a.in, &a.out, have_avx(), "migrating thread");
	expect_same(t, &b.in, &b.out, have_avx(), "thread on its CPU");
	expect_same(t, &c.in, &c.out, have_avx(), "thread on the other CPU");
	ut_del(t, tb);
	ut_del(t, tc);
}

struct clean_probe {
	struct ut_fpu_regs seen;
	volatile uint64_t done;
};

static void probe_clean(void *arg)
{
	struct clean_probe *p = arg;

	ut_fpu_store(&p->seen, have_avx());
	p->done = 1;
}

/* A new thread starts clean although its creator (on the same CPU) has
 * every register dirty. */
static void new_thread_starts_clean(struct ut *t)
{
	static struct ut_fpu_regs dirty;
	static struct clean_probe probe;
	fe_handle_t th;
	uint32_t cpu;

	probe = (struct clean_probe){ 0 };
	pattern(&dirty, 9);
	UT_ASSERT(t, pin_here(t, &cpu));
	ut_fpu_load(&dirty, have_avx());
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(probe_clean, &probe, FE_PRIORITY_DEFAULT, &th)));
	UT_EXPECT_EQ(t, ut_poll(&probe.done), 1);
	unpin(t);
	UT_EXPECT_EQ(t, unclean(&probe.seen, have_avx()), 0);
	ut_del(t, th);
}

/* The same for a new process. */
static void new_process_starts_clean(struct ut *t)
{
	static struct ut_fpu_regs dirty;
	struct ut_child c = { .role = "fpu", .arg = "clean" };
	fe_handle_t p;
	uint32_t cpu;

	pattern(&dirty, 10);
	UT_ASSERT(t, pin_here(t, &cpu));
	ut_fpu_load(&dirty, have_avx());
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	ut_expect_exit(t, p, FE_EXIT_NORMAL, 0); /* waits on this CPU: the child runs here */
	unpin(t);
}

/* Unmasked floating-point exceptions are the process's own faults. */
static void simd_exception_ends_only_its_process(struct ut *t)
{
	struct ut_child c = { .role = "fpu", .arg = "xm" };
	fe_handle_t p;

	struct fe_exit_status st = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_wait(p, &st)));
	if (st.reason == FE_EXIT_NORMAL && st.code == XM_NOT_RAISED) {
		ut_expect_exit(t, p, FE_EXIT_NORMAL, XM_NOT_RAISED);
		ut_skip(t, "CPU sets MXCSR.ZE, raises no #XM (QEMU 7.2 TCG)");
		return;
	}
	ut_expect_fault(t, p, 19, UT_ANY_ADDR, NULL);
}

static void x87_exception_ends_only_its_process(struct ut *t)
{
	struct ut_child c = { .role = "fpu", .arg = "mf" };
	fe_handle_t p;

	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	ut_expect_fault(t, p, 16, UT_ANY_ADDR, NULL);
}

/* The child roles: "hold" (exit code 0 if its pattern survived 100 yields),
 * "clean" (0 if it started clean, else which part was not), "xm" and "mf"
 * (fault). */
int ut_role_fpu(const char *arg)
{
	static struct ut_fpu_regs in, out;
	int avx = have_avx();

	if (arg && strcmp(arg, "clean") == 0) {
		ut_fpu_store(&out, avx);
		return unclean(&out, avx);
	}
	if (arg && strcmp(arg, "hold") == 0) {
		pattern(&in, 11);
		if (ut_fpu_hold_calls(&in, &out, yield_calls(), YIELDS, avx) != FE_OK)
			return 10;
		return all_same(&in, &out, avx) ? 0 : 11;
	}
	if (arg && strcmp(arg, "xm") == 0)
		return (ut_fpu_raise_xm() & MXCSR_ZE) ? XM_NOT_RAISED : 21;
	if (arg && strcmp(arg, "mf") == 0)
		ut_fpu_raise_mf();
	return 20;
}

UT_SUITE(fpu,
	UT_CASE(threads_keep_state_across_yields),
	UT_CASE(threads_keep_state_across_preemption),
	UT_CASE(processes_keep_state_across_yields),
	UT_CASE(state_follows_a_migrating_thread),
	UT_CASE(new_thread_starts_clean),
	UT_CASE(new_process_starts_clean),
	UT_CASE(simd_exception_ends_only_its_process),
	UT_CASE(x87_exception_ends_only_its_process));
