/*
 * Completion queues (see queue.h and abi/keel/queue.h).
 *
 * Locking: q->lock guards the rings, the kernel's indices and the op
 * lists; it is taken from interrupt context (timer callbacks), so it is a
 * spinlock and nothing under it sleeps. Waiters sleep on q->waiters; a
 * completion is posted under q->lock and the waiters are woken after it
 * is released. An op record holds a reference to its queue, dropped when
 * the record is freed, always outside q->lock.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/paging.h>
#include <base/string.h>
#include <ipc/queue.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <syscall/syscall.h>
#include <time/clock.h>
#include <user/process.h>
#include <user/uaccess.h>

#define LOG_SUBSYS "queue"
#define QUEUE_HEADER_SIZE sizeof(struct queue_header)

static void queue_destroy(struct kobject *obj);
static void queue_last_handle(struct kobject *obj);

static const struct kobject_ops queue_kobject_ops = {
	.destroy = queue_destroy,
	.on_last_handle = queue_last_handle,
};

static bool is_pow2(uint32_t n)
{
	return n && !(n & (n - 1));
}

/* Completions the process has not consumed yet, as far as the kernel can
 * tell (a corrupt cq_head counts as a full ring). */
static uint32_t cq_used(const struct queue *q)
{
	uint32_t used = q->cq_tail - q->header->cq_head;

	return used > q->cq_entries ? q->cq_entries : used;
}

/* Writes @cqe into the ring; false if the ring is full. q->lock held. */
static bool post_locked(struct queue *q, const struct queue_cqe *cqe)
{
	if (cq_used(q) >= q->cq_entries) {
		return false;
	}
	q->cqes[q->cq_tail & (q->cq_entries - 1)] = *cqe;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->cq_tail++;
	q->header->cq_tail = q->cq_tail;
	return true;
}

/* Completes pending @op: posts it or parks it on the overflow list.
 * Returns true when the record is done with (the caller frees it after
 * dropping q->lock). q->lock held. */
static bool complete_op_locked(struct queue *q, struct queue_request *op,
			       int64_t result, uint64_t value)
{
	list_remove(&op->link);
	op->cqe = (struct queue_cqe){ .context = op->context,
				      .result = result,
				      .value = value };
	if (post_locked(q, &op->cqe)) {
		return true;
	}
	list_add_tail(&q->overflow, &op->link);
	q->overflow_count++;
	q->header->cq_overflow = q->overflow_count;
	return false;
}

static void op_free(struct queue_request *op)
{
	struct queue *q = op->queue;

	kfree(op);
	kobject_put(&q->obj);
}

/* Moves parked completions into the ring as room allows; the records
 * posted go onto @done. q->lock held. */
static void flush_overflow_locked(struct queue *q, struct list_node *done)
{
	while (!list_is_empty(&q->overflow)) {
		struct queue_request *op = container_of(q->overflow.next,
						   struct queue_request, link);

		if (!post_locked(q, &op->cqe)) {
			break;
		}
		list_remove(&op->link);
		list_add_tail(done, &op->link);
		q->overflow_count--;
	}
	q->header->cq_overflow = q->overflow_count;
}

static void free_list(struct list_node *done)
{
	struct list_node *n;

	while ((n = list_pop_head(done))) {
		op_free(container_of(n, struct queue_request, link));
	}
}

static void op_timer_fired(struct timer *timer)
{
	struct queue_request *op = timer->ctx;
	struct queue *q = op->queue;
	bool done = false;

	spin_lock(&q->lock);
	if (list_is_linked(&op->link)) {
		done = complete_op_locked(q, op, 0, clock_ns());
	}
	spin_unlock(&q->lock);
	waitq_wake_all(&q->waiters);
	if (done) {
		op_free(op);
	}
}

/* Starts an op that completes later. q->lock held. */
static void submit_timer_locked(struct queue *q, const struct queue_sqe *sqe,
				struct queue_request *op)
{
	op->queue = q;
	op->context = sqe->context;
	op->op = sqe->op;
	kobject_get(&q->obj);
	list_add_tail(&q->pending, &op->link);
	timer_init(&op->timer, op_timer_fired, op);
	timer_arm(&op->timer, sqe->arg[0]);
}

/* Cancels the pending op with @context. Returns whether one was found
 * and cancelled; its record goes onto @done if finished. q->lock held. */
static bool cancel_locked(struct queue *q, uint64_t context,
			  struct list_node *done)
{
	struct list_node *pos;

	list_for_each(pos, &q->pending) {
		struct queue_request *op = container_of(pos, struct queue_request, link);

		if (op->context != context) {
			continue;
		}
		/* A timer that already fired is completing right now. */
		if (op->op == QUEUE_OP_TIMER && !timer_cancel(&op->timer)) {
			return false;
		}
		if (complete_op_locked(q, op, -(int64_t)ERR_CANCELLED, 0)) {
			list_add_tail(done, &op->link);
		}
		return true;
	}
	return false;
}

/* Handles one SQE. @spare is a preallocated record for ops that need
 * one; returns true if it was used. q->lock held. */
static bool submit_one_locked(struct queue *q, const struct queue_sqe *sqe,
			      struct queue_request *spare, struct list_node *done)
{
	struct queue_cqe cqe = { .context = sqe->context };

	if (sqe->flags || sqe->reserved || sqe->op >= QUEUE_OP_COUNT) {
		cqe.result = -(int64_t)ERR_INVALID;
	} else if (sqe->op == QUEUE_OP_NOP) {
		cqe.result = (int64_t)(sqe->arg[0] & INT64_MAX);
	} else if (sqe->op == QUEUE_OP_TIMER) {
		if (!spare) {
			cqe.result = -(int64_t)ERR_NO_MEMORY;
		} else {
			submit_timer_locked(q, sqe, spare);
			return true;
		}
	} else if (sqe->op == QUEUE_OP_CANCEL) {
		cqe.result = cancel_locked(q, sqe->arg[0], done)
				     ? 0
				     : -(int64_t)ERR_NOT_FOUND;
	}
	/* Room was checked by the caller. */
	post_locked(q, &cqe);
	return false;
}

err_t queue_create(struct process *proc, uint32_t sq_entries,
		   uint32_t cq_entries, struct queue **out, uaddr_t *addr)
{
	size_t size;
	unsigned order = 0;
	struct queue *q;
	err_t err;

	if (!is_pow2(sq_entries) || !is_pow2(cq_entries) ||
	    sq_entries > QUEUE_MAX_ENTRIES || cq_entries > QUEUE_MAX_ENTRIES) {
		return ERR_INVALID;
	}
	size = QUEUE_HEADER_SIZE + sq_entries * sizeof(struct queue_sqe) +
	       cq_entries * sizeof(struct queue_cqe);
	while ((PAGE_SIZE << order) < size) {
		order++;
	}
	q = kzalloc(sizeof(*q));
	if (!q) {
		return ERR_NO_MEMORY;
	}
	err = pmm_alloc(order, &q->ring_phys);
	if (err) {
		kfree(q);
		return err;
	}
	kobject_init(&q->obj, OBJECT_QUEUE, &queue_kobject_ops);
	spin_init(&q->lock);
	list_init(&q->pending);
	list_init(&q->overflow);
	waitq_init(&q->waiters);
	q->ring_order = order;
	q->sq_entries = sq_entries;
	q->cq_entries = cq_entries;
	q->header = phys_to_virt(q->ring_phys);
	q->header->sq_entries = sq_entries;
	q->header->cq_entries = cq_entries;
	q->header->sq_offset = QUEUE_HEADER_SIZE;
	q->header->cq_offset = QUEUE_HEADER_SIZE +
			       sq_entries * sizeof(struct queue_sqe);
	q->sqes = (struct queue_sqe *)((uint8_t *)q->header +
				       q->header->sq_offset);
	q->cqes = (struct queue_cqe *)((uint8_t *)q->header +
				       q->header->cq_offset);
	err = vm_map_frames(&proc->vm, q->ring_phys, 1ul << order,
			    VM_PROT_READ | VM_PROT_WRITE, &q->obj, addr);
	if (err) {
		kobject_put(&q->obj);
		return err;
	}
	*out = q;
	return ERR_OK;
}

struct enter_wait {
	bool timed_out;
	struct queue *q;
};

static void enter_timeout(struct timer *timer)
{
	struct enter_wait *w = timer->ctx;

	spin_lock(&w->q->waiters.lock);
	w->timed_out = true;
	waitq_wake_all_locked(&w->q->waiters);
	spin_unlock(&w->q->waiters.lock);
}

/* Sleeps until @min completions are in the ring or @timeout_ns passed.
 * Returns false on timeout. */
static bool wait_completions(struct queue *q, uint32_t min,
			     uint64_t timeout_ns)
{
	struct enter_wait w = { .timed_out = false, .q = q };
	struct timer timer;
	bool armed = false;
	bool enough;

	if (min == 0) {
		return true;
	}
	if (timeout_ns != UINT64_MAX) {
		timer_init(&timer, enter_timeout, &w);
		timer_arm(&timer, clock_ns() + timeout_ns);
		armed = true;
	}
	spin_lock(&q->waiters.lock);
	while (!(enough = cq_used(q) >= min) && !w.timed_out && !q->dead) {
		waitq_wait_locked(&q->waiters);
		spin_lock(&q->waiters.lock);
	}
	spin_unlock(&q->waiters.lock);
	if (armed && !timer_cancel(&timer)) {
		/* It fired: wait until its callback is out of our frame. */
		spin_lock(&q->waiters.lock);
		while (!w.timed_out) {
			spin_unlock(&q->waiters.lock);
			cpu_pause();
			spin_lock(&q->waiters.lock);
		}
		spin_unlock(&q->waiters.lock);
	}
	return enough;
}

err_t queue_enter(struct queue *q, uint32_t to_submit, uint32_t min_complete,
		  uint64_t timeout_ns, uint32_t *submitted)
{
	struct list_node done;
	struct queue_request *spare = NULL;
	uint32_t tail, avail, n = 0;
	bool posted = false;

	if (min_complete > q->cq_entries) {
		return ERR_INVALID;
	}
	list_init(&done);
	for (;;) {
		struct queue_sqe sqe;

		if (!spare) {
			spare = kzalloc(sizeof(*spare)); /* outside the lock */
		}
		spin_lock(&q->lock);
		flush_overflow_locked(q, &done);
		tail = q->header->sq_tail;
		avail = tail - q->sq_head;
		if (avail > q->sq_entries) {
			spin_unlock(&q->lock);
			kfree(spare);
			free_list(&done);
			return ERR_CORRUPT;
		}
		/* Every op may complete at once: keep one ring slot for it. */
		if (n == to_submit || avail == 0 || q->dead ||
		    cq_used(q) >= q->cq_entries) {
			spin_unlock(&q->lock);
			break;
		}
		sqe = q->sqes[q->sq_head & (q->sq_entries - 1)];
		q->sq_head++;
		q->header->sq_head = q->sq_head;
		if (submit_one_locked(q, &sqe, spare, &done)) {
			spare = NULL;
		}
		n++;
		posted = true;
		spin_unlock(&q->lock);
	}
	kfree(spare);
	free_list(&done);
	if (posted) {
		waitq_wake_all(&q->waiters);
	}
	*submitted = n;
	if (!wait_completions(q, min_complete, timeout_ns) && n == 0) {
		return ERR_TIMED_OUT;
	}
	return ERR_OK;
}

static void queue_last_handle(struct kobject *obj)
{
	struct queue *q = container_of(obj, struct queue, obj);
	struct list_node done;
	struct list_node *pos, *tmp;

	list_init(&done);
	spin_lock(&q->lock);
	q->dead = true;
	list_for_each_safe(pos, tmp, &q->pending) {
		struct queue_request *op = container_of(pos, struct queue_request, link);

		if (op->op == QUEUE_OP_TIMER && !timer_cancel(&op->timer)) {
			continue; /* firing now; its callback finishes it */
		}
		list_remove(&op->link);
		list_add_tail(&done, &op->link);
	}
	while (!list_is_empty(&q->overflow)) {
		struct list_node *n = list_pop_head(&q->overflow);

		list_add_tail(&done, n);
	}
	q->overflow_count = 0;
	spin_unlock(&q->lock);
	waitq_wake_all(&q->waiters);
	free_list(&done);
}

static void queue_destroy(struct kobject *obj)
{
	struct queue *q = container_of(obj, struct queue, obj);

	pmm_free(q->ring_phys, q->ring_order);
	kfree(q);
}

/* System calls. */

int64_t sys_queue_create(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct queue *q;
	uaddr_t addr;
	handle_t h;
	err_t err;

	if (a0 > QUEUE_MAX_ENTRIES || a1 > QUEUE_MAX_ENTRIES) {
		return -(int64_t)ERR_INVALID;
	}
	if (!uaccess_range_ok(a2, sizeof(uint64_t))) {
		return -(int64_t)ERR_FAULT;
	}
	err = queue_create(p, (uint32_t)a0, (uint32_t)a1, &q, &addr);
	if (err) {
		return -(int64_t)err;
	}
	err = uaccess_copy_out(a2, &addr, sizeof(addr));
	if (!err) {
		err = handle_insert(&p->handles, &q->obj,
				    RIGHTS_ALL & ~RIGHT_TRANSFER, &h);
	}
	kobject_put(&q->obj); /* the handle and the mapping hold it now */
	return err ? -(int64_t)err : (int64_t)h;
}

int64_t sys_queue_enter(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct kobject *obj;
	uint32_t submitted = 0;
	err_t err;

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&p->handles, (handle_t)a0, OBJECT_QUEUE, RIGHT_WAIT,
			 &obj, NULL);
	if (err) {
		return -(int64_t)err;
	}
	err = queue_enter(container_of(obj, struct queue, obj),
			  a1 > UINT32_MAX ? UINT32_MAX : (uint32_t)a1,
			  a2 > UINT32_MAX ? UINT32_MAX : (uint32_t)a2, a3,
			  &submitted);
	kobject_put(obj);
	return err ? -(int64_t)err : (int64_t)submitted;
}
