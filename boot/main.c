/* SPDX-License-Identifier: MIT */
/*
 * ferrous-boot: read the kernel, its ramdisk and its command line from the
 * ESP, build the hand-off page tables, exit boot services and enter the
 * kernel with one struct fe_boot_info (include/ferrous/boot_info.h).
 * The steps run in order; each depends only on the ones before it.
 */
#include <arch/x86.h>

#include "lib/string.h"
#include "loader.h"

/* A zeroed boot_info in boot-data pages, with the fields known at entry. */
static struct fe_boot_info *boot_info_alloc(uint64_t tsc_entry)
{
	struct fe_boot_info *bi = (struct fe_boot_info *)(uintptr_t)efi_alloc_pages(
	        FE_EFI_MEM_BOOT_DATA, sizeof(*bi), "boot_info");

	memset(bi, 0, sizeof(*bi));
	bi->magic = FE_BOOT_INFO_MAGIC;
	bi->version = FE_BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->hhdm_base = FE_HHDM_BASE;
	bi->mem_map_entry_size = sizeof(struct fe_mem_range);
	bi->tsc_loader_entry = tsc_entry;
	strlcpy(bi->loader_name, LOADER_NAME, sizeof(bi->loader_name));
	return bi;
}

/* The ramdisk is optional: missing or empty, the kernel boots without one. */
static void initrd_load(EFI_FILE_HANDLE root, struct fe_blob *out)
{
	if (esp_read(root, &esp_initrd, 0, out) == FE_ERR_NOT_FOUND) {
		*out = (struct fe_blob){ 0, 0 };
		con_printf("ferrous-boot: warning: no initrd at %s; booting without one\n",
		           esp_initrd.name);
		return;
	}
	if (out->size == 0) {
		efi_free_pages(out->phys, FE_PAGE_SIZE);
		*out = (struct fe_blob){ 0, 0 };
		con_printf("ferrous-boot: warning: %s is empty; booting without an initrd\n",
		           esp_initrd.name);
		return;
	}
	con_printf("ferrous-boot: %s: %llu bytes\n", esp_initrd.name,
	           (unsigned long long)out->size);
}

static uint64_t rsdp_find(void)
{
	uint64_t rsdp = acpi_find_rsdp();

	if (rsdp == 0)
		con_printf("ferrous-boot: warning: the firmware publishes no ACPI RSDP\n");
	return rsdp;
}

static void set_kernel(struct fe_boot_info *bi, const struct loaded_kernel *k)
{
	bi->kernel_phys = k->phys;
	bi->kernel_virt = k->virt;
	bi->kernel_size = k->size;
	bi->kernel_file = k->file;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	uint64_t tsc_entry = rdtsc();
	struct loaded_kernel k;
	struct efi_mmap m;

	efi_init(image, st);
	con_printf("%s\n", LOADER_NAME);
	struct fe_boot_info *bi = boot_info_alloc(tsc_entry);
	EFI_FILE_HANDLE root = esp_open_root();
	cmdline_load(root, &bi->cmdline);
	kernel_load(root, &k);
	set_kernel(bi, &k);
	initrd_load(root, &bi->initrd);
	bi->acpi_rsdp = rsdp_find();

	struct fe_mem_range *ranges = (struct fe_mem_range *)(uintptr_t)efi_alloc_pages(
	        FE_EFI_MEM_BOOT_DATA, FE_BOOT_MAX_MEM_RANGES * sizeof(*ranges), "the memory map");
	bi->mem_map = (uint64_t)(uintptr_t)ranges;
	mmap_init(&m);
	bool nx = cpu_has_nx();
	uint64_t pml4 = pt_build(&m, &k, nx, &bi->hhdm_size);

	con_printf("ferrous-boot: exiting boot services; entering the kernel at 0x%llx\n",
	           (unsigned long long)k.entry);
	bi->mem_map_count = mmap_exit_boot_services(&m, ranges);
	/* No boot services from here on: no console, no allocation. */
	bi->tsc_loader_exit = rdtsc();
	handoff(pml4, nx, k.entry, FE_HHDM_BASE + (uint64_t)(uintptr_t)bi);
}
