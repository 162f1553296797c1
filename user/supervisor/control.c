/* SPDX-License-Identifier: MIT */
/*
 * The control endpoint (fe/supervisor.h): the console's `services`,
 * `restart` and `crash`, and the tests.
 *
 * One thread receives requests. Everything that reads or changes a
 * service's state goes to main through a mailbox of one request: the
 * thread fills it, signals EV_CONTROL and waits on `done`; main serves it
 * and signals `done` (the two system calls order the memory between the
 * threads, and the fences say so). A crash request is the exception: main
 * only says where to call, and this thread makes the call, under a clock
 * deadline, so main never waits on a service. A request to a service that
 * never answers thus ends when the deadline kills it (reason "hang").
 */
#include "supervisor.h"

/* A crash call to a service without a heartbeat line may take this long. */
#define REQUEST_TIMEOUT_NS 5000000000ULL

struct request {
	uint32_t op;                         /* FE_SUPERVISOR_* */
	char name[FE_MANIFEST_NAME_MAX + 1];
	uint64_t arg;
	/* filled by main */
	fe_status_t st;
	struct fe_supervisor_row row;        /* LIST */
	struct fe_supervisor_death death;    /* DEATH */
	fe_handle_t cap;                     /* CONNECT: the caller's, deleted once sent */
	struct svc *svc;                     /* CRASH: whom to call, */
	fe_handle_t ep;                      /* through what, */
	uint64_t gen, koid, timeout_ns;      /* which instance, and how long to wait */
};

static struct request mailbox;
static fe_handle_t done;

void control_row(const struct svc *s, struct fe_supervisor_row *row)
{
	*row = (struct fe_supervisor_row){
		.index = s->index, .state = s->state, .restarts = s->restarts,
		.start_seq = s->start_seq, .caps = s->m->caps, .koid = load(&s->koid),
		.heartbeats = __atomic_load_n(&s->heartbeats, __ATOMIC_RELAXED),
	};
	strlcpy(row->name, s->m->name, sizeof(row->name));
	for (uint32_t j = 0; j < s->m->ndepends; j++)
		row->depends |= 1u << s->m->depends[j];
	if (s->nhistory > 0)
		row->last = s->history[(s->nhistory - 1) % FE_SUPERVISOR_HISTORY];
	if (s->state == FE_SUPERVISOR_RUNNING) {
		row->start_tsc = s->start_tsc;
		row->spawned_tsc = s->started_tsc;
	}
}

/* ---- main's side ---- */

static fe_status_t find_death(const struct svc *s, uint64_t koid, struct fe_supervisor_death *d)
{
	uint32_t n = s->nhistory < FE_SUPERVISOR_HISTORY ? s->nhistory : FE_SUPERVISOR_HISTORY;

	for (uint32_t k = 1; k <= n; k++) {
		const struct fe_supervisor_death *h = &s->history[(s->nhistory - k) % FE_SUPERVISOR_HISTORY];
		if (h->koid == koid) {
			*d = *h;
			return FE_OK;
		}
	}
	return FE_ERR_NOT_FOUND;
}

static fe_status_t prepare_crash(struct request *r, struct svc *s)
{
	if (s->state != FE_SUPERVISOR_RUNNING)
		return FE_ERR_BAD_STATE;
	r->svc = s;
	r->ep = load(&s->ep_inst);
	r->gen = load(&s->live);
	r->koid = load(&s->koid);
	r->timeout_ns = s->m->heartbeat_timeout_ns ? s->m->heartbeat_timeout_ns : REQUEST_TIMEOUT_NS;
	return FE_OK;
}

static fe_status_t connect(struct request *r, struct svc *s)
{
	if (s->state == FE_SUPERVISOR_STOPPED || s->state == FE_SUPERVISOR_FAILED)
		return FE_ERR_BAD_STATE;
	return fe_handle_dup(load(&s->ep_grant), FE_RIGHT_WRITE | FE_RIGHT_TRANSFER,
	                     FE_SERVICE_BADGE_CLIENT, &r->cap);
}

/* A request naming a service. */
static fe_status_t serve_named(struct request *r, struct svc *s)
{
	switch (r->op) {
	case FE_SUPERVISOR_RESTART:
		return policy_restart(s);
	case FE_SUPERVISOR_CRASH:
		return prepare_crash(r, s);
	case FE_SUPERVISOR_CONNECT:
		return connect(r, s);
	case FE_SUPERVISOR_DEATH:
		return find_death(s, r->arg, &r->death);
	default:
		return FE_ERR_UNSUPPORTED;
	}
}

static fe_status_t serve(struct request *r)
{
	struct svc *s;

	switch (r->op) {
	case FE_SUPERVISOR_LIST:
		if (r->arg >= nservices)
			return FE_ERR_NOT_FOUND;
		control_row(&services[r->arg], &r->row);
		return FE_OK;
	case FE_SUPERVISOR_SHUTDOWN:
		if (!shutting_down) {
			printf("supervisor: shutting down (code %lld)\n", (long long)r->arg);
			shutdown_code = (int64_t)r->arg;
			policy_shutdown();
		}
		return FE_OK;
	default:
		if ((s = svc_find(r->name)) == NULL)
			return FE_ERR_NOT_FOUND;
		return serve_named(r, s);
	}
}

void control_on_request(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mailbox.st = serve(&mailbox);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	(void)fe_notif_signal(done, 1);
}

/* ---- the control thread's side ---- */

static void ask_main(void)
{
	uint64_t bits;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	(void)fe_notif_signal(events, EV_CONTROL);
	(void)fe_notif_wait(done, 0, &bits);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Makes the crash call main prepared; the service's answer. */
static fe_status_t crash(struct request *r)
{
	struct fe_msg m = fe_msg_make(FE_SERVICE_CRASH, 3, 0);
	fe_status_t st;

	m.w[0] = r->arg & 0xff;
	m.w[1] = r->arg >> 8;
	m.w[2] = r->koid; /* a request outliving this instance is refused by the next */
	clock_arm(r->svc, DL_REQUEST, r->gen, r->timeout_ns);
	st = fe_call(r->ep, &m);
	(void)clock_disarm(r->svc, DL_REQUEST);
	/* The instance ended before it received the request: its ep_inst is
	 * gone (FE_ERR_BAD_HANDLE) or was revoked under the waiting call
	 * (FE_ERR_CANCELED). */
	if (st == FE_ERR_BAD_HANDLE || st == FE_ERR_CANCELED)
		return FE_ERR_BAD_STATE;
	if (st != FE_OK)
		return st;
	__atomic_store_n(&r->svc->answered_gen, r->gen, __ATOMIC_RELAXED); /* it has started */
	/* An answer whose label is no status comes from a program that does not
	 * speak the control protocol (fe/service.h). */
	st = fe_service_status(&m);
	return st <= FE_OK && st >= FE_STATUS_MIN ? st : FE_ERR_UNSUPPORTED;
}

/* The successful reply to r in *m. */
static fe_status_t reply_data(struct fe_msg *m, const struct request *r)
{
	*m = fe_msg_make(0, 0, 0);
	switch (r->op) {
	case FE_SUPERVISOR_LIST:
		return fe_msg_put_data(m, 0, &r->row, sizeof(r->row));
	case FE_SUPERVISOR_DEATH:
		return fe_msg_put_data(m, 0, &r->death, sizeof(r->death));
	case FE_SUPERVISOR_CONNECT:
		return fe_msg_attach_caps(m, &r->cap, 1);
	default:
		return FE_OK;
	}
}

/* Turns the request in m into its reply. */
static void handle(struct fe_msg *m)
{
	struct request *r = &mailbox;
	uint32_t label = FE_MSG_LABEL(m->info);
	fe_status_t st;

	*r = (struct request){ .op = label, .cap = FE_HANDLE_INVALID };
	fe_supervisor_get_name(m, r->name);
	r->arg = label == FE_SUPERVISOR_LIST || label == FE_SUPERVISOR_SHUTDOWN ? m->w[0] : m->w[3];
	ask_main();
	st = r->st;
	if (st == FE_OK && label == FE_SUPERVISOR_CRASH)
		st = crash(r);
	if (st == FE_OK)
		st = reply_data(m, r);
	if (st != FE_OK)
		*m = fe_msg_make((uint32_t)st, 0, 0);
}

/* Capabilities a request carried: the protocol takes none. */
static void drop_caps(const struct fe_msg *m)
{
	fe_handle_t caps[FE_IPC_MAX_CAPS];
	unsigned n = 0;

	if (fe_msg_take_caps(m, caps, FE_IPC_MAX_CAPS, &n) == FE_OK)
		for (unsigned i = 0; i < n; i++)
			if (caps[i] != FE_HANDLE_INVALID)
				fe_handle_delete(caps[i]);
}

static void control_thread(void *arg)
{
	struct fe_msg m;

	(void)arg;
	for (;;) {
		if (fe_recv(control_ep, 0, &m) != FE_OK) {
			(void)fe_thread_sleep(1000000); /* cannot happen while we hold it; never spin */
			continue;
		}
		drop_caps(&m);
		handle(&m);
		/* FE_ERR_BAD_STATE: the caller ended meanwhile (a restart of itself). */
		(void)fe_reply(&m);
		if (mailbox.cap != FE_HANDLE_INVALID)
			fe_handle_delete(mailbox.cap); /* the caller's copy stays, under ep_grant */
	}
}

fe_status_t control_start(void)
{
	fe_handle_t t;
	fe_status_t st;

	if ((st = fe_endpoint_create(&control_ep)) != FE_OK || (st = fe_notif_create(&done)) != FE_OK)
		return st;
	if ((st = fe_thread_spawn(control_thread, NULL, FE_PRIORITY_DEFAULT, &t)) != FE_OK)
		return st;
	fe_handle_delete(t);
	return FE_OK;
}
