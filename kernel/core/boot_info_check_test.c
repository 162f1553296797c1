/* SPDX-License-Identifier: MIT */
/* The boot suite: the loader's hand-off as the kernel received it, and the
 * checks that refuse a corrupt one. */
#include "core/boot_info_check.h"
#include "core/initrd.h"
#include "core/kernel.h"
#include "lib/string.h"
#include "test/ktest.h"

static const struct fe_mem_range *real_map(void)
{
	return phys_to_virt(boot_info->mem_map);
}

static void boot_info_is_accepted(struct ktest *t)
{
	const char *why = "";

	KT_EXPECT_OK(t, boot_info_check_header(boot_info, &why));
	KT_EXPECT_OK(t, boot_info_check_map(boot_info, real_map(), &why));
	KT_EXPECT_OK(t, boot_info_check_cmdline(boot_info, phys_to_virt(boot_info->cmdline.phys), &why));
	KT_EXPECT_EQ(t, boot_info->kernel_virt, FE_KERNEL_VIRT_BASE);
	KT_EXPECT_NE(t, boot_info->acpi_rsdp, 0);
	KT_EXPECT_NE(t, boot_info->kernel_file.size, 0);
}

/* Each corruption of a copy of the real header is refused with a reason. */
static void corrupt_header_is_refused(struct ktest *t)
{
	struct fe_boot_info bi;
	const char *why;

#define REFUSED(field_change)                                                        \
	do {                                                                         \
		memcpy(&bi, boot_info, sizeof(bi));                                 \
		field_change;                                                        \
		why = NULL;                                                          \
		KT_EXPECT_STATUS(t, boot_info_check_header(&bi, &why), FE_ERR_BAD_FORMAT); \
		KT_EXPECT(t, why != NULL);                                           \
	} while (0)

	REFUSED(bi.magic ^= 1);
	REFUSED(bi.version = 99);
	REFUSED(bi.size = 8);
	REFUSED(bi.hhdm_base = 0);
	REFUSED(bi.mem_map_count = 0);
	REFUSED(bi.mem_map_count = FE_BOOT_MAX_MEM_RANGES + 1);
	REFUSED(bi.mem_map_entry_size = 16);
	REFUSED(bi.mem_map = bi.hhdm_size - 8);
	REFUSED(bi.kernel_phys += 1);
	REFUSED(bi.cmdline.size = 0);
	REFUSED((bi.initrd.phys = UINT64_MAX - 4, bi.initrd.size = 64));
#undef REFUSED
}

static void corrupt_map_is_refused(struct ktest *t)
{
	static struct fe_mem_range map[FE_BOOT_MAX_MEM_RANGES];
	struct fe_boot_info bi;
	const char *why;
	uint32_t n = boot_info->mem_map_count;

	memcpy(&bi, boot_info, sizeof(bi));
	KT_ASSERT(t, KT_EXPECT_GE(t, n, 2));

	memcpy(map, real_map(), n * sizeof(map[0]));
	map[1].base = map[0].base; /* overlap */
	KT_EXPECT_STATUS(t, boot_info_check_map(&bi, map, &why), FE_ERR_BAD_FORMAT);

	memcpy(map, real_map(), n * sizeof(map[0]));
	map[0].type = 77;
	KT_EXPECT_STATUS(t, boot_info_check_map(&bi, map, &why), FE_ERR_BAD_FORMAT);

	memcpy(map, real_map(), n * sizeof(map[0]));
	map[0].pages = 0;
	KT_EXPECT_STATUS(t, boot_info_check_map(&bi, map, &why), FE_ERR_BAD_FORMAT);

	/* The kernel image must be marked as kernel memory. */
	memcpy(map, real_map(), n * sizeof(map[0]));
	for (uint32_t i = 0; i < n; i++)
		if (map[i].type == FE_MEM_KERNEL)
			map[i].type = FE_MEM_USABLE;
	KT_EXPECT_STATUS(t, boot_info_check_map(&bi, map, &why), FE_ERR_BAD_FORMAT);
}

static void unterminated_cmdline_is_refused(struct ktest *t)
{
	struct fe_boot_info bi;
	const char *why;
	char text[8] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };

	memcpy(&bi, boot_info, sizeof(bi));
	bi.cmdline.size = sizeof(text);
	KT_EXPECT_STATUS(t, boot_info_check_cmdline(&bi, text, &why), FE_ERR_BAD_FORMAT);
	text[3] = '\x01';
	text[7] = '\0';
	KT_EXPECT_STATUS(t, boot_info_check_cmdline(&bi, text, &why), FE_ERR_BAD_FORMAT);
	text[3] = 'x';
	KT_EXPECT_OK(t, boot_info_check_cmdline(&bi, text, &why));
}

/* The initrd the loader passed (if any) parsed, and lookups behave. */
static void initrd_matches_boot_info(struct ktest *t)
{
	struct cpio_entry e;

	KT_EXPECT_STATUS(t, initrd_find("no-such-file", &e), FE_ERR_NOT_FOUND);
	if (boot_info->initrd.size == 0) {
		ktest_skip(t, "booted without an initrd");
		return;
	}
	KT_EXPECT_OK(t, initrd_find("README", &e));
	KT_EXPECT_GT(t, e.size, 0);
}

KTEST_SUITE(boot,
	KTEST_CASE(boot_info_is_accepted),
	KTEST_CASE(corrupt_header_is_refused),
	KTEST_CASE(corrupt_map_is_refused),
	KTEST_CASE(unterminated_cmdline_is_refused),
	KTEST_CASE(initrd_matches_boot_info));
