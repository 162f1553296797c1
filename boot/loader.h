/* SPDX-License-Identifier: MIT */
/*
 * ferrous-boot, the UEFI loader: its internal interfaces, one section per
 * source file. docs/boot.md describes the whole flow; main.c runs it.
 *
 * Error policy: every failure in the loader ends the same way, in fatal()
 * (print the reason, wait boot.error_wait seconds, power off). So a firmware
 * call that fails where there is no fallback calls fatal() on the spot,
 * naming the file or call and the EFI status; a function returns fe_status_t
 * only where its caller has a choice (an optional file that is missing).
 *
 * The loader is single-threaded and runs with the firmware's identity
 * mapping, so a physical address and a pointer are the same number until
 * handoff() loads the kernel's tables.
 */
#ifndef FERROUS_BOOT_LOADER_H
#define FERROUS_BOOT_LOADER_H

#include <efi.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <ferrous/boot_info.h>
#include <ferrous/errors.h>

#include "lib/util.h"

#define LOADER_VERSION "0.1.0"
#define LOADER_NAME "ferrous-boot " LOADER_VERSION
_Static_assert(sizeof(LOADER_NAME) <= sizeof(((struct fe_boot_info *)0)->loader_name),
               "loader name must fit boot_info.loader_name with its NUL");

/* The firmware entry point (main.c). */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* ---- efi.c: firmware handles and page allocation ---- */

/* Written once by efi_init() before anything else runs; read-only after. */
extern EFI_HANDLE efi_image;
extern EFI_SYSTEM_TABLE *efi_st;
extern EFI_BOOT_SERVICES *efi_bs;

/* Records the firmware's handles and disables the boot-services watchdog. */
void efi_init(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/*
 * Allocates whole pages (at least one) of UEFI memory type `type` for
 * `bytes` bytes anywhere in RAM and returns their physical address. `what`
 * names the use in the fatal message if the firmware has no memory left.
 */
uint64_t efi_alloc_pages(uint32_t type, uint64_t bytes, const char *what);

/* Returns pages from efi_alloc_pages() of that byte count to the firmware. */
void efi_free_pages(uint64_t phys, uint64_t bytes);

/* The constant name of an EFI status, e.g. "EFI_NOT_FOUND"; never NULL. */
const char *efi_status_name(EFI_STATUS st);

/* ---- console.c: messages on ConOut (which OVMF mirrors to the serial port) ---- */

/* printf to ConOut, "\n" sent as "\r\n". Boot services only. */
void con_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
void con_vprintf(const char *fmt, va_list ap);

/* ---- fatal.c: the one way the loader fails ---- */

/* Seconds fatal() waits before it powers off (boot.error_wait; default 5). */
void fatal_set_wait(unsigned seconds);

/*
 * Prints "ferrous-boot: error: <message>", waits the error delay, then shuts
 * the machine down (under QEMU this ends QEMU). Boot services only.
 */
NORETURN void fatal(const char *fmt, ...) PRINTF_LIKE(1, 2);

/*
 * fatal() for use after the first ExitBootServices() call, when neither the
 * console nor Stall() may be used: the message travels as ResetSystem()'s
 * reset data, the only channel left. `st` is the failed call's status, or
 * EFI_SUCCESS when no firmware call failed.
 */
NORETURN void fatal_after_exit(const char *why, EFI_STATUS st);

/* ---- file.c: reading files from the EFI system partition ---- */

/* A file the loader reads from its ESP. */
struct esp_file {
	const CHAR16 *path; /* for the firmware (boot_info.h) */
	const char *name;   /* the same path, for messages */
};
extern const struct esp_file esp_kernel, esp_initrd, esp_cmdline;

/* Opens the root directory of the volume this loader was loaded from. */
EFI_FILE_HANDLE esp_open_root(void);

/*
 * Reads file `f` whole into fresh FE_EFI_MEM_BOOT_DATA pages with at least
 * `extra` zero bytes after its contents (everything after the contents up to
 * the page end is zeroed). Fills out->phys and out->size (the file's size).
 * Returns FE_OK, or FE_ERR_NOT_FOUND when the file does not exist (nothing
 * allocated); any other failure is fatal.
 */
fe_status_t esp_read(EFI_FILE_HANDLE root, const struct esp_file *f, uint64_t extra,
                     struct fe_blob *out);

/* ---- cmdline.c: the kernel command line ---- */

/*
 * Loads \ferrous\cmdline.txt as a NUL-terminated string in boot-data pages
 * (a missing file gives the empty string); out->size counts the NUL.
 * Applies the loader's own option boot.error_wait=SECONDS. Fatal if the file
 * is too long for the kernel or is not printable text.
 */
void cmdline_load(EFI_FILE_HANDLE root, struct fe_blob *out);

/* ---- load_kernel.c: the kernel ELF ---- */

struct loaded_kernel {
	struct fe_blob file; /* the ELF as read from the ESP */
	uint64_t phys;       /* the loaded image: page aligned, physically contiguous */
	uint64_t virt;       /* link address of `phys`: the lowest PT_LOAD page */
	uint64_t size;       /* bytes, a page multiple */
	uint64_t entry;      /* ELF entry point (virtual) */
};

/*
 * Reads \ferrous\kernel.elf, checks it with the shared ELF checker, and
 * loads every PT_LOAD segment into one FE_EFI_MEM_KERNEL run (bss zeroed).
 * Any problem is fatal, with a message naming the file and the problem.
 */
void kernel_load(EFI_FILE_HANDLE root, struct loaded_kernel *k);

/* ---- acpi.c ---- */

/* The ACPI RSDP from the configuration table (2.0 GUID first, then 1.0), or 0. */
uint64_t acpi_find_rsdp(void);

/* ---- memory_map.c: the firmware's map and the exit from boot services ---- */

/* The firmware memory map, in a buffer allocated once with room to grow. */
struct efi_mmap {
	uint8_t *buf;
	UINTN buf_size;  /* bytes allocated */
	UINTN size;      /* bytes the last GetMemoryMap() filled */
	UINTN key;
	UINTN desc_size; /* stride between descriptors (may exceed the struct) */
	UINT32 desc_version;
};

/* Allocates the map buffer (loader data) and fills it with the current map. */
void mmap_init(struct efi_mmap *m);

UINTN mmap_count(const struct efi_mmap *m);
const EFI_MEMORY_DESCRIPTOR *mmap_desc(const struct efi_mmap *m, UINTN i);

/* True for the types the loader's page tables leave unmapped (device space). */
bool mmap_is_mmio(UINT32 efi_type);

/*
 * The last step with boot services: takes the final map, converts it into
 * `out` (room for FE_BOOT_MAX_MEM_RANGES: sorted, merged, Ferrous types) and
 * calls ExitBootServices(), retrying once with a fresh map if the map changed.
 * Returns the number of entries in `out`. Neither allocates nor prints
 * between the final GetMemoryMap() and ExitBootServices(); fatal on failure.
 */
uint32_t mmap_exit_boot_services(struct efi_mmap *m, struct fe_mem_range *out);

/* ---- page_tables.c: the hand-off address space ---- */

/*
 * Builds the tables boot_info.h promises: every non-MMIO range of `m`
 * identity mapped and again at FE_HHDM_BASE (NX if `nx`), in 2 MiB pages
 * (ranges rounded outward), and the kernel image at its link address in
 * 4 KiB pages, writable and executable. Tables live in
 * FE_EFI_MEM_BOOT_TABLES pages. Returns the PML4's physical address and sets
 * *hhdm_size to the end of the highest mapped range. Fatal on failure.
 */
uint64_t pt_build(const struct efi_mmap *m, const struct loaded_kernel *k, bool nx,
                  uint64_t *hhdm_size);

/* ---- handoff.c: leaving the loader ---- */

/* True if the CPU supports no-execute pages (CPUID 0x80000001 EDX bit 20). */
bool cpu_has_nx(void);

/*
 * Enters the kernel in the state boot_info.h describes: interrupts off,
 * EFER.NXE set if `nx`, CR3 = pml4, %rdi = boot_info_virt, jumping to
 * `entry`. Boot services must already be exited.
 */
NORETURN void handoff(uint64_t pml4, bool nx, uint64_t entry, uint64_t boot_info_virt);

#endif /* FERROUS_BOOT_LOADER_H */
