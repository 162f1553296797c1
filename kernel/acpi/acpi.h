/* SPDX-License-Identifier: MIT */
/*
 * ACPI table parsing: RSDP, XSDT (or RSDT), MADT, HPET, SRAT, SLIT, MCFG and
 * DMAR.
 *
 * The tables are firmware-provided bytes, so the parser trusts nothing: every
 * table's signature, length and checksum is checked, and every sub-structure
 * is bounds-checked against its table before it is read. Pure code: physical
 * memory is reached only through the caller's map function, which lets the
 * host tests and the fuzzer feed it a plain buffer.
 */
#ifndef FERROUS_ACPI_ACPI_H
#define FERROUS_ACPI_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

/*
 * Returns a pointer through which `len` bytes at physical address `phys` can
 * be read, or NULL if that range is not readable memory. The parser makes no
 * assumption about alignment of the returned pointer.
 */
typedef const void *(*acpi_map_fn)(uint64_t phys, uint64_t len, void *ctx);

#define ACPI_MAX_TABLES 64u
#define ACPI_MAX_CPUS 256u
#define ACPI_MAX_IOAPICS 16u
#define ACPI_MAX_OVERRIDES 32u
#define ACPI_MAX_NMIS 16u
#define ACPI_MAX_NODES 8u
#define ACPI_MAX_MEM_AFFINITY 64u
#define ACPI_MAX_ECAM 8u
#define ACPI_MAX_DRHD 4u        /* DMA remapping units */
#define ACPI_MAX_RMRR 8u        /* reserved memory regions */
#define ACPI_MAX_DMAR_SCOPES 8u /* device scopes per unit or region */
#define ACPI_MAX_SCOPE_PATH 4u  /* (device, function) hops per scope */

/* Longest table accepted (bytes): longer is treated as malformed. */
#define ACPI_MAX_TABLE_LEN (1u << 20)

struct acpi_table_ref {
	char sig[5];        /* NUL-terminated signature, e.g. "APIC" */
	bool checksum_ok;
	uint64_t phys;
	uint32_t length;
};

struct acpi_cpu {
	uint32_t apic_id;   /* local APIC id (x2APIC id for type 9 entries) */
	uint32_t uid;       /* ACPI processor UID */
	bool enabled;       /* usable now */
	bool online_capable;/* may be enabled later */
};

struct acpi_ioapic {
	uint32_t id;
	uint64_t addr;      /* MMIO base */
	uint32_t gsi_base;
};

/* MADT flags of an interrupt source override or NMI source (MPS INTI flags). */
#define ACPI_INTI_POLARITY_MASK 0x3u
#define ACPI_INTI_POLARITY_HIGH 0x1u
#define ACPI_INTI_POLARITY_LOW 0x3u
#define ACPI_INTI_TRIGGER_MASK 0xcu
#define ACPI_INTI_TRIGGER_EDGE 0x4u
#define ACPI_INTI_TRIGGER_LEVEL 0xcu

struct acpi_override {
	uint8_t bus;        /* 0 = ISA */
	uint8_t source_irq; /* ISA IRQ number */
	uint32_t gsi;       /* global system interrupt it is wired to */
	uint16_t flags;     /* ACPI_INTI_* */
};

struct acpi_lapic_nmi {
	uint32_t uid;       /* processor UID, 0xffffffff (or 0xff) = all */
	uint16_t flags;     /* ACPI_INTI_* */
	uint8_t lint;       /* LINT0 or LINT1 */
};

struct acpi_hpet {
	bool present;
	uint64_t address;   /* MMIO base (from the Generic Address Structure) */
	uint8_t number;
	uint16_t min_tick;
};

/* One PCI Express configuration-space window (MCFG): bus b, device d,
 * function f of the segment are at base + (b - bus_start) << 20 | d << 15 | f << 12. */
struct acpi_ecam {
	uint64_t base;      /* physical, 1 MiB aligned, of bus_start */
	uint16_t segment;   /* PCI segment group */
	uint8_t bus_start, bus_end;
};

/* What a DMAR device scope names (VT-d specification, 8.3.1). */
enum acpi_dmar_scope_type {
	ACPI_DMAR_SCOPE_ENDPOINT = 1,  /* one PCI function */
	ACPI_DMAR_SCOPE_BRIDGE = 2,    /* a PCI bridge and everything behind it */
	ACPI_DMAR_SCOPE_IOAPIC = 3,
	ACPI_DMAR_SCOPE_HPET = 4,
	ACPI_DMAR_SCOPE_NAMESPACE = 5, /* an ACPI namespace device */
};

/* A device named by its path from start_bus: each hop a (device, function)
 * on the bus the previous hop's bridge leads to. */
struct acpi_dmar_scope {
	uint8_t type;       /* enum acpi_dmar_scope_type */
	uint8_t enum_id;    /* I/O APIC or HPET id, or ACPI device number */
	uint8_t start_bus;
	uint8_t path_len;   /* 1..ACPI_MAX_SCOPE_PATH */
	struct { uint8_t dev, fn; } path[ACPI_MAX_SCOPE_PATH];
};

/* A DMA remapping hardware unit (DRHD): one VT-d register set. */
struct acpi_drhd {
	uint64_t base;      /* registers, physical, page aligned, nonzero */
	uint16_t segment;   /* PCI segment group */
	bool include_all;   /* also every function of the segment no other unit names */
	uint32_t nscopes;
	struct acpi_dmar_scope scopes[ACPI_MAX_DMAR_SCOPES];
};

/* A reserved memory region (RMRR): memory the firmware says the scoped
 * devices may use for DMA (legacy USB, graphics), [base, limit]. */
struct acpi_rmrr {
	uint64_t base;      /* page aligned */
	uint64_t limit;     /* last byte: limit + 1 is page aligned, base <= limit */
	uint16_t segment;
	uint32_t nscopes;
	struct acpi_dmar_scope scopes[ACPI_MAX_DMAR_SCOPES];
};

#define ACPI_DMAR_INTR_REMAP 0x1u   /* DMAR flags: interrupt remapping supported */
#define ACPI_DMAR_X2APIC_OPT_OUT 0x2u

/* DMAR: the IOMMUs (Intel VT-d). */
struct acpi_dmar {
	bool present;
	uint8_t host_addr_width; /* bits of physical address DMA can reach */
	uint8_t flags;           /* ACPI_DMAR_* */
	uint32_t drhd_dropped;   /* units malformed, past ACPI_MAX_DRHD or lost to a truncated
	                          * table (counted once): their devices have no known IOMMU */
	uint32_t ndrhd;
	struct acpi_drhd drhd[ACPI_MAX_DRHD];
	uint32_t nrmrr;
	struct acpi_rmrr rmrr[ACPI_MAX_RMRR];
};

struct acpi_srat_cpu {
	uint32_t apic_id;
	uint32_t node;      /* proximity domain */
};

struct acpi_srat_mem {
	uint64_t base;
	uint64_t length;
	uint32_t node;      /* proximity domain */
	bool hotplug;
	bool nonvolatile;
};

/* Problems found that did not stop the parse (bit set = seen). */
#define ACPI_WARN_BAD_CHECKSUM (1u << 0)  /* a table failed its checksum: not parsed */
#define ACPI_WARN_TRUNCATED (1u << 1)     /* a sub-structure ran past its table: rest skipped */
#define ACPI_WARN_TOO_MANY (1u << 2)      /* more entries than a fixed array holds: extra dropped */
#define ACPI_WARN_UNREADABLE (1u << 3)    /* a table's memory was not readable */
#define ACPI_WARN_BAD_LENGTH (1u << 4)    /* a table length was absurd: not parsed */
#define ACPI_WARN_ROOT_FALLBACK (1u << 5) /* the XSDT was unusable: the RSDT was used instead */
#define ACPI_WARN_BAD_ENTRY (1u << 6)     /* an entry's values were impossible: that entry skipped */

struct acpi_info {
	uint8_t revision;   /* RSDP revision: 0 = ACPI 1.0 (RSDT), 2+ = XSDT */
	char oem_id[7];     /* NUL-terminated */
	uint32_t warnings;  /* ACPI_WARN_* */

	uint32_t ntables;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];

	/* MADT ("APIC") */
	bool have_madt;
	uint64_t lapic_addr;  /* after any type-5 address override */
	bool pcat_compat;     /* dual 8259 PICs present (must be masked) */
	uint32_t ncpus;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t noverrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	uint32_t nnmis;
	struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];

	/* HPET */
	struct acpi_hpet hpet;

	/* MCFG: PCI Express configuration space (ECAM) windows */
	uint32_t necam;
	struct acpi_ecam ecam[ACPI_MAX_ECAM];

	/* DMAR: DMA remapping (IOMMU) units and reserved regions */
	struct acpi_dmar dmar;

	/* SRAT and SLIT (NUMA) */
	bool have_srat;
	uint32_t nsrat_cpus;
	struct acpi_srat_cpu srat_cpus[ACPI_MAX_CPUS];
	uint32_t nsrat_mems;
	struct acpi_srat_mem srat_mems[ACPI_MAX_MEM_AFFINITY];
	uint32_t slit_nodes;  /* 0 when there is no SLIT (or it is larger than ACPI_MAX_NODES) */
	uint8_t slit[ACPI_MAX_NODES][ACPI_MAX_NODES];
};

/*
 * Parse everything reachable from the RSDP at `rsdp_phys`.
 * Returns FE_OK (problems in individual tables are recorded in
 * out->warnings, and those tables are skipped); FE_ERR_BAD_FORMAT if the
 * RSDP or the root table (XSDT/RSDT) is malformed; FE_ERR_FAULT if the RSDP
 * or root table is not readable through `map`; FE_ERR_INVALID_ARG for NULL
 * arguments. *out is fully written (zeroed first) in every case.
 */
fe_status_t acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, void *ctx, struct acpi_info *out);

/*
 * The GSI and INTI flags an ISA IRQ is wired to, applying MADT overrides
 * (identity mapping, edge, active high when there is none).
 */
void acpi_isa_irq(const struct acpi_info *info, uint8_t irq, uint32_t *gsi, uint16_t *flags);

#endif /* FERROUS_ACPI_ACPI_H */
