/* SPDX-License-Identifier: MIT */
/*
 * QEMU's `edu` device (1234:11e8, hw/misc/edu.c) for the DMA suites: it
 * copies between memory and its own 4 KiB buffer on command, 100 ms of
 * virtual time after the command, and raises an MSI when asked. Without an
 * IOMMU it sees physical memory; with one, its function's domain.
 */
#ifndef FERROUS_UTEST_EDU_H
#define FERROUS_UTEST_EDU_H

#include "ut.h"

#define EDU_VA 0x72000000ULL
#define EDU_BAR_SIZE (1ULL << 20)
/* Registers. */
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 1u
#define EDU_DMA_TO_RAM 2u
#define EDU_BUFFER 0x40000u /* the device's buffer, as a DMA address */
/* Bytes per copy: less than the 4 KiB buffer, since QEMU 7.2's edu refuses
 * a copy that ends exactly at the buffer's end (its range check is off by one). */
#define EDU_COPY 2048u
#define EDU_PATTERN 0xa5

struct edu {
	fe_handle_t dev, bar;
	uint32_t addr;
	volatile uint8_t *regs;
};

/* The edu's function address; skips the case (UINT32_MAX) without one. */
uint32_t edu_find(struct ut *t);
/* BAR 0 of device capability `dev` mapped at va, memory decoding and bus
 * mastering on. False (case failed) otherwise. */
bool edu_open(struct ut *t, struct edu *e, uint32_t addr, fe_handle_t dev, uint64_t va);
void edu_close(struct ut *t, struct edu *e);
void edu_wr32(struct edu *e, uint32_t off, uint32_t v);
uint32_t edu_rd32(struct edu *e, uint32_t off);
/* Starts a copy of `count` bytes from src to dst (EDU_DMA_TO_RAM: from the
 * buffer to memory); edu_dma also waits until the device is done. */
void edu_dma_start(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, uint32_t cmd);
void edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, uint32_t cmd);

/* A VMO of `pages` pages filled with `fill` (FE_VMO_CONTIGUOUS if asked). */
fe_handle_t edu_pages(struct ut *t, size_t pages, uint8_t fill, bool contiguous);
/* Of v's bytes [off, off + len) (within its first two pages), how many differ from fill. */
unsigned edu_differing(struct ut *t, fe_handle_t v, size_t off, size_t len, uint8_t fill);

/* The kernel's DMA figures (fe_kernel_stats). */
uint64_t edu_iommu_units(struct ut *t);
uint64_t edu_dma_faults(struct ut *t);

#endif /* FERROUS_UTEST_EDU_H */
