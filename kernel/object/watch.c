/* SPDX-License-Identifier: MIT */
#include "object/watch.h"

#include <ferrous/trace.h>

#include "lib/util.h"
#include "mm/kmem.h"
#include "object/budget.h"
#include "object/kobj.h"
#include "object/notification.h"
#include "object/process.h"
#include "trace/trace.h"

/*
 * One watch: on two lists, the watched process's (fired when it finishes)
 * and the watcher's (ended when it ends). Neither process is referenced:
 * each list holds the watch only while both processes are alive enough to
 * need it, and both paths remove it from both lists. Big lock.
 */
struct watch {
	struct process *watched, *watcher;
	struct list_link on;             /* on watched->watches */
	struct list_link by;             /* on watcher->watching */
	struct notification *notif;      /* referenced */
	uint64_t bit;
	struct budget *budget;           /* the watcher's, referenced: charged for this */
	struct cap_dep via_proc, via_notif;
};

/* FE_TRACE_PROCESS_WATCH's last argument: what happened to the watch. */
enum { WATCH_ARMED = 0, WATCH_FIRED = 1, WATCH_ENDED = 2 };

static struct kmem_cache watch_cache;

void watch_init_cache(void)
{
	kmem_cache_init(&watch_cache, "watch", sizeof(struct watch), 8);
}

static void link(struct watch *w)
{
	list_push(&w->watched->watches, &w->on);
	list_push(&w->watcher->watching, &w->by);
}

static void unlink(struct watch *w)
{
	list_remove(&w->watched->watches, &w->on);
	list_remove(&w->watcher->watching, &w->by);
}

/* Takes the watch off everything and frees it, signalling first if `fire`. */
static void finish(struct watch *w, bool fire)
{
	struct budget *b = w->budget;

	trace_emit(FE_TRACE_PROCESS_WATCH, w->watched->obj.koid, w->watcher->obj.koid, w->bit,
	           fire ? WATCH_FIRED : WATCH_ENDED);
	unlink(w);
	cspace_dep_detach(&w->via_proc);
	cspace_dep_detach(&w->via_notif);
	if (fire)
		notification_signal(w->notif, 1ULL << w->bit);
	kobj_put(&w->notif->obj);
	budget_free(b, &watch_cache, w);
	budget_put(b);
}

fe_status_t process_watch(struct cap *proc_cap, struct cap *notif_cap, unsigned bit,
                          struct process *watcher)
{
	struct process *p = proc_cap->obj;
	struct notification *n = notif_cap->obj;
	struct watch *w;
	fe_status_t st;

	if (bit >= 64)
		return FE_ERR_INVALID_ARG;
	if (p->finished) { /* nothing to wait for: the answer is now */
		trace_emit(FE_TRACE_PROCESS_WATCH, p->obj.koid, watcher->obj.koid, bit, WATCH_FIRED);
		notification_signal(n, 1ULL << bit);
		return FE_OK;
	}
	if ((st = budget_zalloc(watcher->budget, &watch_cache, (void **)&w)) != FE_OK)
		return st;
	budget_get(watcher->budget);
	w->budget = watcher->budget;
	w->watched = p;
	w->watcher = watcher;
	kobj_get(&n->obj);
	w->notif = n;
	w->bit = bit;
	w->via_proc.kind = CAP_DEP_WATCH;
	w->via_notif.kind = CAP_DEP_WATCH_NOTIF;
	cspace_dep_attach(proc_cap, &w->via_proc);
	cspace_dep_attach(notif_cap, &w->via_notif);
	link(w);
	trace_emit(FE_TRACE_PROCESS_WATCH, p->obj.koid, watcher->obj.koid, bit, WATCH_ARMED);
	return FE_OK;
}

void watch_fire_all(struct process *p)
{
	while (!list_empty(&p->watches))
		finish(list_entry(p->watches.first, struct watch, on), true);
}

void watch_end_made_by(struct process *p)
{
	while (!list_empty(&p->watching))
		finish(list_entry(p->watching.first, struct watch, by), false);
}

void watch_revoke(struct cap_dep *d)
{
	/* Either of the two records may be the one revoked; the kind says which. */
	struct watch *w = d->kind == CAP_DEP_WATCH ? container_of(d, struct watch, via_proc)
	                                           : container_of(d, struct watch, via_notif);

	trace_emit(FE_TRACE_CAP_REVOKE_DEP, d->kind, w->watched->obj.koid, w->watcher->obj.koid, w->bit);
	finish(w, false);
}
