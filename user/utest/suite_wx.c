/* SPDX-License-Identifier: MIT */
/*
 * W^X per memory object, not only per mapping (docs/adr/0008-vmo-wx-policy.md):
 * a VMO is data (writable) or code (executable) for its whole life. Its
 * first writable mapping makes it data, its first executable mapping makes
 * it code; vmo_write is allowed until it is code (that is how a loader fills
 * a segment before mapping it). The aliasing paths are checked here; the IPC
 * one (a code VMO written by another process) in suite_ipc.c.
 */
#include "ut.h"

#define RW (FE_VM_READ | FE_VM_WRITE)
#define RX (FE_VM_READ | FE_VM_EXEC)

static void writable_mapping_then_exec_refused(struct ut *t)
{
	uint64_t va = fe_va_alloc(4 * PAGE);
	uint8_t b = 1;
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, PAGE, RW)));
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, va + 2 * PAGE, PAGE, RX), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	/* Still data once the writable mapping is gone. */
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, va + 2 * PAGE, PAGE, RX), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vmo_write(v, 0, &b, 1));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, PAGE, FE_VM_READ));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	ut_del(t, v);
}

static void exec_mapping_then_write_refused(struct ut *t)
{
	uint64_t va = fe_va_alloc(4 * PAGE);
	uint8_t b = 0xc3, back = 0;
	fe_handle_t v, other;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_EXPECT_OK(t, fe_vmo_write(v, 0, &b, 1)); /* the loader's way: fill, then map */
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, PAGE, RX)));
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, va + 2 * PAGE, PAGE, RW), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vmo_write(v, 0, &b, 1), FE_ERR_ACCESS_DENIED);
	/* Through another handle to the same object: the same answer. */
	other = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MAP);
	UT_EXPECT_STATUS(t, fe_vmo_write(other, 0, &b, 1), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, other, 0, va + 2 * PAGE, PAGE, RW),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	/* Code for life: unmapping does not make it writable again. */
	UT_EXPECT_STATUS(t, fe_vmo_write(v, 0, &b, 1), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, va, PAGE, RW), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vmo_read(v, 0, &back, 1));
	UT_EXPECT_EQ(t, back, 0xc3);
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, PAGE, RX));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	ut_del(t, other);
	ut_del(t, v);
}

/* A refused mapping does not seal: a read-only mapping never does. */
static void read_only_mappings_do_not_seal(struct ut *t)
{
	uint64_t va = fe_va_alloc(4 * PAGE);
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, PAGE, FE_VM_READ));
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, va, PAGE, RW), FE_ERR_EXISTS);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, va, PAGE, FE_VM_READ | FE_VM_WRITE | FE_VM_EXEC),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, PAGE, RX)); /* still neither before this */
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	ut_del(t, v);
}

/* A child maps the VMO: the seal is the object's, whichever process maps it. */
static void seal_holds_across_processes(struct ut *t)
{
	uint64_t va = fe_va_alloc(2 * PAGE);
	fe_handle_t v, child;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("wx", 2, 1 << 20, &child)));
	UT_EXPECT_OK(t, fe_vm_map(child, v, 0, 0x400000, PAGE, RX));
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, v, 0, va, PAGE, RW), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vmo_write(v, 0, &(uint8_t){ 1 }, 1), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_process_kill(child));
	ut_del(t, child);
	ut_del(t, v);
}

struct ipcbuf_try {
	fe_handle_t code, data;
	fe_status_t code_st, data_st;
	volatile uint64_t done;
};

/* In a thread of its own: a buffer it sets is its own, not the main thread's. */
static void try_ipc_buffers(void *arg)
{
	struct ipcbuf_try *r = arg;

	r->code_st = fe_thread_set_ipc_buffer(r->code, 0);
	r->data_st = fe_thread_set_ipc_buffer(r->data, 0);
	r->done = 1;
}

/* The kernel writes messages into an IPC buffer: it is data, never code. */
static void ipc_buffer_is_data(struct ut *t)
{
	uint64_t va = fe_va_alloc(2 * PAGE);
	struct ipcbuf_try r = { 0 };
	fe_handle_t th;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &r.code)) &&
			     UT_EXPECT_OK(t, fe_vmo_create(PAGE, &r.data)));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, r.code, 0, va, PAGE, RX));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(try_ipc_buffers, &r, FE_PRIORITY_DEFAULT,
						     &th)));
	UT_ASSERT(t, UT_EXPECT_EQ(t, ut_poll(&r.done), 1));
	UT_EXPECT_STATUS(t, r.code_st, FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, r.data_st);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, r.data, 0, va + PAGE, PAGE, RX), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	ut_del(t, th);
	ut_del(t, r.data);
	ut_del(t, r.code);
}

UT_SUITE(wx,
	UT_CASE(writable_mapping_then_exec_refused),
	UT_CASE(exec_mapping_then_write_refused),
	UT_CASE(read_only_mappings_do_not_seal),
	UT_CASE(seal_holds_across_processes),
	UT_CASE(ipc_buffer_is_data));
