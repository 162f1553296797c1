/* SPDX-License-Identifier: MIT */
/*
 * Mapping permissions, independent of the page-table format, and the layout
 * of the kernel half of every address space.
 */
#ifndef FERROUS_MM_VM_H
#define FERROUS_MM_VM_H

#include <stdint.h>

#define VM_READ 0x01u
#define VM_WRITE 0x02u
#define VM_EXEC 0x04u
#define VM_USER 0x08u
#define VM_UNCACHED 0x10u /* device memory */
#define VM_GLOBAL 0x20u   /* kernel mappings: survive address-space switches */
#define VM_LARGE 0x40u    /* 2 MiB / 1 GiB pages allowed where aligned */

/*
 * Kernel virtual layout (upper half; user space gets the lower half):
 *   0xffff800000000000  direct map of physical memory (FE_HHDM_BASE), 64 TiB
 *   0xffffc00000000000  vmap: MMIO windows, then kernel stacks with guards
 *   0xffffffff80000000  the kernel image (FE_KERNEL_VIRT_BASE)
 */
#define VMAP_BASE 0xffffc00000000000ULL
#define VMAP_MMIO_SIZE (256ULL << 30)
#define VMAP_STACK_BASE (VMAP_BASE + VMAP_MMIO_SIZE)
#define VMAP_STACK_SIZE (256ULL << 30)

#define PAGE_SIZE 4096ULL
#define PAGE_SHIFT_BITS 12

#endif /* FERROUS_MM_VM_H */
