/* SPDX-License-Identifier: MIT */
/*
 * The one status type of Ferrous.
 *
 * Every fallible function in the kernel, the loader, the pure libraries and
 * (later) every system call returns an fe_status_t. FE_OK is zero; every error
 * is a distinct negative value, so "if (st != FE_OK)" and "if (st < 0)" both
 * work. Results travel through out-parameters, never through overloaded
 * return values.
 */
#ifndef FERROUS_ERRORS_H
#define FERROUS_ERRORS_H

typedef enum fe_status {
	FE_OK = 0,
	FE_ERR_INVALID_ARG = -1,   /* an argument is out of its documented domain */
	FE_ERR_NO_MEMORY = -2,     /* no frame, slab object or quota left */
	FE_ERR_NOT_FOUND = -3,     /* a named thing does not exist */
	FE_ERR_BAD_FORMAT = -4,    /* untrusted bytes are malformed */
	FE_ERR_OUT_OF_RANGE = -5,  /* an offset or size runs past its container */
	FE_ERR_BAD_STATE = -6,     /* the object is not in a state that allows this */
	FE_ERR_UNSUPPORTED = -7,   /* valid request the implementation cannot honour */
	FE_ERR_FAULT = -8,         /* a memory access faulted (bad user pointer, probe) */
	FE_ERR_BAD_HANDLE = -9,    /* handle is forged, stale or revoked */
	FE_ERR_ACCESS_DENIED = -10,/* the capability lacks a needed right */
	FE_ERR_WRONG_TYPE = -11,   /* the handle names an object of another type */
	FE_ERR_PEER_CLOSED = -12,  /* the other side of an IPC path is gone */
	FE_ERR_TIMED_OUT = -13,
	FE_ERR_WOULD_BLOCK = -14,
	FE_ERR_EXISTS = -15,
	FE_ERR_BUSY = -16,
	FE_ERR_NO_RESOURCES = -17, /* a budget or table is full */
	FE_ERR_BAD_SYSCALL = -18,  /* no such system call */
	FE_ERR_CANCELED = -19,     /* the operation was aborted (object revoked or killed) */
	FE_STATUS_MIN = -19,
} fe_status_t;

/* A short constant name for a status, e.g. "FE_ERR_NO_MEMORY"; never NULL. */
static inline const char *fe_status_name(fe_status_t st)
{
	switch (st) {
	case FE_OK: return "FE_OK";
	case FE_ERR_INVALID_ARG: return "FE_ERR_INVALID_ARG";
	case FE_ERR_NO_MEMORY: return "FE_ERR_NO_MEMORY";
	case FE_ERR_NOT_FOUND: return "FE_ERR_NOT_FOUND";
	case FE_ERR_BAD_FORMAT: return "FE_ERR_BAD_FORMAT";
	case FE_ERR_OUT_OF_RANGE: return "FE_ERR_OUT_OF_RANGE";
	case FE_ERR_BAD_STATE: return "FE_ERR_BAD_STATE";
	case FE_ERR_UNSUPPORTED: return "FE_ERR_UNSUPPORTED";
	case FE_ERR_FAULT: return "FE_ERR_FAULT";
	case FE_ERR_BAD_HANDLE: return "FE_ERR_BAD_HANDLE";
	case FE_ERR_ACCESS_DENIED: return "FE_ERR_ACCESS_DENIED";
	case FE_ERR_WRONG_TYPE: return "FE_ERR_WRONG_TYPE";
	case FE_ERR_PEER_CLOSED: return "FE_ERR_PEER_CLOSED";
	case FE_ERR_TIMED_OUT: return "FE_ERR_TIMED_OUT";
	case FE_ERR_WOULD_BLOCK: return "FE_ERR_WOULD_BLOCK";
	case FE_ERR_EXISTS: return "FE_ERR_EXISTS";
	case FE_ERR_BUSY: return "FE_ERR_BUSY";
	case FE_ERR_NO_RESOURCES: return "FE_ERR_NO_RESOURCES";
	case FE_ERR_BAD_SYSCALL: return "FE_ERR_BAD_SYSCALL";
	case FE_ERR_CANCELED: return "FE_ERR_CANCELED";
	}
	return "FE_ERR_?";
}

#endif /* FERROUS_ERRORS_H */
