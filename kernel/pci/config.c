/* SPDX-License-Identifier: MIT */
#include "pci/config.h"

#define BAR_IO_FLAG 0x1u
#define BAR_MEM_TYPE(v) (((v) >> 1) & 0x3u)
#define BAR_MEM_TYPE_32 0u
#define BAR_MEM_TYPE_1M 1u
#define BAR_MEM_TYPE_64 2u
#define BAR_MEM_PREFETCH 0x8u
#define BAR_IO_MASK 0xfffffffcu
#define BAR_MEM_MASK 0xfffffff0u
#define IO_SPACE_END 0x10000ull
#define IO_BAR_MAX 256u /* the PCI specification's largest I/O BAR */

#define CAP_LIST_MAX 48u /* (0x100 - 0x40) / 4 */
#define MSI_CTL_64BIT (1u << 7)
#define MSI_CTL_MASKING (1u << 8)
#define MSIX_CAP_LEN 12u

/* The size a mask of writable address bits stands for; 0 if the bits above
 * the lowest are not all set (not a power of two). */
static uint64_t size_of_mask(uint64_t mask)
{
	uint64_t size = mask & (~mask + 1); /* the lowest set bit */

	return (mask | (size - 1)) == UINT64_MAX ? size : 0;
}

static void decode_io(uint32_t orig, uint32_t mask, struct pci_bar *out)
{
	uint64_t m = mask & BAR_IO_MASK;

	/* Devices may leave the upper 16 bits of an I/O BAR unwritable. */
	if ((m >> 16) == 0)
		m |= 0xffff0000u;
	out->kind = FE_PCI_BAR_IO;
	out->size = size_of_mask(m | 0xffffffff00000000ull);
	out->base = orig & BAR_IO_MASK;
	if (out->size == 0 || out->size > IO_BAR_MAX || out->base % out->size != 0 ||
	    out->base + out->size > IO_SPACE_END)
		out->status = FE_ERR_BAD_FORMAT;
	else if (out->base == 0)
		out->status = FE_ERR_BAD_STATE;
}

static void decode_mem(const struct pci_bar_probe *p, unsigned index, struct pci_bar *out)
{
	uint32_t type = BAR_MEM_TYPE(p[index].orig);
	uint64_t mask = p[index].mask & BAR_MEM_MASK, base = p[index].orig & BAR_MEM_MASK;

	out->prefetchable = (p[index].orig & BAR_MEM_PREFETCH) != 0;
	out->kind = type == BAR_MEM_TYPE_64 ? FE_PCI_BAR_MEM64 : FE_PCI_BAR_MEM32;
	if (type == BAR_MEM_TYPE_64) {
		if (index + 1 >= FE_PCI_BARS) {
			out->status = FE_ERR_BAD_FORMAT;
			return;
		}
		mask |= (uint64_t)p[index + 1].mask << 32;
		base |= (uint64_t)p[index + 1].orig << 32;
	} else {
		mask |= 0xffffffff00000000ull;
	}
	out->size = size_of_mask(mask);
	if (type == BAR_MEM_TYPE_1M) {
		out->status = FE_ERR_UNSUPPORTED;
		return;
	}
	/* A reserved type (11b), no power-of-two size, a base not aligned to
	 * it, or a range that reaches 2^64. (One condition: clang-tidy's
	 * bugprone-branch-clone refused two branches with the same body.) */
	if ((type != BAR_MEM_TYPE_32 && type != BAR_MEM_TYPE_64) || out->size == 0 ||
	    base % out->size != 0 || base > UINT64_MAX - out->size)
		out->status = FE_ERR_BAD_FORMAT;
	else if (base == 0)
		out->status = FE_ERR_BAD_STATE;
	out->base = base;
}

void pci_bar_decode(const struct pci_bar_probe probe[FE_PCI_BARS], unsigned index,
                    struct pci_bar *out)
{
	*out = (struct pci_bar){ .status = FE_ERR_NOT_FOUND };
	if (index >= FE_PCI_BARS)
		return;
	uint32_t orig = probe[index].orig, mask = probe[index].mask;
	bool io = (orig & BAR_IO_FLAG) != 0;
	/* Nothing writable: the slot is not implemented. (A 64-bit BAR's upper
	 * half alone may read back 0 only if the BAR is tiny; the lower half
	 * then still has writable bits.) */
	if ((mask & (io ? BAR_IO_MASK : BAR_MEM_MASK)) == 0 &&
	    (io || BAR_MEM_TYPE(orig) != BAR_MEM_TYPE_64 || index + 1 >= FE_PCI_BARS ||
	     probe[index + 1].mask == 0))
		return;
	out->status = FE_OK;
	if (io)
		decode_io(orig, mask, out);
	else
		decode_mem(probe, index, out);
}

static uint16_t msi_len(uint32_t ctl)
{
	return (uint16_t)(10u + ((ctl & MSI_CTL_64BIT) ? 4u : 0u) + ((ctl & MSI_CTL_MASKING) ? 10u : 0u));
}

fe_status_t pci_find_owned_caps(pci_config_read_fn rd, void *ctx, struct pci_owned_caps *out)
{
	uint64_t seen[4] = { 0 }; /* a bit per byte offset below 0x100 */

	*out = (struct pci_owned_caps){ { 0, 0 }, { 0, 0 } };
	if ((rd(ctx, FE_PCI_STATUS, 2) & FE_PCI_STATUS_CAPS) == 0)
		return FE_OK;
	uint32_t off = rd(ctx, FE_PCI_CAP_PTR, 1) & 0xfcu;
	for (unsigned n = 0; off != 0; n++) {
		if (off < FE_PCI_HEADER_END || n == CAP_LIST_MAX || (seen[off / 64] >> (off % 64)) & 1)
			return FE_ERR_BAD_FORMAT;
		seen[off / 64] |= 1ull << (off % 64);
		uint32_t id = rd(ctx, off, 1);
		if (id == FE_PCI_CAP_MSI && out->msi.len == 0)
			out->msi = (struct pci_cap_span){ (uint16_t)off, msi_len(rd(ctx, off + 2, 2)) };
		else if (id == FE_PCI_CAP_MSIX && out->msix.len == 0)
			out->msix = (struct pci_cap_span){ (uint16_t)off, MSIX_CAP_LEN };
		off = rd(ctx, off + 1, 1) & 0xfcu;
	}
	return FE_OK;
}

void pci_msix_layout(pci_config_read_fn rd, void *ctx, uint32_t cap, struct pci_msix_layout *out)
{
	uint32_t ctl = rd(ctx, cap + 2, 2), table = rd(ctx, cap + 4, 4), pba = rd(ctx, cap + 8, 4);

	out->entries = (ctl & 0x7ffu) + 1;
	out->table_bar = (uint8_t)(table & 7u);
	out->table_off = table & ~7u;
	out->table_len = out->entries * 16u;
	out->pba_bar = (uint8_t)(pba & 7u);
	out->pba_off = pba & ~7u;
	out->pba_len = (out->entries + 63u) / 64u * 8u;
}

bool pci_config_access_ok(uint32_t off, uint64_t width)
{
	return (width == 1 || width == 2 || width == 4) && off < FE_PCI_CONFIG_SIZE && off % width == 0;
}

static bool overlaps(const struct pci_cap_span *s, uint32_t off, unsigned width)
{
	return s->len != 0 && off < (uint32_t)s->off + s->len && s->off < off + width;
}

fe_status_t pci_config_write_filter(const struct pci_owned_caps *owned, uint32_t off,
                                    unsigned width, uint32_t value, uint32_t current,
                                    uint32_t *out)
{
	if (off == FE_PCI_COMMAND && width <= 2) {
		uint32_t allowed = FE_PCI_COMMAND_DRIVER_BITS & (width == 1 ? 0xffu : 0xffffu);
		*out = (current & ~allowed) | (value & allowed);
		return FE_OK;
	}
	if (off == FE_PCI_COMMAND + 1 && width == 1) {
		uint32_t allowed = FE_PCI_COMMAND_DRIVER_BITS >> 8;
		*out = (current & ~allowed) | (value & allowed);
		return FE_OK;
	}
	if (off < FE_PCI_HEADER_END || off + width > 0x100 || overlaps(&owned->msi, off, width) ||
	    overlaps(&owned->msix, off, width))
		return FE_ERR_ACCESS_DENIED;
	*out = value;
	return FE_OK;
}
