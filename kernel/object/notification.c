/* SPDX-License-Identifier: MIT */
#include "object/notification.h"

#include "core/panic.h"
#include "mm/kmem.h"
#include "object/budget.h"
#include "object/thread.h"
#include "sched/sched.h"

static struct kmem_cache notification_cache;

void notification_init_cache(void)
{
	kmem_cache_init(&notification_cache, "notification", sizeof(struct notification), 8);
}

fe_status_t notification_create(struct budget *b, struct notification **out)
{
	struct notification *n;
	fe_status_t st = budget_zalloc(b, &notification_cache, (void **)&n);

	if (st != FE_OK)
		return st;
	kobj_init(&n->obj, FE_OBJ_NOTIFICATION, b);
	*out = n;
	return FE_OK;
}

void notification_destroy(struct kobj *o)
{
	struct notification *n = (struct notification *)o;

	if (!waitq_empty(&n->waiters))
		panic("notification %llu destroyed with waiters", (unsigned long long)o->koid);
	budget_free(o->budget, &notification_cache, n);
}

void notification_signal(struct notification *n, uint64_t bits)
{
	n->bits |= bits;
	if (n->bits)
		sched_wake_all(&n->waiters, FE_OK);
}

fe_status_t notification_wait(struct cap *via, bool nonblock, uint64_t deadline_tsc)
{
	struct notification *n = via->obj;
	struct thread *cur = sched_current();
	fe_status_t st = FE_OK;

	if (n->bits == 0 && nonblock)
		return FE_ERR_WOULD_BLOCK;
	/* Recorded once: `via` may be deleted while we sleep (the record then
	 * moves up the tree), so it is not looked at again. */
	thread_begin_wait(cur, via);
	while (n->bits == 0 && st == FE_OK)
		st = deadline_tsc ? sched_block_on_until(&n->waiters, &n->obj, BLOCK_NOTIF, deadline_tsc)
		                  : sched_block_on(&n->waiters, &n->obj, BLOCK_NOTIF);
	thread_end_wait(cur);
	return st;
}

uint64_t notification_take(struct notification *n)
{
	uint64_t bits = n->bits;

	n->bits = 0;
	return bits;
}
