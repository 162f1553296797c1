/* SPDX-License-Identifier: MIT */
/*
 * sysfuzz: system calls from an unprivileged process; the kernel must
 * survive all of them (the host runner fails the boot on a panic or a UBSan
 * report) and give back everything the process made once it is gone. The
 * driver (main.c) runs workers (worker.c), copies of this program started as
 * `sysfuzz role=worker seed=S`, and counts their calls through one shared
 * page. A worker makes mostly structured calls (ops.c): arguments built from
 * a pool of the objects it holds, so that calls succeed and reach the deep
 * paths, with one argument corrupted now and then; and a share of random
 * calls (calls.c) with any number and any arguments.
 */
#ifndef SYSFUZZ_FUZZ_H
#define SYSFUZZ_FUZZ_H

#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#define PAGE 4096ULL
/* Below the driver's (default) priority, so the driver always gets to poll. */
#define FUZZ_WORKER_PRIORITY (FE_PRIORITY_DEFAULT - 1)

/* The page the driver and a worker share (the worker's FE_START_USER0).
 * Only the worker writes it; the driver only reads. */
#define FUZZ_NRS (FE_SYS_COUNT + 4)
#define FUZZ_STATUSES 32 /* -status; the last slot counts anything else */
struct fuzz_page {
	volatile uint64_t calls;   /* completed system calls */
	volatile uint64_t last_nr; /* the call in progress or last made */
	volatile uint64_t args[6];
	volatile uint64_t ready;   /* set-up done */
	volatile uint64_t status[FUZZ_STATUSES]; /* results, by -status */
	volatile uint64_t made[FUZZ_NRS];        /* structured calls, by number */
	volatile uint64_t ok[FUZZ_NRS];          /* their successes */
	volatile uint64_t mutated, mutated_ok;   /* structured calls with one argument corrupted */
	volatile uint64_t random, random_ok;     /* random calls (any number, any arguments) */
};
_Static_assert(sizeof(struct fuzz_page) <= PAGE, "one page");

/* Worker exit codes for a set-up that failed (the driver prints them). */
enum fuzz_setup_error {
	FUZZ_BAD_ARGS = 20,
	FUZZ_NO_COUNTER = 21,
	FUZZ_NO_OBJECTS = 22,
};

/* Pool entry flags. */
#define OBJ_KEEP 1u     /* the worker's own machinery: never deleted by a structured call */
#define OBJ_SERVED 2u   /* an endpoint our server thread answers: calls on it return */
#define OBJ_CLIENT 4u   /* an endpoint our client thread calls: receives on it return */
#define OBJ_CHILD 8u    /* a process we created */
#define OBJ_STARTED 16u /* a child process given a thread (it exits at once) */
#define OBJ_ENDED 32u   /* a child killed (or started): a blocking wait on it returns */

struct fuzz_obj {
	fe_handle_t h;
	uint32_t type, rights, flags;
	uint64_t size; /* VMOs: bytes */
	uint64_t koid;
};

#define POOL_MAX 40u
#define STALE_MAX 16u
#define MAP_SLOTS 8u

/* What a worker holds: every handle with its type and rights, handles it
 * deleted (stale), and the memory its calls may point at. */
struct fuzz_pool {
	struct fuzz_obj o[POOL_MAX];
	unsigned n;
	fe_handle_t stale[STALE_MAX];
	unsigned nstale;
	uint64_t scratch;                   /* two read-write pages for pointer arguments */
	uint64_t code_va;                   /* read+exec page: exit stubs (worker.c) */
	fe_handle_t code_vmo;
	fe_handle_t ipc_vmo;                /* the main thread's IPC buffer */
	struct fe_ipc_buffer *ipc;
	fe_handle_t srv_root, cli_root;     /* the partner threads' own handles */
	uint64_t srv_koid, cli_koid;
	uint64_t map_len[MAP_SLOTS];        /* structured mappings in our space, 0 = free */
	uint64_t cpus, nodes;
	uint64_t home_cpu;                  /* where our threads run (worker.c, pin) */
	bool holding;                       /* we hold a call from the client (not replied) */
	uint64_t signalled;                 /* notification last signalled, 0 if none */
};

/* The code page: a thread entering at CODE_EXIT_PROCESS ends its process
 * with code 0, one entering at CODE_EXIT_THREAD ends itself. Neither needs a
 * stack. */
#define CODE_EXIT_PROCESS 0u
#define CODE_EXIT_THREAD 16u
#define CODE_VA 0x0f000000ULL   /* the code page, in children too */
#define MAP_VA 0x30000000ULL    /* structured mappings, MAP_SLOT_SIZE apart */
#define MAP_SLOT_SIZE (16 * PAGE)
#define CHILD_VA 0x40000000ULL  /* structured mappings in children */

/* worker.c */
int fuzz_worker_main(uint64_t seed);

/* calls.c */
uint64_t fuzz_rand(void);
void fuzz_seed(uint64_t seed);
/* One random call (never exit, never blocking for long); false if it was skipped. */
bool fuzz_random_call(struct fuzz_pool *pool, struct fuzz_page *page);
/* Records a call about to be made, and its result. */
void fuzz_record_start(struct fuzz_page *page, uint64_t nr, const uint64_t *a);
void fuzz_record_status(struct fuzz_page *page, int64_t st);

/* ops.c */
/* One structured call; false if none could be made (the pool lacks what it needs). */
bool fuzz_structured_call(struct fuzz_pool *pool, struct fuzz_page *page);
bool fuzz_pool_add(struct fuzz_pool *p, fe_handle_t h, uint32_t flags, uint64_t size);
/* Drops entries for object `koid` (0: any) whose handles are gone (a revoke
 * removes every copy derived from the one revoked). */
void fuzz_pool_validate(struct fuzz_pool *p, uint64_t koid);
bool fuzz_protected(const struct fuzz_pool *p, uint64_t h);

/* Call families of the structured calls, for the driver's table; one with
 * must_succeed fails the run if none of its calls ever succeeded. The
 * device calls (console write, IRQ, I/O ports) have no family: a worker holds
 * no capability they accept, so only the random calls make them. */
struct fuzz_family {
	const char *name;
	uint64_t nrs[6];
	unsigned n;
	bool must_succeed;
};
extern const struct fuzz_family fuzz_families[];
extern const unsigned fuzz_nfamilies;

#endif /* SYSFUZZ_FUZZ_H */
