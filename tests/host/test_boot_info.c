/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/core/boot_info_check.c: a well-formed synthetic
 * hand-off passes, and each kind of corruption is refused with a reason.
 */
#include "host_test.h"

#include "core/boot_info_check.h"

#define MIB (1ULL << 20)

struct handoff {
	struct fe_boot_info bi;
	struct fe_mem_range map[6];
	char cmdline[32];
};

/* 64 MiB machine: usable, kernel image, boot data (blobs), ACPI, usable, MMIO. */
static void make(struct handoff *h)
{
	memset(h, 0, sizeof(*h));
	h->map[0] = (struct fe_mem_range){ 0x0, 256, FE_MEM_USABLE, 0 };
	h->map[1] = (struct fe_mem_range){ 1 * MIB, 512, FE_MEM_KERNEL, 0 };
	h->map[2] = (struct fe_mem_range){ 3 * MIB, 1024, FE_MEM_BOOT_DATA, 0 };
	h->map[3] = (struct fe_mem_range){ 7 * MIB, 16, FE_MEM_ACPI_RECLAIMABLE, 0 };
	h->map[4] = (struct fe_mem_range){ 8 * MIB, 14336, FE_MEM_USABLE, 0 };
	h->map[5] = (struct fe_mem_range){ 0xfec00000, 1, FE_MEM_MMIO, 0 };
	strcpy(h->cmdline, "ktest=all qemu_exit=1");

	struct fe_boot_info *bi = &h->bi;
	bi->magic = FE_BOOT_INFO_MAGIC;
	bi->version = FE_BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->hhdm_base = FE_HHDM_BASE;
	bi->hhdm_size = 64 * MIB;
	bi->kernel_phys = 1 * MIB;
	bi->kernel_virt = FE_KERNEL_VIRT_BASE;
	bi->kernel_size = 2 * MIB;
	bi->kernel_file = (struct fe_blob){ 3 * MIB, 300000 };
	bi->initrd = (struct fe_blob){ 4 * MIB, 1000 };
	bi->cmdline = (struct fe_blob){ 5 * MIB, sizeof(h->cmdline) };
	bi->acpi_rsdp = 7 * MIB;
	bi->mem_map = 6 * MIB;
	bi->mem_map_count = 6;
	bi->mem_map_entry_size = sizeof(struct fe_mem_range);
}

static fe_status_t check_all(const struct handoff *h, const char **why)
{
	fe_status_t st = boot_info_check_header(&h->bi, why);
	if (st == FE_OK)
		st = boot_info_check_map(&h->bi, h->map, why);
	if (st == FE_OK)
		st = boot_info_check_cmdline(&h->bi, h->cmdline, why);
	return st;
}

static void good_handoff_passes(void **state)
{
	(void)state;
	struct handoff h;
	const char *why = NULL;

	make(&h);
	assert_status(check_all(&h, &why), FE_OK);
	assert_null(why);
	/* No initrd is fine too. */
	h.bi.initrd = (struct fe_blob){ 0, 0 };
	assert_status(check_all(&h, &why), FE_OK);
}

#define EXPECT_REFUSED(change, fragment)                                        \
	do {                                                                    \
		struct handoff h;                                               \
		const char *why = NULL;                                         \
		make(&h);                                                       \
		change;                                                         \
		assert_status(check_all(&h, &why), FE_ERR_BAD_FORMAT);          \
		assert_non_null(why);                                           \
		if (strstr(why, fragment) == NULL)                              \
			fail_msg("reason '%s' lacks '%s'", why, fragment);     \
	} while (0)

static void header_corruptions_are_refused(void **state)
{
	(void)state;
	EXPECT_REFUSED(h.bi.magic = 0, "magic");
	EXPECT_REFUSED(h.bi.version = 2, "version");
	EXPECT_REFUSED(h.bi.size = 100, "smaller");
	EXPECT_REFUSED(h.bi.hhdm_base = 0xffff888000000000ULL, "direct map");
	EXPECT_REFUSED(h.bi.hhdm_size = 0, "direct map");
	EXPECT_REFUSED(h.bi.mem_map_entry_size = 32, "entry size");
	EXPECT_REFUSED(h.bi.mem_map_count = 0, "count");
	EXPECT_REFUSED(h.bi.mem_map_count = FE_BOOT_MAX_MEM_RANGES + 1, "count");
	EXPECT_REFUSED(h.bi.mem_map = 64 * MIB - 16, "memory map");
	EXPECT_REFUSED(h.bi.mem_map = 6 * MIB + 4, "misaligned");
	EXPECT_REFUSED(h.bi.kernel_phys = 1 * MIB + 100, "kernel image");
	EXPECT_REFUSED(h.bi.kernel_size = 0, "kernel image");
	EXPECT_REFUSED(h.bi.kernel_phys = UINT64_MAX & ~0xfffULL, "kernel image");
	EXPECT_REFUSED(h.bi.initrd.phys = UINT64_MAX - 10, "initrd");
	EXPECT_REFUSED(h.bi.kernel_file.size = 65 * MIB, "kernel file");
	EXPECT_REFUSED(h.bi.cmdline.size = 0, "command line");
	EXPECT_REFUSED(h.bi.cmdline.size = FE_BOOT_MAX_CMDLINE + 1, "command line");
	EXPECT_REFUSED(h.bi.acpi_rsdp = 64 * MIB - 8, "RSDP");
}

static void map_corruptions_are_refused(void **state)
{
	(void)state;
	EXPECT_REFUSED(h.map[2].pages = 0, "empty");
	EXPECT_REFUSED(h.map[2].base += 8, "misaligned");
	EXPECT_REFUSED(h.map[2].reserved = 1, "reserved");
	EXPECT_REFUSED(h.map[5].pages = UINT64_MAX / 4096, "wraps");
	EXPECT_REFUSED(h.map[3].type = 0, "unknown type");
	EXPECT_REFUSED(h.map[3].type = FE_MEM_TYPE_MAX + 1, "unknown type");
	EXPECT_REFUSED(h.map[3].base = 2 * MIB, "overlapping");
	EXPECT_REFUSED((h.map[0].type = FE_MEM_RESERVED, h.map[4].type = FE_MEM_RESERVED), "usable");
	EXPECT_REFUSED(h.map[1].type = FE_MEM_USABLE, "kernel image");
	EXPECT_REFUSED(h.bi.kernel_size = 4 * MIB, "kernel image");
	EXPECT_REFUSED(h.bi.initrd.phys = 8 * MIB, "boot blob");
	EXPECT_REFUSED(h.bi.cmdline.phys = 7 * MIB, "boot blob");
}

static void cmdline_corruptions_are_refused(void **state)
{
	(void)state;
	EXPECT_REFUSED(memset(h.cmdline, 'x', sizeof(h.cmdline)), "NUL-terminated");
	EXPECT_REFUSED(h.cmdline[2] = '\x07', "non-printable");
	EXPECT_REFUSED((h.cmdline[0] = '\xff'), "non-printable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_handoff_passes),
		cmocka_unit_test(header_corruptions_are_refused),
		cmocka_unit_test(map_corruptions_are_refused),
		cmocka_unit_test(cmdline_corruptions_are_refused),
	};
	return cmocka_run_group_tests_name("boot_info", tests, NULL, NULL);
}
