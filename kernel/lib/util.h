/* SPDX-License-Identifier: MIT */
/* Small macros every kernel file may use. Pure, freestanding. */
#ifndef FERROUS_LIB_UTIL_H
#define FERROUS_LIB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Round to a power-of-two alignment `al`. */
#define ALIGN_DOWN(x, al) ((x) & ~((__typeof__(x))(al) - 1))
#define ALIGN_UP(x, al) ALIGN_DOWN((x) + ((__typeof__(x))(al) - 1), al)
#define IS_ALIGNED(x, al) (((x) & ((__typeof__(x))(al) - 1)) == 0)

/*
 * True if [off, off + len) lies inside [0, limit). Written so no sum can
 * wrap: every range check of a user-supplied offset and length goes
 * through this (off + len > limit would pass off = 2^64 - 4, len = 8).
 */
static inline bool range_within(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

/* a + b, or UINT64_MAX if that would wrap (deadlines: "never" stays never). */
static inline uint64_t sat_add_u64(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define NORETURN __attribute__((noreturn))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define UNUSED __attribute__((unused))
#define SECTION(s) __attribute__((section(s)))

#define KIB(x) ((uint64_t)(x) << 10)
#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)

#endif /* FERROUS_LIB_UTIL_H */
