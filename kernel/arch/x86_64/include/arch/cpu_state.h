/* SPDX-License-Identifier: MIT */
/* The x86_64 part of each CPU's state: its GDT and TSS. */
#ifndef FERROUS_ARCH_CPU_STATE_H
#define FERROUS_ARCH_CPU_STATE_H

#include <stdint.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];   /* stack for entries from ring 3 (rsp[0]) */
	uint64_t reserved1;
	uint64_t ist[7];   /* IST1..IST7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS layout (SDM vol 3 fig 8-11)");

#define GDT_ENTRIES 7 /* null, kcode, kdata, udata, ucode, tss (two slots) */

struct arch_cpu {
	uint64_t gdt[GDT_ENTRIES];
	struct tss tss;
	uint64_t ist_tops[3]; /* APs: #DF, NMI, #MC stacks, set before start-up */
};

#endif /* FERROUS_ARCH_CPU_STATE_H */
