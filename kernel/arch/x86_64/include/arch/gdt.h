/* SPDX-License-Identifier: MIT */
#ifndef FERROUS_ARCH_GDT_H
#define FERROUS_ARCH_GDT_H

#include <stdint.h>

struct cpu;

/*
 * Builds and loads c's GDT and TSS, with IST stacks for #DF, NMI and #MC at
 * ist_tops[0..2] (top-of-stack addresses), and points GS_BASE at c.
 * Must run on the CPU that c describes.
 */
void gdt_init_cpu(struct cpu *c, const uint64_t ist_tops[3]);

/* The stack the CPU switches to on an interrupt or syscall from ring 3. */
void gdt_set_kernel_stack(struct cpu *c, uint64_t rsp0);

/* Installs the shared IDT on the calling CPU (idt.c). */
void idt_load(void);

#endif /* FERROUS_ARCH_GDT_H */
