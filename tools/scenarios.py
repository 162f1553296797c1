"""The boot scenarios `make test` runs in QEMU: one row per boot.

A scenario says how to build the EFI system partition (kernel, initrd,
command line), how to start QEMU, and what must come out: QEMU's exit status,
regular expressions that must (or must not) appear on the serial console, and
whether the console carries KTAP whose cases each count as a test.

Exit statuses: 33 = the kernel reported success through isa-debug-exit,
35 = failure or panic, 0 = the machine powered off (the loader does that
after refusing a bad kernel).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

BANNER = r"Ferrous \d+\.\d+\.\d+"
INIT_DONE = r"init: done"
INIT_LOADED = r"init: loaded"
# The seed of `make fuzz-sys` (sysfuzz's own default is 0x5eed = 24301).
SYSFUZZ_SEED = os.environ.get("SYSFUZZ_SEED", "24301")
# Crashes of `make faults` (FAULTS_CRASHES=N to change; at least 1,000 by default).
FAULTS_CRASHES = os.environ.get("FAULTS_CRASHES", "1000")
# A kernel that panics or reports undefined behaviour fails any scenario.
KERNEL_BROKE = [r"PANIC", r"UBSAN"]
# utest's atomic suite makes a console write fail part way: none of it may print.
USER_BROKE = KERNEL_BROKE + [r"UTEST-PARTIAL-CONSOLE-WRITE"]
# Two NUMA nodes for a 512 MiB machine: node 0 448 MiB with CPU 0, node 1
# 64 MiB with CPU 1, distance 21 between them.
NUMA_QEMU = ["-object", "memory-backend-ram,id=m0,size=448M",
             "-numa", "node,nodeid=0,cpus=0,memdev=m0",
             "-object", "memory-backend-ram,id=m1,size=64M",
             "-numa", "node,nodeid=1,cpus=1,memdev=m1",
             "-numa", "dist,src=0,dst=1,val=21"]
# Layouts that break what NUMA_QEMU makes easy to assume. NUMA3_QEMU: three
# nodes, node 0 small (64 MiB, CPU 0), node 1 big (384 MiB, CPU 1), node 2
# 64 MiB with no CPU, nearer node 1 than node 0.
NUMA3_QEMU = ["-object", "memory-backend-ram,id=m0,size=64M",
              "-numa", "node,nodeid=0,cpus=0,memdev=m0",
              "-object", "memory-backend-ram,id=m1,size=384M",
              "-numa", "node,nodeid=1,cpus=1,memdev=m1",
              "-object", "memory-backend-ram,id=m2,size=64M",
              "-numa", "node,nodeid=2,memdev=m2",
              "-numa", "dist,src=0,dst=1,val=21", "-numa", "dist,src=0,dst=2,val=31",
              "-numa", "dist,src=1,dst=2,val=21"]
# NUMA_NOMEM_QEMU: node 0 all 512 MiB with CPU 0, node 1 CPU 1 and no memory.
NUMA_NOMEM_QEMU = ["-object", "memory-backend-ram,id=m0,size=512M",
                   "-numa", "node,nodeid=0,cpus=0,memdev=m0",
                   "-numa", "node,nodeid=1,cpus=1",
                   "-numa", "dist,src=0,dst=1,val=21"]
NUMA3_LINE = r"numa: 3 nodes: node 0 64 MiB cpus \{0\}, node 1 384 MiB cpus \{1\}, node 2 64 MiB cpus \{\}"
NUMA_NOMEM_LINE = r"numa: 2 nodes: node 0 512 MiB cpus \{0\}, node 1 0 MiB cpus \{1\}"


@dataclass
class Scenario:
    name: str
    cmdline: str
    mem: str = "512M"
    smp: int = 1
    # The kernel on the ESP: "normal", "absent", "bad-magic" (ELF magic
    # overwritten) or "truncated" (cut to half its size).
    kernel: str = "normal"
    initrd: bool = True
    # A purpose-built ramdisk (tools/ramdisk.py: "hardlinks", "damaged-tail",
    # "no-init", "empty-init", "linux-init", "linux-prog", "text-prog"),
    # made at test time from the build's; "" = the build's own.
    ramdisk: str = ""
    expect_exit: int = 33
    ktap: bool = False
    must: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)
    timeout: float | None = None  # seconds; None = the runner's default
    enabled: bool = True
    extra_qemu: list[str] = field(default_factory=list)
    # A zeroed raw disk of this many MiB as a modern virtio-blk device
    # (tools/testrun.py, prepare_disk); 0 = none.
    disk_mib: int = 0
    # More -device options for that disk (",iommu_platform=on": its DMA goes
    # through an IOMMU the scenario adds first, in extra_qemu).
    disk_opts: str = ""
    # After QEMU exits, every write the guest printed as acknowledged
    # (`# blk-acked SECTOR COUNT SALT`) must be on the disk image.
    disk_check: bool = False
    # Modern virtio-net devices, one per entry (its extra -device options),
    # whose frames go to a peer on the host (tools/netpeer.py) for the length
    # of the boot; after QEMU exits, the peer's counts must agree with what the
    # guest printed (`# net-count ...`; testrun.py, check_net_peer). [] = none.
    net_nics: list[str] = field(default_factory=list)
    # Lines `# seq K of N: PAYLOAD` (K = 1..N, PAYLOAD as the guest's
    # SEQ_PAYLOAD) must each be on the console exactly once, whole and in
    # order: console output that crosses a UART driver's crashes is neither
    # lost, doubled nor cut (testrun.py, check_seq_lines).
    seq_check: bool = False
    # COM2 goes to trace.bin in the scenario's directory; after QEMU exits,
    # tools/trace.py decodes it and the result must hold what
    # testrun.check_trace asks (records of several types from every CPU,
    # system call slices, a served IPC request, no damaged frame).
    trace_check: bool = False
    # Single-threaded TCG: more vCPUs than host cores make multi-threaded
    # TCG's cross-vCPU wake-ups very slow (DESIGN section 11).
    accel: str = "tcg"


SCENARIOS: list[Scenario] = [
    # q35's PCI Express configuration window, from ACPI MCFG (issue 11's PCI bus).
    Scenario("ktest", "ktest=all qemu_exit=1", ktap=True,
             must=[BANNER, INIT_DONE, r"acpi: PCI segment 0 buses 0-255: ECAM at 0xb0000000"]),
    Scenario("ktest-smp2", "ktest=all qemu_exit=1", smp=2, ktap=True,
             must=[BANNER, INIT_DONE, r"smp: 2 CPUs online"]),
    # Two NUMA nodes with one CPU each, and a SLIT (QEMU builds the SRAT and
    # SLIT; OVMF passes them through). Node 1 is small so that exhausting it
    # (the ktest and utest numa suites do) is cheap; the two add up to `mem`.
    Scenario("numa", "ktest=all qemu_exit=1", smp=2, ktap=True,
             extra_qemu=NUMA_QEMU,
             must=[BANNER, r"numa: 2 nodes: node 0 448 MiB cpus \{0\}, node 1 64 MiB cpus \{1\}",
                   r"numa: distances \(SLIT\): node 0: 10 21; node 1: 21 10",
                   r"mm: node 1: \d+ MiB usable", INIT_DONE],
             must_not=KERNEL_BROKE),
    # The same machine from user space: a thread on node 1's CPU allocates.
    Scenario("numa-user", "init.run=utest utest.suites=numa qemu_exit=1", smp=2, ktap=True,
             extra_qemu=NUMA_QEMU,
             must=[BANNER, INIT_LOADED, r"numa: 2 nodes: node 0 448 MiB cpus \{0\}, node 1 64 MiB cpus \{1\}",
                   r"init: utest exited with code 0"],
             must_not=USER_BROKE),
    # The console's `stats` on that machine: one line per node.
    Scenario("numa-console", "init.run=console console.script=stats qemu_exit=1", smp=2,
             extra_qemu=NUMA_QEMU, timeout=120,
             must=[INIT_LOADED, r"node  total MiB  free MiB  local allocs  remote allocs  cpus",
                   r"\n +1 +\d+ +\d+ +\d+ +\d+  0x2\r?\n", r"init: console exited with code 0"],
             must_not=KERNEL_BROKE),
    # The numa suites must pass on any valid layout (issue 10): three nodes,
    # one without a CPU and the small one first; and a CPU node without memory.
    Scenario("numa3", "ktest=all qemu_exit=1", smp=2, ktap=True,
             extra_qemu=NUMA3_QEMU,
             must=[BANNER, NUMA3_LINE, r"mm: node 2: \d+ MiB usable", INIT_DONE],
             must_not=KERNEL_BROKE),
    Scenario("numa3-user", "init.run=utest utest.suites=numa qemu_exit=1", smp=2, ktap=True,
             extra_qemu=NUMA3_QEMU,
             must=[BANNER, INIT_LOADED, NUMA3_LINE, r"init: utest exited with code 0"],
             must_not=USER_BROKE),
    Scenario("numa-nomem", "ktest=all qemu_exit=1", smp=2, ktap=True,
             extra_qemu=NUMA_NOMEM_QEMU,
             must=[BANNER, NUMA_NOMEM_LINE, r"mm: node 1: no usable memory", INIT_DONE],
             must_not=KERNEL_BROKE),
    Scenario("numa-nomem-user", "init.run=utest utest.suites=numa qemu_exit=1", smp=2, ktap=True,
             extra_qemu=NUMA_NOMEM_QEMU,
             must=[BANNER, INIT_LOADED, NUMA_NOMEM_LINE, r"init: utest exited with code 0"],
             must_not=USER_BROKE),
    Scenario("lowmem", "ktest=all qemu_exit=1", mem="64M", ktap=True,
             must=[BANNER, r"memory: \d+ MiB of RAM", INIT_DONE]),
    Scenario("panic", "ktest.panic=1 qemu_exit=1", expect_exit=35,
             must=[r"PANIC: ktest.panic=1", r"RIP: ", r"Backtrace:",
                   r"#\d+ 0x[0-9a-f]+ ktest_deliberate_panic\+0x", r"#\d+ 0x[0-9a-f]+ kernel_main\+0x"]),
    Scenario("fault", "ktest.fault=1 qemu_exit=1", expect_exit=35,
             must=[r"EXCEPTION 14 \(page fault\), error code 0x2, in kernel mode",
                   r"page fault at 0xffff9000dead0000: page not present \(write\)",
                   r"CR2: ffff9000dead0000", r"RAX: ", r"#0 0x[0-9a-f]+ ktest_deliberate_fault\+0x"]),
    # User space: the root task runs one program from the ramdisk; -smp 2 as
    # `make run` does, and again on one and four CPUs.
    # QEMU's -cpu max offers MONITOR/MWAIT, but TCG's mwait sleeps only on a
    # one-vCPU machine: the idle probe must see that (kernel/arch/x86_64/idle.c).
    # The host timeouts only catch a hung QEMU: utest's progress watchdog
    # ends a stuck case, and a busy host can stretch a passing run to minutes.
    Scenario("user", "init.run=utest qemu_exit=1", smp=2, ktap=True, timeout=600,
             must=[BANNER, INIT_LOADED, r"smp: 2 CPUs online", r"idle: hlt \(mwait returns at once\)",
                   r"init: utest exited with code 0"],
             must_not=USER_BROKE),
    Scenario("user-smp1", "init.run=utest qemu_exit=1", smp=1, ktap=True, timeout=300,
             must=[BANNER, INIT_LOADED, r"idle: mwait", r"init: utest exited with code 0"],
             must_not=USER_BROKE),
    Scenario("user-smp4", "init.run=utest qemu_exit=1", smp=4, accel="tcg,thread=single", ktap=True, timeout=600,
             must=[BANNER, INIT_LOADED, r"smp: 4 CPUs online", r"init: utest exited with code 0"],
             must_not=USER_BROKE),
    # Big and little cores: CPU 1 (an AP) is the big one. Ties go to the
    # lowest index and utest starts on the boot CPU, so a thread can only
    # reach CPU 1 by a capacity decision, never by a tie-break or by staying
    # where it was born. utest.capacity= repeats cpu_capacity= for utest to
    # compare with (it sees only its own utest.* words).
    # DMA, MSI and the claim on a function with QEMU's edu device (utest
    # suites pci and dma). One CPU under -icount: guest time counts
    # instructions, so "the driver dies before edu's 100 ms DMA timer fires"
    # holds however loaded the host is (DESIGN section 11). The DMA mask is
    # widened: edu's default (28 bits) would clamp addresses above 256 MiB.
    Scenario("dma", "init.run=utest utest.suites=pci,dma,iommu utest.iommu=0 qemu_exit=1", ktap=True, timeout=300,
             extra_qemu=["-icount", "shift=0,align=off,sleep=off",
                         "-device", "edu,dma_mask=0xffffffffffffffff"],
             must=[BANNER, INIT_LOADED, r"pci: no IOMMU in use: DMA is unconfined",
                   r"init: utest exited with code 0"],
             must_not=USER_BROKE),
    # The same suites with QEMU's VT-d IOMMU (ACPI DMAR): each claimed
    # function gets its own I/O page tables, a wild or late DMA faults and
    # ends its driver (FE_EXIT_DMA_FAULT). intel-iommu comes before edu so
    # edu's DMA goes through it (QEMU fixes a device's DMA address space
    # when the device is made).
    Scenario("dma-iommu", "init.run=utest utest.suites=pci,dma,iommu utest.iommu=1 qemu_exit=1", ktap=True, timeout=300,
             extra_qemu=["-icount", "shift=0,align=off,sleep=off",
                         "-device", "intel-iommu",
                         "-device", "edu,dma_mask=0xffffffffffffffff"],
             must=[BANNER, INIT_LOADED, r"iommu: VT-d at 0xfed90000, DMA confined per device",
                   r"init: utest exited with code 0"],
             must_not=USER_BROKE + [r"DMA is unconfined"]),
    # The user-space virtio-blk driver (utest suite blk): 8 MiB disk,
    # restarts of the driver under a client.
    Scenario("blk", "init.run=utest utest.suites=blk qemu_exit=1", smp=2, ktap=True, timeout=300,
             disk_mib=8, disk_check=True,
             must=[BANNER, INIT_LOADED, r"virtio-blk: 16384 sectors, flush, queue of 128, 2048 sectors a request, 32 in flight",
                   r"init: utest exited with code 0"],
             must_not=USER_BROKE),
    # The user-space virtio-net driver (utest suite net): frames exchanged
    # with the host's peer, the driver killed and restarted under a client.
    Scenario("net", "init.run=utest utest.suites=net qemu_exit=1", smp=2, ktap=True, timeout=300,
             net_nics=[""],
             must=[BANNER, INIT_LOADED,
                   r"virtio-net: MAC 52:54:00:12:34:56, link up, MTU 1500, queues of 256, 4 MSI-X entries",
                   r"virtio-net: dropped a received frame of 10 bytes, shorter than an Ethernet header",
                   r"init: utest exited with code 0"],
             must_not=USER_BROKE + [r"virtio-net: .*stopping"]),
    # Devices unlike the usual one (utest suite net_odd): no MSI-X (the driver
    # refuses it, saying why), and one MSI-X entry with an MTU of 1280.
    Scenario("net-odd", "init.run=utest utest.suites=net_odd qemu_exit=1", smp=2, ktap=True, timeout=300,
             net_nics=["vectors=0", "vectors=1,host_mtu=1280"],
             must=[BANNER, INIT_LOADED,
                   r"virtio-net: cannot start: the device has no MSI-X capability \(FE_ERR_UNSUPPORTED\)",
                   r"virtio-net: MAC 52:54:00:12:34:57, link up, MTU 1280, queues of 256, 1 MSI-X entries",
                   r"init: utest exited with code 0"],
             must_not=USER_BROKE + [r"virtio-net: .*stopping"]),
    Scenario("capacity",
             "init.run=utest utest.suites=capacity utest.capacity=512,1024 cpu_capacity=512,1024 qemu_exit=1",
             smp=2, ktap=True, timeout=180,
             must=[BANNER, INIT_LOADED, r"smp: 2 CPUs online", r"init: utest exited with code 0"],
             must_not=KERNEL_BROKE),
    # Structured system-call fuzzing (user/sysfuzz): every call family must
    # succeed (one KTAP case each) and what the workers made must be freed
    # (KTAP case `leaks`). Sized to stay well under a minute under TCG; the
    # host timeout of 600 s only catches a hang.
    Scenario("sysfuzz", "init.run=sysfuzz sysfuzz.iterations=50000 kobj.dump=1 qemu_exit=1", smp=2, ktap=True,
             timeout=600, must=[INIT_LOADED, r"# sysfuzz: \d+ syscalls", r"# sysfuzz: seed \d+"],
             must_not=KERNEL_BROKE),
    # The long run, not part of `make test`: `make fuzz-sys` (SYSFUZZ_SEED=S to repeat a run).
    Scenario("sysfuzz-long",
             f"init.run=sysfuzz sysfuzz.iterations=1000000 sysfuzz.seed={SYSFUZZ_SEED} kobj.dump=1 qemu_exit=1",
             smp=2, ktap=True, timeout=3600, enabled=False,
             must=[INIT_LOADED, r"# sysfuzz: \d+ syscalls"], must_not=KERNEL_BROKE),
    Scenario("console-script",
             "init.run=console console.script=help;ls;run,hello;wait,1;ps;trace,5;stats;pci;services qemu_exit=1",
             smp=2, timeout=120, must=[INIT_LOADED, r"hello from hello", r"ferrous> ", r"cpu node cap  idle%",
                                  r"thread \d+ +syscall +\w+\(0x[0-9a-f]+, 0x[0-9a-f]+\) -> FE_\w+, began \d+ ticks before",
                                  r"pci: no supervisor reachable, so no PCI bus service",
                                  r"services: no supervisor reachable",
                                  r"init: console exited with code 0"],
             must_not=KERNEL_BROKE),
    # The supervisor (user/supervisor) with its test manifest: svctest, one of
    # the services, crashes `echo` with every fault kind (at least 50 crashes),
    # checks each restart, the policies and the capabilities, and prints the
    # restart time (never asserted). It ends the run through the supervisor's
    # shutdown, with 0 if every case passed.
    # A real driver too: virtio-blk on an 8 MiB disk, restarted under a client,
    # every acknowledged write checked on the image afterwards. The disk's DMA
    # goes through QEMU's VT-d IOMMU (added before it: QEMU fixes a device's
    # DMA address space when the device is made), so svctest also crashes the
    # driver with a DMA outside its memory (`crash blk dma`); and the same for
    # virtio-net, on QEMU's user network with no way out (restrict=on: it drops
    # svctest's frames; a hub port with no other port would never take them).
    Scenario("supervisor", "init.run=supervisor supervisor.manifest=svctest.services qemu_exit=1",
             smp=2, ktap=True, timeout=300, disk_mib=8, disk_check=True,
             disk_opts=",iommu_platform=on",
             extra_qemu=["-device", "intel-iommu", "-netdev", "user,id=svcnet,restrict=on",
                         "-device", "virtio-net-pci,netdev=svcnet,disable-legacy=on,"
                                    "iommu_platform=on,romfile="],
             seq_check=True,
             must=[INIT_LOADED, r"supervisor: 16 services from svctest\.services",
                   r"iommu: VT-d at 0xfed90000, DMA confined per device",
                   r"virtio-blk: 16384 sectors, flush, queue of 128, 2048 sectors a request, "
                   r"32 in flight, DMA confined by the IOMMU",
                   r"supervisor: blk \(koid \d+\) ended: dma-fault: IOMMU reason 5 at device "
                   r"address 0xdead0000",
                   r"virtio-net: MAC [0-9a-f:]+, link up, MTU \d+, queues of \d+, \d+ MSI-X entries, "
                   r"DMA confined by the IOMMU",
                   r"supervisor: net \(koid \d+\) ended: dma-fault: IOMMU reason 6 at device "
                   r"address 0xdead0000",
                   r"# svctest: ([5-9]\d|\d{3,}) crashes injected",
                   r"# restart: median \d+ us, p99 \d+ us over \d+ crashes",
                   r"init: supervisor exited with code 0"],
             must_not=KERNEL_BROKE),
    # The long crash campaign, not part of `make test`: `make faults`
    # (tools/faults.py, which also loads the host with a second QEMU).
    # svctest crashes echo and the virtio-blk driver FAULTS_CRASHES times in
    # all, every fault kind, while its threads keep calling echo and writing
    # checksummed blocks (user/svctest/faults.c); every acknowledged write is
    # checked on the 32 MiB image afterwards. Single-threaded TCG: on a loaded
    # host a descheduled vCPU thread holding the big lock stalls the other
    # (multi-threaded TCG made 100 crashes take 5 minutes beside other QEMUs).
    Scenario("faults", "init.run=supervisor supervisor.manifest=faults.services "
             f"supervisor.svctest.mode=faults supervisor.svctest.crashes={FAULTS_CRASHES} qemu_exit=1",
             smp=2, accel="tcg,thread=single", ktap=True, timeout=1800, enabled=False, disk_mib=32,
             disk_check=True,
             must=[INIT_LOADED, r"supervisor: 4 services from faults\.services",
                   r"virtio-blk: 65536 sectors",
                   r"# faults: \d+ crashes injected:", r"# faults: restarts seen: echo \d+, blk \d+",
                   r"# restart: median \d+ us, p99 \d+ us over \d+ crashes \(echo, under load\)",
                   r"# restart: median \d+ us, p99 \d+ us over \d+ crashes \(blk, under load\)",
                   r"init: supervisor exited with code 0"],
             must_not=KERNEL_BROKE),
    # The default boot (init runs the supervisor, the ramdisk's `services`):
    # the console, a supervised service, drives the supervisor.
    Scenario("supervisor-console",
             "supervisor.console.script=services;pci;crash,echo,null;services;restart,echo;"
             "crash,nosuch,null;crash,echo,sideways;shutdown qemu_exit=1",
             smp=2, timeout=120,
             must=[INIT_LOADED, r"init: starting supervisor", r"supervisor: started console",
                   r"echo +running +0 ", r"pcibus +running +0 ",
                   r"supervisor: blk stopped: its device is optional and this machine has none",
                   r"supervisor: net stopped: its device is optional and this machine has none",
                   r"blk +stopped +0 ", r"net +stopped +0 ",
                   r"00:1f\.2  8086:2922  class 01\.06\.01  mass storage", r"BAR5: mem32 4 KiB",
                   r"crash: echo accepted null",
                   r"crash: echo came back as koid \d+ after fault: vector 14 \(#PF\) at 0x0",
                   r"echo +running +1 ",
                   r"restart: echo restarting", r"crash: no service nosuch",
                   r"crash: unknown fault sideways",
                   r"init: supervisor exited with code 0"],
             must_not=KERNEL_BROKE),
    # The default manifest on a machine with the devices `make run` attaches (a
    # virtio disk, a virtio NIC on QEMU's user network): pcibus hands blk and
    # net their functions, both run, and `crash blk null` / `crash net null`
    # from the console restart them through the supervisor.
    Scenario("supervisor-drivers",
             "supervisor.console.script=services;crash,blk,null;crash,net,null;services;pci;"
             "shutdown qemu_exit=1",
             smp=2, timeout=120, disk_mib=8,
             extra_qemu=["-netdev", "user,id=run0",
                         "-device", "virtio-net-pci,netdev=run0,disable-legacy=on,romfile="],
             must=[INIT_LOADED, r"supervisor: blk gets PCI 00:\w\w\.\d \(1af4:1042 instance 0\)",
                   r"supervisor: net gets PCI 00:\w\w\.\d \(1af4:1041 instance 0\)",
                   r"virtio-net: MAC 52:54:00:12:34:56, link up",
                   r"pcibus +running +0 ", r"blk +running +0 ", r"net +running +0 ",
                   r"crash: blk came back as koid \d+ after fault: vector 14 \(#PF\) at 0x0",
                   r"crash: net came back as koid \d+ after fault: vector 14 \(#PF\) at 0x0",
                   r"blk +running +1 ", r"net +running +1 ",
                   r"1af4:1041  class 02\.00\.00  network",
                   r"init: supervisor exited with code 0"],
             must_not=KERNEL_BROKE + [r"supervisor: (blk|net) (stopped|failed)"]),
    # The trace exporter (user/traced, in the default manifest) streams the
    # kernel's records through COM2 while the console drives IPC (the
    # supervisor's control endpoint, a crash and restart of echo); the
    # console's `traced` returns once everything traced before it has gone
    # out (or been counted lost), so the second one makes sure the first
    # one's call to traced is in the capture before the shutdown cuts it.
    Scenario("trace-export",
             "supervisor.console.script=services;crash,echo,null;services;traced;traced;shutdown qemu_exit=1",
             smp=2, timeout=180, trace_check=True,
             must=[INIT_LOADED, r"traced: streaming trace records to COM2 at 0x2f8",
                   r"traced: sent [1-9]\d* records, lost \d+, own system calls \d+, \d+ bytes",
                   r"init: supervisor exited with code 0"],
             must_not=KERNEL_BROKE + [r"traced: .*ending", r"supervisor: traced (stopped|failed)"]),
    Scenario("mem-too-small", "mem=4M qemu_exit=1", expect_exit=35,
             must=[r"PANIC: not enough memory: 4 MiB usable, need at least 16 MiB",
                   r"frame_init\+0x"]),
    # One CPU more than MAX_CPUS (kernel/core/cpu.h, 16): the kernel says it
    # uses only 16 rather than quietly leaving the rest off.
    Scenario("cpus-over-limit", "init.run=hello qemu_exit=1", smp=17, timeout=180,
             must=[r"smp: firmware reports 17 CPUs; Ferrous supports 16 \(MAX_CPUS\): the other 1 stay off",
                   r"smp: 16 CPUs online", r"hello from hello"],
             must_not=KERNEL_BROKE),
    # More words (73 > FE_START_ARGC_MAX, 64) or bytes (> FE_START_ARGS_MAX,
    # 1024) than init takes: whole words kept, the rest dropped and reported.
    Scenario("init-args-words", "init.run=hello qemu_exit=1 " + " ".join(f"pad{i}=x" for i in range(70)),
             timeout=120,
             must=[r"init: the command line gives init 73 words in \d+ bytes, more than it takes "
                   r"\(64 words, 1024 bytes\); keeping the first 64, dropping the rest",
                   r"hello from hello", r"init: hello exited with code 0"],
             must_not=KERNEL_BROKE),
    Scenario("init-args-bytes", "init.run=hello qemu_exit=1 pad=" + "x" * 1100 + " last=1", timeout=120,
             must=[r"init: the command line gives init 5 words in 1144 bytes, more than it takes "
                   r"\(64 words, 1024 bytes\); keeping the first 3, dropping the rest",
                   r"hello from hello", r"init: hello exited with code 0"],
             must_not=KERNEL_BROKE),
    # A cmdline.txt with one option per line: the kernel and init's arguments
    # split the same way (kernel/lib/cmdline.c, cmdline_next_word).
    Scenario("cmdline-lines", "init.run=hello\nqemu_exit=1\r\n\tloglevel=info\n", timeout=120,
             must=[r"hello from hello", r"init: hello exited with code 0"],
             must_not=KERNEL_BROKE),
    Scenario("no-initrd", "ktest=boot qemu_exit=1", initrd=False, ktap=True,
             must=[r"ferrous-boot: warning: no initrd at \\ferrous\\initrd\.cpio",
                   r"initrd: none", INIT_DONE]),
    # Ramdisk robustness (docs/boot.md, "The ramdisk"). GNU cpio writes a
    # hard-linked file's data on its last link only: init and hello are both
    # hard-linked, and their first (empty) entries must resolve to the data.
    Scenario("initrd-hardlinks", "init.run=hello qemu_exit=1", ramdisk="hardlinks", timeout=120,
             must=[INIT_LOADED, r"hello from hello", r"init: hello exited with code 0"],
             must_not=KERNEL_BROKE),
    # No trailer and one bad entry at the end: the good entries stay, the bad
    # one is named with the reason.
    Scenario("initrd-damaged", "init.run=hello qemu_exit=1", ramdisk="damaged-tail", timeout=120,
             must=[r'initrd: entry \d+ at offset 0x[0-9a-f]+: name longer than 255 bytes; '
                   r"keeping the \d+ entries before it",
                   INIT_LOADED, r"hello from hello", r"init: hello exited with code 0"],
             must_not=KERNEL_BROKE),
    # init cannot start: a test boot must stop with the failure status, saying why.
    Scenario("init-missing", "qemu_exit=1", ramdisk="no-init", expect_exit=35, timeout=90,
             must=[r'init: cannot start: the ramdisk has no regular file "init"',
                   r"init: not started \(FE_ERR_NOT_FOUND\); stopping"],
             must_not=KERNEL_BROKE),
    Scenario("init-no-initrd", "qemu_exit=1", initrd=False, expect_exit=35, timeout=90,
             must=[r"init: cannot start: there is no ramdisk", r"init: not started .*; stopping"],
             must_not=KERNEL_BROKE),
    Scenario("init-empty", "qemu_exit=1", ramdisk="empty-init", expect_exit=35, timeout=90,
             must=[r'init: cannot start: "init" in the ramdisk \(0 bytes\) is an empty file, not a program',
                   r"init: not started .*; stopping"],
             must_not=KERNEL_BROKE),
    # A Linux static binary (gcc -static) as init, and as a program init runs.
    Scenario("init-linux", "qemu_exit=1", ramdisk="linux-init", expect_exit=35, timeout=90,
             must=[r'init: cannot start: "init" in the ramdisk \(\d+ bytes\) is '
                   r"(a Linux program|not a Ferrous program)", r"init: not started .*; stopping"],
             must_not=KERNEL_BROKE + [r"hello from linux"]),
    Scenario("spawn-linux", "init.run=hello qemu_exit=1", ramdisk="linux-prog", expect_exit=35, timeout=90,
             must=[INIT_LOADED, r"init: cannot start hello: it is (a Linux program|not a Ferrous program)"],
             must_not=KERNEL_BROKE + [r"hello from linux", r"faulted"]),
    Scenario("spawn-text", "init.run=hello qemu_exit=1", ramdisk="text-prog", expect_exit=35, timeout=90,
             must=[INIT_LOADED, r"init: cannot start hello: it is a text file, not an ELF executable"],
             must_not=KERNEL_BROKE),
    Scenario("bad-magic-kernel", "boot.error_wait=0", kernel="bad-magic", expect_exit=0,
             must=[r"kernel\.elf: not a valid x86_64 ELF executable \(FE_ERR_BAD_FORMAT\)",
                   r"powering off"],
             must_not=[BANNER]),
    Scenario("truncated-kernel", "boot.error_wait=0", kernel="truncated", expect_exit=0,
             must=[r"ferrous-boot: error: \\ferrous\\kernel\.elf: ", r"powering off"],
             must_not=[BANNER]),
    Scenario("missing-kernel", "boot.error_wait=0", kernel="absent", expect_exit=0,
             must=[r"kernel\.elf: not found"], must_not=[BANNER]),
]
