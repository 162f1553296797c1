/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/lib/cpio.c: iterate every entry (reading every
 * byte of every name and body, so ASan checks the views), check the end is
 * sticky, then look files up by name. Contract violations trap.
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/cpio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where entry bytes are summed, so reading them cannot be optimised away. */
static volatile unsigned sink;

static void require(int cond)
{
	if (!cond)
		__builtin_trap();
}

/* Checks that an entry is a view inside [data, data + size) and touches all of it. */
static unsigned check_entry(const struct cpio_entry *e, const uint8_t *data, size_t size)
{
	const uint8_t *name = (const uint8_t *)e->name;
	unsigned acc = 0;

	require(name >= data && e->name_len < size && (size_t)(name - data) <= size - e->name_len - 1);
	require(e->name_len >= 1 && e->name_len < CPIO_NAME_MAX);
	for (size_t i = 0; i < e->name_len; i++)
		require(e->name[i] != '\0');
	require(e->name[e->name_len] == '\0');
	require(e->size == 0 || (e->data >= data && (size_t)(e->data - data) <= size - e->size));
	for (size_t i = 0; i < e->size; i++)
		acc += e->data[i];
	return acc;
}

static void find(const uint8_t *data, size_t size, const char *name)
{
	struct cpio_entry e;

	if (cpio_find(data, size, name, &e) != FE_OK)
		return;
	require((e.mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_REG);
	check_entry(&e, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpio_iter it;
	struct cpio_entry e;
	fe_status_t st;
	size_t n = 0;

	cpio_iter_init(&it, data, size);
	while ((st = cpio_next(&it, &e)) == FE_OK) {
		sink += check_entry(&e, data, size);
		require(++n <= size / 110); /* every entry consumes a header at least */
	}
	require(st == FE_ERR_NOT_FOUND || st == FE_ERR_BAD_FORMAT || st == FE_ERR_OUT_OF_RANGE);
	require(it.done);
	/* Damage is explained and placed inside the archive; the trailer is not damage. */
	require((st == FE_ERR_NOT_FOUND) == (it.why == NULL));
	require(it.why == NULL || it.bad_off <= size);
	require(cpio_next(&it, &e) == FE_ERR_NOT_FOUND);

	find(data, size, "init");
	find(data, size, "./bin/sh");
	find(data, size, "");
	return 0;
}
