/* SPDX-License-Identifier: MIT */
/*
 * The worker: builds its pool (objects of every type it may make, with the
 * rights each handle carries), starts two partner threads, then makes calls
 * forever, counting them in the page it shares with the driver: mostly
 * structured ones (ops.c), one in RANDOM_ONE_IN random (calls.c). It holds
 * only what the driver gave it (a console handle without WRITE, the trace
 * capability with READ only, the counter page) and what it makes within its
 * small budget.
 *
 * The partners make every IPC call able to succeed without a deadlock: the
 * server answers every call on its endpoint (so a call there returns), the
 * client calls its endpoint again as soon as it is answered (so a receive
 * there, blocking or not, returns). Each keeps the root handle of its
 * endpoint, which no call of the worker deletes or revokes.
 */
#include "fuzz.h"

#define RANDOM_ONE_IN 8u

/* Drops capabilities a message brought into this thread's buffer. */
static void drop_caps(uint64_t info)
{
	struct fe_ipc_buffer *b = fe_ipc_buffer();

	for (unsigned i = 0; b && i < FE_MSG_CAPS(info) && i < FE_IPC_MAX_CAPS; i++)
		(void)fe_handle_delete(b->caps[i]);
}

/* Answers every call with an empty reply; runs as long as the process. */
static void serve(void *arg)
{
	fe_handle_t ep = *(const fe_handle_t *)arg;
	struct fe_msg m;

	for (;;) {
		fe_status_t st = fe_recv(ep, 0, &m);
		while (st == FE_OK) {
			drop_caps(m.info);
			m.info = FE_MSG_INFO(0, 0, 0);
			st = fe_reply_recv(ep, &m);
		}
		if (st == FE_ERR_BAD_HANDLE)
			(void)fe_thread_sleep(1000000); /* cannot happen: nobody deletes it */
	}
}

/* Calls its endpoint forever, so the worker always has a caller to receive. */
static void client(void *arg)
{
	fe_handle_t ep = *(const fe_handle_t *)arg;

	for (uint64_t n = 0;; n++) {
		struct fe_msg m = { .info = FE_MSG_INFO(n, n % 5, 0), .w = { n, ~n, 0, 0 } };
		fe_status_t st = fe_call(ep, &m);
		if (st == FE_OK)
			drop_caps(m.info);
		else if (st == FE_ERR_BAD_HANDLE)
			(void)fe_thread_sleep(1000000);
	}
}

/* A partner thread on a fresh endpoint; the pool gets a copy of the
 * endpoint with `rights` (and `flag`) and the thread's handle. */
static bool partner(struct fuzz_pool *p, void (*fn)(void *), fe_handle_t *root, uint64_t *koid,
		    uint32_t rights, uint32_t flag)
{
	struct fe_handle_info info;
	fe_handle_t copy, th;

	if (fe_endpoint_create(root) != FE_OK || fe_handle_info(*root, &info) != FE_OK ||
	    fe_handle_dup(*root, rights, 0, &copy) != FE_OK)
		return false;
	*koid = info.koid;
	return fuzz_pool_add(p, copy, OBJ_KEEP | flag, 0) &&
	       fe_thread_spawn(fn, root, FUZZ_WORKER_PRIORITY, &th) == FE_OK &&
	       fuzz_pool_add(p, th, OBJ_KEEP, 0);
}

/* The code page: exit stubs (x86_64), mapped read+exec here and in children. */
static bool make_code(struct fuzz_pool *p)
{
	static const uint8_t exit_process[] = { 0xb8, FE_SYS_PROCESS_EXIT, 0, 0, 0, /* mov eax, n */
						 0x31, 0xff,                      /* xor edi, edi */
						 0x0f, 0x05, 0x0f, 0x0b };        /* syscall; ud2 */
	static const uint8_t exit_thread[] = { 0xb8, FE_SYS_THREAD_EXIT, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x0b };

	if (fe_vmo_create(PAGE, &p->code_vmo) != FE_OK ||
	    fe_vmo_write(p->code_vmo, CODE_EXIT_PROCESS, exit_process, sizeof(exit_process)) != FE_OK ||
	    fe_vmo_write(p->code_vmo, CODE_EXIT_THREAD, exit_thread, sizeof(exit_thread)) != FE_OK)
		return false;
	p->code_va = CODE_VA;
	return fe_vm_map(fe_self, p->code_vmo, 0, CODE_VA, PAGE, FE_VM_READ | FE_VM_EXEC) == FE_OK;
}

/* Scratch pages, our own IPC buffer, a few VMOs, notifications, a child. */
static bool make_objects(struct fuzz_pool *p)
{
	fe_handle_t h;
	void *va;

	if (fe_map_new(2 * PAGE, FE_VM_READ | FE_VM_WRITE, &h, &va) != FE_OK ||
	    !fuzz_pool_add(p, h, 0, 2 * PAGE))
		return false;
	p->scratch = (uint64_t)(uintptr_t)va;
	if (fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &p->ipc_vmo, &va) != FE_OK ||
	    fe_thread_set_ipc_buffer(p->ipc_vmo, 0) != FE_OK ||
	    !fuzz_pool_add(p, p->ipc_vmo, OBJ_KEEP, PAGE))
		return false;
	p->ipc = va;
	if (fe_vmo_create(4 * PAGE, &h) != FE_OK || !fuzz_pool_add(p, h, 0, 4 * PAGE) ||
	    fe_notif_create(&h) != FE_OK || !fuzz_pool_add(p, h, 0, 0) ||
	    fe_process_create("child", 5, 64 * PAGE, &h) != FE_OK || !fuzz_pool_add(p, h, OBJ_CHILD, 0))
		return false;
	return make_code(p);
}

static bool start_info(struct fuzz_pool *p)
{
	fe_handle_t tr = fe_start_handle(FE_START_TRACE), pci = fe_start_handle(FE_START_PCI_ROOT);
	fe_handle_t group = fe_start_handle(FE_START_GROUP);
	struct fe_kernel_stats ks;

	p->cpus = p->nodes = 1;
	if (pci != FE_HANDLE_INVALID && !fuzz_pool_add(p, pci, OBJ_KEEP, 0))
		return false;
	/* The worker's own group: subgroups and children are made in it. */
	if (group != FE_HANDLE_INVALID && !fuzz_pool_add(p, group, OBJ_KEEP, 0))
		return false;
	if (tr == FE_HANDLE_INVALID)
		return true;
	if (fe_kernel_stats(tr, &ks) == FE_OK) {
		p->cpus = ks.cpus ? ks.cpus : 1;
		p->nodes = ks.numa_nodes ? ks.numa_nodes : 1;
	}
	return fuzz_pool_add(p, tr, OBJ_KEEP, 0);
}

/*
 * All our threads on one CPU (the partners inherit the mask): with
 * multi-threaded TCG a wake-up across vCPUs costs milliseconds (DESIGN
 * section 11), which IPC with the partners would pay on every call. The
 * CPU is chosen by the seed, so workers spread over the machine; the
 * affinity calls still move threads now and then.
 */
static bool pin(struct fuzz_pool *p, uint64_t seed)
{
	p->home_cpu = (seed >> 17) % p->cpus;
	return fe_thread_set_affinity(0, 1ULL << p->home_cpu) == FE_OK;
}

/* Maps the counter page; the VMO handle is dropped so no call can write it. */
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

	if (!page)
		return FUZZ_NO_COUNTER;
	fuzz_seed(seed);
	if (!start_info(&pool) || !pin(&pool, seed) || !fuzz_pool_add(&pool, fe_self, OBJ_KEEP, 0) ||
	    (fe_console != FE_HANDLE_INVALID && !fuzz_pool_add(&pool, fe_console, OBJ_KEEP, 0)) ||
	    !make_objects(&pool) ||
	    !partner(&pool, serve, &pool.srv_root, &pool.srv_koid,
		     FE_RIGHT_WRITE | FE_RIGHT_DUPLICATE | FE_RIGHT_TRANSFER | FE_RIGHT_REVOKE, OBJ_SERVED) ||
	    !partner(&pool, client, &pool.cli_root, &pool.cli_koid,
		     FE_RIGHT_READ | FE_RIGHT_DUPLICATE | FE_RIGHT_TRANSFER | FE_RIGHT_REVOKE, OBJ_CLIENT))
		return FUZZ_NO_OBJECTS;
	page->ready = 1;
	for (;;) {
		if (fuzz_rand() % RANDOM_ONE_IN == 0)
			(void)fuzz_random_call(&pool, page);
		else
			(void)fuzz_structured_call(&pool, page);
	}
}
