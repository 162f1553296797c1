/* SPDX-License-Identifier: MIT */
/*
 * What follows an instance's end: the manifest's restart policy, the
 * backoff, giving up, and stopping for good. Main's thread only.
 *
 * - `never` stops; `on-failure` stops after an exit with code 0; otherwise
 *   the service is started again after a backoff.
 * - The backoff starts at the manifest's MIN and doubles with each end that
 *   came soon after its start, up to MAX; an instance that ran for
 *   STABLE_NS (or MAX, if longer) starts the doubling over.
 * - `max N`: after N restarts by policy, the next end leaves the service
 *   failed. `restart NAME` starts it again and the count over.
 * - A service that stops for good has every capability to its endpoint that
 *   was handed out revoked: callers waiting there get FE_ERR_CANCELED,
 *   later calls FE_ERR_BAD_HANDLE, instead of waiting forever.
 * - Dependents are not restarted with a service: they hold its endpoint,
 *   which outlives every instance.
 */
#include "supervisor.h"

#define STABLE_NS 1000000000ULL /* 1 s */
#define NS_PER_US 1000ULL

bool shutting_down;
int64_t shutdown_code;

void policy_record(struct svc *s, const struct fe_supervisor_death *d)
{
	s->history[s->nhistory % FE_SUPERVISOR_HISTORY] = *d;
	s->nhistory++;
}

/* The end as the kernel reports it, with the supervisor's own kill named. */
static struct fe_supervisor_death classify(const struct svc *s, const struct fe_exit_status *e)
{
	struct fe_supervisor_death d = { .koid = load(&s->koid), .tsc = fe_rdtsc() };

	switch (e->reason) {
	case FE_EXIT_NORMAL:
		d.reason = e->code == FE_SERVICE_EXIT_BUDGET ? FE_SUPERVISOR_REASON_BUDGET
		                                             : FE_SUPERVISOR_REASON_EXIT;
		d.code = e->code;
		break;
	case FE_EXIT_FAULT:
		d.reason = FE_SUPERVISOR_REASON_FAULT;
		d.vector = e->vector;
		d.address = e->address;
		d.rip = e->rip;
		break;
	case FE_EXIT_DMA_FAULT:
		d.reason = FE_SUPERVISOR_REASON_DMA;
		d.vector = e->vector;
		d.address = e->address;
		break;
	default:
		d.reason = s->kill_reason ? s->kill_reason : FE_SUPERVISOR_REASON_KILLED;
	}
	return d;
}

static void stop(struct svc *s, enum fe_supervisor_state state, const char *why)
{
	s->state = state;
	instance_retire(s);
	printf("supervisor: %s %s: %s\n", s->m->name, fe_supervisor_state_name(state), why);
}

/* The wait before the next start, in ns. */
static uint64_t backoff_ns(const struct svc *s)
{
	const struct fe_manifest_restart *r = &s->m->restart;
	uint32_t doublings = s->quick_deaths > 0 ? s->quick_deaths - 1 : 0;
	uint64_t ns = r->backoff_min_ns;

	while (doublings-- > 0 && ns < r->backoff_max_ns)
		ns *= 2;
	return ns < r->backoff_max_ns ? ns : r->backoff_max_ns;
}

/* The end of s's instance d, described as `how`, on the console. */
static void say_ended(const struct svc *s, const struct fe_supervisor_death *d, const char *how)
{
	printf("supervisor: %s (koid %llu) ended: %s\n", s->m->name, (unsigned long long)d->koid, how);
}

/*
 * Restart, stop or give up, after an end recorded as d (`how`, for the
 * console). A restart arms the backoff before saying anything: a console
 * line holds the big lock for a median 0.2 ms under TCG (2 ms at worst on
 * a loaded host), and one line says both the end and the wait.
 */
static void after_end(struct svc *s, const struct fe_supervisor_death *d, uint64_t lived_ns,
                      const char *how)
{
	const struct fe_manifest_restart *r = &s->m->restart;
	const char *stop_why = NULL;
	char why[64];

	if (shutting_down)
		stop_why = "";
	else if (r->policy == FE_MANIFEST_RESTART_NEVER)
		stop_why = "its policy is restart never";
	else if (r->policy == FE_MANIFEST_RESTART_ON_FAILURE &&
	         d->reason == FE_SUPERVISOR_REASON_EXIT && d->code == 0)
		stop_why = "it exited with code 0 (restart on-failure)";
	else if (r->max && s->auto_restarts >= r->max) {
		snprintf(why, sizeof(why), "gave up after %u restarts (max %u)", s->auto_restarts,
		         r->max);
		stop_why = why;
	}
	if (stop_why) {
		if (how)
			say_ended(s, d, how);
		if (shutting_down)
			s->state = FE_SUPERVISOR_STOPPED;
		else
			stop(s, stop_why == why ? FE_SUPERVISOR_FAILED : FE_SUPERVISOR_STOPPED, stop_why);
		return;
	}
	uint64_t stable = r->backoff_max_ns > STABLE_NS ? r->backoff_max_ns : STABLE_NS;
	s->quick_deaths = lived_ns >= stable ? 0 : s->quick_deaths + 1;
	uint64_t wait = backoff_ns(s);
	s->state = FE_SUPERVISOR_BACKOFF;
	clock_arm(s, DL_RESTART, 0, wait);
	if (how)
		printf("supervisor: %s (koid %llu) ended: %s; restarting in %llu us\n", s->m->name,
		       (unsigned long long)d->koid, how, (unsigned long long)(wait / NS_PER_US));
	else
		printf("supervisor: restarting %s in %llu us\n", s->m->name,
		       (unsigned long long)(wait / NS_PER_US));
}

/* Starts s again: `automatic` for the policy's restarts, which count
 * toward `max`. */
static void start_again(struct svc *s, bool automatic)
{
	fe_status_t st;

	if (automatic)
		s->auto_restarts++;
	if ((st = instance_start(s)) != FE_OK) {
		policy_on_spawn_failure(s, st);
		return;
	}
	s->restarts++;
	printf("supervisor: %s restarted (koid %llu), restart %u\n", s->m->name,
	       (unsigned long long)load(&s->koid), s->restarts);
}

void policy_on_death(struct svc *s)
{
	struct fe_exit_status e = { .reason = FE_EXIT_KILLED };
	char how[96];
	fe_status_t st;

	if (s->proc == FE_HANDLE_INVALID)
		return; /* no instance: nothing of ours to report */
	/* The watch fired, so the process has finished: this cannot block. */
	if ((st = fe_process_wait(s->proc, &e, FE_NONBLOCK)) != FE_OK)
		printf("supervisor: %s: reading how it ended failed: %s\n", s->m->name,
		       fe_status_name(st));
	struct fe_supervisor_death d = classify(s, &e);
	uint64_t lived = clock_ns(d.tsc - s->started_tsc);
	policy_record(s, &d);
	fe_handle_delete(s->proc);
	s->proc = FE_HANDLE_INVALID;
	store(&s->live, 0);
	store(&s->koid, 0);
	instance_forget(s);
	(void)fe_supervisor_describe(&d, how, sizeof(how));
	if (s->restart_now && !shutting_down) {
		say_ended(s, &d, how);
		s->restart_now = false;
		start_again(s, false);
		return;
	}
	after_end(s, &d, lived, how);
}

/* Errors that another try could cure (memory; the PCI bus service not
 * running yet, or ended under the request): the rest mean the program or
 * the manifest is wrong, and no backoff will change that. */
static bool transient(fe_status_t st)
{
	return st == FE_ERR_NO_MEMORY || st == FE_ERR_NO_RESOURCES || st == FE_ERR_PEER_CLOSED;
}

void policy_on_spawn_failure(struct svc *s, fe_status_t st)
{
	struct fe_supervisor_death d = { .reason = FE_SUPERVISOR_REASON_SPAWN, .code = st,
	                                 .tsc = fe_rdtsc() };

	policy_record(s, &d);
	if (transient(st) && !shutting_down)
		after_end(s, &d, 0, NULL);
	else if (st == FE_ERR_NOT_FOUND && s->m->device.optional && s->device == FE_HANDLE_INVALID)
		stop(s, FE_SUPERVISOR_STOPPED, "its device is optional and this machine has none");
	else
		stop(s, FE_SUPERVISOR_FAILED, "it cannot be started");
}

void policy_on_due(struct svc *s)
{
	if (s->state == FE_SUPERVISOR_BACKOFF)
		start_again(s, true);
}

void policy_on_hang(struct svc *s)
{
	uint64_t gen = load(&s->hang_gen);

	if (s->state != FE_SUPERVISOR_RUNNING || load(&s->live) != gen)
		return; /* that instance has ended already */
	printf("supervisor: %s (koid %llu) did not answer in time; killing it\n", s->m->name,
	       (unsigned long long)load(&s->koid));
	instance_kill(s, FE_SUPERVISOR_REASON_HANG);
}

fe_status_t policy_restart(struct svc *s)
{
	if (shutting_down)
		return FE_ERR_BAD_STATE;
	s->auto_restarts = 0;
	s->quick_deaths = 0;
	switch (s->state) {
	case FE_SUPERVISOR_RUNNING:
		s->restart_now = true;
		instance_kill(s, FE_SUPERVISOR_REASON_RESTART);
		return FE_OK;
	case FE_SUPERVISOR_STOPPING:
		s->restart_now = true;
		return FE_OK;
	case FE_SUPERVISOR_BACKOFF:
		(void)clock_disarm(s, DL_RESTART); /* a due event already sent finds it running */
		break;
	default:
		break;
	}
	start_again(s, false);
	return s->state == FE_SUPERVISOR_RUNNING ? FE_OK : FE_ERR_BAD_STATE;
}

void policy_shutdown(void)
{
	shutting_down = true;
	for (uint32_t k = nservices; k-- > 0;) {
		struct svc *s = &services[manifest.start_order[k]];
		if (s->state == FE_SUPERVISOR_RUNNING)
			instance_kill(s, FE_SUPERVISOR_REASON_SHUTDOWN);
		else if (s->state == FE_SUPERVISOR_BACKOFF) {
			(void)clock_disarm(s, DL_RESTART);
			s->state = FE_SUPERVISOR_STOPPED;
		}
	}
}

bool policy_all_ended(void)
{
	for (uint32_t i = 0; i < nservices; i++) {
		enum fe_supervisor_state st = services[i].state;
		if (st == FE_SUPERVISOR_RUNNING || st == FE_SUPERVISOR_STOPPING ||
		    st == FE_SUPERVISOR_BACKOFF)
			return false;
	}
	return true;
}
