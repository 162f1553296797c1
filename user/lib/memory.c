/* SPDX-License-Identifier: MIT */
/* This process's address space: where the runtime puts its own mappings. */
#include <fe/runtime.h>
#include <fe/sys.h>

#include "internal.h"

/*
 * The window runtime mappings come from. The program image sits at 4 MiB
 * and the initial stack just under FE_STACK_TOP, both far outside it;
 * programs that pick fixed addresses for their own mappings should keep
 * them below 4 GiB.
 */
#define VA_WINDOW_LO 0x100000000ULL  /* 4 GiB */
#define VA_WINDOW_HI 0x700000000000ULL
_Static_assert(VA_WINDOW_HI <= FE_STACK_TOP - FE_STACK_SIZE, "window below the stack");

/* The lowest address not handed out yet; only ever grows. */
static uint64_t next_va = VA_WINDOW_LO;

uint64_t fe_va_alloc_aligned(uint64_t size, uint64_t align)
{
	uint64_t old, va, end;

	if (size == 0 || size > VA_WINDOW_HI - VA_WINDOW_LO || align < PAGE_SIZE ||
	    (align & (align - 1)) != 0 || align > VA_WINDOW_HI - VA_WINDOW_LO)
		return 0;
	size = ALIGN_UP(size, PAGE_SIZE);
	/* Lock-free, so threads may allocate at once: retry if another won. */
	old = __atomic_load_n(&next_va, __ATOMIC_RELAXED);
	do {
		va = ALIGN_UP(old, align);
		if (va > VA_WINDOW_HI || size + PAGE_SIZE > VA_WINDOW_HI - va)
			return 0;
		end = va + size + PAGE_SIZE; /* one unmapped guard page after each */
	} while (!__atomic_compare_exchange_n(&next_va, &old, end, false, __ATOMIC_RELAXED,
	                                      __ATOMIC_RELAXED));
	return va;
}

uint64_t fe_va_alloc(uint64_t size)
{
	return fe_va_alloc_aligned(size, PAGE_SIZE);
}

fe_status_t fe_map_new(uint64_t size, uint32_t prot, fe_handle_t *vmo, void **va)
{
	fe_handle_t h;
	fe_status_t st;

	if (size == 0)
		return FE_ERR_INVALID_ARG;
	uint64_t addr = fe_va_alloc(size);
	if (addr == 0)
		return FE_ERR_NO_RESOURCES;
	uint64_t len = ALIGN_UP(size, PAGE_SIZE); /* fe_va_alloc bounded size: no wrap */
	if ((st = fe_vmo_create(len, &h)) != FE_OK)
		return st;
	if ((st = fe_vm_map(fe_self, h, 0, addr, len, prot)) != FE_OK) {
		fe_handle_delete(h);
		return st;
	}
	*vmo = h;
	*va = (void *)(uintptr_t)addr;
	return FE_OK;
}
