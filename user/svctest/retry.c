/* SPDX-License-Identifier: MIT */
/*
 * Calls in flight at a crash, and restarts on request.
 *
 * ECHO_LABEL_FAIL_IF makes the instance with the koid it names fault
 * before answering: a plain call then returns FE_ERR_PEER_CLOSED (a clear
 * error), and fe_service_call_idempotent calls again and gets the next
 * instance's answer, its first (count 0).
 */
#include "svctest.h"

static struct fe_msg fail_if(uint64_t koid)
{
	struct fe_msg m = fe_msg_make(ECHO_LABEL_FAIL_IF, 2, 0);

	m.w[0] = koid;
	m.w[1] = FE_FAULT_NULL;
	return m;
}

static void expect_fault_of(struct test *t, uint64_t koid)
{
	struct fe_supervisor_death d = { 0 };

	if (CHECK_OK(t, fe_supervisor_death(ctl, "echo", koid, &d)))
		CHECK(t, d.reason == FE_SUPERVISOR_REASON_FAULT && d.vector == 14 && d.address == 0,
		      "instance %llu: reason %s vector %u at %#llx", (unsigned long long)koid,
		      fe_supervisor_reason_name(d.reason), d.vector, (unsigned long long)d.address);
}

void in_flight_call_is_retried(struct test *t)
{
	fe_handle_t ep;
	uint64_t k0, k1, k2;
	bool retried = false;

	if (!connect_to(t, "echo", &ep))
		return;
	if (who(t, ep, &k0, NULL)) {
		struct fe_msg m = fail_if(k0);
		fe_status_t st = fe_call(ep, &m);
		crashes_injected++;
		CHECK(t, st == FE_ERR_PEER_CLOSED, "a call in flight at the crash: %s",
		      fe_status_name(st));
		expect_fault_of(t, k0);
	}
	if (who(t, ep, &k1, NULL)) {
		CHECK(t, k1 != k0, "the crashed instance answered");
		struct fe_msg m = fail_if(k1);
		fe_status_t st = fe_service_call_idempotent(ep, &m, &retried);
		crashes_injected++;
		CHECK(t, st == FE_OK && fe_service_status(&m) == FE_OK, "retried call: %s, answer %s",
		      fe_status_name(st), fe_status_name(fe_service_status(&m)));
		CHECK(t, retried, "the call was not retried");
		CHECK_EQ(t, m.w[3], 0); /* the new instance's first echo */
		CHECK_EQ(t, m.w[0], k1); /* the words come back */
		expect_fault_of(t, k1);
		if (who(t, ep, &k2, NULL))
			CHECK(t, k2 != k1, "the crashed instance answered");
	}
	fe_handle_delete(ep);
}

void restart_by_request(struct test *t)
{
	struct fe_supervisor_death d = { 0 };
	fe_handle_t ep;
	uint64_t k0, k1;

	if (!connect_to(t, "echo", &ep))
		return;
	if (who(t, ep, &k0, NULL) && CHECK_OK(t, fe_supervisor_restart(ctl, "echo")) &&
	    who(t, ep, &k1, NULL)) {
		CHECK(t, k1 != k0, "the same instance answers after a restart");
		if (CHECK_OK(t, fe_supervisor_death(ctl, "echo", k0, &d)))
			CHECK(t, d.reason == FE_SUPERVISOR_REASON_RESTART, "reason %s",
			      fe_supervisor_reason_name(d.reason));
	}
	CHECK(t, fe_supervisor_restart(ctl, "no-such-service") == FE_ERR_NOT_FOUND,
	      "restart of an unknown service");
	fe_handle_delete(ep);
}
