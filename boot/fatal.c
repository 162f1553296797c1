/* SPDX-License-Identifier: MIT */
/*
 * The loader's only failure path: say why, wait so a human can read it, and
 * power off. Never return to the firmware (its boot menu would hide the
 * message and could hang a test) and never spin.
 */
#include <arch/x86.h>

#include "lib/fmt.h"
#include "loader.h"

#define FATAL_WAIT_DEFAULT 5u

/* Set at most once, by cmdline_load(); the loader is single-threaded. */
static unsigned fatal_wait_s = FATAL_WAIT_DEFAULT;

void fatal_set_wait(unsigned seconds)
{
	fatal_wait_s = seconds;
}

/* Last resort if ResetSystem() returns, which UEFI says it never does. */
NORETURN static void halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	con_printf("ferrous-boot: error: ");
	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
	con_printf("\nferrous-boot: powering off in %u s\n", fatal_wait_s);
	for (unsigned i = 0; i < fatal_wait_s; i++)
		efi_bs->Stall(1000000);
	efi_st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_LOAD_ERROR, 0, NULL);
	halt_forever();
}

void fatal_after_exit(const char *why, EFI_STATUS st)
{
	static CHAR16 data[128];
	char text[ARRAY_SIZE(data)];
	unsigned i;

	if (st != EFI_SUCCESS)
		fmt_snprintf(text, sizeof(text), "ferrous-boot: error: %s (%s)", why,
		             efi_status_name(st));
	else
		fmt_snprintf(text, sizeof(text), "ferrous-boot: error: %s", why);
	for (i = 0; text[i] != '\0'; i++)
		data[i] = (CHAR16)(unsigned char)text[i];
	data[i] = 0;
	efi_st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_LOAD_ERROR,
	                                     (i + 1) * sizeof(CHAR16), data);
	halt_forever();
}
