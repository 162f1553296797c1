/* SPDX-License-Identifier: MIT */
/*
 * Starting application processors (SDM vol 3 section 8.4.4, "MP
 * initialization example"): the real-mode trampoline (ap_trampoline.S) is
 * copied to a free page below 1 MiB with temporary page tables behind it,
 * then each AP gets INIT, a 10 ms wait, and two STARTUP messages.
 */
#include <arch/lapic.h>
#include <arch/smp.h>
#include <arch/x86.h>

#include "core/clock.h"
#include "core/kernel.h"
#include "core/log.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmap.h"

#define TRAMPOLINE_PAGES 4 /* code and data, PML4, PDPT, PD */
#define LOW_LIMIT 0x9f000  /* the EBDA and ROMs live above */
#define PTE_PRESENT_WRITABLE 0x3ULL
#define PDE_2M 0x80ULL

extern const char ap_trampoline[], ap_trampoline_end[], ap_trampoline_data[];
extern const uint32_t ap_trampoline_offsets[3];
extern const char ap_entry64[];

/* Mirrors the data block at the end of ap_trampoline.S. */
struct __attribute__((packed)) ap_trampoline_data {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t pm_offset;
	uint16_t pm_sel, pad1;
	uint32_t lm_offset;
	uint16_t lm_sel, pad2;
	uint64_t tmp_cr3, kernel_cr3, stack, cpu, entry;
};

static uint64_t tramp_phys; /* P, or 0 if no low page was found */

/* The boot CPU's CR0 and CR4 (arch_smp_prepare): each AP copies them. */
static uint64_t bsp_cr0, bsp_cr4;

/* Where a trampoline symbol lies, from its start (addresses, not pointers
 * into one object, as far as C is concerned). */
static uint64_t tramp_offset(const char *sym)
{
	return (uint64_t)(uintptr_t)sym - (uint64_t)(uintptr_t)ap_trampoline;
}

/* The first usable run of TRAMPOLINE_PAGES pages in [4 KiB, LOW_LIMIT). The
 * frame allocator never hands out memory below 1 MiB, so it is ours. */
static uint64_t find_low_pages(void)
{
	const struct fe_mem_range *m = phys_to_virt(boot_info->mem_map);

	for (uint32_t i = 0; i < boot_info->mem_map_count; i++) {
		uint64_t base = m[i].base < 0x1000 ? 0x1000 : m[i].base;
		uint64_t end = m[i].base + m[i].pages * 4096;
		if (m[i].type != FE_MEM_USABLE && m[i].type != FE_MEM_BOOT_RECLAIMABLE)
			continue;
		base = (base + 4095) & ~4095ULL;
		if (end > LOW_LIMIT)
			end = LOW_LIMIT;
		if (base + TRAMPOLINE_PAGES * 4096 <= end)
			return base;
	}
	return 0;
}

/* Temporary tables at P+4K: identity map of the first 2 MiB, kernel half
 * shared with the kernel's own root.
 * SAFETY: writes a page-table format (present | writable, 2 MiB leaf) into
 * pages below 1 MiB that nothing else owns (find_low_pages); the kernel
 * entries are copied, never modified. */
static void build_tables(uint64_t p)
{
	uint64_t *pml4 = phys_to_virt(p + 0x1000), *pdpt = phys_to_virt(p + 0x2000);
	uint64_t *pd = phys_to_virt(p + 0x3000);
	const uint64_t *kernel = phys_to_virt(kmap_root());

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	memset(pd, 0, 4096);
	pml4[0] = (p + 0x2000) | PTE_PRESENT_WRITABLE;
	pdpt[0] = (p + 0x3000) | PTE_PRESENT_WRITABLE;
	pd[0] = 0 | PDE_2M | PTE_PRESENT_WRITABLE;
	for (unsigned i = 256; i < 512; i++)
		pml4[i] = kernel[i];
}

fe_status_t arch_smp_prepare(void)
{
	size_t size = (size_t)tramp_offset(ap_trampoline_end);
	uint64_t p = find_low_pages();

	if (p == 0)
		return FE_ERR_NO_MEMORY;
	memcpy(phys_to_virt(p), ap_trampoline, size);
	build_tables(p);
	struct ap_trampoline_data *d = phys_to_virt(p + tramp_offset(ap_trampoline_data));
	d->gdt_base = (uint32_t)p + ap_trampoline_offsets[0];
	d->pm_offset = (uint32_t)p + ap_trampoline_offsets[1];
	d->lm_offset = (uint32_t)p + ap_trampoline_offsets[2];
	d->tmp_cr3 = p + 0x1000;
	d->kernel_cr3 = kmap_root();
	d->entry = (uint64_t)(uintptr_t)ap_entry64;
	tramp_phys = p;
	bsp_cr0 = read_cr0();
	bsp_cr4 = read_cr4();
	return FE_OK;
}

/* SAFETY: runs on an AP before anything else touches its state; the values
 * are the boot CPU's, which already run this kernel (paging, WP, SMEP/SMAP,
 * OSFXSR/OSXSAVE as cpu.c and fpu.c set them), and every AP is the same
 * model, so they are valid here too. */
void arch_ap_adopt_boot_cpu_controls(void)
{
	write_cr0(bsp_cr0);
	write_cr4(bsp_cr4);
}

static void wait_us(uint64_t us)
{
	uint64_t until = rdtsc() + clock_ns_to_tsc(us * 1000);
	while (rdtsc() < until)
		cpu_relax();
}

/* SAFETY: the trampoline data is written before the INIT/STARTUP messages
 * (mfence orders it); one AP at a time uses it, as the caller waits for each
 * to come online before starting the next. */
void arch_start_ap(uint32_t apic_id, uint64_t stack_top, void *cpu)
{
	struct ap_trampoline_data *d =
		phys_to_virt(tramp_phys + tramp_offset(ap_trampoline_data));

	d->stack = stack_top;
	d->cpu = (uint64_t)(uintptr_t)cpu;
	__asm__ volatile("mfence" : : : "memory");
	lapic_send_init(apic_id);
	wait_us(10000);
	lapic_send_startup(apic_id, (uint32_t)(tramp_phys >> 12));
	wait_us(200);
	lapic_send_startup(apic_id, (uint32_t)(tramp_phys >> 12));
}
