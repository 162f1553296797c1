/* SPDX-License-Identifier: MIT */
/* The supervisor's control protocol, client side and names (fe/supervisor.h). */
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/supervisor.h>

#define NAME_WORDS 3u
_Static_assert(NAME_WORDS * 8 == FE_MANIFEST_NAME_MAX + 1, "a name and its NUL fill three words");

static const char *const state_names[] = {
	[FE_SUPERVISOR_IDLE] = "idle",       [FE_SUPERVISOR_RUNNING] = "running",
	[FE_SUPERVISOR_STOPPING] = "stopping", [FE_SUPERVISOR_BACKOFF] = "backoff",
	[FE_SUPERVISOR_STOPPED] = "stopped", [FE_SUPERVISOR_FAILED] = "failed",
};

static const char *const reason_names[FE_SUPERVISOR_REASON_COUNT] = {
	[FE_SUPERVISOR_REASON_NONE] = "-",         [FE_SUPERVISOR_REASON_EXIT] = "exit",
	[FE_SUPERVISOR_REASON_FAULT] = "fault",    [FE_SUPERVISOR_REASON_KILLED] = "killed",
	[FE_SUPERVISOR_REASON_HANG] = "hang",      [FE_SUPERVISOR_REASON_RESTART] = "restart",
	[FE_SUPERVISOR_REASON_BUDGET] = "budget",  [FE_SUPERVISOR_REASON_SPAWN] = "spawn",
	[FE_SUPERVISOR_REASON_SHUTDOWN] = "shutdown", [FE_SUPERVISOR_REASON_DMA] = "dma-fault",
};

static const struct {
	unsigned slot;
	uint32_t rights;
} cap_grants[FE_MANIFEST_CAP_COUNT] = {
	[FE_MANIFEST_CAP_CONSOLE] = { FE_START_CONSOLE, FE_RIGHT_WRITE | FE_RIGHT_TRANSFER },
	[FE_MANIFEST_CAP_INITRD] = { FE_START_INITRD, FE_RIGHT_READ | FE_RIGHT_MAP | FE_RIGHT_TRANSFER },
	[FE_MANIFEST_CAP_TRACE] = { FE_START_TRACE, FE_RIGHT_READ },
	[FE_MANIFEST_CAP_IOPORT_COM1] = { FE_START_IOPORT_COM1, FE_RIGHT_READ | FE_RIGHT_WRITE },
	[FE_MANIFEST_CAP_IRQ_COM1] = { FE_START_IRQ_COM1, FE_RIGHT_MANAGE },
	[FE_MANIFEST_CAP_HPET] = { FE_START_MMIO_HPET, FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MAP },
	[FE_MANIFEST_CAP_PCI_ROOT] = { FE_START_PCI_ROOT, FE_RIGHT_READ | FE_RIGHT_MANAGE },
	[FE_MANIFEST_CAP_SUPERVISOR] = { FE_SERVICE_SLOT_SUPERVISOR, FE_RIGHT_WRITE },
	[FE_MANIFEST_CAP_IOPORT_COM2] = { FE_START_IOPORT_COM2, FE_RIGHT_READ | FE_RIGHT_WRITE },
};

unsigned fe_supervisor_cap_slot(enum fe_manifest_cap cap)
{
	return (unsigned)cap < FE_MANIFEST_CAP_COUNT ? cap_grants[cap].slot : FE_START_SLOTS;
}

uint32_t fe_supervisor_cap_rights(enum fe_manifest_cap cap)
{
	return (unsigned)cap < FE_MANIFEST_CAP_COUNT ? cap_grants[cap].rights : 0;
}

const char *fe_supervisor_state_name(uint32_t state)
{
	return state < ARRAY_SIZE(state_names) ? state_names[state] : "?";
}

const char *fe_supervisor_reason_name(uint32_t reason)
{
	return reason < ARRAY_SIZE(reason_names) ? reason_names[reason] : "?";
}

static const char *vector_name(uint32_t v)
{
	switch (v) {
	case 0: return "#DE";
	case 6: return "#UD";
	case 13: return "#GP";
	case 14: return "#PF";
	default: return "exception";
	}
}

const char *fe_supervisor_describe(const struct fe_supervisor_death *d, char *buf, size_t size)
{
	const char *why = fe_supervisor_reason_name(d->reason);

	switch (d->reason) {
	case FE_SUPERVISOR_REASON_EXIT:
	case FE_SUPERVISOR_REASON_BUDGET:
		snprintf(buf, size, "%s %lld", why, (long long)d->code);
		break;
	case FE_SUPERVISOR_REASON_FAULT:
		snprintf(buf, size, "fault: vector %u (%s) at %#llx, rip %#llx", d->vector,
		         vector_name(d->vector), (unsigned long long)d->address,
		         (unsigned long long)d->rip);
		break;
	case FE_SUPERVISOR_REASON_SPAWN:
		snprintf(buf, size, "spawn: %s", fe_status_name((fe_status_t)d->code));
		break;
	case FE_SUPERVISOR_REASON_DMA:
		snprintf(buf, size, "dma-fault: IOMMU reason %u at device address %#llx", d->vector,
		         (unsigned long long)d->address);
		break;
	default:
		snprintf(buf, size, "%s", why);
	}
	return buf;
}

fe_handle_t fe_supervisor_handle(void)
{
	return fe_start_handle(FE_SERVICE_SLOT_SUPERVISOR);
}

fe_status_t fe_supervisor_put_name(struct fe_msg *m, const char *name)
{
	char padded[NAME_WORDS * 8] = { 0 };
	size_t n = strnlen(name, sizeof(padded));

	if (n == 0 || n > FE_MANIFEST_NAME_MAX)
		return FE_ERR_INVALID_ARG;
	memcpy(padded, name, n);
	memcpy(m->w, padded, sizeof(padded));
	return FE_OK;
}

void fe_supervisor_get_name(const struct fe_msg *m, char name[FE_MANIFEST_NAME_MAX + 1])
{
	memcpy(name, m->w, NAME_WORDS * 8);
	name[FE_MANIFEST_NAME_MAX] = '\0';
}

/* One call; the reply's status, or the call's. */
static fe_status_t call(fe_handle_t ctl, struct fe_msg *m)
{
	fe_status_t st = fe_call(ctl, m);

	return st != FE_OK ? st : fe_service_status(m);
}

/* A request naming a service, with `arg` in word 3. */
static fe_status_t call_named(fe_handle_t ctl, uint32_t label, const char *name, uint64_t arg,
                              struct fe_msg *m)
{
	fe_status_t st;

	*m = fe_msg_make(label, FE_IPC_REG_WORDS, 0);
	if ((st = fe_supervisor_put_name(m, name)) != FE_OK)
		return st;
	m->w[3] = arg;
	return call(ctl, m);
}

fe_status_t fe_supervisor_list(fe_handle_t ctl, uint32_t index, struct fe_supervisor_row *row)
{
	struct fe_msg m = fe_msg_make(FE_SUPERVISOR_LIST, 1, 0);
	fe_status_t st;

	m.w[0] = index;
	if ((st = call(ctl, &m)) != FE_OK)
		return st;
	return fe_msg_get_data(&m, row, sizeof(*row));
}

fe_status_t fe_supervisor_find(fe_handle_t ctl, const char *name, struct fe_supervisor_row *row)
{
	fe_status_t st;

	for (uint32_t i = 0; (st = fe_supervisor_list(ctl, i, row)) == FE_OK; i++)
		if (strcmp(row->name, name) == 0)
			return FE_OK;
	return st;
}

fe_status_t fe_supervisor_restart(fe_handle_t ctl, const char *name)
{
	struct fe_msg m;

	return call_named(ctl, FE_SUPERVISOR_RESTART, name, 0, &m);
}

fe_status_t fe_supervisor_crash(fe_handle_t ctl, const char *name, enum fe_fault f, uint32_t flags)
{
	struct fe_msg m;

	return call_named(ctl, FE_SUPERVISOR_CRASH, name, (uint64_t)f | (uint64_t)flags << 8, &m);
}

fe_status_t fe_supervisor_connect(fe_handle_t ctl, const char *name, fe_handle_t *ep)
{
	struct fe_msg m;
	fe_handle_t caps[FE_IPC_MAX_CAPS];
	unsigned n = 0;
	fe_status_t st = call_named(ctl, FE_SUPERVISOR_CONNECT, name, 0, &m);

	if (st != FE_OK)
		return st;
	if ((st = fe_msg_take_caps(&m, caps, FE_IPC_MAX_CAPS, &n)) != FE_OK)
		return st;
	for (unsigned i = 1; i < n; i++)
		fe_handle_delete(caps[i]); /* the protocol sends one */
	if (n == 0 || caps[0] == FE_HANDLE_INVALID)
		return FE_ERR_BAD_FORMAT;
	*ep = caps[0];
	return FE_OK;
}

fe_status_t fe_supervisor_death(fe_handle_t ctl, const char *name, uint64_t koid,
                                struct fe_supervisor_death *d)
{
	struct fe_msg m;
	fe_status_t st = call_named(ctl, FE_SUPERVISOR_DEATH, name, koid, &m);

	return st != FE_OK ? st : fe_msg_get_data(&m, d, sizeof(*d));
}

fe_status_t fe_supervisor_shutdown(fe_handle_t ctl, int64_t code)
{
	struct fe_msg m = fe_msg_make(FE_SUPERVISOR_SHUTDOWN, 1, 0);

	m.w[0] = (uint64_t)code;
	return call(ctl, &m);
}
