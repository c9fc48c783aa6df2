/*
 * MSI IRQ objects end to end with QEMU's "edu" test device (-device edu,
 * vendor 0x1234, device 0x11e8; the test boots add it, tools/qemu.sh),
 * as a PCI driver would use them. Started with the hardware right by a
 * kernel self-test (driver_gets_msi). KTEST lines.
 *
 * The program finds edu through legacy configuration ports (lib/pci),
 * maps its BAR0, and for every CPU creates an MSI object aimed at it,
 * programs the returned address/data into edu's MSI capability and
 * raises interrupts through edu's registers (the raise register and the
 * factorial unit), checking that each arrives as a completion reporting
 * that CPU and vector, and that edu's interrupt status behaves. Then the
 * hostile side: no hardware right (a copy of this process without it),
 * bad flags, CPUs and pointers, bad and under-privileged handles, a
 * vector freed under a device that still uses it, and the vector
 * allocator run dry (ERR_NO_SPACE) and refilled, with no vector leaked by
 * failed creations.
 */
#include <keel/irq.h>
#include <pci/pci.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>
#include <rt/sync.h>

#define PAGE 4096ul
#define MS 1000000ul
#define KERNEL_ADDR 0xffffffff80100000ul
#define WAIT_NS (5000 * MS)

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_IDENT 0x00		/* 0xRRrr00ed: major, minor, "ed" */
#define EDU_LIVENESS 0x04	/* reads back the complement */
#define EDU_FACTORIAL 0x08
#define EDU_STATUS 0x20
#define EDU_STATUS_COMPUTING 0x01
#define EDU_STATUS_IRQ_FACT 0x80
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_IRQ_FACT 0x01

#define VECTORS_MAX 8192	/* 64 CPUs x 128 would be more than enough */
#define RAISES_PER_CPU 64

int main(void);

static struct rt_queue q;
static struct pci_cfg cfg;
static pci_bdf_t edu;
static struct pci_msi msi;
static volatile uint32_t *regs;
static int64_t vectors[VECTORS_MAX];

static uint32_t edu_read(uint32_t reg)
{
	return regs[reg / 4];
}

static void edu_write(uint32_t reg, uint32_t v)
{
	regs[reg / 4] = v;
}

static int64_t msi_create(uint64_t flags, uint64_t cpu, struct irq_info *info)
{
	return rt_syscall6(SYS_IRQ_CREATE_MSI, flags, cpu, (uint64_t)info, 0,
			   0, 0);
}

static void close_handle(int64_t h)
{
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)h, 0);
}

/* Queues one wait on @irq (not yet entered). */
static void wait_submit(int64_t irq, uint64_t context)
{
	struct queue_sqe *sqe = rt_queue_sqe(&q);

	sqe->op = QUEUE_OP_IRQ_WAIT;
	sqe->handle = (uint32_t)irq;
	sqe->context = context;
	rt_queue_commit(&q);
}

/* Waits up to @ns for one completion; false when none came. */
static bool wait_reap(struct queue_cqe *cqe, uint64_t ns)
{
	int64_t r = rt_queue_enter(&q, 1, 1, ns);

	if (r < 0 && r != -(int64_t)ERR_TIMED_OUT) {
		return false;
	}
	return rt_queue_reap(&q, cqe);
}

/* Drops any completion left over (after a failed case). */
static void queue_drain(void)
{
	struct queue_cqe cqe;

	rt_queue_enter(&q, 0, 0, 0);
	while (rt_queue_reap(&q, &cqe)) {
	}
}

/* Finds edu and maps its registers; false when it is not there. */
static bool edu_setup(void)
{
	struct pci_bar bar;
	int64_t ports, mem, addr;
	uint16_t off;

	ports = rt_syscall2(SYS_IOPORT_CREATE, 0xcf8, 8);
	ktest_check("msi/config_ports", ports > 0 &&
						rt_syscall2(SYS_IOPORT_ENABLE,
							    (uint64_t)ports,
							    0) == 0,
		    "no port grant");
	pci_cfg_init_ports(&cfg);
	if (pci_find(&cfg, EDU_VENDOR, EDU_DEVICE, &edu) != ERR_OK) {
		ktest_check("msi/edu_found", false,
			    "no edu device (QEMU -device edu)");
		return false;
	}
	ktest_check("msi/edu_found", true, "");
	/* "Unclassified device [00ff]" */
	ktest_expect("msi/edu_class", pci_read16(&cfg, edu, PCI_CLASS + 1),
		     0x00ff);
	ktest_expect("msi/edu_bar0", pci_bar_read(&cfg, edu, 0, &bar), ERR_OK);
	ktest_check("msi/edu_bar0_is_1mib_memory",
		    !bar.is_io && bar.size == (1ul << 20) && bar.address != 0,
		    "unexpected BAR0");
	mem = rt_syscall6(SYS_MEMORY_CREATE_PHYS, bar.address, bar.size,
			  MEMORY_CACHE_UC, 0, 0, 0);
	addr = mem > 0 ? rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, PAGE, 0,
				     VM_READ | VM_WRITE)
		       : mem;
	ktest_check("msi/edu_bar0_mapped", addr > 0, "refused");
	if (addr <= 0) {
		return false;
	}
	regs = (volatile uint32_t *)addr;
	ktest_expect("msi/edu_ident", edu_read(EDU_IDENT) & 0xff, 0xed);
	edu_write(EDU_LIVENESS, 0x12345678);
	ktest_expect("msi/edu_liveness", edu_read(EDU_LIVENESS),
		     (uint32_t)~0x12345678u);
	ktest_expect("msi/edu_has_msi", pci_cap_find(&cfg, edu, PCI_CAP_MSI, &off),
		     ERR_OK);
	ktest_expect("msi/edu_msi_cap", pci_msi_read(&cfg, edu, off, &msi),
		     ERR_OK);
	/* Memory decoding for the BAR, bus mastering for the MSI write
	 * (QEMU drops a device's writes without it), no INTx. */
	pci_command_update(&cfg, edu, PCI_COMMAND_MEMORY |
					      PCI_COMMAND_BUS_MASTER |
					      PCI_COMMAND_INTX_DISABLE,
			   0);
	edu_write(EDU_IRQ_ACK, ~0u);
	return true;
}

/* Raises edu interrupts aimed at CPU @cpu through a fresh MSI object;
 * returns the number of interrupts that arrived as they should. */
static int msi_on_cpu(unsigned cpu, const struct irq_info *info, int64_t irq)
{
	struct queue_cqe cqe;
	uint64_t want = ((uint64_t)cpu << 32) | info->vector;
	int good = 0;

	if (pci_msi_enable(&cfg, edu, &msi, info->msi_address,
			   (uint16_t)info->msi_data) != ERR_OK) {
		return 0;
	}
	for (int i = 0; i < RAISES_PER_CPU; i++) {
		uint32_t bit = 1u << (8 + i % 16);
		bool ok;

		/* Alternately wait first (the interrupt completes a parked
		 * wait) and raise first (it is counted, and the wait
		 * completes at once). */
		if (i % 2 == 0) {
			wait_submit(irq, 100 + (uint64_t)i);
			rt_queue_enter(&q, 1, 0, 0);
			edu_write(EDU_IRQ_RAISE, bit);
			ok = wait_reap(&cqe, WAIT_NS);
		} else {
			edu_write(EDU_IRQ_RAISE, bit);
			wait_submit(irq, 100 + (uint64_t)i);
			ok = wait_reap(&cqe, WAIT_NS);
		}
		ok = ok && cqe.context == 100 + (uint64_t)i && cqe.result == 1 &&
		     cqe.value == want;
		/* The status shows what was raised until the driver acks it
		 * at the device. */
		ok = ok && edu_read(EDU_IRQ_STATUS) == bit;
		edu_write(EDU_IRQ_ACK, bit);
		ok = ok && edu_read(EDU_IRQ_STATUS) == 0;
		ok = ok && rt_syscall2(SYS_IRQ_ACK, (uint64_t)irq, 0) == 0;
		if (!ok) {
			queue_drain();
			break; /* each lost interrupt costs a time-out */
		}
		good++;
	}
	return good;
}

/* One factorial computed by edu, its end signalled by MSI. */
static void factorial_interrupt(int64_t irq, const struct irq_info *info)
{
	struct queue_cqe cqe;
	bool got;

	edu_write(EDU_STATUS, EDU_STATUS_IRQ_FACT);
	wait_submit(irq, 7);
	rt_queue_enter(&q, 1, 0, 0);
	edu_write(EDU_FACTORIAL, 10);
	got = wait_reap(&cqe, WAIT_NS);
	ktest_check("msi/factorial_interrupt",
		    got && cqe.result == 1 && cqe.context == 7 &&
			    (uint32_t)cqe.value == info->vector,
		    "no completion");
	ktest_expect("msi/factorial_done",
		     edu_read(EDU_STATUS) & EDU_STATUS_COMPUTING, 0);
	ktest_expect("msi/factorial_value", edu_read(EDU_FACTORIAL), 3628800);
	ktest_expect("msi/factorial_status", edu_read(EDU_IRQ_STATUS),
		     EDU_IRQ_FACT);
	edu_write(EDU_IRQ_ACK, EDU_IRQ_FACT);
	ktest_expect("msi/factorial_status_cleared", edu_read(EDU_IRQ_STATUS),
		     0);
	edu_write(EDU_STATUS, 0);
	if (!got) {
		queue_drain();
	}
}

/* Every CPU: an MSI aimed at it arrives there. Returns the CPU count. */
static unsigned msi_every_cpu(void)
{
	struct irq_info info, again;
	unsigned cpus = 0;
	int good = 0;

	for (unsigned cpu = 0; cpu < 64; cpu++) {
		int64_t irq = msi_create(IRQ_CPU, cpu, &info);

		if (irq == -(int64_t)ERR_RANGE) {
			break;
		}
		cpus++;
		if (irq < 0) {
			continue;
		}
		if (rt_syscall2(SYS_IRQ_INFO, (uint64_t)irq, (uint64_t)&again) ==
			    0 &&
		    info.type == IRQ_TYPE_MSI && info.cpu == cpu &&
		    info.vector >= 0x20 && info.vector < 0xe0 &&
		    info.msi_data == info.vector &&
		    (info.msi_address & 0xfff00fffu) == 0xfee00000u &&
		    again.vector == info.vector && again.cpu == cpu &&
		    again.msi_address == info.msi_address) {
			good += msi_on_cpu(cpu, &info, irq);
		}
		if (cpu == 0) {
			factorial_interrupt(irq, &info);
		}
		pci_msi_disable(&cfg, edu, &msi);
		close_handle(irq);
		queue_drain(); /* a failed case's wait, now cancelled */
	}
	ktest_check("msi/cpus_seen", cpus >= 1, "no CPU takes MSIs");
	ktest_expect("msi/interrupts_on_every_cpu", good,
		     (int64_t)cpus * RAISES_PER_CPU);
	rt_printf("msi_test: %u CPUs, %d MSIs arrived where aimed", cpus,
		  good);
	return cpus;
}

/* With MSI off at the device nothing arrives; closing the object ends
 * the wait. Then a device left pointing at a closed object's vector
 * interrupts harmlessly. */
static void msi_silence_and_stale(void)
{
	struct irq_info info;
	struct queue_cqe cqe;
	int64_t irq = msi_create(0, 0, &info);
	bool got;

	ktest_check("msi/create_any_cpu", irq > 0, "refused");
	if (irq <= 0) {
		return;
	}
	pci_msi_disable(&cfg, edu, &msi);
	wait_submit(irq, 9);
	rt_queue_enter(&q, 1, 0, 0);
	edu_write(EDU_IRQ_RAISE, 0x10000);
	got = wait_reap(&cqe, 50 * MS);
	ktest_check("msi/disabled_device_is_silent", !got, "an interrupt came");
	edu_write(EDU_IRQ_ACK, ~0u);
	close_handle(irq);
	got = got || wait_reap(&cqe, WAIT_NS);
	ktest_check("msi/close_cancels_wait",
		    got && cqe.context == 9 &&
			    cqe.result == -(int64_t)ERR_CANCELLED,
		    "wait not cancelled");

	irq = msi_create(0, 0, &info);
	pci_msi_enable(&cfg, edu, &msi, info.msi_address,
		       (uint16_t)info.msi_data);
	close_handle(irq);
	/* The vector is free now; the kernel counts this as spurious. */
	edu_write(EDU_IRQ_RAISE, 0x20000);
	edu_write(EDU_IRQ_ACK, ~0u);
	pci_msi_disable(&cfg, edu, &msi);
	irq = msi_create(0, 0, &info);
	ktest_check("msi/stale_vector_harmless", irq > 0, "kernel unhappy");
	close_handle(irq);
}

struct shared {
	volatile uint32_t done;
	volatile int64_t result;
};

static void child(struct shared *sh)
{
	struct irq_info info;

	sh->result = msi_create(0, 0, &info);
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&sh->done, 1);
	rt_thread_exit(0);
}

__asm__(".text\n"
	"msi_child_entry:\n"
	"	call msi_child_trampoline\n"
	"	ud2\n");
void msi_child_entry(void);
void msi_child_trampoline(uint64_t arg);
void msi_child_trampoline(uint64_t arg)
{
	child((struct shared *)arg);
}

/* A copy of this process has no hardware right. */
static void msi_without_right(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 4 * PAGE, 0);
	int64_t addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, 4 * PAGE,
				   0, VM_READ | VM_WRITE);
	struct shared *sh = (struct shared *)addr;
	int64_t copy, tid;

	if (addr <= 0) {
		ktest_check("msi/create_without_hw_right", false, "no memory");
		return;
	}
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, 0);
	tid = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
			  (uint64_t)msi_child_entry,
			  (uint64_t)addr + 4 * PAGE - 8, (uint64_t)sh, 0, 0);
	while (tid > 0 && __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE) == 0) {
		if (rt_futex_wait(&sh->done, 0, WAIT_NS) ==
		    -(int64_t)ERR_TIMED_OUT) {
			break;
		}
	}
	ktest_expect("msi/create_without_hw_right", sh->done ? sh->result : 1,
		     -ERR_ACCESS);
	close_handle(copy);
}

static void msi_hostile_arguments(void)
{
	struct irq_info info;
	struct queue_cqe cqe;
	int64_t irq, dup;

	ktest_expect("msi/bad_flags", msi_create(0x10, 0, &info), -ERR_INVALID);
	ktest_expect("msi/isa_flag_refused", msi_create(IRQ_ISA, 0, &info),
		     -ERR_INVALID);
	ktest_expect("msi/no_such_cpu", msi_create(IRQ_CPU, 64, &info),
		     -ERR_RANGE);
	ktest_expect("msi/huge_cpu", msi_create(IRQ_CPU, 1ul << 40, &info),
		     -ERR_RANGE);
	ktest_expect("msi/kernel_pointer",
		     rt_syscall6(SYS_IRQ_CREATE_MSI, 0, 0, KERNEL_ADDR, 0, 0, 0),
		     -ERR_FAULT);
	ktest_expect("msi/null_pointer",
		     rt_syscall6(SYS_IRQ_CREATE_MSI, 0, 0, 0, 0, 0, 0),
		     -ERR_FAULT);
	ktest_expect("msi/info_bad_handle",
		     rt_syscall2(SYS_IRQ_INFO, 0x777, (uint64_t)&info),
		     -ERR_BAD_HANDLE);
	ktest_expect("msi/info_wrong_type",
		     rt_syscall2(SYS_IRQ_INFO, q.handle, (uint64_t)&info),
		     -ERR_WRONG_TYPE);
	ktest_expect("msi/info_huge_handle",
		     rt_syscall2(SYS_IRQ_INFO, 1ul << 33, (uint64_t)&info),
		     -ERR_BAD_HANDLE);
	ktest_expect("msi/ack_bad_handle", rt_syscall2(SYS_IRQ_ACK, 0x777, 0),
		     -ERR_BAD_HANDLE);
	irq = msi_create(0, 0, &info);
	ktest_check("msi/create", irq > 0, "refused");
	ktest_expect("msi/handle_type",
		     rt_syscall2(SYS_HANDLE_INFO, (uint64_t)irq, 0) & 0xffffffff,
		     OBJECT_IRQ);
	ktest_expect("msi/info_kernel_pointer",
		     rt_syscall2(SYS_IRQ_INFO, (uint64_t)irq, KERNEL_ADDR),
		     -ERR_FAULT);
	ktest_expect("msi/ack_is_accepted",
		     rt_syscall2(SYS_IRQ_ACK, (uint64_t)irq, 0), 0);
	dup = rt_syscall2(SYS_HANDLE_DUPLICATE, (uint64_t)irq, RIGHT_TRANSFER);
	ktest_expect("msi/info_needs_no_right",
		     rt_syscall2(SYS_IRQ_INFO, (uint64_t)dup, (uint64_t)&info),
		     0);
	ktest_expect("msi/ack_needs_wait_right",
		     rt_syscall2(SYS_IRQ_ACK, (uint64_t)dup, 0), -ERR_ACCESS);
	wait_submit(dup, 11);
	ktest_expect("msi/wait_needs_wait_right",
		     wait_reap(&cqe, WAIT_NS) ? cqe.result : 1, -ERR_ACCESS);
	close_handle(dup);
	close_handle(irq);
	ktest_expect("msi/ack_closed_handle",
		     rt_syscall2(SYS_IRQ_ACK, (uint64_t)irq, 0),
		     -ERR_BAD_HANDLE);
}

/* Creates MSI objects until the vectors run out; returns how many, with
 * the handles in vectors[]. */
static int64_t msi_fill(int64_t *last_error)
{
	struct irq_info info;
	int64_t n = 0, h = 0;

	while (n < VECTORS_MAX && (h = msi_create(0, 0, &info)) > 0) {
		vectors[n++] = h;
	}
	*last_error = h;
	return n;
}

static void msi_close_all(int64_t n)
{
	for (int64_t i = 0; i < n; i++) {
		close_handle(vectors[i]);
	}
}

static void msi_exhaustion(unsigned cpus)
{
	struct irq_info info;
	int64_t n, again, err, irq;
	bool spread = true;
	unsigned long seen = 0;

	n = msi_fill(&err);
	ktest_expect("msi/exhaustion_error", err, -ERR_NO_SPACE);
	ktest_check("msi/exhaustion_count", n >= 100 * (int64_t)cpus,
		    "fewer vectors than expected");
	/* Spread: the first objects went one to each CPU. */
	for (unsigned i = 0; i < cpus && i < n; i++) {
		rt_syscall2(SYS_IRQ_INFO, (uint64_t)vectors[i], (uint64_t)&info);
		spread = spread && !(seen & (1ul << info.cpu));
		seen |= 1ul << info.cpu;
	}
	ktest_check("msi/spread_over_cpus", spread, "two on one CPU");
	ktest_expect("msi/full_cpu", msi_create(IRQ_CPU, 0, &info),
		     -ERR_NO_SPACE);
	ktest_expect("msi/line_when_full", rt_syscall2(SYS_IRQ_CREATE, 8,
						       IRQ_ISA),
		     -ERR_NO_SPACE);
	/* One closed, one free: on that object's CPU. */
	rt_syscall2(SYS_IRQ_INFO, (uint64_t)vectors[n / 2], (uint64_t)&info);
	close_handle(vectors[n / 2]);
	vectors[n / 2] = msi_create(IRQ_CPU, info.cpu, &info);
	ktest_check("msi/vector_freed_on_close", vectors[n / 2] > 0,
		    "still full");
	ktest_expect("msi/full_again", msi_create(0, 0, &info), -ERR_NO_SPACE);
	msi_close_all(n);

	/* The failed line creation gave its line back. */
	irq = rt_syscall2(SYS_IRQ_CREATE, 8, IRQ_ISA);
	ktest_check("msi/line_free_after_no_space", irq > 0, "line kept");
	close_handle(irq);
	/* Failed creations (bad pointer) leak no vector. */
	for (int i = 0; i < 20; i++) {
		rt_syscall6(SYS_IRQ_CREATE_MSI, 0, 0, KERNEL_ADDR, 0, 0, 0);
	}
	again = msi_fill(&err);
	ktest_expect("msi/no_leak_after_failures", again, n);
	msi_close_all(again);
}

int main(void)
{
	unsigned cpus = 1;

	if (rt_queue_create(&q, 8, 8) != ERR_OK) {
		ktest_check("msi/queue", false, "no queue");
		return ktest_failures();
	}
	msi_hostile_arguments();
	msi_without_right();
	if (edu_setup()) {
		cpus = msi_every_cpu();
		msi_silence_and_stale();
	}
	msi_exhaustion(cpus);
	rt_printf("msi_test: %d failed", ktest_failures());
	return ktest_failures();
}
