/*
 * User faults (see fault.h).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/trap.h>
#include <log/log.h>
#include <sched/sched.h>
#include <user/fault.h>
#include <user/process.h>

#define LOG_SUBSYS "fault"

void fault_user(struct trap_frame *frame, const char *what)
{
	struct thread *t = sched_current();
	struct process *p = t->process;

	LOG("process %s (%lu) killed: %s at rip %#lx, error %#lx, cr2 %#lx",
	    p ? p->name : "?", p ? p->id : 0, what, frame->rip, frame->error,
	    frame->vector == TRAP_PAGE_FAULT ? cpu_read_cr2() : 0);
	if (p) {
		process_set_fault(p, (int)frame->vector);
	}
	cpu_irq_enable();
	sched_exit(PROCESS_EXIT_FAULT);
}
