/* SPDX-License-Identifier: MIT */
/*
 * The user runtime: what every program gets before main(argc, argv) runs.
 * The start-up block's handles, console output, a page-granular address
 * allocator, and the thread's IPC buffer.
 */
#ifndef FE_RUNTIME_H
#define FE_RUNTIME_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/start.h>
#include <ferrous/syscall.h>

#include "fmt.h"
#include "string.h"

extern const struct fe_start_info *fe_start_info;
extern fe_handle_t fe_self;    /* this process */
extern fe_handle_t fe_console; /* FE_HANDLE_INVALID: output is dropped */

int main(int argc, char **argv);

/* Console output, line-buffered (one system call per line). */
int printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int vprintf(const char *fmt, va_list ap);
void fe_flush(void);
int snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Page-granular user address space for mappings this process makes. */
uint64_t fe_va_alloc(uint64_t size);
/* A new VMO of `size` mapped into this process with `prot`. */
fe_status_t fe_map_new(uint64_t size, uint32_t prot, fe_handle_t *vmo, void **va);

/* The running thread's IPC buffer (main thread: set up at start), or NULL. */
struct fe_ipc_buffer *fe_ipc_buffer(void);
/* Gives the calling thread an IPC buffer; for threads made with fe_thread_spawn. */
fe_status_t fe_ipc_buffer_setup(struct fe_ipc_buffer **out);

/* A thread in this process running fn(arg) on a fresh 64 KiB stack. */
fe_status_t fe_thread_spawn(void (*fn)(void *), void *arg, uint32_t priority, fe_handle_t *out);

/* Parses a decimal or 0x-prefixed number; 0 on success. */
int fe_parse_u64(const char *s, uint64_t *out);

_Noreturn void fe_exit(int64_t code);

#endif /* FE_RUNTIME_H */
