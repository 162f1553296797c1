/* SPDX-License-Identifier: MIT */
/* libferrous's own interfaces between its files; not for programs. */
#ifndef FE_LIB_INTERNAL_H
#define FE_LIB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/handle.h>

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

struct elf_image;
struct elf64_phdr;

/* Maps PT_LOAD segment idx (its header ph) of the checked program img into
 * child: a read-only one from the spawner's image cache, a writable one
 * copied (image.c). */
fe_status_t image_load_segment(fe_handle_t child, const struct elf_image *img, unsigned idx,
                               const struct elf64_phdr *ph);

#endif /* FE_LIB_INTERNAL_H */
