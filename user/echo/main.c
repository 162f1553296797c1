/* SPDX-License-Identifier: MIT */
/*
 * echo: the demo service (fe/echo.h). Answers the control protocol through
 * libferrous (fe/service.h) and echoes requests with a count, so a client
 * sees when a new instance answers. Arguments, for tests of the
 * supervisor's policies: `fault=HOW` performs that fault before serving
 * (fe_fault_parse's names), `exit=N` exits with N before serving;
 * `loop=own` serves with a receive loop of its own and the library's
 * fe_service_handle_control, as a driver would.
 */
#include <fe/echo.h>
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/service.h>

#define EXIT_USAGE 2

static uint64_t answered;

static fe_status_t handle(struct fe_msg *m, void *ctx)
{
	uint32_t label = FE_MSG_LABEL(m->info);
	struct fe_handle_info self;

	(void)ctx;
	if (label != ECHO_LABEL_ECHO && label != ECHO_LABEL_FAIL_IF)
		return FE_ERR_UNSUPPORTED;
	if (label == ECHO_LABEL_FAIL_IF && fe_handle_info(fe_self, &self) == FE_OK &&
	    self.koid == m->w[0])
		fe_fault_inject((enum fe_fault)m->w[1]); /* returns only for no fault */
	fe_service_reply_words(m, 4);
	m->w[3] = answered++;
	return FE_OK;
}

/* A loop of its own, as a driver has: control labels go to the library's
 * hook, the rest to handle(). Returns only if receiving fails. */
static fe_status_t own_loop(void)
{
	fe_handle_t ep = fe_service_endpoint();
	struct fe_msg m;
	fe_status_t st = ep == FE_HANDLE_INVALID ? FE_ERR_NOT_FOUND : fe_recv(ep, 0, &m);

	while (st == FE_OK) {
		if (fe_service_handle_control(&m)) {
			st = fe_recv(ep, 0, &m);
			continue;
		}
		if ((st = handle(&m, NULL)) != FE_OK)
			m = fe_msg_make((uint32_t)st, 0, 0);
		st = fe_reply_recv(ep, &m);
	}
	return st;
}

/* fault=HOW and exit=N end it at once; loop=own picks own_loop. False
 * (after saying why) for anything else. */
static bool parse_arg(const char *arg, bool *own)
{
	int64_t code;

	if (strncmp(arg, "fault=", 6) == 0) {
		enum fe_fault f = fe_fault_parse(arg + 6);
		if (f == FE_FAULT_NONE || !fe_fault_available(f)) {
			printf("echo: %s fault %s\n", f == FE_FAULT_NONE ? "unknown" : "cannot do the", arg + 6);
			return false;
		}
		fe_fault_inject(f);
		return true;
	}
	if (strncmp(arg, "exit=", 5) == 0 && fe_parse_i64(arg + 5, &code) == FE_OK)
		fe_exit(code);
	if (strcmp(arg, "loop=own") == 0) {
		*own = true;
		return true;
	}
	printf("echo: unknown argument %s (fault=HOW, exit=N, loop=own)\n", arg);
	return false;
}

int main(int argc, char **argv)
{
	bool own = false;

	for (int i = 1; i < argc; i++)
		if (!parse_arg(argv[i], &own))
			return EXIT_USAGE;
	fe_status_t st = own ? own_loop() : fe_service_serve(handle, NULL);
	printf("echo: cannot serve: %s\n", st == FE_ERR_NOT_FOUND ? "no endpoint (start it from the "
	       "supervisor's manifest)" : fe_status_name(st));
	return 1;
}
