/* SPDX-License-Identifier: MIT */
/*
 * The one audited way to touch user memory. Every user pointer a system call
 * receives goes through these: the range must lie inside the user half
 * ([FE_USER_BASE, FE_USER_TOP), no wrap-around), and a missing or protected
 * page is an error return, never a kernel fault.
 */
#ifndef FERROUS_CORE_USERCOPY_H
#define FERROUS_CORE_USERCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* True if [uaddr, uaddr + len) is a user range (len may be 0). */
bool user_range_ok(uint64_t uaddr, uint64_t len);

/* FE_ERR_FAULT on a bad range or a faulting page; dst/src untouched beyond n. */
fe_status_t copy_from_user(void *dst, uint64_t usrc, size_t n);
fe_status_t copy_to_user(uint64_t udst, const void *src, size_t n);

#endif /* FERROUS_CORE_USERCOPY_H */
