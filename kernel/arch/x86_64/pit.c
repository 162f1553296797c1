/* SPDX-License-Identifier: MIT */
/*
 * SAFETY: ports 0x40-0x43 and 0x61 belong to the kernel; callers run with
 * interrupts off (calibration) or own IRQ 0 (tests).
 */
#include <arch/pit.h>
#include <arch/x86.h>

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PORT_B 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */

uint64_t pit_measure_tsc(unsigned ms)
{
	uint32_t count = PIT_HZ / 1000u * ms;

	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x02) | 0x01));
	outb(PIT_MODE, 0xb0); /* channel 2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	/* Restart the count by toggling the gate. */
	outb(PORT_B, (uint8_t)(inb(PORT_B) & ~0x01));
	outb(PORT_B, (uint8_t)(inb(PORT_B) | 0x01));
	uint64_t start = rdtsc();
	while (!(inb(PORT_B) & 0x20))
		cpu_relax();
	return rdtsc() - start;
}

void pit_oneshot(uint16_t ticks)
{
	outb(PIT_MODE, 0x30); /* channel 0, lo/hi byte, mode 0 (interrupt on terminal count) */
	outb(PIT_CH0, (uint8_t)ticks);
	outb(PIT_CH0, (uint8_t)(ticks >> 8));
}
