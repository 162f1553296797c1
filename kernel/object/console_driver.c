/* SPDX-License-Identifier: MIT */
#include "console_driver.h"

#include <stdbool.h>

#include <arch/serial.h>
#include <ferrous/trace.h>

#include "core/console.h"
#include "core/log.h"
#include "object/device.h"
#include "object/notification.h"
#include "object/process.h"
#include "trace/trace.h"

/* Under the big lock. */
static struct {
	struct process *proc;     /* NULL: the kernel writes the port */
	struct notification *notif; /* a reference, for as long as proc is attached */
	unsigned bit;
} owner;

fe_status_t console_driver_attach(struct process *p, const struct ioport *io,
                                  struct notification *n, unsigned bit)
{
	if (io->base > ARCH_SERIAL_PORT ||
	    (uint32_t)io->base + io->count < ARCH_SERIAL_PORT + ARCH_SERIAL_PORT_COUNT)
		return FE_ERR_ACCESS_DENIED;
	if (bit >= 64)
		return FE_ERR_INVALID_ARG;
	if (owner.proc || !console_attach())
		return FE_ERR_BUSY;
	kobj_get(&n->obj);
	owner.proc = p;
	owner.notif = n;
	owner.bit = bit;
	trace_emit(FE_TRACE_CONSOLE, FE_TRACE_CONSOLE_ATTACH, p->obj.koid, 0, 0);
	console_driver_poll(); /* output may wait already */
	return FE_OK;
}

static void end(const char *why, bool confirmed)
{
	struct console_stats before = console_get_stats();

	console_reclaim(confirmed);
	struct console_stats after = console_get_stats();
	trace_emit(FE_TRACE_CONSOLE, FE_TRACE_CONSOLE_DETACH, owner.proc->obj.koid,
	           after.reclaimed - before.reclaimed, 0);
	if (after.reclaimed != before.reclaimed)
		pr_info("console: driver %llu '%s' %s; the kernel wrote the %llu bytes it left\n",
		        (unsigned long long)owner.proc->obj.koid, owner.proc->name, why,
		        (unsigned long long)(after.reclaimed - before.reclaimed));
	kobj_put(&owner.notif->obj);
	owner.proc = NULL;
	owner.notif = NULL;
}

fe_status_t console_driver_detach(struct process *p)
{
	if (!p || owner.proc != p)
		return FE_ERR_BAD_STATE;
	end("detached", true);
	return FE_OK;
}

fe_status_t console_driver_take(struct process *p, char *out, size_t max, size_t *n)
{
	if (!p || owner.proc != p)
		return FE_ERR_BAD_STATE;
	*n = console_take(out, max);
	return FE_OK;
}

void console_driver_port_out(struct process *p, uint16_t port, uint32_t value)
{
	if (owner.proc == p && port == ARCH_SERIAL_PORT)
		console_note_sent((char)value);
}

void console_driver_process_ended(struct process *p)
{
	if (owner.proc == p)
		end("ended", false);
}

void console_driver_poll(void)
{
	if (owner.proc && console_take_news())
		notification_signal(owner.notif, 1ULL << owner.bit);
}
