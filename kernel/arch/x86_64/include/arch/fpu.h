/* SPDX-License-Identifier: MIT */
/*
 * The user-visible floating-point and vector state (x87, SSE, and AVX or
 * AVX-512 where the CPU has them): what each thread keeps across context
 * switches (ADR 0007).
 *
 * Every user thread owns one save area of arch_fpu_area_size() bytes,
 * ARCH_FPU_ALIGN-aligned. The scheduler saves the leaving thread's registers
 * into its area and loads the arriving thread's from its own, so no value in
 * an x87, XMM, YMM or ZMM register, MXCSR or the x87 control word ever passes
 * from one thread to another. The kernel itself is built without FPU or SIMD
 * instructions (-mgeneral-regs-only), so between those two points the
 * registers hold the user thread's values untouched.
 */
#ifndef FERROUS_ARCH_FPU_H
#define FERROUS_ARCH_FPU_H

#include <stddef.h>
#include <stdint.h>

/* XSAVE needs 64-byte alignment (FXSAVE 16). */
#define ARCH_FPU_ALIGN 64u

/* XCR0 / XSTATE_BV component bits. */
#define FPU_X87 (1ULL << 0)
#define FPU_SSE (1ULL << 1)
#define FPU_AVX (1ULL << 2)
#define FPU_AVX512 (7ULL << 5) /* opmask, ZMM_Hi256, Hi16_ZMM: all or none */

/* Boot CPU, once, before any thread exists: picks XSAVEOPT, XSAVE or FXSAVE
 * and the components to enable, sizes the save area, builds the clean image
 * new threads start from. Panics on a CPU without FXSR (every x86_64 has it). */
void arch_fpu_probe(void);
/* Every CPU, the boot CPU after arch_fpu_probe: enables the chosen state in
 * CR0, CR4 and XCR0 (x87 errors raise #MF, SIMD errors #XM). */
void arch_fpu_init_cpu(void);

/* Bytes of one save area (a multiple of ARCH_FPU_ALIGN). */
size_t arch_fpu_area_size(void);
/* The components enabled (FPU_* bits); FPU_X87 | FPU_SSE at least. */
uint64_t arch_fpu_features(void);
/* "xsaveopt", "xsave" or "fxsave". */
const char *arch_fpu_method(void);

/* Fills area with the clean state: FCW 0x37F (all x87 exceptions masked,
 * 64-bit precision, round to nearest), MXCSR 0x1F80 (all SIMD exceptions
 * masked), every data register zero. */
void arch_fpu_init_state(void *area);
/* Saves this CPU's user FPU/SIMD registers into area. */
void arch_fpu_save(void *area);
/* Loads this CPU's user FPU/SIMD registers from area (saved by
 * arch_fpu_save or filled by arch_fpu_init_state). */
void arch_fpu_restore(const void *area);

#endif /* FERROUS_ARCH_FPU_H */
