/* SPDX-License-Identifier: MIT */
/* Console commands: processes this console started, the ramdisk, traces. */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#include "console.h"

#define MAX_WORDS 16
#define MAX_CHILDREN 32

static fe_handle_t children[MAX_CHILDREN];
static int exit_code;

static fe_handle_t slot(unsigned i)
{
	return fe_start_info->handles[i];
}

int console_exit_code(void)
{
	return exit_code;
}

static const char *state_of(const struct fe_exit_status *e, char *buf, size_t n)
{
	if (e->reason == FE_EXIT_RUNNING)
		return "running";
	if (e->reason == FE_EXIT_NORMAL)
		snprintf(buf, n, "exited %lld", (long long)e->code);
	else if (e->reason == FE_EXIT_FAULT)
		snprintf(buf, n, "faulted (vector %u at %#llx)", e->vector, (unsigned long long)e->address);
	else
		snprintf(buf, n, "killed");
	return buf;
}

static void show(int id, fe_handle_t p)
{
	struct fe_process_info info;
	char buf[64];

	if (fe_process_info(p, &info) != FE_OK)
		return;
	printf("%3d  %5llu  %-12s %-28s threads %u  handles %u  budget %llu/%llu KiB\n", id,
	       (unsigned long long)info.koid, info.name, state_of(&info.exit, buf, sizeof(buf)),
	       info.threads, info.handles, (unsigned long long)(info.budget_used >> 10),
	       (unsigned long long)(info.budget_limit >> 10));
}

static void cmd_ps(void)
{
	printf(" id   koid  name         state\n");
	show(0, fe_self);
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i])
			show(i + 1, children[i]);
}

static void cmd_run(int argc, char **argv)
{
	struct fe_spawn_args a = { .path = argv[1], .argv = (const char *const *)&argv[1] };
	fe_handle_t p;
	int i;

	(void)argc;
	for (i = 0; i < MAX_CHILDREN && children[i]; i++)
		;
	if (i == MAX_CHILDREN) {
		printf("run: too many processes; wait for some first\n");
		return;
	}
	a.handles[FE_START_CONSOLE] = fe_console;
	a.handles[FE_START_INITRD] = slot(FE_START_INITRD);
	fe_status_t st = fe_spawn(&a, &p);
	if (st != FE_OK) {
		printf("run: %s: %s\n", argv[1], fe_status_name(st));
		return;
	}
	children[i] = p;
	printf("started %s as id %d\n", argv[1], i + 1);
}

static fe_handle_t child_arg(const char *s)
{
	uint64_t id;

	if (fe_parse_u64(s, &id) != 0 || id < 1 || id > MAX_CHILDREN || !children[id - 1]) {
		printf("no process with id %s (see ps)\n", s);
		return FE_HANDLE_INVALID;
	}
	return children[id - 1];
}

static void cmd_wait(const char *arg)
{
	fe_handle_t p = child_arg(arg);
	struct fe_exit_status e;
	char buf[64];

	if (p && fe_process_wait(p, &e, 0) == FE_OK)
		printf("%s: %s\n", arg, state_of(&e, buf, sizeof(buf)));
}

static void cmd_kill(const char *arg)
{
	fe_handle_t p = child_arg(arg);

	if (p)
		printf("kill %s: %s\n", arg, fe_status_name(fe_process_kill(p)));
}

static void list_file(const char *name, size_t size, void *ctx)
{
	(void)ctx;
	printf("%8zu  %s\n", size, name);
}

static const char *event_name(uint16_t type)
{
	static const char *const names[] = {
		[FE_TRACE_FRAME_ALLOC] = "frame_alloc", [FE_TRACE_FRAME_FREE] = "frame_free",
		[FE_TRACE_IRQ_ENTER] = "irq_enter", [FE_TRACE_IRQ_EXIT] = "irq_exit",
		[FE_TRACE_EXCEPTION] = "exception", [FE_TRACE_IRQ_SPURIOUS] = "irq_spurious",
		[FE_TRACE_IRQ_UNHANDLED] = "irq_unhandled", [FE_TRACE_TIMER_ARM] = "timer_arm",
		[FE_TRACE_TIMER_FIRE] = "timer_fire", [FE_TRACE_SLAB_GROW] = "slab_grow",
		[FE_TRACE_PANIC] = "panic", [FE_TRACE_BOOT_PHASE] = "boot_phase",
		[FE_TRACE_SYSCALL_ENTER] = "syscall_enter", [FE_TRACE_SYSCALL_EXIT] = "syscall_exit",
		[FE_TRACE_SCHED_SWITCH] = "sched_switch", [FE_TRACE_SCHED_WAKE] = "sched_wake",
		[FE_TRACE_CAP_CREATE] = "cap_create", [FE_TRACE_CAP_TRANSFER] = "cap_transfer",
		[FE_TRACE_CAP_REVOKE] = "cap_revoke", [FE_TRACE_IPC_SEND] = "ipc_send",
		[FE_TRACE_IPC_RECV] = "ipc_recv", [FE_TRACE_FAULT] = "fault",
		[FE_TRACE_SERVICE_RESTART] = "service_restart",
	};
	const char *n = type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
	return n ? n : "?";
}

static void cmd_trace(const char *arg)
{
	static struct fe_trace_record recs[64];
	uint64_t want = 20, n = 0;
	struct fe_kernel_stats ks;

	if (arg && fe_parse_u64(arg, &want) != 0)
		want = 20;
	want = want > 64 ? 64 : want;
	if (fe_kernel_stats(slot(FE_START_TRACE), &ks) != FE_OK ||
	    fe_trace_read(slot(FE_START_TRACE), recs, want, &n) != FE_OK) {
		printf("trace: no trace capability\n");
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		const struct fe_trace_record *r = &recs[i];
		printf("%12llu us cpu%u thr %-4u %-14s %llx %llx %llx %llx\n",
		       (unsigned long long)(r->tsc / (ks.tsc_hz / 1000000)), r->cpu, r->thread,
		       event_name(r->type), (unsigned long long)r->arg[0], (unsigned long long)r->arg[1],
		       (unsigned long long)r->arg[2], (unsigned long long)r->arg[3]);
	}
}

static void cmd_stats(void)
{
	struct fe_kernel_stats ks;

	if (fe_kernel_stats(slot(FE_START_TRACE), &ks) != FE_OK) {
		printf("stats: no trace capability\n");
		return;
	}
	printf("memory: %llu of %llu KiB free\nprocesses %llu, threads %llu, context switches %llu, "
	       "syscalls %llu, trace records lost %llu\n",
	       (unsigned long long)(ks.frames_free * 4), (unsigned long long)(ks.frames_total * 4),
	       (unsigned long long)ks.processes, (unsigned long long)ks.threads,
	       (unsigned long long)ks.context_switches, (unsigned long long)ks.syscalls,
	       (unsigned long long)ks.trace_dropped);
}

static void help(void)
{
	printf("help            this list\n"
	       "ls              programs and files in the ramdisk\n"
	       "run NAME ARGS   start a program in the background\n"
	       "ps              processes started here\n"
	       "wait ID         wait for one to end\n"
	       "kill ID         end one\n"
	       "trace [N]       the last N trace events\n"
	       "stats           kernel counters\n"
	       "exit [CODE]     leave the console\n");
}

static int split(char *line, char **words)
{
	int n = 0;

	for (char *p = line; *p && n < MAX_WORDS;) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p)
			words[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	words[n] = NULL;
	return n;
}

int console_command(char *line)
{
	char *w[MAX_WORDS + 1];
	int n = split(line, w);

	if (n == 0)
		return CONSOLE_CONTINUE;
	if (strcmp(w[0], "help") == 0)
		help();
	else if (strcmp(w[0], "ls") == 0)
		fe_initrd_list(list_file, NULL);
	else if (strcmp(w[0], "run") == 0 && n > 1)
		cmd_run(n, w);
	else if (strcmp(w[0], "ps") == 0)
		cmd_ps();
	else if (strcmp(w[0], "wait") == 0 && n > 1)
		cmd_wait(w[1]);
	else if (strcmp(w[0], "kill") == 0 && n > 1)
		cmd_kill(w[1]);
	else if (strcmp(w[0], "trace") == 0)
		cmd_trace(n > 1 ? w[1] : NULL);
	else if (strcmp(w[0], "stats") == 0)
		cmd_stats();
	else if (strcmp(w[0], "exit") == 0) {
		uint64_t code = 0;
		if (n > 1)
			fe_parse_u64(w[1], &code);
		exit_code = (int)code;
		return CONSOLE_EXIT;
	} else
		printf("%s: unknown command (try help)\n", w[0]);
	return CONSOLE_CONTINUE;
}
