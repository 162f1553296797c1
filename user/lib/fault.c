/* SPDX-License-Identifier: MIT */
/*
 * Fault injection (fe/service.h): each fault done by the service to itself,
 * in the calling thread, as a real bug would do it. What the compiler could
 * prove or remove (a null pointer, an endless recursion, a loop without
 * effects) goes through volatile objects, so the machine does the real thing.
 */
#include <fe/pci.h>
#include <fe/runtime.h>
#include <fe/service.h>

#include "internal.h"

static const char *const names[FE_FAULT_COUNT] = {
	[FE_FAULT_NULL] = "null",
	[FE_FAULT_WILD] = "wild",
	[FE_FAULT_STACK] = "stack",
	[FE_FAULT_HANG] = "hang",
	[FE_FAULT_ILLEGAL] = "illegal",
	[FE_FAULT_BUDGET] = "budget",
	[FE_FAULT_DMA] = "dma",
};

/* The driver's FE_FAULT_DMA hook (fe_service_set_dma_fault); NULL: none. Set
 * before the service serves, read by the thread that serves. */
static fe_service_dma_fault_fn dma_fault_hook;

/* Read through these, never known to the compiler. */
static volatile uintptr_t null_address;
static volatile uint64_t recursion_limit = UINT64_MAX;
static volatile uint64_t spins;

const char *fe_fault_name(enum fe_fault f)
{
	return (unsigned)f < FE_FAULT_COUNT ? names[f] : NULL;
}

enum fe_fault fe_fault_parse(const char *s)
{
	for (unsigned f = FE_FAULT_NONE + 1; f < FE_FAULT_COUNT; f++)
		if (strcmp(s, names[f]) == 0)
			return (enum fe_fault)f;
	return FE_FAULT_NONE;
}

/* Each frame holds 512 bytes the next call cannot share, so the stack only
 * grows: into the unmapped page below it, a #PF there. */
static __attribute__((noinline)) uint64_t recurse(uint64_t depth)
{
	volatile uint8_t frame[512];

	frame[depth % sizeof(frame)] = (uint8_t)depth;
	if (depth == recursion_limit)
		return 0;
	return recurse(depth + 1) + frame[depth % sizeof(frame)];
}

/* Takes kernel memory (VMO pages, charged to this process's budget) until
 * the kernel refuses even one page, then ends as the protocol says. The
 * handles are kept: the memory stays taken until the process ends. */
static _Noreturn void exhaust_budget(void)
{
	uint64_t size = 1ULL << 20;
	fe_handle_t h;

	while (size >= PAGE_SIZE) {
		fe_status_t st = fe_vmo_create(size, &h);
		if (st == FE_ERR_NO_MEMORY)
			size /= 2;
		else if (st != FE_OK)
			fe_process_exit(1); /* something else ran out first (the handle table) */
	}
	fe_process_exit(FE_SERVICE_EXIT_BUDGET);
}

fe_status_t fe_service_set_dma_fault(fe_handle_t dev, fe_service_dma_fault_fn fn)
{
	bool translated = false;
	fe_status_t st = fe_pci_dma_translated(dev, &translated);

	if (st != FE_OK)
		return st;
	if (!translated)
		return FE_ERR_UNSUPPORTED;
	__atomic_store_n(&dma_fault_hook, fn, __ATOMIC_RELEASE);
	return FE_OK;
}

bool fe_fault_available(enum fe_fault f)
{
	if (f == FE_FAULT_NONE || (unsigned)f >= FE_FAULT_COUNT)
		return false;
	return f != FE_FAULT_DMA || __atomic_load_n(&dma_fault_hook, __ATOMIC_ACQUIRE) != NULL;
}

void fe_fault_inject(enum fe_fault f)
{
	fe_service_dma_fault_fn hook;

	switch (f) {
	case FE_FAULT_NULL:
		(void)*(volatile uint64_t *)null_address;
		break;
	case FE_FAULT_WILD:
		*(volatile uint64_t *)FE_FAULT_WILD_ADDRESS = 0xbad;
		break;
	case FE_FAULT_STACK:
		(void)recurse(0);
		break;
	case FE_FAULT_HANG:
		for (;;)
			spins++;
	case FE_FAULT_ILLEGAL:
		__builtin_trap(); /* ud2 */
	case FE_FAULT_BUDGET:
		exhaust_budget();
	case FE_FAULT_DMA:
		if ((hook = __atomic_load_n(&dma_fault_hook, __ATOMIC_ACQUIRE)) == NULL)
			return; /* nothing to aim: refused before it came to this */
		hook();
		break;
	default:
		return;
	}
	/* A fault that did not fault (the page was there after all): never
	 * pretend it happened. */
	fe_process_exit(2);
}
