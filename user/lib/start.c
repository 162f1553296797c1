/* SPDX-License-Identifier: MIT */
/*
 * Process start-up (entered from _start in crt0.S): check the start-up
 * block, seed the stack-protector guard, give the main thread its IPC
 * buffer, split the arguments, run main and exit with its result.
 */
#include <fe/runtime.h>
#include <fe/sys.h>

#include "internal.h"

#define MAX_ARGS ((int)FE_START_ARGC_MAX)
/* Exit codes for a process that cannot start or breaks its own stack. */
#define EXIT_BAD_START_BLOCK 126
#define EXIT_STACK_SMASHED 127

const struct fe_start_info *fe_start_info;
fe_handle_t fe_self, fe_console;

/* The canary -fstack-protector-strong checks. Its low byte is kept zero so
 * a string copy running off a buffer cannot reproduce it. */
uintptr_t __stack_chk_guard = 0x5a17c0de5a17c000ULL;

_Noreturn void __stack_chk_fail(void);
_Noreturn void fe_start_main(struct fe_start_info *si);

fe_handle_t fe_start_handle(unsigned slot)
{
	return slot < FE_START_SLOTS ? fe_start_info->handles[slot] : FE_HANDLE_INVALID;
}

_Noreturn void fe_exit(int64_t code)
{
	fe_flush();
	fe_process_exit(code);
}

/*
 * The stack is corrupt, so this uses neither the line buffer nor printf:
 * two direct writes, then exit.
 */
_Noreturn void __stack_chk_fail(void)
{
	static const char msg[] = ": stack smashing detected\n";
	const char *name = fe_start_info ? fe_start_info->args : "?";

	if (fe_console != FE_HANDLE_INVALID) {
		fe_console_write(fe_console, name, strnlen(name, 32));
		fe_console_write(fe_console, msg, sizeof(msg) - 1);
	}
	fe_process_exit(EXIT_STACK_SMASHED);
}

/* splitmix64's finaliser: spreads the few changing bits of a TSC value. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * Makes the block safe to read: slots at or above nhandles become invalid
 * and args ends in a NUL within args_len. It lives in our own stack page,
 * so fixing it in place is fine. Returns false if it is not a start block.
 */
static bool check_start_block(struct fe_start_info *si)
{
	if (si->magic != FE_START_MAGIC || si->version != FE_START_VERSION)
		return false;
	for (unsigned i = si->nhandles; i < FE_START_SLOTS; i++)
		si->handles[i] = FE_HANDLE_INVALID;
	if (si->args_len == 0 || si->args_len > FE_START_ARGS_MAX)
		si->args_len = si->args_len ? FE_START_ARGS_MAX : 1;
	si->args[si->args_len - 1] = '\0';
	return true;
}

/* Splits the NUL-separated args into argv (at most MAX_ARGS words). */
static int split_args(char *args, uint32_t len, char **argv)
{
	int argc = 0;

	for (uint32_t i = 0; i < len && argc < MAX_ARGS; i++) {
		argv[argc++] = &args[i];
		while (args[i] != '\0')
			i++;
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * Not stack-protected itself: it changes the guard while its own frame is
 * live (and never returns, so it would never check). Every function it calls
 * runs entirely before or after a change, so their checks hold.
 */
__attribute__((no_stack_protector)) _Noreturn void fe_start_main(struct fe_start_info *si)
{
	static char *argv[MAX_ARGS + 1];

	if (!check_start_block(si))
		fe_process_exit(EXIT_BAD_START_BLOCK); /* no console to say why */
	fe_start_info = si;
	fe_self = si->handles[FE_START_SELF];
	fe_console = si->handles[FE_START_CONSOLE];
	__stack_chk_guard ^= mix64(fe_rdtsc() ^ (uintptr_t)si) & ~0xffULL;

	/* Without a buffer (e.g. a tiny budget) the program still runs: only
	 * long messages and capability transfer need one. */
	thread_block_init();
	fe_ipc_buffer_setup(NULL);
	/* The system calls above took a varying number of cycles: mix again. */
	__stack_chk_guard ^= mix64(fe_rdtsc()) & ~0xffULL;

	int argc = split_args(si->args, si->args_len, argv);
	fe_exit(main(argc, argv));
}
