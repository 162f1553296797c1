/* SPDX-License-Identifier: MIT */
#include <stdbool.h>

#include "console_ring.h"

#include "lib/fmt.h"

void console_ring_init(struct console_ring *r, char *buf, uint64_t size)
{
	*r = (struct console_ring){ .buf = buf, .size = size };
}

static uint64_t room(const struct console_ring *r)
{
	return r->size - (r->head - r->done);
}

static void append(struct console_ring *r, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		r->buf[(r->head + i) & (r->size - 1)] = s[i];
	r->head += n;
}

bool console_ring_put(struct console_ring *r, const char *s, size_t n)
{
	char marker[48];
	size_t m = 0;

	if (r->dropped_pending)
		m = (size_t)fmt_snprintf(marker, sizeof(marker), "\n[console: %llu bytes dropped]\n",
		                         (unsigned long long)r->dropped_pending);
	if (n + m > room(r)) {
		r->dropped += n;
		r->dropped_pending += n;
		return false;
	}
	append(r, marker, m);
	r->dropped_pending = 0;
	append(r, s, n);
	return true;
}

void console_ring_sent(struct console_ring *r, char c)
{
	if (r->sent < r->taken && r->buf[r->sent & (r->size - 1)] == c)
		r->sent++;
}

void console_ring_confirm(struct console_ring *r)
{
	r->done = r->sent = r->taken;
}

size_t console_ring_take(struct console_ring *r, char *out, size_t max)
{
	size_t n = 0;

	console_ring_confirm(r);
	if (max > CONSOLE_RING_CHUNK)
		max = CONSOLE_RING_CHUNK;
	while (n < max && r->taken < r->head) {
		char c = r->buf[r->taken & (r->size - 1)];
		out[n++] = c;
		r->taken++;
	}
	return n;
}

uint64_t console_ring_unsent(const struct console_ring *r)
{
	return r->head - r->done;
}

void console_ring_drain(struct console_ring *r, void (*sink)(char c, void *ctx), void *ctx)
{
	for (uint64_t i = r->sent; i < r->head; i++)
		sink(r->buf[i & (r->size - 1)], ctx);
	r->done = r->sent = r->taken = r->head;
}
