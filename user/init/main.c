/* SPDX-License-Identifier: MIT */
/*
 * init, the root task. It holds every initial capability and runs one
 * program: `init.run=NAME` on the kernel command line (default: console),
 * with the words `NAME.key=value` as its arguments "key=value". The child
 * gets narrowed capabilities (the ramdisk read-only, no revoke rights).
 * init exits with the child's exit code, which a test run turns into the
 * QEMU exit status; the console is restarted if it faults or is killed.
 */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#define MAX_CHILD_ARGS 24
#define CONSOLE_RESTARTS 3

static const char *program = "console";
static const char *child_argv[MAX_CHILD_ARGS + 2];

static void parse_command_line(int argc, char **argv)
{
	int n = 1;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "init.run=", 9) == 0)
			program = argv[i] + 9;
	child_argv[0] = program;
	size_t plen = strlen(program);
	for (int i = 1; i < argc && n < MAX_CHILD_ARGS; i++)
		if (strncmp(argv[i], program, plen) == 0 && argv[i][plen] == '.')
			child_argv[n++] = argv[i] + plen + 1;
	child_argv[n] = NULL;
}

static void narrow(struct fe_spawn_args *a)
{
	const uint32_t no_revoke = FE_RIGHTS_ALL & ~FE_RIGHT_REVOKE;
	static const unsigned passed[] = { FE_START_CONSOLE, FE_START_INITRD, FE_START_TRACE,
	                                   FE_START_IOPORT_COM1, FE_START_IRQ_COM1,
	                                   FE_START_MMIO_HPET };

	for (unsigned i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		a->handles[passed[i]] = fe_start_info->handles[passed[i]];
		a->rights[passed[i]] = no_revoke;
	}
	a->rights[FE_START_INITRD] = FE_RIGHT_READ | FE_RIGHT_MAP | FE_RIGHT_DUPLICATE |
	                             FE_RIGHT_TRANSFER;
	a->rights[FE_START_CONSOLE] = FE_RIGHT_WRITE | FE_RIGHT_DUPLICATE | FE_RIGHT_TRANSFER;
}

static int report(const struct fe_exit_status *st)
{
	if (st->reason == FE_EXIT_NORMAL) {
		printf("init: %s exited with code %lld\n", program, (long long)st->code);
		return (int)st->code;
	}
	if (st->reason == FE_EXIT_FAULT)
		printf("init: %s faulted: vector %u at %#llx rip %#llx\n", program, st->vector,
		       (unsigned long long)st->address, (unsigned long long)st->rip);
	else
		printf("init: %s was killed\n", program);
	return -1;
}

static int run_once(void)
{
	struct fe_spawn_args a = { .path = program, .argv = child_argv, .budget = 0 };
	struct fe_exit_status st;
	fe_handle_t child;
	fe_status_t s;
	struct fe_process_info self;

	narrow(&a);
	if (fe_process_info(fe_self, &self) == FE_OK)
		a.budget = self.budget_limit / 2;
	if ((s = fe_spawn(&a, &child)) != FE_OK) {
		printf("init: cannot start %s: %s\n", program, fe_status_name(s));
		return 1;
	}
	if ((s = fe_process_wait(child, &st, 0)) != FE_OK) {
		printf("init: waiting for %s failed: %s\n", program, fe_status_name(s));
		return 1;
	}
	fe_handle_delete(child);
	return report(&st);
}

int main(int argc, char **argv)
{
	parse_command_line(argc, argv);
	printf("init: starting %s\n", program);
	int code = run_once();
	for (int i = 0; code < 0 && strcmp(program, "console") == 0 && i < CONSOLE_RESTARTS; i++) {
		printf("init: restarting console\n");
		code = run_once();
	}
	return code < 0 ? 1 : code;
}
