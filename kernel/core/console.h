/* SPDX-License-Identifier: MIT */
/*
 * The kernel console: the serial port, one writer at a time. Lines from
 * different CPUs never interleave. In a panic the panicking CPU takes the
 * console over (console_panic_takeover), so a CPU that died holding the lock
 * cannot silence the report.
 *
 * A user-space UART driver may take the port over (console_attach, through
 * FE_SYS_CONSOLE_ATTACH): from then on every write, the kernel's log and
 * every process's console output alike, goes whole into a ring
 * (core/console_ring.h) that the driver drains (console_take) and writes
 * out, so kernel lines and user lines still never interleave mid-line. The
 * kernel writes the port itself again only before a driver attaches, after
 * it ends (console_reclaim writes what it left first), at kernel exit, and
 * in a panic: its early-boot and panic path.
 */
#ifndef FERROUS_CORE_CONSOLE_H
#define FERROUS_CORE_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

void console_init(void);
/* Writes a string as is (KTAP output uses this: no log prefix). */
void console_write(const char *s);
/* Exactly n bytes (user output: may hold NULs, which are written too). */
void console_write_n(const char *s, size_t n);
/* printf to the console, as one atomic unit. */
void console_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Writes `prefix` (may be NULL) then the formatted text, as one atomic unit. */
void console_vprintf(const char *prefix, const char *fmt, va_list ap);
/* From now on writes ignore the console lock (and go to the port). */
void console_panic_takeover(void);

/* Output goes to the ring from now on; false if a driver holds it already. */
bool console_attach(void);
/*
 * The port is the kernel's again, after it wrote what the driver left:
 * from the first byte of its last chunk it did not write if it ended (it
 * may have died writing it), after the chunk if it let go itself
 * (confirmed).
 */
void console_reclaim(bool confirmed);
/* The driver's next chunk (console_ring_take); 0 if none or not attached. */
size_t console_take(char *out, size_t max);
/* The driver wrote c to the console's transmit register (console_ring_sent). */
void console_note_sent(char c);
/* True once after output entered the ring (for the driver's wake-up). */
bool console_take_news(void);

struct console_stats {
	uint64_t dropped;   /* bytes refused: the ring was full */
	uint64_t reclaimed; /* bytes a driver left that the kernel wrote itself */
	uint64_t unsent;    /* bytes in the ring not yet confirmed */
	bool attached;
};
struct console_stats console_get_stats(void);

#endif /* FERROUS_CORE_CONSOLE_H */
