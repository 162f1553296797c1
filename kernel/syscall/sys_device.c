/* SPDX-License-Identifier: MIT */
/* Devices handed to the root task: console, interrupts, I/O ports, trace. */
#include <arch/cpu.h>
#include <arch/ioport.h>

#include "core/biglock.h"
#include "core/clock.h"
#include "core/console.h"
#include "core/cpu.h"
#include "core/usercopy.h"
#include "lib/util.h"
#include "mm/frame.h"
#include "mm/kmem.h"
#include "mm/numa.h"
#include "object/console_driver.h"
#include "object/device.h"
#include "object/interrupt.h"
#include "object/notification.h"
#include "object/pci.h"
#include "object/process.h"
#include "object/thread.h"
#include "syscall/syscall.h"
#include "syscall/sys.h"
#include "trace/trace.h"

#define CONSOLE_WRITE_MAX 4096u
#define TRACE_READ_MAX 4096u

fe_status_t sys_console_write(struct trap_frame *f)
{
	struct kobj *o;
	char chunk[128];
	uint64_t buf = ARG1(f), len = ARG2(f);
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_CONSOLE, FE_RIGHT_WRITE, &o);

	if (st != FE_OK)
		return st;
	if (len > CONSOLE_WRITE_MAX)
		return FE_ERR_INVALID_ARG;
	/* All of it readable before the first byte goes out: no partial line. */
	if ((st = user_check_read(buf, len)) != FE_OK)
		return st;
	while (len > 0) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);
		if ((st = copy_from_user(chunk, buf, n)) != FE_OK)
			return st;
		console_write_n(chunk, n);
		buf += n, len -= n;
	}
	return FE_OK;
}

fe_status_t sys_console_attach(struct trap_frame *f)
{
	struct kobj *con, *io, *n;
	fe_status_t st;

	if ((st = handle_lookup(ARG0(f), FE_OBJ_CONSOLE, FE_RIGHT_WRITE, &con)) != FE_OK ||
	    (st = handle_lookup(ARG1(f), FE_OBJ_IOPORT, FE_RIGHT_WRITE, &io)) != FE_OK ||
	    (st = handle_lookup(ARG2(f), FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, &n)) != FE_OK)
		return st;
	if (ARG3(f) >= 64)
		return FE_ERR_INVALID_ARG;
	return console_driver_attach(current_process(), (struct ioport *)io,
	                             (struct notification *)n, (unsigned)ARG3(f));
}

fe_status_t sys_console_take(struct trap_frame *f)
{
	struct kobj *con;
	char chunk[FE_CONSOLE_CHUNK_MAX];
	uint64_t buf = ARG1(f), max = ARG2(f), out = ARG3(f);
	size_t n;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_CONSOLE, FE_RIGHT_WRITE, &con);

	if (st != FE_OK)
		return st;
	if (max == 0)
		return FE_ERR_INVALID_ARG;
	max = max < sizeof(chunk) ? max : sizeof(chunk);
	/* Checked before the take: the bytes taken must reach the caller. */
	if ((st = user_check_write(buf, max)) != FE_OK || (st = user_check_write(out, sizeof(uint64_t))) != FE_OK)
		return st;
	if ((st = console_driver_take(current_process(), chunk, max, &n)) != FE_OK)
		return st;
	uint64_t n64 = n;
	if ((st = copy_to_user(buf, chunk, n)) != FE_OK)
		return st;
	return copy_to_user(out, &n64, sizeof(n64));
}

fe_status_t sys_console_detach(struct trap_frame *f)
{
	struct kobj *con;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_CONSOLE, FE_RIGHT_WRITE, &con);

	return st == FE_OK ? console_driver_detach(current_process()) : st;
}

fe_status_t sys_irq_bind(struct trap_frame *f)
{
	struct cap *irq, *n;
	fe_status_t st;

	if ((st = handle_lookup_cap(ARG0(f), FE_OBJ_IRQ, FE_RIGHT_MANAGE, &irq)) != FE_OK ||
	    (st = handle_lookup_cap(ARG1(f), FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, &n)) != FE_OK)
		return st;
	if (ARG2(f) >= 64)
		return FE_ERR_INVALID_ARG;
	/* The binding is recorded on both capabilities and the caller (ADR 0009). */
	return irq_object_bind(irq, n, (unsigned)ARG2(f), current_process());
}

fe_status_t sys_irq_ack(struct trap_frame *f)
{
	struct kobj *irq;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_IRQ, FE_RIGHT_MANAGE, &irq);

	return st == FE_OK ? irq_object_ack((struct irq_object *)irq) : st;
}

static fe_status_t port_check(struct trap_frame *f, uint32_t right, uint16_t *port, unsigned *width)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_IOPORT, right, &o);

	if (st != FE_OK)
		return st;
	struct ioport *io = (struct ioport *)o;
	uint64_t p = ARG1(f), w = ARG2(f);
	if (w != 1 && w != 2 && w != 4)
		return FE_ERR_INVALID_ARG;
	if (p < io->base || !range_within(p - io->base, w, io->count))
		return FE_ERR_OUT_OF_RANGE;
	*port = (uint16_t)p;
	*width = (unsigned)w;
	return FE_OK;
}

fe_status_t sys_ioport_in(struct trap_frame *f)
{
	uint16_t port;
	unsigned width;
	uint32_t v;
	fe_status_t st = port_check(f, FE_RIGHT_READ, &port, &width);

	if (st != FE_OK)
		return st;
	/* Reading a port may change the device (a received byte, a pending
	 * interrupt): the result's place must be writable first. */
	if ((st = user_check_write(ARG3(f), sizeof(v))) != FE_OK)
		return st;
	v = arch_port_in(port, width);
	return copy_to_user(ARG3(f), &v, sizeof(v));
}

fe_status_t sys_ioport_out(struct trap_frame *f)
{
	uint16_t port;
	unsigned width;
	fe_status_t st = port_check(f, FE_RIGHT_WRITE, &port, &width);
	uint64_t v = ARG3(f);

	if (st != FE_OK)
		return st;
	arch_port_out(port, width, (uint32_t)v);
	if (width == 1)
		console_driver_port_out(current_process(), port, (uint32_t)v);
	return FE_OK;
}

fe_status_t sys_ioport_write(struct trap_frame *f)
{
	struct kobj *o;
	uint8_t bytes[FE_IOPORT_WRITE_MAX];
	uint64_t p = ARG1(f), buf = ARG2(f), len = ARG3(f);
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_IOPORT, FE_RIGHT_WRITE, &o);

	if (st != FE_OK)
		return st;
	struct ioport *io = (struct ioport *)o;
	if (len == 0 || len > FE_IOPORT_WRITE_MAX)
		return FE_ERR_INVALID_ARG;
	if (p < io->base || !range_within(p - io->base, 1, io->count))
		return FE_ERR_OUT_OF_RANGE;
	if ((st = copy_from_user(bytes, buf, len)) != FE_OK)
		return st; /* nothing written */
	struct process *me = current_process();
	for (uint64_t i = 0; i < len; i++) {
		arch_port_out((uint16_t)p, 1, bytes[i]);
		console_driver_port_out(me, (uint16_t)p, bytes[i]);
	}
	return FE_OK;
}

/* Copies up to max of the newest records of every CPU, oldest first. */
/* The CPU whose record `take[cpu]` back (1 = its newest) is the newest
 * (newest = true) or oldest among all CPUs' candidates; false if none. */
static bool pick_cpu(const uint64_t *take, bool newest, uint32_t *out)
{
	struct fe_trace_record rec;
	uint64_t best_tsc = 0;
	bool found = false;

	for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
		if (take[cpu] == 0 || trace_peek(cpu, take[cpu], &rec) != FE_OK)
			continue;
		if (!found || (newest ? rec.tsc > best_tsc : rec.tsc < best_tsc)) {
			best_tsc = rec.tsc;
			*out = cpu;
			found = true;
		}
	}
	return found;
}

/* The `max` most recent records of all CPUs, merged by time, oldest first. */
fe_status_t sys_trace_read(struct trap_frame *f)
{
	struct kobj *o;
	uint64_t max = ARG2(f), n = 0, ubuf = ARG1(f), take[MAX_CPUS] = { 0 }, back[MAX_CPUS] = { 0 };
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_TRACE, FE_RIGHT_READ, &o);
	uint32_t cpu;

	if (st != FE_OK)
		return st;
	if (max > TRACE_READ_MAX)
		max = TRACE_READ_MAX;
	/* Both out-parameters writable before the first record is copied. */
	if ((st = user_check_write(ubuf, max * sizeof(struct fe_trace_record))) != FE_OK ||
	    (st = user_check_write(ARG3(f), sizeof(n))) != FE_OK)
		return st;
	/* Walk back from the newest to see how many each CPU contributes... */
	for (uint64_t i = 0; i < max; i++) {
		for (cpu = 0; cpu < ncpus; cpu++)
			back[cpu] = take[cpu] + 1;
		if (!pick_cpu(back, true, &cpu))
			break;
		take[cpu]++;
	}
	/* ...then copy them out oldest first. */
	while (pick_cpu(take, false, &cpu)) {
		struct fe_trace_record rec;
		if (trace_peek(cpu, take[cpu]--, &rec) != FE_OK)
			continue;
		if ((st = copy_to_user(ubuf + n * sizeof(rec), &rec, sizeof(rec))) != FE_OK)
			return st;
		n++;
	}
	return copy_to_user(ARG3(f), &n, sizeof(n));
}

fe_status_t sys_kernel_stats(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_TRACE, FE_RIGHT_READ, &o);

	if (st != FE_OK)
		return st;
	struct frame_stats fs = frame_get_stats();
	struct fe_kernel_stats ks = {
		.frames_total = fs.total_frames, .frames_free = fs.free_frames,
		.processes = process_count(), .syscalls = syscall_count(), .tsc_hz = clock_tsc_hz(),
		.numa_nodes = numa_node_count(), .frames_remote = fs.remote_allocs,
	};
	for (uint32_t i = 0; i < ncpus; i++) {
		struct trace_stats ts = trace_get_stats(i);
		ks.context_switches += cpus[i].sched.switches;
		ks.trace_dropped += ts.overwritten;
	}
	struct kmem_stats heap = kmem_total_stats();
	ks.threads = thread_count();
	ks.objects = kobj_count();
	ks.cpus = ncpus;
	ks.handles = process_handle_count();
	ks.kheap_objects = heap.inuse;
	ks.kheap_frames = heap.slabs;
	ks.iommu_units = pci_dma_iommu_units();
	ks.dma_faults = pci_dma_fault_count();
	struct console_stats cs = console_get_stats();
	ks.console_dropped = cs.dropped;
	ks.console_reclaimed = cs.reclaimed;
	ks.console_attached = cs.attached;
	ks.console_unsent = cs.unsent;
	return copy_to_user(ARG1(f), &ks, sizeof(ks));
}

static void fill_cpu_stats(const struct cpu *c, struct fe_cpu_stats *out)
{
	const struct sched_cpu *s = &c->sched;

	out->cpu = c->index;
	out->apic_id = c->apic_id;
	out->node = c->node;
	out->capacity = c->capacity;
	out->now_ns = clock_ns();
	/* A CPU asleep now has an idle period not yet added in. */
	out->idle_ns = clock_tsc_to_ns(s->idle_tsc + (s->idle_sleeping ? rdtsc() - s->idle_since : 0));
	out->idle_entries = s->idle_entries;
	for (unsigned i = 0; i < FE_WAKE_CAUSES; i++)
		out->wakeups[i] = s->wakeups[i];
	out->timer_irqs = c->timer_irqs;
	out->context_switches = s->switches;
	out->migrations_in = s->migrations_in;
	out->ipis_received = c->ipis_received;
	out->runnable = s->nr_ready + (s->current != s->idle);
	out->idle_method = arch_idle_method();
	struct big_lock_stats ls = big_lock_get_stats(c->index);
	out->lock_acquires = ls.acquires;
	out->lock_contended = ls.contended;
	out->lock_spin_cycles = ls.spin_cycles;
}

fe_status_t sys_cpu_stats(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_TRACE, FE_RIGHT_READ, &o);
	struct fe_cpu_stats cs = { 0 };

	if (st != FE_OK)
		return st;
	if (ARG1(f) >= ncpus || !cpus[ARG1(f)].online)
		return FE_ERR_OUT_OF_RANGE;
	fill_cpu_stats(&cpus[ARG1(f)], &cs);
	return copy_to_user(ARG2(f), &cs, sizeof(cs));
}

_Static_assert(MAX_CPUS <= 64, "fe_node_stats.cpu_mask has a bit per CPU");

/* Online CPUs on `node`: bit i = CPU i. */
static uint64_t node_cpu_mask(uint32_t node)
{
	uint64_t mask = 0;

	for (uint32_t i = 0; i < ncpus; i++)
		if (cpus[i].online && cpus[i].node == node)
			mask |= 1ULL << i;
	return mask;
}

fe_status_t sys_node_stats(struct trap_frame *f)
{
	struct kobj *o;
	struct frame_node_stats fs;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_TRACE, FE_RIGHT_READ, &o);

	if (st != FE_OK)
		return st;
	/* All 64 bits: node 1 << 32 must not read as node 0. */
	if (ARG1(f) >= numa_node_count())
		return FE_ERR_INVALID_ARG;
	uint32_t node = (uint32_t)ARG1(f);
	if ((st = frame_get_node_stats(node, &fs)) != FE_OK)
		return st;
	struct fe_node_stats ns = {
		.node = node, .total_frames = fs.total_frames, .free_frames = fs.free_frames,
		.local_allocs = fs.local_allocs, .remote_allocs = fs.remote_allocs,
		.cpu_mask = node_cpu_mask(node),
	};
	return copy_to_user(ARG2(f), &ns, sizeof(ns));
}
