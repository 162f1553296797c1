/* SPDX-License-Identifier: MIT */
/*
 * The firmware memory map: taken once early (the page tables map it), and
 * once more at the very end, where it becomes the kernel's struct
 * fe_mem_range array and its key is handed to ExitBootServices().
 */
#include "loader.h"

/* A UEFI 2.5+ type that gnu-efi's enum predates. */
#define EFI_PERSISTENT_MEMORY 14u

/*
 * Room for descriptors that appear after the buffer is sized: each later
 * allocation (the buffer itself, page-table pools) can split a free range
 * in two.
 */
#define MMAP_SLACK_DESCS 64u

static EFI_STATUS get_map(struct efi_mmap *m)
{
	m->size = m->buf_size;
	return efi_bs->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf, &m->key,
	                            &m->desc_size, &m->desc_version);
}

void mmap_init(struct efi_mmap *m)
{
	UINTN size = 0;
	EFI_STATUS st = efi_bs->GetMemoryMap(&size, NULL, &m->key, &m->desc_size, &m->desc_version);

	if (st != EFI_BUFFER_TOO_SMALL || m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		fatal("GetMemoryMap cannot size the memory map (%s)", efi_status_name(st));
	m->buf_size = ALIGN_UP(size + MMAP_SLACK_DESCS * m->desc_size, FE_PAGE_SIZE);
	m->buf = (uint8_t *)(uintptr_t)efi_alloc_pages(EfiLoaderData, m->buf_size,
	                                               "the firmware memory map");
	st = get_map(m);
	if (st != EFI_SUCCESS)
		fatal("GetMemoryMap failed (%s)", efi_status_name(st));
}

UINTN mmap_count(const struct efi_mmap *m)
{
	return m->size / m->desc_size;
}

const EFI_MEMORY_DESCRIPTOR *mmap_desc(const struct efi_mmap *m, UINTN i)
{
	return (const EFI_MEMORY_DESCRIPTOR *)(m->buf + i * m->desc_size);
}

bool mmap_is_mmio(UINT32 efi_type)
{
	return efi_type == EfiMemoryMappedIO || efi_type == EfiMemoryMappedIOPortSpace;
}

/* The Ferrous type of a UEFI memory type (boot_info.h's enum fe_mem_type). */
static uint32_t fe_type(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory: return FE_MEM_USABLE;
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case FE_EFI_MEM_BOOT_TABLES: return FE_MEM_BOOT_RECLAIMABLE;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData: return FE_MEM_FIRMWARE;
	case EfiACPIReclaimMemory: return FE_MEM_ACPI_RECLAIMABLE;
	case EfiACPIMemoryNVS: return FE_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace: return FE_MEM_MMIO;
	case EfiUnusableMemory: return FE_MEM_BAD;
	case EFI_PERSISTENT_MEMORY: return FE_MEM_PERSISTENT;
	case FE_EFI_MEM_KERNEL: return FE_MEM_KERNEL;
	case FE_EFI_MEM_BOOT_DATA: return FE_MEM_BOOT_DATA;
	default: return FE_MEM_RESERVED;
	}
}

/* Insertion sort by base: the map has a few hundred entries at most and is
 * nearly sorted already. */
static void sort_by_base(struct fe_mem_range *r, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		struct fe_mem_range x = r[i];
		uint32_t j = i;
		for (; j > 0 && r[j - 1].base > x.base; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/*
 * Merges sorted entries that touch and share a type, in place. Returns the
 * new count in *count, or FE_ERR_BAD_FORMAT with *why for an entry that is
 * misaligned, wraps, or overlaps the one before.
 */
static fe_status_t merge(struct fe_mem_range *r, uint32_t n, uint32_t *count, const char **why)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (r[i].base % FE_PAGE_SIZE || r[i].pages > (UINT64_MAX - r[i].base) / FE_PAGE_SIZE) {
			*why = "the firmware memory map has a misaligned or wrapping range";
			return FE_ERR_BAD_FORMAT;
		}
		if (out > 0) {
			struct fe_mem_range *last = &r[out - 1];
			uint64_t end = last->base + last->pages * FE_PAGE_SIZE;
			if (r[i].base < end) {
				*why = "the firmware memory map has overlapping ranges";
				return FE_ERR_BAD_FORMAT;
			}
			if (r[i].base == end && r[i].type == last->type) {
				last->pages += r[i].pages;
				continue;
			}
		}
		r[out++] = r[i];
	}
	*count = out;
	return FE_OK;
}

/*
 * The firmware map as boot_info entries in `out`. Pure computation, so it may
 * run between the final GetMemoryMap() and ExitBootServices().
 */
static fe_status_t convert(const struct efi_mmap *m, struct fe_mem_range *out, uint32_t *count,
                           const char **why)
{
	uint32_t n = 0;

	for (UINTN i = 0; i < mmap_count(m); i++) {
		const EFI_MEMORY_DESCRIPTOR *d = mmap_desc(m, i);
		if (d->NumberOfPages == 0)
			continue;
		if (n == FE_BOOT_MAX_MEM_RANGES) {
			*why = "the firmware memory map has more ranges than the kernel accepts";
			return FE_ERR_NO_RESOURCES;
		}
		out[n++] = (struct fe_mem_range){ .base = d->PhysicalStart,
			                          .pages = d->NumberOfPages,
			                          .type = fe_type(d->Type) };
	}
	sort_by_base(out, n);
	return merge(out, n, count, why);
}

/* A failure on the way out: reported on the console only if ExitBootServices()
 * has not been called yet. `st` is EFI_SUCCESS when no firmware call failed. */
NORETURN static void exit_failed(unsigned attempt, const char *why, EFI_STATUS st)
{
	if (attempt > 0)
		fatal_after_exit(why, st);
	if (st != EFI_SUCCESS)
		fatal("%s (%s)", why, efi_status_name(st));
	fatal("%s", why);
}

uint32_t mmap_exit_boot_services(struct efi_mmap *m, struct fe_mem_range *out)
{
	for (unsigned attempt = 0;; attempt++) {
		const char *why = "";
		uint32_t count;
		EFI_STATUS st = get_map(m);

		if (st != EFI_SUCCESS)
			exit_failed(attempt, "GetMemoryMap failed", st);
		if (convert(m, out, &count, &why) != FE_OK)
			exit_failed(attempt, why, EFI_SUCCESS);
		st = efi_bs->ExitBootServices(efi_image, m->key);
		if (st == EFI_SUCCESS)
			return count;
		/* EFI_INVALID_PARAMETER: the map changed under us (a firmware event); once more. */
		if (st != EFI_INVALID_PARAMETER || attempt > 0)
			fatal_after_exit("ExitBootServices failed", st);
	}
}
