/* SPDX-License-Identifier: MIT */
/*
 * The rflags suite: every RFLAGS bit a user can set (TF, DF, NT, AC, RF, ID,
 * and attempts at IOPL, VM, VIF and VIP) through the system-call,
 * interrupt, exception and yield paths, and a system call in the last page
 * of user space (whose return takes the iretq path). The kernel must never
 * panic, a process may only receive the fault it caused (TF: a debug trap),
 * and no other thread or process sees the flags. Runs on every CPU count the scenarios boot.
 */
#include "ut.h"

#define F_TF (1ULL << 8)
#define F_IF (1ULL << 9)
#define F_DF (1ULL << 10)
#define F_IOPL (3ULL << 12)
#define F_NT (1ULL << 14)
#define F_RF (1ULL << 16)
#define F_VM (1ULL << 17)
#define F_AC (1ULL << 18)
#define F_VIF (1ULL << 19)
#define F_VIP (1ULL << 20)
#define F_ID (1ULL << 21)
#define F_VIRTUAL (F_VM | F_VIF | F_VIP)
/* Flags that must never come back set where this thread did not set them. */
#define F_FOREIGN (F_TF | F_DF | F_NT | F_AC | F_IOPL | F_VIRTUAL)
#define YIELDS 200u
#define SPIN_LOOPS 20000000ULL

/* A system call with each flag set: the kernel survives, NT and IOPL do not
 * come back, the flags a user may keep do. */
static void syscall_with_each_user_flag(struct ut *t)
{
	static const uint64_t sets[] = { F_NT, F_AC, F_DF, F_ID, F_RF, F_IOPL, F_NT | F_AC | F_DF | F_ID };
	static const uint64_t calls[] = { FE_SYS_NULL, FE_SYS_THREAD_YIELD };

	for (size_t c = 0; c < ARRAY_SIZE(calls); c++) {
		for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
			uint64_t f = ut_flags_syscall(sets[i], calls[c]);
			UT_EXPECT_MSG(t, (f & (F_NT | F_IOPL)) == 0, "set %#llx, call %llu: back %#llx",
			              (unsigned long long)sets[i], (unsigned long long)calls[c],
			              (unsigned long long)f);
			uint64_t kept = sets[i] & (F_AC | F_DF | F_ID);
			UT_EXPECT_MSG(t, (f & kept) == kept, "set %#llx: kept only %#llx",
			              (unsigned long long)sets[i], (unsigned long long)(f & kept));
		}
	}
}

struct flag_watch {
	volatile uint64_t foreign, done;
};

/* Yields YIELDS times and counts returns that carry flags it never set. */
static void clean_yielder(void *arg)
{
	struct flag_watch *w = arg;

	for (unsigned i = 0; i < YIELDS; i++)
		if (ut_flags_syscall(0, FE_SYS_THREAD_YIELD) & F_FOREIGN)
			w->foreign++;
	w->done = 1;
}

/* This thread yields with NT, AC and DF set to a fresh thread (its first
 * return to user mode) and then to it again and again, on one CPU. */
static void flags_do_not_leak_to_other_threads(struct ut *t)
{
	struct flag_watch w = { 0 };
	fe_handle_t th;
	uint32_t cpu = 0;

	UT_EXPECT_OK(t, fe_cpu_current(&cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(clean_yielder, &w, FE_PRIORITY_DEFAULT, &th)));
	while (!w.done && !ut_timed_out())
		(void)ut_flags_syscall(F_NT | F_AC | F_DF, FE_SYS_THREAD_YIELD);
	UT_EXPECT_EQ(t, w.done, 1);
	UT_EXPECT_EQ(t, w.foreign, 0);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	ut_del(t, th);
}

/* The same across processes: a child on this CPU counts foreign flags. */
static void flags_do_not_leak_to_other_processes(struct ut *t)
{
	struct ut_child c = { .role = "rflags", .arg = "clean" };
	struct fe_exit_status st = { 0 };
	fe_handle_t p;
	uint32_t cpu = 0;

	UT_EXPECT_OK(t, fe_cpu_current(&cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu)));
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &p)));
	while (fe_process_wait(p, &st, FE_NONBLOCK) == FE_ERR_WOULD_BLOCK && !ut_timed_out())
		(void)ut_flags_syscall(F_NT | F_AC | F_DF, FE_SYS_THREAD_YIELD);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
}

static void spin_clean(void *arg)
{
	struct flag_watch *w = arg;

	if (ut_flags_spin(0, SPIN_LOOPS) & F_FOREIGN)
		w->foreign++;
	w->done = 1;
}

/* Spins with `set` beside a spin_clean thread of our priority on this CPU,
 * so the slice timer switches between the two (interrupts, preemption, and
 * returns to user mode through iretq); *flags = ours after the spin. */
static void spin_beside_a_clean_thread(struct ut *t, uint64_t set, uint64_t *flags,
                                       struct flag_watch *w)
{
	fe_handle_t th;
	uint32_t cpu = 0;

	UT_EXPECT_OK(t, fe_cpu_current(&cpu));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << cpu)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(spin_clean, w, FE_PRIORITY_DEFAULT, &th)));
	*flags = ut_flags_spin(set, SPIN_LOOPS);
	UT_EXPECT_EQ(t, ut_poll(&w->done), 1);
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	ut_del(t, th);
}

/* Interrupts and preemption arrive while AC and DF are set: ours survive,
 * the other thread never sees them. */
static void flags_survive_interrupts_and_preemption(struct ut *t)
{
	struct flag_watch w = { 0 };
	uint64_t f = 0;

	spin_beside_a_clean_thread(t, F_AC | F_DF, &f, &w);
	UT_EXPECT_EQ(t, f & (F_AC | F_DF), F_AC | F_DF);
	UT_EXPECT_EQ(t, f & F_NT, 0);
	UT_EXPECT_EQ(t, w.foreign, 0);
}

static fe_handle_t child(struct ut *t, const char *what)
{
	struct ut_child c = { .role = "rflags", .arg = what };
	fe_handle_t p = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, ut_spawn(&c, &p));
	return p;
}

/* TF is the user's own business: the debug trap ends that process only. */
static void trap_flag_is_the_callers_fault(struct ut *t)
{
	fe_handle_t p = child(t, "tf");

	if (p != FE_HANDLE_INVALID)
		ut_expect_fault(t, p, 1, UT_ANY_ADDR, NULL);
}

/* A system call made with TF set: the kernel runs without it (SFMASK) and
 * gives it back, so the caller takes its debug trap on the instruction after
 * the syscall: the call ran, and only then did the trap come. */
/* The child in `role` must die of `vector` at instruction `rip`. */
static void expect_child_fault_at(struct ut *t, const char *role, uint32_t vector,
                                  void (*rip)(void))
{
	struct fe_exit_status st = { 0 };
	fe_handle_t p = child(t, role);

	UT_ASSERT(t, p != FE_HANDLE_INVALID);
	ut_expect_fault(t, p, vector, UT_ANY_ADDR, &st);
	UT_EXPECT_EQ(t, st.rip, (uint64_t)(uintptr_t)rip);
}

static void trap_flag_across_a_syscall_is_the_callers_fault(struct ut *t)
{
	expect_child_fault_at(t, "tf-syscall", 1, ut_flags_syscall_ret);
}

/* An exception raised with DF, NT and AC set: #UD at the child's own
 * instruction, reported as such, and none of the flags reaches kernel code
 * (DF there would turn the parent's copy of the exit status backwards). */
static void exception_with_df_nt_ac_is_the_childs_fault(struct ut *t)
{
	expect_child_fault_at(t, "ud2", 6, ut_ud2_here);
}

/* Ring 3's popfq leaves VM, VIF and VIP alone, as it does IOPL, and the
 * kernel never sets them: none reads back set at once, after a system call
 * or a yield (sysret), or after preemption and in a new thread (iretq, which
 * could set VIF and VIP). The flags set beside them still work (IF on, AC
 * and DF kept). */
static void virtual_mode_flags_cannot_be_set(struct ut *t)
{
	static const uint64_t sets[] = { F_VM, F_VIF, F_VIP, F_VIRTUAL | F_AC | F_DF };
	struct flag_watch w = { 0 };
	uint64_t f = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		uint64_t got[] = {
			ut_flags_spin(sets[i], 1),
			ut_flags_syscall(sets[i], FE_SYS_NULL),
			ut_flags_syscall(sets[i], FE_SYS_THREAD_YIELD),
		};
		uint64_t kept = sets[i] & (F_AC | F_DF);

		for (size_t k = 0; k < ARRAY_SIZE(got); k++)
			UT_EXPECT_MSG(t, (got[k] & F_VIRTUAL) == 0 && (got[k] & (F_IF | kept)) == (F_IF | kept),
			              "set %#llx, read %zu: back %#llx", (unsigned long long)sets[i], k,
			              (unsigned long long)got[k]);
	}
	spin_beside_a_clean_thread(t, F_VIRTUAL | F_AC | F_DF, &f, &w);
	UT_EXPECT_EQ(t, f & (F_VIRTUAL | F_AC | F_DF), F_AC | F_DF);
	UT_EXPECT_EQ(t, w.foreign, 0);
}

/* Ring 3's popfq cannot raise IOPL: the cli after it is a #GP. */
static void iopl_cannot_be_raised(struct ut *t)
{
	fe_handle_t p = child(t, "iopl");

	if (p != FE_HANDLE_INVALID)
		ut_expect_fault(t, p, 13, UT_ANY_ADDR, NULL);
}

/* A syscall as the last instruction of user space, with NT set: the return
 * goes through iretq to FE_USER_TOP, where the child takes an instruction
 * fetch fault of its own. */
static void syscall_in_last_user_page(struct ut *t)
{
	fe_handle_t p = child(t, "lastpage");

	if (p != FE_HANDLE_INVALID)
		ut_expect_fault(t, p, 14, FE_USER_TOP, NULL);
}

/* pushfq; orq $NT, (%rsp); popfq; xorl %eax, %eax (FE_SYS_NULL); syscall */
static const uint8_t last_page_code[] = {
	0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x40, 0x00, 0x00, 0x9d, 0x31, 0xc0, 0x0f, 0x05,
};

static int run_in_last_page(void)
{
	uint64_t page = FE_USER_TOP - PAGE, off = PAGE - sizeof(last_page_code);
	fe_handle_t v;

	if (fe_vmo_create(PAGE, &v) != FE_OK ||
	    fe_vmo_write(v, off, last_page_code, sizeof(last_page_code)) != FE_OK ||
	    fe_vm_map(fe_self, v, 0, page, PAGE, FE_VM_READ | FE_VM_EXEC) != FE_OK)
		return 2;
	((void (*)(void))(uintptr_t)(page + off))();
	return 3; /* never: the return lands on FE_USER_TOP */
}

/* The child roles: "clean" yields and counts foreign flags (exit code = how
 * many), "tf", "tf-syscall", "ud2", "iopl" and "lastpage" fault as their
 * cases expect. */
int ut_role_rflags(const char *arg)
{
	if (arg && strcmp(arg, "clean") == 0) {
		uint64_t foreign = 0;
		for (unsigned i = 0; i < YIELDS; i++)
			foreign += (ut_flags_syscall(0, FE_SYS_THREAD_YIELD) & F_FOREIGN) != 0;
		return (int)foreign;
	}
	if (arg && strcmp(arg, "tf") == 0)
		ut_trap_flag();
	else if (arg && strcmp(arg, "tf-syscall") == 0)
		(void)ut_flags_syscall(F_TF, FE_SYS_NULL);
	else if (arg && strcmp(arg, "ud2") == 0)
		ut_flags_ud2(F_DF | F_NT | F_AC);
	else if (arg && strcmp(arg, "iopl") == 0)
		ut_iopl3_cli();
	else if (arg && strcmp(arg, "lastpage") == 0)
		return run_in_last_page();
	return 4;
}

UT_SUITE(rflags,
	UT_CASE(syscall_with_each_user_flag),
	UT_CASE(flags_do_not_leak_to_other_threads),
	UT_CASE(flags_do_not_leak_to_other_processes),
	UT_CASE(flags_survive_interrupts_and_preemption),
	UT_CASE(trap_flag_is_the_callers_fault),
	UT_CASE(trap_flag_across_a_syscall_is_the_callers_fault),
	UT_CASE(exception_with_df_nt_ac_is_the_childs_fault),
	UT_CASE(virtual_mode_flags_cannot_be_set),
	UT_CASE(iopl_cannot_be_raised),
	UT_CASE(syscall_in_last_user_page));
