/* SPDX-License-Identifier: MIT */
/* Waits with a timeout (FE_TIMEOUT): the calls' fourth argument. */
#include <fe/sys.h>

fe_status_t fe_notif_wait_timeout(fe_handle_t n, uint64_t *bits, uint64_t timeout_ns)
{
	return (fe_status_t)(int64_t)fe_syscall6(FE_SYS_NOTIF_WAIT, n, FE_TIMEOUT, (uint64_t)bits,
	                                         timeout_ns, 0, 0);
}

fe_status_t fe_process_wait_timeout(fe_handle_t proc, struct fe_exit_status *out, uint64_t timeout_ns)
{
	return (fe_status_t)(int64_t)fe_syscall6(FE_SYS_PROCESS_WAIT, proc, (uint64_t)out, FE_TIMEOUT,
	                                         timeout_ns, 0, 0);
}
