/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/lib/cpio.c. Archives are built in memory with the
 * same layout `cpio -o -H newc` writes, then damaged one field at a time;
 * the parser always reads an exact-size heap copy, so ASan catches any read
 * past the end.
 */
#include "host_test.h"

#include <stdio.h>

#include "lib/cpio.h"

#define AR_MAX 8192u
#define HDR_LEN 110u
#define MODE_FILE 0100644u
#define MODE_DIR 0040755u

/* Header fields after the 6-byte magic, 8 hex digits each. */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR, F_DEVMINOR,
       F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

struct ar {
	uint8_t b[AR_MAX];
	size_t len;
};

static void ar_pad4(struct ar *a)
{
	while (a->len % 4 != 0)
		a->b[a->len++] = 0;
}

static void ar_bytes(struct ar *a, const void *p, size_t n)
{
	assert_true(a->len + n <= AR_MAX);
	memcpy(a->b + a->len, p, n);
	a->len += n;
}

/* Appends one entry (name written with its NUL) and returns the offset of its header. */
static size_t ar_add(struct ar *a, const char *name, uint32_t mode, const void *data, size_t size)
{
	char hdr[HDR_LEN + 1];
	size_t at = a->len;
	size_t namesize = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
	         (unsigned)(at + 1), mode, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u,
	         (unsigned)namesize, 0u);
	ar_bytes(a, hdr, HDR_LEN);
	ar_bytes(a, name, namesize);
	ar_pad4(a);
	if (size != 0)
		ar_bytes(a, data, size);
	ar_pad4(a);
	return at;
}

static size_t ar_file(struct ar *a, const char *name, const char *contents)
{
	return ar_add(a, name, MODE_FILE, contents, strlen(contents));
}

static size_t ar_trailer(struct ar *a)
{
	return ar_add(a, "TRAILER!!!", 0, NULL, 0);
}

/* Rewrites header field `field` of the entry at `at` (any 8 characters, hex or not). */
static void ar_set_raw(struct ar *a, size_t at, unsigned field, const char *eight)
{
	memcpy(a->b + at + 6 + 8 * field, eight, 8);
}

static void ar_set(struct ar *a, size_t at, unsigned field, uint32_t v)
{
	char s[9];

	snprintf(s, sizeof(s), "%08X", v);
	ar_set_raw(a, at, field, s);
}

/* Appends a regular file with the given inode and link count (hard links). */
static size_t ar_link(struct ar *a, const char *name, uint32_t ino, uint32_t nlink, const char *contents)
{
	size_t at = ar_add(a, name, MODE_FILE, contents, strlen(contents));

	ar_set(a, at, F_INO, ino);
	ar_set(a, at, F_NLINK, nlink);
	return at;
}

/* The archive most tests start from: what a small initrd looks like. */
struct good {
	size_t init_at, sh_at, empty_at, trailer_at;
};

static void build_good(struct ar *a, struct good *g)
{
	memset(a, 0, sizeof(*a));
	ar_add(a, ".", MODE_DIR, NULL, 0);
	g->init_at = ar_file(a, "./init", "\x7f" "ELF init");
	ar_add(a, "bin", MODE_DIR, NULL, 0);
	g->sh_at = ar_file(a, "./bin/sh", "#!sh");
	g->empty_at = ar_file(a, "empty", "");
	/* Names and bodies of every length mod 4, so every padding case occurs. */
	ar_file(a, "a", "1");
	ar_file(a, "bb", "22");
	ar_file(a, "ccc", "333");
	ar_file(a, "dddd", "4444");
	ar_add(a, "init", MODE_DIR, NULL, 0); /* a directory: never what cpio_find returns */
	g->trailer_at = ar_trailer(a);
	/* Archives are padded to 512 bytes after the trailer. */
	a->len = (a->len + 511) & ~(size_t)511;
}

/* Iterates an exact-size copy of a, storing up to max entries; returns the final status. */
static fe_status_t iterate(const struct ar *a, struct cpio_entry *got, size_t max, size_t *n)
{
	struct cpio_iter it;
	struct cpio_entry e;
	fe_status_t st;
	uint8_t *copy = exact_copy(a->b, a->len);

	*n = 0;
	cpio_iter_init(&it, copy, a->len);
	while ((st = cpio_next(&it, &e)) == FE_OK) {
		assert_true(*n < max);
		/* Entries point into the copy: check them now, before it is freed. */
		assert_true(e.name >= (const char *)copy && e.name + e.name_len < (const char *)copy + a->len);
		assert_int_equal(strlen(e.name), e.name_len);
		assert_true(e.size == 0 || (e.data >= copy && e.data + e.size <= copy + a->len));
		got[(*n)++] = e;
	}
	free(copy);
	return st;
}

/* The status of the first cpio_next on an exact-size copy of `a`. */
static fe_status_t first_status(const struct ar *a)
{
	struct cpio_entry got[1];
	size_t n;
	fe_status_t st = iterate(a, got, 1, &n);

	assert_int_equal(n, 0);
	return st;
}

/* What cpio_find returned, copied out before the archive copy is freed. */
struct found {
	struct cpio_entry e; /* its pointers are dangling: use name and data below */
	char name[CPIO_NAME_MAX];
	char data[64];
};

static fe_status_t find(const struct ar *a, const char *name, struct found *f)
{
	uint8_t *copy = exact_copy(a->b, a->len);
	fe_status_t st = cpio_find(copy, a->len, name, &f->e);

	if (st == FE_OK) {
		assert_true(f->e.size < sizeof(f->data) && f->e.name_len < sizeof(f->name));
		memcpy(f->name, f->e.name, f->e.name_len + 1);
		memcpy(f->data, f->e.data, f->e.size);
		f->data[f->e.size] = '\0';
	}
	free(copy);
	return st;
}

static void test_iterate_good(void **state)
{
	(void)state;
	static const struct { const char *name; uint32_t mode; const char *data; } want[] = {
		{ ".", MODE_DIR, "" },      { "./init", MODE_FILE, "\x7f" "ELF init" },
		{ "bin", MODE_DIR, "" },    { "./bin/sh", MODE_FILE, "#!sh" },
		{ "empty", MODE_FILE, "" },  { "a", MODE_FILE, "1" },
		{ "bb", MODE_FILE, "22" },   { "ccc", MODE_FILE, "333" },
		{ "dddd", MODE_FILE, "4444" }, { "init", MODE_DIR, "" },
	};
	struct ar a;
	struct good g;
	struct cpio_iter it;
	struct cpio_entry e;
	size_t i = 0;

	build_good(&a, &g);
	uint8_t *copy = exact_copy(a.b, a.len);
	cpio_iter_init(&it, copy, a.len);
	for (; cpio_next(&it, &e) == FE_OK; i++) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_string_equal(e.name, want[i].name);
		assert_int_equal(e.name_len, strlen(want[i].name));
		assert_int_equal(e.mode, want[i].mode);
		assert_int_equal(e.size, strlen(want[i].data));
		assert_memory_equal(e.data, want[i].data, e.size);
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));
	/* The trailer ends it, and every later call says so again. */
	assert_true(it.done);
	assert_status(cpio_next(&it, &e), FE_ERR_NOT_FOUND);
	assert_status(cpio_next(&it, &e), FE_ERR_NOT_FOUND);
	free(copy);
}

static void test_mode_bits(void **state)
{
	(void)state;
	assert_int_equal(MODE_FILE & CPIO_MODE_TYPE_MASK, CPIO_MODE_REG);
	assert_int_equal(MODE_DIR & CPIO_MODE_TYPE_MASK, CPIO_MODE_DIR);
}

static void test_find(void **state)
{
	(void)state;
	struct ar a;
	struct good g;
	struct found f;

	build_good(&a, &g);
	assert_status(find(&a, "init", &f), FE_OK);
	assert_string_equal(f.name, "./init"); /* the file, not the later directory "init" */
	assert_string_equal(f.data, "\x7f" "ELF init");
	assert_status(find(&a, "./init", &f), FE_OK);
	assert_string_equal(f.name, "./init");
	assert_status(find(&a, "bin/sh", &f), FE_OK);
	assert_string_equal(f.data, "#!sh");
	assert_status(find(&a, "dddd", &f), FE_OK);
	assert_string_equal(f.data, "4444");

	assert_status(find(&a, "empty", &f), FE_OK);
	assert_int_equal(f.e.size, 0);

	assert_status(find(&a, "bin", &f), FE_ERR_NOT_FOUND); /* a directory */
	assert_status(find(&a, "ini", &f), FE_ERR_NOT_FOUND);
	assert_status(find(&a, "init2", &f), FE_ERR_NOT_FOUND);
	assert_status(find(&a, "sh", &f), FE_ERR_NOT_FOUND);
	assert_status(find(&a, "", &f), FE_ERR_NOT_FOUND);
	assert_status(find(&a, "TRAILER!!!", &f), FE_ERR_NOT_FOUND);
}

static void test_magic_070702_and_hex_case(void **state)
{
	(void)state;
	struct ar a;
	struct good g;
	struct found f;

	build_good(&a, &g);
	memcpy(a.b + g.init_at, "070702", 6); /* "crc" variant: the checksum is verified */
	uint32_t sum = 0;
	for (const char *p = "\x7f" "ELF init"; *p; p++)
		sum += (uint8_t)*p;
	ar_set(&a, g.init_at, F_CHECK, sum);
	ar_set_raw(&a, g.init_at, F_MODE, "000081a4"); /* lower-case hex */
	assert_status(find(&a, "init", &f), FE_OK);
	assert_int_equal(f.e.mode, 0100644);
}

/* A crc (070702) entry whose checksum is wrong is damage, named as such. */
static void test_crc_mismatch(void **state)
{
	(void)state;
	struct ar a;
	struct good g;
	struct found f;

	build_good(&a, &g);
	memcpy(a.b + g.sh_at, "070702", 6);
	ar_set_raw(&a, g.sh_at, F_CHECK, "DeadBeef");
	assert_status(find(&a, "bin/sh", &f), FE_ERR_BAD_FORMAT);
	/* The entries before it are still there. */
	assert_status(find(&a, "init", &f), FE_OK);
}

static void test_entries_after_trailer_ignored(void **state)
{
	(void)state;
	struct ar a;
	struct cpio_entry got[4];
	size_t n;

	memset(&a, 0, sizeof(a));
	ar_file(&a, "one", "1");
	ar_trailer(&a);
	ar_file(&a, "hidden", "2");
	ar_trailer(&a);
	assert_status(iterate(&a, got, 4, &n), FE_ERR_NOT_FOUND);
	assert_int_equal(n, 1);

	struct found f;
	assert_status(find(&a, "hidden", &f), FE_ERR_NOT_FOUND);

	/* Only a trailer: an empty archive. */
	memset(&a, 0, sizeof(a));
	ar_trailer(&a);
	assert_status(first_status(&a), FE_ERR_NOT_FOUND);
}

static void test_trailer_name_exact(void **state)
{
	(void)state;
	struct ar a;
	struct cpio_entry got[4];
	size_t n;

	/* Names that merely start like the trailer are ordinary entries. */
	memset(&a, 0, sizeof(a));
	ar_file(&a, "TRAILER!!", "x");
	ar_file(&a, "TRAILER!!!x", "y");
	ar_trailer(&a);
	assert_status(iterate(&a, got, 4, &n), FE_ERR_NOT_FOUND);
	assert_int_equal(n, 2);
}

static void test_missing_trailer(void **state)
{
	(void)state;
	struct ar a;
	struct cpio_entry got[4];
	size_t n;

	/* Ends right after the last entry: the next header is missing. */
	memset(&a, 0, sizeof(a));
	ar_file(&a, "one", "1234");
	assert_status(iterate(&a, got, 4, &n), FE_ERR_OUT_OF_RANGE);
	assert_int_equal(n, 1);

	/* The last body's padding missing as well: the entry itself is still whole. */
	memset(&a, 0, sizeof(a));
	ar_file(&a, "one", "1");
	a.len -= 3;
	assert_status(iterate(&a, got, 4, &n), FE_ERR_OUT_OF_RANGE);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].size, 1);

	/* Zero fill where a trailer should be is not a header. */
	memset(&a, 0, sizeof(a));
	ar_file(&a, "one", "1");
	a.len += 512;
	assert_status(iterate(&a, got, 4, &n), FE_ERR_BAD_FORMAT);
	assert_int_equal(n, 1);
}

static void test_bad_magic(void **state)
{
	(void)state;
	static const char *bad[] = { "070707", "070703", "070700", "170701", "07070 ", "\0\0\0\0\0\0" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ar a;
		struct good g;

		build_good(&a, &g);
		memcpy(a.b, bad[i], 6);
		assert_status(first_status(&a), FE_ERR_BAD_FORMAT);
	}
}

static void test_non_hex_field(void **state)
{
	(void)state;
	static const struct { unsigned field; const char *val; } bad[] = {
		{ F_FILESIZE, "0000000g" }, { F_FILESIZE, "0x000010" }, { F_FILESIZE, " 0000010" },
		{ F_MODE, "000081A-" },     { F_NAMESIZE, "0000000:" }, { F_INO, "@0000000" },
		{ F_CHECK, "0000000G" },    /* unused, but still checked */
		{ F_RDEVMINOR, "0000\0" "000" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ar a;
		struct good g;
		struct cpio_entry got[4];
		size_t n;

		build_good(&a, &g);
		ar_set_raw(&a, g.init_at, bad[i].field, bad[i].val);
		assert_status(iterate(&a, got, 4, &n), FE_ERR_BAD_FORMAT);
		assert_int_equal(n, 1); /* "." before it was fine */
	}
}

static void test_name_not_terminated(void **state)
{
	(void)state;
	struct ar a;
	struct good g;

	build_good(&a, &g);
	a.b[HDR_LEN + 1] = 'x'; /* "." followed by 'x' where its NUL was */
	assert_status(first_status(&a), FE_ERR_BAD_FORMAT);

	/* A NUL inside the counted name: name_len would disagree with strlen. */
	build_good(&a, &g);
	a.b[g.init_at + HDR_LEN + 2] = '\0';
	struct cpio_entry got[4];
	size_t n;
	assert_status(iterate(&a, got, 4, &n), FE_ERR_BAD_FORMAT);
	assert_int_equal(n, 1);
}

static void test_name_size_limits(void **state)
{
	(void)state;
	struct ar a;
	struct good g;
	char name[CPIO_NAME_MAX + 1];
	struct cpio_entry got[2];
	size_t n;

	build_good(&a, &g);
	ar_set(&a, 0, F_NAMESIZE, 1); /* just the NUL: an empty name */
	a.b[HDR_LEN] = '\0';
	assert_status(first_status(&a), FE_ERR_BAD_FORMAT);
	ar_set(&a, 0, F_NAMESIZE, 0);
	assert_status(first_status(&a), FE_ERR_BAD_FORMAT);
	ar_set(&a, 0, F_NAMESIZE, 0xffffffff);
	assert_status(first_status(&a), FE_ERR_BAD_FORMAT);

	/* The longest name accepted: CPIO_NAME_MAX bytes with its NUL. */
	memset(name, 'n', sizeof(name));
	name[CPIO_NAME_MAX - 1] = '\0';
	memset(&a, 0, sizeof(a));
	ar_file(&a, name, "x");
	ar_trailer(&a);
	assert_status(iterate(&a, got, 2, &n), FE_ERR_NOT_FOUND);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].name_len, CPIO_NAME_MAX - 1);

	/* One more is too long. */
	name[CPIO_NAME_MAX - 1] = 'n';
	name[CPIO_NAME_MAX] = '\0';
	memset(&a, 0, sizeof(a));
	ar_file(&a, name, "x");
	ar_trailer(&a);
	assert_status(first_status(&a), FE_ERR_BAD_FORMAT);
}

/* Cuts the good archive at every length inside entry "./init" and checks the error. */
static void test_truncated(void **state)
{
	(void)state;
	struct ar a;
	struct good g;

	build_good(&a, &g);
	size_t data_at = g.init_at + 120; /* 110 + "./init" and its NUL, padded to 4 */
	size_t end = data_at + 12;        /* 9 bytes of data, padded to 4 */

	for (size_t cut = g.init_at + 1; cut < end; cut++) {
		struct ar t = a;
		struct cpio_entry got[4];
		size_t n;

		t.len = cut;
		fe_status_t st = iterate(&t, got, 4, &n);
		if (cut < data_at + 9) {
			/* Header, name, name padding or body cut short. */
			assert_status(st, FE_ERR_OUT_OF_RANGE);
			assert_int_equal(n, 1);
		} else {
			/* The entry is whole; only its trailing padding or the next header is cut. */
			assert_status(st, FE_ERR_OUT_OF_RANGE);
			assert_int_equal(n, 2);
		}
	}
}

static void test_huge_filesize(void **state)
{
	(void)state;
	struct ar a;
	struct good g;
	struct cpio_entry got[4];
	size_t n;

	build_good(&a, &g);
	ar_set(&a, g.init_at, F_FILESIZE, 0xffffffff);
	assert_status(iterate(&a, got, 4, &n), FE_ERR_OUT_OF_RANGE);
	assert_int_equal(n, 1);

	/* One byte more than is left in the archive. */
	build_good(&a, &g);
	size_t data_at = g.init_at + 120;
	ar_set(&a, g.init_at, F_FILESIZE, (uint32_t)(a.len - data_at + 1));
	assert_status(iterate(&a, got, 4, &n), FE_ERR_OUT_OF_RANGE);

	/* Exactly what is left: one entry swallowing the rest, then the end of the buffer. */
	ar_set(&a, g.init_at, F_FILESIZE, (uint32_t)(a.len - data_at));
	assert_status(iterate(&a, got, 4, &n), FE_ERR_OUT_OF_RANGE);
	assert_int_equal(n, 2);
	assert_int_equal(got[1].size, a.len - data_at);
}

static void test_empty_and_null_buffer(void **state)
{
	(void)state;
	struct cpio_iter it;
	struct cpio_entry e;

	cpio_iter_init(&it, NULL, 100);
	assert_status(cpio_next(&it, &e), FE_ERR_OUT_OF_RANGE);
	assert_status(cpio_next(&it, &e), FE_ERR_NOT_FOUND);

	uint8_t *one = exact_copy("0", 1);
	cpio_iter_init(&it, one, 0);
	assert_status(cpio_next(&it, &e), FE_ERR_OUT_OF_RANGE);
	free(one);

	assert_status(cpio_find(NULL, 0, "init", &e), FE_ERR_OUT_OF_RANGE);
}

static void test_after_error(void **state)
{
	(void)state;
	struct ar a;
	struct good g;
	struct cpio_iter it;
	struct cpio_entry e, before;

	build_good(&a, &g);
	ar_set_raw(&a, g.sh_at, F_FILESIZE, "zzzzzzzz");
	uint8_t *copy = exact_copy(a.b, a.len);
	cpio_iter_init(&it, copy, a.len);
	for (int i = 0; i < 3; i++) /* ".", "./init", "bin" */
		assert_status(cpio_next(&it, &e), FE_OK);
	before = e;
	assert_status(cpio_next(&it, &e), FE_ERR_BAD_FORMAT);
	assert_memory_equal(&e, &before, sizeof(e)); /* *out untouched on error */
	assert_true(it.done);
	/* The iterator is done: it never resynchronises past the bad entry. */
	assert_status(cpio_next(&it, &e), FE_ERR_NOT_FOUND);
	assert_status(cpio_next(&it, &e), FE_ERR_NOT_FOUND);
	free(copy);

	/* cpio_find reports the error it met, but finds what came before it. */
	struct found f;
	assert_status(find(&a, "empty", &f), FE_ERR_BAD_FORMAT);
	assert_status(find(&a, "bin/sh", &f), FE_ERR_BAD_FORMAT);
	assert_status(find(&a, "init", &f), FE_OK);
}

static void test_unaligned_buffer(void **state)
{
	(void)state;
	struct ar a;
	struct good g;
	struct cpio_entry e;

	/* Padding is relative to the archive start, not to the address it sits at. */
	build_good(&a, &g);
	uint8_t *buf = malloc(a.len + 1);
	assert_non_null(buf);
	memcpy(buf + 1, a.b, a.len);
	assert_status(cpio_find(buf + 1, a.len, "dddd", &e), FE_OK);
	assert_memory_equal(e.data, "4444", 4);
	free(buf);
}

/*
 * GNU cpio (newc) writes a hard-linked file's data only with its last link;
 * the earlier links are empty entries with the same inode and nlink > 1.
 * Every name must give the data.
 */
static void test_hard_links(void **state)
{
	(void)state;
	struct ar a;
	struct found f;

	memset(&a, 0, sizeof(a));
	ar_link(&a, "./bin/init", 7, 3, "");
	ar_file(&a, "other", "x");
	ar_link(&a, "init", 7, 3, "");
	ar_link(&a, "prog", 9, 2, "");     /* another file, on a different inode */
	ar_link(&a, "./sbin/init", 7, 3, "\x7f" "ELF linked");
	ar_link(&a, "prog2", 9, 2, "PROG");
	ar_link(&a, "alone", 11, 2, "");   /* its other link is not in the archive */
	ar_trailer(&a);

	static const char *const names[] = { "bin/init", "init", "sbin/init" };
	for (size_t i = 0; i < 3; i++) {
		assert_status(find(&a, names[i], &f), FE_OK);
		assert_string_equal(f.data, "\x7f" "ELF linked");
	}
	assert_status(find(&a, "prog", &f), FE_OK);
	assert_string_equal(f.data, "PROG");
	assert_status(find(&a, "alone", &f), FE_OK);
	assert_int_equal(f.e.size, 0);

	/* Same inode on another device is another file. */
	memset(&a, 0, sizeof(a));
	ar_link(&a, "init", 7, 2, "");
	size_t other = ar_link(&a, "elsewhere", 7, 2, "DATA");
	ar_set(&a, other, F_DEVMINOR, 1);
	ar_trailer(&a);
	assert_status(find(&a, "init", &f), FE_OK);
	assert_int_equal(f.e.size, 0);

	/* nlink 1: an empty file with a reused inode number is just empty. */
	memset(&a, 0, sizeof(a));
	ar_link(&a, "init", 7, 1, "");
	ar_link(&a, "x", 7, 2, "DATA");
	ar_trailer(&a);
	assert_status(find(&a, "init", &f), FE_OK);
	assert_int_equal(f.e.size, 0);
}

/* Walks an exact-size copy of a; returns how many good entries came first, the
 * final status, the reason and (copied) bad name. */
static size_t walk_reason(const struct ar *a, fe_status_t *st, char *why, size_t why_size,
                          char *bad_name, size_t *bad_off)
{
	struct cpio_iter it;
	struct cpio_entry e;
	size_t n = 0;
	uint8_t *copy = exact_copy(a->b, a->len);

	cpio_iter_init(&it, copy, a->len);
	while ((*st = cpio_next(&it, &e)) == FE_OK)
		n++;
	snprintf(why, why_size, "%s", it.why ? it.why : "");
	snprintf(bad_name, CPIO_NAME_MAX, "%s", it.bad_name ? it.bad_name : "");
	*bad_off = it.bad_off;
	free(copy);
	return n;
}

/* One bad entry: the good ones before it survive, and the reason and place are named. */
static void test_damage_is_named(void **state)
{
	(void)state;
	struct ar a;
	struct found f;
	fe_status_t st;
	char why[160], name[CPIO_NAME_MAX];
	size_t off;

	/* A name over the limit. */
	memset(&a, 0, sizeof(a));
	ar_file(&a, "init", "I");
	size_t at = ar_file(&a, "long", "L");
	ar_set(&a, at, F_NAMESIZE, CPIO_NAME_MAX + 1);
	assert_int_equal(walk_reason(&a, &st, why, sizeof(why), name, &off), 1);
	assert_status(st, FE_ERR_BAD_FORMAT);
	assert_non_null(strstr(why, "name longer than"));
	assert_int_equal(off, at);
	assert_status(find(&a, "init", &f), FE_OK);

	/* A truncated tail: the bad entry's name is known. */
	memset(&a, 0, sizeof(a));
	ar_file(&a, "init", "I");
	at = ar_file(&a, "tail", "0123456789");
	a.len -= 6;
	assert_int_equal(walk_reason(&a, &st, why, sizeof(why), name, &off), 1);
	assert_status(st, FE_ERR_OUT_OF_RANGE);
	assert_non_null(strstr(why, "truncated"));
	assert_string_equal(name, "tail");
	assert_int_equal(off, at);
	assert_status(find(&a, "init", &f), FE_OK);

	/* No trailer at all. */
	memset(&a, 0, sizeof(a));
	ar_file(&a, "init", "I");
	assert_int_equal(walk_reason(&a, &st, why, sizeof(why), name, &off), 1);
	assert_non_null(strstr(why, "TRAILER!!!"));
	assert_status(find(&a, "init", &f), FE_OK);

	/* Bad magic in one header: nothing after it is read (no resynchronising). */
	memset(&a, 0, sizeof(a));
	ar_file(&a, "one", "1");
	at = ar_file(&a, "two", "2");
	ar_file(&a, "init", "3");
	ar_trailer(&a);
	memcpy(a.b + at, "07X701", 6);
	assert_int_equal(walk_reason(&a, &st, why, sizeof(why), name, &off), 1);
	assert_non_null(strstr(why, "bad magic"));
	assert_string_equal(name, "");
	assert_status(find(&a, "one", &f), FE_OK);
	assert_status(find(&a, "init", &f), FE_ERR_BAD_FORMAT);
}

/* Other cpio formats and compressed archives are named in the reason. */
static void test_other_formats_named(void **state)
{
	(void)state;
	static const struct { const char *magic; const char *says; } cases[] = {
		{ "070707", "odc (070707)" },
		{ "\xc7\x71" "abcd", "old binary" },
		{ "\x71\xc7" "abcd", "old binary" },
		{ "\x1f\x8b" "\x08\0\0\0", "compressed (gzip)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ar a;
		struct good g;
		fe_status_t st;
		char why[160], name[CPIO_NAME_MAX];
		size_t off;

		build_good(&a, &g);
		memcpy(a.b, cases[i].magic, 6);
		assert_int_equal(walk_reason(&a, &st, why, sizeof(why), name, &off), 0);
		assert_status(st, FE_ERR_BAD_FORMAT);
		assert_non_null(strstr(why, cases[i].says));
		assert_non_null(strstr(why, "070701"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iterate_good),
		cmocka_unit_test(test_mode_bits),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_magic_070702_and_hex_case),
		cmocka_unit_test(test_entries_after_trailer_ignored),
		cmocka_unit_test(test_trailer_name_exact),
		cmocka_unit_test(test_missing_trailer),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_non_hex_field),
		cmocka_unit_test(test_name_not_terminated),
		cmocka_unit_test(test_name_size_limits),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_huge_filesize),
		cmocka_unit_test(test_empty_and_null_buffer),
		cmocka_unit_test(test_after_error),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_crc_mismatch),
		cmocka_unit_test(test_hard_links),
		cmocka_unit_test(test_damage_is_named),
		cmocka_unit_test(test_other_formats_named),
	};

	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
