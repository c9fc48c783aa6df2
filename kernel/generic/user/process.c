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
#include <arch/x86_64/paging.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <elf/elf64.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <sched/sched.h>
#include <smp/smp.h>
#include <user/process.h>

#define LOG_SUBSYS "process"

void arch_enter_user(struct trap_frame *frame) __attribute__((noreturn));

static uint64_t process_next_id = 1;

/* Frees every user frame and table of @root. */
static void free_user_memory(paddr_t root)
{
	uint64_t *pml4 = phys_to_virt(root);

	for (unsigned i = 0; i < 256; i++) {
		uint64_t *pdpt;

		if (!(pml4[i] & PTE_PRESENT)) {
			continue;
		}
		pdpt = phys_to_virt(pml4[i] & PTE_ADDR_MASK);
		for (unsigned j = 0; j < 512; j++) {
			uint64_t *pd;

			if (!(pdpt[j] & PTE_PRESENT)) {
				continue;
			}
			pd = phys_to_virt(pdpt[j] & PTE_ADDR_MASK);
			for (unsigned k = 0; k < 512; k++) {
				uint64_t *pt;

				if (!(pd[k] & PTE_PRESENT)) {
					continue;
				}
				pt = phys_to_virt(pd[k] & PTE_ADDR_MASK);
				for (unsigned l = 0; l < 512; l++) {
					if ((pt[l] & PTE_PRESENT) &&
					    !(pt[l] & PTE_SHARED)) {
						pmm_free(pt[l] & PTE_ADDR_MASK,
							 0);
					}
					pt[l] = 0;
				}
			}
		}
	}
	paging_destroy_root(root);
}

static uint64_t segment_flags(uint32_t seg_flags)
{
	uint64_t f = PTE_USER;

	if (seg_flags & ELF64_SEG_W) {
		f |= PTE_WRITE;
	}
	if (!(seg_flags & ELF64_SEG_X)) {
		f |= PTE_NX;
	}
	return f;
}

/* Maps a fresh zeroed page at @va, or returns the frame already there
 * (segments may share a page) with its permissions widened to @flags. */
static err_t page_for(paddr_t root, uint64_t va, uint64_t flags, paddr_t *pa)
{
	uint64_t pte;
	err_t err;

	if (paging_query(root, va, &pte) == ERR_OK) {
		uint64_t merged = (pte & ~PTE_ADDR_MASK & ~PTE_NX) |
				  (flags & ~PTE_NX);

		if ((pte & PTE_NX) && (flags & PTE_NX)) {
			merged |= PTE_NX;
		}
		*pa = pte & PTE_ADDR_MASK;
		paging_unmap(root, va, pa);
		return paging_map(root, va, *pa, merged);
	}
	err = pmm_alloc_page(pa);
	if (err) {
		return err;
	}
	err = paging_map(root, va, *pa, flags);
	if (err) {
		pmm_free(*pa, 0);
	}
	return err;
}

static err_t load_segments(paddr_t root, const struct elf64_image *img,
			   const uint8_t *image)
{
	struct elf64_segment seg;
	unsigned cursor = 0;
	err_t err;

	while ((err = elf64_next_load(img, &cursor, &seg)) == ERR_OK) {
		uint64_t start = ALIGN_DOWN(seg.vaddr, PAGE_SIZE);
		uint64_t end = ALIGN_UP(seg.vaddr + seg.memsz, PAGE_SIZE);
		uint64_t flags = segment_flags(seg.flags);

		if (end > PROCESS_STACK_TOP - PROCESS_STACK_PAGES * PAGE_SIZE ||
		    start < PAGE_SIZE) {
			return ERR_CORRUPT; /* collides with stack or page 0 */
		}
		for (uint64_t va = start; va < end; va += PAGE_SIZE) {
			paddr_t pa;
			uint64_t lo = va > seg.vaddr ? va : seg.vaddr;
			uint64_t hi = seg.vaddr + seg.filesz;

			err = page_for(root, va, flags, &pa);
			if (err) {
				return err;
			}
			if (hi > va + PAGE_SIZE) {
				hi = va + PAGE_SIZE;
			}
			if (lo < hi) {
				memcpy((uint8_t *)phys_to_virt(pa) + (lo - va),
				       image + seg.offset + (lo - seg.vaddr),
				       hi - lo);
			}
		}
	}
	return err == ERR_NOT_FOUND ? ERR_OK : err;
}

static err_t map_stack(paddr_t root)
{
	for (unsigned i = 1; i <= PROCESS_STACK_PAGES; i++) {
		paddr_t pa;
		err_t err = page_for(root, PROCESS_STACK_TOP - i * PAGE_SIZE,
				     PTE_USER | PTE_WRITE | PTE_NX, &pa);

		if (err) {
			return err;
		}
	}
	return ERR_OK;
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
	f->rsp = PROCESS_STACK_TOP - 8; /* as after a call: rsp+8 aligned */
	f->cs = GDT_USER_CODE;
	f->ss = GDT_USER_DATA;
	f->rflags = CPU_RFLAGS_IF | 0x2;
	cpu_irq_disable();
	arch_enter_user(f);
}

err_t process_create_from_elf(const char *name, const void *image,
			      size_t size, struct process **out,
			      struct thread **main_thread)
{
	struct elf64_image img;
	struct process *p;
	struct thread *t;
	paddr_t fpu;
	err_t err;

	err = elf64_open(&img, image, size);
	if (err) {
		return err;
	}
	p = kzalloc(sizeof(*p));
	if (!p) {
		return ERR_NO_MEMORY;
	}
	p->id = __atomic_fetch_add(&process_next_id, 1, __ATOMIC_RELAXED);
	strlcpy(p->name, name, sizeof(p->name));
	spin_init(&p->lock);
	list_init(&p->threads);
	waitq_init(&p->exit_wait);
	p->refcount = 1;
	p->fault_vector = -1;
	handle_table_init(&p->handles);
	list_init(&p->regions);
	p->map_cursor = PROCESS_MAP_BASE;
	err = paging_create_root(&p->root);
	if (err) {
		goto out_free_process;
	}
	err = load_segments(p->root, &img, image);
	if (err) {
		goto out_free_memory;
	}
	err = map_stack(p->root);
	if (err) {
		goto out_free_memory;
	}
	err = thread_create_kernel(name, user_thread_start,
				   (void *)elf64_entry(&img), &t);
	if (err) {
		goto out_free_memory;
	}
	err = pmm_alloc_page(&fpu);
	if (err || fpu_state_size() > PAGE_SIZE) {
		thread_put(t);
		thread_put(t);
		err = err ? err : ERR_NOT_SUPPORTED;
		goto out_free_memory;
	}
	t->fpu = phys_to_virt(fpu);
	fpu_state_init(t->fpu);
	t->process = p;
	process_get(p); /* the thread's reference */
	list_add_tail(&p->threads, &t->process_link);
	p->live_threads = 1;
	*out = p;
	*main_thread = t;
	return ERR_OK;

out_free_memory:
	free_user_memory(p->root);
out_free_process:
	kfree(p);
	return err;
}

void process_get(struct process *p)
{
	__atomic_fetch_add(&p->refcount, 1, __ATOMIC_RELAXED);
}

void process_put(struct process *p)
{
	if (__atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		kfree(p);
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

struct process *process_current(void)
{
	return sched_current()->process;
}

err_t process_map_shared(struct process *p, paddr_t phys, uint64_t pages,
			 uint64_t pte_flags, struct kobject *owner,
			 uaddr_t *addr)
{
	struct process_region *r = kzalloc(sizeof(*r));
	uaddr_t start;
	uint64_t i;
	err_t err = ERR_OK;

	if (!r) {
		return ERR_NO_MEMORY;
	}
	spin_lock(&p->lock);
	start = p->map_cursor;
	p->map_cursor += (pages + 1) * PAGE_SIZE; /* plus a guard page */
	spin_unlock(&p->lock);
	for (i = 0; i < pages && !err; i++) {
		err = paging_map(p->root, start + i * PAGE_SIZE,
				 phys + i * PAGE_SIZE, pte_flags | PTE_SHARED);
	}
	if (err) {
		while (i-- > 0) {
			paddr_t old;

			paging_unmap(p->root, start + i * PAGE_SIZE, &old);
		}
		kfree(r);
		return err;
	}
	r->start = start;
	r->pages = pages;
	r->obj = owner;
	kobject_get(owner);
	spin_lock(&p->lock);
	list_add_tail(&p->regions, &r->link);
	spin_unlock(&p->lock);
	*addr = start;
	return ERR_OK;
}

/* Drops the objects behind the shared regions (after the page tables
 * that mapped them are gone). */
static void release_regions(struct process *p)
{
	struct list_node *n;

	while ((n = list_pop_head(&p->regions))) {
		struct process_region *r =
			container_of(n, struct process_region, link);

		kobject_put(r->obj);
		kfree(r);
	}
}

void process_switch_to(struct thread *next)
{
	paging_switch(next->process->root);
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
	spin_unlock(&p->lock);
	if (last) {
		handle_table_fini(&p->handles);
		/* Leave the address space before tearing it down. */
		cpu_irq_disable();
		paging_switch(paging_kernel_root());
		t->process = NULL;
		cpu_irq_enable();
		smp_tlb_shootdown(p->root, 0, 1ul << 35);
		free_user_memory(p->root);
		p->root = 0;
		release_regions(p);
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
