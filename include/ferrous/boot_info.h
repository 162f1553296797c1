/* SPDX-License-Identifier: MIT */
/*
 * The boot protocol: what the UEFI loader (boot/) hands the kernel.
 *
 * The loader enters the kernel at the ELF entry point with:
 *   - long mode, interrupts disabled, boot services exited;
 *   - %rdi = the virtual address (in the direct map) of one struct fe_boot_info;
 *   - CR3 = loader-built tables that map
 *       (a) every memory-map range except MMIO identity (virt == phys),
 *       (b) the same ranges again at FE_HHDM_BASE + phys ("direct map"), NX,
 *       (c) the kernel image at its link address, 4 KiB pages, writable and executable;
 *     the kernel replaces them with its own tables (W^X) at once;
 *   - EFER.NXE set when the CPU has NX (the loader uses NX bits only then);
 *   - a stack in loader memory of at least FE_BOOT_MIN_STACK bytes, 16-byte
 *     aligned as after a call, with a zero return address on top; the kernel
 *     switches to its own stack before it calls any C code;
 *   - the firmware's GDT and IDT (in FE_MEM_BOOT_RECLAIMABLE memory) and CR0/CR4
 *     as the firmware left them: the kernel loads its own before relying on them.
 *
 * The identity and direct maps cover the memory-map ranges that are not MMIO,
 * rounded out to 2 MiB, so holes between ranges below hhdm_size may or may not
 * be mapped: the kernel reads only ranges the map lists.
 *
 * Every address in struct fe_boot_info is physical unless its name says "virt".
 * The kernel checks all of it (kernel/core/boot_info_check.c) before use: the
 * structure is untrusted input to the kernel's early code.
 *
 * Versioning: `version` changes when a field changes meaning; fields are only
 * ever appended, and `size` tells how many bytes the loader filled, so a kernel
 * can reject a loader that is too old instead of reading garbage.
 */
#ifndef FERROUS_BOOT_INFO_H
#define FERROUS_BOOT_INFO_H

#include <stdint.h>

#define FE_BOOT_INFO_MAGIC 0x544f4f4253524546ULL /* "FERSBOOT" little-endian */
#define FE_BOOT_INFO_VERSION 1u

#define FE_PAGE_SIZE 4096ULL
#define FE_HHDM_BASE 0xffff800000000000ULL    /* direct map of physical memory */
#define FE_KERNEL_VIRT_BASE 0xffffffff80000000ULL /* -mcmodel=kernel: top 2 GiB */
#define FE_BOOT_MIN_STACK (16u * 1024u)

/* Memory-map limits the kernel is willing to accept. */
#define FE_BOOT_MAX_MEM_RANGES 1024u
#define FE_BOOT_MAX_CMDLINE 4096u

/* Paths on the EFI system partition, in ASCII (messages) and UCS-2 (UEFI). */
#define FE_BOOT_KERNEL_NAME "\\ferrous\\kernel.elf"
#define FE_BOOT_INITRD_NAME "\\ferrous\\initrd.cpio"
#define FE_BOOT_CMDLINE_NAME "\\ferrous\\cmdline.txt"
#define FE_BOOT_KERNEL_PATH u"" FE_BOOT_KERNEL_NAME
#define FE_BOOT_INITRD_PATH u"" FE_BOOT_INITRD_NAME
#define FE_BOOT_CMDLINE_PATH u"" FE_BOOT_CMDLINE_NAME

/*
 * UEFI memory types an OS loader may define (UEFI 2.x, 0x80000000 and up).
 * The loader allocates with these so the map tells the kernel what is what.
 */
#define FE_EFI_MEM_KERNEL 0x80000000u      /* loaded kernel image */
#define FE_EFI_MEM_BOOT_DATA 0x80000001u   /* boot_info, map, cmdline, initrd, kernel file */
#define FE_EFI_MEM_BOOT_TABLES 0x80000002u /* the loader's page tables */

/* What a physical range holds. */
enum fe_mem_type {
	FE_MEM_USABLE = 1,          /* free RAM */
	FE_MEM_RESERVED = 2,        /* never touch */
	FE_MEM_ACPI_RECLAIMABLE = 3,/* ACPI tables: usable once they are parsed */
	FE_MEM_ACPI_NVS = 4,        /* firmware keeps state here: never touch */
	FE_MEM_MMIO = 5,            /* device registers, not RAM */
	FE_MEM_BAD = 6,             /* faulty RAM */
	FE_MEM_KERNEL = 7,          /* the kernel image (all segments) */
	FE_MEM_BOOT_DATA = 8,       /* the blobs below: keep until consumed */
	FE_MEM_BOOT_RECLAIMABLE = 9,/* loader code/data/page tables, UEFI boot
	                               services memory: free once the kernel runs
	                               on its own stack and page tables */
	FE_MEM_FIRMWARE = 10,       /* UEFI runtime services code and data */
	FE_MEM_PERSISTENT = 11,     /* non-volatile RAM */
	FE_MEM_TYPE_MAX = 11,
};

struct fe_mem_range {
	uint64_t base;  /* page aligned */
	uint64_t pages; /* 4 KiB pages, > 0 */
	uint32_t type;  /* enum fe_mem_type */
	uint32_t reserved; /* zero */
};
_Static_assert(sizeof(struct fe_mem_range) == 24, "fe_mem_range is ABI");

/* A region of physical memory holding loaded bytes; size 0 means absent. */
struct fe_blob {
	uint64_t phys;
	uint64_t size;
};
_Static_assert(sizeof(struct fe_blob) == 16, "fe_blob is ABI");

struct fe_boot_info {
	uint64_t magic;     /* FE_BOOT_INFO_MAGIC */
	uint32_t version;   /* FE_BOOT_INFO_VERSION */
	uint32_t size;      /* sizeof(struct fe_boot_info) as the loader knew it */

	uint64_t hhdm_base; /* == FE_HHDM_BASE */
	uint64_t hhdm_size; /* end of the highest range the direct map covers (not all of
	                       [0, hhdm_size) is mapped: see above) */

	uint64_t kernel_phys; /* physical base of the image (page aligned) */
	uint64_t kernel_virt; /* its link address (lowest PT_LOAD vaddr, page aligned) */
	uint64_t kernel_size; /* bytes, page multiple; image is physically contiguous */

	struct fe_blob kernel_file; /* the kernel ELF as read (symbols for backtraces) */
	struct fe_blob initrd;      /* cpio newc archive; size 0 when absent */
	struct fe_blob cmdline;     /* NUL-terminated text; size counts the NUL */

	uint64_t acpi_rsdp;  /* physical address of the RSDP, 0 if firmware gave none */
	uint64_t mem_map;    /* physical address of struct fe_mem_range[mem_map_count] */
	uint32_t mem_map_count;
	uint32_t mem_map_entry_size; /* sizeof(struct fe_mem_range) */

	uint64_t tsc_loader_entry; /* TSC when the loader started */
	uint64_t tsc_loader_exit;  /* TSC just before the jump to the kernel */

	char loader_name[32]; /* NUL-terminated, e.g. "ferrous-boot 0.1" */
};
_Static_assert(sizeof(struct fe_boot_info) == 176, "fe_boot_info is ABI");

#endif /* FERROUS_BOOT_INFO_H */
