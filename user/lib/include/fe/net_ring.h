/* SPDX-License-Identifier: MIT */
/*
 * The rings of the network protocol (ferrous/net.h), for either side.
 *
 * Each ring has one writer. The writer keeps its own copy of the index it
 * publishes (the shared one is only ever written from that copy, never read
 * back), and the reader keeps its own count of what it has taken: the other
 * side can scribble over the shared memory, but it cannot make either side
 * read outside its ring or lose track of its own position. An entry is read
 * once, into a local copy, before anything looks at it.
 */
#ifndef FE_NET_RING_H
#define FE_NET_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/net.h>

/* Appends e to `ring` and publishes the index: the entry is visible before the index. */
static inline void fe_net_ring_put(volatile struct fe_net_entry *ring, volatile uint32_t *idx,
                                   uint32_t *next, struct fe_net_entry e)
{
	ring[*next % FE_NET_SLOTS] = e;
	*next += 1;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*idx = *next;
}

/* Takes the next entry the writer published after *seen: false if there is none. */
static inline bool fe_net_ring_get(const volatile struct fe_net_entry *ring,
                                   const volatile uint32_t *idx, uint32_t *seen,
                                   struct fe_net_entry *e)
{
	if (*idx == *seen)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the index before the entry */
	*e = ring[*seen % FE_NET_SLOTS];
	*seen += 1;
	return true;
}

/* Whether the writer has published an entry after *seen. */
static inline bool fe_net_ring_pending(const volatile uint32_t *idx, uint32_t seen)
{
	return *idx != seen;
}

#endif /* FE_NET_RING_H */
