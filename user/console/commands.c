/* SPDX-License-Identifier: MIT */
/* The command table, word splitting and the small commands. */
#include <fe/spawn.h>
#include <fe/sys.h>

#include "console.h"

#define MAX_WORDS 16

struct command {
	const char *name;
	const char *usage; /* the arguments, for help */
	const char *help;
	int min_args, max_args; /* words after the name */
	void (*fn)(int argc, char **argv);
};

static bool exit_requested;
static int64_t exit_code;

static void cmd_help(int argc, char **argv);

int64_t console_exit_code(void)
{
	return exit_code;
}

static void print_file(const char *name, size_t size, void *ctx)
{
	(void)ctx;
	if (name[0] == '.' && name[1] == '/')
		name += 2;
	printf("%10zu  %s\n", size, name);
}

static void cmd_ls(int argc, char **argv)
{
	(void)argc, (void)argv;
	fe_status_t st = fe_initrd_list(print_file, NULL);

	if (st != FE_OK)
		printf("ls: cannot read the ramdisk: %s\n", fe_status_name(st));
}

static void cmd_exit(int argc, char **argv)
{
	int64_t code = 0;
	fe_status_t st;

	if (argc > 1 && (st = fe_parse_i64(argv[1], &code)) != FE_OK) {
		printf("exit: %s: not a number (%s)\n", argv[1], fe_status_name(st));
		return;
	}
	exit_code = code;
	exit_requested = true;
}

static const struct command commands[] = {
	{ "help", "", "this list", 0, 0, cmd_help },
	{ "ls", "", "files in the ramdisk, with their sizes", 0, 0, cmd_ls },
	{ "run", "NAME [ARGS...]", "start a program from the ramdisk in the background", 1,
	  MAX_WORDS - 1, cmd_run },
	{ "ps", "", "this console and the processes it started", 0, 0, cmd_ps },
	{ "wait", "ID", "wait until a process ends (ID: the id ps shows, or a koid)", 1, 1, cmd_wait },
	{ "kill", "ID", "end a process this console started", 1, 1, cmd_kill },
	{ "trace", "[N]", "the last N kernel trace events (default 20)", 0, 1, cmd_trace },
	{ "stats", "", "kernel counters", 0, 0, cmd_stats },
	{ "pci", "", "PCI functions and their BARs", 0, 0, cmd_pci },
	{ "services", "", "the supervisor's services: state, restarts, last end", 0, 0,
	  cmd_services },
	{ "restart", "NAME", "restart a supervised service", 1, 1, cmd_restart },
	{ "crash", "NAME HOW", "make a service fault (null wild stack hang illegal budget dma)", 2, 2,
	  cmd_crash },
	{ "shutdown", "[CODE]", "stop every service and the supervisor", 0, 1, cmd_shutdown },
	{ "traced", "", "the trace exporter's counters, once all traced so far is out", 0, 0, cmd_traced },
	{ "exit", "[CODE]", "leave the console with CODE (default 0)", 0, 1, cmd_exit },
};

static void cmd_help(int argc, char **argv)
{
	char left[32];

	(void)argc, (void)argv;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].usage);
		printf("  %-20s %s\n", left, commands[i].help);
	}
}

/* Splits at spaces and tabs, in place; at most MAX_WORDS words. */
static int split(char *line, char **words)
{
	int n = 0;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == MAX_WORDS)
			return -1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	words[n] = NULL;
	return n;
}

enum console_next console_command(char *line)
{
	char *w[MAX_WORDS + 1];
	int n = split(line, w);

	if (n < 0) {
		printf("too many words (at most %d)\n", MAX_WORDS);
		return CONSOLE_CONTINUE;
	}
	if (n == 0)
		return CONSOLE_CONTINUE;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];
		if (strcmp(w[0], c->name) != 0)
			continue;
		if (n - 1 < c->min_args || n - 1 > c->max_args)
			printf("usage: %s %s\n", c->name, c->usage);
		else
			c->fn(n, w);
		return exit_requested ? CONSOLE_EXIT : CONSOLE_CONTINUE;
	}
	printf("%s: unknown command (try help)\n", w[0]);
	return CONSOLE_CONTINUE;
}
