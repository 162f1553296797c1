/* SPDX-License-Identifier: MIT */
#ifndef FERROUS_LIB_STACK_PROTECTOR_H
#define FERROUS_LIB_STACK_PROTECTOR_H

#include <stdint.h>

/* Replaces the compile-time canary. Call only from a function that never
 * returns (kernel_main), before any function it calls could return across it. */
void stack_protector_init(uint64_t seed);

#endif /* FERROUS_LIB_STACK_PROTECTOR_H */
