/* SPDX-License-Identifier: MIT */
/*
 * The console: a shell over the serial port (commands in commands.c).
 *
 * Interactive: input comes from COM1 through the io-port and IRQ
 * capabilities init passes on (input.c); output goes through the console
 * capability. For tests, `script=CMD;CMD;...` runs the commands in order
 * instead, each echoed after the prompt, and never touches serial input.
 * The kernel command line splits words at spaces, so in a script a ','
 * stands for a space: console.script=help;run,hello;wait,1
 */
#include <fe/service.h>
#include <fe/sys.h>

#include "console.h"

#define EXIT_NO_INPUT 1

static void prompt(void)
{
	fe_write(CONSOLE_PROMPT, strlen(CONSOLE_PROMPT));
	fe_flush();
}

/* Runs the ';'-separated commands of one script= argument (modified in
 * place); false once a command asked to exit. */
static bool run_script(char *script)
{
	char *cmd = script;

	while (cmd) {
		char *end = strchr(cmd, ';');
		if (end)
			*end = '\0';
		for (char *p = cmd; *p; p++)
			if (*p == ',')
				*p = ' ';
		prompt();
		printf("%s\n", cmd);
		if (console_command(cmd) == CONSOLE_EXIT)
			return false;
		cmd = end ? end + 1 : NULL;
	}
	return true;
}

static int64_t interactive(void)
{
	char line[CONSOLE_LINE_MAX];
	struct serial s;
	fe_status_t st = serial_start(&s);

	if (st != FE_OK) {
		printf("console: no serial input: %s\n",
		       st == FE_ERR_NOT_FOUND ? "missing io-port or irq capability" : fe_status_name(st));
		return EXIT_NO_INPUT;
	}
	printf("Ferrous console: type 'help' for the commands\n");
	for (;;) {
		prompt();
		if ((st = serial_read_line(&s, line, sizeof(line))) != FE_OK) {
			printf("console: reading serial input failed: %s\n", fe_status_name(st));
			return EXIT_NO_INPUT;
		}
		if (console_command(line) == CONSOLE_EXIT)
			return console_exit_code();
	}
}

/* Supervised, the console answers the control protocol on its endpoint from
 * a thread of its own, while this one reads the serial line. */
static void serve_control(void)
{
	bool started;
	fe_status_t st = fe_service_start_control_thread(&started);

	if (st != FE_OK)
		printf("console: cannot answer the supervisor: %s\n", fe_status_name(st));
}

int main(int argc, char **argv)
{
	bool scripted = false;

	serve_control();
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "script=", 7) != 0)
			continue;
		scripted = true;
		if (!run_script(argv[i] + 7))
			fe_exit(console_exit_code());
	}
	if (scripted)
		return 0;
	fe_exit(interactive());
}
