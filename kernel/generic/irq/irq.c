/*
 * IRQ and I/O port objects (see irq.h).
 *
 * Locking: each IRQ object's spinlock guards its count and waiters; the
 * interrupt handler takes it. The table of lines is guarded by irq_lock.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <handle/handle.h>
#include <irq/irq.h>
#include <keel/syscall.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <smp/percpu.h>
#include <syscall/syscall.h>
#include <user/process.h>

#define LOG_SUBSYS "irq"

struct irq_object {
	struct kobject obj;
	struct spinlock lock;
	uint32_t gsi;
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

static struct spinlock irq_lock = SPINLOCK_INIT;
static struct irq_object *irq_lines[TRAP_IRQ_COUNT];

static void irq_fired(struct trap_frame *frame)
{
	uint32_t gsi = (uint32_t)frame->vector - TRAP_IRQ_BASE;
	struct irq_object *irq;
	struct irq_request *r = NULL;
	uint64_t count = 0;

	spin_lock(&irq_lock);
	irq = gsi < TRAP_IRQ_COUNT ? irq_lines[gsi] : NULL;
	if (irq) {
		kobject_get(&irq->obj);
	}
	spin_unlock(&irq_lock);
	if (!irq) {
		return;
	}
	ioapic_mask(gsi, true); /* until the driver acknowledges */
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
		queue_request_complete(&r->req, (int64_t)count, gsi);
	}
	kobject_put(&irq->obj);
}

static void irq_last_handle(struct kobject *obj)
{
	struct irq_object *irq = container_of(obj, struct irq_object, obj);
	struct list_node *n, rest;

	ioapic_mask(irq->gsi, true);
	spin_lock(&irq_lock);
	irq_lines[irq->gsi] = NULL;
	spin_unlock(&irq_lock);
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
		queue_request_complete(&r->req, (int64_t)count, irq->gsi);
	}
	return QUEUE_SUBMIT_PENDING;
}

int64_t sys_irq_create(SYSCALL_ARGS)
{
	struct process *p = process_current();
	bool level = a1 & IRQ_LEVEL, low = a1 & IRQ_ACTIVE_LOW;
	struct irq_object *irq;
	uint32_t gsi;
	handle_t h;
	err_t err;

	if (!p->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	if (a1 & ~(uint64_t)(IRQ_ISA | IRQ_LEVEL | IRQ_ACTIVE_LOW)) {
		return -(int64_t)ERR_INVALID;
	}
	if ((a1 & IRQ_ISA) && a0 >= 16) {
		return -(int64_t)ERR_RANGE;
	}
	gsi = (a1 & IRQ_ISA) ? ioapic_isa_gsi((unsigned)a0, &level, &low)
			     : (uint32_t)a0;
	if (a0 >= TRAP_IRQ_COUNT || gsi >= TRAP_IRQ_COUNT) {
		return -(int64_t)ERR_RANGE;
	}
	irq = kzalloc(sizeof(*irq));
	if (!irq) {
		return -(int64_t)ERR_NO_MEMORY;
	}
	kobject_init(&irq->obj, OBJECT_IRQ, &irq_kobject_ops);
	spin_init(&irq->lock);
	list_init(&irq->waiters);
	irq->gsi = gsi;
	spin_lock(&irq_lock);
	err = irq_lines[gsi] ? ERR_BUSY : ERR_OK;
	if (!err) {
		irq_lines[gsi] = irq;
	}
	spin_unlock(&irq_lock);
	if (err) {
		kfree(irq);
		return -(int64_t)err;
	}
	trap_set_handler(TRAP_IRQ_BASE + gsi, irq_fired);
	err = ioapic_route(gsi, (uint8_t)(TRAP_IRQ_BASE + gsi),
			   percpu_all[0]->apic_id, level, low);
	if (!err) {
		err = handle_insert(&p->handles, &irq->obj,
				    RIGHT_WAIT | RIGHT_DUPLICATE |
					    RIGHT_TRANSFER,
				    &h);
	}
	if (err) {
		kobject_handle_opened(&irq->obj); /* undo the line, too */
		kobject_handle_closed(&irq->obj);
	}
	kobject_put(&irq->obj);
	return err ? -(int64_t)err : (int64_t)h;
}

int64_t sys_irq_ack(SYSCALL_ARGS)
{
	struct kobject *obj;
	err_t err;

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&process_current()->handles, (handle_t)a0,
			 OBJECT_IRQ, RIGHT_WAIT, &obj, NULL);
	if (err) {
		return -(int64_t)err;
	}
	err = ioapic_mask(container_of(obj, struct irq_object, obj)->gsi,
			  false);
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
