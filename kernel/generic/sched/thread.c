/*
 * Thread objects (see thread.h): creation of kernel threads, reference
 * counting and join. The first switch to a new thread pops the frame
 * prepared here and "returns" into sched_thread_trampoline (switch.S).
 */
#include <base/string.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <sched/runqueue.h>
#include <sched/sched.h>
#include <smp/percpu.h>

void sched_thread_trampoline(void);

static uint64_t thread_next_id = 1;

static void thread_free(struct thread *t)
{
	if (t->kstack) {
		pmm_free(virt_to_phys((void *)t->kstack), THREAD_STACK_ORDER);
	}
	if (t->fpu) {
		pmm_free(virt_to_phys(t->fpu), 0);
	}
	kfree(t->start_regs);
	kfree(t);
}

err_t thread_create_kernel(const char *name, void (*fn)(void *arg), void *arg,
			   struct thread **out)
{
	struct thread *t = kzalloc(sizeof(*t));
	paddr_t stack;
	uint64_t *sp;

	if (!t) {
		return ERR_NO_MEMORY;
	}
	if (pmm_alloc(THREAD_STACK_ORDER, &stack) != ERR_OK) {
		kfree(t);
		return ERR_NO_MEMORY;
	}
	t->kstack = (uint64_t)phys_to_virt(stack);
	t->id = __atomic_fetch_add(&thread_next_id, 1, __ATOMIC_RELAXED);
	strlcpy(t->name, name, sizeof(t->name));
	t->state = THREAD_STATE_NEW;
	t->priority = SCHED_PRIORITY_DEFAULT;
	t->affinity = ~0ul;
	t->cpu = percpu_id();
	t->refcount = 2; /* the creator's and the scheduler's */
	t->entry = fn;
	t->arg = arg;
	list_init(&t->rq_link);
	list_init(&t->wait_link);
	list_init(&t->process_link);
	waitq_init(&t->exit_wait);

	/* What sched_switch pops: six callee-saved registers, then the
	 * return address; after that ret, RSP is 16-byte aligned for the
	 * call in the trampoline. The top THREAD_STACK_RESERVED bytes are left free
	 * for the trap frame a user thread leaves the kernel with (see
	 * user_thread_start), which must not overwrite live frames. */
	sp = (uint64_t *)(t->kstack + THREAD_STACK_SIZE -
			  THREAD_STACK_RESERVED);
	*--sp = (uint64_t)sched_thread_trampoline;
	for (int i = 0; i < 6; i++) {
		*--sp = 0;
	}
	t->saved_rsp = (uint64_t)sp;
	*out = t;
	return ERR_OK;
}

void thread_get(struct thread *t)
{
	__atomic_fetch_add(&t->refcount, 1, __ATOMIC_RELAXED);
}

void thread_put(struct thread *t)
{
	if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		thread_free(t);
	}
}

int thread_join(struct thread *t)
{
	spin_lock(&t->exit_wait.lock);
	while (!t->exited) {
		waitq_wait_locked(&t->exit_wait);
		spin_lock(&t->exit_wait.lock);
	}
	spin_unlock(&t->exit_wait.lock);
	return t->exit_code;
}
