/* SPDX-License-Identifier: MIT */
/*
 * The user runtime (libferrous): what every program has before
 * main(argc, argv) runs, and the small C library it may use.
 *
 * Threads: everything here may be called from any thread of a process
 * except where a comment says otherwise. The console line buffer and the
 * heap are shared and unlocked, so two threads printing or allocating at
 * the same moment may interleave or corrupt each other: programs with
 * several threads keep those calls on one of them.
 */
#ifndef FE_RUNTIME_H
#define FE_RUNTIME_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/start.h>
#include <ferrous/syscall.h>

/* The shared pure libraries (kernel/lib): memcpy, strlen, ..., fmt_*. */
#include "fmt.h"
#include "string.h"
#include "util.h"

/* ---- start-up (start.c) ---- */

/*
 * The start-up block, checked: magic and version match, slots at or above
 * nhandles read FE_HANDLE_INVALID, args are NUL-terminated.
 */
extern const struct fe_start_info *fe_start_info;
extern fe_handle_t fe_self;    /* this process (FE_START_SELF) */
extern fe_handle_t fe_console; /* FE_START_CONSOLE; FE_HANDLE_INVALID: output is dropped */

/* The handle in start-up slot `slot`, or FE_HANDLE_INVALID. */
fe_handle_t fe_start_handle(unsigned slot);

/* Supplied by the program. Its return value is the process's exit code. */
int main(int argc, char **argv);

/* Flushes console output, then ends the process with `code`. */
_Noreturn void fe_exit(int64_t code);

/* ---- console output (stdio.c) ----
 * Line-buffered: one fe_console_write per line, or when the buffer fills;
 * fe_exit and fe_flush write what is left. */
int printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int vprintf(const char *fmt, va_list ap);
int puts(const char *s); /* s and a newline */
int putchar(int c);
void fe_write(const char *buf, size_t len);
void fe_flush(void);
/* As C's: always NUL-terminated when size > 0; returns the untruncated length. */
int snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- numbers (parse.c) ----
 * The whole string must be a number: decimal, or hexadecimal after 0x;
 * fe_parse_i64 also takes a leading '-'. FE_ERR_INVALID_ARG for anything
 * else (including an empty string), FE_ERR_OUT_OF_RANGE on overflow;
 * *out is written only on FE_OK. */
fe_status_t fe_parse_u64(const char *s, uint64_t *out);
fe_status_t fe_parse_i64(const char *s, int64_t *out);

/* ---- this process's address space (memory.c) ---- */

/*
 * Reserves `size` bytes (rounded up to pages) of address space for a
 * mapping this process makes, aligned to `align` (a power of two, at least
 * 4096), with an unmapped guard page after it. Addresses come from a window
 * above 4 GiB that the program image and the stack never use, and are never
 * reused. Returns the address, or 0 when the window is exhausted (0 is
 * never a user address).
 */
uint64_t fe_va_alloc_aligned(uint64_t size, uint64_t align);
uint64_t fe_va_alloc(uint64_t size); /* page aligned */

/*
 * A new memory object of `size` bytes (rounded up to pages, zero-filled)
 * mapped into this process with `prot` (FE_VM_*). Returns FE_OK with the
 * VMO's handle in *vmo and the address in *va; on failure nothing is left
 * behind.
 */
fe_status_t fe_map_new(uint64_t size, uint32_t prot, fe_handle_t *vmo, void **va);

/*
 * The heap (heap.c): first fit over 16-byte aligned blocks, grown by mapping
 * fresh memory objects on demand and never shrunk. malloc returns NULL when
 * no memory is left (or size is 0); free(NULL) does nothing, and freeing a
 * pointer malloc did not return stops the process.
 */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);

/* ---- threads and their IPC buffers (thread.c) ---- */

/* The calling thread's IPC buffer, or NULL if it has none (setup failed). */
struct fe_ipc_buffer *fe_ipc_buffer(void);

/*
 * Gives the calling thread an IPC buffer: one fresh page mapped read-write
 * and registered with FE_SYS_THREAD_SET_IPC_BUFFER. The runtime does this for
 * the main thread and for threads from fe_thread_spawn; *out (may be NULL)
 * gets the buffer or NULL. Returns FE_OK or the failing call's status.
 */
fe_status_t fe_ipc_buffer_setup(struct fe_ipc_buffer **out);

/*
 * Starts a thread in this process running fn(arg) on a fresh 64 KiB stack,
 * with its own IPC buffer (NULL if that could not be set up); the thread
 * ends when fn returns. *out gets the thread's handle. The stack and the
 * buffer are not reclaimed when the thread ends.
 */
fe_status_t fe_thread_spawn(void (*fn)(void *), void *arg, uint32_t priority, fe_handle_t *out);

#endif /* FE_RUNTIME_H */
