/* SPDX-License-Identifier: MIT */
/* Small macros every kernel file may use. Pure, freestanding. */
#ifndef FERROUS_LIB_UTIL_H
#define FERROUS_LIB_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Round to a power-of-two alignment `al`. */
#define ALIGN_DOWN(x, al) ((x) & ~((__typeof__(x))(al) - 1))
#define ALIGN_UP(x, al) ALIGN_DOWN((x) + ((__typeof__(x))(al) - 1), al)
#define IS_ALIGNED(x, al) (((x) & ((__typeof__(x))(al) - 1)) == 0)

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
