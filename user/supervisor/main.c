/*
 * A small supervisor: creates user/supervised_child (whose ELF image it
 * gets in a memory object from the kernel self-test, handle and size in
 * its start argument), answers its Linux system calls, steps it over a
 * fault, and ends it on exit_group. Reports KTEST lines.
 */
#include <keel/supervise.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>

int main(uint64_t arg);

static struct rt_queue q;
static struct supervise_event ev;

static void post_wait(uint64_t proc)
{
	struct queue_sqe *sqe = rt_queue_sqe(&q);

	sqe->op = QUEUE_OP_SUPERVISE;
	sqe->handle = (uint32_t)proc;
	sqe->arg[0] = (uint64_t)&ev;
	rt_queue_commit(&q);
}

static int64_t next_event(uint64_t proc)
{
	struct queue_cqe cqe;

	post_wait(proc);
	if (rt_queue_enter(&q, 1, 1, 5000000000ul) < 0 ||
	    !rt_queue_reap(&q, &cqe)) {
		return -1;
	}
	return cqe.result;
}

/* The FPU state calls on a thread stopped at a system call: a round
 * trip, and states that would fault on restore refused. */
static void check_fpu_calls(uint64_t proc, uint64_t tid)
{
	static uint8_t fpu[4096] __attribute__((aligned(64)));
	int64_t size = rt_syscall6(SYS_THREAD_FPU_GET, proc, tid,
				   (uint64_t)fpu, sizeof(fpu), 0, 0);
	uint32_t mxcsr;

	ktest_check("supervise/fpu_get", size >= 512 && size <= 4096,
		    "no state");
	if (size < 512 || size > 4096) {
		return;
	}
	mxcsr = *(uint32_t *)(fpu + 24);
	ktest_expect("supervise/fpu_get_small_buffer",
		     rt_syscall6(SYS_THREAD_FPU_GET, proc, tid, (uint64_t)fpu,
				 256, 0, 0),
		     -ERR_TOO_BIG);
	ktest_expect("supervise/fpu_set_same",
		     rt_syscall6(SYS_THREAD_FPU_SET, proc, tid, (uint64_t)fpu,
				 (uint64_t)size, 0, 0),
		     0);
	ktest_expect("supervise/fpu_set_wrong_size",
		     rt_syscall6(SYS_THREAD_FPU_SET, proc, tid, (uint64_t)fpu,
				 (uint64_t)size - 8, 0, 0),
		     -ERR_INVALID);
	*(uint32_t *)(fpu + 24) = 0xffffffff; /* reserved MXCSR bits */
	ktest_expect("supervise/fpu_set_bad_mxcsr",
		     rt_syscall6(SYS_THREAD_FPU_SET, proc, tid, (uint64_t)fpu,
				 (uint64_t)size, 0, 0),
		     -ERR_INVALID);
	*(uint32_t *)(fpu + 24) = mxcsr;
	if (size > 576) {
		*(uint64_t *)(fpu + 520) = 1ull << 63; /* compacted form */
		ktest_expect("supervise/fpu_set_compacted",
			     rt_syscall6(SYS_THREAD_FPU_SET, proc, tid,
					 (uint64_t)fpu, (uint64_t)size, 0, 0),
			     -ERR_INVALID);
		*(uint64_t *)(fpu + 520) = 0;
	}
	ktest_expect("supervise/fpu_set_kernel_pointer",
		     rt_syscall6(SYS_THREAD_FPU_SET, proc, tid,
				 0xffff800000000000ul, (uint64_t)size, 0, 0),
		     -ERR_FAULT);
	ktest_expect("supervise/fpu_get_bad_thread",
		     rt_syscall6(SYS_THREAD_FPU_GET, proc, 999999, (uint64_t)fpu,
				 sizeof(fpu), 0, 0),
		     -ERR_NOT_FOUND);
}

int main(uint64_t arg)
{
	uint64_t image_handle = arg & 0xffffffff, size = arg >> 32;
	uint64_t out[2], proc, tid;
	struct thread_regs regs;
	char text[64];
	bool saw_getpid = false, saw_write = false, saw_unknown = false;
	bool saw_fault = false, saw_exit_group = false, saw_exit = false;
	int64_t exit_code = -1, image;

	rt_queue_create(&q, 8, 8);
	image = rt_syscall6(SYS_VM_MAP, 0, image_handle, 0,
			   (size + 4095) & ~4095ul, 0, VM_READ);
	ktest_check("supervise/map_image", image > 0, "cannot map the image");
	ktest_expect("supervise/create_bad_image",
		     rt_syscall6(SYS_PROCESS_CREATE, (uint64_t)&ev, sizeof(ev),
				 (uint64_t)"junk", PROCESS_SUPERVISED,
				 (uint64_t)out, 0),
		     -ERR_CORRUPT);
	ktest_expect("supervise/create",
		     rt_syscall6(SYS_PROCESS_CREATE, (uint64_t)image, size,
				 (uint64_t)"child", PROCESS_SUPERVISED,
				 (uint64_t)out, 0),
		     0);
	proc = out[0];
	tid = out[1];
	/* Not started yet: its registers can be read (and set). */
	ktest_expect("supervise/regs_of_unstarted",
		     rt_syscall6(SYS_THREAD_REGS_GET, proc, tid,
				 (uint64_t)&regs, 0, 0, 0),
		     0);
	ktest_check("supervise/unstarted_rip_is_entry",
		    regs.rip >= 0x400000 && regs.rip < 0x800000,
		    "rip is not in the program");
	ktest_expect("supervise/start", rt_syscall6(SYS_THREAD_START, proc, tid,
						    0, 0, 0, 0),
		     0);
	ktest_expect("supervise/start_twice",
		     rt_syscall6(SYS_THREAD_START, proc, tid, 0, 0, 0, 0),
		     -ERR_BUSY);

	for (int n = 0; n < 10 && !saw_exit; n++) {
		if (next_event(proc) != 0) {
			break;
		}
		if (ev.kind == SUPERVISE_EVENT_EXIT) {
			saw_exit = true;
			exit_code = (int64_t)ev.args[0];
			break;
		}
		if (rt_syscall6(SYS_THREAD_REGS_GET, proc, ev.thread,
				(uint64_t)&regs, 0, 0, 0) != 0) {
			break;
		}
		if (ev.kind == SUPERVISE_EVENT_FAULT) {
			saw_fault = ev.nr == 6 && regs.rip == ev.rip;
			regs.rip += 2; /* over the ud2 */
		} else if (ev.nr == 39) {
			check_fpu_calls(proc, ev.thread);
			/* As on Linux at a syscall stop, rax holds -ENOSYS
			 * until answered; the number is in the event. */
			saw_getpid = regs.rax == (uint64_t)-38;
			regs.rax = 4242;
		} else if (ev.nr == 1) {
			uint64_t len = ev.args[2] < sizeof(text) ? ev.args[2]
								 : sizeof(text);

			saw_write = rt_syscall6(SYS_VM_READ, proc, ev.args[1],
						(uint64_t)text, len, 0, 0) ==
					    (int64_t)len &&
				    text[0] == 'h' && text[len - 1] == 'd';
			regs.rax = ev.args[2];
		} else if (ev.nr == 231) {
			saw_exit_group = true;
			rt_syscall2(SYS_PROCESS_KILL, proc, ev.args[0]);
			continue;
		} else {
			saw_unknown = ev.nr == 9999;
			regs.rax = (uint64_t)-38;
		}
		rt_syscall6(SYS_THREAD_REGS_SET, proc, ev.thread,
			    (uint64_t)&regs, 0, 0, 0);
		rt_syscall6(SYS_THREAD_RESUME, proc, ev.thread, 0, 0, 0, 0);
	}
	ktest_check("supervise/syscall_getpid", saw_getpid, "not seen");
	ktest_check("supervise/syscall_write_reads_memory", saw_write,
		    "not seen or wrong data");
	ktest_check("supervise/syscall_unknown", saw_unknown, "not seen");
	ktest_check("supervise/fault_event", saw_fault, "no fault event");
	ktest_check("supervise/exit_group", saw_exit_group, "not seen");
	ktest_check("supervise/exit_event", saw_exit, "no exit event");
	/* 7 when the child saw every answer right (else 7 + 16 * bits). */
	ktest_expect("supervise/child_saw_answers", exit_code, 7);
	ktest_expect("supervise/events_end", next_event(proc),
		     -ERR_PEER_CLOSED);
	ktest_expect("supervise/resume_dead_thread",
		     rt_syscall6(SYS_THREAD_RESUME, proc, tid, 0, 0, 0, 0),
		     -ERR_NOT_FOUND);
	ktest_expect("supervise/regs_set_bad_rip",
		     rt_syscall6(SYS_THREAD_REGS_SET, proc, tid,
				 (uint64_t)&(struct thread_regs){
					 .rip = 0xffff800000000000ul },
				 0, 0, 0),
		     -ERR_INVALID);
	ktest_expect("supervise/wrong_handle_type",
		     rt_syscall6(SYS_THREAD_START, q.handle, tid, 0, 0, 0, 0),
		     -ERR_WRONG_TYPE);
	rt_printf("supervisor: %d failed", ktest_failures());
	return ktest_failures();
}
