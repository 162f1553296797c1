/* SPDX-License-Identifier: MIT */
/*
 * The legacy 8259 PICs. Ferrous routes interrupts through the IOAPIC, so the
 * PICs are remapped away from the exception vectors (to VEC_PIC_BASE) and
 * masked. A spurious IRQ 7 or 15 they may still raise lands on a vector
 * irq.c counts as spurious.
 *
 * SAFETY: ports 0x20/0x21/0xa0/0xa1 belong to the kernel; run once at boot
 * with interrupts disabled.
 */
#include <arch/interrupts.h>
#include <arch/x86.h>

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_PIC_BASE);     /* ICW2: vector base */
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 0x04);             /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);             /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);             /* mask everything */
	outb(PIC2_DATA, 0xff);
}
