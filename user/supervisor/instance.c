/* SPDX-License-Identifier: MIT */
/*
 * Starting and killing instances of a service.
 *
 * An instance gets exactly what its manifest names, each from the
 * supervisor's own start slot of the same number and narrowed to the rights
 * of fe_supervisor_cap_rights, plus its endpoint (READ) and, for a `device`
 * line, its pci-device capability. Its endpoint is the service's, made once:
 * a caller queued on it while one instance dies is served by the next.
 *
 * Invariant: at most one instance of a service is alive. A new one starts
 * only from RUNNING's opposite states (IDLE, BACKOFF, STOPPED, FAILED),
 * which main enters only after the previous instance's death watch fired.
 */
#include <fe/spawn.h>

#include "supervisor.h"

#define DEFAULT_BUDGET (16ULL << 20)
#define EXTRA_ARGS_MAX 8u
#define ARGV_MAX (1 + FE_MANIFEST_ARGS_MAX + EXTRA_ARGS_MAX + 1)
#define DEVICE_RIGHTS (FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MANAGE)

fe_handle_t control_ep;
static const char *extra_args[FE_MANIFEST_SERVICES_MAX][EXTRA_ARGS_MAX];
static uint32_t nextra[FE_MANIFEST_SERVICES_MAX];
static uint64_t generations; /* instance generations handed out; 0 means none */

void instance_add_arg(struct svc *s, const char *arg)
{
	if (nextra[s->index] == EXTRA_ARGS_MAX) {
		printf("supervisor: %s: more than %u extra arguments; ignoring %s\n", s->m->name,
		       EXTRA_ARGS_MAX, arg);
		return;
	}
	extra_args[s->index][nextra[s->index]++] = arg;
}

/*
 * The supervisor's own copies of s's endpoint, each a child of s->ep:
 * ep_sup, badged, the parent of each instance's ep_inst (one revoke of
 * ep_sup cancels the calls still waiting for an instance that ended), and
 * ep_grant, the parent of everything handed out (one revoke of s->ep takes
 * all of it back).
 */
static fe_status_t derive_copies(struct svc *s)
{
	fe_handle_t sup, grant;
	fe_status_t st = fe_handle_dup(s->ep, FE_RIGHT_WRITE | FE_RIGHT_DUPLICATE | FE_RIGHT_REVOKE,
	                               FE_SERVICE_BADGE_SUPERVISOR, &sup);

	if (st != FE_OK)
		return st;
	st = fe_handle_dup(s->ep, FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_DUPLICATE | FE_RIGHT_TRANSFER,
	                   0, &grant);
	if (st != FE_OK) {
		fe_handle_delete(sup);
		return st;
	}
	s->ep_sup = sup;
	store(&s->ep_grant, grant);
	return FE_OK;
}

fe_status_t instance_prepare(struct svc *s)
{
	fe_status_t st = fe_endpoint_create(&s->ep);

	if (st != FE_OK)
		return st;
	if ((st = derive_copies(s)) != FE_OK) {
		fe_handle_delete(s->ep);
		s->ep = FE_HANDLE_INVALID;
	}
	return st;
}

/* The manifest's capabilities into a's slots; *ctl gets the badged copy of
 * the control endpoint made for this start (the caller deletes it). */
static fe_status_t fill_caps(struct svc *s, struct fe_spawn_args *a, fe_handle_t *ctl)
{
	for (unsigned c = 0; c < FE_MANIFEST_CAP_COUNT; c++) {
		unsigned slot = fe_supervisor_cap_slot(c);
		fe_handle_t h = fe_start_handle(slot);
		fe_status_t st;

		if (!fe_manifest_has_cap(s->m, c))
			continue;
		if (c == FE_MANIFEST_CAP_SUPERVISOR) {
			st = fe_handle_dup(control_ep, FE_RIGHT_WRITE | FE_RIGHT_TRANSFER, s->index + 1, ctl);
			if (st != FE_OK)
				return st;
			h = *ctl;
		}
		if (h == FE_HANDLE_INVALID) {
			if (s->start_seq == 0)
				printf("supervisor: %s: the manifest gives it %s, which the supervisor "
				       "does not hold; slot %u stays empty\n",
				       s->m->name, fe_manifest_cap_name(c), slot);
			continue;
		}
		a->handles[slot] = h;
		a->rights[slot] = fe_supervisor_cap_rights(c);
	}
	a->handles[FE_START_ENDPOINT] = load(&s->ep_grant);
	a->rights[FE_START_ENDPOINT] = FE_RIGHT_READ;
	if (s->device != FE_HANDLE_INVALID) {
		a->handles[FE_SERVICE_SLOT_DEVICE] = s->device;
		a->rights[FE_SERVICE_SLOT_DEVICE] = DEVICE_RIGHTS;
	}
	return FE_OK;
}

/* The manifest's budget (or the default), at most the supervisor's own. */
static uint64_t budget_of(const struct svc *s)
{
	uint64_t want = s->m->budget ? s->m->budget : DEFAULT_BUDGET;
	struct fe_process_info self;

	if (fe_process_info(fe_self, &self) == FE_OK && want > self.budget_limit) {
		if (s->start_seq == 0)
			printf("supervisor: %s: budget %llu KiB is more than the supervisor's own "
			       "(%llu KiB); it gets that\n", s->m->name,
			       (unsigned long long)(want >> 10),
			       (unsigned long long)(self.budget_limit >> 10));
		return self.budget_limit;
	}
	return want;
}

static void fill_argv(const struct svc *s, const char **argv)
{
	uint32_t n = 0;

	argv[n++] = s->m->program;
	for (uint32_t i = 0; i < s->m->nargs; i++)
		argv[n++] = s->m->args[i];
	for (uint32_t i = 0; i < nextra[s->index]; i++)
		argv[n++] = extra_args[s->index][i];
	argv[n] = NULL;
}

/* Spawns the program; *proc on FE_OK. Says why not otherwise. */
static fe_status_t spawn(struct svc *s, fe_handle_t *proc)
{
	const char *argv[ARGV_MAX];
	struct fe_spawn_args a = { .path = s->m->program, .argv = argv, .budget = budget_of(s) };
	fe_handle_t ctl = FE_HANDLE_INVALID;
	fe_status_t st = fill_caps(s, &a, &ctl);

	fill_argv(s, argv);
	if (st == FE_OK)
		st = fe_spawn(&a, proc);
	if (ctl != FE_HANDLE_INVALID)
		fe_handle_delete(ctl); /* the instance's copy lives on under control_ep */
	if (st != FE_OK) {
		const char *why = fe_spawn_why(s->m->program);
		printf("supervisor: cannot start %s (program %s): %s%s%s\n", s->m->name,
		       s->m->program, why ? why : "", why ? ", " : "", fe_status_name(st));
	}
	return st;
}

/* Makes the started process the running instance. Without its ep_inst the
 * supervisor cannot check on it: heartbeats and crash requests are then
 * refused (FE_ERR_BAD_HANDLE), which is said once here. */
static void become_running(struct svc *s, fe_handle_t proc, uint64_t start_tsc)
{
	static uint32_t starts;
	struct fe_handle_info hi;
	fe_handle_t inst = FE_HANDLE_INVALID;
	fe_status_t st = fe_handle_dup(s->ep_sup, FE_RIGHT_WRITE, 0, &inst);

	if (st != FE_OK)
		printf("supervisor: %s: no endpoint copy for its heartbeats: %s\n", s->m->name,
		       fe_status_name(st));
	store(&s->ep_inst, inst);
	s->proc = proc;
	s->start_tsc = start_tsc;
	s->started_tsc = fe_rdtsc();
	s->kill_reason = FE_SUPERVISOR_REASON_NONE;
	s->state = FE_SUPERVISOR_RUNNING;
	if (s->start_seq == 0)
		s->start_seq = ++starts;
	store(&s->koid, fe_handle_info(proc, &hi) == FE_OK ? hi.koid : 0);
	store(&s->live, ++generations);
}

fe_status_t instance_start(struct svc *s)
{
	uint64_t t0 = fe_rdtsc();
	fe_handle_t proc;
	fe_status_t st;

	if (s->m->device.kind != FE_MANIFEST_DEVICE_NONE && s->device == FE_HANDLE_INVALID &&
	    (st = device_resolve(s, &s->device)) != FE_OK)
		return st;
	if ((st = spawn(s, &proc)) != FE_OK)
		return st;
	/* Watched at once: had it ended already, the watch fires now. */
	if ((st = fe_process_watch(proc, events, (uint32_t)s->index)) != FE_OK) {
		printf("supervisor: cannot watch %s: %s; stopping it\n", s->m->name,
		       fe_status_name(st));
		(void)fe_process_kill(proc);
		fe_handle_delete(proc);
		return st;
	}
	become_running(s, proc, t0);
	return FE_OK;
}

void instance_forget(struct svc *s)
{
	fe_status_t st = fe_handle_revoke(s->ep_sup, NULL);

	store(&s->ep_inst, FE_HANDLE_INVALID);
	if (st != FE_OK)
		printf("supervisor: %s: cancelling calls to its last instance failed: %s\n",
		       s->m->name, fe_status_name(st));
}

void instance_kill(struct svc *s, enum fe_supervisor_reason reason)
{
	fe_status_t st;

	if (s->state != FE_SUPERVISOR_RUNNING)
		return;
	s->kill_reason = reason;
	s->state = FE_SUPERVISOR_STOPPING;
	store(&s->live, 0);
	/* FE_ERR_BAD_STATE: it has ended on its own; its watch says how. */
	if ((st = fe_process_kill(s->proc)) != FE_OK && st != FE_ERR_BAD_STATE)
		printf("supervisor: killing %s failed: %s\n", s->m->name, fe_status_name(st));
}

void instance_retire(struct svc *s)
{
	uint64_t removed = 0;
	fe_status_t st = fe_handle_revoke(s->ep, &removed);

	if (st == FE_OK)
		st = derive_copies(s);
	if (st != FE_OK)
		printf("supervisor: %s: taking back its endpoint failed: %s\n", s->m->name,
		       fe_status_name(st));
}
