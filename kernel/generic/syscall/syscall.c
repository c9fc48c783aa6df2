/*
 * System call dispatch. Native calls (abi/keel/syscall.h) are looked up
 * in one table; every handler first checks its arguments, then acts.
 * Linux calls go to the thread's supervisor once supervision exists (the
 * native API issue); until then, and for unsupervised threads, they fail
 * with -ENOSYS and the process gets one log line about it.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/syscall.h>
#include <arch/x86_64/trap.h>
#include <keel/syscall.h>
#include <log/log.h>
#include <sched/sched.h>
#include <smp/percpu.h>
#include <syscall/syscall.h>
#include <time/clock.h>
#include <user/process.h>
#include <user/supervise.h>
#include <user/uaccess.h>

#define LOG_SUBSYS "syscall"


static int64_t sys_log_write(uint64_t buf, uint64_t len, uint64_t a2,
			     uint64_t a3, uint64_t a4, uint64_t a5)
{
	char msg[SYS_LOG_MAX + 1];
	struct process *p = sched_current()->process;
	err_t err;

	if (len > SYS_LOG_MAX) {
		return -(int64_t)ERR_TOO_BIG;
	}
	err = uaccess_copy_in(msg, buf, len);
	if (err) {
		return -(int64_t)err;
	}
	msg[len] = '\0';
	/* No control characters from user space on the console: they could
	 * move the cursor or end lines mid-message. */
	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)msg[i] < 0x20 && msg[i] != '\t') ||
		    msg[i] == 0x7f) {
			msg[i] = '?';
		}
	}
	log_msg("user", "[%s] %s", p ? p->name : "?", msg);
	return 0;
}

static int64_t sys_thread_exit(uint64_t code, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t a4, uint64_t a5)
{
	sched_exit((int)code);
}

static int64_t sys_thread_yield(uint64_t a0, uint64_t a1, uint64_t a2,
				uint64_t a3, uint64_t a4, uint64_t a5)
{
	sched_yield();
	return 0;
}

static int64_t sys_clock_get(uint64_t a0, uint64_t a1, uint64_t a2,
			     uint64_t a3, uint64_t a4, uint64_t a5)
{
	return (int64_t)clock_ns();
}

static const syscall_fn syscall_table[] = {
	[SYS_LOG_WRITE - SYS_NATIVE_BASE] = sys_log_write,
	[SYS_THREAD_EXIT - SYS_NATIVE_BASE] = sys_thread_exit,
	[SYS_THREAD_YIELD - SYS_NATIVE_BASE] = sys_thread_yield,
	[SYS_CLOCK_GET - SYS_NATIVE_BASE] = sys_clock_get,
	[SYS_HANDLE_CLOSE - SYS_NATIVE_BASE] = sys_handle_close,
	[SYS_HANDLE_DUPLICATE - SYS_NATIVE_BASE] = sys_handle_duplicate,
	[SYS_HANDLE_INFO - SYS_NATIVE_BASE] = sys_handle_info,
	[SYS_QUEUE_CREATE - SYS_NATIVE_BASE] = sys_queue_create,
	[SYS_QUEUE_ENTER - SYS_NATIVE_BASE] = sys_queue_enter,
	[SYS_MEMORY_CREATE - SYS_NATIVE_BASE] = sys_memory_create,
	[SYS_VM_MAP - SYS_NATIVE_BASE] = sys_vm_map,
	[SYS_SYSTEM_POWER - SYS_NATIVE_BASE] = sys_system_power,
	[SYS_CONSOLE_WRITE - SYS_NATIVE_BASE] = sys_console_write,
	[SYS_THREAD_FPU_GET - SYS_NATIVE_BASE] = sys_thread_fpu_get,
	[SYS_THREAD_FPU_SET - SYS_NATIVE_BASE] = sys_thread_fpu_set,
	[SYS_VM_UNMAP - SYS_NATIVE_BASE] = sys_vm_unmap,
	[SYS_VM_PROTECT - SYS_NATIVE_BASE] = sys_vm_protect,
	[SYS_STREAM_CREATE - SYS_NATIVE_BASE] = sys_stream_create,
	[SYS_PROCESS_CREATE - SYS_NATIVE_BASE] = sys_process_create,
	[SYS_THREAD_START - SYS_NATIVE_BASE] = sys_thread_start,
	[SYS_THREAD_REGS_GET - SYS_NATIVE_BASE] = sys_thread_regs_get,
	[SYS_THREAD_REGS_SET - SYS_NATIVE_BASE] = sys_thread_regs_set,
	[SYS_THREAD_RESUME - SYS_NATIVE_BASE] = sys_thread_resume,
	[SYS_PROCESS_KILL - SYS_NATIVE_BASE] = sys_process_kill,
	[SYS_VM_READ - SYS_NATIVE_BASE] = sys_vm_read,
	[SYS_VM_WRITE - SYS_NATIVE_BASE] = sys_vm_write,
	[SYS_THREAD_CREATE - SYS_NATIVE_BASE] = sys_thread_create,
	[SYS_FUTEX_WAIT - SYS_NATIVE_BASE] = sys_futex_wait,
	[SYS_FUTEX_WAKE - SYS_NATIVE_BASE] = sys_futex_wake,
	[SYS_IRQ_CREATE - SYS_NATIVE_BASE] = sys_irq_create,
	[SYS_IRQ_ACK - SYS_NATIVE_BASE] = sys_irq_ack,
	[SYS_IRQ_CREATE_MSI - SYS_NATIVE_BASE] = sys_irq_create_msi,
	[SYS_IRQ_INFO - SYS_NATIVE_BASE] = sys_irq_info,
	[SYS_IOPORT_CREATE - SYS_NATIVE_BASE] = sys_ioport_create,
	[SYS_IOPORT_ENABLE - SYS_NATIVE_BASE] = sys_ioport_enable,
	[SYS_MEMORY_CREATE_DMA - SYS_NATIVE_BASE] = sys_memory_create_dma,
	[SYS_MEMORY_CREATE_PHYS - SYS_NATIVE_BASE] = sys_memory_create_phys,
	[SYS_MEMORY_PHYS - SYS_NATIVE_BASE] = sys_memory_phys,
	[SYS_PROCESS_FORK - SYS_NATIVE_BASE] = sys_process_fork,
	[SYS_THREAD_SUSPEND - SYS_NATIVE_BASE] = sys_thread_suspend,
	[SYS_THREAD_PRIORITY - SYS_NATIVE_BASE] = sys_thread_priority,
	[SYS_THREAD_AFFINITY - SYS_NATIVE_BASE] = sys_thread_affinity,
	[SYS_MEMORY_RESIZE - SYS_NATIVE_BASE] = sys_memory_resize,
	[SYS_CLOCK_PAGE - SYS_NATIVE_BASE] = sys_clock_page,
};

static int64_t linux_call(struct trap_frame *f)
{
	struct process *p = sched_current()->process;

	if (p && p->supervision) {
		supervise_syscall(f);
		return (int64_t)f->rax; /* the supervisor's answer */
	}
	if (p && !p->linux_call_logged) {
		p->linux_call_logged = true;
		LOG("process %s (%lu): Linux call %lu with no supervisor: "
		    "ENOSYS (logged once)", p->name, p->id, f->rax);
	}
	return -SYS_LINUX_ENOSYS;
}

void syscall_dispatch(struct trap_frame *f)
{
	uint64_t nr = f->rax;

	cpu_irq_enable();
	if (nr >= SYS_NATIVE_BASE && nr < SYS_NATIVE_BASE + SYS_NATIVE_COUNT) {
		uint64_t idx = nr - SYS_NATIVE_BASE;
		syscall_fn fn = NULL;

		if (idx < sizeof(syscall_table) / sizeof(syscall_table[0])) {
			fn = syscall_table[idx];
		}
		f->rax = fn ? (uint64_t)fn(f->rdi, f->rsi, f->rdx, f->r10,
					   f->r8, f->r9)
			    : (uint64_t)-(int64_t)ERR_NO_SYS;
	} else {
		f->rax = (uint64_t)linux_call(f);
	}
	process_check_killed();
	cpu_irq_disable();
	sched_preempt_point();
	/* After the preemption point: work asked for while it was
	 * preempted is done before user code runs. */
	if (__builtin_expect(percpu_current()->user_work != 0, 0)) {
		process_user_work(f, f->error); /* the call's number */
	}
}
