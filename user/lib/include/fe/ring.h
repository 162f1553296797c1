/* SPDX-License-Identifier: MIT */
/*
 * Single-writer rings in memory shared with another process, as the
 * network (ferrous/net.h) and block (ferrous/block.h) protocols use them:
 * an array of entries and a free-running index per direction (entry i is
 * at ring[i % slots]; slots is a power of two).
 *
 * The writer keeps its own copy of the index it publishes (the shared one
 * is only ever written from that copy, never read back), and the reader
 * keeps its own count of what it has taken: the other side can scribble
 * over the shared memory, but it cannot make either side read outside its
 * ring or lose track of its own position. An entry is read once, into a
 * local copy, before anything looks at it.
 *
 * FE_RING_DEFINE(prefix, type, slots) makes, for entries of `type`:
 *   prefix_write(ring, next, e)    stores e at *next and advances *next (not yet visible);
 *   prefix_publish(idx, next)      makes every entry written before `next` visible;
 *   prefix_put(ring, idx, next, e) both;
 *   prefix_get(ring, idx, seen, e) takes the next published entry after *seen (false: none).
 */
#ifndef FE_RING_H
#define FE_RING_H

#include <stdbool.h>
#include <stdint.h>

/* The entries before the index, on both sides. */
static inline void fe_ring_publish(volatile uint32_t *idx, uint32_t next)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*idx = next;
}

/* Whether the writer has published an entry after `seen`. */
static inline bool fe_ring_pending(const volatile uint32_t *idx, uint32_t seen)
{
	return *idx != seen;
}

#define FE_RING_DEFINE(prefix, type, slots)                                                          \
	_Static_assert(((slots) & ((slots) - 1)) == 0, "free-running indices wrap cleanly");       \
	static inline void prefix##_write(volatile type *ring, uint32_t *next, type e)             \
	{                                                                                          \
		ring[*next % (slots)] = e;                                                         \
		*next += 1;                                                                        \
	}                                                                                          \
	static inline void prefix##_put(volatile type *ring, volatile uint32_t *idx, uint32_t *next, \
	                                type e)                                                    \
	{                                                                                          \
		prefix##_write(ring, next, e);                                                     \
		fe_ring_publish(idx, *next);                                                       \
	}                                                                                          \
	static inline bool prefix##_get(const volatile type *ring, const volatile uint32_t *idx,   \
	                                uint32_t *seen, type *e)                                   \
	{                                                                                          \
		if (*idx == *seen)                                                                 \
			return false;                                                              \
		__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the index before the entry */          \
		*e = ring[*seen % (slots)];                                                        \
		*seen += 1;                                                                        \
		return true;                                                                       \
	}

#endif /* FE_RING_H */
