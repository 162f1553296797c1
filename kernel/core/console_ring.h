/* SPDX-License-Identifier: MIT */
/*
 * The console's byte ring: what was written to the console while a
 * user-space driver holds it (core/console.h), until the driver has written
 * it out. Three cursors that only grow (a byte's index is its cursor modulo
 * the size):
 *
 *   done <= sent <= taken <= head,  head - done <= size
 *
 * [done, taken) was handed to the driver and not yet confirmed, [taken, head)
 * waits. A driver confirms a chunk by taking the next one. The kernel sees
 * the driver's writes to the port (console_ring_sent, from the I/O-port
 * call), so [done, sent) of a chunk is known to be out: a driver that dies
 * mid-chunk leaves [sent, head) for the kernel to write itself, and every
 * byte reaches the port once.
 *
 * Pure: no locks, no I/O (the caller serialises; host-tested).
 */
#ifndef FERROUS_CORE_CONSOLE_RING_H
#define FERROUS_CORE_CONSOLE_RING_H

#include <stddef.h>
#include <stdint.h>

struct console_ring {
	char *buf;
	uint64_t size; /* a power of two */
	uint64_t head, taken, sent, done;
	uint64_t dropped;         /* bytes refused since boot: the ring was full */
	uint64_t dropped_pending; /* of those, not yet reported by a marker line */
};

/* The longest chunk one take hands out. */
#define CONSOLE_RING_CHUNK 256u

void console_ring_init(struct console_ring *r, char *buf, uint64_t size);
/*
 * Appends s[0..n) if it fits whole, else nothing (counted in dropped: a
 * write is never cut mid-way). Before the first write that fits after a
 * drop, a line "[console: N bytes dropped]" goes in. Returns true if stored.
 */
bool console_ring_put(struct console_ring *r, const char *s, size_t n);
/*
 * Confirms the chunk handed out last (done = taken), then copies up to max
 * (at most CONSOLE_RING_CHUNK) waiting bytes into out and returns their
 * number (0: nothing waits).
 */
size_t console_ring_take(struct console_ring *r, char *out, size_t max);
/* The driver wrote byte c to the port: if it is the next of its chunk, sent moves past it. */
void console_ring_sent(struct console_ring *r, char c);
/* The driver wrote the chunk it took last (done = sent = taken). */
void console_ring_confirm(struct console_ring *r);
/* Bytes not yet confirmed: [done, head). */
uint64_t console_ring_unsent(const struct console_ring *r);
/*
 * Hands [sent, head) to sink, byte by byte, and empties the ring (all
 * cursors at head): the kernel writing what a driver left.
 */
void console_ring_drain(struct console_ring *r, void (*sink)(char c, void *ctx), void *ctx);

#endif /* FERROUS_CORE_CONSOLE_RING_H */
