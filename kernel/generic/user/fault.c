/*
 * User faults (see fault.h).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/trap.h>
#include <log/log.h>
#include <sched/sched.h>
#include <user/fault.h>
#include <user/process.h>
#include <user/supervise.h>
#include <user/uaccess.h>
#include <mm/vm.h>

#define LOG_SUBSYS "fault"

bool fault_resolve_page(struct trap_frame *frame, uint64_t addr)
{
	struct thread *t = sched_current();
	bool ok;

	if (addr >= USER_TOP || !t->process) {
		return false;
	}
	/* From the kernel, only the copy routine touches user memory. */
	if (!trap_from_user(frame) && !uaccess_in_copy(frame)) {
		return false;
	}
	/* Interrupts back on only if the faulting code had them (a copy
	 * routine may run with a spinlock held). */
	if (frame->rflags & CPU_RFLAGS_IF) {
		cpu_irq_enable();
	}
	ok = vm_fault(&t->process->vm, addr, frame->error & 2,
		      frame->error & 16);
	cpu_irq_disable();
	return ok;
}

void fault_user(struct trap_frame *frame, const char *what, uint64_t addr)
{
	struct thread *t = sched_current();
	struct process *p = t->process;

	if (p && p->supervision) {
		cpu_irq_enable();
		supervise_fault(frame, addr);
		cpu_irq_disable();
		return; /* resumed: back to user mode with the frame as set */
	}
	LOG("process %s (%lu) killed: %s at rip %#lx, error %#lx, cr2 %#lx",
	    p ? p->name : "?", p ? p->id : 0, what, frame->rip, frame->error,
	    addr);
	if (p) {
		process_set_fault(p, (int)frame->vector);
	}
	cpu_irq_enable();
	sched_exit(PROCESS_EXIT_FAULT);
}
