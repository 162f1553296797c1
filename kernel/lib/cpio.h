/* SPDX-License-Identifier: MIT */
/*
 * Reading cpio "newc" archives (the initial ramdisk format Linux uses):
 * untrusted bytes in, bounded views out. Pure code shared by the kernel,
 * the host tests and the fuzzer. Nothing is copied: entries point into the
 * archive buffer, which must outlive them.
 */
#ifndef FERROUS_LIB_CPIO_H
#define FERROUS_LIB_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* Longest entry name accepted, including the NUL. */
#define CPIO_NAME_MAX 256u

/* File type bits of cpio_entry.mode (the POSIX st_mode encoding). */
#define CPIO_MODE_TYPE_MASK 0170000u
#define CPIO_MODE_REG 0100000u
#define CPIO_MODE_DIR 0040000u

struct cpio_entry {
	const char *name;    /* NUL-terminated, inside the archive */
	size_t name_len;     /* without the NUL */
	const uint8_t *data; /* file contents, inside the archive */
	size_t size;
	uint32_t mode;       /* st_mode: file type and permission bits */
};

/* A cursor over an archive; initialise with cpio_iter_init. */
struct cpio_iter {
	const uint8_t *buf;
	size_t size;
	size_t off;
	bool done;
};

void cpio_iter_init(struct cpio_iter *it, const void *buf, size_t size);

/*
 * Step to the next entry. Returns FE_OK and fills *out; FE_ERR_NOT_FOUND
 * once the "TRAILER!!!" entry is reached (and on every call after);
 * FE_ERR_BAD_FORMAT for a bad magic, a non-hex field, a name that is empty,
 * too long or not NUL-terminated; FE_ERR_OUT_OF_RANGE when a header, name
 * or body runs past the buffer. After an error the iterator is done.
 */
fe_status_t cpio_next(struct cpio_iter *it, struct cpio_entry *out);

/*
 * Find the regular file called `name` ("init" also matches an entry named
 * "./init"). Returns FE_OK, FE_ERR_NOT_FOUND, or the error cpio_next met
 * while scanning.
 */
fe_status_t cpio_find(const void *buf, size_t size, const char *name, struct cpio_entry *out);

#endif /* FERROUS_LIB_CPIO_H */
