/* SPDX-License-Identifier: MIT */
#include "vmap.h"

#include <arch/paging.h>

#include "core/kernel.h"
#include "core/ipi.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "mm/frame.h"
#include "mm/kmap.h"
#include "mm/vm.h"
#include "lib/string.h"
#include "lib/util.h"

/*
 * Stack slots: 2^18 of 32 KiB (8 GiB of the 256 GiB area), one bit each.
 * That is more stacks than RAM could hold at 16 KiB apiece below 4 GiB of
 * RAM, so a budget, never the slot space, is what runs out: no process can
 * take the last slot from another (ADR 0009). Only address space is
 * reserved; a slot's frames and page-table entries exist while it is used.
 */
#define MAX_STACK_SLOTS (1u << 18)
_Static_assert((uint64_t)MAX_STACK_SLOTS * KSTACK_SLOT_PAGES * 4096 <= VMAP_STACK_SIZE,
               "stack slots fit in the vmap stack area");

static struct spinlock vmap_lock = SPINLOCK_INIT("vmap");
/* Next free MMIO address; windows are never unmapped (devices stay). */
static uint64_t mmio_next GUARDED_BY(vmap_lock) = VMAP_BASE;
static uint64_t stack_used[MAX_STACK_SLOTS / 64] GUARDED_BY(vmap_lock);
/* Every word below stack_hint is full, so a search starts there. */
static uint32_t stack_hint GUARDED_BY(vmap_lock);

fe_status_t vmap_mmio(uint64_t phys, uint64_t size, void **va)
{
	uint64_t off = phys & (PAGE_SIZE - 1);
	uint64_t len = ALIGN_UP(size + off, PAGE_SIZE);
	fe_status_t st = FE_ERR_NO_RESOURCES;

	if (size == 0)
		return FE_ERR_INVALID_ARG;
	irqflags_t f = spin_lock_irqsave(&vmap_lock);
	uint64_t at = mmio_next;
	if (len <= VMAP_BASE + VMAP_MMIO_SIZE - at) {
		st = arch_pt_map(kmap_root(), at, phys - off, len,
		                 VM_READ | VM_WRITE | VM_UNCACHED | VM_GLOBAL);
		if (st == FE_OK)
			mmio_next = at + len + PAGE_SIZE; /* a hole between windows */
	}
	spin_unlock_irqrestore(&vmap_lock, f);
	if (st == FE_OK)
		*va = (void *)(uintptr_t)(at + off);
	return st;
}

static fe_status_t slot_take(uint32_t *slot)
{
	fe_status_t st = FE_ERR_NO_RESOURCES;
	irqflags_t f = spin_lock_irqsave(&vmap_lock);

	for (uint32_t w = stack_hint; w < MAX_STACK_SLOTS / 64; w++) {
		if (stack_used[w] == ~0ULL)
			continue;
		unsigned bit = (unsigned)__builtin_ctzll(~stack_used[w]);
		stack_used[w] |= 1ULL << bit;
		*slot = w * 64 + bit;
		stack_hint = w;
		st = FE_OK;
		break;
	}
	spin_unlock_irqrestore(&vmap_lock, f);
	return st;
}

static void slot_put(uint32_t slot)
{
	irqflags_t f = spin_lock_irqsave(&vmap_lock);
	stack_used[slot / 64] &= ~(1ULL << (slot % 64));
	if (slot / 64 < stack_hint)
		stack_hint = slot / 64;
	spin_unlock_irqrestore(&vmap_lock, f);
}

fe_status_t kstack_alloc(struct kstack *out)
{
	uint32_t slot;
	uint64_t pa;
	unsigned order = 2; /* KSTACK_PAGES == 4 frames, one contiguous block */
	_Static_assert(KSTACK_PAGES == 4, "order above");

	fe_status_t st = slot_take(&slot);
	if (st != FE_OK)
		return st;
	st = frame_alloc_zeroed(order, &pa);
	if (st != FE_OK) {
		slot_put(slot);
		return st;
	}
	uint64_t top = VMAP_STACK_BASE + (uint64_t)(slot + 1) * KSTACK_SLOT_PAGES * PAGE_SIZE;
	uint64_t base = top - KSTACK_PAGES * PAGE_SIZE;
	st = arch_pt_map(kmap_root(), base, pa, KSTACK_PAGES * PAGE_SIZE,
	                 VM_READ | VM_WRITE | VM_GLOBAL);
	if (st != FE_OK) {
		frame_free(pa, order);
		slot_put(slot);
		return st;
	}
	*out = (struct kstack){ base, top, slot };
	return FE_OK;
}

void kstack_free(struct kstack *s)
{
	uint64_t pa;
	unsigned flags;

	/* A stack that is not mapped was never allocated or is freed twice: a bug. */
	ASSERT(arch_pt_query(kmap_root(), s->base, &pa, &flags) == FE_OK);
	ASSERT(arch_pt_unmap(kmap_root(), s->base, KSTACK_PAGES * PAGE_SIZE) == FE_OK);
	tlb_shootdown_all(); /* another CPU may still cache the stack's translations */
	frame_free(pa, 2);
	slot_put(s->slot);
}
