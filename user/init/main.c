/* SPDX-License-Identifier: MIT */
/*
 * init, the root task. The kernel starts it with every initial capability
 * and the kernel command line as its arguments. It runs one program,
 * `init.run=NAME` (default: the supervisor, which starts the services of
 * the ramdisk's manifest, the console among them), passing the words
 * `NAME.key=value` as that program's arguments "key=value", in order. The program gets
 * narrowed capabilities: the console only to write (and pass on), the
 * ramdisk read-only, the devices as init holds them, and no handle to init.
 *
 * init exits with the program's exit code (1 if it faulted or was killed),
 * which a test run turns into QEMU's exit status. The console alone is
 * restarted when it faults or is killed, at most CONSOLE_RESTARTS times.
 */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#define MAX_CHILD_ARGS 32
#define CONSOLE_RESTARTS 3
#define EXIT_FAILED 1

static const char *program = "supervisor";
static const char *child_argv[MAX_CHILD_ARGS + 1];

/* The capabilities the program gets: slot and the most rights it may have
 * (0: as init holds them). */
static const struct {
	unsigned slot;
	uint32_t rights;
} passed[] = {
	{ FE_START_CONSOLE, FE_RIGHT_WRITE | FE_RIGHT_DUPLICATE | FE_RIGHT_TRANSFER },
	{ FE_START_INITRD, FE_RIGHT_READ | FE_RIGHT_MAP | FE_RIGHT_DUPLICATE | FE_RIGHT_TRANSFER },
	{ FE_START_TRACE, 0 },
	{ FE_START_IOPORT_COM1, 0 },
	{ FE_START_IOPORT_COM2, 0 },
	{ FE_START_IRQ_COM1, 0 },
	{ FE_START_MMIO_HPET, 0 },
	{ FE_START_PCI_ROOT, 0 },
	{ FE_START_GROUP, 0 },
};

/* Picks the program and its arguments out of the command line words. */
static void parse_command_line(int argc, char **argv)
{
	int n = 1;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "init.run=", 9) == 0 && argv[i][9] != '\0')
			program = argv[i] + 9;
	child_argv[0] = program;
	size_t plen = strlen(program);
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		if (strncmp(w, program, plen) != 0 || w[plen] != '.' || w[plen + 1] == '\0')
			continue;
		if (n == MAX_CHILD_ARGS) {
			printf("init: too many %s.* arguments; ignoring %s and later ones\n", program, w);
			break;
		}
		child_argv[n++] = w + plen + 1;
	}
	child_argv[n] = NULL;
}

/* Capabilities init does not have (absent devices) are skipped. */
static void fill_handles(struct fe_spawn_args *a)
{
	for (unsigned i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		a->handles[passed[i].slot] = fe_start_handle(passed[i].slot);
		a->rights[passed[i].slot] = passed[i].rights;
	}
}

/* Prints how the program ended; returns true if it faulted or was killed. */
static bool report(const struct fe_exit_status *e)
{
	switch (e->reason) {
	case FE_EXIT_NORMAL:
		printf("init: %s exited with code %lld\n", program, (long long)e->code);
		return false;
	case FE_EXIT_FAULT:
		printf("init: %s faulted: vector %u at %#llx rip %#llx\n", program, e->vector,
		       (unsigned long long)e->address, (unsigned long long)e->rip);
		return true;
	case FE_EXIT_DMA_FAULT:
		printf("init: %s ended by a DMA fault: reason %u at device address %#llx\n", program,
		       e->vector, (unsigned long long)e->address);
		return true;
	default:
		printf("init: %s killed\n", program);
		return true;
	}
}

/*
 * Runs the program once and waits for it. The program gets half of init's
 * budget: enough for anything it starts, while init keeps room to restart
 * it. Returns FE_OK with *e filled, or the error (already reported).
 */
static fe_status_t run_once(struct fe_exit_status *e)
{
	struct fe_spawn_args a = { .path = program, .argv = child_argv };
	struct fe_process_info self;
	fe_handle_t child;
	fe_status_t st;

	fill_handles(&a);
	if (fe_process_info(fe_self, &self) == FE_OK)
		a.budget = self.budget_limit / 2;
	if ((st = fe_spawn(&a, &child)) != FE_OK) {
		const char *why = fe_spawn_why(program);
		if (why != NULL)
			printf("init: cannot start %s: it is %s (%s)\n", program, why, fe_status_name(st));
		else
			printf("init: cannot start %s: %s\n", program, fe_status_name(st));
		return st;
	}
	st = fe_process_wait(child, e, 0);
	if (st != FE_OK) {
		printf("init: waiting for %s failed: %s; killing it\n", program, fe_status_name(st));
		fe_process_kill(child);
	}
	fe_handle_delete(child);
	return st;
}

int main(int argc, char **argv)
{
	struct fe_exit_status e;
	bool console = false;

	parse_command_line(argc, argv);
	console = strcmp(program, "console") == 0;
	printf("init: starting %s\n", program);
	for (int restarts = 0;; restarts++) {
		if (run_once(&e) != FE_OK)
			return EXIT_FAILED;
		if (!report(&e))
			fe_exit(e.code); /* all 64 bits of it, not main's int */
		if (!console || restarts == CONSOLE_RESTARTS)
			return EXIT_FAILED;
		printf("init: restarting console\n");
	}
}
