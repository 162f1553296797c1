/* SPDX-License-Identifier: MIT */
/*
 * The service side of supervision (fe/service.h): the endpoint loop that
 * answers the control labels (heartbeat, crash, who) and hands everything
 * else to the service's own handler.
 *
 * One thread serves the endpoint: fe_service_serve's caller, or the control
 * thread. The count of requests is the only state, updated atomically so
 * any thread may read it.
 */
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/service.h>

static uint64_t served;

fe_handle_t fe_service_endpoint(void)
{
	return fe_start_handle(FE_START_ENDPOINT);
}

uint64_t fe_service_requests(void)
{
	return __atomic_load_n(&served, __ATOMIC_RELAXED);
}

static void reply_status(struct fe_msg *m, fe_status_t st)
{
	*m = fe_msg_make((uint32_t)st, 0, 0);
}

/* Capabilities a request carried that its handler does not take. */
static void drop_caps(const struct fe_msg *m)
{
	struct fe_ipc_buffer *buf = fe_ipc_buffer();
	unsigned n = FE_MSG_CAPS(m->info);

	for (unsigned i = 0; buf && i < n && i < FE_IPC_MAX_CAPS; i++)
		if (buf->caps[i] != FE_HANDLE_INVALID)
			fe_handle_delete(buf->caps[i]);
}

/* WHO: koid, requests served, and what each start slot holds. */
static void answer_who(struct fe_msg *m)
{
	struct fe_ipc_buffer *buf = fe_ipc_buffer();
	struct fe_handle_info hi;
	uint64_t koid = 0, mask = 0;

	if (fe_handle_info(fe_self, &hi) == FE_OK)
		koid = hi.koid;
	for (unsigned s = 0; s < FE_START_SLOTS; s++) {
		fe_handle_t h = fe_start_handle(s);
		uint64_t word = 0;
		if (h != FE_HANDLE_INVALID && fe_handle_info(h, &hi) == FE_OK) {
			mask |= 1ULL << s;
			word = hi.type | (uint64_t)hi.rights << 8;
		}
		if (buf)
			buf->words[FE_SERVICE_WHO_SLOTS + s] = word;
	}
	fe_service_reply_words(m, buf ? FE_SERVICE_WHO_WORDS : FE_IPC_REG_WORDS);
	m->w[0] = koid;
	m->w[1] = fe_service_requests();
	m->w[2] = mask;
	m->w[3] = 0;
}

/* CRASH: checks who asks and which instance is meant; *fault is what to do
 * once the reply is out (the reply itself is skipped for NO_REPLY). */
static void answer_crash(struct fe_msg *m, enum fe_fault *fault, bool *no_reply)
{
	struct fe_handle_info self;

	if (m->badge != FE_SERVICE_BADGE_SUPERVISOR) {
		reply_status(m, FE_ERR_ACCESS_DENIED);
		return;
	}
	if (m->w[0] == FE_FAULT_NONE || m->w[0] >= FE_FAULT_COUNT) {
		reply_status(m, FE_ERR_INVALID_ARG);
		return;
	}
	if (!fe_fault_available((enum fe_fault)m->w[0])) {
		reply_status(m, FE_ERR_UNSUPPORTED); /* FE_FAULT_DMA without a hook: nothing done */
		return;
	}
	if (m->w[2] != 0 && (fe_handle_info(fe_self, &self) != FE_OK || self.koid != m->w[2])) {
		reply_status(m, FE_ERR_BAD_STATE);
		return;
	}
	*fault = (enum fe_fault)m->w[0];
	*no_reply = (m->w[1] & FE_SERVICE_CRASH_NO_REPLY) != 0;
	reply_status(m, FE_OK);
}

/* Turns the request in *m into its reply. */
static void dispatch(struct fe_msg *m, fe_service_handler fn, void *ctx, enum fe_fault *fault,
                     bool *no_reply)
{
	uint32_t label = FE_MSG_LABEL(m->info);
	fe_status_t st;

	if (label < FE_SERVICE_LABEL_CONTROL) {
		st = fn ? fn(m, ctx) : FE_ERR_UNSUPPORTED;
		if (st != FE_OK)
			reply_status(m, st);
		return;
	}
	drop_caps(m);
	if (label == FE_SERVICE_HEARTBEAT)
		reply_status(m, FE_OK);
	else if (label == FE_SERVICE_WHO)
		answer_who(m);
	else if (label == FE_SERVICE_CRASH)
		answer_crash(m, fault, no_reply);
	else
		reply_status(m, FE_ERR_UNSUPPORTED);
}

fe_status_t fe_service_serve(fe_service_handler fn, void *ctx)
{
	fe_handle_t ep = fe_service_endpoint();
	struct fe_msg m;
	fe_status_t st;

	if (ep == FE_HANDLE_INVALID)
		return FE_ERR_NOT_FOUND;
	st = fe_recv(ep, 0, &m);
	for (;;) {
		enum fe_fault fault = FE_FAULT_NONE;
		bool no_reply = false;

		if (st != FE_OK)
			return st;
		dispatch(&m, fn, ctx, &fault, &no_reply);
		__atomic_add_fetch(&served, 1, __ATOMIC_RELAXED);
		if (fault != FE_FAULT_NONE) {
			/* The caller may have gone (FE_ERR_BAD_STATE): the fault is
			 * still what was asked for. */
			if (!no_reply)
				(void)fe_reply(&m);
			fe_fault_inject(fault);
		}
		/* With no caller left to answer (it ended), this only receives. */
		st = fe_reply_recv(ep, &m);
	}
}

bool fe_service_handle_control(struct fe_msg *m)
{
	enum fe_fault fault = FE_FAULT_NONE;
	bool no_reply = false;

	if (FE_MSG_LABEL(m->info) < FE_SERVICE_LABEL_CONTROL)
		return false;
	dispatch(m, NULL, NULL, &fault, &no_reply);
	__atomic_add_fetch(&served, 1, __ATOMIC_RELAXED);
	if (!no_reply)
		(void)fe_reply(m); /* FE_ERR_BAD_STATE: the caller has gone */
	fe_fault_inject(fault); /* returns at once for FE_FAULT_NONE */
	return true;
}

static void control_thread(void *arg)
{
	(void)arg;
	/* Only fails if the endpoint went away (revoked): nothing left to serve. */
	(void)fe_service_serve(NULL, NULL);
}

fe_status_t fe_service_start_control_thread(bool *started)
{
	fe_handle_t t;
	fe_status_t st;

	*started = false;
	if (fe_service_endpoint() == FE_HANDLE_INVALID)
		return FE_OK;
	if ((st = fe_thread_spawn(control_thread, NULL, FE_PRIORITY_DEFAULT, &t)) != FE_OK)
		return st;
	fe_handle_delete(t);
	*started = true;
	return FE_OK;
}
