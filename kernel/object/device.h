/* SPDX-License-Identifier: MIT */
/*
 * Device objects: an I/O-port range, an MMIO region, the debug console and
 * the trace reader. Made by the kernel at boot for the root task, and for a
 * PCI BAR through that function's capability (object/pci.h); nobody can
 * create them from nothing (no ambient authority).
 */
#ifndef FERROUS_OBJECT_DEVICE_H
#define FERROUS_OBJECT_DEVICE_H

#include <stdint.h>

#include <ferrous/errors.h>

#include "object/kobj.h"

struct ioport {
	struct kobj obj;
	uint16_t base, count;
};

struct mmio {
	struct kobj obj;
	uint64_t phys, size; /* page aligned */
	/* Pages no mapping may cover (page aligned; len 0: none): a PCI BAR's
	 * MSI-X table and pending bits, which the kernel programs and a driver
	 * must not (it could aim its device's messages at any vector). */
	uint64_t hole_off, hole_len;
};

void device_init_cache(void);
struct budget;
/* Charged to b (NULL: a boot object, charged to nobody). */
fe_status_t ioport_create(struct budget *b, uint16_t base, uint16_t count, struct ioport **out);
fe_status_t mmio_create(struct budget *b, uint64_t phys, uint64_t size, struct mmio **out);
/* The singletons: console and trace (a reference each time). */
struct kobj *console_object(void);
struct kobj *trace_object(void);

#endif /* FERROUS_OBJECT_DEVICE_H */
