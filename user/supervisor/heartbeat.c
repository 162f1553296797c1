/* SPDX-License-Identifier: MIT */
/*
 * Heartbeats: for a service with `heartbeat PERIOD timeout TIMEOUT`, one
 * thread that every PERIOD calls the running instance with
 * FE_SERVICE_HEARTBEAT under a clock deadline of TIMEOUT. If the deadline
 * fires first, the clock tells main, which kills that instance (if it is
 * still the running one) as hung; the call then returns: FE_ERR_PEER_CLOSED
 * if the instance had received it, FE_ERR_CANCELED if it was still waiting
 * (main revokes the instance's ep_inst at its end), so every instance gets
 * heartbeats of its own.
 *
 * A driver's new instance gets the start grace (START_GRACE_NS,
 * supervisor.h) instead, until it has answered once.
 *
 * The thread reads only shared fields, and prints and allocates nothing.
 */
#include "supervisor.h"

static void heartbeat_thread(void *arg)
{
	struct svc *s = arg;

	for (;;) {
		(void)fe_thread_sleep(s->m->heartbeat_period_ns);
		uint64_t gen = load(&s->live);
		if (gen == 0)
			continue; /* no instance to ask */
		struct fe_msg m = fe_msg_make(FE_SERVICE_HEARTBEAT, 0, 0);
		uint64_t timeout = s->m->heartbeat_timeout_ns;
		if (s->m->device.kind != FE_MANIFEST_DEVICE_NONE && load(&s->answered_gen) != gen &&
		    timeout < START_GRACE_NS)
			timeout = START_GRACE_NS;
		clock_arm(s, DL_HEARTBEAT, gen, timeout);
		fe_status_t st = fe_call(load(&s->ep_inst), &m);
		bool in_time = clock_disarm(s, DL_HEARTBEAT);
		if (in_time && st == FE_OK && fe_service_status(&m) == FE_OK) {
			__atomic_add_fetch(&s->heartbeats, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&s->answered_gen, gen, __ATOMIC_RELAXED);
		}
	}
}

fe_status_t heartbeat_start(struct svc *s)
{
	fe_handle_t t;
	fe_status_t st;

	if (s->m->heartbeat_period_ns == 0)
		return FE_OK;
	if ((st = fe_thread_spawn(heartbeat_thread, s, FE_PRIORITY_DEFAULT, &t)) != FE_OK)
		return st;
	fe_handle_delete(t);
	return FE_OK;
}
