/* SPDX-License-Identifier: MIT */
/*
 * One-line wrappers around x86_64 instructions that C cannot express.
 *
 * This header and the other files under kernel/arch/ are the only places in
 * the kernel with inline assembly (`make check` enforces it). Each wrapper
 * states the invariant its callers keep under SAFETY.
 */
#ifndef FERROUS_ARCH_X86_H
#define FERROUS_ARCH_X86_H

#include <stdbool.h>
#include <stdint.h>

/* SAFETY: port I/O touches devices directly; callers own the port (a driver
 * with the io-port capability in user space, or the kernel's own COM1, PIC,
 * PIT and QEMU exit ports). */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* SAFETY: MSR numbers must exist on this CPU (callers check CPUID first);
 * writes must leave the CPU in a mode the kernel expects. */
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* SAFETY: control-register writes change paging and protection for the whole
 * CPU; callers hold the invariants of kernel/arch/x86_64/cpu.c and paging.c. */
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

/* SAFETY: invlpg only drops a TLB entry; always safe, needed after a PTE change. */
static inline void invlpg(uintptr_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};
/* SAFETY: cpuid has no side effects beyond serialising. */
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
	return r;
}

/* SAFETY: rdtsc only reads the time-stamp counter. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* SAFETY: the interrupt flag is the kernel's to manage; callers that disable
 * interrupts restore the previous state (see irq_save/irq_restore). */
static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" : : : "memory"); }
/* sti; hlt back to back: an interrupt between them cannot be lost. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" : : : "memory"); }
/* Takes the interrupts pending on this CPU, then masks them again: sti
 * delays recognition by one instruction, so the nop is the window.
 * SAFETY: the caller holds no lock an interrupt handler takes. */
static inline void irq_window(void) { __asm__ volatile("sti; nop; cli" : : : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" : : : "memory"); }

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

#define RFLAGS_CF (1ULL << 0)
#define RFLAGS_RESERVED1 (1ULL << 1) /* always set */
#define RFLAGS_PF (1ULL << 2)
#define RFLAGS_AF (1ULL << 4)
#define RFLAGS_ZF (1ULL << 6)
#define RFLAGS_SF (1ULL << 7)
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_OF (1ULL << 11)
#define RFLAGS_IOPL (3ULL << 12)
#define RFLAGS_NT (1ULL << 14)
#define RFLAGS_RF (1ULL << 16)
#define RFLAGS_AC (1ULL << 18)
#define RFLAGS_ID (1ULL << 21)
/* What a user program may carry in RFLAGS: the arithmetic flags, TF (it
 * asks for its own debug trap), DF, AC (alignment checks in ring 3) and ID.
 * Never NT (an iretq with NT set faults in ring 0), IOPL, RF, VM or VIF. */
#define RFLAGS_USER_MASK (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | \
                          RFLAGS_TF | RFLAGS_DF | RFLAGS_OF | RFLAGS_AC | RFLAGS_ID)
/* Cleared on every entry to the kernel (SFMASK for syscall; the interrupt
 * stubs' popfq for the rest): no user flag survives into kernel code. */
#define RFLAGS_ENTRY_CLEAR (RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | \
                            RFLAGS_RF | RFLAGS_AC | RFLAGS_ID)

/* SAFETY: stac/clac toggle SMAP's user-access window; only the user-copy
 * primitive opens it, and it closes it on every path including faults. */
static inline void stac(void) { __asm__ volatile("stac" : : : "memory", "cc"); }
static inline void clac(void) { __asm__ volatile("clac" : : : "memory", "cc"); }

/* SAFETY: writes the cache line holding p back to memory and drops it, so
 * a reader that does not snoop CPU caches (a non-coherent IOMMU walking its
 * tables) sees what was stored; p must be mapped. mfence orders the
 * flushes before the register write that makes the reader look. */
static inline void clflush(const void *p) { __asm__ volatile("clflush (%0)" : : "r"(p) : "memory"); }
static inline void mfence(void) { __asm__ volatile("mfence" : : : "memory"); }

/* SAFETY: reads the frame-pointer register; the caller walks the chain with
 * checks (kernel/arch/x86_64/backtrace.c). */
static inline uint64_t read_rbp(void) { uint64_t v; __asm__ volatile("mov %%rbp, %0" : "=r"(v)); return v; }

static inline uint64_t read_rsp(void) { uint64_t v; __asm__ volatile("mov %%rsp, %0" : "=r"(v)); return v; }

/* MSR numbers used by the kernel. */
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_NXE (1ULL << 11)

#define CR0_MP (1ULL << 1)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR4_PGE (1ULL << 7)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_UMIP (1ULL << 11)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_OSXSAVE (1ULL << 18)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)

#endif /* FERROUS_ARCH_X86_H */
