/* SPDX-License-Identifier: MIT */
/* The console's parts: line input (input.c), commands (commands.c,
 * procs.c, trace.c, pci.c, services.c). */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#include <fe/runtime.h>

#define CONSOLE_PROMPT "ferrous> "
#define CONSOLE_LINE_MAX 160

/* ---- commands.c ---- */

enum console_next {
	CONSOLE_CONTINUE = 0,
	CONSOLE_EXIT = 1, /* `exit`: leave with console_exit_code() */
};

/* Runs one command line (split in place into words). */
enum console_next console_command(char *line);
int64_t console_exit_code(void);

/* ---- procs.c: processes started from this console ---- */
void cmd_run(int argc, char **argv);
void cmd_ps(int argc, char **argv);
void cmd_wait(int argc, char **argv);
void cmd_kill(int argc, char **argv);

/* ---- trace.c: the kernel's trace rings and counters ---- */
void cmd_trace(int argc, char **argv);
void cmd_stats(int argc, char **argv);

/* ---- pci.c: PCI functions, from the bus service (user/pcibus) ---- */
void cmd_pci(int argc, char **argv);

/* ---- services.c: the supervisor's control endpoint ---- */
void cmd_services(int argc, char **argv);
void cmd_restart(int argc, char **argv);
void cmd_crash(int argc, char **argv);
void cmd_shutdown(int argc, char **argv);
void cmd_traced(int argc, char **argv);

/* ---- input.c: the serial line, through the UART driver or COM1 itself ---- */
struct serial {
	fe_handle_t uart;  /* the UART driver's endpoint (FE_HANDLE_INVALID: COM1 itself) */
	uint8_t got[24];   /* bytes the driver answered, not yet used */
	size_t got_len, got_next;
	fe_handle_t io;    /* COM1's ports */
	fe_handle_t irq;   /* IRQ 4 */
	fe_handle_t notif; /* IRQ 4 arrives here, bit 0 */
	bool after_cr;     /* swallow the LF of a CR LF pair */
	unsigned escape;   /* inside an escape sequence: bytes seen */
};

/*
 * Takes over serial input: from the supervised UART driver (`connect uart`
 * through the supervisor) if there is one; else from COM1 itself: binds
 * IRQ 4 to a new notification and enables the UART's receive interrupt.
 * FE_ERR_NOT_FOUND if neither is possible (no driver, and no io-port or IRQ
 * capability), else the failing call's status.
 */
fe_status_t serial_start(struct serial *s);

/*
 * Reads one line (at most max - 1 characters, NUL-terminated) with echo and
 * editing: backspace/DEL erase, Ctrl-C discards the line, Ctrl-U clears it,
 * escape sequences (arrow keys) are ignored. Returns FE_OK at Enter, or the
 * status of a failed system call.
 */
fe_status_t serial_read_line(struct serial *s, char *line, size_t max);

#endif /* CONSOLE_CONSOLE_H */
