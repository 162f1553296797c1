/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the host unit tests (cmocka, run under ASan + UBSan):
 * little-endian stores for building synthetic inputs, an exact-size heap
 * copy so ASan sees a read one byte past the input, and a status assertion
 * that prints names instead of numbers.
 */
#ifndef FERROUS_TESTS_HOST_TEST_H
#define FERROUS_TESTS_HOST_TEST_H

/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <ferrous/errors.h>

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* A heap copy of exactly `size` bytes (at least one byte is allocated); free() it. */
static inline uint8_t *exact_copy(const void *buf, size_t size)
{
	uint8_t *p = malloc(size == 0 ? 1 : size);

	assert_non_null(p);
	if (size != 0)
		memcpy(p, buf, size);
	return p;
}

/*
 * Fails the test with both status names when `got` is not `want`. The
 * message is a "# " line on stdout, so TAP output stays well-formed.
 */
#define assert_status(got, want)                                                        \
	do {                                                                            \
		fe_status_t got_ = (got), want_ = (want);                               \
		if (got_ != want_) {                                                    \
			print_message("# %s: got %s, want %s\n", #got,                  \
			              fe_status_name(got_), fe_status_name(want_));     \
			fail();                                                         \
		}                                                                       \
	} while (0)

#endif /* FERROUS_TESTS_HOST_TEST_H */
