/* SPDX-License-Identifier: MIT */
/* Finding the ACPI RSDP, which UEFI publishes in its configuration table. */
#include "lib/string.h"
#include "loader.h"

static uint64_t find_table(const EFI_GUID *guid)
{
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		const EFI_CONFIGURATION_TABLE *t = &efi_st->ConfigurationTable[i];
		if (memcmp(&t->VendorGuid, guid, sizeof(*guid)) == 0)
			return (uint64_t)(uintptr_t)t->VendorTable;
	}
	return 0;
}

uint64_t acpi_find_rsdp(void)
{
	const EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	const EFI_GUID acpi10 = ACPI_TABLE_GUID;
	uint64_t rsdp = find_table(&acpi20);

	return rsdp != 0 ? rsdp : find_table(&acpi10);
}
