/* SPDX-License-Identifier: MIT */
/*
 * Loading the kernel ELF. The file is untrusted bytes until the shared
 * checker (lib/elf.c, the same code the kernel and the fuzzer use) has
 * accepted it; only then is anything copied.
 */
#include "lib/elf.h"
#include "lib/string.h"
#include "loader.h"

/* Where the kernel may be linked: the top 2 GiB, minus the last page. */
#define KERNEL_VIRT_LIMIT 0xfffffffffffff000ULL

/* What elf_check_load's failures mean, for the message. */
static const char *load_problem(fe_status_t st)
{
	if (st == FE_ERR_OUT_OF_RANGE)
		return "segment out of range (its bytes run past the end of the file, or it lies "
		       "outside 0xffffffff80000000..0xfffffffffffff000)";
	return "bad program headers (segments overlap or are writable and executable, an offset "
	       "is misaligned, or the entry point is not in executable code)";
}

/* Parses and checks the image; fatal with the file's name and the problem. */
static void check_kernel(const struct fe_blob *file, struct elf_image *img,
                         struct elf_load_span *span)
{
	const void *data = (const void *)(uintptr_t)file->phys;
	fe_status_t st = elf_parse(data, file->size, img);

	if (st != FE_OK)
		fatal("%s: not a valid x86_64 ELF executable (%s)", esp_kernel.name,
		      fe_status_name(st));
	st = elf_check_load(img, FE_KERNEL_VIRT_BASE, KERNEL_VIRT_LIMIT, span);
	if (st != FE_OK)
		fatal("%s: %s (%s)", esp_kernel.name, load_problem(st), fe_status_name(st));
}

/* Copies every PT_LOAD's file bytes to its place in the image at `dst`
 * (which is zeroed, so the rest of each segment is its bss). */
static void copy_segments(const struct elf_image *img, const struct elf_load_span *span,
                          uint8_t *dst)
{
	for (unsigned i = 0; i < img->eh.phnum; i++) {
		struct elf64_phdr ph;

		elf_phdr(img, i, &ph);
		if (ph.type == ELF_PT_LOAD)
			memcpy(dst + (ph.vaddr - span->lo), img->data + ph.offset, ph.filesz);
	}
}

void kernel_load(EFI_FILE_HANDLE root, struct loaded_kernel *k)
{
	struct elf_image img;
	struct elf_load_span span;

	if (esp_read(root, &esp_kernel, 0, &k->file) == FE_ERR_NOT_FOUND)
		fatal("%s: not found (%s)", esp_kernel.name, efi_status_name(EFI_NOT_FOUND));
	check_kernel(&k->file, &img, &span);
	k->virt = span.lo;
	k->size = span.hi - span.lo;
	k->entry = img.eh.entry;
	k->phys = efi_alloc_pages(FE_EFI_MEM_KERNEL, k->size, "the kernel image");
	uint8_t *dst = (uint8_t *)(uintptr_t)k->phys;
	memset(dst, 0, k->size);
	copy_segments(&img, &span, dst);
	con_printf("ferrous-boot: %s: %llu bytes; image %llu KiB at 0x%llx, entry 0x%llx\n",
	           esp_kernel.name, (unsigned long long)k->file.size,
	           (unsigned long long)(k->size / 1024), (unsigned long long)k->phys,
	           (unsigned long long)k->entry);
}
