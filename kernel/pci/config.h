/* SPDX-License-Identifier: MIT */
/*
 * What the kernel makes of a function's configuration space: its BARs, the
 * capabilities it keeps to itself, and which writes a driver may make.
 *
 * Pure functions over values read from the device (host-tested and fuzzed):
 * a device is untrusted, so whatever it reports (BAR sizes that are not
 * powers of two, a capability list that loops or points into the header)
 * gives an error for that BAR or capability, never a kernel problem.
 */
#ifndef FERROUS_PCI_CONFIG_H
#define FERROUS_PCI_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/pci.h>

/* A BAR as the kernel sized it (with decoding off, once). */
struct pci_bar {
	uint8_t kind;        /* enum fe_pci_bar_kind; 0: not implemented or the upper half of a 64-bit BAR */
	bool prefetchable;
	fe_status_t status;  /* FE_OK, or why no capability is made for it */
	uint64_t base, size;
};

/* One BAR slot's value before sizing and after writing all ones. */
struct pci_bar_probe {
	uint32_t orig, mask;
};

/*
 * Decodes BAR `index` from the six probes. A 64-bit BAR uses probe[index + 1]
 * as its upper half, and the caller marks that slot empty. Errors:
 * FE_ERR_BAD_FORMAT (a size that is not a power of two, a reserved type,
 * a 64-bit BAR in the last slot, a base not aligned to the size, a range
 * past the address space), FE_ERR_UNSUPPORTED (a memory BAR below 1 MiB
 * only, type 01b), FE_ERR_BAD_STATE (firmware left it unassigned: base 0).
 * kind and size are set whenever the BAR is implemented, even with an error.
 */
void pci_bar_decode(const struct pci_bar_probe probe[FE_PCI_BARS], unsigned index,
                    struct pci_bar *out);

/* Reads `width` bytes of configuration space at `off`; the walk below asks
 * only for offsets inside the function's space. */
typedef uint32_t (*pci_config_read_fn)(void *ctx, uint32_t off, unsigned width);

/* A standard capability the kernel owns: [off, off + len). len 0: absent. */
struct pci_cap_span {
	uint16_t off, len;
};

struct pci_owned_caps {
	struct pci_cap_span msi, msix;
};

/*
 * Walks the standard capability list (if the status register says there is
 * one) and records MSI and MSI-X. At most 48 entries are visited (the most
 * that fit in 192 bytes); a pointer into the header or past 0xff, or a loop,
 * ends the walk with FE_ERR_BAD_FORMAT, keeping what was found before it.
 */
fe_status_t pci_find_owned_caps(pci_config_read_fn rd, void *ctx, struct pci_owned_caps *out);

/* Where MSI-X keeps its table and pending-bit array: a BAR index (>= 6 for
 * one that names no BAR) and a byte range in it each. */
struct pci_msix_layout {
	uint32_t entries;
	uint8_t table_bar, pba_bar;
	uint32_t table_off, table_len;
	uint32_t pba_off, pba_len;
};

/* Reads the layout from the MSI-X capability at `cap`. */
void pci_msix_layout(pci_config_read_fn rd, void *ctx, uint32_t cap, struct pci_msix_layout *out);

/* Whether a configuration access of `width` at `off` is well formed:
 * width 1, 2 or 4, aligned, inside the 4 KiB. */
bool pci_config_access_ok(uint32_t off, uint64_t width);

/*
 * Whether a driver may write `width` bytes at `off`, and what to write:
 * the command register (bytes 4..5, width 1 or 2) with only the
 * FE_PCI_COMMAND_DRIVER_BITS taken from `value` and every other bit kept
 * from `current` (what the register holds now, same width); or the
 * device-specific area [0x40, 0x100) outside the kernel's capabilities,
 * written as given. Everything else (BARs, the ROM BAR, the header, MSI,
 * MSI-X, extended space) is FE_ERR_ACCESS_DENIED. The access itself must be
 * well formed (pci_config_access_ok).
 */
fe_status_t pci_config_write_filter(const struct pci_owned_caps *owned, uint32_t off,
                                    unsigned width, uint32_t value, uint32_t current,
                                    uint32_t *out);

#endif /* FERROUS_PCI_CONFIG_H */
