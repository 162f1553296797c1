/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line: \ferrous\cmdline.txt, made into the exact string
 * the kernel will accept (boot_info_check_cmdline: at most
 * FE_BOOT_MAX_CMDLINE bytes with the NUL, printable ASCII), so a bad file is
 * reported here, by name, rather than as a kernel panic.
 */
#include "lib/cmdline.h"
#include "lib/string.h"
#include "loader.h"

/* Longest boot.error_wait the loader honours: an hour is surely a typo already. */
#define ERROR_WAIT_MAX 3600u

static bool is_text(char c)
{
	return (c >= 0x20 && c <= 0x7e) || c == '\t' || c == '\n' || c == '\r';
}

/* Drops trailing white space (an editor's final newline); returns the new length. */
static uint64_t trim_end(char *s, uint64_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
	                   s[len - 1] == '\r'))
		s[--len] = '\0';
	return len;
}

static void check_text(const char *s, uint64_t len)
{
	if (len + 1 > FE_BOOT_MAX_CMDLINE)
		fatal("%s: too long (%llu bytes; at most %u)", esp_cmdline.name,
		      (unsigned long long)len, FE_BOOT_MAX_CMDLINE - 1);
	for (uint64_t i = 0; i < len; i++)
		if (!is_text(s[i]))
			fatal("%s: byte 0x%02x at offset %llu is not printable text", esp_cmdline.name,
			      (unsigned)(unsigned char)s[i], (unsigned long long)i);
}

/* boot.error_wait=SECONDS: how long fatal() shows its message before powering off. */
static void apply_loader_options(const char *s)
{
	char val[16];
	uint64_t seconds;
	fe_status_t st = cmdline_get(s, "boot.error_wait", val, sizeof(val));

	if (st == FE_ERR_NOT_FOUND)
		return;
	if (st != FE_OK || cmdline_parse_size(val, &seconds) != FE_OK || seconds > ERROR_WAIT_MAX) {
		con_printf("ferrous-boot: warning: boot.error_wait=%s%s is not 0..%u seconds; "
		           "keeping the default\n", val, st == FE_OK ? "" : "...", ERROR_WAIT_MAX);
		return;
	}
	fatal_set_wait((unsigned)seconds);
}

void cmdline_load(EFI_FILE_HANDLE root, struct fe_blob *out)
{
	if (esp_read(root, &esp_cmdline, 1, out) == FE_ERR_NOT_FOUND) {
		out->phys = efi_alloc_pages(FE_EFI_MEM_BOOT_DATA, 1, "the command line");
		*(char *)(uintptr_t)out->phys = '\0';
		out->size = 1;
		con_printf("ferrous-boot: no %s; the command line is empty\n", esp_cmdline.name);
		return;
	}
	char *s = (char *)(uintptr_t)out->phys;
	uint64_t len = trim_end(s, out->size);

	check_text(s, len);
	out->size = len + 1;
	con_printf("ferrous-boot: command line: \"%s\"\n", s);
	apply_loader_options(s);
}
