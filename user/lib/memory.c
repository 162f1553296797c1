/* SPDX-License-Identifier: MIT */
/* This process's own mappings and threads. */
#include <fe/runtime.h>
#include <fe/sys.h>

#define VA_WINDOW 0x100000000ULL  /* runtime mappings start at 4 GiB */
#define THREAD_STACK 0x10000ULL   /* 64 KiB, aligned to its size (see start.c) */

static uint64_t next_va = VA_WINDOW;

uint64_t fe_va_alloc(uint64_t size)
{
	uint64_t va = next_va;

	size = (size + 4095) & ~4095ULL;
	next_va += size + 4096; /* an unmapped page between mappings */
	return va;
}

fe_status_t fe_map_new(uint64_t size, uint32_t prot, fe_handle_t *vmo, void **va)
{
	uint64_t addr = fe_va_alloc(size);
	fe_status_t st = fe_vmo_create(size, vmo);

	if (st != FE_OK)
		return st;
	if ((st = fe_vm_map(fe_self, *vmo, 0, addr, (size + 4095) & ~4095ULL, prot)) != FE_OK) {
		fe_handle_delete(*vmo);
		return st;
	}
	*va = (void *)(uintptr_t)addr;
	return FE_OK;
}

struct thread_start {
	void (*fn)(void *);
	void *arg;
};

void fe_thread_entry(void);
_Noreturn void fe_thread_main(struct thread_start *ts);
_Noreturn void fe_thread_main(struct thread_start *ts)
{
	*(struct fe_ipc_buffer **)((uintptr_t)ts & ~(THREAD_STACK - 1)) = NULL;
	fe_ipc_buffer_setup(NULL);
	ts->fn(ts->arg);
	fe_flush();
	fe_thread_exit();
}

fe_status_t fe_thread_spawn(void (*fn)(void *), void *arg, uint32_t priority, fe_handle_t *out)
{
	fe_handle_t vmo;
	uint64_t base = (next_va + THREAD_STACK - 1) & ~(THREAD_STACK - 1);
	fe_status_t st;

	next_va = base + THREAD_STACK + 4096;
	if ((st = fe_vmo_create(THREAD_STACK, &vmo)) != FE_OK)
		return st;
	st = fe_vm_map(fe_self, vmo, 0, base, THREAD_STACK, FE_VM_READ | FE_VM_WRITE);
	fe_handle_delete(vmo);
	if (st != FE_OK)
		return st;
	struct thread_start *ts = (struct thread_start *)(uintptr_t)(base + THREAD_STACK - 64);
	ts->fn = fn;
	ts->arg = arg;
	return fe_thread_create(fe_self, (uint64_t)(uintptr_t)fe_thread_entry,
	                        base + THREAD_STACK - 64, (uint64_t)(uintptr_t)ts, priority, out);
}
