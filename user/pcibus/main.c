/* SPDX-License-Identifier: MIT */
/*
 * pcibus: the PCI bus service (ADR 0011, decision 2; protocol in
 * include/ferrous/pcibus.h; docs/drivers.md, "The PCI bus service").
 *
 * It holds the pci-root capability (FE_START_PCI_ROOT, from `caps
 * pci-root`), enumerates segment 0 once at start and again on request, and
 * answers on its endpoint with a receive loop of its own, control labels
 * first (fe_service_handle_control), so an injected fault happens in the
 * thread that serves.
 *
 * A pci-device capability it makes is a child of its pci-root copy, which
 * is a child of the supervisor's: when an instance ends, its table goes and
 * each of its capabilities' children moves up to the parent (deleting is not
 * revoking, ADR 0009), so every device already handed out stays valid
 * across a pcibus crash, under the supervisor's pci-root. What a new
 * instance does not know is who holds what: its record of functions handed
 * out for driving starts empty (docs/drivers.md says what that means).
 */
#include <fe/ipc.h>
#include <fe/pci.h>
#include <fe/runtime.h>
#include <fe/service.h>
#include <ferrous/pcibus.h>

#define FUNCTIONS_MAX 64u
#define DRIVER_RIGHTS (FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MANAGE | FE_RIGHT_TRANSFER)
#define VIEW_RIGHTS (FE_RIGHT_READ | FE_RIGHT_TRANSFER)
#define PCI_CLASS_BRIDGE 0x06u

struct function {
	struct fe_pci_function f;
	bool given; /* handed out for driving by this instance */
};

static fe_handle_t root;
static struct function functions[FUNCTIONS_MAX];
static uint32_t nfunctions;
static bool overflowed;

static void collect(const struct fe_pci_function *f, void *ctx)
{
	(void)ctx;
	for (uint32_t i = 0; i < nfunctions; i++)
		if (functions[i].f.addr == f->addr)
			return; /* a rescan: keep what it knows of this one */
	if (nfunctions == FUNCTIONS_MAX) {
		overflowed = true;
		return;
	}
	functions[nfunctions++] = (struct function){ .f = *f };
}

/* Walks the buses; functions already known keep their record. */
static fe_status_t enumerate(void)
{
	fe_status_t st = fe_pci_enumerate(root, collect, NULL);

	if (overflowed) {
		printf("pcibus: more than %u functions; the rest are not offered\n", FUNCTIONS_MAX);
		overflowed = false;
	}
	return st;
}

static struct function *function_at(uint32_t addr)
{
	for (uint32_t i = 0; i < nfunctions; i++)
		if (functions[i].f.addr == addr)
			return &functions[i];
	return NULL;
}

static bool is_bridge(const struct fe_pci_function *f)
{
	return f->class == PCI_CLASS_BRIDGE || f->header_type != 0;
}

static bool matches(uint64_t how, uint64_t what, const struct fe_pci_function *f)
{
	switch (how) {
	case FE_PCIBUS_MATCH_ID:
		return what == ((uint64_t)f->vendor | (uint64_t)f->device << 16);
	case FE_PCIBUS_MATCH_CLASS:
		return (what >> 16 & 0xff) == f->class && (what >> 8 & 0xff) == f->subclass &&
		       ((what & FE_PCIBUS_ANY_PROG_IF) || (what & 0xff) == f->prog_if);
	default:
		return what == f->addr;
	}
}

/* The instance-th function that matches, or NULL (after checking the
 * request's shape: *st says which error). */
static struct function *lookup(const struct fe_msg *m, fe_status_t *st)
{
	uint64_t how = m->w[0], what = m->w[1], instance = m->w[2];
	uint64_t valid = how == FE_PCIBUS_MATCH_CLASS ? (0xffffffull | FE_PCIBUS_ANY_PROG_IF)
	                                              : 0xffffffffull;

	*st = FE_ERR_INVALID_ARG;
	if (how < FE_PCIBUS_MATCH_ID || how > FE_PCIBUS_MATCH_ADDR || (what & ~valid) != 0 ||
	    instance > UINT32_MAX || (how == FE_PCIBUS_MATCH_ADDR && instance != 0) ||
	    (m->w[3] & ~(uint64_t)FE_PCIBUS_READ_ONLY) != 0)
		return NULL;
	*st = FE_ERR_NOT_FOUND;
	for (uint32_t i = 0; i < nfunctions; i++)
		if (matches(how, what, &functions[i].f) && instance-- == 0)
			return &functions[i];
	return NULL;
}

static void reply(struct fe_msg *m, fe_status_t st, unsigned words)
{
	m->info = FE_MSG_INFO((uint32_t)st, st == FE_OK ? words : 0, 0);
}

static void answer_list(struct fe_msg *m)
{
	if (m->w[0] >= nfunctions) {
		reply(m, FE_ERR_NOT_FOUND, 0);
		return;
	}
	const struct fe_pci_function *f = &functions[m->w[0]].f;
	m->w[0] = f->addr;
	m->w[1] = (uint64_t)f->vendor | (uint64_t)f->device << 16;
	m->w[2] = FE_PCIBUS_CLASS(f->class, f->subclass, f->prog_if, f->revision, f->header_type);
	m->w[3] = nfunctions;
	reply(m, FE_OK, 4);
}

/* What a BAR is, through a device capability made for the question and
 * deleted after it (only the info: no BAR capability, so no claim). */
static void answer_bar(struct fe_msg *m)
{
	struct function *fn = m->w[0] <= UINT32_MAX ? function_at((uint32_t)m->w[0]) : NULL;
	struct fe_pci_bar_info info;
	fe_handle_t dev;
	fe_status_t st = fn == NULL ? FE_ERR_NOT_FOUND : is_bridge(&fn->f) ? FE_ERR_UNSUPPORTED : FE_OK;

	if (st == FE_OK && m->w[1] >= FE_PCI_BARS)
		st = FE_ERR_INVALID_ARG;
	if (st == FE_OK && (st = fe_pci_device_create(root, fn->f.addr, &dev)) == FE_OK) {
		st = fe_pci_bar(dev, (uint32_t)m->w[1], NULL, &info);
		(void)fe_handle_delete(dev);
	}
	if (st == FE_OK) {
		m->w[0] = info.kind;
		m->w[1] = info.size;
		m->w[2] = info.port;
		m->w[3] = info.prefetchable;
	}
	reply(m, st, 4);
}

/* Checks who may have what; FE_OK if fn may go to this caller. */
static fe_status_t may_give(const struct fe_msg *m, const struct function *fn, bool view)
{
	if (is_bridge(&fn->f))
		return FE_ERR_UNSUPPORTED;
	if (!view && m->badge != FE_SERVICE_BADGE_SUPERVISOR)
		return FE_ERR_ACCESS_DENIED;
	if (!view && fn->given)
		return FE_ERR_BUSY;
	return FE_OK;
}

/* The reply carries the capability: made, narrowed, attached; the
 * instance's own handles are deleted once the reply is out (main loop). */
static void answer_get(struct fe_msg *m, fe_handle_t *sent)
{
	fe_status_t st;
	bool view = (m->w[3] & FE_PCIBUS_READ_ONLY) != 0;
	struct function *fn = lookup(m, &st);
	fe_handle_t dev, narrow;

	if (fn != NULL)
		st = may_give(m, fn, view);
	if (st == FE_OK && (st = fe_pci_device_create(root, fn->f.addr, &dev)) == FE_OK) {
		st = fe_handle_dup(dev, view ? VIEW_RIGHTS : DRIVER_RIGHTS, 0, &narrow);
		(void)fe_handle_delete(dev); /* narrow moves up under the root copy */
	}
	if (st == FE_OK) {
		*m = fe_msg_make(FE_OK, 1, 0);
		m->w[0] = fn->f.addr;
		if ((st = fe_msg_attach_caps(m, &narrow, 1)) != FE_OK)
			(void)fe_handle_delete(narrow);
	}
	if (st != FE_OK) {
		reply(m, st, 0);
		return;
	}
	*sent = narrow;
	if (!view) {
		fn->given = true;
		printf("pcibus: %02x:%02x.%u (%04x:%04x) handed out for driving\n",
		       FE_PCI_BUS(fn->f.addr), FE_PCI_DEV(fn->f.addr), FE_PCI_FN(fn->f.addr),
		       fn->f.vendor, fn->f.device);
	}
}

static void answer_rescan(struct fe_msg *m)
{
	fe_status_t st = enumerate();

	m->w[0] = nfunctions;
	reply(m, st, 1);
}

/* Drops capabilities a request carried: no request takes any. */
static void drop_caps(const struct fe_msg *m)
{
	struct fe_ipc_buffer *buf = fe_ipc_buffer();

	for (unsigned i = 0; buf && i < FE_MSG_CAPS(m->info); i++)
		if (buf->caps[i] != FE_HANDLE_INVALID)
			(void)fe_handle_delete(buf->caps[i]);
}

static void answer(struct fe_msg *m, fe_handle_t *sent)
{
	drop_caps(m);
	switch (FE_MSG_LABEL(m->info)) {
	case FE_PCIBUS_LIST:
		answer_list(m);
		break;
	case FE_PCIBUS_BAR:
		answer_bar(m);
		break;
	case FE_PCIBUS_GET:
		answer_get(m, sent);
		break;
	case FE_PCIBUS_RESCAN:
		answer_rescan(m);
		break;
	default:
		reply(m, FE_ERR_UNSUPPORTED, 0);
		break;
	}
}

static fe_status_t serve(fe_handle_t ep)
{
	struct fe_msg m;
	fe_status_t st = fe_recv(ep, 0, &m);

	while (st == FE_OK) {
		fe_handle_t sent = FE_HANDLE_INVALID;
		if (fe_service_handle_control(&m)) {
			st = fe_recv(ep, 0, &m);
			continue;
		}
		answer(&m, &sent);
		st = fe_reply_recv(ep, &m);
		/* The receiver has its own copy (or the caller was gone). */
		if (sent != FE_HANDLE_INVALID)
			(void)fe_handle_delete(sent);
	}
	return st;
}

int main(int argc, char **argv)
{
	fe_handle_t ep = fe_service_endpoint();
	fe_status_t st;

	(void)argc, (void)argv;
	if ((root = fe_start_handle(FE_START_PCI_ROOT)) == FE_HANDLE_INVALID) {
		printf("pcibus: no pci-root capability (give it `caps pci-root`)\n");
		return 1;
	}
	if (ep == FE_HANDLE_INVALID) {
		printf("pcibus: no endpoint (start it from the supervisor's manifest)\n");
		return 1;
	}
	if ((st = enumerate()) != FE_OK) {
		printf("pcibus: enumeration failed: %s\n", fe_status_name(st));
		return 1;
	}
	printf("pcibus: %u PCI functions\n", nfunctions);
	st = serve(ep);
	printf("pcibus: cannot serve: %s\n", fe_status_name(st));
	return 1;
}
