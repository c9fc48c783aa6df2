/*
 * Fibers (fiber.h): the ready queue, creation, switching and the end of
 * fibers.
 *
 * Every switch is between the scheduler (sched.main, the OS thread's own
 * stack) and one fiber: fiber_run_round switches to a ready fiber, which
 * switches back when it yields, parks or ends. An ended fiber cannot free
 * the stack it still runs on, so it leaves itself in sched.dead and the
 * scheduler frees it once it is back on its own stack.
 *
 * Host builds with AddressSanitizer tell it about each stack switch
 * (__sanitizer_start/finish_switch_fiber) so that it keeps checking the
 * right stack, and unpoison a stack before it goes back to the allocator.
 */
#include <fiber/fiber.h>

#ifndef HOST_TEST
#include <rt/rt.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif

#ifdef FIBER_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom,
				    size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save,
				     const void **bottom_old, size_t *size_old);
void __asan_unpoison_memory_region(const volatile void *addr, size_t size);
#endif

#define FIBER_PAGE 4096u
/* Initial x87 control word and MXCSR, as the ABI sets them at start. */
#define FIBER_FCW 0x037fu
#define FIBER_MXCSR 0x1f80u

/* In switch.S. */
void fiber_switch_context(void **save_sp, void *new_sp);

#ifndef HOST_TEST
static void *vm_stack_alloc(size_t size);
static void vm_stack_free(void *stack, size_t size);
static const struct fiber_stack_allocator vm_stacks = {
	.alloc = vm_stack_alloc,
	.free = vm_stack_free,
};
#endif

static struct {
	struct fiber main;	/* the scheduler's context */
	struct fiber *current;	/* the running fiber, or &main */
	struct fiber *dead;	/* ended, its stack not yet freed */
	struct list_node ready;
	size_t ready_count;
	size_t count;		/* fibers alive */
	const struct fiber_stack_allocator *stacks;
} sched = {
	.main = { .state = FIBER_STATE_RUNNING },
	.current = &sched.main,
	.ready = LIST_INIT(sched.ready),
#ifndef HOST_TEST
	.stacks = &vm_stacks,
#endif
};

#ifndef HOST_TEST
/* Maps @size bytes plus a guard page below them from a fresh memory
 * object; the guard stays mapped read-only (so nothing else gets mapped
 * there) or, if that fails, is unmapped. The mapping keeps the object
 * alive, so its handle is closed at once. */
static void *vm_stack_alloc(size_t size)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, size + FIBER_PAGE, 0);
	int64_t addr;

	if (mem < 0) {
		return NULL;
	}
	addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, size + FIBER_PAGE,
			   0, VM_READ | VM_WRITE);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)mem, 0);
	if (addr < 0) {
		return NULL;
	}
	if (rt_syscall6(SYS_VM_PROTECT, 0, (uint64_t)addr, FIBER_PAGE,
			VM_READ, 0, 0) < 0 &&
	    rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)addr, FIBER_PAGE, 0, 0,
			0) < 0) {
		rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)addr, size + FIBER_PAGE,
			    0, 0, 0);
		return NULL;
	}
	return (void *)(addr + FIBER_PAGE);
}

/* Unmaps the guard (if it is still mapped) and the stack. */
static void vm_stack_free(void *stack, size_t size)
{
	uint64_t lo = (uint64_t)stack;

	if (rt_syscall6(SYS_VM_UNMAP, 0, lo - FIBER_PAGE, size + FIBER_PAGE,
			0, 0, 0) < 0) {
		rt_syscall6(SYS_VM_UNMAP, 0, lo, size, 0, 0, 0);
	}
}
#endif

void fiber_set_stack_allocator(const struct fiber_stack_allocator *a)
{
	sched.stacks = a;
}

struct fiber *fiber_self(void)
{
	return sched.current == &sched.main ? NULL : sched.current;
}

bool fiber_has_ready(void)
{
	return sched.ready_count != 0;
}

size_t fiber_count(void)
{
	return sched.count;
}

static void ready_push(struct fiber *f)
{
	f->state = FIBER_STATE_READY;
	list_add_tail(&sched.ready, &f->link);
	sched.ready_count++;
}

/* Gives the stack of the fiber that ended back to its allocator. Runs on
 * the scheduler's stack, never on the dead one. */
static void reap_dead(void)
{
	struct fiber *f = sched.dead;
	void *stack;
	size_t size;

	if (!f) {
		return;
	}
	sched.dead = NULL;
	stack = f->stack;
	size = f->stack_size;
#ifdef FIBER_ASAN
	/* Frames that died with the fiber leave poisoned redzones behind. */
	__asan_unpoison_memory_region(stack, size);
#endif
	sched.stacks->free(stack, size);
}

/* Switches from the running context to @to. Returns when something
 * switches back to the caller's context (never, if the caller ended). */
static void switch_to(struct fiber *to)
{
	struct fiber *from = sched.current;
#ifdef FIBER_ASAN
	void *fake_stack = NULL;

	/* A NULL save slot tells ASan the old stack is gone for good. */
	__sanitizer_start_switch_fiber(
		from->state == FIBER_STATE_DONE ? NULL : &fake_stack,
		to->asan_bottom, to->asan_size);
#endif
	sched.current = to;
	to->state = FIBER_STATE_RUNNING;
	fiber_switch_context(&from->sp, to->sp);
#ifdef FIBER_ASAN
	/* Back in @from; learns the bounds of the stack we came from (the
	 * scheduler's own are known only this way). */
	{
		const void *bottom;
		size_t size;

		__sanitizer_finish_switch_fiber(fake_stack, &bottom, &size);
		if (sched.main.asan_bottom == NULL && from != &sched.main) {
			sched.main.asan_bottom = bottom;
			sched.main.asan_size = size;
		}
	}
#endif
}

_Noreturn void fiber_exit(void)
{
	struct fiber *self = sched.current;

	self->state = FIBER_STATE_DONE;
	sched.dead = self;
	sched.count--;
	switch_to(&sched.main);
	__builtin_unreachable();
}

/* First code of every fiber, entered by the ret of the context switch
 * with the stack aligned as after a call. */
static void fiber_entry(void)
{
	struct fiber *self = sched.current;

#ifdef FIBER_ASAN
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
	if (sched.main.asan_bottom == NULL) {
		sched.main.asan_bottom = bottom;
		sched.main.asan_size = size;
	}
#endif
	self->fn(self->arg);
	fiber_exit();
}

err_t fiber_create(struct fiber **out, void (*fn)(void *arg), void *arg,
		   size_t stack_size)
{
	struct fiber *f;
	uint64_t *frame;
	uintptr_t top;
	void *stack;

	if (stack_size == 0) {
		stack_size = FIBER_STACK_DEFAULT;
	}
	if (stack_size < FIBER_STACK_MIN || stack_size > (1ul << 40)) {
		return ERR_INVALID;
	}
	if (!sched.stacks) {
		return ERR_NOT_SUPPORTED;
	}
	stack_size = (stack_size + FIBER_PAGE - 1) & ~(size_t)(FIBER_PAGE - 1);
	stack = sched.stacks->alloc(stack_size);
	if (!stack) {
		return ERR_NO_MEMORY;
	}
	/* struct fiber at the top; the stack grows down from just below. */
	top = ((uintptr_t)stack + stack_size - sizeof(*f)) & ~(uintptr_t)15;
	f = (struct fiber *)top;
	*f = (struct fiber){
		.fn = fn,
		.arg = arg,
		.stack = stack,
		.stack_size = stack_size,
		.asan_bottom = stack,
		.asan_size = top - (uintptr_t)stack,
	};
	list_init(&f->link);
	/* The frame fiber_switch_context pops, then a zero return address
	 * for fiber_entry (which never returns) so backtraces end there. */
	frame = (uint64_t *)top - 9;
	frame[0] = FIBER_FCW | ((uint64_t)FIBER_MXCSR << 32);
	for (int i = 1; i <= 6; i++) {
		frame[i] = 0;
	}
	frame[7] = (uint64_t)(uintptr_t)fiber_entry;
	frame[8] = 0;
	f->sp = frame;
	sched.count++;
	ready_push(f);
	if (out) {
		*out = f;
	}
	return ERR_OK;
}

void fiber_yield(void)
{
	struct fiber *self = fiber_self();

	if (!self) {
		return;
	}
	ready_push(self);
	switch_to(&sched.main);
}

void fiber_park(void)
{
	struct fiber *self = fiber_self();

	if (!self) {
		return;
	}
	self->state = FIBER_STATE_PARKED;
	switch_to(&sched.main);
}

bool fiber_unpark(struct fiber *f)
{
	if (f->state != FIBER_STATE_PARKED) {
		return false;
	}
	ready_push(f);
	return true;
}

size_t fiber_run_round(void)
{
	size_t n = sched.ready_count;
	size_t ran = 0;

	if (fiber_self()) {
		return 0;
	}
	while (ran < n && sched.ready_count != 0) {
		struct fiber *f = container_of(list_pop_head(&sched.ready),
					       struct fiber, link);

		sched.ready_count--;
		switch_to(f);
		reap_dead();
		ran++;
	}
	return ran;
}

void fiber_run(void)
{
	while (fiber_run_round() != 0) {
	}
}
