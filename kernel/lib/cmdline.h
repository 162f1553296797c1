/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line: `key=value` words and bare `key` flags, as Linux
 * uses, separated by any run of spaces, tabs and line ends (so a cmdline.txt
 * may hold one option per line). Every reader of the command line splits it
 * with cmdline_next_word. Pure functions over the string (host-tested).
 */
#ifndef FERROUS_LIB_CMDLINE_H
#define FERROUS_LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

/*
 * The next word at or after *p: its start, with its length in *len, and *p
 * moved past it; NULL (and *p at the end) when only separators are left.
 */
const char *cmdline_next_word(const char **p, size_t *len);

/*
 * Copies the value of the last `key=value` word into val (NUL-terminated).
 * A bare `key` gives "". FE_ERR_NOT_FOUND if key is absent;
 * FE_ERR_OUT_OF_RANGE if the value does not fit (val then holds a prefix).
 */
fe_status_t cmdline_get(const char *cmdline, const char *key, char *val, size_t size);

/* True if key appears bare or with a value other than 0/off/no/false. */
bool cmdline_flag(const char *cmdline, const char *key);

/*
 * Parses a size: decimal or 0x-hex, optional K, M or G suffix (powers of
 * 1024). FE_ERR_BAD_FORMAT for anything else or on overflow.
 */
fe_status_t cmdline_parse_size(const char *s, uint64_t *out);

#endif /* FERROUS_LIB_CMDLINE_H */
