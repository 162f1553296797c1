/* SPDX-License-Identifier: MIT */
/*
 * The kernel console: the serial port, one writer at a time. Lines from
 * different CPUs never interleave. In a panic the panicking CPU takes the
 * console over (console_panic_takeover), so a CPU that died holding the lock
 * cannot silence the report.
 */
#ifndef FERROUS_CORE_CONSOLE_H
#define FERROUS_CORE_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

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
/* From now on writes ignore the console lock. */
void console_panic_takeover(void);

#endif /* FERROUS_CORE_CONSOLE_H */
