/* SPDX-License-Identifier: MIT */
/*
 * Resource groups (ADR 0012): the kernel's container primitive.
 *
 * Groups form a tree under the root group the kernel makes at boot (init's
 * FE_START_GROUP). Every process belongs to exactly one, for life. A group
 * limits, for itself and everything below it together:
 *   - memory: the group owns a budget (object/budget.h) whose parent is its
 *     parent group's; a process made in a group other than its creator's
 *     gets its budget under the group's, one made in its creator's group
 *     under the creator's (as before groups), so every charge of a process
 *     counts toward its group and each ancestor, and the limits nest;
 *   - live processes and live threads: counted up the tree at creation,
 *     checked against every ancestor's limit (FE_ERR_NO_RESOURCES).
 * Killing a group ends every process in its subtree and refuses new ones;
 * the group's notification (if given) is signalled each time its subtree's
 * last live process has finished, so the creator learns it is empty.
 *
 * All under the big lock.
 */
#ifndef FERROUS_OBJECT_GROUP_H
#define FERROUS_OBJECT_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/group.h>

#include "lib/list.h"
#include "object/kobj.h"
#include "sched/waitq.h"

struct budget;
struct notification;
struct process;

struct group {
	struct kobj obj;              /* charged to its creator's budget */
	struct group *parent;         /* holds a reference; NULL for the root */
	struct budget *budget;        /* memory of its subtree; limit = limits.memory */
	struct fe_group_limits limits;
	uint32_t depth;
	bool killed;
	bool freeze_self;             /* frozen by a call on it (not only an ancestor's) */
	uint32_t caps;                /* capabilities naming it */
	struct process *freezer;      /* the process whose call froze it (freeze_self) */
	struct list_link freezer_link; /* on freezer->frozen_groups */
	uint32_t frozen;              /* frozen groups among it and its ancestors */
	struct waitq thaw;            /* its own processes' threads held by a freeze */
	/* Its subtree's live processes and threads (itself included). */
	uint32_t processes, threads;
	uint64_t started, refused;
	uint64_t ended_syscalls;      /* of its subtree's processes that have finished */
	struct notification *empty;   /* signalled when the subtree empties; may be NULL */
	uint64_t empty_bit;
	struct list_head members;     /* its own live processes (process.group_link) */
	struct list_head children;    /* groups made under it (group.sibling) */
	struct list_link sibling;
};

void group_init(void);
/* The root group (its memory: the root budget); a reference for the caller. */
struct group *group_root(void);

/* A child of parent with `lim` (memory <= the parent's; counts any), its
 * object charged to `charge`. empty: NULL or a notification to signal with
 * `bit` (< 64) each time the subtree empties. FE_ERR_INVALID_ARG,
 * FE_ERR_BAD_STATE (parent killed), FE_ERR_NO_MEMORY. */
fe_status_t group_create(struct group *parent, const struct fe_group_limits *lim,
                         struct budget *charge, struct notification *empty, unsigned bit,
                         struct group **out);

/* Joins p (new, no thread yet) to g, counting it up the tree; refused with
 * FE_ERR_BAD_STATE if g or an ancestor was killed, FE_ERR_NO_RESOURCES past
 * a process limit. On FE_OK p holds a reference to g. */
fe_status_t group_join(struct group *g, struct process *p);
/* Undoes group_join for a process whose creation failed after it. */
void group_unjoin(struct process *p);
/* p has finished (its memory freed): it leaves the counts; the empty
 * notification fires if its subtree has no live process left. Keeps
 * p->group's reference until group_release. */
void group_leave(struct process *p);
/* Drops p's reference on its group (the process object is destroyed). */
void group_release(struct process *p);

/* A thread is about to be made in / has left a process of g. */
fe_status_t group_thread_charge(struct group *g);
void group_thread_uncharge(struct group *g);

/* Ends every process in g's subtree and refuses new ones there. */
void group_kill(struct group *g);
/* Freezes (or thaws) g's subtree: each of its threads stops on its way to
 * user mode (group_hold) until no group above it is frozen. A freeze lasts
 * while its freezer (the calling process; NULL: none) lives and while some
 * capability names g: with either gone, nothing may ever thaw it. */
void group_freeze(struct group *g, bool freeze, struct process *freezer);
/* Process p has ended: the groups it froze thaw. */
void group_freezer_ended(struct process *p);
/* On the way to user mode: while the thread's group is frozen, it waits
 * there (a kill still ends it). */
void group_hold(struct thread *t);
/* A capability naming g was made / has gone. A group frozen by a call on
 * it thaws when its last capability goes: nothing could thaw it after. */
void group_cap_get(struct group *g);
void group_cap_put(struct group *g);
void group_info(const struct group *g, struct fe_group_info *out);

static inline struct group *group_of(struct kobj *o) { return (struct group *)o; }

#endif /* FERROUS_OBJECT_GROUP_H */
