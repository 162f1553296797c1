/* SPDX-License-Identifier: MIT */
/*
 * Catching a deliberate fault, for tests (debug builds only).
 *
 * A test arms a catch and provokes a fault (write to kernel text, execute a
 * data page, UBSan report, stack-protector hit, panic). The handler that
 * would have stopped the kernel records what happened in the catch and
 * returns to the point where the catch was armed, as KUnit's try-catch does:
 *
 *	struct fault_catch fc;
 *	if (FAULT_CATCH(&fc) == 0) {
 *		... provoke the fault ...;
 *		fault_catch_disarm();
 *	}
 *	KT_EXPECT_EQ(t, fc.fired, true);
 *
 * In release builds nothing can be armed and fault_catch_deliver does nothing.
 */
#ifndef FERROUS_CORE_FAULT_CATCH_H
#define FERROUS_CORE_FAULT_CATCH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <arch/probe.h>

enum fault_kind {
	FAULT_KIND_EXCEPTION = 1,
	FAULT_KIND_UBSAN = 2,
	FAULT_KIND_STACK_PROTECTOR = 3,
	FAULT_KIND_PANIC = 4,
};

struct fault_catch {
	struct arch_jmp_buf jb;
	struct fault_catch *prev; /* the catch armed before this one (they nest) */
	bool fired;
	enum fault_kind kind;
	unsigned vector;   /* exceptions */
	uint64_t error;    /* exceptions: CPU error code */
	uint64_t rip;      /* where it happened */
	uint64_t addr;     /* page faults: CR2 */
	char detail[128];  /* UBSan and panic: the message */
};

#if FE_DEBUG
/* Arms fc on this CPU. Returns 0 when armed, 1 when a fault was caught. */
#define FAULT_CATCH(fc) (fault_catch_arm(fc), arch_setjmp(&(fc)->jb))
void fault_catch_arm(struct fault_catch *fc);
void fault_catch_disarm(void);
/* If a catch is armed on this CPU, record and jump back to it; else return. */
void fault_catch_deliver(enum fault_kind kind, unsigned vector, uint64_t error, uint64_t rip,
                         uint64_t addr);
/* The detail text to record if the next fault is caught (UBSan, panic). */
void fault_catch_set_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fault_catch_vset_detail(const char *fmt, va_list ap);
#else
static inline void fault_catch_deliver(enum fault_kind kind, unsigned vector, uint64_t error,
                                       uint64_t rip, uint64_t addr)
{
	(void)kind, (void)vector, (void)error, (void)rip, (void)addr;
}
static inline void fault_catch_set_detail(const char *fmt, ...) { (void)fmt; }
static inline void fault_catch_vset_detail(const char *fmt, va_list ap) { (void)fmt, (void)ap; }
#endif

#endif /* FERROUS_CORE_FAULT_CATCH_H */
