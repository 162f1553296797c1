/* SPDX-License-Identifier: MIT */
/* Reading whole files from the EFI system partition the loader came from. */
#include "lib/string.h"
#include "loader.h"

/* The names repeat boot_info.h's UTF-16 paths in ASCII, for messages. */
const struct esp_file esp_kernel = { FE_BOOT_KERNEL_PATH, FE_BOOT_KERNEL_NAME };
const struct esp_file esp_initrd = { FE_BOOT_INITRD_PATH, FE_BOOT_INITRD_NAME };
const struct esp_file esp_cmdline = { FE_BOOT_CMDLINE_PATH, FE_BOOT_CMDLINE_NAME };

EFI_FILE_HANDLE esp_open_root(void)
{
	EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
	EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_LOADED_IMAGE *image;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_HANDLE root;
	EFI_STATUS st;

	st = efi_bs->HandleProtocol(efi_image, &loaded_image_guid, (void **)&image);
	if (st != EFI_SUCCESS)
		fatal("cannot find the loader's own image (%s)", efi_status_name(st));
	st = efi_bs->HandleProtocol(image->DeviceHandle, &fs_guid, (void **)&fs);
	if (st != EFI_SUCCESS)
		fatal("the volume the loader came from has no file system (%s)", efi_status_name(st));
	st = fs->OpenVolume(fs, &root);
	if (st != EFI_SUCCESS)
		fatal("cannot open the boot volume (%s)", efi_status_name(st));
	return root;
}

/* The size of an open file; fatal if it cannot be read or is a directory. */
static uint64_t file_size(EFI_FILE_HANDLE fh, const struct esp_file *f)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	/* EFI_FILE_INFO plus its variable-length name (at most 255 UCS-2 characters on FAT). */
	union {
		EFI_FILE_INFO info;
		uint8_t bytes[sizeof(EFI_FILE_INFO) + 256 * sizeof(CHAR16)];
	} u;
	UINTN size = sizeof(u);
	EFI_STATUS st = fh->GetInfo(fh, &info_guid, &size, &u.info);

	if (st != EFI_SUCCESS)
		fatal("%s: cannot read its size (%s)", f->name, efi_status_name(st));
	if (u.info.Attribute & EFI_FILE_DIRECTORY)
		fatal("%s: is a directory, not a file", f->name);
	return u.info.FileSize;
}

/* Reads exactly `size` bytes into buf; fatal on an error or a short file. */
static void file_read_all(EFI_FILE_HANDLE fh, const struct esp_file *f, uint8_t *buf,
                          uint64_t size)
{
	uint64_t done = 0;

	while (done < size) {
		UINTN n = size - done;
		EFI_STATUS st = fh->Read(fh, &n, buf + done);
		if (st != EFI_SUCCESS)
			fatal("%s: read failed after %llu of %llu bytes (%s)", f->name,
			      (unsigned long long)done, (unsigned long long)size, efi_status_name(st));
		if (n == 0)
			fatal("%s: file ended after %llu of %llu bytes", f->name,
			      (unsigned long long)done, (unsigned long long)size);
		done += n;
	}
}

fe_status_t esp_read(EFI_FILE_HANDLE root, const struct esp_file *f, uint64_t extra,
                     struct fe_blob *out)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st = root->Open(root, &fh, (CHAR16 *)f->path, EFI_FILE_MODE_READ, 0);

	if (st == EFI_NOT_FOUND)
		return FE_ERR_NOT_FOUND;
	if (st != EFI_SUCCESS)
		fatal("%s: cannot open (%s)", f->name, efi_status_name(st));
	uint64_t size = file_size(fh, f);
	if (size > UINT64_MAX - FE_PAGE_SIZE - extra)
		fatal("%s: impossible size %llu", f->name, (unsigned long long)size);
	uint64_t bytes = MAX(ALIGN_UP(size + extra, FE_PAGE_SIZE), FE_PAGE_SIZE);
	uint64_t phys = efi_alloc_pages(FE_EFI_MEM_BOOT_DATA, bytes, f->name);
	uint8_t *buf = (uint8_t *)(uintptr_t)phys;

	file_read_all(fh, f, buf, size);
	fh->Close(fh);
	memset(buf + size, 0, bytes - size);
	out->phys = phys;
	out->size = size;
	return FE_OK;
}
