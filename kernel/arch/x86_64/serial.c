/* SPDX-License-Identifier: MIT */
/*
 * The 16550 UART on COM1: the kernel's console. Polled output (no interrupt
 * needed, works in a panic); input is polled too until a user-space console
 * driver takes the device over.
 */
#include <stdbool.h>

#include <arch/serial.h>
#include <arch/x86.h>

#define COM1 0x3f8
#define REG_DATA 0      /* DLAB=0: transmit/receive buffer */
#define REG_IER 1       /* DLAB=0: interrupt enable */
#define REG_DLL 0       /* DLAB=1: divisor low */
#define REG_DLM 1       /* DLAB=1: divisor high */
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

/* SAFETY: COM1's ports belong to the kernel's console (this file) until a
 * user-space console driver is given them. */
void arch_serial_init(void)
{
	outb(COM1 + REG_IER, 0x00);  /* no interrupts */
	outb(COM1 + REG_LCR, 0x80);  /* DLAB on */
	outb(COM1 + REG_DLL, 1);     /* 115200 baud */
	outb(COM1 + REG_DLM, 0);
	outb(COM1 + REG_LCR, 0x03);  /* 8N1, DLAB off */
	outb(COM1 + REG_FCR, 0xc7);  /* FIFOs on, cleared, 14-byte threshold */
	outb(COM1 + REG_MCR, 0x0b);  /* DTR, RTS, OUT2 */
}

void arch_serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the kernel. */
	for (unsigned spins = 0; spins < 100000; spins++) {
		if (inb(COM1 + REG_LSR) & LSR_THR_EMPTY)
			break;
		cpu_relax();
	}
	outb(COM1 + REG_DATA, (uint8_t)c);
}

int arch_serial_getc(void)
{
	if (!(inb(COM1 + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + REG_DATA);
}

void arch_serial_enable_irq(unsigned bits)
{
	outb(COM1 + REG_IER, (uint8_t)bits);
}
