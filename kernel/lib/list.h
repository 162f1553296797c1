/* SPDX-License-Identifier: MIT */
/*
 * Intrusive doubly linked lists: a struct embeds a `struct list_link` per
 * list it can be on, and a list is a `struct list_head`. Push and remove are
 * O(1); a link knows whether it is on a list. No locking: the owner's lock
 * (in the kernel, the big lock) guards a list and every link on it.
 */
#ifndef FERROUS_LIB_LIST_H
#define FERROUS_LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct list_link {
	struct list_link *next, *prev;
	bool linked;
};

struct list_head {
	struct list_link *first; /* NULL: empty */
};

#define list_entry(link, type, member) container_of(link, type, member)

static inline bool list_empty(const struct list_head *h)
{
	return h->first == NULL;
}

/* Puts l, which must not be on a list, first on h. */
static inline void list_push(struct list_head *h, struct list_link *l)
{
	l->prev = NULL;
	l->next = h->first;
	if (h->first)
		h->first->prev = l;
	h->first = l;
	l->linked = true;
}

/* Puts l, which must not be on a list, on h right after pos (a link on h),
 * or first when pos is NULL: how a list is kept in order. */
static inline void list_insert_after(struct list_head *h, struct list_link *pos,
                                     struct list_link *l)
{
	if (pos == NULL) {
		list_push(h, l);
		return;
	}
	l->prev = pos;
	l->next = pos->next;
	if (pos->next)
		pos->next->prev = l;
	pos->next = l;
	l->linked = true;
}

/* Takes l off h, the list it is on; nothing if it is on none. */
static inline void list_remove(struct list_head *h, struct list_link *l)
{
	if (!l->linked)
		return;
	if (l->prev)
		l->prev->next = l->next;
	else
		h->first = l->next;
	if (l->next)
		l->next->prev = l->prev;
	l->next = l->prev = NULL;
	l->linked = false;
}

#endif /* FERROUS_LIB_LIST_H */
