/* SPDX-License-Identifier: MIT */
/*
 * `services`, `restart NAME`, `crash NAME HOW`, `shutdown [CODE]`, `traced`: the
 * supervisor's control endpoint (fe/supervisor.h), which the console holds
 * when its manifest names `caps supervisor`.
 */
#include <fe/ipc.h>
#include <fe/service.h>
#include <fe/supervisor.h>
#include <ferrous/trace_stream.h>

#include "console.h"

#define WAIT_MS 10000u /* for a crashed service to come back */
#define NS_PER_MS 1000000ULL

/* The control endpoint, or NULL-like FE_HANDLE_INVALID after saying why. */
static fe_handle_t supervisor(const char *cmd)
{
	fe_handle_t ctl = fe_supervisor_handle();

	if (ctl == FE_HANDLE_INVALID)
		printf("%s: no supervisor reachable (this console was not started by one with "
		       "`caps supervisor`; boot with init.run=supervisor)\n", cmd);
	return ctl;
}

static void show_row(const struct fe_supervisor_row *r)
{
	char last[96];

	printf("%-14s %-9s %8u %6llu %10llu  %s\n", r->name, fe_supervisor_state_name(r->state),
	       r->restarts, (unsigned long long)r->koid, (unsigned long long)r->heartbeats,
	       fe_supervisor_describe(&r->last, last, sizeof(last)));
}

void cmd_services(int argc, char **argv)
{
	fe_handle_t ctl = supervisor(argv[0]);
	struct fe_supervisor_row r;
	fe_status_t st;
	uint32_t i;

	(void)argc;
	if (ctl == FE_HANDLE_INVALID)
		return;
	printf("%-14s %-9s %8s %6s %10s  %s\n", "name", "state", "restarts", "koid", "heartbeats",
	       "last end");
	for (i = 0; (st = fe_supervisor_list(ctl, i, &r)) == FE_OK; i++)
		show_row(&r);
	if (st != FE_ERR_NOT_FOUND)
		printf("services: asking the supervisor failed: %s\n", fe_status_name(st));
}

void cmd_restart(int argc, char **argv)
{
	fe_handle_t ctl = supervisor(argv[0]);
	fe_status_t st;

	(void)argc;
	if (ctl == FE_HANDLE_INVALID)
		return;
	st = fe_supervisor_restart(ctl, argv[1]);
	if (st == FE_OK)
		printf("restart: %s restarting\n", argv[1]);
	else if (st == FE_ERR_NOT_FOUND)
		printf("restart: no service %s (see services)\n", argv[1]);
	else
		printf("restart: %s: %s\n", argv[1], fe_status_name(st));
}

static void list_faults(void)
{
	printf("faults:");
	for (unsigned f = FE_FAULT_NONE + 1; f < FE_FAULT_COUNT; f++)
		printf(" %s", fe_fault_name((enum fe_fault)f));
	printf("\n");
}

/* After a crash was accepted: waits (at most about WAIT_MS) until the
 * supervisor has a new instance running, or has stopped the service, and
 * says which, with how the old instance ended. */
static void report_comeback(fe_handle_t ctl, const char *name, uint64_t old_koid)
{
	struct fe_supervisor_row r;
	char how[96];

	for (unsigned ms = 0; ms < WAIT_MS; ms++) {
		if (fe_supervisor_find(ctl, name, &r) != FE_OK)
			break;
		fe_supervisor_describe(&r.last, how, sizeof(how));
		if (r.state == FE_SUPERVISOR_RUNNING && r.koid != old_koid) {
			printf("crash: %s came back as koid %llu after %s\n", name,
			       (unsigned long long)r.koid, how);
			return;
		}
		if (r.state == FE_SUPERVISOR_STOPPED || r.state == FE_SUPERVISOR_FAILED) {
			printf("crash: %s is %s after %s\n", name, fe_supervisor_state_name(r.state), how);
			return;
		}
		(void)fe_thread_sleep(NS_PER_MS);
	}
	printf("crash: %s has not come back yet; see services\n", name);
}

void cmd_crash(int argc, char **argv)
{
	enum fe_fault f = fe_fault_parse(argv[2]);
	struct fe_supervisor_row before;
	fe_handle_t ctl;
	fe_status_t st;

	(void)argc;
	if (f == FE_FAULT_NONE) {
		printf("crash: unknown fault %s; ", argv[2]);
		list_faults();
		return;
	}
	if ((ctl = supervisor(argv[0])) == FE_HANDLE_INVALID)
		return;
	if ((st = fe_supervisor_find(ctl, argv[1], &before)) == FE_OK)
		st = fe_supervisor_crash(ctl, argv[1], f, 0);
	if (st == FE_OK) {
		printf("crash: %s accepted %s\n", argv[1], argv[2]);
		report_comeback(ctl, argv[1], before.koid);
	} else if (st == FE_ERR_NOT_FOUND) {
		printf("crash: no service %s (see services)\n", argv[1]);
	} else if (st == FE_ERR_UNSUPPORTED) {
		printf("crash: %s cannot do %s (dma: only a driver whose device's DMA an IOMMU "
		       "confines); nothing done\n", argv[1], argv[2]);
	} else if (st == FE_ERR_BAD_STATE) {
		printf("crash: %s is not running (or was restarted before it got the request)\n",
		       argv[1]);
	} else {
		printf("crash: %s: %s\n", argv[1], fe_status_name(st));
	}
}

void cmd_shutdown(int argc, char **argv)
{
	fe_handle_t ctl = supervisor(argv[0]);
	int64_t code = 0;
	fe_status_t st;

	if (ctl == FE_HANDLE_INVALID)
		return;
	if (argc > 1 && (st = fe_parse_i64(argv[1], &code)) != FE_OK) {
		printf("shutdown: %s: not a number (%s)\n", argv[1], fe_status_name(st));
		return;
	}
	fe_flush();
	/* Every service stops, this console too: the call may not come back. */
	st = fe_supervisor_shutdown(ctl, code);
	printf("shutdown: %s\n", fe_status_name(st));
}

/* The trace exporter's counters, once everything traced so far has gone out
 * (FE_TRACED_SYNC, include/ferrous/trace_stream.h). */
void cmd_traced(int argc, char **argv)
{
	fe_handle_t ctl = supervisor(argv[0]), ep;
	struct fe_msg m = fe_msg_make(FE_TRACED_SYNC, 0, 0);
	fe_status_t st;

	(void)argc;
	if (ctl == FE_HANDLE_INVALID)
		return;
	if ((st = fe_supervisor_connect(ctl, "traced", &ep)) != FE_OK) {
		printf("traced: cannot reach the trace exporter: %s\n", fe_status_name(st));
		return;
	}
	if ((st = fe_call(ep, &m)) == FE_OK)
		st = fe_service_status(&m);
	if (st == FE_OK)
		printf("traced: sent %llu records, lost %llu, own system calls %llu, %llu bytes\n",
		       (unsigned long long)m.w[0], (unsigned long long)m.w[1], (unsigned long long)m.w[2],
		       (unsigned long long)m.w[3]);
	else
		printf("traced: the exporter answered %s\n", fe_status_name(st));
	(void)fe_handle_delete(ep);
}
