/* SPDX-License-Identifier: MIT */
#include <stdbool.h>

#include "mm/kmap.h"

#include <arch/paging.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/util.h"
#include "mm/vm.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern char boot_stack_guard[], ist_df_guard[], ist_nmi_guard[], ist_mc_guard[];

/* Pages of .bss left unmapped: the guards under the boot CPU's stacks. */
static const char *const guard_pages[] = { boot_stack_guard, ist_df_guard, ist_nmi_guard,
                                           ist_mc_guard };

/* Set once at boot. */
static uint64_t kernel_root;
static const struct fe_boot_info *kmap_bi;

uint64_t kmap_root(void)
{
	return kernel_root;
}

uint64_t kmap_image_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va - kmap_bi->kernel_virt + kmap_bi->kernel_phys;
}

/* RAM-like ranges go into the direct map; device and unknown ranges do not. */
static bool direct_mappable(uint32_t type)
{
	return type != FE_MEM_MMIO && type != FE_MEM_RESERVED && type != FE_MEM_BAD;
}

bool kmap_direct_mapped(uint64_t pa, uint64_t len)
{
	/* Before kmap_init the loader's direct map is in use; it covers these ranges too. */
	const struct fe_boot_info *bi = kmap_bi ? kmap_bi : boot_info;
	const struct fe_mem_range *m = phys_to_virt(bi->mem_map);

	for (uint32_t i = 0; i < bi->mem_map_count; i++) {
		uint64_t end = m[i].base + m[i].pages * PAGE_SIZE;
		if (direct_mappable(m[i].type) && pa >= m[i].base && pa <= end && len <= end - pa)
			return true;
	}
	return false;
}

static void map_or_panic(uint64_t va, uint64_t pa, uint64_t size, unsigned flags, const char *what)
{
	fe_status_t st = arch_pt_map(kernel_root, va, pa, size, flags);
	if (st != FE_OK)
		panic("kmap: mapping %s at %#llx: %s", what, (unsigned long long)va, fe_status_name(st));
}

/* The direct map of one range, with the kernel image carved out read-only. */
static void map_direct_range(const struct fe_mem_range *r)
{
	const unsigned rw = VM_READ | VM_WRITE | VM_GLOBAL | VM_LARGE;
	uint64_t base = r->base, end = r->base + r->pages * PAGE_SIZE;

	if (r->type == FE_MEM_KERNEL) {
		map_or_panic(FE_HHDM_BASE + base, base, end - base, VM_READ | VM_GLOBAL, "image alias");
		return;
	}
	map_or_panic(FE_HHDM_BASE + base, base, end - base, rw, "direct map");
}

/* Linker symbols are addresses, not objects: compare them as integers. */
static uint64_t addr(const void *sym)
{
	return (uint64_t)(uintptr_t)sym;
}

static void map_section(uint64_t start, uint64_t end, unsigned flags, const char *what)
{
	if (end > start)
		map_or_panic(start, start - kmap_bi->kernel_virt + kmap_bi->kernel_phys, end - start,
		             flags | VM_GLOBAL, what);
}

static bool is_guard(uint64_t page)
{
	for (unsigned i = 0; i < ARRAY_SIZE(guard_pages); i++)
		if (addr(guard_pages[i]) == page)
			return true;
	return false;
}

/* .data and .bss read-write, one run per stretch between guard pages. */
static void map_data_except_guards(void)
{
	uint64_t run = addr(__data_start);

	for (uint64_t p = addr(__data_start); p < addr(__data_end); p += PAGE_SIZE) {
		if (!is_guard(p))
			continue;
		map_section(run, p, VM_READ | VM_WRITE, "data");
		run = p + PAGE_SIZE;
	}
	map_section(run, addr(__data_end), VM_READ | VM_WRITE, "data");
}

void kmap_init(const struct fe_boot_info *bi)
{
	const struct fe_mem_range *m = phys_to_virt(bi->mem_map);
	uint64_t direct_bytes = 0;

	kmap_bi = bi;
	if (arch_pt_create(&kernel_root) != FE_OK)
		panic("kmap: no memory for the kernel's top-level page table");
	for (uint32_t i = 0; i < bi->mem_map_count; i++) {
		if (!direct_mappable(m[i].type))
			continue;
		map_direct_range(&m[i]);
		direct_bytes += m[i].pages * PAGE_SIZE;
	}
	map_section(addr(__text_start), addr(__text_end), VM_READ | VM_EXEC, "text");
	map_section(addr(__rodata_start), addr(__rodata_end), VM_READ, "rodata");
	map_data_except_guards();
	/* Every top-level kernel entry exists from now on, so address spaces
	 * created later can share the kernel half by copying them. */
	for (uint64_t va = VMAP_BASE; va < VMAP_BASE + VMAP_MMIO_SIZE + VMAP_STACK_SIZE; va += 1ULL << 39)
		if (arch_pt_prealloc_top(kernel_root, va) != FE_OK)
			panic("kmap: no memory for vmap tables");
	arch_pt_activate(kernel_root);
	pr_info("mm: kernel page tables active: %llu MiB direct map, text R-X, rodata R--, data RW-\n",
	        (unsigned long long)(direct_bytes >> 20));
}
