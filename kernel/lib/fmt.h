/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting, freestanding. Supports %c %s %d %i %u %x %X %p %%
 * with flags '-', '0' and '#' (0x before hex), a width (number or *), a precision for %s (.N or .*)
 * and the length modifiers hh h l ll z. %p prints 0x and 16 hex digits.
 * Anything else is printed literally, so a bad format can never read past
 * the arguments it does not name.
 */
#ifndef FERROUS_LIB_FMT_H
#define FERROUS_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

/* Receives formatted output one character at a time. */
typedef void (*fmt_sink_fn)(char c, void *ctx);

/* Formats into `sink`; returns the number of characters produced. */
size_t fmt_format(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap);

/*
 * Formats into buf (size > 0), always NUL-terminated, truncating if needed.
 * Returns the length the full output would have had (as C's snprintf).
 */
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif /* FERROUS_LIB_FMT_H */
