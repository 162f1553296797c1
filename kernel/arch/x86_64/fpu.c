/* SPDX-License-Identifier: MIT */
/*
 * Saving and loading the user's x87/SSE/AVX state (arch/fpu.h, ADR 0007).
 *
 * The method is chosen once: XSAVEOPT where the CPU has it (it skips
 * components still in their initial state or unchanged since the last
 * XRSTOR from the same area), else XSAVE, else FXSAVE (x87 and SSE only).
 * Enabled components: x87 and SSE always; AVX and AVX-512 when CPUID
 * reports them and XSAVE can manage them. PKRU, AMX and the supervisor
 * components stay off: nothing in Ferrous uses them, so no user can either.
 */
#include <arch/fpu.h>
#include <arch/x86.h>

#include "core/log.h"
#include "core/panic.h"
#include "lib/string.h"
#include "lib/util.h"

/* Offsets in the 512-byte legacy region (FXSAVE layout, also XSAVE's first
 * 512 bytes) and in the XSAVE header that follows it. */
#define LEGACY_FCW 0
#define LEGACY_MXCSR 24
#define LEGACY_BYTES 512u
#define XSAVE_HEADER_BV 512 /* XSTATE_BV: components the area holds */
#define XSAVE_HEADER_BYTES 64u

#define FCW_CLEAN 0x037fu   /* every x87 exception masked, 64-bit precision, nearest */
#define MXCSR_CLEAN 0x1f80u /* every SIMD exception masked, round to nearest */

#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX (1u << 28)
#define CPUID1_EDX_FXSR (1u << 24)
#define CPUID7_EBX_AVX512F (1u << 16)
#define CPUID_D1_EAX_XSAVEOPT (1u << 0)

enum fpu_method { FPU_FXSAVE, FPU_XSAVE, FPU_XSAVEOPT };

static enum fpu_method method;
static uint64_t xcr0;        /* components enabled (FPU_X87 | FPU_SSE for FXSAVE) */
static size_t area_size;
static uint8_t clean_area[4096] __attribute__((aligned(ARCH_FPU_ALIGN)));

/* SAFETY: XCR0 may only name components CPUID.(0xD,0).EAX supports, with x87
 * set, and AVX set whenever an AVX-512 bit is; CR4.OSXSAVE must be on. */
static void xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(0u), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* XSAVE with its CPUID leaf 0xD (which sizes the area). */
static bool has_xsave(void)
{
	return (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE) && cpuid(0, 0).eax >= 0xd;
}

static uint64_t wanted_components(void)
{
	struct cpuid_regs r1 = cpuid(1, 0);
	uint32_t max_leaf = cpuid(0, 0).eax;
	uint64_t want = FPU_X87 | FPU_SSE;

	if (!has_xsave())
		return want;
	struct cpuid_regs d0 = cpuid(0xd, 0);
	uint64_t supported = ((uint64_t)d0.edx << 32) | d0.eax;
	if ((r1.ecx & CPUID1_ECX_AVX) && (supported & FPU_AVX))
		want |= FPU_AVX;
	if ((want & FPU_AVX) && max_leaf >= 7 && (cpuid(7, 0).ebx & CPUID7_EBX_AVX512F) &&
	    (supported & FPU_AVX512) == FPU_AVX512)
		want |= FPU_AVX512;
	return want;
}

void arch_fpu_probe(void)
{
	if (!(cpuid(1, 0).edx & CPUID1_EDX_FXSR))
		panic("fpu: the CPU has no FXSAVE/FXRSTOR; user FPU state cannot be kept");
	xcr0 = wanted_components();
	method = FPU_FXSAVE;
	area_size = LEGACY_BYTES;
	if (has_xsave())
		method = (cpuid(0xd, 1).eax & CPUID_D1_EAX_XSAVEOPT) ? FPU_XSAVEOPT : FPU_XSAVE;
	arch_fpu_init_cpu();
	if (method != FPU_FXSAVE)
		area_size = cpuid(0xd, 0).ebx; /* for the components now in XCR0 */
	area_size = ALIGN_UP(area_size, (size_t)ARCH_FPU_ALIGN);
	size_t least = LEGACY_BYTES + (method == FPU_FXSAVE ? 0 : XSAVE_HEADER_BYTES);
	if (area_size < least || area_size > sizeof(clean_area))
		panic("fpu: save area of %zu bytes is out of range", area_size);

	memset(clean_area, 0, sizeof(clean_area));
	uint16_t fcw = FCW_CLEAN;
	uint32_t mxcsr = MXCSR_CLEAN;
	memcpy(clean_area + LEGACY_FCW, &fcw, sizeof(fcw));
	memcpy(clean_area + LEGACY_MXCSR, &mxcsr, sizeof(mxcsr));
	if (method != FPU_FXSAVE) {
		/* x87 and SSE loaded from the legacy region above; every other
		 * component (XSTATE_BV bit clear) to its initial state: zero. */
		uint64_t bv = FPU_X87 | FPU_SSE;
		memcpy(clean_area + XSAVE_HEADER_BV, &bv, sizeof(bv));
	}
	pr_info("fpu: %s, x87 SSE%s%s, %zu bytes per thread\n", arch_fpu_method(),
	        (xcr0 & FPU_AVX) ? " AVX" : "", (xcr0 & FPU_AVX512) ? " AVX-512" : "", area_size);
}

/* SAFETY: CR0.EM clear and MP set make x87/SSE instructions run (and fwait
 * honour TS); TS clear means no #NM (the state is switched eagerly); NE
 * reports x87 errors as #MF rather than through the legacy FERR# line.
 * OSFXSR enables SSE and FXSAVE's XMM part, OSXMMEXCPT turns SIMD errors into
 * #XM; OSXSAVE is set only where the CPU has XSAVE, before XCR0 is written. */
void arch_fpu_init_cpu(void)
{
	uint64_t cr0 = read_cr0();
	cr0 = (cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
	write_cr0(cr0);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (method != FPU_FXSAVE)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	if (method != FPU_FXSAVE)
		xsetbv0(xcr0);
}

size_t arch_fpu_area_size(void)
{
	return area_size;
}

uint64_t arch_fpu_features(void)
{
	return xcr0;
}

const char *arch_fpu_method(void)
{
	static const char *const names[] = { [FPU_FXSAVE] = "fxsave", [FPU_XSAVE] = "xsave",
		                             [FPU_XSAVEOPT] = "xsaveopt" };
	return names[method];
}

void arch_fpu_init_state(void *area)
{
	memcpy(area, clean_area, area_size);
}

/* SAFETY: area is ARCH_FPU_ALIGN-aligned, area_size bytes, owned by the
 * thread being saved or loaded; EDX:EAX = all ones asks for every component
 * in XCR0. An area loaded here was written by arch_fpu_save or
 * arch_fpu_init_state, so its header and MXCSR are valid and XRSTOR/FXRSTOR
 * cannot fault. */
void arch_fpu_save(void *area)
{
	switch (method) {
	case FPU_XSAVEOPT:
		__asm__ volatile("xsaveopt64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
		break;
	case FPU_XSAVE:
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
		break;
	case FPU_FXSAVE:
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
		break;
	}
}

void arch_fpu_restore(const void *area)
{
	if (method == FPU_FXSAVE)
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
	else
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
}
