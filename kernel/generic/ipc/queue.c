/*
 * Completion queues (see queue.h and abi/keel/queue.h).
 *
 * Locking: q->lock guards the rings, the kernel's indices and the request
 * lists; it is taken from interrupt context (timer callbacks), so it is a
 * spinlock and nothing under it sleeps. Waiters sleep on q->waiters,
 * woken after a completion is posted and q->lock released. A request
 * holds a reference to its queue, dropped when the request is released,
 * always outside q->lock.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/paging.h>
#include <base/string.h>
#include <ipc/queue.h>
#include <ipc/stream.h>
#include <irq/irq.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <syscall/syscall.h>
#include <time/clock.h>
#include <time/timer.h>
#include <user/process.h>
#include <user/supervise.h>
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

/* Posts @req's completion or parks it on the overflow list. Returns true
 * when the record is done with (the caller releases it after dropping
 * q->lock). q->lock held. */
static bool finish_locked(struct queue *q, struct queue_request *req)
{
	req->completed = true;
	list_remove(&req->link);
	if (post_locked(q, &req->cqe)) {
		return true;
	}
	list_add_tail(&q->overflow, &req->link);
	q->overflow_count++;
	q->header->cq_overflow = q->overflow_count;
	return false;
}

static void request_release(struct queue_request *req)
{
	struct queue *q = req->queue;

	req->ops->release(req);
	kobject_put(&q->obj);
}

/* Moves parked completions into the ring as room allows; the records
 * posted go onto @done. q->lock held. */
static void flush_overflow_locked(struct queue *q, struct list_node *done)
{
	while (!list_is_empty(&q->overflow)) {
		struct queue_request *req = container_of(
			q->overflow.next, struct queue_request, link);

		if (!post_locked(q, &req->cqe)) {
			break;
		}
		list_remove(&req->link);
		list_add_tail(done, &req->link);
		q->overflow_count--;
	}
	q->header->cq_overflow = q->overflow_count;
}

static void release_list(struct list_node *done)
{
	struct list_node *n;

	while ((n = list_pop_head(done))) {
		request_release(container_of(n, struct queue_request, link));
	}
}

/* Posts what waits in the overflow list, as far as the ring has room
 * (the process makes room between calls). No lock held. */
static void flush_overflow(struct queue *q)
{
	struct list_node done;

	list_init(&done);
	spin_lock(&q->lock);
	flush_overflow_locked(q, &done);
	spin_unlock(&q->lock);
	release_list(&done);
}

void queue_request_start(struct queue *q, struct queue_request *req,
			 const struct queue_sqe *sqe,
			 const struct queue_request_ops *ops)
{
	req->queue = q;
	req->ops = ops;
	req->completed = false;
	req->cqe = (struct queue_cqe){ .context = sqe->context };
	kobject_get(&q->obj);
	spin_lock(&q->lock);
	list_add_tail(&q->pending, &req->link);
	spin_unlock(&q->lock);
}

bool queue_request_complete(struct queue_request *req, int64_t result,
			    uint64_t value)
{
	struct queue *q = req->queue;
	bool release;

	spin_lock(&q->lock);
	if (req->completed) {
		spin_unlock(&q->lock);
		return false;
	}
	req->cqe.result = result;
	req->cqe.value = value;
	release = finish_locked(q, req);
	spin_unlock(&q->lock);
	waitq_wake_all(&q->waiters);
	if (release) {
		request_release(req);
	}
	return true;
}

/* Immediate completions that find the ring full park in one of these. */
static void plain_release(struct queue_request *req)
{
	kfree(req);
}

static const struct queue_request_ops plain_request_ops = {
	.cancel = NULL,
	.release = plain_release,
};

/* QUEUE_OP_TIMER. */
struct timer_request {
	struct queue_request req;
	struct timer timer;
};

static void timer_request_fired(struct timer *timer)
{
	struct timer_request *tr = timer->ctx;

	queue_request_complete(&tr->req, 0, clock_ns());
}

static bool timer_request_cancel(struct queue_request *req)
{
	return timer_cancel(
		&container_of(req, struct timer_request, req)->timer);
}

static void timer_request_release(struct queue_request *req)
{
	kfree(container_of(req, struct timer_request, req));
}

static const struct queue_request_ops timer_request_ops = {
	.cancel = timer_request_cancel,
	.release = timer_request_release,
};

static enum queue_submit op_timer(struct queue *q, const struct queue_sqe *sqe,
				  struct queue_cqe *cqe)
{
	struct timer_request *tr = kzalloc(sizeof(*tr));

	if (!tr) {
		cqe->result = -(int64_t)ERR_NO_MEMORY;
		return QUEUE_SUBMIT_DONE;
	}
	timer_init(&tr->timer, timer_request_fired, tr);
	queue_request_start(q, &tr->req, sqe, &timer_request_ops);
	timer_arm(&tr->timer, sqe->arg[0]);
	return QUEUE_SUBMIT_PENDING;
}

static enum queue_submit op_nop(struct queue *q, const struct queue_sqe *sqe,
				struct queue_cqe *cqe)
{
	cqe->result = (int64_t)(sqe->arg[0] & INT64_MAX);
	return QUEUE_SUBMIT_DONE;
}

/* QUEUE_OP_CANCEL: completes the pending request with context arg[0]
 * with ERR_CANCELLED, if it can still be stopped. */
static enum queue_submit op_cancel(struct queue *q, const struct queue_sqe *sqe,
				   struct queue_cqe *cqe)
{
	struct queue_request *found = NULL;
	struct list_node *pos;
	bool release = false;

	spin_lock(&q->lock);
	list_for_each(pos, &q->pending) {
		struct queue_request *req =
			container_of(pos, struct queue_request, link);

		if (req->cqe.context == sqe->arg[0] && !req->completed) {
			found = req;
			break;
		}
	}
	if (found && found->ops->cancel && found->ops->cancel(found)) {
		found->cqe.result = -(int64_t)ERR_CANCELLED;
		found->cqe.value = 0;
		release = finish_locked(q, found);
		cqe->result = 0;
	} else {
		found = NULL;
		cqe->result = -(int64_t)ERR_NOT_FOUND;
	}
	spin_unlock(&q->lock);
	if (found) {
		waitq_wake_all(&q->waiters);
	}
	if (release) {
		request_release(found);
	}
	return QUEUE_SUBMIT_DONE;
}

typedef enum queue_submit (*queue_op_fn)(struct queue *q,
					 const struct queue_sqe *sqe,
					 struct queue_cqe *cqe);

static const queue_op_fn queue_ops[QUEUE_OP_COUNT] = {
	[QUEUE_OP_NOP] = op_nop,
	[QUEUE_OP_TIMER] = op_timer,
	[QUEUE_OP_CANCEL] = op_cancel,
	[QUEUE_OP_STREAM_SEND] = stream_op_send,
	[QUEUE_OP_STREAM_RECV] = stream_op_recv,
	[QUEUE_OP_SUPERVISE] = supervise_op_wait,
	[QUEUE_OP_IRQ_WAIT] = irq_op_wait,
};

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

/* Sleeps until @min completions are in the ring or @timeout_ns passed,
 * or a stop request or a kill interrupts it (*@interrupted). Returns
 * false on timeout or interruption. */
static bool wait_completions(struct queue *q, uint32_t min,
			     uint64_t timeout_ns, bool *interrupted)
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
	for (;;) {
		flush_overflow(q);
		spin_lock(&q->waiters.lock);
		enough = cq_used(q) >= min;
		if (enough || w.timed_out || q->dead || *interrupted) {
			spin_unlock(&q->waiters.lock);
			break;
		}
		*interrupted = waitq_wait_interruptible_locked(&q->waiters);
	}
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
	uint32_t n = 0;
	bool posted = false, interrupted = false;
	err_t err = ERR_OK;

	if (min_complete > q->cq_entries) {
		return ERR_INVALID;
	}
	list_init(&done);
	flush_overflow(q);
	while (n < to_submit) {
		struct queue_sqe sqe;
		struct queue_cqe cqe;
		uint32_t avail;

		/* A record for an immediate completion that finds the ring
		 * full; allocated before the entry is consumed. */
		if (!spare && !(spare = kmalloc(sizeof(*spare)))) {
			break;
		}
		spin_lock(&q->lock);
		flush_overflow_locked(q, &done);
		avail = q->header->sq_tail - q->sq_head;
		if (avail > q->sq_entries) {
			spin_unlock(&q->lock);
			err = ERR_CORRUPT;
			break;
		}
		if (avail == 0 || q->dead || cq_used(q) >= q->cq_entries) {
			spin_unlock(&q->lock);
			break;
		}
		sqe = q->sqes[q->sq_head & (q->sq_entries - 1)];
		q->sq_head++;
		q->header->sq_head = q->sq_head;
		spin_unlock(&q->lock);
		n++;

		cqe = (struct queue_cqe){ .context = sqe.context };
		if (sqe.flags || sqe.reserved || sqe.op >= QUEUE_OP_COUNT ||
		    !queue_ops[sqe.op]) {
			cqe.result = -(int64_t)ERR_INVALID;
		} else if (queue_ops[sqe.op](q, &sqe, &cqe) ==
			   QUEUE_SUBMIT_PENDING) {
			continue;
		}
		spin_lock(&q->lock);
		if (!post_locked(q, &cqe)) {
			spare->queue = q;
			spare->ops = &plain_request_ops;
			spare->cqe = cqe;
			spare->completed = true;
			kobject_get(&q->obj);
			list_add_tail(&q->overflow, &spare->link);
			q->overflow_count++;
			q->header->cq_overflow = q->overflow_count;
			spare = NULL;
		}
		spin_unlock(&q->lock);
		posted = true;
	}
	kfree(spare);
	release_list(&done);
	if (posted) {
		waitq_wake_all(&q->waiters);
	}
	if (err) {
		return err;
	}
	*submitted = n;
	if (!wait_completions(q, min_complete, timeout_ns, &interrupted) &&
	    n == 0) {
		return interrupted ? ERR_INTERRUPTED : ERR_TIMED_OUT;
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
		struct queue_request *req =
			container_of(pos, struct queue_request, link);

		if (req->ops->cancel && !req->ops->cancel(req)) {
			continue; /* completing now: its completer releases it */
		}
		req->completed = true;
		list_remove(&req->link);
		list_add_tail(&done, &req->link);
	}
	while (!list_is_empty(&q->overflow)) {
		list_add_tail(&done, list_pop_head(&q->overflow));
	}
	q->overflow_count = 0;
	spin_unlock(&q->lock);
	waitq_wake_all(&q->waiters);
	release_list(&done);
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
