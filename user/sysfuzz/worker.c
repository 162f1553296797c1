/* SPDX-License-Identifier: MIT */
/*
 * The worker: makes a few objects of every type it may (so random handles
 * sometimes hit real ones), starts a thread that answers one endpoint (so
 * random calls on it complete), then makes random calls forever, counting
 * them in the page it shares with the driver. It holds only what the driver
 * gave it (a console handle without WRITE, the trace capability with READ
 * only, the counter page) and what it makes within its small budget.
 */
#include "fuzz.h"

#define VICTIM_VA 0x10000000ULL
#define HARVEST_EVERY 64u

/* Answers every call on the endpoint with an empty reply, dropping the
 * capabilities that came with it; ends when its handle is gone. */
static void serve(void *arg)
{
	fe_handle_t ep = *(const fe_handle_t *)arg;
	struct fe_msg m;

	while (fe_recv(ep, 0, &m) == FE_OK) {
		do {
			struct fe_ipc_buffer *b = fe_ipc_buffer();
			for (unsigned i = 0; b && i < FE_MSG_CAPS(m.info) && i < FE_IPC_MAX_CAPS;
			     i++)
				(void)fe_handle_delete(b->caps[i]);
			m.info = FE_MSG_INFO(0, 0, 0);
		} while (fe_reply_recv(ep, &m) == FE_OK);
	}
}

static bool add(struct fuzz_pool *p, fe_status_t st, fe_handle_t h)
{
	if (st != FE_OK || p->n == ARRAY_SIZE(p->h))
		return false;
	p->h[p->n++] = h;
	return true;
}

/* The endpoint the server thread answers, a badged copy, and one nobody answers. */
static bool make_endpoints(struct fuzz_pool *p)
{
	static fe_handle_t server_ep;
	struct fe_handle_info info;
	fe_handle_t ep, h, th;

	if (!add(p, fe_endpoint_create(&ep), ep) || fe_handle_info(ep, &info) != FE_OK)
		return false;
	p->served_koid = info.koid;
	if (fe_handle_dup(ep, FE_RIGHT_READ | FE_RIGHT_WRITE, 0, &server_ep) != FE_OK)
		return false;
	p->server_copy = server_ep; /* not in the pool: only the server uses it */
	return add(p, fe_handle_dup(ep, FE_RIGHT_WRITE | FE_RIGHT_DUPLICATE, 7, &h), h) &&
	       add(p, fe_endpoint_create(&h), h) &&
	       add(p, fe_thread_spawn(serve, &server_ep, FUZZ_WORKER_PRIORITY, &th), th);
}

static bool make_notifications(struct fuzz_pool *p)
{
	fe_handle_t n, h;

	return add(p, fe_notif_create(&n), n) &&
	       add(p, fe_handle_dup(n, FE_RIGHT_SIGNAL | FE_RIGHT_DUPLICATE, 0, &h), h) &&
	       add(p, fe_notif_create(&h), h);
}

/* Memory objects, the scratch mapping, and a child process with a mapping. */
static bool make_memory(struct fuzz_pool *p)
{
	fe_handle_t v, h, victim;
	void *va;

	if (!add(p, fe_map_new(2 * PAGE, FE_VM_READ | FE_VM_WRITE, &v, &va), v))
		return false;
	p->scratch = (uint64_t)(uintptr_t)va;
	if (!add(p, fe_vmo_create(16 * PAGE, &h), h) ||
	    !add(p, fe_handle_dup(v, FE_RIGHT_READ | FE_RIGHT_MAP | FE_RIGHT_DUPLICATE, 0, &h),
		 h) ||
	    !add(p, fe_process_create("victim", 6, 256 << 10, &victim), victim))
		return false;
	p->victim_va = VICTIM_VA;
	return fe_vm_map(victim, v, 0, VICTIM_VA, PAGE, FE_VM_READ) == FE_OK;
}

/* Maps the counter page; the VMO handle is dropped so no random call can write it. */
static struct fuzz_page *map_counter(void)
{
	fe_handle_t v = fe_start_handle(FE_START_USER0);
	uint64_t va = fe_va_alloc(PAGE);

	if (va == 0 || fe_vm_map(fe_self, v, 0, va, PAGE, FE_VM_READ | FE_VM_WRITE) != FE_OK)
		return NULL;
	(void)fe_handle_delete(v);
	return (struct fuzz_page *)(uintptr_t)va;
}

int fuzz_worker_main(uint64_t seed)
{
	static struct fuzz_pool pool;
	struct fuzz_page *page = map_counter();
	uint64_t calls = 0;

	if (!page)
		return FUZZ_NO_COUNTER;
	fuzz_seed(seed);
	fe_handle_t tr = fe_start_handle(FE_START_TRACE);
	if (tr != FE_HANDLE_INVALID && !add(&pool, FE_OK, tr))
		return FUZZ_NO_OBJECTS;
	if (!add(&pool, FE_OK, fe_self) || !add(&pool, FE_OK, fe_console) ||
	    !make_endpoints(&pool) || !make_notifications(&pool) || !make_memory(&pool))
		return FUZZ_NO_OBJECTS;
	page->ready = 1;
	for (;;) {
		if (!fuzz_one_call(&pool, page))
			continue;
		page->calls = ++calls;
		if (calls % HARVEST_EVERY == 0)
			fuzz_harvest(&pool);
	}
}
