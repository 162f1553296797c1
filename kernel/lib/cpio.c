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
 *
 * Damage ends the walk: the entries before it stay usable, nothing after it
 * is read. Resynchronising (scanning for the next "07070" magic) is not
 * safe: a file's data may hold bytes that look like a header, so a crafted
 * or merely unlucky file could plant entries, even a second "init".
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

/* Records why the entry at it->off is bad; returns st for the caller to pass on. */
static fe_status_t bad(struct cpio_iter *it, fe_status_t st, const char *why)
{
	it->why = why;
	it->bad_off = it->off;
	return st;
}

/*
 * Names the format of a header that is not newc or crc, so the message says
 * what the archive is rather than just "bad magic". `h` has CPIO_MAGIC_LEN
 * readable bytes.
 */
static const char *other_format(const uint8_t *h)
{
	if (h[0] == 0x1f && h[1] == 0x8b)
		return "compressed (gzip); only uncompressed newc (070701) and crc (070702) archives are supported";
	if ((h[0] == 0xc7 && h[1] == 0x71) || (h[0] == 0x71 && h[1] == 0xc7))
		return "old binary cpio; only newc (070701) and crc (070702) archives are supported";
	if (h[0] == '0' && h[1] == '7' && h[2] == '0' && h[3] == '7' && h[4] == '0' && h[5] == '7')
		return "odc (070707) cpio; only newc (070701) and crc (070702) archives are supported";
	return "bad magic (not 070701 or 070702): not a newc or crc cpio header";
}

/*
 * Decodes the header at it->off (CPIO_HDR_LEN readable bytes) into
 * f[F_COUNT] and sets *crc for the 070702 format. Every field is checked, not
 * just the ones used: a stray non-hex byte means the archive is corrupt or we
 * are out of step with it. Returns FE_OK or FE_ERR_BAD_FORMAT (with why).
 */
static fe_status_t parse_header(struct cpio_iter *it, uint32_t f[F_COUNT], bool *crc)
{
	const uint8_t *h = it->buf + it->off;
	const char *magic = "07070";

	for (unsigned i = 0; i < CPIO_MAGIC_LEN - 1; i++)
		if (h[i] != (uint8_t)magic[i])
			return bad(it, FE_ERR_BAD_FORMAT, other_format(h));
	/* 070701 is plain newc, 070702 adds a checksum of the data (checked). */
	if (h[CPIO_MAGIC_LEN - 1] != '1' && h[CPIO_MAGIC_LEN - 1] != '2')
		return bad(it, FE_ERR_BAD_FORMAT, other_format(h));
	*crc = h[CPIO_MAGIC_LEN - 1] == '2';
	for (unsigned i = 0; i < F_COUNT; i++)
		if (!hex_field(h + CPIO_MAGIC_LEN + i * CPIO_FIELD_LEN, &f[i]))
			return bad(it, FE_ERR_BAD_FORMAT, "a header field is not eight hex digits");
	return FE_OK;
}

/* The crc format's checksum: the sum of the data bytes, modulo 2^32. */
static uint32_t data_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return sum;
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
 * (see cpio_next) with it->why, it->bad_off and, once the name has been
 * checked, it->bad_name set. Neither *out nor it->off changes unless FE_OK.
 */
static fe_status_t read_entry(struct cpio_iter *it, struct cpio_entry *out)
{
	uint32_t f[F_COUNT];
	size_t off = it->off, size = it->size;
	bool crc;

	if (off == size)
		return bad(it, FE_ERR_OUT_OF_RANGE, "the archive ends without a TRAILER!!! entry");
	if (!range_in(off, CPIO_HDR_LEN, size))
		return bad(it, FE_ERR_OUT_OF_RANGE, "truncated: the header runs past the end");
	fe_status_t st = parse_header(it, f, &crc);
	if (st != FE_OK)
		return st;

	size_t name_off = off + CPIO_HDR_LEN, namesize = f[F_NAMESIZE];
	if (namesize < 2)
		return bad(it, FE_ERR_BAD_FORMAT, "empty name");
	if (namesize > CPIO_NAME_MAX)
		return bad(it, FE_ERR_BAD_FORMAT, "name longer than 255 bytes");
	if (!range_in(name_off, namesize, size))
		return bad(it, FE_ERR_OUT_OF_RANGE, "truncated: the name runs past the end");
	const char *name = (const char *)it->buf + name_off;
	if (!name_ok(name, namesize))
		return bad(it, FE_ERR_BAD_FORMAT, "the name has a NUL inside or none at its end");
	if (str_eq(name, "TRAILER!!!"))
		return FE_ERR_NOT_FOUND;
	it->bad_name = name;

	size_t data_off = name_off + namesize; /* <= size: checked above */
	size_t pad = pad4(data_off);
	if (pad > size - data_off)
		return bad(it, FE_ERR_OUT_OF_RANGE, "truncated: the data runs past the end");
	data_off += pad;
	size_t filesize = f[F_FILESIZE];
	if (!range_in(data_off, filesize, size))
		return bad(it, FE_ERR_OUT_OF_RANGE, "truncated: the data runs past the end");
	if (crc && data_sum(it->buf + data_off, filesize) != f[F_CHECK])
		return bad(it, FE_ERR_BAD_FORMAT, "crc (070702) checksum does not match the data");

	size_t next = data_off + filesize;
	pad = pad4(next);
	/* Missing padding at the very end is left for the next call to report. */
	it->off = pad > size - next ? size : next + pad;
	it->bad_name = NULL;
	*out = (struct cpio_entry){
		.name = name,
		.name_len = namesize - 1,
		.data = it->buf + data_off,
		.size = filesize,
		.mode = f[F_MODE],
		.ino = f[F_INO],
		.nlink = f[F_NLINK],
		.dev_major = f[F_DEVMAJOR],
		.dev_minor = f[F_DEVMINOR],
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
	it->why = NULL;
	it->bad_name = NULL;
	it->bad_off = 0;
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

/* True when a and b are links to one file: same inode on the same device. */
static bool same_file(const struct cpio_entry *a, const struct cpio_entry *b)
{
	return a->ino == b->ino && a->dev_major == b->dev_major && a->dev_minor == b->dev_minor;
}

void cpio_resolve_link(const void *buf, size_t size, struct cpio_entry *e)
{
	struct cpio_iter it;
	struct cpio_entry o;

	if (e->nlink < 2 || e->size != 0 || (e->mode & CPIO_MODE_TYPE_MASK) != CPIO_MODE_REG)
		return;
	cpio_iter_init(&it, buf, size);
	while (cpio_next(&it, &o) == FE_OK) {
		if (o.size != 0 && o.nlink > 1 && same_file(&o, e) &&
		    (o.mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_REG) {
			e->data = o.data;
			e->size = o.size;
			return;
		}
	}
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
			cpio_resolve_link(buf, size, &e);
			*out = e;
			return FE_OK;
		}
	}
	return st;
}
