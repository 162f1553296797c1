/* SPDX-License-Identifier: MIT */
/* The firmware's handles, page allocation, and names for EFI status codes. */
#include "loader.h"

EFI_HANDLE efi_image;
EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;

void efi_init(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	efi_image = image;
	efi_st = st;
	efi_bs = st->BootServices;
	/* The firmware resets the machine 5 minutes into an application unless told not to. */
	efi_bs->SetWatchdogTimer(0, 0, 0, NULL);
}

static uint64_t page_count(uint64_t bytes)
{
	return bytes == 0 ? 1 : (bytes + FE_PAGE_SIZE - 1) / FE_PAGE_SIZE;
}

uint64_t efi_alloc_pages(uint32_t type, uint64_t bytes, const char *what)
{
	EFI_PHYSICAL_ADDRESS phys = 0;
	uint64_t pages = page_count(bytes);
	EFI_STATUS st = efi_bs->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)type, pages, &phys);

	if (st != EFI_SUCCESS)
		fatal("out of memory: %llu KiB for %s (%s)", (unsigned long long)(pages * 4), what,
		      efi_status_name(st));
	return phys;
}

void efi_free_pages(uint64_t phys, uint64_t bytes)
{
	efi_bs->FreePages(phys, page_count(bytes));
}

/* Indexed by the low bits of an error status (UEFI 2.10, appendix D). */
static const char *const efi_errors[] = {
	[1] = "EFI_LOAD_ERROR",        [2] = "EFI_INVALID_PARAMETER",
	[3] = "EFI_UNSUPPORTED",       [4] = "EFI_BAD_BUFFER_SIZE",
	[5] = "EFI_BUFFER_TOO_SMALL",  [6] = "EFI_NOT_READY",
	[7] = "EFI_DEVICE_ERROR",      [8] = "EFI_WRITE_PROTECTED",
	[9] = "EFI_OUT_OF_RESOURCES",  [10] = "EFI_VOLUME_CORRUPTED",
	[11] = "EFI_VOLUME_FULL",      [12] = "EFI_NO_MEDIA",
	[13] = "EFI_MEDIA_CHANGED",    [14] = "EFI_NOT_FOUND",
	[15] = "EFI_ACCESS_DENIED",    [16] = "EFI_NO_RESPONSE",
	[17] = "EFI_NO_MAPPING",       [18] = "EFI_TIMEOUT",
	[19] = "EFI_NOT_STARTED",      [20] = "EFI_ALREADY_STARTED",
	[21] = "EFI_ABORTED",          [22] = "EFI_ICMP_ERROR",
	[23] = "EFI_TFTP_ERROR",       [24] = "EFI_PROTOCOL_ERROR",
	[25] = "EFI_INCOMPATIBLE_VERSION", [26] = "EFI_SECURITY_VIOLATION",
	[27] = "EFI_CRC_ERROR",        [28] = "EFI_END_OF_MEDIA",
	[31] = "EFI_END_OF_FILE",      [32] = "EFI_INVALID_LANGUAGE",
	[33] = "EFI_COMPROMISED_DATA",
};

const char *efi_status_name(EFI_STATUS st)
{
	UINTN code = st & ~EFI_ERROR_MASK;

	if (st == EFI_SUCCESS)
		return "EFI_SUCCESS";
	if (EFI_ERROR(st) && code < ARRAY_SIZE(efi_errors) && efi_errors[code] != NULL)
		return efi_errors[code];
	return EFI_ERROR(st) ? "unknown EFI error" : "EFI warning";
}
