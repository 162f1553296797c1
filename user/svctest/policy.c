/* SPDX-License-Identifier: MIT */
/*
 * Restart policies, giving up, and services that cannot start: each of
 * these services has a stanza of its own in initrd/svctest.services.
 */
#include "svctest.h"

/* `once` (restart never) stays dead after a crash: its clients' calls fail
 * clearly (their capability was revoked), connecting is refused; `restart
 * once` brings it back. */
void restart_never_stays_dead(struct test *t)
{
	struct fe_supervisor_row row;
	fe_handle_t ep, ep2;
	uint64_t k0, k1;

	if (!wait_state(t, "once", FE_SUPERVISOR_RUNNING, &row) || !connect_to(t, "once", &ep))
		return;
	if (!who(t, ep, &k0, NULL))
		return;
	CHECK_OK(t, fe_supervisor_crash(ctl, "once", FE_FAULT_WILD, 0));
	crashes_injected++;
	if (wait_state(t, "once", FE_SUPERVISOR_STOPPED, &row)) {
		CHECK_EQ(t, row.restarts, 0);
		CHECK_EQ(t, row.koid, 0);
		CHECK_EQ(t, row.last.koid, k0);
		CHECK(t, row.last.reason == FE_SUPERVISOR_REASON_FAULT && row.last.vector == 14,
		      "last end: %s", fe_supervisor_reason_name(row.last.reason));
	}
	struct fe_msg m = fe_msg_make(ECHO_LABEL_ECHO, 0, 0);
	fe_status_t st = fe_call(ep, &m);
	CHECK(t, st == FE_ERR_BAD_HANDLE || st == FE_ERR_CANCELED,
	      "a call to a stopped service: %s", fe_status_name(st));
	CHECK(t, fe_supervisor_connect(ctl, "once", &ep2) == FE_ERR_BAD_STATE,
	      "connecting to a stopped service");
	fe_handle_delete(ep);
	if (CHECK_OK(t, fe_supervisor_restart(ctl, "once")) && connect_to(t, "once", &ep)) {
		if (who(t, ep, &k1, NULL))
			CHECK(t, k1 != k0, "the dead instance answered");
		fe_handle_delete(ep);
	}
}

/* `flaky` faults at every start (echo fault=null), restart on-failure max 3:
 * four ends, three restarts, then failed. */
void gives_up_after_max_restarts(struct test *t)
{
	struct fe_supervisor_row row;
	fe_handle_t ep;

	if (!wait_state(t, "flaky", FE_SUPERVISOR_FAILED, &row))
		return;
	CHECK_EQ(t, row.restarts, 3);
	CHECK(t, row.last.reason == FE_SUPERVISOR_REASON_FAULT && row.last.vector == 14 &&
	      row.last.address == 0, "last end: %s", fe_supervisor_reason_name(row.last.reason));
	CHECK(t, fe_supervisor_connect(ctl, "flaky", &ep) == FE_ERR_BAD_STATE,
	      "connecting to a failed service");
}

/* `quitter` exits with 0 at once, restart on-failure: stopped, never restarted. */
void exit_zero_stops_on_failure(struct test *t)
{
	struct fe_supervisor_row row;

	if (!wait_state(t, "quitter", FE_SUPERVISOR_STOPPED, &row))
		return;
	CHECK_EQ(t, row.restarts, 0);
	CHECK(t, row.last.reason == FE_SUPERVISOR_REASON_EXIT && row.last.code == 0,
	      "last end: %s %lld", fe_supervisor_reason_name(row.last.reason),
	      (long long)row.last.code);
}

/* `ghost` names a program the ramdisk lacks: it fails alone, at once. */
void missing_program_fails_alone(struct test *t)
{
	struct fe_supervisor_row row;

	if (!wait_state(t, "ghost", FE_SUPERVISOR_FAILED, &row))
		return;
	CHECK_EQ(t, row.restarts, 0);
	CHECK_EQ(t, row.start_seq, 0);
	CHECK(t, row.last.reason == FE_SUPERVISOR_REASON_SPAWN && row.last.code == FE_ERR_NOT_FOUND,
	      "last end: %s %lld", fe_supervisor_reason_name(row.last.reason),
	      (long long)row.last.code);
	CHECK(t, row_of(t, "echo", &row) && row.state == FE_SUPERVISOR_RUNNING,
	      "echo is %s", fe_supervisor_state_name(row.state));
}

/* `disk` gets q35's AHCI controller (class 01:06:01), checked by
 * caps_match_the_manifest; `nodisk` asks for a virtio disk the machine
 * does not have and fails without starting. */
void device_resolved_or_failed(struct test *t)
{
	struct fe_supervisor_row row;

	if (row_of(t, "disk", &row))
		CHECK(t, row.state == FE_SUPERVISOR_RUNNING, "disk is %s",
		      fe_supervisor_state_name(row.state));
	if (!wait_state(t, "nodisk", FE_SUPERVISOR_FAILED, &row))
		return;
	CHECK_EQ(t, row.start_seq, 0);
	CHECK(t, row.last.reason == FE_SUPERVISOR_REASON_SPAWN && row.last.code == FE_ERR_NOT_FOUND,
	      "last end: %s %lld", fe_supervisor_reason_name(row.last.reason),
	      (long long)row.last.code);
}
