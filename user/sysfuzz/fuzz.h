/* SPDX-License-Identifier: MIT */
/*
 * sysfuzz: random system calls from an unprivileged process; the kernel must
 * survive all of them (the host runner fails the boot on a panic or a UBSan
 * report). The driver (main.c) runs workers (worker.c), copies of this
 * program started as `sysfuzz role=worker seed=S`, and counts their calls
 * through one shared page.
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
	volatile uint64_t ok[FUZZ_NRS];          /* successful calls, by number */
};
_Static_assert(sizeof(struct fuzz_page) <= PAGE, "one page");

/* Worker exit codes for a set-up that failed (the driver prints them). */
enum fuzz_setup_error {
	FUZZ_BAD_ARGS = 20,
	FUZZ_NO_COUNTER = 21,
	FUZZ_NO_OBJECTS = 22,
};

/* worker.c */
int fuzz_worker_main(uint64_t seed);

/* calls.c: the random calls, given the worker's objects. */
struct fuzz_pool {
	fe_handle_t h[24];         /* real handles of every type the worker holds */
	unsigned n;
	uint64_t scratch;          /* two read-write pages for pointer arguments */
	uint64_t served_koid;      /* the endpoint a thread of ours answers */
	fe_handle_t server_copy;   /* that thread's own handle to it */
	uint64_t victim_va;        /* a mapping in the child process */
};

uint64_t fuzz_rand(void);
void fuzz_seed(uint64_t seed);
/* Makes one random call (never exit, never blocking for long); false if it was skipped. */
bool fuzz_one_call(const struct fuzz_pool *pool, struct fuzz_page *page);
/* Takes handles that calls wrote into the scratch pages into the pool, in
 * place of stale ones, so objects made at random get used too. */
void fuzz_harvest(struct fuzz_pool *pool);

#endif /* SYSFUZZ_FUZZ_H */
