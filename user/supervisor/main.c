/* SPDX-License-Identifier: MIT */
/*
 * The supervisor (ADR 0011, decision 6; docs/services.md), after MINIX 3's
 * reincarnation server: starts every service of the manifest in the ramdisk
 * (`manifest=FILE`, default `services`) in its start order, gives each
 * exactly the capabilities its manifest names, learns of each instance's
 * end through a death watch and of hangs through heartbeats, and restarts
 * per policy, keeping each service's endpoint across instances.
 *
 * Arguments: `manifest=FILE`; `SERVICE.key=value` adds `key=value` to that
 * service's arguments (init passes `supervisor.console.script=...` as
 * `console.script=...`).
 *
 * It exits on a `shutdown` request, once everything has stopped, with the
 * code asked for; or when no service is running or waiting to restart, with
 * the last ending's exit code (1 if that was no exit).
 */
#include <fe/spawn.h>

#include "supervisor.h"

#define EXIT_FAILED 1

struct fe_manifest manifest;
struct svc services[FE_MANIFEST_SERVICES_MAX];
uint32_t nservices;
fe_handle_t events;

static const char *manifest_path = "services";

struct svc *svc_find(const char *name)
{
	for (uint32_t i = 0; i < nservices; i++)
		if (strcmp(services[i].m->name, name) == 0)
			return &services[i];
	return NULL;
}

static fe_status_t load_manifest(void)
{
	struct fe_manifest_error err;
	const void *text;
	size_t len;
	fe_status_t st = fe_initrd_find(manifest_path, &text, &len);

	if (st != FE_OK) {
		printf("supervisor: no manifest: %s is not in the ramdisk (%s)\n", manifest_path,
		       fe_status_name(st));
		return st;
	}
	if ((st = fe_manifest_parse(text, len, &manifest, &err)) != FE_OK) {
		printf("supervisor: %s:%u: %s\n", manifest_path, err.line, err.msg);
		return st;
	}
	nservices = manifest.nservices;
	for (uint32_t i = 0; i < nservices; i++)
		services[i] = (struct svc){ .m = &manifest.services[i], .index = i };
	return FE_OK;
}

/* `SERVICE.key=value`: true if arg has that shape and names a service. */
static bool service_arg(const char *arg)
{
	const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
	char name[FE_MANIFEST_NAME_MAX + 1];
	size_t n = dot ? (size_t)(dot - arg) : 0;

	if (!dot || !eq || dot > eq || n == 0 || n > FE_MANIFEST_NAME_MAX)
		return false;
	memcpy(name, arg, n);
	name[n] = '\0';
	struct svc *s = svc_find(name);
	if (!s)
		return false;
	instance_add_arg(s, dot + 1);
	return true;
}

static void parse_options(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "manifest=", 9) == 0 && argv[i][9] != '\0')
			manifest_path = argv[i] + 9;
}

static void parse_service_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "manifest=", 9) != 0 && !service_arg(argv[i]))
			printf("supervisor: ignoring argument %s (manifest=FILE or SERVICE.key=value "
			       "for a service of the manifest)\n", argv[i]);
}

/* Endpoints, threads: everything before the first start. */
static fe_status_t setup(void)
{
	fe_status_t st;

	if ((st = fe_notif_create(&events)) != FE_OK || (st = clock_start()) != FE_OK ||
	    (st = control_start()) != FE_OK)
		return st;
	for (uint32_t i = 0; i < nservices; i++)
		if ((st = instance_prepare(&services[i])) != FE_OK ||
		    (st = heartbeat_start(&services[i])) != FE_OK)
			return st;
	return FE_OK;
}

/* In the manifest's order: a service that cannot start fails alone, and
 * those depending on it start all the same (their calls wait on its
 * endpoint until a `restart` brings it). */
static void start_all(void)
{
	printf("supervisor: %u services from %s, in start order:", nservices, manifest_path);
	for (uint32_t k = 0; k < nservices; k++)
		printf(" %s", services[manifest.start_order[k]].m->name);
	printf("\n");
	for (uint32_t k = 0; k < nservices; k++) {
		struct svc *s = &services[manifest.start_order[k]];
		fe_status_t st = instance_start(s);
		if (st == FE_OK)
			printf("supervisor: started %s (koid %llu)\n", s->m->name,
			       (unsigned long long)load(&s->koid));
		else
			policy_on_spawn_failure(s, st);
	}
}

static void dispatch(uint64_t bits)
{
	for (uint32_t i = 0; i < nservices; i++)
		if (bits & EV_DEATH(i))
			policy_on_death(&services[i]);
	for (uint32_t i = 0; i < nservices; i++)
		if (bits & EV_HANG(i))
			policy_on_hang(&services[i]);
	for (uint32_t i = 0; i < nservices; i++)
		if (bits & EV_DUE(i))
			policy_on_due(&services[i]);
	if (bits & EV_CONTROL)
		control_on_request();
}

/* The code to exit with once nothing is left: the last end's, if an exit. */
static int64_t last_exit_code(void)
{
	const struct fe_supervisor_death *last = NULL;

	for (uint32_t i = 0; i < nservices; i++) {
		const struct svc *s = &services[i];
		const struct fe_supervisor_death *d;
		if (s->nhistory == 0)
			continue;
		d = &s->history[(s->nhistory - 1) % FE_SUPERVISOR_HISTORY];
		if (!last || d->tsc > last->tsc)
			last = d;
	}
	return last && last->reason == FE_SUPERVISOR_REASON_EXIT ? last->code : EXIT_FAILED;
}

/* Leaves once nothing is left to supervise. */
static void exit_if_done(void)
{
	if (!policy_all_ended())
		return;
	if (shutting_down) {
		struct fe_process_info self = { 0 };
		(void)fe_process_info(fe_self, &self);
		/* Its handles and budget, for leak hunts: neither grows with restarts. */
		printf("supervisor: every service has stopped; exiting with code %lld (%u handles, "
		       "%llu KiB of budget in use)\n", (long long)shutdown_code, self.handles,
		       (unsigned long long)(self.budget_used >> 10));
		fe_exit(shutdown_code);
	}
	int64_t code = last_exit_code();
	printf("supervisor: no service is running or waiting to restart; exiting with code %lld\n",
	       (long long)code);
	fe_exit(code);
}

static _Noreturn void run(void)
{
	for (;;) {
		uint64_t bits = 0, wait_ns;
		fe_status_t st;

		exit_if_done();
		if ((bits = clock_due_restarts(&wait_ns)) != 0) {
			dispatch(bits);
			continue;
		}
		if (wait_ns == UINT64_MAX)
			st = fe_notif_wait(events, 0, &bits);
		else
			st = fe_notif_wait_timeout(events, &bits, wait_ns);
		if (st == FE_ERR_TIMED_OUT)
			continue; /* a backoff ended: the next turn starts it */
		if (st != FE_OK) {
			printf("supervisor: waiting for events failed: %s\n", fe_status_name(st));
			fe_exit(EXIT_FAILED);
		}
		dispatch(bits);
	}
}

int main(int argc, char **argv)
{
	fe_status_t st;

	parse_options(argc, argv);
	if (load_manifest() != FE_OK)
		return EXIT_FAILED;
	parse_service_args(argc, argv);
	if ((st = setup()) != FE_OK) {
		printf("supervisor: cannot set up: %s\n", fe_status_name(st));
		return EXIT_FAILED;
	}
	start_all();
	run();
}
