/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's control protocol (user/supervisor, ADR 0011 decision 6,
 * docs/services.md): what the console's `services`, `restart` and `crash`
 * commands and the tests ask the supervisor, on its control endpoint. A
 * service whose manifest names `caps supervisor` finds that endpoint at
 * start slot FE_SERVICE_SLOT_SUPERVISOR (fe/service.h), WRITE only.
 *
 * Requests naming a service carry its name in words 0..2 (NUL-padded, at
 * most FE_MANIFEST_NAME_MAX characters) and an argument in word 3. A
 * reply's label is a status (0 or a negative fe_status_t); rows and death
 * records come back as data words (fe_msg_get_data), so both sides need an
 * IPC buffer.
 */
#ifndef FE_SUPERVISOR_H
#define FE_SUPERVISOR_H

#include <stdint.h>

#include <fe/manifest.h>
#include <fe/service.h>

/* ---- labels ---- */
/* (w0 = index in file order) -> a struct fe_supervisor_row; FE_ERR_NOT_FOUND past the last */
#define FE_SUPERVISOR_LIST 1u
/* (name) -> OK once the running instance (if any) is killed and a new one
 * started; a failed or stopped service starts again with its counts reset */
#define FE_SUPERVISOR_RESTART 2u
/* (name, w3 = enum fe_fault | flags << 8) -> the service's answer to
 * FE_SERVICE_CRASH: FE_OK once it has accepted; FE_ERR_BAD_STATE if it is
 * not running */
#define FE_SUPERVISOR_CRASH 3u
/* (name) -> FE_OK and one capability to the service's endpoint (WRITE |
 * TRANSFER, badge FE_SERVICE_BADGE_CLIENT); FE_ERR_BAD_STATE if the
 * service has stopped for good (stopped or failed) */
#define FE_SUPERVISOR_CONNECT 4u
/* (name, w3 = koid) -> the struct fe_supervisor_death of that instance, if
 * it is among the last FE_SUPERVISOR_HISTORY ends; else FE_ERR_NOT_FOUND */
#define FE_SUPERVISOR_DEATH 5u
/* (w0 = exit code) -> FE_OK; then every service is stopped (last started,
 * first stopped) and the supervisor exits with the code */
#define FE_SUPERVISOR_SHUTDOWN 6u

#define FE_SUPERVISOR_HISTORY 8u /* ends remembered per service */

enum fe_supervisor_state {
	FE_SUPERVISOR_IDLE = 0,     /* not started yet */
	FE_SUPERVISOR_RUNNING = 1,
	FE_SUPERVISOR_STOPPING = 2, /* killed; waiting for its end */
	FE_SUPERVISOR_BACKOFF = 3,  /* ended; to be started again after the backoff */
	FE_SUPERVISOR_STOPPED = 4,  /* ended, and its policy does not restart it */
	FE_SUPERVISOR_FAILED = 5,   /* gave up: max restarts reached, or it cannot start */
};

/* Why an instance ended (or could not start). */
enum fe_supervisor_reason {
	FE_SUPERVISOR_REASON_NONE = 0,
	FE_SUPERVISOR_REASON_EXIT = 1,     /* exited; code */
	FE_SUPERVISOR_REASON_FAULT = 2,    /* an exception; vector, address, rip */
	FE_SUPERVISOR_REASON_KILLED = 3,   /* killed, not by the supervisor */
	FE_SUPERVISOR_REASON_HANG = 4,     /* killed: no answer to a heartbeat or request in time */
	FE_SUPERVISOR_REASON_RESTART = 5,  /* killed: `restart NAME` */
	FE_SUPERVISOR_REASON_BUDGET = 6,   /* exited with FE_SERVICE_EXIT_BUDGET */
	FE_SUPERVISOR_REASON_SPAWN = 7,    /* could not start; code = the fe_status_t */
	FE_SUPERVISOR_REASON_SHUTDOWN = 8, /* killed: the supervisor is shutting down */
	FE_SUPERVISOR_REASON_DMA = 9,      /* its device made a DMA the IOMMU refused; vector = reason, address */
	FE_SUPERVISOR_REASON_COUNT = 10,
};

struct fe_supervisor_death {
	uint64_t koid;    /* the instance (0: none was made) */
	uint32_t reason;  /* enum fe_supervisor_reason */
	uint32_t vector;  /* FAULT: exception vector */
	int64_t code;     /* EXIT, BUDGET: exit code; SPAWN: fe_status_t */
	uint64_t address; /* FAULT: faulting address (#PF), else 0 */
	uint64_t rip;     /* FAULT: the instruction */
	uint64_t tsc;     /* fe_rdtsc when the supervisor learnt of it */
};
_Static_assert(sizeof(struct fe_supervisor_death) == 48, "six words");

struct fe_supervisor_row {
	char name[FE_MANIFEST_NAME_MAX + 1];
	uint32_t index;      /* in file order */
	uint32_t state;      /* enum fe_supervisor_state */
	uint32_t restarts;   /* instances started after the first */
	uint32_t start_seq;  /* 1 for the first service the supervisor started; 0 never started */
	uint32_t caps;       /* the manifest's caps, 1u << enum fe_manifest_cap */
	uint32_t depends;    /* bit i: depends on the service at index i */
	uint64_t koid;       /* the running instance's, 0 if none */
	uint64_t heartbeats; /* answered */
	struct fe_supervisor_death last; /* reason NONE if none has ended */
	/* The running instance's start, for restart-time breakdowns: fe_rdtsc
	 * when the supervisor began starting it (after any backoff) and when
	 * fe_spawn returned it; 0 if none runs. */
	uint64_t start_tsc;
	uint64_t spawned_tsc;
};
_Static_assert(sizeof(struct fe_supervisor_row) == 128, "sixteen words");

/*
 * What a manifest capability hands over: the start slot it arrives in (the
 * supervisor's own slot of that number, or FE_SERVICE_SLOT_SUPERVISOR) and
 * the most rights it has there. For out-of-range caps: slot FE_START_SLOTS,
 * rights 0.
 *   console      WRITE | TRANSFER          (write, and pass to children)
 *   initrd       READ | MAP | TRANSFER     (read-only, and pass to children)
 *   trace        READ
 *   ioport-com1  READ | WRITE
 *   irq-com1     MANAGE                    (bind and acknowledge)
 *   hpet         READ | WRITE | MAP
 *   pci-root     READ | MANAGE             (read any function, make pci-device caps)
 *   supervisor   WRITE                     (call the control endpoint)
 *   ioport-com2  READ | WRITE
 */
unsigned fe_supervisor_cap_slot(enum fe_manifest_cap cap);
uint32_t fe_supervisor_cap_rights(enum fe_manifest_cap cap);

/* "running", "backoff", ...; "?" if unknown. */
const char *fe_supervisor_state_name(uint32_t state);
/* "exit", "fault", "hang", ...; "?" if unknown. */
const char *fe_supervisor_reason_name(uint32_t reason);
/* One line for an end: "fault: vector 14 (#PF) at 0x0, rip 0x401234",
 * "exit 3", "hang", ... Returns buf. */
const char *fe_supervisor_describe(const struct fe_supervisor_death *d, char *buf, size_t size);

/* ---- the client (supervisor_client.c); ctl is a control endpoint ---- */

/* This process's control endpoint (slot FE_SERVICE_SLOT_SUPERVISOR) if it
 * holds one, else FE_HANDLE_INVALID. */
fe_handle_t fe_supervisor_handle(void);

/* Each returns the supervisor's status, or that of the IPC call (a name
 * longer than FE_MANIFEST_NAME_MAX: FE_ERR_INVALID_ARG, nothing sent). */
fe_status_t fe_supervisor_list(fe_handle_t ctl, uint32_t index, struct fe_supervisor_row *row);
/* The row of the service called name (FE_ERR_NOT_FOUND if none). */
fe_status_t fe_supervisor_find(fe_handle_t ctl, const char *name, struct fe_supervisor_row *row);
fe_status_t fe_supervisor_restart(fe_handle_t ctl, const char *name);
fe_status_t fe_supervisor_crash(fe_handle_t ctl, const char *name, enum fe_fault f, uint32_t flags);
fe_status_t fe_supervisor_connect(fe_handle_t ctl, const char *name, fe_handle_t *ep);
fe_status_t fe_supervisor_death(fe_handle_t ctl, const char *name, uint64_t koid,
                                struct fe_supervisor_death *d);
fe_status_t fe_supervisor_shutdown(fe_handle_t ctl, int64_t code);

/* Both sides: a name into words 0..2 (FE_ERR_INVALID_ARG if too long or
 * empty), and back (always NUL-terminated). */
fe_status_t fe_supervisor_put_name(struct fe_msg *m, const char *name);
void fe_supervisor_get_name(const struct fe_msg *m, char name[FE_MANIFEST_NAME_MAX + 1]);

#endif /* FE_SUPERVISOR_H */
