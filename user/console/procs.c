/* SPDX-License-Identifier: MIT */
/*
 * Processes started from the console: run, ps, wait, kill. A process is
 * named by its id (its 1-based slot, shown by ps) or by its koid; slots of
 * processes that have ended are reused, oldest first, once all are taken.
 */
#include <fe/spawn.h>
#include <fe/sys.h>

#include "console.h"

#define MAX_CHILDREN 16

struct child {
	fe_handle_t proc; /* FE_HANDLE_INVALID: a free slot */
	uint64_t koid;
	uint64_t started; /* run number, to find the oldest */
	char name[32];
};

static struct child children[MAX_CHILDREN];
static uint64_t runs;

static bool has_ended(const struct child *c)
{
	struct fe_process_info info;

	return fe_process_info(c->proc, &info) == FE_OK && info.exit.reason != FE_EXIT_RUNNING;
}

/* A free slot, else the oldest slot whose process has ended (dropping its
 * handle); NULL if every slot holds a live process. */
static struct child *free_slot(void)
{
	struct child *oldest = NULL;

	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &children[i];
		if (c->proc == FE_HANDLE_INVALID)
			return c;
		if (has_ended(c) && (!oldest || c->started < oldest->started))
			oldest = c;
	}
	if (oldest) {
		fe_handle_delete(oldest->proc);
		oldest->proc = FE_HANDLE_INVALID;
	}
	return oldest;
}

/* The child named by an id from ps or a koid; NULL (after saying so) if none. */
static struct child *find_child(const char *arg)
{
	uint64_t id;

	if (fe_parse_u64(arg, &id) != FE_OK) {
		printf("%s: not a process id (see ps)\n", arg);
		return NULL;
	}
	if (id >= 1 && id <= MAX_CHILDREN && children[id - 1].proc != FE_HANDLE_INVALID)
		return &children[id - 1];
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i].proc != FE_HANDLE_INVALID && children[i].koid == id)
			return &children[i];
	printf("no process %s started here (see ps)\n", arg);
	return NULL;
}

/* How a process ended (or that it has not), in a few words. */
static const char *describe(const struct fe_exit_status *e, char *buf, size_t size)
{
	switch (e->reason) {
	case FE_EXIT_RUNNING:
		return "running";
	case FE_EXIT_NORMAL:
		snprintf(buf, size, "exited %lld", (long long)e->code);
		return buf;
	case FE_EXIT_FAULT:
		snprintf(buf, size, "faulted: vector %u at %#llx rip %#llx", e->vector,
		         (unsigned long long)e->address, (unsigned long long)e->rip);
		return buf;
	default:
		return "killed";
	}
}

void cmd_run(int argc, char **argv)
{
	struct fe_spawn_args a = { .path = argv[1], .argv = (const char *const *)&argv[1] };
	struct child *c = free_slot();
	struct fe_handle_info info;
	fe_handle_t p;
	fe_status_t st;

	(void)argc;
	if (!c) {
		printf("run: %d processes are running; wait for or kill one first\n", MAX_CHILDREN);
		return;
	}
	a.handles[FE_START_CONSOLE] = fe_console;
	a.handles[FE_START_INITRD] = fe_start_handle(FE_START_INITRD);
	if ((st = fe_spawn(&a, &p)) != FE_OK) {
		const char *why = fe_spawn_why(argv[1]);
		printf("run: %s: %s%s%s\n", argv[1], why ? why : "", why ? ": " : "", fe_status_name(st));
		return;
	}
	*c = (struct child){ .proc = p, .started = ++runs };
	if (fe_handle_info(p, &info) == FE_OK)
		c->koid = info.koid;
	strlcpy(c->name, argv[1], sizeof(c->name));
	printf("started %s: id %d, koid %llu\n", c->name, (int)(c - children) + 1,
	       (unsigned long long)c->koid);
}

static void show(const char *id, fe_handle_t proc)
{
	struct fe_process_info info;
	char state[64];
	fe_status_t st = fe_process_info(proc, &info);

	if (st != FE_OK) {
		printf("%4s  (no information: %s)\n", id, fe_status_name(st));
		return;
	}
	printf("%4s %6llu  %-12s %-24s %7u %7u  %llu/%llu KiB\n", id, (unsigned long long)info.koid,
	       info.name, describe(&info.exit, state, sizeof(state)), info.threads, info.handles,
	       (unsigned long long)(info.budget_used >> 10),
	       (unsigned long long)(info.budget_limit >> 10));
}

void cmd_ps(int argc, char **argv)
{
	char id[8];

	(void)argc, (void)argv;
	printf("%4s %6s  %-12s %-24s %7s %7s  %s\n", "id", "koid", "name", "state", "threads",
	       "handles", "budget used/limit");
	show("-", fe_self);
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (children[i].proc == FE_HANDLE_INVALID)
			continue;
		snprintf(id, sizeof(id), "%d", i + 1);
		show(id, children[i].proc);
	}
}

void cmd_wait(int argc, char **argv)
{
	struct child *c = find_child(argv[1]);
	struct fe_exit_status e;
	char how[64];
	fe_status_t st;

	(void)argc;
	if (!c)
		return;
	if ((st = fe_process_wait(c->proc, &e, 0)) != FE_OK) {
		printf("wait: %s: %s\n", argv[1], fe_status_name(st));
		return;
	}
	printf("%s (koid %llu): %s\n", c->name, (unsigned long long)c->koid,
	       describe(&e, how, sizeof(how)));
}

void cmd_kill(int argc, char **argv)
{
	struct child *c = find_child(argv[1]);
	fe_status_t st;

	(void)argc;
	if (!c)
		return;
	st = fe_process_kill(c->proc);
	if (st == FE_OK)
		printf("%s (koid %llu): killed\n", c->name, (unsigned long long)c->koid);
	else if (st == FE_ERR_BAD_STATE)
		printf("kill: %s has ended already\n", c->name);
	else
		printf("kill: %s: %s\n", c->name, fe_status_name(st));
}
