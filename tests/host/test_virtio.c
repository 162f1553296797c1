/* SPDX-License-Identifier: MIT */
/*
 * The virtio-pci transport (user/lib/virtio.c) against a fake device: its
 * configuration space and BAR are plain memory here, and the system calls
 * it makes are stubs over them. What a device reports is untrusted: each
 * malformed report must give an error with a reason, never an access
 * outside what was mapped (ASan watches the fake BAR's bounds).
 */
#include "host_test.h"

#include <fe/runtime.h>
#include <fe/sys.h>
#include <fe/virtio.h>

#define BAR_SIZE 0x4000u
#define VIRTIO_CAP0 0x40u

/* ---- the fake device ---- */

static uint8_t cfg[FE_PCI_CONFIG_SIZE];
static uint8_t *bar_mem;        /* BAR 4: common at 0, ISR at 0x1000, device at 0x2000, notify at 0x3000 */
static uint64_t hole_off, hole_len;
static int next_is_bar = -1;    /* fe_va_alloc's next block is BAR n's memory */
static unsigned vm_maps;

fe_handle_t fe_self = 1;

fe_status_t fe_pci_config_read(fe_handle_t dev, uint32_t addr, uint32_t off, uint32_t width,
                               uint32_t *out)
{
	(void)dev;
	assert_int_equal(addr, FE_PCI_SELF);
	assert_true(off % width == 0 && off + width <= sizeof(cfg));
	*out = 0;
	memcpy(out, cfg + off, width);
	return FE_OK;
}

fe_status_t fe_pci_config_write(fe_handle_t dev, uint32_t off, uint32_t width, uint32_t value)
{
	(void)dev;
	assert_int_equal(off, FE_PCI_COMMAND);
	memcpy(cfg + off, &value, width);
	return FE_OK;
}

fe_status_t fe_pci_bar(fe_handle_t dev, uint32_t index, fe_handle_t *out,
                       struct fe_pci_bar_info *info)
{
	(void)dev;
	if (index != 4)
		return FE_ERR_NOT_FOUND;
	*info = (struct fe_pci_bar_info){ .kind = FE_PCI_BAR_MEM64, .size = BAR_SIZE,
	                                  .kernel_off = hole_off, .kernel_len = hole_len };
	*out = 100 + index;
	next_is_bar = (int)index;
	return FE_OK;
}

uint64_t fe_va_alloc(uint64_t size)
{
	if (next_is_bar >= 0) {
		next_is_bar = -1;
		return (uint64_t)(uintptr_t)bar_mem;
	}
	return (uint64_t)(uintptr_t)aligned_alloc(4096, size);
}

fe_status_t fe_vm_map(fe_handle_t proc, fe_handle_t mem, uint64_t offset, uint64_t va, uint64_t len,
                      uint32_t prot)
{
	(void)proc, (void)mem, (void)offset, (void)va, (void)len, (void)prot;
	vm_maps++;
	return FE_OK;
}

fe_status_t fe_vm_unmap(fe_handle_t proc, uint64_t va, uint64_t len)
{
	(void)proc, (void)va, (void)len;
	return FE_OK;
}

fe_status_t fe_handle_delete(fe_handle_t h)
{
	(void)h;
	return FE_OK;
}

fe_status_t fe_vmo_create_flags(uint64_t size, uint32_t flags, fe_handle_t *out)
{
	(void)size, (void)flags;
	*out = 200;
	return FE_OK;
}

fe_status_t fe_pci_dma_map(fe_handle_t dev, fe_handle_t vmo, uint64_t offset, uint64_t len,
                           uint32_t flags, uint64_t *device_addr)
{
	(void)dev, (void)vmo, (void)offset, (void)len, (void)flags;
	*device_addr = 0x10000000;
	return FE_OK;
}

fe_status_t fe_thread_yield(void)
{
	return FE_OK;
}

/* A vendor capability of `type` at `at` naming BAR 4 [off, off + len). */
static void vcap(uint32_t at, uint8_t next, uint8_t type, uint8_t bar, uint32_t off, uint32_t len)
{
	cfg[at] = FE_PCI_CAP_VENDOR;
	cfg[at + 1] = next;
	cfg[at + 2] = 20;
	cfg[at + 3] = type;
	cfg[at + 4] = bar;
	put32(cfg + at + 8, off);
	put32(cfg + at + 12, len);
	put32(cfg + at + 16, 4); /* notify multiplier (read only for type 2) */
}

/* A well-formed modern device: four structures in BAR 4, queue size 128,
 * VERSION_1 offered. */
static int device_reset(void **state)
{
	(void)state;
	memset(cfg, 0, sizeof(cfg));
	free(bar_mem);
	bar_mem = aligned_alloc(4096, BAR_SIZE);
	memset(bar_mem, 0, BAR_SIZE);
	hole_off = hole_len = 0;
	next_is_bar = -1;
	put16(cfg + FE_PCI_STATUS, FE_PCI_STATUS_CAPS);
	cfg[FE_PCI_CAP_PTR] = VIRTIO_CAP0;
	vcap(0x40, 0x54, 1, 4, 0x0000, 0x38);
	vcap(0x54, 0x68, 3, 4, 0x1000, 0x4);
	vcap(0x68, 0x7c, 4, 4, 0x2000, 0x8);
	vcap(0x7c, 0x00, 2, 4, 0x3000, 0x1000);
	put32(bar_mem + 0x04, 0x00000001); /* device features: bit 0 and, read again for word 1, VERSION_1 */
	put16(bar_mem + 0x18, 128);        /* queue size */
	return 0;
}

static fe_status_t open_dev(struct fe_virtio *v)
{
	return fe_virtio_open(1, v);
}

/* ---- cases ---- */

static void opens_a_well_formed_device(void **state)
{
	(void)state;
	struct fe_virtio v;
	uint64_t feat;
	struct fe_virtq q;

	assert_status(open_dev(&v), FE_OK);
	assert_ptr_equal(v.common, bar_mem);
	assert_ptr_equal(v.device, bar_mem + 0x2000);
	assert_int_equal(v.notify_mult, 4);
	assert_status(fe_virtio_negotiate(&v, 0, &feat), FE_OK);
	assert_true(feat & FE_VIRTIO_F_VERSION_1);
	assert_status(fe_virtq_setup(&v, 0, 64, 0, &q), FE_OK);
	assert_int_equal(q.size, 64);   /* the smaller of the device's and ours */
	assert_int_equal(bar_mem[0x18] | bar_mem[0x19] << 8, 64);
	free((void *)q.desc);
}

static void no_capability_list(void **state)
{
	(void)state;
	struct fe_virtio v;

	put16(cfg + FE_PCI_STATUS, 0);
	assert_status(open_dev(&v), FE_ERR_BAD_FORMAT);
	assert_string_equal(v.why, "no PCI capability list");
}

static void structure_past_its_bar(void **state)
{
	(void)state;
	struct fe_virtio v;

	vcap(0x68, 0x7c, 4, 4, BAR_SIZE - 4, 8);
	assert_status(open_dev(&v), FE_ERR_BAD_FORMAT);
	assert_string_equal(v.why, "a virtio structure runs past its BAR");
	vcap(0x68, 0x7c, 4, 4, 0xfffffff8u, 0x10); /* wraps in 32 bits */
	assert_status(open_dev(&v), FE_ERR_BAD_FORMAT);
}

static void structure_in_a_bar_that_cannot_exist(void **state)
{
	(void)state;
	struct fe_virtio v;

	vcap(0x54, 0x68, 3, 7, 0x1000, 4);
	assert_status(open_dev(&v), FE_ERR_BAD_FORMAT);
	assert_string_equal(v.why, "a virtio capability names BAR 6 or above");
}

static void structure_over_the_msix_table(void **state)
{
	(void)state;
	struct fe_virtio v;

	hole_off = 0x3000, hole_len = 0x1000; /* the kernel's pages: notify is there */
	assert_status(open_dev(&v), FE_ERR_BAD_FORMAT);
	assert_string_equal(v.why, "a virtio structure overlaps the MSI-X table");
}

static void missing_structure(void **state)
{
	(void)state;
	struct fe_virtio v;

	cfg[0x68 + 1] = 0; /* the list ends before the notify structure */
	assert_status(open_dev(&v), FE_ERR_BAD_FORMAT);
	assert_string_equal(v.why, "not a modern virtio device (a structure is missing)");
}

static void capability_list_loops(void **state)
{
	(void)state;
	struct fe_virtio v;

	cfg[0x7c + 1] = 0x40; /* back to the first: the walk stops at its bound */
	assert_status(open_dev(&v), FE_ERR_BAD_FORMAT);
	assert_string_equal(v.why, "a malformed PCI capability list");
}

static void no_version_1(void **state)
{
	(void)state;
	struct fe_virtio v;
	uint64_t feat;

	put32(bar_mem + 0x04, 0xfffffffe); /* everything but bit 32 (and 0) */
	assert_status(open_dev(&v), FE_OK);
	assert_status(fe_virtio_negotiate(&v, ~0ULL, &feat), FE_ERR_UNSUPPORTED);
	assert_string_equal(v.why, "the device does not offer VIRTIO_F_VERSION_1");
}

static void nonsense_queue_sizes(void **state)
{
	(void)state;
	static const uint16_t bad[] = { 0, 3, 100, 0xffff };
	struct fe_virtio v;
	struct fe_virtq q;

	assert_status(open_dev(&v), FE_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put16(bar_mem + 0x18, bad[i]);
		assert_status(fe_virtq_setup(&v, 0, 64, 0, &q), FE_ERR_BAD_FORMAT);
	}
	put16(bar_mem + 0x18, 32768); /* a power of two, bigger than we take */
	assert_status(fe_virtq_setup(&v, 0, 1024, 0, &q), FE_OK);
	assert_int_equal(q.size, 256);
	free((void *)q.desc);
}

/* Descriptor chains go out and come back; a used entry naming a chain never
 * given (or past the ring) is reported, and frees nothing. */
static void chains_and_bogus_completions(void **state)
{
	(void)state;
	struct fe_virtio v;
	struct fe_virtq q;
	struct fe_virtq_desc d[3] = { { .len = 16 }, { .len = 512 }, { .len = 1 } };
	uint16_t head, done;
	uint32_t written;

	put16(bar_mem + 0x18, 4);
	assert_status(open_dev(&v), FE_OK);
	assert_status(fe_virtq_setup(&v, 0, 4, 0, &q), FE_OK);
	assert_status(fe_virtq_add(&q, d, 3, &head), FE_OK);
	assert_int_equal(q.nfree, 1);
	assert_status(fe_virtq_add(&q, d, 2, &done), FE_ERR_NO_RESOURCES);
	assert_false(fe_virtq_take(&q, &done, &written)); /* nothing used yet */
	/* The device names id 9 (past the ring): reported, nothing freed. */
	q.used[1] = 9, q.used[2] = 0, q.used[0] = 1u << 16;
	assert_true(fe_virtq_take(&q, &done, &written));
	assert_int_equal(done, UINT16_MAX);
	assert_int_equal(q.nfree, 1);
	/* Then the real completion. */
	q.used[3] = head, q.used[4] = 513, q.used[0] = 2u << 16;
	assert_true(fe_virtq_take(&q, &done, &written));
	assert_int_equal(done, head);
	assert_int_equal(written, 513);
	assert_int_equal(q.nfree, 4);
	/* The same head again: no longer a chain we gave. */
	q.used[5] = head, q.used[6] = 1, q.used[0] = 3u << 16;
	assert_true(fe_virtq_take(&q, &done, &written));
	assert_int_equal(done, UINT16_MAX);
	assert_int_equal(q.nfree, 4);
	free((void *)q.desc);
}

/* The MSI-X table's size comes from the capability's message control (virtio-net sizes its vectors by it). */
static void msix_table_size(void **state)
{
	(void)state;
	struct fe_virtio v;

	assert_status(open_dev(&v), FE_OK);
	assert_int_equal(v.msix_entries, 0); /* no MSI-X capability */
	cfg[0x7c + 1] = 0x90;
	cfg[0x90] = FE_PCI_CAP_MSIX;
	put16(cfg + 0x92, 2); /* table size - 1 */
	assert_status(open_dev(&v), FE_OK);
	assert_int_equal(v.msix_entries, 3);
}

static void notify_offset_past_its_structure(void **state)
{
	(void)state;
	struct fe_virtio v;
	struct fe_virtq q;

	assert_status(open_dev(&v), FE_OK);
	put16(bar_mem + 0x1e, 0x400); /* 0x400 * 4 = 0x1000: one past the 4 KiB notify structure */
	assert_status(fe_virtq_setup(&v, 0, 64, 0, &q), FE_ERR_BAD_FORMAT);
	assert_string_equal(v.why, "a queue's notify address is past the notify structure");
	free((void *)q.desc);
	put16(bar_mem + 0x1e, 0x3ff); /* the last notify address */
	assert_status(fe_virtq_setup(&v, 0, 64, 0, &q), FE_OK);
	free((void *)q.desc);
}

/* After a reset the same memory serves the queue again, empty; a device whose queue shrank is refused. */
static void queue_restart_after_reset(void **state)
{
	(void)state;
	struct fe_virtio v;
	struct fe_virtq q;
	struct fe_virtq_desc d[2] = { { .len = 12 }, { .len = 1514 } };
	uint16_t head;

	put16(bar_mem + 0x18, 4);
	assert_status(open_dev(&v), FE_OK);
	assert_status(fe_virtq_setup(&v, 0, 4, 3, &q), FE_OK);
	struct fe_virtq_desc *desc = q.desc;
	assert_status(fe_virtq_add(&q, d, 2, &head), FE_OK);
	assert_int_equal(q.avail[1], 1);
	put16(bar_mem + 0x1c, 0); /* the device's reset disabled the queue */
	assert_status(fe_virtq_restart(&v, &q), FE_OK);
	assert_ptr_equal(q.desc, desc);
	assert_int_equal(q.nfree, 4);
	assert_int_equal(q.avail[1], 0);
	assert_int_equal(q.chain_len[head], 0);
	assert_int_equal(bar_mem[0x1a], 3); /* its vector again */
	assert_int_equal(bar_mem[0x1c], 1); /* enabled */
	put16(bar_mem + 0x18, 2);
	assert_status(fe_virtq_restart(&v, &q), FE_ERR_BAD_FORMAT);
	free((void *)q.desc);
}

/* A used index more than a ring ahead of what was taken is reported and frees nothing. */
static void used_index_past_the_ring(void **state)
{
	(void)state;
	struct fe_virtio v;
	struct fe_virtq q;
	struct fe_virtq_desc d[1] = { { .len = 16 } };
	uint16_t head, done;
	uint32_t written;

	put16(bar_mem + 0x18, 4);
	assert_status(open_dev(&v), FE_OK);
	assert_status(fe_virtq_setup(&v, 0, 4, 0, &q), FE_OK);
	assert_status(fe_virtq_add(&q, d, 1, &head), FE_OK);
	q.used[1] = head, q.used[2] = 16, q.used[0] = 5u << 16;
	assert_true(fe_virtq_take(&q, &done, &written));
	assert_int_equal(done, UINT16_MAX);
	assert_int_equal(q.nfree, 3);
	free((void *)q.desc);
}

/* fe/runtime.h declares main as a program's (argc, argv). */
int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(opens_a_well_formed_device, device_reset),
		cmocka_unit_test_setup(no_capability_list, device_reset),
		cmocka_unit_test_setup(structure_past_its_bar, device_reset),
		cmocka_unit_test_setup(structure_in_a_bar_that_cannot_exist, device_reset),
		cmocka_unit_test_setup(structure_over_the_msix_table, device_reset),
		cmocka_unit_test_setup(missing_structure, device_reset),
		cmocka_unit_test_setup(capability_list_loops, device_reset),
		cmocka_unit_test_setup(no_version_1, device_reset),
		cmocka_unit_test_setup(nonsense_queue_sizes, device_reset),
		cmocka_unit_test_setup(chains_and_bogus_completions, device_reset),
		cmocka_unit_test_setup(msix_table_size, device_reset),
		cmocka_unit_test_setup(notify_offset_past_its_structure, device_reset),
		cmocka_unit_test_setup(queue_restart_after_reset, device_reset),
		cmocka_unit_test_setup(used_index_past_the_ring, device_reset),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	free(bar_mem);
	return failed;
}
