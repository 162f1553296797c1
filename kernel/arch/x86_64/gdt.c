/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU GDT and TSS. The GDT holds flat 64-bit segments (the order user
 * data, user code is what SYSRET requires) and the CPU's TSS, whose IST slots
 * give #DF, NMI and #MC known-good stacks even when the kernel stack is gone.
 */
#include <arch/asm.h>
#include <arch/gdt.h>
#include <arch/x86.h>

#include "core/cpu.h"

/* Access byte | flags, as in SDM vol 3 section 3.4.5. */
#define GDT_KCODE 0x00af9a000000ffffULL /* present, DPL0, code, long mode */
#define GDT_KDATA 0x00cf92000000ffffULL /* present, DPL0, data, writable */
#define GDT_UDATA 0x00cff2000000ffffULL /* present, DPL3, data, writable */
#define GDT_UCODE 0x00affa000000ffffULL /* present, DPL3, code, long mode */

struct __attribute__((packed)) gdt_ptr {
	uint16_t limit;
	uint64_t base;
};

/* Encodes the 16-byte available-TSS descriptor for `tss` into two slots. */
static void gdt_set_tss(uint64_t *slot, const struct tss *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
	          (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

/* SAFETY: loads the new GDT, reloads every segment register (CS through a far
 * return) and the task register. The GDT and TSS live in struct cpu, which is
 * never freed, so the descriptors stay valid. */
static void gdt_load(const struct gdt_ptr *p)
{
	__asm__ volatile("lgdt (%0)\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw %w2, %%ds\n\t"
	                 "movw %w2, %%es\n\t"
	                 "movw %w2, %%ss\n\t"
	                 "xorl %%eax, %%eax\n\t"
	                 "movw %%ax, %%fs\n\t"
	                 "movw %%ax, %%gs\n\t"
	                 "ltr %w3"
	                 :
	                 : "r"(p), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS)
	                 : "rax", "memory");
}

void gdt_init_cpu(struct cpu *c, const uint64_t ist_tops[3])
{
	struct arch_cpu *a = &c->arch;

	a->gdt[0] = 0;
	a->gdt[1] = GDT_KCODE;
	a->gdt[2] = GDT_KDATA;
	a->gdt[3] = GDT_UDATA;
	a->gdt[4] = GDT_UCODE;
	gdt_set_tss(&a->gdt[5], &a->tss);
	a->tss.ist[IST_DOUBLE_FAULT - 1] = ist_tops[0];
	a->tss.ist[IST_NMI - 1] = ist_tops[1];
	a->tss.ist[IST_MACHINE_CHECK - 1] = ist_tops[2];
	a->tss.iomap_base = sizeof(struct tss); /* no I/O bitmap: ring 3 gets no ports */

	struct gdt_ptr p = { sizeof(a->gdt) - 1, (uint64_t)(uintptr_t)a->gdt };
	gdt_load(&p);
	/* Loading GS's selector zeroed GS_BASE: point it back at this CPU. */
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}

void gdt_set_kernel_stack(struct cpu *c, uint64_t rsp0)
{
	c->arch.tss.rsp[0] = rsp0;
}
