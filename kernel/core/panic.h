/* SPDX-License-Identifier: MIT */
/*
 * Stopping the machine when an invariant breaks: panic() prints the reason,
 * the registers and a symbolised backtrace, stops every CPU and, when the
 * command line says qemu_exit=1, ends QEMU with the failure status so no test
 * can hang. Never returns.
 */
#ifndef FERROUS_CORE_PANIC_H
#define FERROUS_CORE_PANIC_H

#include "lib/util.h"

struct trap_frame;

NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Panic reporting the registers of an interrupted context (exceptions). */
NORETURN void panic_frame(const struct trap_frame *f, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* True once any CPU has started to panic. */
int panic_in_progress(void);

/* Invariant checks: always on (a broken invariant must stop the kernel). */
#define ASSERT(cond)                                                                  \
	do {                                                                          \
		if (unlikely(!(cond)))                                                \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
	} while (0)

/* Checks too costly for release builds. */
#if FE_DEBUG
#define DEBUG_ASSERT(cond) ASSERT(cond)
#else
#define DEBUG_ASSERT(cond) ((void)0)
#endif

#endif /* FERROUS_CORE_PANIC_H */
