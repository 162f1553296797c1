/* SPDX-License-Identifier: MIT */
/*
 * Reading cpio "newc" (070701) and "crc" (070702, checksum verified)
 * archives, the initial ramdisk format Linux uses: untrusted bytes in,
 * bounded views out. Other cpio formats (odc 070707, old binary) and
 * compressed archives are refused with a reason that names them. Pure code
 * shared by the kernel, the host tests and the fuzzer. Nothing is copied:
 * entries point into the archive buffer, which must outlive them.
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
	uint32_t ino, nlink; /* hard links share ino and device, nlink > 1 */
	uint32_t dev_major, dev_minor;
};

/* A cursor over an archive; initialise with cpio_iter_init. */
struct cpio_iter {
	const uint8_t *buf;
	size_t size;
	size_t off;
	bool done;
	/* After an error: why (a fixed string), the offset of the bad header,
	 * and its name if that much could be read (else NULL). */
	const char *why;
	const char *bad_name;
	size_t bad_off;
};

void cpio_iter_init(struct cpio_iter *it, const void *buf, size_t size);

/*
 * Step to the next entry. Returns FE_OK and fills *out; FE_ERR_NOT_FOUND
 * once the "TRAILER!!!" entry is reached (and on every call after);
 * FE_ERR_BAD_FORMAT for a bad magic, a non-hex field, a name that is empty,
 * too long or not NUL-terminated; FE_ERR_OUT_OF_RANGE when a header, name
 * or body runs past the buffer, or the buffer ends without a trailer; a
 * crc (070702) entry whose checksum does not match is FE_ERR_BAD_FORMAT.
 * After an error the iterator is done and it->why says what was wrong.
 * Entries returned before the error are sound and stay usable.
 */
fe_status_t cpio_next(struct cpio_iter *it, struct cpio_entry *out);

/*
 * Hard links as GNU cpio writes them in newc: every link of a file is an
 * entry with the same ino and device and nlink > 1, and only the LAST one
 * carries the data (the others have size 0). If *e is such an empty link,
 * points it at the data of the link that carries it (the first non-empty
 * regular entry of the same file, in any position, before any damage);
 * otherwise leaves it.
 */
void cpio_resolve_link(const void *buf, size_t size, struct cpio_entry *e);

/*
 * Find the regular file called `name` ("init" also matches an entry named
 * "./init"), hard links resolved (cpio_resolve_link). Returns FE_OK,
 * FE_ERR_NOT_FOUND, or the error cpio_next met while scanning (only when
 * the file is not among the good entries before the damage).
 */
fe_status_t cpio_find(const void *buf, size_t size, const char *name, struct cpio_entry *out);

#endif /* FERROUS_LIB_CPIO_H */
