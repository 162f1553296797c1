/* SPDX-License-Identifier: MIT */
/*
 * A hand-off between two threads of one process, as a driver's control
 * thread gives its data thread a new client: the payload is the caller's
 * own; a flag says it is posted. The poster fills the payload, posts
 * (waking the taker through the taker's notification) and waits on `ack`
 * until the taker has swapped the payload and said so. One poster at a time.
 */
#ifndef FE_HANDOFF_H
#define FE_HANDOFF_H

#include <stdbool.h>

#include <fe/sys.h>

/* Poster: the payload is ready; returns once the taker is done with it. */
static inline void fe_handoff_post(bool *pending, fe_handle_t wake, uint64_t bits, fe_handle_t ack)
{
	uint64_t got;

	__atomic_store_n(pending, true, __ATOMIC_RELEASE);
	(void)fe_notif_signal(wake, bits);
	while (__atomic_load_n(pending, __ATOMIC_ACQUIRE))
		if (fe_notif_wait(ack, 0, &got) != FE_OK)
			(void)fe_thread_yield();
}

/* Taker: whether a payload waits (then read it, and answer in it). */
static inline bool fe_handoff_posted(const bool *pending)
{
	return __atomic_load_n(pending, __ATOMIC_ACQUIRE);
}

/* Taker: done with the payload; the poster goes on. */
static inline void fe_handoff_done(bool *pending, fe_handle_t ack)
{
	__atomic_store_n(pending, false, __ATOMIC_RELEASE);
	(void)fe_notif_signal(ack, 1);
}

#endif /* FE_HANDOFF_H */
