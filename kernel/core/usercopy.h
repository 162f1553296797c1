/* SPDX-License-Identifier: MIT */
/*
 * The one audited way to touch user memory. Every user pointer a system call
 * receives goes through these: the range must lie inside the user half
 * ([FE_USER_BASE, FE_USER_TOP), no wrap-around), and a missing or protected
 * page is an error return, never a kernel fault.
 *
 * Whole or not at all: user_check_read/user_check_write say whether every
 * page of a range is present and user-accessible (and writable), so a call
 * checks its buffers first, before any side effect, and the copies that
 * follow cannot fail part way. That is sound because every system call
 * runs under the big kernel lock (core/biglock.h) and so does every unmap
 * or protection change: no other thread, on any CPU, can change the
 * caller's page tables between the check and the copy, unless the call
 * sleeps in between (then it checks again after waking).
 */
#ifndef FERROUS_CORE_USERCOPY_H
#define FERROUS_CORE_USERCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* True if [uaddr, uaddr + len) is a user range (len may be 0). */
bool user_range_ok(uint64_t uaddr, uint64_t len);

/* FE_OK if every page of [uaddr, uaddr + n) is a mapped user page (and, for
 * user_check_write, writable); FE_ERR_FAULT otherwise, also for a range
 * outside the user half. n == 0 is FE_OK for any address in the user half.
 * Caller holds the big kernel lock (see above). */
fe_status_t user_check_read(uint64_t uaddr, uint64_t n);
fe_status_t user_check_write(uint64_t uaddr, uint64_t n);

/* FE_ERR_FAULT on a bad range or a faulting page, checked before the first
 * byte moves: either all n bytes are copied or none. */
fe_status_t copy_from_user(void *dst, uint64_t usrc, size_t n);
fe_status_t copy_to_user(uint64_t udst, const void *src, size_t n);

#endif /* FERROUS_CORE_USERCOPY_H */
