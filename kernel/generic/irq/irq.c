/*
 * IRQ objects, the per-CPU device vector allocator, and I/O port objects
 * (see irq.h).
 *
 * Vectors: each CPU has its own device vectors [TRAP_IRQ_BASE,
 * TRAP_IRQ_END) (irq_cpus[cpu].objects), so the number of IRQ objects
 * grows with the CPUs. An IRQ object takes one (CPU, vector) pair when it
 * is created and gives it back when its last handle closes. Without
 * IRQ_CPU the CPU is the online one with the fewest objects (ties go
 * round robin), which spreads interrupts over the machine; within a CPU
 * a rotating cursor hands out the vector used least recently, so a
 * device still holding a stale MSI address/data pair is unlikely to hit
 * an object that was just created. Only CPUs with an APIC id below 256
 * are used: both the IOAPIC destination field and the MSI address carry
 * 8 bits of it (xAPIC, no interrupt remapping).
 *
 * Interrupt path: every device vector has irq_fired as its handler,
 * which looks the object up in the table of the CPU it runs on. It holds
 * that CPU's table lock while it uses the object; irq_last_handle clears
 * the slot under the same lock, so once a slot is empty no handler still
 * uses its old object, and the handler needs no reference.
 *
 * Locking order: irq_cpus[c].lock, then a queue's lock (through
 * queue_request_complete), then irq->lock (the queue calls the cancel
 * hook with its lock held). Nobody takes a CPU table lock while holding
 * a queue or IRQ object lock. irq_lines_lock guards irq_lines and nests
 * inside nothing.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <handle/handle.h>
#include <irq/irq.h>
#include <keel/irq.h>
#include <keel/syscall.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <smp/percpu.h>
#include <syscall/syscall.h>
#include <user/process.h>
#include <user/uaccess.h>

#define LOG_SUBSYS "irq"

#define IRQ_VECTORS (TRAP_IRQ_END - TRAP_IRQ_BASE)
#define IRQ_GSI_MAX 256
#define IRQ_APIC_ID_MAX 0xff
#define IRQ_MSI_ADDRESS 0xfee00000u /* xAPIC, physical destination */
#define IRQ_RIGHTS (RIGHT_WAIT | RIGHT_DUPLICATE | RIGHT_TRANSFER)

struct irq_object {
	struct kobject obj;
	struct spinlock lock;		/* count, waiters */
	uint32_t type;			/* IRQ_TYPE_LINE or IRQ_TYPE_MSI */
	uint32_t gsi;			/* lines */
	bool line_claimed;		/* irq_lines[gsi] is this object */
	bool has_vector;		/* (cpu, vector) is ours */
	unsigned cpu;
	uint8_t vector;
	uint64_t count;			/* fired since the last wait */
	struct list_node waiters;	/* struct irq_request */
};

struct irq_request {
	struct queue_request req;
	struct list_node link;
	bool linked;
	struct irq_object *irq;		/* referenced */
};

struct ioport_object {
	struct kobject obj;
	uint16_t base;
	uint32_t count;
};

/* One CPU's device vectors. */
struct irq_cpu {
	struct spinlock lock;
	unsigned used;			/* objects[] entries in use */
	unsigned cursor;		/* where the next search starts */
	uint64_t spurious;		/* interrupts on a free vector */
	struct irq_object *objects[IRQ_VECTORS];
};

static struct irq_cpu irq_cpus[PERCPU_MAX] = {
	[0 ... PERCPU_MAX - 1] = { .lock = SPINLOCK_INIT },
};
static unsigned irq_next_cpu; /* round robin among equally loaded CPUs */
static struct spinlock irq_lines_lock = SPINLOCK_INIT;
static struct irq_object *irq_lines[IRQ_GSI_MAX];

/* Whether CPU @cpu can take device interrupts. */
static bool irq_cpu_is_usable(unsigned cpu)
{
	return cpu < percpu_count && percpu_all[cpu] &&
	       percpu_all[cpu]->online &&
	       percpu_all[cpu]->apic_id <= IRQ_APIC_ID_MAX;
}

/* The value a wait completes with besides the count: the CPU that took
 * the interrupt, and the GSI (lines) or vector (MSI). */
static uint64_t irq_wait_value(const struct irq_object *irq)
{
	return ((uint64_t)irq->cpu << 32) |
	       (irq->type == IRQ_TYPE_LINE ? irq->gsi : irq->vector);
}

/* Device interrupt handler (interrupt context, this CPU's table lock
 * taken here). */
static void irq_fired(struct trap_frame *frame)
{
	struct irq_cpu *c = &irq_cpus[percpu_id()];
	uint64_t slot = frame->vector - TRAP_IRQ_BASE;
	struct irq_object *irq;
	struct irq_request *r = NULL;
	uint64_t count = 0;

	if (slot >= IRQ_VECTORS) {
		return;
	}
	spin_lock(&c->lock);
	irq = c->objects[slot];
	if (!irq) {
		c->spurious++;
		spin_unlock(&c->lock);
		return;
	}
	if (irq->type == IRQ_TYPE_LINE) {
		ioapic_mask(irq->gsi, true); /* until the driver acknowledges */
	}
	spin_lock(&irq->lock);
	irq->count++;
	if (!list_is_empty(&irq->waiters)) {
		r = container_of(list_pop_head(&irq->waiters),
				 struct irq_request, link);
		r->linked = false;
		count = irq->count;
		irq->count = 0;
	}
	spin_unlock(&irq->lock);
	if (r) {
		queue_request_complete(&r->req, (int64_t)count,
				       irq_wait_value(irq));
	}
	spin_unlock(&c->lock);
}

/* Takes a free vector on CPU @cpu for @irq. ERR_NO_SPACE when it has
 * none. */
static err_t irq_vector_alloc_on(struct irq_object *irq, unsigned cpu)
{
	struct irq_cpu *c = &irq_cpus[cpu];
	err_t err = ERR_NO_SPACE;

	spin_lock(&c->lock);
	for (unsigned i = 0; i < IRQ_VECTORS; i++) {
		unsigned slot = (c->cursor + i) % IRQ_VECTORS;

		if (!c->objects[slot]) {
			c->objects[slot] = irq;
			c->used++;
			c->cursor = (slot + 1) % IRQ_VECTORS;
			irq->cpu = cpu;
			irq->vector = (uint8_t)(TRAP_IRQ_BASE + slot);
			irq->has_vector = true;
			err = ERR_OK;
			break;
		}
	}
	spin_unlock(&c->lock);
	if (!err) {
		/* Idempotent; the slot is filled before the handler can see
		 * an interrupt on it. */
		trap_set_handler(irq->vector, irq_fired);
	}
	return err;
}

/* Gives @irq a vector: on CPU @cpu when @pick is false, else on the
 * least loaded usable CPU (the next one when that fills up under us).
 * ERR_RANGE (no such CPU), ERR_NO_SPACE (no free vector). */
static err_t irq_vector_alloc(struct irq_object *irq, bool pick,
			      unsigned cpu)
{
	uint64_t tried = 0;

	if (!pick) {
		if (!irq_cpu_is_usable(cpu)) {
			return ERR_RANGE;
		}
		return irq_vector_alloc_on(irq, cpu);
	}
	for (;;) {
		unsigned start = __atomic_fetch_add(&irq_next_cpu, 1,
						    __ATOMIC_RELAXED);
		unsigned best = PERCPU_MAX, best_used = ~0u;

		/* The counts are read unlocked: a stale one only makes the
		 * spread a little less even. */
		for (unsigned i = 0; i < percpu_count; i++) {
			unsigned c = (start + i) % percpu_count;
			unsigned used = __atomic_load_n(&irq_cpus[c].used,
							__ATOMIC_RELAXED);

			if (irq_cpu_is_usable(c) && !(tried & (1ul << c)) &&
			    used < best_used) {
				best = c;
				best_used = used;
			}
		}
		if (best == PERCPU_MAX) {
			return ERR_NO_SPACE;
		}
		if (irq_vector_alloc_on(irq, best) == ERR_OK) {
			return ERR_OK;
		}
		tried |= 1ul << best;
	}
}

/* Gives back whatever @irq holds: its line (masked) and its vector.
 * Thread context, no locks held. */
static void irq_release(struct irq_object *irq)
{
	if (irq->line_claimed) {
		ioapic_mask(irq->gsi, true);
		spin_lock(&irq_lines_lock);
		irq_lines[irq->gsi] = NULL;
		spin_unlock(&irq_lines_lock);
		irq->line_claimed = false;
	}
	if (irq->has_vector) {
		struct irq_cpu *c = &irq_cpus[irq->cpu];

		spin_lock(&c->lock);
		c->objects[irq->vector - TRAP_IRQ_BASE] = NULL;
		c->used--;
		spin_unlock(&c->lock);
		irq->has_vector = false;
	}
}

static void irq_last_handle(struct kobject *obj)
{
	struct irq_object *irq = container_of(obj, struct irq_object, obj);
	struct list_node *n, rest;

	irq_release(irq);
	list_init(&rest);
	spin_lock(&irq->lock);
	while ((n = list_pop_head(&irq->waiters))) {
		container_of(n, struct irq_request, link)->linked = false;
		list_add_tail(&rest, n);
	}
	spin_unlock(&irq->lock);
	while ((n = list_pop_head(&rest))) {
		queue_request_complete(
			&container_of(n, struct irq_request, link)->req,
			-(int64_t)ERR_CANCELLED, 0);
	}
}

static void irq_destroy(struct kobject *obj)
{
	kfree(container_of(obj, struct irq_object, obj));
}

static const struct kobject_ops irq_kobject_ops = {
	.destroy = irq_destroy,
	.on_last_handle = irq_last_handle,
};

static bool irq_request_cancel(struct queue_request *req)
{
	struct irq_request *r = container_of(req, struct irq_request, req);
	bool cancelled = false;

	spin_lock(&r->irq->lock);
	if (r->linked) {
		list_remove(&r->link);
		r->linked = false;
		cancelled = true;
	}
	spin_unlock(&r->irq->lock);
	return cancelled;
}

static void irq_request_release(struct queue_request *req)
{
	struct irq_request *r = container_of(req, struct irq_request, req);

	kobject_put(&r->irq->obj);
	kfree(r);
}

static const struct queue_request_ops irq_request_ops = {
	.cancel = irq_request_cancel,
	.release = irq_request_release,
};

enum queue_submit irq_op_wait(struct queue *q, const struct queue_sqe *sqe,
			      struct queue_cqe *cqe)
{
	struct kobject *obj;
	struct irq_object *irq;
	struct irq_request *r;
	uint64_t count = 0;
	err_t err = handle_get(&process_current()->handles, sqe->handle,
			       OBJECT_IRQ, RIGHT_WAIT, &obj, NULL);

	if (err) {
		cqe->result = -(int64_t)err;
		return QUEUE_SUBMIT_DONE;
	}
	irq = container_of(obj, struct irq_object, obj);
	r = kzalloc(sizeof(*r));
	if (!r) {
		kobject_put(obj);
		cqe->result = -(int64_t)ERR_NO_MEMORY;
		return QUEUE_SUBMIT_DONE;
	}
	r->irq = irq; /* the reference from handle_get */
	queue_request_start(q, &r->req, sqe, &irq_request_ops);
	spin_lock(&irq->lock);
	if (irq->count) {
		count = irq->count;
		irq->count = 0;
	} else {
		list_add_tail(&irq->waiters, &r->link);
		r->linked = true;
	}
	spin_unlock(&irq->lock);
	if (count) {
		queue_request_complete(&r->req, (int64_t)count,
				       irq_wait_value(irq));
	}
	return QUEUE_SUBMIT_PENDING;
}

/* A new IRQ object of @type, one reference, holding nothing yet. */
static struct irq_object *irq_object_create(uint32_t type)
{
	struct irq_object *irq = kzalloc(sizeof(*irq));

	if (irq) {
		kobject_init(&irq->obj, OBJECT_IRQ, &irq_kobject_ops);
		spin_init(&irq->lock);
		list_init(&irq->waiters);
		irq->type = type;
	}
	return irq;
}

/* Undoes a creation that failed before any handle existed. */
static void irq_object_abandon(struct irq_object *irq)
{
	irq_release(irq);
	kobject_put(&irq->obj);
}

/* Puts @irq into the caller's table; drops the creation reference either
 * way. Returns the handle or the negated error. */
static int64_t irq_object_publish(struct irq_object *irq)
{
	handle_t h;
	err_t err = handle_insert(&process_current()->handles, &irq->obj,
				  IRQ_RIGHTS, &h);

	if (err) {
		irq_object_abandon(irq);
		return -(int64_t)err;
	}
	kobject_put(&irq->obj);
	return (int64_t)h;
}

static void irq_info_fill(const struct irq_object *irq,
			  struct irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->type = irq->type;
	info->cpu = irq->cpu;
	info->vector = irq->vector;
	if (irq->type == IRQ_TYPE_LINE) {
		info->gsi = irq->gsi;
	} else {
		/* Fixed delivery, edge, physical destination: the Intel
		 * SDM's "Message Address/Data Register Format". */
		info->msi_address = IRQ_MSI_ADDRESS |
				    (percpu_all[irq->cpu]->apic_id << 12);
		info->msi_data = irq->vector;
	}
}

int64_t sys_irq_create(SYSCALL_ARGS)
{
	bool level = a1 & IRQ_LEVEL, low = a1 & IRQ_ACTIVE_LOW;
	struct irq_object *irq;
	uint32_t gsi;
	err_t err;

	if (!process_current()->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	if (a1 & ~(uint64_t)(IRQ_ISA | IRQ_LEVEL | IRQ_ACTIVE_LOW | IRQ_CPU)) {
		return -(int64_t)ERR_INVALID;
	}
	if ((a1 & IRQ_ISA) && a0 >= 16) {
		return -(int64_t)ERR_RANGE;
	}
	if (a0 >= IRQ_GSI_MAX) {
		return -(int64_t)ERR_RANGE;
	}
	gsi = (a1 & IRQ_ISA) ? ioapic_isa_gsi((unsigned)a0, &level, &low)
			     : (uint32_t)a0;
	if (gsi >= IRQ_GSI_MAX) {
		return -(int64_t)ERR_RANGE;
	}
	if ((a1 & IRQ_CPU) && (a2 >= PERCPU_MAX || !irq_cpu_is_usable(
							   (unsigned)a2))) {
		return -(int64_t)ERR_RANGE;
	}
	irq = irq_object_create(IRQ_TYPE_LINE);
	if (!irq) {
		return -(int64_t)ERR_NO_MEMORY;
	}
	irq->gsi = gsi;
	spin_lock(&irq_lines_lock);
	err = irq_lines[gsi] ? ERR_BUSY : ERR_OK;
	if (!err) {
		irq_lines[gsi] = irq;
		irq->line_claimed = true;
	}
	spin_unlock(&irq_lines_lock);
	if (!err) {
		err = irq_vector_alloc(irq, !(a1 & IRQ_CPU), (unsigned)a2);
	}
	if (!err) {
		err = ioapic_route(gsi, irq->vector,
				   percpu_all[irq->cpu]->apic_id, level, low);
	}
	if (err) {
		irq_object_abandon(irq);
		return -(int64_t)err;
	}
	return irq_object_publish(irq);
}

int64_t sys_irq_create_msi(SYSCALL_ARGS)
{
	struct irq_object *irq;
	struct irq_info info;
	err_t err;

	if (!process_current()->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	if (a0 & ~(uint64_t)IRQ_CPU) {
		return -(int64_t)ERR_INVALID;
	}
	if ((a0 & IRQ_CPU) && (a1 >= PERCPU_MAX || !irq_cpu_is_usable(
							   (unsigned)a1))) {
		return -(int64_t)ERR_RANGE;
	}
	irq = irq_object_create(IRQ_TYPE_MSI);
	if (!irq) {
		return -(int64_t)ERR_NO_MEMORY;
	}
	err = irq_vector_alloc(irq, !(a0 & IRQ_CPU), (unsigned)a1);
	if (!err) {
		irq_info_fill(irq, &info);
		err = uaccess_copy_out(a2, &info, sizeof(info));
	}
	if (err) {
		irq_object_abandon(irq);
		return -(int64_t)err;
	}
	return irq_object_publish(irq);
}

int64_t sys_irq_info(SYSCALL_ARGS)
{
	struct kobject *obj;
	struct irq_info info;
	err_t err;

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&process_current()->handles, (handle_t)a0,
			 OBJECT_IRQ, 0, &obj, NULL);
	if (err) {
		return -(int64_t)err;
	}
	irq_info_fill(container_of(obj, struct irq_object, obj), &info);
	kobject_put(obj);
	return -(int64_t)uaccess_copy_out(a1, &info, sizeof(info));
}

int64_t sys_irq_ack(SYSCALL_ARGS)
{
	struct kobject *obj;
	struct irq_object *irq;
	err_t err;

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&process_current()->handles, (handle_t)a0,
			 OBJECT_IRQ, RIGHT_WAIT, &obj, NULL);
	if (err) {
		return -(int64_t)err;
	}
	irq = container_of(obj, struct irq_object, obj);
	/* The kernel never masks a message-signalled interrupt: what came
	 * in since the last wait is counted and completes the next one. */
	if (irq->type == IRQ_TYPE_LINE) {
		err = ioapic_mask(irq->gsi, false);
	}
	kobject_put(obj);
	return -(int64_t)err;
}

static void ioport_destroy(struct kobject *obj)
{
	kfree(container_of(obj, struct ioport_object, obj));
}

static const struct kobject_ops ioport_kobject_ops = {
	.destroy = ioport_destroy,
};

int64_t sys_ioport_create(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct ioport_object *io;
	handle_t h;
	err_t err;

	if (!p->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	if (a1 == 0 || a0 > 0xffff || a1 > 0x10000 - a0) {
		return -(int64_t)ERR_RANGE;
	}
	io = kzalloc(sizeof(*io));
	if (!io) {
		return -(int64_t)ERR_NO_MEMORY;
	}
	kobject_init(&io->obj, OBJECT_IO_PORTS, &ioport_kobject_ops);
	io->base = (uint16_t)a0;
	io->count = (uint32_t)a1;
	err = handle_insert(&p->handles, &io->obj,
			    RIGHT_READ | RIGHT_WRITE | RIGHT_DUPLICATE |
				    RIGHT_TRANSFER,
			    &h);
	kobject_put(&io->obj);
	return err ? -(int64_t)err : (int64_t)h;
}

int64_t sys_ioport_enable(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct ioport_object *io;
	struct kobject *obj;
	uint8_t *fresh = NULL;
	bool was;
	err_t err;

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&p->handles, (handle_t)a0, OBJECT_IO_PORTS,
			 RIGHT_READ | RIGHT_WRITE, &obj, NULL);
	if (err) {
		return -(int64_t)err;
	}
	io = container_of(obj, struct ioport_object, obj);
	if (!p->iobitmap) {
		fresh = kmalloc(GDT_IOMAP_BYTES);
		if (!fresh) {
			kobject_put(obj);
			return -(int64_t)ERR_NO_MEMORY;
		}
		memset(fresh, 0xff, GDT_IOMAP_BYTES);
	}
	spin_lock(&p->lock);
	if (!p->iobitmap) {
		p->iobitmap = fresh;
		fresh = NULL;
	}
	for (uint32_t port = io->base; port < io->base + io->count; port++) {
		p->iobitmap[port / 8] &= (uint8_t)~(1u << (port % 8));
	}
	p->iobitmap_version++;
	spin_unlock(&p->lock);
	kfree(fresh);
	kobject_put(obj);
	/* Other threads of the process pick it up at their next switch. */
	was = cpu_irq_save();
	gdt_load_iomap(process_iomap_key(p), p->iobitmap);
	cpu_irq_restore(was);
	return 0;
}
