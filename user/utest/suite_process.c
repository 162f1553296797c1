/* SPDX-License-Identifier: MIT */
/* Processes: create, info, run code, exit codes, kill, wait, rights. */
#include "ut.h"

#define CODE_VA 0x400000ULL
#define STACK_TOP_VA 0x7000000ULL

static fe_handle_t child_in_role(struct ut *t, const char *role, const char *arg, fe_handle_t user0)
{
	struct ut_child c = { .role = role, .arg = arg, .user = { user0 } };
	fe_handle_t p = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, ut_spawn(&c, &p));
	return p;
}

static void process_create_checks(struct ut *t)
{
	struct fe_process_info self = { 0 };
	fe_handle_t p = FE_HANDLE_INVALID;
	const char name[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_info(fe_self, &self)));
	UT_EXPECT_STATUS(t, fe_process_create("x", 0, 1 << 20, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_process_create(name, 32, 1 << 20, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_process_create(name, ~0ULL, 1 << 20, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_process_create("x", 1, 0, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_process_create("x", 1, self.budget_limit + 1, &p),
			 FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_process_create("x", 1, ~0ULL, &p), FE_ERR_INVALID_ARG);
	UT_EXPECT_EQ(t, p, FE_HANDLE_INVALID);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create(name, 31, 1 << 20, &p)));
	struct fe_process_info pi = { 0 };
	UT_EXPECT_OK(t, fe_process_info(p, &pi));
	UT_EXPECT(t, strncmp(pi.name, name, 31) == 0 && pi.name[31] == '\0');
	ut_del(t, p);
}

static void new_process_is_empty(struct ut *t)
{
	struct fe_process_info pi = { .exit.reason = 99 };
	struct fe_handle_info hi = { 0 };
	struct fe_exit_status st;
	fe_handle_t p;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("empty", 5, 256 << 10, &p)));
	UT_EXPECT_OK(t, fe_process_info(p, &pi));
	UT_EXPECT_OK(t, fe_handle_info(p, &hi));
	UT_EXPECT_EQ(t, pi.koid, hi.koid);
	UT_EXPECT(t, strcmp(pi.name, "empty") == 0);
	UT_EXPECT_EQ(t, pi.threads, 0);
	UT_EXPECT_EQ(t, pi.handles, 0);
	UT_EXPECT_EQ(t, pi.budget_limit, 256 << 10);
	UT_EXPECT_LE(t, pi.budget_used, pi.budget_limit);
	UT_EXPECT_EQ(t, pi.exit.reason, FE_EXIT_RUNNING);
	UT_EXPECT_STATUS(t, fe_process_wait(p, &st, FE_NONBLOCK), FE_ERR_WOULD_BLOCK);
	UT_EXPECT_OK(t, fe_process_kill(p)); /* no threads: it ends at once */
	UT_EXPECT_OK(t, ut_wait(p, &st));
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	UT_EXPECT_STATUS(t, fe_process_kill(p), FE_ERR_BAD_STATE);
	ut_del(t, p);
}

/*
 * Hand-made code in a hand-made process: `xor rdi, rsp; mov eax,
 * FE_SYS_PROCESS_EXIT; syscall; ud2`, so the exit code is arg ^ stack top.
 */
static void run_code_in_new_process(struct ut *t)
{
	static const uint8_t code[] = { 0x48, 0x31, 0xe7, 0xb8, FE_SYS_PROCESS_EXIT, 0, 0, 0,
	                                0x0f, 0x05, 0x0f, 0x0b };
	const uint64_t arg = 0x5a5a0000ULL;
	fe_handle_t v, p, th = FE_HANDLE_INVALID;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_EXPECT_OK(t, fe_vmo_write(v, 0, code, sizeof(code)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("handmade", 8, 1 << 20, &p)));
	UT_EXPECT(t, ut_watch(p));
	UT_EXPECT_OK(t, fe_vm_map(p, v, 0, CODE_VA, PAGE, FE_VM_READ | FE_VM_EXEC));
	if (UT_EXPECT_OK(
		    t, fe_thread_create(p, CODE_VA, STACK_TOP_VA, arg, FE_PRIORITY_DEFAULT, &th))) {
		ut_del(t, th);
		ut_expect_exit(t, p, FE_EXIT_NORMAL, (int64_t)(arg ^ STACK_TOP_VA));
	} else {
		ut_stop(t, p);
	}
	ut_del(t, v);
}

static void spawn_wait_exit_code(struct ut *t)
{
	const char *argv[] = { "hello", "exit=7", NULL };
	struct fe_spawn_args a = { .path = "hello", .argv = argv };
	struct fe_exit_status st = { 0 }, again = { 0 };
	struct fe_process_info pi = { 0 };
	fe_handle_t p;

	UT_ASSERT(t,
		  UT_EXPECT_OK(t, ut_spawn_args(&a, &p))); /* no console: its output is dropped */
	UT_EXPECT_OK(t, fe_process_wait(p, &st, 0)); /* blocking: a hung hello meets the watchdog */
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_NORMAL);
	UT_EXPECT_EQ(t, st.code, 7);
	UT_EXPECT_OK(t, fe_process_wait(p, &again, FE_NONBLOCK)); /* ended stays ended */
	UT_EXPECT_EQ(t, again.code, 7);
	UT_EXPECT_OK(t, fe_process_info(p, &pi));
	UT_EXPECT_EQ(t, pi.exit.reason, FE_EXIT_NORMAL);
	UT_EXPECT_EQ(t, pi.exit.code, 7);
	UT_EXPECT_EQ(t, pi.threads, 0);
	UT_EXPECT(t, strcmp(pi.name, "hello") == 0);
	UT_EXPECT_STATUS(t, fe_process_kill(p), FE_ERR_BAD_STATE);
	ut_unwatch(p);
	ut_del(t, p);
}

/*
 * fe_spawn loads a program's read-only segments once and maps them into
 * every later child (user/lib/image.c): a second start of the same program
 * maps them from the cache, loads nothing, and leaves nothing charged
 * behind once the child is gone.
 */
static void spawn_shares_read_only_segments(struct ut *t)
{
	struct fe_spawn_image_stats s0, s1;
	struct fe_process_info b0 = { 0 }, b1 = { 0 };
	fe_handle_t p = child_in_role(t, "exit", "0", FE_HANDLE_INVALID); /* warm */

	if (p != FE_HANDLE_INVALID)
		ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
	fe_spawn_image_stats(&s0);
	UT_EXPECT_OK(t, fe_process_info(fe_self, &b0));
	p = child_in_role(t, "exit", "0", FE_HANDLE_INVALID);
	if (p != FE_HANDLE_INVALID)
		ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
	fe_spawn_image_stats(&s1);
	UT_EXPECT_OK(t, fe_process_info(fe_self, &b1));
	UT_EXPECT(t, s0.segments >= 1 && s0.bytes >= 4096);
	UT_EXPECT_EQ(t, s1.segments, s0.segments); /* nothing loaded again */
	UT_EXPECT_EQ(t, s1.bytes, s0.bytes);
	UT_EXPECT_EQ(t, s1.loads, s0.loads);
	UT_EXPECT(t, s1.hits > s0.hits);
	UT_EXPECT(t, s1.copies > s0.copies); /* utest's data segment, copied */
	UT_EXPECT_EQ(t, b1.budget_used, b0.budget_used);
}

/* The writable segment is each child's own: two children in a row both
 * start from the file's value (a shared copy would give the second 43). */
static void spawned_data_is_private(struct ut *t)
{
	for (int i = 0; i < 2; i++) {
		fe_handle_t p = child_in_role(t, "bump", NULL, FE_HANDLE_INVALID);
		if (p != FE_HANDLE_INVALID)
			ut_expect_exit(t, p, FE_EXIT_NORMAL, 42);
	}
}

static void exit_code_keeps_64_bits(struct ut *t)
{
	static const struct { const char *arg; int64_t code; } cases[] = {
		{ "0", 0 }, { "-5", -5 }, { "0x123456789abcdef0", 0x123456789abcdef0LL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		fe_handle_t p = child_in_role(t, "exit", cases[i].arg, FE_HANDLE_INVALID);
		if (p != FE_HANDLE_INVALID)
			ut_expect_exit(t, p, FE_EXIT_NORMAL, cases[i].code);
	}
}

static void kill_running_process(struct ut *t)
{
	struct fe_exit_status st = { 0 };
	struct fe_process_info pi = { 0 };
	fe_handle_t n, p;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	p = child_in_role(t, "hang", NULL, n);
	UT_ASSERT(t, p != FE_HANDLE_INVALID);
	UT_WAIT_UNTIL(fe_notif_wait(n, FE_NONBLOCK, &bits) == FE_OK);
	UT_EXPECT_EQ(t, bits, 1); /* it runs */
	UT_EXPECT_STATUS(t, fe_process_wait(p, &st, FE_NONBLOCK), FE_ERR_WOULD_BLOCK);
	UT_EXPECT_OK(t, fe_process_info(p, &pi));
	UT_EXPECT_EQ(t, pi.exit.reason, FE_EXIT_RUNNING);
	UT_EXPECT_GE(t, pi.threads, 1);
	UT_EXPECT_OK(t, fe_process_kill(p));
	UT_EXPECT_OK(t, ut_wait(p, &st));
	UT_EXPECT_EQ(t, st.reason, FE_EXIT_KILLED);
	UT_EXPECT_EQ(t, st.code, 0);
	UT_EXPECT_STATUS(t, fe_process_kill(p), FE_ERR_BAD_STATE);
	ut_unwatch(p);
	ut_del(t, p);
	ut_del(t, n);
}

static void kill_self_does_not_return(struct ut *t)
{
	fe_handle_t p = child_in_role(t, "suicide", NULL, FE_HANDLE_INVALID);

	if (p != FE_HANDLE_INVALID)
		ut_expect_exit(t, p, FE_EXIT_KILLED, 0);
}

static void process_rights_checks(struct ut *t)
{
	struct fe_exit_status st;
	struct fe_process_info pi;
	fe_handle_t p, nowait, nomanage, noread, v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("rights", 6, 1 << 20, &p)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	nowait = ut_dup(t, p, FE_RIGHTS_ALL & ~FE_RIGHT_WAIT);
	nomanage = ut_dup(t, p, FE_RIGHTS_ALL & ~FE_RIGHT_MANAGE);
	noread = ut_dup(t, p, FE_RIGHTS_ALL & ~FE_RIGHT_READ);
	UT_EXPECT_STATUS(t, fe_process_wait(nowait, &st, FE_NONBLOCK), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_process_kill(nomanage), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_process_info(noread, &pi), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_process_wait(v, &st, FE_NONBLOCK), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_process_kill(v), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_process_info(v, &pi), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_process_wait(fe_self, &st, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_process_wait(fe_self, &st, FE_NONBLOCK), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_process_wait(p, &st, 0x80), FE_ERR_INVALID_ARG);
	UT_EXPECT_OK(t, fe_process_kill(p));
	UT_EXPECT_OK(t, ut_wait(p, &st));
	UT_EXPECT_STATUS(t, fe_process_wait(p, NULL, 0), FE_ERR_FAULT);
	ut_del(t, noread);
	ut_del(t, nomanage);
	ut_del(t, nowait);
	ut_del(t, v);
	ut_del(t, p);
}

static void process_info_of_self(struct ut *t)
{
	struct fe_process_info pi = { 0 };
	struct fe_handle_info hi = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_info(fe_self, &pi)));
	UT_EXPECT_OK(t, fe_handle_info(fe_self, &hi));
	UT_EXPECT_EQ(t, pi.koid, hi.koid);
	UT_EXPECT(t, strcmp(pi.name, "utest") == 0);
	UT_EXPECT_GE(t, pi.threads, 1);
	UT_EXPECT_GE(t, pi.handles, 2);
	UT_EXPECT_EQ(t, pi.exit.reason, FE_EXIT_RUNNING);
	UT_EXPECT_GT(t, pi.budget_used, 0);
	UT_EXPECT_LE(t, pi.budget_used, pi.budget_limit);
}

UT_SUITE(process,
	UT_CASE(process_create_checks),
	UT_CASE(new_process_is_empty),
	UT_CASE(run_code_in_new_process),
	UT_CASE(spawn_wait_exit_code),
	UT_CASE(spawn_shares_read_only_segments),
	UT_CASE(spawned_data_is_private),
	UT_CASE(exit_code_keeps_64_bits),
	UT_CASE(kill_running_process),
	UT_CASE(kill_self_does_not_return),
	UT_CASE(process_rights_checks),
	UT_CASE(process_info_of_self));
