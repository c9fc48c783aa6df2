/*
 * The IDT and the C side of interrupt entry. Exceptions in user mode are
 * reported to the thread's owner (user/fault.c), which kills the process
 * or, later, hands the fault to its supervisor; exceptions in the kernel
 * are either a copy-in/copy-out fault (fixed up to return ERR_FAULT) or a
 * kernel bug (panic). Device interrupts and IPIs go to the handler set
 * with trap_set_handler, then the local APIC gets its EOI, and the
 * scheduler may switch threads before returning.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/trap.h>
#include <log/log.h>
#include <sched/sched.h>
#include <smp/percpu.h>
#include <smp/smp.h>
#include <user/fault.h>
#include <keel/supervise.h>
#include <user/process.h>
#include <user/uaccess.h>

#define LOG_SUBSYS "trap"

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_entry) == 16, "IDT entry layout");

extern char isr_stubs_start[], isr_stubs_end[];

static struct idt_entry idt[256] __attribute__((aligned(16)));
static trap_handler_fn trap_handlers[256];

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 floating point", "alignment check",
	"machine check", "SIMD floating point", "virtualization",
	"control protection", "reserved", "reserved", "reserved", "reserved",
	"reserved", "reserved", "hypervisor injection", "VMM communication",
	"security", "reserved",
};

static void idt_set(unsigned vector, uint64_t addr, uint8_t ist, uint8_t dpl)
{
	struct idt_entry *e = &idt[vector];

	e->offset_lo = addr & 0xffff;
	e->selector = GDT_KERNEL_CODE;
	e->ist = ist;
	e->type_attr = 0x8e | (dpl << 5); /* present, interrupt gate */
	e->offset_mid = (addr >> 16) & 0xffff;
	e->offset_hi = addr >> 32;
	e->reserved = 0;
}

static void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void trap_init(void)
{
	if (isr_stubs_end - isr_stubs_start != 256 * 16) {
		panic("isr stubs are %ld bytes, expected 4096",
		      (long)(isr_stubs_end - isr_stubs_start));
	}
	for (unsigned v = 0; v < 256; v++) {
		uint8_t ist = 0;

		if (v == 8) {
			ist = GDT_IST_DOUBLE_FAULT;
		} else if (v == 2) {
			ist = GDT_IST_NMI;
		} else if (v == 18) {
			ist = GDT_IST_MACHINE_CHECK;
		}
		/* int3 may be used from user mode (debuggers). */
		idt_set(v, (uint64_t)isr_stubs_start + 16 * v, ist,
			v == 3 ? 3 : 0);
	}
	idt_load();
}

void trap_init_ap(void)
{
	idt_load();
}

void trap_set_handler(unsigned vector, trap_handler_fn fn)
{
	if (vector < 256) {
		__atomic_store_n(&trap_handlers[vector], fn, __ATOMIC_RELEASE);
	}
}

static void trap_exception(struct trap_frame *frame)
{
	unsigned v = (unsigned)frame->vector;

	if (v == 2 && smp_is_halting()) {
		for (;;) {
			cpu_irq_disable();
			cpu_halt();
		}
	}
	/* CR2 first: anything below may fault or switch CPUs. */
	uint64_t addr = v == TRAP_PAGE_FAULT ? cpu_read_cr2() : 0;

	if (v == TRAP_PAGE_FAULT && fault_resolve_page(frame, addr)) {
		return;
	}
	if (trap_from_user(frame)) {
		fault_user(frame, exception_names[v], addr);
		return;
	}
	if (v == TRAP_PAGE_FAULT && uaccess_fixup(frame)) {
		return;
	}
	panic_frame(frame, "%s in kernel mode", exception_names[v]);
}

void trap_dispatch(struct trap_frame *frame)
{
	unsigned v = (unsigned)frame->vector;
	trap_handler_fn fn;

	if (v < 32) {
		trap_exception(frame);
	} else if (v == TRAP_SPURIOUS) {
		return; /* no EOI for spurious interrupts */
	} else {
		percpu_this()->irq_count++;
		fn = __atomic_load_n(&trap_handlers[v], __ATOMIC_ACQUIRE);
		if (fn) {
			fn(frame);
		} else {
			LOG("unexpected interrupt vector %u on cpu %u", v,
			    percpu_id());
		}
		apic_eoi();
	}
	if (trap_from_user(frame)) {
		process_check_killed();
	}
	/* Interrupted code with interrupts enabled holds no spinlock, so it
	 * may be preempted here. */
	if (frame->rflags & CPU_RFLAGS_IF) {
		sched_preempt_point();
	}
	if (trap_from_user(frame) &&
	    __builtin_expect(percpu_current()->user_work != 0, 0)) {
		process_user_work(frame, SUPERVISE_STOP_NO_CALL);
	}
}
