/* SPDX-License-Identifier: MIT */
#include "boot_info_check.h"

#include <stdbool.h>

static fe_status_t bad(const char **why, const char *text)
{
	*why = text;
	return FE_ERR_BAD_FORMAT;
}

/* [base, base + size) lies inside [0, limit) without wrapping. */
static bool inside(uint64_t base, uint64_t size, uint64_t limit)
{
	return base <= limit && size <= limit - base;
}

static bool blob_ok(const struct fe_blob *b, uint64_t limit)
{
	return b->size == 0 || inside(b->phys, b->size, limit);
}

fe_status_t boot_info_check_header(const struct fe_boot_info *bi, const char **why)
{
	if (bi->magic != FE_BOOT_INFO_MAGIC)
		return bad(why, "wrong magic: not a Ferrous boot_info");
	if (bi->version != FE_BOOT_INFO_VERSION)
		return bad(why, "unsupported boot_info version");
	if (bi->size < sizeof(*bi))
		return bad(why, "boot_info smaller than this kernel expects (loader too old)");
	if (bi->hhdm_base != FE_HHDM_BASE || bi->hhdm_size == 0 || bi->hhdm_size % FE_PAGE_SIZE)
		return bad(why, "direct map base or size is wrong");
	if (bi->mem_map_entry_size != sizeof(struct fe_mem_range))
		return bad(why, "memory map entry size mismatch");
	if (bi->mem_map_count == 0 || bi->mem_map_count > FE_BOOT_MAX_MEM_RANGES)
		return bad(why, "memory map entry count out of range");
	if (!inside(bi->mem_map, (uint64_t)bi->mem_map_count * sizeof(struct fe_mem_range),
	            bi->hhdm_size) || bi->mem_map % 8)
		return bad(why, "memory map outside the direct map or misaligned");
	if (bi->kernel_size == 0 || bi->kernel_phys % FE_PAGE_SIZE || bi->kernel_size % FE_PAGE_SIZE ||
	    bi->kernel_virt % FE_PAGE_SIZE || !inside(bi->kernel_phys, bi->kernel_size, bi->hhdm_size))
		return bad(why, "kernel image range is not page aligned or outside the direct map");
	if (!blob_ok(&bi->kernel_file, bi->hhdm_size) || !blob_ok(&bi->initrd, bi->hhdm_size))
		return bad(why, "kernel file or initrd outside the direct map");
	if (bi->cmdline.size == 0 || bi->cmdline.size > FE_BOOT_MAX_CMDLINE ||
	    !blob_ok(&bi->cmdline, bi->hhdm_size))
		return bad(why, "command line missing, too long or outside the direct map");
	if (bi->acpi_rsdp != 0 && !inside(bi->acpi_rsdp, 36, bi->hhdm_size))
		return bad(why, "ACPI RSDP outside the direct map");
	return FE_OK;
}

/* True if [base, base + size) lies wholly within map entries of `type`. */
static bool covered_by(const struct fe_boot_info *bi, const struct fe_mem_range *map,
                       uint64_t base, uint64_t size, uint32_t type)
{
	uint64_t end = base + size;

	while (base < end) {
		bool found = false;
		for (uint32_t i = 0; i < bi->mem_map_count && !found; i++) {
			uint64_t rend = map[i].base + map[i].pages * FE_PAGE_SIZE;
			if (map[i].type == type && base >= map[i].base && base < rend) {
				base = rend;
				found = true;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

static fe_status_t check_entries(const struct fe_boot_info *bi, const struct fe_mem_range *map,
                                 const char **why)
{
	uint64_t prev_end = 0;
	bool usable = false;

	for (uint32_t i = 0; i < bi->mem_map_count; i++) {
		const struct fe_mem_range *r = &map[i];
		if (r->pages == 0 || r->base % FE_PAGE_SIZE || r->reserved != 0)
			return bad(why, "memory map entry empty, misaligned or with reserved bits");
		if (r->pages > (UINT64_MAX - r->base) / FE_PAGE_SIZE)
			return bad(why, "memory map entry wraps around");
		if (r->type == 0 || r->type > FE_MEM_TYPE_MAX)
			return bad(why, "memory map entry of unknown type");
		if (i > 0 && r->base < prev_end)
			return bad(why, "memory map unsorted or overlapping");
		prev_end = r->base + r->pages * FE_PAGE_SIZE;
		usable |= r->type == FE_MEM_USABLE;
	}
	return usable ? FE_OK : bad(why, "memory map has no usable RAM");
}

fe_status_t boot_info_check_map(const struct fe_boot_info *bi, const struct fe_mem_range *map,
                                const char **why)
{
	fe_status_t st = check_entries(bi, map, why);
	if (st != FE_OK)
		return st;
	if (!covered_by(bi, map, bi->kernel_phys, bi->kernel_size, FE_MEM_KERNEL))
		return bad(why, "kernel image not marked as kernel memory in the map");
	const struct fe_blob *blobs[] = { &bi->kernel_file, &bi->initrd, &bi->cmdline };
	for (unsigned i = 0; i < 3; i++)
		if (blobs[i]->size && !covered_by(bi, map, blobs[i]->phys, blobs[i]->size, FE_MEM_BOOT_DATA))
			return bad(why, "a boot blob is not marked as boot data in the map");
	return FE_OK;
}

fe_status_t boot_info_check_cmdline(const struct fe_boot_info *bi, const char *cmdline,
                                    const char **why)
{
	for (uint64_t i = 0; i < bi->cmdline.size; i++) {
		char c = cmdline[i];
		if (c == '\0')
			return FE_OK;
		if ((c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' && c != '\r')
			return bad(why, "command line has a non-printable character");
	}
	return bad(why, "command line is not NUL-terminated");
}
