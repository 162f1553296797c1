/* SPDX-License-Identifier: MIT */
#ifndef FERROUS_CORE_BACKTRACE_H
#define FERROUS_CORE_BACKTRACE_H

#include <stddef.h>
#include <stdint.h>

#define BACKTRACE_MAX 32

/*
 * Walks the frame-pointer chain from `rbp`, storing return addresses in pcs.
 * Every read goes through a probe, so a corrupt chain ends the walk instead of
 * faulting. Returns the number of addresses stored (arch/x86_64/backtrace.c).
 */
size_t arch_backtrace_walk(uint64_t rbp, uint64_t *pcs, size_t max);

/* Prints "Backtrace:" and one symbolised line per frame, starting at rip. */
void backtrace_print(uint64_t rip, uint64_t rbp);

#endif /* FERROUS_CORE_BACKTRACE_H */
