/* SPDX-License-Identifier: MIT */
/*
 * Death watches: the holder of a process capability with WAIT asks to learn
 * of that process's end as a bit in one of its notifications
 * (FE_SYS_PROCESS_WATCH), so a supervisor waits for any of many services
 * to die the way a driver waits for its device, without a thread per
 * service and without polling. The status (exit, kill, fault with vector
 * and address) is then read with a non-blocking fe_process_wait.
 *
 * A watch fires once, when the watched process has finished (ended, and its
 * last thread has left the kernel: what fe_process_wait waits for), or at
 * once if it already has. Like an interrupt binding (ADR 0009) it belongs
 * to the process that made it and to the two capabilities it was made
 * through: it ends, unfired, when that process ends or when either
 * capability is removed by a revoke. It is charged to the watcher's budget
 * and holds a reference to the notification only, so nothing it names
 * outlives its owner.
 */
#ifndef FERROUS_OBJECT_WATCH_H
#define FERROUS_OBJECT_WATCH_H

#include <ferrous/errors.h>

#include "cap/cspace.h"

struct process;

void watch_init_cache(void);
/* Watches the process behind proc_cap for `watcher`, signalling bit `bit`
 * (< 64) of the notification behind notif_cap. FE_ERR_NO_MEMORY if the
 * watcher's budget is spent. Fires at once if the process has finished. */
fe_status_t process_watch(struct cap *proc_cap, struct cap *notif_cap, unsigned bit,
                          struct process *watcher);
/* p has finished: fires every watch on it. */
void watch_fire_all(struct process *p);
/* p is ending: the watches it made end unfired. */
void watch_end_made_by(struct process *p);
/* Revoke reached a watch (a cspace dependent, already detached). */
void watch_revoke(struct cap_dep *d);

#endif /* FERROUS_OBJECT_WATCH_H */
