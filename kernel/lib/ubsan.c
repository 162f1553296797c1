/* SPDX-License-Identifier: MIT */
/*
 * The kernel's UndefinedBehaviorSanitizer runtime (debug builds compile the
 * kernel with -fsanitize=undefined -fno-sanitize-recover=all, so clang calls
 * the _abort handlers below). Every report names the check and the source
 * file:line:column and panics; a test may catch it (core/fault_catch.h).
 *
 * The data layouts are clang's (compiler-rt ubsan_handlers.h); only the
 * leading source location and, for type mismatches, the alignment and kind
 * are read. This file is built without sanitizers.
 */
#include <stdint.h>

#include "core/fault_catch.h"
#include "core/panic.h"
#include "lib/util.h"

struct src_loc {
	const char *file;
	uint32_t line;
	uint32_t column;
};

struct type_mismatch_data {
	struct src_loc loc;
	const void *type;
	uint8_t log_alignment;
	uint8_t kind;
};

NORETURN static void report(const struct src_loc *loc, const char *what)
{
	uint64_t rip = (uint64_t)(uintptr_t)__builtin_return_address(0);

	fault_catch_set_detail("UBSan: %s at %s:%u:%u", what, loc->file, loc->line, loc->column);
	fault_catch_deliver(FAULT_KIND_UBSAN, 0, 0, rip, 0);
	panic("UBSan: %s at %s:%u:%u", what, loc->file, loc->line, loc->column);
}

/* Each handler is declared here to satisfy -Wmissing-prototypes. */
#define HANDLER(name, what, ...)                                      \
	NORETURN void __ubsan_handle_##name(void *data, ##__VA_ARGS__); \
	void __ubsan_handle_##name(void *data, ##__VA_ARGS__) { report(data, what); }

HANDLER(add_overflow_abort, "signed addition overflow", void *a, void *b)
HANDLER(sub_overflow_abort, "signed subtraction overflow", void *a, void *b)
HANDLER(mul_overflow_abort, "signed multiplication overflow", void *a, void *b)
HANDLER(negate_overflow_abort, "signed negation overflow", void *a)
HANDLER(divrem_overflow_abort, "division by zero or INT_MIN / -1", void *a, void *b)
HANDLER(shift_out_of_bounds_abort, "shift out of bounds", void *a, void *b)
HANDLER(out_of_bounds_abort, "array index out of bounds", void *index)
HANDLER(builtin_unreachable, "__builtin_unreachable reached")
HANDLER(missing_return, "end of non-void function reached")
HANDLER(vla_bound_not_positive_abort, "VLA bound not positive", void *bound)
HANDLER(load_invalid_value_abort, "load of an invalid value (bool or enum)", void *v)
HANDLER(nonnull_arg_abort, "NULL passed as a nonnull argument")
HANDLER(nonnull_return_v1_abort, "NULL returned from a returns_nonnull function", void *loc)
HANDLER(nullability_arg_abort, "NULL passed as a _Nonnull argument")
HANDLER(nullability_return_v1_abort, "NULL returned as _Nonnull", void *loc)
HANDLER(pointer_overflow_abort, "pointer arithmetic overflow", void *base, void *result)
HANDLER(invalid_builtin_abort, "invalid argument to a builtin")
HANDLER(alignment_assumption_abort, "alignment assumption violated", void *p, void *a, void *o)
HANDLER(float_cast_overflow_abort, "float cast overflow", void *from)
HANDLER(implicit_conversion_abort, "implicit conversion changed the value", void *a, void *b)

NORETURN void __ubsan_handle_type_mismatch_v1_abort(void *data, void *ptr);
void __ubsan_handle_type_mismatch_v1_abort(void *data, void *ptr)
{
	const struct type_mismatch_data *d = data;
	uintptr_t p = (uintptr_t)ptr;

	if (p == 0)
		report(&d->loc, "NULL pointer dereference");
	if (d->log_alignment && (p & ((1ULL << d->log_alignment) - 1)))
		report(&d->loc, "misaligned pointer use");
	report(&d->loc, "access to an object of insufficient size");
}
