/* SPDX-License-Identifier: MIT */
/* The register frame every interrupt and exception entry builds (isr.S). */
#ifndef FERROUS_ARCH_TRAP_H
#define FERROUS_ARCH_TRAP_H

#include <stdint.h>

#include "asm.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector; /* pushed by the stub */
	uint64_t error;  /* CPU's error code, or 0 */
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "asm.h TF_VECTOR");
_Static_assert(__builtin_offsetof(struct trap_frame, error) == TF_ERROR, "asm.h TF_ERROR");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == TF_RIP, "asm.h TF_RIP");
_Static_assert(__builtin_offsetof(struct trap_frame, cs) == TF_CS, "asm.h TF_CS");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "asm.h TF_SIZE");

/* Exception vectors. */
enum {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5, VEC_UD = 6,
	VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12, VEC_GP = 13,
	VEC_PF = 14, VEC_MF = 16, VEC_AC = 17, VEC_MC = 18, VEC_XM = 19, VEC_VE = 20,
	VEC_CP = 21,
};

/* Interrupt vectors the kernel assigns. */
#define VEC_IRQ_BASE 32      /* ISA IRQ n is routed to 32 + n */
#define VEC_IRQ_DYNAMIC 48   /* first vector for other devices */
#define VEC_TIMER 0xf0       /* local APIC timer */
#define VEC_IPI_BASE 0xf1    /* inter-processor interrupts (SMP) */
#define VEC_IPI_RESCHED 0xf1 /* "look at your run queue" */
#define VEC_IPI_TLB 0xf2     /* flush your TLB and acknowledge (core/ipi.c) */
#define VEC_APIC_ERROR 0xfe
#define VEC_SPURIOUS 0xff

/* Page-fault error code bits. */
#define PF_PRESENT (1u << 0)
#define PF_WRITE (1u << 1)
#define PF_USER (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_INSTR (1u << 4)

static inline int trap_from_user(const struct trap_frame *f) { return (f->cs & 3) == 3; }

/* "page fault", "general protection", ...; "reserved" for unknown vectors. */
const char *trap_exception_name(unsigned vector);

/* Called by isr.S with interrupts disabled. */
void trap_entry(struct trap_frame *f);

#endif /* FERROUS_ARCH_TRAP_H */
