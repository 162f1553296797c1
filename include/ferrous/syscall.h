/* SPDX-License-Identifier: MIT */
/*
 * The system call ABI: numbers, argument layout and the structures calls
 * read or write. These values are ABI; append, never renumber.
 *
 * Convention (x86_64, `syscall` instruction):
 *   rax = call number; arguments a0..a5 in rdi, rsi, rdx, r10, r8, r9.
 *   On return rax = fe_status_t (FE_OK or a negative FE_ERR_*); rcx and r11
 *   are clobbered (the CPU uses them); every other register is preserved
 *   except the IPC calls, which return the message in registers too:
 *     rdi = badge of the capability the message came through (receive side)
 *     rsi = message info (FE_MSG_INFO), rdx, r10, r8, r9 = words 0..3.
 * Out-parameters are user pointers written only on success (FE_ERR_FAULT if
 * the pointer is bad). No call succeeds partially: a call that fails changed
 * nothing (docs/architecture.md, "Whole or not at all").
 *
 * Every call that touches an object takes a handle to it; the only calls
 * without one act on the caller itself (exit, yield, null).
 */
#ifndef FERROUS_SYSCALL_H
#define FERROUS_SYSCALL_H

#ifndef __ASSEMBLY__
#include <stdint.h>

#include <ferrous/handle.h>
#endif

/* System call numbers (plain macros: the user-space stubs are assembly). */
#define FE_SYS_NULL                    0 /* () */
#define FE_SYS_CONSOLE_WRITE           1 /* (console, const char *buf, len): WRITE */
#define FE_SYS_HANDLE_DUP              2 /* (h, rights, badge, fe_handle_t *out): DUPLICATE */
#define FE_SYS_HANDLE_DELETE           3 /* (h) */
#define FE_SYS_HANDLE_REVOKE           4 /* (h, uint64_t *removed or 0): REVOKE */
#define FE_SYS_HANDLE_INFO             5 /* (h, struct fe_handle_info *out) */
#define FE_SYS_HANDLE_GRANT            6 /* (process, h, rights, fe_handle_t *out): MANAGE; TRANSFER */
#define FE_SYS_PROCESS_CREATE          7 /* (const char *name, len, budget bytes, fe_handle_t *out, group or 0 = the caller's): MANAGE on the group */
#define FE_SYS_PROCESS_INFO            8 /* (process, struct fe_process_info *out): READ */
#define FE_SYS_PROCESS_WAIT            9 /* (process, struct fe_exit_status *out, flags, timeout ns if FE_TIMEOUT): WAIT */
#define FE_SYS_PROCESS_KILL            10 /* (process): MANAGE */
#define FE_SYS_PROCESS_EXIT            11 /* (int64 code): does not return */
#define FE_SYS_THREAD_CREATE           12 /* (process, entry, stack top, arg, priority, fe_handle_t *out): MANAGE */
#define FE_SYS_THREAD_EXIT             13 /* (): does not return; the last thread exits the process with 0 */
#define FE_SYS_THREAD_YIELD            14 /* () */
#define FE_SYS_THREAD_SET_IPC_BUFFER   15 /* (vmo, offset): READ|WRITE; offset page aligned */
#define FE_SYS_VMO_CREATE              16 /* (size, fe_handle_t *out, FE_VMO_* flags) */
#define FE_SYS_VMO_READ                17 /* (vmo, offset, void *buf, len): READ */
#define FE_SYS_VMO_WRITE               18 /* (vmo, offset, const void *buf, len): WRITE */
#define FE_SYS_VM_MAP                  19 /* (process, vmo or mmio, offset, va, len, FE_VM_* prot): MANAGE; MAP|READ + prot rights */
#define FE_SYS_VM_UNMAP                20 /* (process, va, len): MANAGE */
#define FE_SYS_ENDPOINT_CREATE         21 /* (fe_handle_t *out) */
#define FE_SYS_CALL                    22 /* (endpoint, info, w0, w1, w2, w3): WRITE; returns the reply */
#define FE_SYS_RECV                    23 /* (endpoint, flags): READ; returns the message */
#define FE_SYS_REPLY                   24 /* (0, info, w0, w1, w2, w3): to the caller last received */
#define FE_SYS_REPLY_RECV              25 /* (endpoint, info, w0, w1, w2, w3): reply, then receive */
#define FE_SYS_NOTIF_CREATE            26 /* (fe_handle_t *out) */
#define FE_SYS_NOTIF_SIGNAL            27 /* (notification, bits): SIGNAL */
#define FE_SYS_NOTIF_WAIT              28 /* (notification, flags, uint64_t *bits, timeout ns if FE_TIMEOUT): WAIT; returns and clears */
#define FE_SYS_IRQ_BIND                29 /* (irq, notification, bit): MANAGE; SIGNAL */
#define FE_SYS_IRQ_ACK                 30 /* (irq): MANAGE; done with the last interrupt */
#define FE_SYS_IOPORT_IN               31 /* (ioport, port, width 1/2/4, uint32_t *out): READ */
#define FE_SYS_IOPORT_OUT              32 /* (ioport, port, width 1/2/4, value): WRITE */
#define FE_SYS_TRACE_READ              33 /* (trace, struct fe_trace_record *buf, max, uint64_t *count): READ */
#define FE_SYS_KERNEL_STATS            34 /* (trace, struct fe_kernel_stats *out): READ */
#define FE_SYS_THREAD_SLEEP            35 /* (nanoseconds): blocks at least that long */
#define FE_SYS_THREAD_SET_AFFINITY     36 /* (thread or 0 = the caller, uint64_t cpu mask): MANAGE; bit i = CPU i; new threads inherit their creator's */
#define FE_SYS_CPU_CURRENT             37 /* (uint32_t *out): the CPU the caller runs on now */
#define FE_SYS_CPU_STATS               38 /* (trace, cpu index, struct fe_cpu_stats *out): READ */
#define FE_SYS_NODE_STATS              39 /* (trace, node index, struct fe_node_stats *out): READ; FE_ERR_INVALID_ARG past the last node */
#define FE_SYS_PROCESS_WATCH           40 /* (process, notification, bit): WAIT; SIGNAL. Signals the bit once the process has finished (object/watch.h) */
#define FE_SYS_PCI_CONFIG_READ         41 /* (pci-root or pci-device, function FE_PCI_ADDR, offset, width 1/2/4, uint32_t *out): READ; through a device only its own function (or FE_PCI_SELF) */
#define FE_SYS_PCI_CONFIG_WRITE        42 /* (pci-device, offset, width 1/2/4, value): WRITE; only where a driver may (ferrous/pci.h) */
#define FE_SYS_PCI_DEVICE_CREATE       43 /* (pci-root, function FE_PCI_ADDR, fe_handle_t *out): MANAGE; a pci-device capability made through the root's */
#define FE_SYS_PCI_BAR                 44 /* (pci-device, BAR index, fe_handle_t *out or 0, struct fe_pci_bar_info *info): MANAGE; an mmio or ioport capability made through the device's, which claims the function (see PCI_IRQ_BIND); out 0: only the info */
#define FE_SYS_PCI_IRQ_BIND            45 /* (pci-device, message index, notification, bit): MANAGE; SIGNAL. MSI-X entry, or the MSI message (index 0) */
#define FE_SYS_PCI_DMA_MAP             46 /* (pci-device, vmo, offset, len <= FE_DMA_MAP_MAX, FE_DMA_* flags, uint64_t *device_addr): MANAGE; READ (+ WRITE if the device writes) on the VMO */
#define FE_SYS_PCI_DMA_UNMAP           47 /* (pci-device, device_addr): MANAGE; the claim's holder only */
#define FE_SYS_PCI_RELEASE             48 /* (pci-device): MANAGE; ends the caller's claim: bus mastering off, vectors unbound, IOMMU domain removed, DMA mappings dropped */
#define FE_SYS_CONSOLE_ATTACH          49 /* (console, ioport, notification, bit): WRITE; WRITE; SIGNAL. Console output goes to a ring this process drains (a UART driver); the ioport must cover the console's port */
#define FE_SYS_CONSOLE_TAKE            50 /* (console, char *buf, max, uint64_t *n): WRITE; the attached process only: confirms the last chunk, copies the next (at most one line, FE_CONSOLE_CHUNK_MAX) */
#define FE_SYS_CONSOLE_DETACH          51 /* (console): WRITE; the attached process only: the kernel writes the port again */
#define FE_SYS_IOPORT_WRITE            52 /* (ioport, port, const uint8_t *buf, len <= FE_IOPORT_WRITE_MAX): WRITE; the bytes to one 8-bit port in turn (a UART's FIFO) */
#define FE_SYS_GROUP_CREATE            53 /* (parent group, const struct fe_group_limits *, notification or 0, bit, fe_handle_t *out): MANAGE; SIGNAL */
#define FE_SYS_GROUP_INFO              54 /* (group, struct fe_group_info *out): READ */
#define FE_SYS_GROUP_KILL              55 /* (group): MANAGE; ends every process in its subtree */
#define FE_SYS_GROUP_FREEZE            56 /* (group, 1 freeze / 0 thaw): MANAGE; its subtree's threads stop before user mode, or go on */
#define FE_SYS_COUNT                   57

/* The most bytes one vmo_read or vmo_write moves (1 MiB); more, within the
 * object, is FE_ERR_INVALID_ARG. The copy is whole or nothing, so it cannot pause, and
 * it holds the big lock (docs/locking.md): this bounds the hold. */
#define FE_VMO_IO_MAX (1ULL << 20)

/* vmo_create flags; any other bit is FE_ERR_INVALID_ARG. FE_VMO_CONTIGUOUS:
 * the pages are one physically contiguous block, naturally aligned to the
 * smallest power of two holding the size (at most FE_VMO_CONTIGUOUS_MAX,
 * else FE_ERR_INVALID_ARG), zeroed and charged whole, for a device that reads
 * them as one without an IOMMU (ADR 0011, decision 3). No call tells user
 * space where they are. */
#define FE_VMO_CONTIGUOUS 1u
#define FE_VMO_CONTIGUOUS_MAX (4ULL << 20)

/* Flags for calls that could block. */
#define FE_NONBLOCK 1u /* return FE_ERR_WOULD_BLOCK instead of waiting */
/* Wait at most the nanoseconds the call's next argument gives (notif_wait:
 * the 4th, process_wait: the 4th), then return FE_ERR_TIMED_OUT; 0 is
 * "not at all" when nothing is pending. Not with FE_NONBLOCK. */
#define FE_TIMEOUT 2u

/* Memory mapping protections; each needs the matching right on the memory
 * capability (WRITE, EXECUTE) plus MAP and READ: every mapping needs READ,
 * since x86 cannot map a page write-only or execute-only (without it:
 * FE_ERR_ACCESS_DENIED), and every mapping is readable. WRITE|EXEC together
 * is refused, and so is an executable mapping of a VMO that was ever mapped
 * writable or a writable one (or vmo_write) of a VMO ever mapped executable
 * (FE_ERR_ACCESS_DENIED; docs/adr/0008-vmo-wx-policy.md). */
#define FE_VM_READ 1u
#define FE_VM_WRITE 2u
#define FE_VM_EXEC 4u

/* User address space: [FE_USER_BASE, FE_USER_TOP). The first 64 KiB stay
 * unmapped so null-pointer bugs fault. */
#define FE_USER_BASE 0x10000ULL
#define FE_USER_TOP 0x00007ffffffff000ULL

/* Capabilities sent in a message need FE_RIGHT_TRANSFER; the receiver gets
 * a derived copy with the same rights (revoking the sender's ancestor removes
 * it), and the sender keeps its own. */

/* Thread priorities: higher runs first; a thread may create threads of at
 * most its own priority. */
#define FE_PRIORITY_MIN 0u
#define FE_PRIORITY_DEFAULT 16u
#define FE_PRIORITY_MAX 31u

#ifndef __ASSEMBLY__
struct fe_handle_info {
	uint32_t type;   /* enum fe_obj_type */
	uint32_t rights; /* FE_RIGHT_* */
	uint64_t koid;   /* the object's kernel-wide id, never reused */
	uint64_t badge;  /* IPC badge (endpoints), 0 if none */
};

/* Why a process ended. */
enum fe_exit_reason {
	FE_EXIT_RUNNING = 0, /* not ended (process info only) */
	FE_EXIT_NORMAL = 1,  /* fe_process_exit or the last thread exited */
	FE_EXIT_KILLED = 2,  /* fe_process_kill */
	FE_EXIT_FAULT = 3,   /* an exception in user mode */
	FE_EXIT_DMA_FAULT = 4, /* a device it had claimed made a DMA the IOMMU refused */
};

struct fe_exit_status {
	int64_t code;     /* the exit code for FE_EXIT_NORMAL, else 0 */
	uint32_t reason;  /* enum fe_exit_reason */
	uint32_t vector;  /* FE_EXIT_FAULT: exception vector; FE_EXIT_DMA_FAULT: the IOMMU's
	                     fault reason (VT-d: 2 no domain, 5 write, 6 read refused) */
	uint64_t address; /* FE_EXIT_FAULT: faulting address (#PF), else 0; FE_EXIT_DMA_FAULT:
	                     the device address, rounded down to its page */
	uint64_t rip;     /* FE_EXIT_FAULT: instruction */
};

struct fe_process_info {
	uint64_t koid;
	struct fe_exit_status exit; /* reason FE_EXIT_RUNNING while alive */
	uint32_t threads;           /* live threads */
	uint32_t handles;           /* capabilities in its table */
	uint64_t budget_limit;      /* kernel memory it may use, bytes */
	uint64_t budget_used;
	char name[32];              /* NUL-terminated */
	uint64_t syscalls;          /* system calls its threads have made */
};

struct fe_kernel_stats {
	uint64_t frames_total, frames_free;
	uint64_t processes, threads;  /* alive now */
	uint64_t context_switches;
	uint64_t syscalls;
	uint64_t trace_dropped;       /* trace records lost to ring overflow */
	uint64_t tsc_hz;
	uint64_t cpus;                /* online CPUs */
	uint64_t numa_nodes;          /* memory nodes (1 without SRAT) */
	uint64_t frames_remote;       /* frame allocations served by another node than asked */
	uint64_t objects;             /* kernel objects alive (not yet destroyed), of every type */
	/* For leak checks (sysfuzz): what freeing everything a process made returns to. */
	uint64_t handles;             /* capabilities in all processes' tables */
	uint64_t kheap_objects;       /* kernel heap objects allocated (every slab cache) */
	uint64_t kheap_frames;        /* frames the slab caches hold, kept empty slabs included */
	/* DMA confinement (ADR 0011, decision 3). */
	uint64_t iommu_units;         /* IOMMU units translating; 0: DMA is unconfined */
	uint64_t dma_faults;          /* DMA the IOMMU refused (recorded faults) */
	/* The console ring while a user-space driver holds the port (FE_SYS_CONSOLE_ATTACH). */
	uint64_t console_dropped;     /* bytes refused because the ring was full */
	uint64_t console_reclaimed;   /* bytes a driver left unconfirmed that the kernel wrote itself */
	uint64_t console_attached;    /* 1 while a driver holds the console */
	uint64_t console_unsent;      /* bytes in the ring the driver has not confirmed yet */
};

/* The most bytes one FE_SYS_IOPORT_WRITE writes (the call holds the big lock). */
#define FE_IOPORT_WRITE_MAX 64u

/* The most bytes one FE_SYS_CONSOLE_TAKE hands out. */
#define FE_CONSOLE_CHUNK_MAX 256u

/* fe_cpu_stats.idle_method: how an idle CPU sleeps. */
#define FE_IDLE_HLT 1u
#define FE_IDLE_MWAIT 2u

/* Wake-up causes counted per CPU (fe_cpu_stats.wakeups[]): what ended an idle period. */
enum fe_wake_cause {
	FE_WAKE_TIMER = 0,  /* its one-shot timer (a slice or a sleeper) */
	FE_WAKE_IPI = 1,    /* another CPU: reschedule or TLB shootdown */
	FE_WAKE_DEVICE = 2, /* a device interrupt */
	FE_WAKE_OTHER = 3,
	FE_WAKE_CAUSES = 4,
};

/* One CPU's scheduling and energy counters since boot. */
struct fe_cpu_stats {
	uint32_t cpu, apic_id;
	uint32_t node;               /* NUMA node */
	uint32_t capacity;           /* relative compute capacity, 1024 = the biggest core */
	uint64_t now_ns;             /* time since boot when read */
	uint64_t idle_ns;            /* time spent idle (hlt or mwait) */
	uint64_t idle_entries;       /* times it went idle */
	uint64_t wakeups[FE_WAKE_CAUSES];
	uint64_t timer_irqs;         /* timer interrupts taken, idle or not */
	uint64_t context_switches;
	uint64_t migrations_in;      /* threads moved here from another CPU */
	uint64_t ipis_received;
	uint64_t runnable;           /* threads ready or running here now */
	uint32_t idle_method;        /* FE_IDLE_HLT or FE_IDLE_MWAIT */
	uint32_t reserved;
	/* The big kernel lock on this CPU (ADR 0006): outermost acquisitions, those
	 * that found it held and waited, and the TSC cycles spent waiting. */
	uint64_t lock_acquires;
	uint64_t lock_contended;
	uint64_t lock_spin_cycles;
};

/* One NUMA node's frame pool since boot (nodes 0 .. fe_kernel_stats.numa_nodes - 1). */
struct fe_node_stats {
	uint32_t node;
	uint32_t reserved;
	uint64_t total_frames;       /* 4 KiB frames in this node's pool */
	uint64_t free_frames;
	uint64_t local_allocs;       /* allocations asked of this node and served by it */
	uint64_t remote_allocs;      /* asked of this node but served by another (it had no block) */
	uint64_t cpu_mask;           /* online CPUs on this node: bit i = CPU i */
};
_Static_assert(sizeof(struct fe_node_stats) == 48, "fe_node_stats is ABI");

/*
 * IPC messages. The info word: bits 0..6 the number of data words (at most
 * FE_IPC_MAX_WORDS), bits 8..10 the number of capabilities (at most
 * FE_IPC_MAX_CAPS), bits 32..63 a label the protocol defines. Words 0..3
 * travel in registers; words 4.. and capabilities go through the thread's
 * IPC buffer (FE_SYS_THREAD_SET_IPC_BUFFER), which a call needing it must
 * have set (else FE_ERR_BAD_STATE).
 */
#define FE_IPC_REG_WORDS 4u
#define FE_IPC_MAX_WORDS 64u
#define FE_IPC_MAX_CAPS 4u
#define FE_MSG_INFO(label, words, caps) \
	(((uint64_t)(uint32_t)(label) << 32) | (((uint64_t)(caps) & 7u) << 8) | ((uint64_t)(words) & 0x7fu))
#define FE_MSG_WORDS(info) ((unsigned)((info) & 0x7fu))
#define FE_MSG_CAPS(info) ((unsigned)(((info) >> 8) & 7u))
#define FE_MSG_LABEL(info) ((uint32_t)((info) >> 32))

/* The IPC buffer: one page of a memory object the thread registered. */
struct fe_ipc_buffer {
	uint64_t words[FE_IPC_MAX_WORDS]; /* words[0..3] unused: they go in registers */
	fe_handle_t caps[FE_IPC_MAX_CAPS];/* sender: handles to send; receiver: handles received */
	uint64_t span;                    /* receiver: the trace span id of the message */
};

#endif /* __ASSEMBLY__ */

#endif /* FERROUS_SYSCALL_H */
