/* SPDX-License-Identifier: MIT */
/* Threads of this process, and the per-thread block that holds each one's
 * IPC buffer pointer (see THREAD_REGION in internal.h). */
#include <fe/runtime.h>
#include <fe/sys.h>

#include "internal.h"

#define THREAD_BLOCK_MAGIC 0x6b636f6c42726854ULL /* "ThrBlock" */

_Static_assert(FE_STACK_SIZE == THREAD_REGION, "the main stack is one thread region");
_Static_assert(FE_STACK_TOP % THREAD_REGION == 0, "the main stack is region-aligned");

/* At the bottom of each thread's stack: a stack overflow reaches it just
 * before it faults on the unmapped page below, which is why it carries a
 * magic number rather than being trusted blindly. */
struct thread_block {
	struct fe_ipc_buffer *ipc;
	uint64_t magic;
};

/* What fe_thread_spawn leaves at the top of the new stack for fe_thread_main. */
struct thread_start {
	void (*fn)(void *);
	void *arg;
};
_Static_assert(sizeof(struct thread_start) % 16 == 0, "keeps the entry rsp 16-byte aligned");

void fe_thread_entry(void); /* crt0.S */
_Noreturn void fe_thread_main(struct thread_start *ts);

static struct thread_block *thread_block(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	return (struct thread_block *)(sp & ~(uintptr_t)(THREAD_REGION - 1));
}

void thread_block_init(void)
{
	struct thread_block *tb = thread_block();

	tb->ipc = NULL;
	tb->magic = THREAD_BLOCK_MAGIC;
}

struct fe_ipc_buffer *fe_ipc_buffer(void)
{
	struct thread_block *tb = thread_block();

	return tb->magic == THREAD_BLOCK_MAGIC ? tb->ipc : NULL;
}

/*
 * The VMO handle is deleted once registered: the kernel's registration and
 * the mapping each keep the page, and the thread has no other use for it.
 */
fe_status_t fe_ipc_buffer_setup(struct fe_ipc_buffer **out)
{
	struct thread_block *tb = thread_block();
	fe_handle_t vmo;
	void *va = NULL;
	fe_status_t st = fe_map_new(PAGE_SIZE, FE_VM_READ | FE_VM_WRITE, &vmo, &va);

	if (st == FE_OK) {
		st = fe_thread_set_ipc_buffer(vmo, 0);
		fe_handle_delete(vmo);
		if (st != FE_OK)
			fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, PAGE_SIZE);
	}
	if (st == FE_OK && tb->magic == THREAD_BLOCK_MAGIC)
		tb->ipc = va;
	if (out)
		*out = st == FE_OK ? va : NULL;
	return st;
}

_Noreturn void fe_thread_main(struct thread_start *ts)
{
	void (*fn)(void *) = ts->fn;
	void *arg = ts->arg;

	thread_block_init();
	fe_ipc_buffer_setup(NULL); /* as for the main thread: optional */
	fn(arg);
	fe_flush();
	fe_thread_exit();
}

/* A fresh stack region mapped read-write at *base. */
static fe_status_t map_stack(uint64_t *base)
{
	uint64_t va = fe_va_alloc_aligned(THREAD_REGION, THREAD_REGION);
	fe_handle_t vmo;
	fe_status_t st;

	if (va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vmo_create(THREAD_REGION, &vmo)) != FE_OK)
		return st;
	st = fe_vm_map(fe_self, vmo, 0, va, THREAD_REGION, FE_VM_READ | FE_VM_WRITE);
	fe_handle_delete(vmo); /* the mapping keeps the pages */
	if (st == FE_OK)
		*base = va;
	return st;
}

fe_status_t fe_thread_spawn(void (*fn)(void *), void *arg, uint32_t priority, fe_handle_t *out)
{
	uint64_t base;
	fe_status_t st = map_stack(&base);

	if (st != FE_OK)
		return st;
	/* The start record sits at the very top; the entry rsp points at it. */
	struct thread_start *ts = (struct thread_start *)(uintptr_t)(base + THREAD_REGION) - 1;
	ts->fn = fn;
	ts->arg = arg;
	st = fe_thread_create(fe_self, (uint64_t)(uintptr_t)fe_thread_entry, (uint64_t)(uintptr_t)ts,
	                      (uint64_t)(uintptr_t)ts, priority, out);
	if (st != FE_OK)
		fe_vm_unmap(fe_self, base, THREAD_REGION);
	return st;
}
