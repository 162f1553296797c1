/* SPDX-License-Identifier: MIT */
/* libferrous's own interfaces between its files; not for programs. */
#ifndef FE_LIB_INTERNAL_H
#define FE_LIB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096ULL

/*
 * Every thread's stack is a THREAD_REGION-sized, THREAD_REGION-aligned
 * region whose lowest bytes hold that thread's struct thread_block, so the
 * runtime finds per-thread state from the stack pointer alone, without TLS
 * support from the kernel. The main thread's stack is the region the
 * start-up ABI defines; fe_thread_spawn allocates the others.
 */
#define THREAD_REGION 0x10000ULL

/* Marks the calling thread's block as set up, with no IPC buffer yet. */
void thread_block_init(void);

#endif /* FE_LIB_INTERNAL_H */
