/*
 * Processes (see process.h) and the ELF loader for native programs.
 *
 * Memory: every user page of a process is a private frame it owns, so
 * tearing the address space down frees every mapped frame along with the
 * page tables. (Shared and copy-on-write memory objects arrive with the
 * native API issue and will bring reference counts.)
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/fpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <elf/elf64.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <sched/sched.h>
#include <smp/smp.h>
#include <user/process.h>
#include <user/supervise.h>

#define LOG_SUBSYS "process"

void arch_enter_user(struct trap_frame *frame) __attribute__((noreturn));

static uint64_t process_next_id = 1;

static void process_destroy(struct kobject *obj)
{
	struct process *p = container_of(obj, struct process, obj);

	supervise_channel_destroy(p->supervision);
	kfree(p->iobitmap);
	kfree(p);
}

/* The last handle went while the main thread was never started: nothing
 * will ever run in the process, so take it down here. */
static void process_last_handle(struct kobject *obj)
{
	struct process *p = container_of(obj, struct process, obj);
	struct list_node unstarted, *pos, *tmp, *n;
	bool empty;

	/* Threads never started will never run now: release them. If
	 * nothing else runs (a process never started, or a fork that never
	 * got a thread), take the process down here. */
	list_init(&unstarted);
	spin_lock(&p->lock);
	list_for_each_safe(pos, tmp, &p->threads) {
		struct thread *t =
			container_of(pos, struct thread, process_link);

		if (!t->started) {
			list_remove(pos);
			list_add_tail(&unstarted, pos);
			p->live_threads--;
		}
	}
	empty = p->live_threads == 0 && !p->dying;
	p->dying |= empty;
	spin_unlock(&p->lock);
	if (empty) {
		handle_table_fini(&p->handles);
		vm_space_fini(&p->vm);
	}
	while ((n = list_pop_head(&unstarted))) {
		struct thread *t = container_of(n, struct thread, process_link);

		t->process = NULL;
		thread_put(t); /* the creator's and the scheduler's references */
		thread_put(t);
		process_put(p); /* the thread's */
	}
}

static const struct kobject_ops process_kobject_ops = {
	.destroy = process_destroy,
	.on_last_handle = process_last_handle,
};

static uint32_t segment_prot(uint32_t seg_flags)
{
	uint32_t prot = VM_PROT_READ;

	if (seg_flags & ELF64_SEG_W) {
		prot |= VM_PROT_WRITE;
	}
	if (seg_flags & ELF64_SEG_X) {
		prot |= VM_PROT_EXEC;
	}
	return prot;
}

struct segment_fill {
	const uint8_t *image;
	const struct elf64_segment *seg;
};

/* Copies the part of the segment's file data that lands in page @va. */
static void fill_segment_page(void *ctx, uaddr_t va, paddr_t pa)
{
	const struct segment_fill *f = ctx;
	uint64_t lo = va > f->seg->vaddr ? va : f->seg->vaddr;
	uint64_t hi = f->seg->vaddr + f->seg->filesz;

	if (hi > va + PAGE_SIZE) {
		hi = va + PAGE_SIZE;
	}
	if (lo < hi) {
		memcpy((uint8_t *)phys_to_virt(pa) + (lo - va),
		       f->image + f->seg->offset + (lo - f->seg->vaddr),
		       hi - lo);
	}
}

static err_t load_segments(struct vm_space *vm, const struct elf64_image *img,
			   const uint8_t *image)
{
	struct elf64_segment seg;
	unsigned cursor = 0;
	err_t err;

	while ((err = elf64_next_load(img, &cursor, &seg)) == ERR_OK) {
		uint64_t start = ALIGN_DOWN(seg.vaddr, PAGE_SIZE);
		uint64_t end = ALIGN_UP(seg.vaddr + seg.memsz, PAGE_SIZE);
		struct segment_fill fill = { image, &seg };

		if (end > PROCESS_STACK_TOP - PROCESS_STACK_PAGES * PAGE_SIZE ||
		    start < VM_USER_BASE || end >= VM_ANYWHERE_BASE) {
			return ERR_CORRUPT; /* collides with stack, page 0... */
		}
		err = vm_map_private(vm, start, end - start,
				     segment_prot(seg.flags), fill_segment_page,
				     &fill);
		if (err) {
			return err == ERR_EXISTS ? ERR_CORRUPT : err;
		}
	}
	return err == ERR_NOT_FOUND ? ERR_OK : err;
}

static err_t map_stack(struct vm_space *vm)
{
	return vm_map_private(vm,
			      PROCESS_STACK_TOP - PROCESS_STACK_PAGES * PAGE_SIZE,
			      PROCESS_STACK_PAGES * PAGE_SIZE,
			      VM_PROT_READ | VM_PROT_WRITE, NULL, NULL);
}

/* First code of every user thread, on its kernel stack: leave for user
 * mode at the entry point recorded in the thread. */
static void user_thread_start(void *arg)
{
	struct thread *t = sched_current();
	struct trap_frame *f =
		(struct trap_frame *)(t->kstack + THREAD_STACK_SIZE) - 1;

	_Static_assert(sizeof(*f) <= THREAD_STACK_RESERVED, "frame room");

	memset(f, 0, sizeof(*f));
	f->rip = (uint64_t)arg;
	f->rdi = t->user_arg;
	f->rsp = t->user_rsp;
	if (t->start_regs) { /* set by a supervisor before the start */
		const struct thread_regs *r = t->start_regs;

		f->rax = r->rax, f->rbx = r->rbx, f->rcx = r->rcx;
		f->rdx = r->rdx, f->rsi = r->rsi, f->rdi = r->rdi;
		f->rbp = r->rbp, f->rsp = r->rsp, f->r8 = r->r8;
		f->r9 = r->r9, f->r10 = r->r10, f->r11 = r->r11;
		f->r12 = r->r12, f->r13 = r->r13, f->r14 = r->r14;
		f->r15 = r->r15, f->rip = r->rip;
	}
	f->cs = GDT_USER_CODE;
	f->ss = GDT_USER_DATA;
	f->rflags = CPU_RFLAGS_IF | 0x2;
	if (t->start_regs) {
		f->rflags |= t->start_regs->rflags & PROCESS_USER_RFLAGS;
	}
	cpu_irq_disable();
	arch_enter_user(f);
}

/* A process with no address space and no threads yet. */
static struct process *process_alloc(const char *name)
{
	struct process *p = kzalloc(sizeof(*p));

	if (!p) {
		return NULL;
	}
	p->id = __atomic_fetch_add(&process_next_id, 1, __ATOMIC_RELAXED);
	strlcpy(p->name, name, sizeof(p->name));
	spin_init(&p->lock);
	list_init(&p->threads);
	waitq_init(&p->exit_wait);
	kobject_init(&p->obj, OBJECT_PROCESS, &process_kobject_ops);
	p->fault_vector = -1;
	handle_table_init(&p->handles);
	return p;
}

err_t process_fork(struct process *src, struct process **out)
{
	struct process *p = process_alloc(src->name);
	err_t err;

	if (!p) {
		return ERR_NO_MEMORY;
	}
	err = vm_space_init(&p->vm);
	if (err) {
		kfree(p);
		return err;
	}
	err = vm_space_clone(&p->vm, &src->vm);
	if (err) {
		vm_space_fini(&p->vm);
		kfree(p);
		return err;
	}
	*out = p;
	return ERR_OK;
}

err_t process_new_thread(struct process *p, uaddr_t rip, uaddr_t rsp,
			 struct thread **out)
{
	struct thread *t;
	paddr_t fpu;
	err_t err;

	if (fpu_state_size() > PAGE_SIZE) {
		return ERR_NOT_SUPPORTED;
	}
	err = thread_create_kernel(p->name, user_thread_start, (void *)rip, &t);
	if (err) {
		return err;
	}
	err = pmm_alloc_page(&fpu);
	if (err) {
		thread_put(t); /* the creator's and the scheduler's */
		thread_put(t);
		return err;
	}
	t->fpu = phys_to_virt(fpu);
	fpu_state_init(t->fpu);
	t->user_rsp = rsp;
	spin_lock(&p->lock);
	if (p->dying) { /* its last thread is leaving: too late */
		spin_unlock(&p->lock);
		thread_put(t);
		thread_put(t);
		return ERR_PEER_CLOSED;
	}
	t->process = p;
	process_get(p); /* the thread's reference */
	list_add_tail(&p->threads, &t->process_link);
	p->live_threads++;
	spin_unlock(&p->lock);
	*out = t;
	return ERR_OK;
}

err_t process_create_from_elf(const char *name, const void *image,
			      size_t size, struct process **out,
			      struct thread **main_thread)
{
	struct elf64_image img;
	struct process *p;
	struct thread *t;
	err_t err;

	err = elf64_open(&img, image, size);
	if (err) {
		return err;
	}
	p = process_alloc(name);
	if (!p) {
		return ERR_NO_MEMORY;
	}
	err = vm_space_init(&p->vm);
	if (err) {
		goto out_free_process;
	}
	err = load_segments(&p->vm, &img, image);
	if (err) {
		goto out_free_memory;
	}
	err = map_stack(&p->vm);
	if (err) {
		goto out_free_memory;
	}
	/* As after a call: rsp + 8 is 16-byte aligned. */
	err = process_new_thread(p, elf64_entry(&img), PROCESS_STACK_TOP - 8,
				 &t);
	if (err) {
		goto out_free_memory;
	}
	*out = p;
	*main_thread = t;
	return ERR_OK;

out_free_memory:
	vm_space_fini(&p->vm);
out_free_process:
	kfree(p);
	return err;
}

void process_get(struct process *p)
{
	kobject_get(&p->obj);
}

void process_put(struct process *p)
{
	kobject_put(&p->obj);
}

err_t process_start_thread(struct process *p, struct thread *t)
{
	bool start;

	spin_lock(&p->lock);
	start = !t->started;
	t->started = true;
	spin_unlock(&p->lock);
	if (!start) {
		return ERR_BUSY;
	}
	sched_start(t);
	return ERR_OK;
}

err_t process_find_thread(struct process *p, uint64_t tid,
			  struct thread **out)
{
	struct list_node *pos;
	err_t err = ERR_NOT_FOUND;

	spin_lock(&p->lock);
	list_for_each(pos, &p->threads) {
		struct thread *t = container_of(pos, struct thread,
						process_link);

		if (t->id == tid) {
			thread_get(t);
			*out = t;
			err = ERR_OK;
			break;
		}
	}
	spin_unlock(&p->lock);
	return err;
}

void process_check_killed(void)
{
	struct process *p = process_current();

	if (p && __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE)) {
		cpu_irq_enable();
		sched_exit(p->kill_code);
	}
}

int process_wait(struct process *p)
{
	spin_lock(&p->exit_wait.lock);
	while (!p->exited) {
		waitq_wait_locked(&p->exit_wait);
		spin_lock(&p->exit_wait.lock);
	}
	spin_unlock(&p->exit_wait.lock);
	return p->exit_code;
}

void process_switch_to(struct thread *next)
{
	paging_switch(next->process->vm.root);
	gdt_load_iomap(process_iomap_key(next->process), next->process->iobitmap);
}

void process_set_fault(struct process *p, int vector)
{
	p->fault_vector = vector;
}

void process_thread_exit(struct thread *t)
{
	struct process *p = t->process;
	bool last;

	spin_lock(&p->lock);
	list_remove(&t->process_link);
	last = --p->live_threads == 0;
	p->dying |= last;
	spin_unlock(&p->lock);
	if (last) {
		supervise_process_ended(p, t->exit_code);
		handle_table_fini(&p->handles);
		/* Leave the address space before tearing it down. */
		cpu_irq_disable();
		paging_switch(paging_kernel_root());
		t->process = NULL;
		cpu_irq_enable();
		vm_space_fini(&p->vm);
		spin_lock(&p->exit_wait.lock);
		p->exited = true;
		p->exit_code = t->exit_code;
		waitq_wake_all_locked(&p->exit_wait);
		spin_unlock(&p->exit_wait.lock);
	} else {
		t->process = NULL;
	}
	process_put(p);
}
