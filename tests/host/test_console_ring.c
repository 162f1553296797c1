/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/core/console_ring.c, the ring between console
 * writers and a user-space UART driver: chunks of what waits, a take
 * confirms the chunk before it, writes are stored whole or dropped whole
 * with a marker line, and what a driver leaves is drained exactly once:
 * [sent, head), from the first byte of its chunk it was not seen writing.
 */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/console_ring.h"

#define SIZE 64u

struct fixture {
	struct console_ring r;
	char mem[SIZE];
	char drained[4 * SIZE];
	size_t ndrained;
};

static struct fixture *make(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	console_ring_init(&f->r, f->mem, SIZE);
	return f;
}

static void sink(char c, void *ctx)
{
	struct fixture *f = ctx;
	assert_true(f->ndrained < sizeof(f->drained));
	f->drained[f->ndrained++] = c;
}

static bool put(struct fixture *f, const char *s)
{
	return console_ring_put(&f->r, s, strlen(s));
}

/* The next chunk as a string (a test's chunks never hold NULs). */
static const char *take(struct fixture *f, size_t max)
{
	static char out[CONSOLE_RING_CHUNK + 1];
	size_t n = console_ring_take(&f->r, out, max);
	out[n] = '\0';
	return out;
}

static void chunks_are_what_waits_up_to_max(void **state)
{
	(void)state;
	struct fixture *f = make();
	assert_true(put(f, "one\ntwo\nthr"));
	assert_string_equal(take(f, 5), "one\nt");
	assert_string_equal(take(f, 100), "wo\nthr");
	assert_string_equal(take(f, 100), "");
	assert_true(put(f, "ee\n"));
	assert_string_equal(take(f, 2), "ee");
	assert_string_equal(take(f, 100), "\n");
	assert_int_equal(console_ring_unsent(&f->r), 1); /* the last chunk, unconfirmed */
	assert_string_equal(take(f, 100), "");
	assert_int_equal(console_ring_unsent(&f->r), 0);
	free(f);
}

static void a_take_confirms_the_chunk_before_it(void **state)
{
	(void)state;
	struct fixture *f = make();
	assert_true(put(f, "a\nb\n"));
	assert_int_equal(console_ring_unsent(&f->r), 4);
	take(f, 2);
	assert_int_equal(console_ring_unsent(&f->r), 4); /* "a\n" handed out, not confirmed */
	take(f, 2);
	assert_int_equal(console_ring_unsent(&f->r), 2); /* "a\n" confirmed by the second take */
	free(f);
}

static void drain_writes_what_was_not_confirmed_once(void **state)
{
	(void)state;
	struct fixture *f = make();
	assert_true(put(f, "first\nsecond\nthird\n"));
	take(f, 6);                /* "first\n" */
	take(f, 7);                /* confirms it; "second\n" in the driver's hands */
	console_ring_drain(&f->r, sink, f);
	f->drained[f->ndrained] = '\0';
	assert_string_equal(f->drained, "second\nthird\n"); /* the driver may have died mid-chunk */
	assert_int_equal(console_ring_unsent(&f->r), 0);
	assert_string_equal(take(f, 100), "");
	f->ndrained = 0;
	console_ring_drain(&f->r, sink, f);
	assert_int_equal(f->ndrained, 0); /* nothing twice */
	free(f);
}

static void bytes_seen_on_the_port_are_not_written_again(void **state)
{
	(void)state;
	struct fixture *f = make();
	assert_true(put(f, "abc\ndef\n"));
	take(f, 4);                     /* "abc\n" */
	console_ring_sent(&f->r, 'a');
	console_ring_sent(&f->r, 'b');
	console_ring_sent(&f->r, 'x');  /* not the next byte: ignored */
	console_ring_sent(&f->r, '\r'); /* nor the CR a driver adds */
	console_ring_drain(&f->r, sink, f); /* the driver died after "ab" */
	f->drained[f->ndrained] = '\0';
	assert_string_equal(f->drained, "c\ndef\n");
	free(f);
}

static void sent_stops_at_the_chunk(void **state)
{
	(void)state;
	struct fixture *f = make();
	assert_true(put(f, "ab\ncd\n"));
	take(f, 3);                     /* "ab\n" */
	for (const char *c = "ab\ncd\n"; *c; c++)
		console_ring_sent(&f->r, *c); /* "cd\n" was never handed out */
	console_ring_drain(&f->r, sink, f);
	f->drained[f->ndrained] = '\0';
	assert_string_equal(f->drained, "cd\n");
	free(f);
}

static void confirm_ends_the_last_chunk(void **state)
{
	(void)state;
	struct fixture *f = make();
	assert_true(put(f, "mine\nrest\n"));
	take(f, 5);                   /* "mine\n" written by a driver that lets go */
	console_ring_confirm(&f->r);
	console_ring_drain(&f->r, sink, f);
	f->drained[f->ndrained] = '\0';
	assert_string_equal(f->drained, "rest\n");
	free(f);
}

static void full_ring_drops_whole_writes_and_says_so(void **state)
{
	(void)state;
	struct fixture *f = make();
	char big[SIZE + 2];

	memset(big, 'x', SIZE + 1);
	big[SIZE + 1] = '\0';
	assert_false(put(f, big)); /* never cut mid-way */
	assert_int_equal(f->r.dropped, SIZE + 1);
	assert_int_equal(console_ring_unsent(&f->r), 0);
	assert_true(put(f, "ok\n"));
	assert_string_equal(take(f, 100), "\n[console: 65 bytes dropped]\nok\n");
	assert_int_equal(f->r.dropped, SIZE + 1); /* the marker is not a drop */
	free(f);
}

static void unconfirmed_bytes_hold_their_room(void **state)
{
	(void)state;
	struct fixture *f = make();
	char line[SIZE / 2 + 1];

	memset(line, 'y', SIZE / 2);
	line[SIZE / 2] = '\0';
	assert_true(put(f, line));
	assert_true(put(f, line)); /* exactly full */
	assert_false(put(f, "z"));
	take(f, CONSOLE_RING_CHUNK); /* all 64 handed out, none confirmed: still no room */
	assert_false(put(f, "z"));
	take(f, CONSOLE_RING_CHUNK); /* confirmed: room again, after the marker */
	assert_true(put(f, "z"));
	assert_int_equal(f->r.dropped, 2);
	free(f);
}

static void wraps_around_many_times(void **state)
{
	(void)state;
	struct fixture *f = make();
	char want[32], got[CONSOLE_RING_CHUNK];

	for (unsigned i = 0; i < 1000; i++) {
		int len = snprintf(want, sizeof(want), "line %u\n", i);
		assert_true(console_ring_put(&f->r, want, (size_t)len));
		size_t n = console_ring_take(&f->r, got, sizeof(got));
		assert_int_equal(n, (size_t)len);
		assert_memory_equal(got, want, n);
	}
	assert_int_equal(f->r.dropped, 0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chunks_are_what_waits_up_to_max),
		cmocka_unit_test(a_take_confirms_the_chunk_before_it),
		cmocka_unit_test(drain_writes_what_was_not_confirmed_once),
		cmocka_unit_test(bytes_seen_on_the_port_are_not_written_again),
		cmocka_unit_test(sent_stops_at_the_chunk),
		cmocka_unit_test(confirm_ends_the_last_chunk),
		cmocka_unit_test(full_ring_drops_whole_writes_and_says_so),
		cmocka_unit_test(unconfirmed_bytes_hold_their_room),
		cmocka_unit_test(wraps_around_many_times),
	};
	return cmocka_run_group_tests_name("console_ring", tests, NULL, NULL);
}
