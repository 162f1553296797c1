/* SPDX-License-Identifier: MIT */
/* Fault-tolerant single-word memory access (probe.S) and the exception table. */
#ifndef FERROUS_ARCH_PROBE_H
#define FERROUS_ARCH_PROBE_H

#include <stdint.h>

#include <ferrous/errors.h>

/* Each returns FE_OK, or FE_ERR_FAULT if the access faulted (nothing changed). */
fe_status_t arch_probe_read64(const void *addr, uint64_t *out);
fe_status_t arch_probe_write64(void *addr, uint64_t value);
fe_status_t arch_probe_write8(void *addr, uint8_t value);

struct extable_entry {
	uint64_t fault_rip;
	uint64_t fixup_rip;
};

/* The fixup address for a faulting kernel rip, or 0 if it has none. */
uint64_t extable_fixup(uint64_t rip);

/* setjmp/longjmp for the test framework (setjmp.S). */
struct arch_jmp_buf {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};
int arch_setjmp(struct arch_jmp_buf *jb) __attribute__((returns_twice));
void arch_longjmp(struct arch_jmp_buf *jb, int value) __attribute__((noreturn));

#endif /* FERROUS_ARCH_PROBE_H */
