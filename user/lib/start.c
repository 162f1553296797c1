/* SPDX-License-Identifier: MIT */
/*
 * Process start-up: check the start-up block, set up the stack guard and
 * the IPC buffer, split the arguments, run main, exit with its result.
 *
 * Each thread's stack is a 64 KiB-aligned region whose lowest word holds
 * that thread's IPC buffer pointer, so fe_ipc_buffer() needs no TLS.
 */
#include <fe/runtime.h>
#include <fe/sys.h>

#define MAX_ARGS 32
#define STACK_REGION 0x10000ULL

const struct fe_start_info *fe_start_info;
fe_handle_t fe_self, fe_console;
uintptr_t __stack_chk_guard = 0x5a17c0de5a17c0deULL;

_Noreturn void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
	printf("stack smashing detected: exiting\n");
	fe_exit(127);
}

static struct fe_ipc_buffer **ipc_slot(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	return (struct fe_ipc_buffer **)(sp & ~(STACK_REGION - 1));
}

struct fe_ipc_buffer *fe_ipc_buffer(void)
{
	return *ipc_slot();
}

fe_status_t fe_ipc_buffer_setup(struct fe_ipc_buffer **out)
{
	fe_handle_t vmo;
	void *va;
	fe_status_t st = fe_map_new(4096, FE_VM_READ | FE_VM_WRITE, &vmo, &va);

	if (st == FE_OK && (st = fe_thread_set_ipc_buffer(vmo, 0)) == FE_OK)
		*ipc_slot() = va;
	if (out)
		*out = st == FE_OK ? va : NULL;
	return st;
}

_Noreturn void fe_exit(int64_t code)
{
	fe_flush();
	fe_process_exit(code);
}

static int split_args(char *args, uint32_t len, char **argv)
{
	int argc = 0;

	for (uint32_t i = 0; i < len && argc < MAX_ARGS; i++) {
		argv[argc++] = &args[i];
		while (i < len && args[i])
			i++;
	}
	argv[argc] = NULL;
	return argc;
}

_Noreturn void fe_start_main(struct fe_start_info *si);
_Noreturn void fe_start_main(struct fe_start_info *si)
{
	static char *argv[MAX_ARGS + 1];

	if (si->magic != FE_START_MAGIC || si->version != FE_START_VERSION)
		fe_process_exit(126);
	fe_start_info = si;
	fe_self = si->handles[FE_START_SELF];
	fe_console = si->handles[FE_START_CONSOLE];
	__stack_chk_guard ^= fe_rdtsc() * 0x9e3779b97f4a7c15ULL;
	*ipc_slot() = NULL;
	fe_ipc_buffer_setup(NULL); /* may fail on a tiny budget: then no buffer */
	uint32_t len = si->args_len <= FE_START_ARGS_MAX ? si->args_len : FE_START_ARGS_MAX;
	si->args[FE_START_ARGS_MAX - 1] = '\0';
	int argc = split_args(si->args, len, argv);
	fe_exit(main(argc, argv));
}
