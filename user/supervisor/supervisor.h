/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's parts (ADR 0011, decision 6; docs/services.md).
 *
 * Threads, and who owns what:
 *   - main (main.c): the only thread that starts, kills and restarts
 *     instances, changes a service's state, prints or allocates. It waits on
 *     one notification, `events` (the bits below).
 *   - the clock (clock.c): fires the deadlines of calls; signals main.
 *     Main times its own backoffs (clock_due_restarts).
 *   - one heartbeat thread per service with a `heartbeat` line (heartbeat.c).
 *   - the control thread (control.c): serves the control endpoint; asks
 *     main through a one-request mailbox, makes crash calls itself.
 * The fields other threads read are marked "shared": written with atomic
 * stores (main), read with atomic loads. Everything else is main's.
 */
#ifndef SUPERVISOR_SUPERVISOR_H
#define SUPERVISOR_SUPERVISOR_H

#include <fe/ipc.h>
#include <fe/manifest.h>
#include <fe/runtime.h>
#include <fe/supervisor.h>
#include <fe/sys.h>

/* Bits of `events`, for service i (i < FE_MANIFEST_SERVICES_MAX). */
#define EV_DEATH(i) (1ULL << (i))        /* its instance's death watch fired */
#define EV_HANG(i) (1ULL << (16 + (i)))  /* a call to it outlived its deadline */
#define EV_DUE(i) (1ULL << (32 + (i)))   /* its backoff is over */
#define EV_CONTROL (1ULL << 48)          /* the mailbox holds a request */
_Static_assert(FE_MANIFEST_SERVICES_MAX <= 16, "16 bits per kind of event");

/* What the clock watches per service. */
enum deadline_kind {
	DL_HEARTBEAT, /* a heartbeat call is out */
	DL_REQUEST,   /* a crash call from the control thread is out */
	DL_RESTART,   /* the backoff ends */
	DL_KINDS,
};

struct deadline {
	uint64_t at;  /* shared: TSC; 0 = not armed */
	uint64_t gen; /* shared: the instance a call went to (svc.live then) */
};

struct svc {
	const struct fe_manifest_service *m;
	uint32_t index;
	enum fe_supervisor_state state;
	fe_handle_t proc;        /* the running (or stopping) instance */
	fe_handle_t ep;          /* the endpoint, made once, never handed out */
	fe_handle_t ep_sup;      /* WRITE | DUPLICATE | REVOKE, badge SUPERVISOR: parent of ep_inst */
	fe_handle_t device;      /* pci-device for a `device` line, made at first start */
	uint32_t restarts;       /* instances started after the first */
	uint32_t auto_restarts;  /* restarts by policy since the last `restart NAME` */
	uint32_t quick_deaths;   /* ends in a row that came soon after the start */
	uint32_t start_seq;      /* order of its first start, from 1 */
	uint64_t start_tsc;      /* when main began starting the running instance */
	uint64_t started_tsc;    /* when fe_spawn returned it */
	uint32_t kill_reason;    /* why the supervisor killed it (REASON_*), or NONE */
	bool restart_now;        /* killed for `restart NAME`: start again at once */
	struct fe_supervisor_death history[FE_SUPERVISOR_HISTORY];
	uint32_t nhistory;       /* ends so far; history[n % HISTORY] is next */
	/* shared */
	uint64_t live;           /* the running instance's generation, 0 if none */
	uint64_t koid;           /* the running instance's koid, 0 if none */
	/* WRITE, badge SUPERVISOR, made for the running instance and revoked at
	 * its end: heartbeats and crashes go through it, so none of them waits
	 * on the endpoint past the instance it was meant for. */
	fe_handle_t ep_inst;
	fe_handle_t ep_grant;    /* parent of every capability handed out */
	struct deadline dl[DL_KINDS];
	uint64_t hang_gen;       /* the generation the clock found hung */
	uint64_t heartbeats;     /* answered */
	uint64_t answered_gen;   /* the last generation that answered the supervisor (start grace) */
};

/*
 * A driver's instance (a stanza with a `device` line) that has not yet
 * answered the supervisor (a heartbeat or a crash request) is still
 * starting: its heartbeats wait the start grace, at least this, not the
 * stanza's timeout. Its start (device set-up, DMA maps, MSI) can outlast a
 * short heartbeat timeout on a loaded TCG host, and killing it then as hung
 * only starts the same slow start again. Other services start in
 * microseconds and keep their timeout from the first heartbeat on.
 */
#define START_GRACE_NS 10000000000ULL

/* ---- main.c ---- */
extern struct fe_manifest manifest;
extern struct svc services[FE_MANIFEST_SERVICES_MAX];
extern uint32_t nservices;
extern fe_handle_t events; /* main waits here; other threads signal */

static inline uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* The service called name, or NULL. */
struct svc *svc_find(const char *name);

/* ---- clock.c: time and deadlines ---- */
fe_status_t clock_start(void);
uint64_t clock_ticks(uint64_t ns);   /* ns -> TSC ticks */
uint64_t clock_ns(uint64_t ticks);   /* TSC ticks -> ns */
/* Arms s's deadline `kind` `ns` from now for instance generation gen. */
void clock_arm(struct svc *s, enum deadline_kind kind, uint64_t gen, uint64_t ns);
/* Disarms it; false if it had fired already (or was never armed). */
bool clock_disarm(struct svc *s, enum deadline_kind kind);
/* Main's: the EV_DUE bits of the backoffs that have ended (each taken, as
 * the clock takes a deadline), and in *wait_ns how long until the next one
 * ends (UINT64_MAX: none armed). */
uint64_t clock_due_restarts(uint64_t *wait_ns);

/* ---- instance.c: starting and killing instances ---- */
/* Makes s's endpoint and the supervisor's copies of it. */
fe_status_t instance_prepare(struct svc *s);
/* Starts an instance; on failure records the end (REASON_SPAWN) and
 * returns the status (the caller decides what follows). */
fe_status_t instance_start(struct svc *s);
/* After an instance's end: calls made to it through ep_inst that still
 * wait on the endpoint return FE_ERR_CANCELED. */
void instance_forget(struct svc *s);
/* Kills the running instance for `reason`; its end arrives as EV_DEATH. */
void instance_kill(struct svc *s, enum fe_supervisor_reason reason);
/* Stops s for good: every capability to its endpoint that was handed out is
 * revoked (waiting callers get FE_ERR_CANCELED), and fresh copies made. */
void instance_retire(struct svc *s);
/* Words `SERVICE.key=value` from the supervisor's arguments, for its argv. */
void instance_add_arg(struct svc *s, const char *arg);
/* The control endpoint services with `caps supervisor` get a copy of. */
extern fe_handle_t control_ep;

/* ---- policy.c: what happens after an end ---- */
/* EV_DEATH for s: reads the status, records it, restarts or stops. */
void policy_on_death(struct svc *s);
/* After instance_start failed. */
void policy_on_spawn_failure(struct svc *s, fe_status_t st);
/* EV_DUE: the backoff is over. */
void policy_on_due(struct svc *s);
/* EV_HANG: the clock found a call unanswered. */
void policy_on_hang(struct svc *s);
/* Records an end in s's history. */
void policy_record(struct svc *s, const struct fe_supervisor_death *d);
/* `restart NAME`. */
fe_status_t policy_restart(struct svc *s);
/* Shutdown: kill everything, restart nothing; true once nothing runs. */
void policy_shutdown(void);
bool policy_all_ended(void);
extern bool shutting_down;
extern int64_t shutdown_code;

/* ---- heartbeat.c ---- */
fe_status_t heartbeat_start(struct svc *s);

/* ---- control.c ---- */
fe_status_t control_start(void);
/* EV_CONTROL: serves the request in the mailbox. */
void control_on_request(void);
/* Fills a row for s (main's view). */
void control_row(const struct svc *s, struct fe_supervisor_row *row);

/* ---- device.c ---- */
/* A pci-device capability for s's `device` line, from the PCI bus service
 * (the manifest's `pcibus`); the status says why not (printed):
 * FE_ERR_PEER_CLOSED while pcibus does not run (try again later). */
fe_status_t device_resolve(struct svc *s, fe_handle_t *out);

#endif /* SUPERVISOR_SUPERVISOR_H */
