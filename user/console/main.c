/* SPDX-License-Identifier: MIT */
/*
 * The console: an interactive shell over the serial port. Input arrives as
 * IRQ 4 delivered to a notification; the shell reads the UART through its
 * I/O-port capability. `script=cmd;cmd,arg;...` runs commands without input
 * (',' stands for a space), for tests.
 */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#include "console.h"

#define COM1 0x3f8

static fe_handle_t slot(unsigned i)
{
	return fe_start_info->handles[i];
}

static void prompt(void)
{
	printf("ferrous> ");
	fe_flush();
}

static void uart_enable_rx(void)
{
	fe_handle_t io = slot(FE_START_IOPORT_COM1);

	fe_ioport_out(io, COM1 + 1, 1, 0x01); /* IER: data available */
	fe_ioport_out(io, COM1 + 4, 1, 0x0b); /* MCR: DTR, RTS, OUT2 (IRQ to the APIC) */
}

/* Reads one line with echo and backspace; 0 at end of input. */
static int read_line(fe_handle_t n, char *line, size_t max)
{
	fe_handle_t io = slot(FE_START_IOPORT_COM1);
	size_t len = 0;

	for (;;) {
		uint32_t lsr = 0, c = 0;
		uint64_t bits;
		if (fe_ioport_in(io, COM1 + 5, 1, &lsr) != FE_OK)
			return 0;
		if (!(lsr & 1)) {
			if (fe_notif_wait(n, 0, &bits) != FE_OK)
				return 0;
			fe_irq_ack(slot(FE_START_IRQ_COM1));
			continue;
		}
		fe_ioport_in(io, COM1, 1, &c);
		if (c == '\r' || c == '\n') {
			printf("\n");
			line[len] = '\0';
			return 1;
		}
		if ((c == 0x7f || c == 8) && len > 0) {
			len--;
			printf("\b \b");
		} else if (c >= 0x20 && c < 0x7f && len + 1 < max) {
			line[len++] = (char)c;
			printf("%c", (char)c);
		}
		fe_flush();
	}
}

static void interactive(void)
{
	char line[128];
	fe_handle_t n;

	if (fe_notif_create(&n) != FE_OK || fe_irq_bind(slot(FE_START_IRQ_COM1), n, 0) != FE_OK) {
		printf("console: no serial input (missing io-port or irq capability)\n");
		return;
	}
	uart_enable_rx();
	printf("Ferrous console: type 'help'\n");
	for (;;) {
		prompt();
		if (!read_line(n, line, sizeof(line)))
			return;
		if (console_command(line) == CONSOLE_EXIT)
			return;
	}
}

static void run_script(char *script)
{
	for (char *cmd = script; cmd && *cmd;) {
		char *end = strchr(cmd, ';');
		if (end)
			*end = '\0';
		for (char *p = cmd; *p; p++)
			if (*p == ',')
				*p = ' ';
		prompt();
		printf("%s\n", cmd);
		if (console_command(cmd) == CONSOLE_EXIT)
			return;
		cmd = end ? end + 1 : NULL;
	}
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "script=", 7) == 0) {
			run_script(argv[i] + 7);
			return console_exit_code();
		}
	interactive();
	return console_exit_code();
}
