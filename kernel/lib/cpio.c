/* SPDX-License-Identifier: MIT */
/*
 * cpio "newc" reading. The archive is untrusted: every header field must be
 * eight hex digits, every offset is compared against the buffer by
 * subtraction (never by adding first), and a name is checked to end in its
 * NUL inside the archive before anything treats it as a string.
 *
 * Layout of one entry, offsets relative to the start of the archive:
 *   110-byte header | name (namesize bytes, NUL included) | pad to 4 |
 *   data (filesize bytes) | pad to 4
 */
#include "cpio.h"

#define CPIO_HDR_LEN 110u
#define CPIO_MAGIC_LEN 6u
#define CPIO_FIELD_LEN 8u

/* The thirteen hex fields that follow the magic, in header order. */
enum cpio_field {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
	F_COUNT
};
_Static_assert(CPIO_MAGIC_LEN + F_COUNT * CPIO_FIELD_LEN == CPIO_HDR_LEN, "newc header layout");

/* True when [off, off + len) lies inside a buffer of `size` bytes. */
static bool range_in(size_t off, size_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* Bytes needed to take `off` up to the next multiple of 4. */
static size_t pad4(size_t off)
{
	return (size_t)(-off & 3u);
}

/* Decodes eight hex digits (either case) at `p`; false if any is not one. */
static bool hex_field(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < CPIO_FIELD_LEN; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return true;
}

/*
 * Decodes the header at `h` (CPIO_HDR_LEN readable bytes) into f[F_COUNT].
 * Every field is checked, not just the ones used: a stray non-hex byte means
 * the archive is corrupt or we are out of step with it.
 * Returns FE_OK or FE_ERR_BAD_FORMAT (bad magic, non-hex field).
 */
static fe_status_t parse_header(const uint8_t *h, uint32_t f[F_COUNT])
{
	const char *magic = "07070";

	for (unsigned i = 0; i < CPIO_MAGIC_LEN - 1; i++)
		if (h[i] != (uint8_t)magic[i])
			return FE_ERR_BAD_FORMAT;
	/* 070701 is plain newc, 070702 adds a checksum we do not verify. */
	if (h[CPIO_MAGIC_LEN - 1] != '1' && h[CPIO_MAGIC_LEN - 1] != '2')
		return FE_ERR_BAD_FORMAT;
	for (unsigned i = 0; i < F_COUNT; i++)
		if (!hex_field(h + CPIO_MAGIC_LEN + i * CPIO_FIELD_LEN, &f[i]))
			return FE_ERR_BAD_FORMAT;
	return FE_OK;
}

/* True when the `namesize` bytes at `s` hold exactly one NUL, at the end. */
static bool name_ok(const char *s, size_t namesize)
{
	for (size_t i = 0; i + 1 < namesize; i++)
		if (s[i] == '\0')
			return false;
	return s[namesize - 1] == '\0';
}

/* True when the NUL-terminated `a` and `b` are equal. */
static bool str_eq(const char *a, const char *b)
{
	size_t i = 0;

	while (a[i] != '\0' && a[i] == b[i])
		i++;
	return a[i] == b[i];
}

/*
 * Reads the entry at it->off. Returns FE_OK with *out filled and it->off
 * moved past the entry; FE_ERR_NOT_FOUND at the trailer; otherwise the error
 * (see cpio_next). Neither *out nor it->off changes unless FE_OK.
 */
static fe_status_t read_entry(struct cpio_iter *it, struct cpio_entry *out)
{
	uint32_t f[F_COUNT];
	size_t off = it->off, size = it->size;

	if (!range_in(off, CPIO_HDR_LEN, size))
		return FE_ERR_OUT_OF_RANGE;
	fe_status_t st = parse_header(it->buf + off, f);
	if (st != FE_OK)
		return st;

	size_t name_off = off + CPIO_HDR_LEN, namesize = f[F_NAMESIZE];
	if (namesize < 2 || namesize > CPIO_NAME_MAX)
		return FE_ERR_BAD_FORMAT; /* empty ("" + NUL) or too long */
	if (!range_in(name_off, namesize, size))
		return FE_ERR_OUT_OF_RANGE;
	const char *name = (const char *)it->buf + name_off;
	if (!name_ok(name, namesize))
		return FE_ERR_BAD_FORMAT;
	if (str_eq(name, "TRAILER!!!"))
		return FE_ERR_NOT_FOUND;

	size_t data_off = name_off + namesize; /* <= size: checked above */
	size_t pad = pad4(data_off);
	if (pad > size - data_off)
		return FE_ERR_OUT_OF_RANGE;
	data_off += pad;
	size_t filesize = f[F_FILESIZE];
	if (!range_in(data_off, filesize, size))
		return FE_ERR_OUT_OF_RANGE;

	size_t next = data_off + filesize;
	pad = pad4(next);
	/* Missing padding at the very end is left for the next call to report. */
	it->off = pad > size - next ? size : next + pad;
	*out = (struct cpio_entry){
		.name = name,
		.name_len = namesize - 1,
		.data = it->buf + data_off,
		.size = filesize,
		.mode = f[F_MODE],
	};
	return FE_OK;
}

/* A NULL buffer is treated as an empty one, so cpio_next reports it as truncated. */
void cpio_iter_init(struct cpio_iter *it, const void *buf, size_t size)
{
	it->buf = buf;
	it->size = buf == NULL ? 0 : size;
	it->off = 0;
	it->done = false;
}

fe_status_t cpio_next(struct cpio_iter *it, struct cpio_entry *out)
{
	if (it->done)
		return FE_ERR_NOT_FOUND;
	fe_status_t st = read_entry(it, out);
	if (st != FE_OK)
		it->done = true;
	return st;
}

/* Drops one leading "./", so "./init" and "init" name the same file. */
static const char *strip_dot_slash(const char *s)
{
	return s[0] == '.' && s[1] == '/' ? s + 2 : s;
}

fe_status_t cpio_find(const void *buf, size_t size, const char *name, struct cpio_entry *out)
{
	struct cpio_iter it;
	struct cpio_entry e;
	fe_status_t st;
	const char *want = strip_dot_slash(name);

	cpio_iter_init(&it, buf, size);
	while ((st = cpio_next(&it, &e)) == FE_OK) {
		if ((e.mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_REG &&
		    str_eq(strip_dot_slash(e.name), want)) {
			*out = e;
			return FE_OK;
		}
	}
	return st;
}
