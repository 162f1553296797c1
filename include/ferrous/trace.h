/* SPDX-License-Identifier: MIT */
/*
 * The trace schema: one fixed-size binary record for every kernel event.
 *
 * Records live in per-CPU rings (kernel/trace/ring.c). A user-space exporter
 * will map the rings read-only and turn records into OpenTelemetry spans and
 * Perfetto JSON, so this layout is ABI: fields are only appended to the event
 * list, never renumbered, and the record stays 64 bytes (one cache line).
 *
 * `seq` is the ring's commit word, not payload: a record at ring position p is
 * valid exactly when seq == p + 1 both before and after it is copied out.
 */
#ifndef FERROUS_TRACE_H
#define FERROUS_TRACE_H

#include <stdint.h>

struct fe_trace_record {
	uint64_t seq;     /* ring position + 1 once committed */
	uint64_t tsc;     /* time stamp counter when emitted */
	uint64_t span;    /* span id of the request being served, 0 if none */
	uint32_t thread;  /* thread id, 0 for the kernel's own boot/idle context */
	uint16_t type;    /* enum fe_trace_event */
	uint16_t cpu;     /* CPU index (not APIC id) */
	uint64_t arg[4];  /* event-specific, see the list below */
};
_Static_assert(sizeof(struct fe_trace_record) == 64, "trace record is one cache line");

/*
 * Event types and the meaning of arg[0..3]. Values are ABI.
 */
enum fe_trace_event {
	FE_TRACE_NONE = 0,
	FE_TRACE_FRAME_ALLOC = 1,  /* phys, order, node, - */
	FE_TRACE_FRAME_FREE = 2,   /* phys, order, node, - */
	FE_TRACE_IRQ_ENTER = 3,    /* vector, rip, -, - */
	FE_TRACE_IRQ_EXIT = 4,     /* vector, -, -, - */
	FE_TRACE_EXCEPTION = 5,    /* vector, error code, rip, cr2 */
	FE_TRACE_IRQ_SPURIOUS = 6, /* vector, count so far, -, - */
	FE_TRACE_IRQ_UNHANDLED = 7,/* vector, count so far, -, - */
	FE_TRACE_TIMER_ARM = 8,    /* deadline (TSC), mode (0 tsc-deadline, 1 one-shot), -, - */
	FE_TRACE_TIMER_FIRE = 9,   /* deadline (TSC), lateness (TSC ticks), -, - */
	FE_TRACE_SLAB_GROW = 10,   /* cache id (1.. in creation order), slabs held now, objects per slab, - */
	FE_TRACE_PANIC = 11,       /* rip, -, -, - */
	FE_TRACE_BOOT_PHASE = 12,  /* phase number, -, -, - */
	FE_TRACE_BOOT_PROBLEM = 13, /* enum fe_boot_problem, then per problem (below) */
	/* Phase 2 and later. */
	FE_TRACE_SYSCALL_ENTER = 32, /* reserved, no longer emitted (FE_TRACE_SYSCALL): number, a0, a1, a2 */
	FE_TRACE_SYSCALL_EXIT = 33,  /* reserved, no longer emitted (FE_TRACE_SYSCALL): number, status, -, - */
	FE_TRACE_SCHED_SWITCH = 34,  /* from thread, to thread, reason, - */
	FE_TRACE_SCHED_WAKE = 35,    /* thread, cpu, reason, - (an IPC hand-over, reason SCHED_IPC_DIRECT, is its switch record alone) */
	FE_TRACE_CAP_CREATE = 36,    /* process, handle, object type, rights */
	FE_TRACE_CAP_TRANSFER = 37,  /* from process, to process, handle, rights */
	FE_TRACE_CAP_REVOKE = 38,    /* process, handle, caps removed, - */
	FE_TRACE_IPC_SEND = 39,      /* endpoint, label, length, to thread: the running thread sent (one record per delivery) */
	FE_TRACE_IPC_RECV = 40,      /* endpoint, label, length, from thread: the running thread took a queued sender's message */
	FE_TRACE_FAULT = 41,         /* process, vector, address, rip */
	FE_TRACE_SERVICE_RESTART = 42,
	FE_TRACE_SCHED_PLACE = 43,   /* thread, chosen cpu, reason (sched/policy.h; 0 = pulled by an idle CPU), waker or source cpu */
	FE_TRACE_SCHED_MIGRATE = 44, /* thread, from cpu, to cpu, reason (placement or pull) */
	FE_TRACE_CPU_IDLE = 45,      /* idle ns, wake cause (enum fe_wake_cause), -, - */
	FE_TRACE_VMO_SEAL = 46,      /* vmo koid, seal (1 data, 2 code), -, - */
	FE_TRACE_CAP_REVOKE_DEP = 47,/* what revoke undid: kind (1 mapping, 2 IPC buffer, 3 wait, 4/5 IRQ binding through the IRQ/notification, 6/7 death watch through the process/notification), object koid, and per kind: va, len | thread | thread, reason | irq line, - | watcher process, bit */
	FE_TRACE_TLB_SHOOTDOWN = 48, /* CPUs signalled (a bit per CPU index), how many, ns spent waiting for them, - */
	FE_TRACE_PROCESS_WATCH = 49, /* watched process, watcher process, bit, what (0 armed, 1 fired, 2 ended unfired) */
	FE_TRACE_PCI = 50,           /* function (FE_PCI_ADDR), what (enum fe_trace_pci), then per what: vendor << 16 | device | BAR index, size | offset | width << 16, value written (or refused) */
	FE_TRACE_IOMMU_FAULT = 51,   /* function (FE_PCI_ADDR), device address (page), reason | write << 8, owner koid (0: unclaimed) */
	FE_TRACE_CONSOLE = 52,       /* what (enum fe_trace_console), driver process koid, bytes the kernel wrote for it (detach), - */
	FE_TRACE_SYSCALL = 53,       /* number | status << 32 (FE_TRACE_SYSCALL_NR/_STATUS), a0, a1, ticks since entry: emitted at the call's exit */
	FE_TRACE_GROUP = 54,         /* group koid, what (enum fe_trace_group), then per what (below) */
	FE_TRACE_EVENT_MAX = 63,
};

/*
 * FE_TRACE_SYSCALL: one record per system call, written when the call returns
 * to user mode (tsc is the exit time). arg[0] packs the call number (bits
 * 0..15) and its status as a signed 32-bit fe_status_t (bits 32..63); arg[1]
 * and arg[2] are its first two arguments as they were at entry; arg[3] is the
 * TSC ticks from entry to exit, so the call started at tsc - arg[3]. A call
 * that blocked (recv, wait, sleep) is one slice [tsc - arg[3], tsc]; while it
 * is still blocked it has no record yet (the switch away, reason blocked,
 * shows it). thread_exit never returns: it is recorded as it is made, status
 * FE_OK and 0 ticks.
 */
#define FE_TRACE_SYSCALL_ARG0(nr, status) (((uint64_t)(nr) & 0xffffu) | ((uint64_t)(uint32_t)(int32_t)(status) << 32))
#define FE_TRACE_SYSCALL_NR(arg0) ((uint32_t)((arg0) & 0xffffu))
#define FE_TRACE_SYSCALL_STATUS(arg0) ((int32_t)(uint32_t)((arg0) >> 32))

/*
 * Why a scheduling decision was taken: arg[2] of FE_TRACE_SCHED_SWITCH (why
 * the running thread stopped) and of FE_TRACE_SCHED_WAKE (why a thread became
 * runnable). Values are ABI.
 */
enum fe_sched_reason {
	FE_SCHED_PREEMPTED = 1,  /* switch: slice over, or a higher priority woke */
	FE_SCHED_BLOCKED = 2,    /* switch: it waits (IPC, notification, process, sleep) */
	FE_SCHED_YIELDED = 3,    /* switch: thread_yield */
	FE_SCHED_EXITED = 4,     /* switch: it ended */
	FE_SCHED_IPC_DIRECT = 5, /* switch: the IPC hand-over (from woke to, no wake record) */
	FE_SCHED_WOKEN = 6,      /* wake: another thread or an interrupt woke it */
	FE_SCHED_TIMEOUT = 7,    /* wake: its sleep or timed wait ran out */
	FE_SCHED_MIGRATED = 8,   /* switch or wake: its affinity moved it, an idle CPU pulled it,
	                            or it was placed again when preempted */
	FE_SCHED_REASON_COUNT = 9,
};

/* Boot phases named by FE_TRACE_BOOT_PHASE. */
enum fe_boot_phase {
	FE_BOOT_PHASE_ENTRY = 1,
	FE_BOOT_PHASE_MEMORY = 2,
	FE_BOOT_PHASE_INTERRUPTS = 3,
	FE_BOOT_PHASE_TIMERS = 4,
	FE_BOOT_PHASE_DONE = 5,
};

/* What FE_TRACE_PCI reports (arg[1]). */
enum fe_trace_pci {
	FE_TRACE_PCI_DEVICE = 1,        /* a pci-device capability made: vendor << 16 | device, - */
	FE_TRACE_PCI_BAR = 2,           /* a BAR capability made: index, size */
	FE_TRACE_PCI_WRITE = 3,         /* a driver's config write: offset | width << 16, value written */
	FE_TRACE_PCI_WRITE_REFUSED = 4, /* one refused: offset | width << 16, value asked for */
	FE_TRACE_PCI_IRQ_BIND = 5,      /* an MSI/MSI-X message bound: index, IDT vector */
	FE_TRACE_PCI_DMA_MAP = 6,       /* device address, length */
	FE_TRACE_PCI_DMA_UNMAP = 7,     /* device address, length */
	FE_TRACE_PCI_QUIESCE = 8,       /* a claim ended, the device quiesced: owner koid, DMA mappings dropped */
};

/* What FE_TRACE_CONSOLE reports (arg[0]). */
enum fe_trace_console {
	FE_TRACE_CONSOLE_ATTACH = 1, /* a driver took the console's output over */
	FE_TRACE_CONSOLE_DETACH = 2, /* it ended or let go: arg[2] bytes the kernel wrote for it */
};

/* What FE_TRACE_GROUP reports (arg[1]), and its arg[2..3]. */
enum fe_trace_group {
	FE_TRACE_GROUP_CREATE = 1,  /* parent's koid, memory limit */
	FE_TRACE_GROUP_REFUSED = 2, /* 1 a process, 2 a thread refused by a count limit */
	FE_TRACE_GROUP_KILL = 3,    /* processes ended, live processes left finishing */
	FE_TRACE_GROUP_EMPTY = 4,   /* its subtree's last process finished: 1 if killed */
	FE_TRACE_GROUP_FREEZE = 5,  /* live threads it holds */
	FE_TRACE_GROUP_THAW = 6,    /* live threads it holds */
};

/* What FE_TRACE_BOOT_PROBLEM reports, and its arg[1..3]. */
enum fe_boot_problem {
	FE_BOOT_PROBLEM_INITRD = 1,    /* a damaged ramdisk: offset of the bad entry, good entries before it, status */
	FE_BOOT_PROBLEM_INIT = 2,      /* init cannot start: status, -, - */
	FE_BOOT_PROBLEM_CPUS = 3,      /* more CPUs than supported: CPUs found, MAX_CPUS, - */
	FE_BOOT_PROBLEM_INIT_ARGS = 4, /* init's arguments do not fit: bytes needed, words, words kept */
};

#endif /* FERROUS_TRACE_H */
