/*
 * Completion queues (see queue.h and abi/keel/queue.h).
 *
 * Locking: q->lock guards the rings, the kernel's indices, the request
 * lists and the waiters; it is taken from interrupt context (timer
 * callbacks), so it is a spinlock and nothing under it sleeps. Waiters
 * are woken under it, right after the post that satisfies them (the
 * scheduler's run-queue locks nest inside it). A request holds a
 * reference to its queue, dropped when the request is released, always
 * outside q->lock.
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
#include <sched/sched.h>
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

/* Whether a request's completion fits: the slots held by entries being
 * submitted are not for it. q->lock held. */
static bool cq_has_room(const struct queue *q)
{
	return cq_used(q) + q->cq_reserved < q->cq_entries;
}

/* Writes @cqe (and, in a wide queue, the inline payload: @len bytes at
 * @data, none when @data is NULL) into the next slot; the caller made
 * sure there is room. q->lock held. */
static void write_cqe_locked(struct queue *q, const struct queue_cqe *cqe,
			     const void *data, uint32_t len)
{
	uint8_t *slot = q->cqes + (size_t)(q->cq_tail & (q->cq_entries - 1)) *
					  q->cq_entry_size;
	struct queue_cqe *out = (struct queue_cqe *)slot;

	*out = *cqe;
	if (data && queue_is_wide(q)) {
		memcpy(slot + sizeof(*cqe), data, len);
		out->flags |= QUEUE_CQE_INLINE;
	} else {
		out->flags &= ~(uint32_t)QUEUE_CQE_INLINE;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->cq_tail++;
	q->header->cq_tail = q->cq_tail;
}

/* Wakes the threads in queue_enter whose wait is over. q->lock held. */
static void wake_waiters_locked(struct queue *q)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &q->waiters) {
		struct queue_waiter *w =
			container_of(pos, struct queue_waiter, link);

		if (q->dead || cq_used(q) >= w->min) {
			list_remove(&w->link);
			sched_wakeup_sync(w->thread);
		}
	}
}

/* Posts @req's completion (or drops it: QUEUE_SQE_SKIP_SUCCESS), or parks
 * it on the overflow list. Returns true when the record is done with (the
 * caller releases it after dropping q->lock). q->lock held. */
static bool finish_locked(struct queue *q, struct queue_request *req)
{
	req->completed = true;
	list_remove(&req->link);
	if (req->skip_success && req->cqe.result >= 0) {
		return true;
	}
	if (cq_has_room(q)) {
		write_cqe_locked(q, &req->cqe, req->data, req->data_len);
		return true;
	}
	list_add_tail(&q->overflow, &req->link);
	q->overflow_count++;
	q->header->cq_overflow = q->overflow_count;
	return false;
}

void queue_request_put(struct queue_request *req)
{
	struct queue *q = req->queue;

	if (__atomic_sub_fetch(&req->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		req->ops->release(req);
		kobject_put(&q->obj);
	}
}

/* Moves parked completions into the ring as room allows; the records
 * posted go onto @done. q->lock held. */
static void flush_overflow_locked(struct queue *q, struct list_node *done)
{
	while (!list_is_empty(&q->overflow) && cq_has_room(q)) {
		struct queue_request *req = container_of(
			q->overflow.next, struct queue_request, link);

		write_cqe_locked(q, &req->cqe, req->data, req->data_len);
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
		queue_request_put(container_of(n, struct queue_request, link));
	}
}

void *queue_request_alloc(struct queue *q)
{
	void *block = __atomic_exchange_n(&q->spare_block, NULL,
					  __ATOMIC_ACQ_REL);

	return block ? block : kmalloc(QUEUE_REQUEST_BLOCK);
}

void queue_request_free(struct queue *q, void *block)
{
	kfree(__atomic_exchange_n(&q->spare_block, block, __ATOMIC_ACQ_REL));
}

void queue_request_start(struct queue *q, struct queue_request *req,
			 const struct queue_sqe *sqe,
			 const struct queue_request_ops *ops)
{
	req->queue = q;
	req->ops = ops;
	req->completed = false;
	req->refs = 1;
	req->skip_success = sqe->flags & QUEUE_SQE_SKIP_SUCCESS;
	req->multishot = sqe->flags & QUEUE_SQE_MULTISHOT;
	req->data = NULL;
	req->data_len = 0;
	req->cqe = (struct queue_cqe){ .context = sqe->context };
	kobject_get(&q->obj);
	spin_lock(&q->lock);
	list_add_tail(&q->pending, &req->link);
	spin_unlock(&q->lock);
}

bool queue_request_complete_data(struct queue_request *req, int64_t result,
				 uint64_t value, const void *data,
				 uint32_t len)
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
	req->data = len <= QUEUE_INLINE_MAX ? data : NULL;
	req->data_len = len;
	release = finish_locked(q, req);
	wake_waiters_locked(q);
	spin_unlock(&q->lock);
	if (release) {
		queue_request_put(req);
	}
	return true;
}

enum queue_post queue_request_post(struct queue_request *req, int64_t result,
				   uint64_t value, const void *data,
				   uint32_t len, void *keep)
{
	struct queue *q = req->queue;
	struct queue_cqe cqe;
	bool release;

	spin_lock(&q->lock);
	if (req->completed) {
		spin_unlock(&q->lock);
		return QUEUE_POST_GONE;
	}
	if (cq_has_room(q)) {
		cqe = (struct queue_cqe){ .context = req->cqe.context,
					  .result = result,
					  .value = value,
					  .flags = QUEUE_CQE_MORE };
		write_cqe_locked(q, &cqe, data, len);
		wake_waiters_locked(q);
		spin_unlock(&q->lock);
		return QUEUE_POST_MORE;
	}
	/* No room: this completion is its last (lock order: the cancel
	 * hook takes the subsystem's lock inside q->lock). */
	if (req->ops->cancel) {
		req->ops->cancel(req);
	}
	if (data) {
		memcpy(keep, data, len);
	}
	req->cqe.result = result;
	req->cqe.value = value;
	req->data = data ? keep : NULL;
	req->data_len = len;
	release = finish_locked(q, req);
	wake_waiters_locked(q);
	spin_unlock(&q->lock);
	if (release) {
		queue_request_put(req);
	}
	return QUEUE_POST_ENDED;
}

bool queue_request_complete(struct queue_request *req, int64_t result,
			    uint64_t value)
{
	return queue_request_complete_data(req, result, value, NULL, 0);
}

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
		found->data = NULL;
		release = finish_locked(q, found);
		wake_waiters_locked(q);
		cqe->result = 0;
	} else {
		found = NULL;
		cqe->result = -(int64_t)ERR_NOT_FOUND;
	}
	spin_unlock(&q->lock);
	if (release) {
		queue_request_put(found);
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
	[QUEUE_OP_THREAD_RESUME] = supervise_op_resume,
};

err_t queue_create(struct process *proc, uint32_t sq_entries,
		   uint32_t cq_entries, uint32_t flags, struct queue **out,
		   uaddr_t *addr)
{
	uint32_t cq_entry_size = flags & QUEUE_CREATE_WIDE
					 ? sizeof(struct queue_cqe_wide)
					 : sizeof(struct queue_cqe);
	size_t size;
	unsigned order = 0;
	struct queue *q;
	err_t err;

	if (!is_pow2(sq_entries) || !is_pow2(cq_entries) ||
	    sq_entries > QUEUE_MAX_ENTRIES || cq_entries > QUEUE_MAX_ENTRIES ||
	    (flags & ~(uint32_t)QUEUE_CREATE_WIDE)) {
		return ERR_INVALID;
	}
	size = QUEUE_HEADER_SIZE + sq_entries * sizeof(struct queue_sqe) +
	       (size_t)cq_entries * cq_entry_size;
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
	list_init(&q->waiters);
	q->ring_order = order;
	q->sq_entries = sq_entries;
	q->cq_entries = cq_entries;
	q->cq_entry_size = cq_entry_size;
	q->header = phys_to_virt(q->ring_phys);
	q->header->sq_entries = sq_entries;
	q->header->cq_entries = cq_entries;
	q->header->cq_entry_size = cq_entry_size;
	q->header->sq_offset = QUEUE_HEADER_SIZE;
	q->header->cq_offset = QUEUE_HEADER_SIZE +
			       sq_entries * sizeof(struct queue_sqe);
	q->sqes = (struct queue_sqe *)((uint8_t *)q->header +
				       q->header->sq_offset);
	q->cqes = (uint8_t *)q->header + q->header->cq_offset;
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
	struct queue_waiter w;
	struct queue *q;
	bool timed_out;		/* q->lock; the timer is done with us */
};

/* The timeout of a wait (any context). */
static void enter_timeout(struct timer *timer)
{
	struct enter_wait *ew = timer->ctx;
	struct queue *q = ew->q;

	spin_lock(&q->lock);
	if (list_is_linked(&ew->w.link)) {
		list_remove(&ew->w.link);
		sched_wakeup(ew->w.thread);
	}
	ew->timed_out = true;
	spin_unlock(&q->lock);
}

/* The wait of wait_completions: called and returns with q->lock held;
 * records parked completions it posted on @done. */
static bool wait_locked(struct queue *q, struct enter_wait *ew,
			struct list_node *done)
{
	for (;;) {
		if (!list_is_empty(&q->overflow)) {
			flush_overflow_locked(q, done);
		}
		if (cq_used(q) >= ew->w.min) {
			return true;
		}
		if (ew->timed_out || q->dead) {
			return false;
		}
		list_add_tail(&q->waiters, &ew->w.link);
		ew->w.thread->state = THREAD_STATE_BLOCKED;
		sched_block(&q->lock);
		spin_lock(&q->lock);
		/* Woken otherwise (kill): still linked. */
		list_remove(&ew->w.link);
	}
}

/* Sleeps until @min completions are in the ring or @timeout_ns passed;
 * q->lock held by the caller when @locked (and no timeout), released on
 * return. Returns false on timeout. Ends the caller's hand-off window
 * (it blocks, or it does not and the remembered thread is woken). */
static bool wait_completions(struct queue *q, uint32_t min,
			     uint64_t timeout_ns, bool locked)
{
	struct enter_wait ew;
	struct list_node done;
	struct timer timer;
	bool armed = false;
	bool enough;

	ew.w.thread = sched_current();
	ew.w.min = min;
	ew.q = q;
	ew.timed_out = false;
	list_init(&ew.w.link);
	list_init(&done);
	if (timeout_ns != UINT64_MAX) {
		timer_init(&timer, enter_timeout, &ew);
		timer_arm(&timer, clock_ns() + timeout_ns);
		armed = true;
	}
	if (!locked) {
		spin_lock(&q->lock);
	}
	enough = wait_locked(q, &ew, &done);
	spin_unlock(&q->lock);
	sched_handoff_flush(); /* when it never blocked */
	if (!list_is_empty(&done)) {
		release_list(&done);
	}
	if (armed && !timer_cancel(&timer)) {
		/* It fired: wait until its callback is out of our frame. */
		spin_lock(&q->lock);
		while (!ew.timed_out) {
			spin_unlock(&q->lock);
			cpu_pause();
			spin_lock(&q->lock);
		}
		spin_unlock(&q->lock);
	}
	return enough;
}

/* Runs one submitted entry's handler. */
static enum queue_submit submit_one(struct queue *q,
				    const struct queue_sqe *sqe,
				    struct queue_cqe *cqe)
{
	uint32_t known = QUEUE_SQE_SKIP_SUCCESS | QUEUE_SQE_MULTISHOT;

	/* Only the ops that handle it take MULTISHOT, on a wide queue, and
	 * never with SKIP_SUCCESS. */
	if ((sqe->flags & ~known) || sqe->reserved ||
	    sqe->op >= QUEUE_OP_COUNT || !queue_ops[sqe->op] ||
	    ((sqe->flags & QUEUE_SQE_MULTISHOT) &&
	     (!queue_is_wide(q) || (sqe->flags & QUEUE_SQE_SKIP_SUCCESS) ||
	      (sqe->op != QUEUE_OP_SUPERVISE &&
	       sqe->op != QUEUE_OP_STREAM_RECV)))) {
		cqe->result = -(int64_t)ERR_INVALID;
		return QUEUE_SUBMIT_DONE;
	}
	return queue_ops[sqe->op](q, sqe, cqe);
}

err_t queue_enter(struct queue *q, uint32_t to_submit, uint32_t min_complete,
		  uint64_t timeout_ns, uint32_t *submitted)
{
	struct queue_completion c;
	struct list_node done;
	uint32_t n = 0;
	bool posted = false;
	err_t err = ERR_OK;

	if (min_complete > q->cq_entries) {
		return ERR_INVALID;
	}
	list_init(&done);
	/* Wake-ups done while submitting are handed the CPU when this
	 * thread then waits (sched.h). */
	if (min_complete) {
		sched_handoff_arm();
	}
	spin_lock(&q->lock);
	if (!list_is_empty(&q->overflow)) {
		flush_overflow_locked(q, &done);
	}
	while (n < to_submit) {
		struct queue_sqe sqe;
		uint32_t avail = q->header->sq_tail - q->sq_head;
		enum queue_submit r;

		if (avail > q->sq_entries) {
			err = ERR_CORRUPT;
			break;
		}
		/* No entry is consumed without a completion slot for it. */
		if (avail == 0 || q->dead ||
		    cq_used(q) + q->cq_reserved >= q->cq_entries) {
			break;
		}
		sqe = q->sqes[q->sq_head & (q->sq_entries - 1)];
		q->sq_head++;
		q->header->sq_head = q->sq_head;
		q->cq_reserved++;
		spin_unlock(&q->lock);
		n++;

		c.cqe = (struct queue_cqe){ .context = sqe.context };
		c.data_len = 0;
		r = submit_one(q, &sqe, &c.cqe);
		spin_lock(&q->lock);
		q->cq_reserved--;
		if (r == QUEUE_SUBMIT_DONE &&
		    !((sqe.flags & QUEUE_SQE_SKIP_SUCCESS) &&
		      c.cqe.result >= 0)) {
			bool inl = c.cqe.flags & QUEUE_CQE_INLINE;

			write_cqe_locked(q, &c.cqe, inl ? c.data : NULL,
					 c.data_len);
			posted = true;
		}
	}
	if (posted) {
		wake_waiters_locked(q);
	}
	/* Straight into the wait with the lock still held when there is
	 * nothing to release and no timer to arm. */
	if (!err && min_complete && timeout_ns == UINT64_MAX &&
	    list_is_empty(&done)) {
		*submitted = n;
		if (!wait_completions(q, min_complete, timeout_ns, true) &&
		    n == 0) {
			return ERR_TIMED_OUT; /* the queue died meanwhile */
		}
		return ERR_OK;
	}
	spin_unlock(&q->lock);
	release_list(&done);
	if (err) {
		sched_handoff_flush();
		return err;
	}
	*submitted = n;
	if (min_complete == 0) {
		return ERR_OK;
	}
	if (!wait_completions(q, min_complete, timeout_ns, false) && n == 0) {
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
	wake_waiters_locked(q);
	spin_unlock(&q->lock);
	release_list(&done);
}

static void queue_destroy(struct kobject *obj)
{
	struct queue *q = container_of(obj, struct queue, obj);

	pmm_free(q->ring_phys, q->ring_order);
	kfree(q->spare_block);
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

	if (a0 > QUEUE_MAX_ENTRIES || a1 > QUEUE_MAX_ENTRIES ||
	    (a3 & ~(uint64_t)QUEUE_CREATE_WIDE)) {
		return -(int64_t)ERR_INVALID;
	}
	if (!uaccess_range_ok(a2, sizeof(uint64_t))) {
		return -(int64_t)ERR_FAULT;
	}
	err = queue_create(p, (uint32_t)a0, (uint32_t)a1, (uint32_t)a3, &q,
			   &addr);
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
	struct kobject *obj;
	uint32_t submitted = 0;
	err_t err;

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get_own((handle_t)a0, OBJECT_QUEUE, RIGHT_WAIT, &obj);
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
