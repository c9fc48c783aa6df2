/*
 * Streams (see stream.h and abi/keel/stream.h).
 *
 * Data path: a send copies the message from the sender into a kernel
 * buffer (its own address space is current), then either queues it at the
 * peer or hands it to a matching receive, which is completed by copying
 * into the receiver's address space (vm_copy_to) from the sender's
 * thread. A handle sent along leaves the sender's table at once and
 * enters the receiver's when the message is received.
 * TODO(#3): copy large messages straight between the two address spaces
 * when a receive is already waiting, and carry small ones inline in the
 * completion.
 */
#include <base/string.h>
#include <handle/handle.h>
#include <ipc/stream.h>
#include <keel/stream.h>
#include <keel/syscall.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/vm.h>
#include <syscall/syscall.h>
#include <user/process.h>
#include <user/uaccess.h>

#define LOG_SUBSYS "stream"

struct stream_side {
	bool closed;			/* its endpoint's last handle is gone */
	struct list_node inbox;		/* messages sent to this side */
	uint64_t inbox_bytes;
	struct list_node receivers;	/* this side's pending receives */
};

struct stream {
	struct spinlock lock;
	uint32_t live_endpoints;	/* atomic: frees the stream at 0 */
	uint64_t next_conversation;
	struct stream_side sides[2];
};

struct stream_endpoint {
	struct kobject obj;
	struct stream *stream;
	unsigned side;
};

struct stream_msg {
	struct list_node link;
	uint64_t conversation;
	bool opens;			/* first message of its conversation */
	uint64_t sender;		/* process id */
	struct kobject *handle;		/* transferred object, or NULL */
	uint32_t rights;
	size_t length;
	uint8_t data[];
};

struct stream_recv {
	struct queue_request req;
	struct list_node link;		/* side->receivers, stream lock */
	bool linked;
	struct stream_endpoint *ep;	/* holds a reference */
	struct process *proc;		/* the receiver, referenced */
	uint64_t conversation;
	uaddr_t buf;
	size_t capacity;
	uaddr_t info;
};

/* Frees @m and what it carried. A carried handle counts as a handle of
 * its object while it travels (so an endpoint sent away with its last
 * handle is not taken for closed); that count goes here, after the
 * receiver's table got its own, or, for a message nobody read, as the
 * object's last handle. No lock held. */
static void msg_free(struct stream_msg *m)
{
	if (m->handle) {
		kobject_handle_closed(m->handle);
		kobject_put(m->handle);
	}
	kfree(m);
}

static bool msg_matches(const struct stream_msg *m, uint64_t conversation)
{
	return conversation ? m->conversation == conversation : m->opens;
}

static void endpoint_last_handle(struct kobject *obj);

static void endpoint_destroy(struct kobject *obj)
{
	struct stream_endpoint *ep =
		container_of(obj, struct stream_endpoint, obj);
	struct stream *s = ep->stream;

	/* An endpoint that never had a handle (dropped while it travelled
	 * in a message nobody read) must still tell its peer. */
	if (!s->sides[ep->side].closed) {
		endpoint_last_handle(obj);
	}
	kfree(ep);
	if (__atomic_sub_fetch(&s->live_endpoints, 1, __ATOMIC_ACQ_REL) == 0) {
		kfree(s);
	}
}

/* Completes @r (already unlinked) with an error. No lock held. */
static void recv_fail(struct stream_recv *r, err_t err, uint64_t value)
{
	queue_request_complete(&r->req, -(int64_t)err, value);
}

/* Copies @m into @r's receiver and completes @r; frees @m. No lock. */
static void recv_deliver(struct stream_recv *r, struct stream_msg *m)
{
	struct stream_recv_info info = {
		.conversation = m->conversation,
		.length = m->length,
		.sender_process = m->sender,
	};
	err_t err = vm_copy_to(&r->proc->vm, r->buf, m->data, m->length);

	if (!err && m->handle) {
		err = handle_insert(&r->proc->handles, m->handle, m->rights,
				    &info.handle);
	}
	if (!err && r->info) {
		err = vm_copy_to(&r->proc->vm, r->info, &info, sizeof(info));
	}
	if (err) {
		recv_fail(r, err, m->conversation);
	} else {
		queue_request_complete(&r->req, (int64_t)m->length,
				       m->conversation);
	}
	msg_free(m);
}

/* A side's endpoint lost its last handle: its own pending receives end
 * (ERR_CANCELLED), the peer's receives can never be satisfied any more
 * (ERR_PEER_CLOSED), and messages nobody will read are dropped. */
static void endpoint_last_handle(struct kobject *obj)
{
	struct stream_endpoint *ep =
		container_of(obj, struct stream_endpoint, obj);
	struct stream *s = ep->stream;
	struct stream_side *me = &s->sides[ep->side];
	struct stream_side *peer = &s->sides[!ep->side];
	struct list_node mine, theirs, msgs, *n;

	list_init(&mine);
	list_init(&theirs);
	list_init(&msgs);
	spin_lock(&s->lock);
	me->closed = true;
	while ((n = list_pop_head(&me->receivers))) {
		container_of(n, struct stream_recv, link)->linked = false;
		list_add_tail(&mine, n);
	}
	while ((n = list_pop_head(&peer->receivers))) {
		container_of(n, struct stream_recv, link)->linked = false;
		list_add_tail(&theirs, n);
	}
	while ((n = list_pop_head(&me->inbox))) {
		list_add_tail(&msgs, n);
	}
	me->inbox_bytes = 0;
	spin_unlock(&s->lock);
	while ((n = list_pop_head(&mine))) {
		recv_fail(container_of(n, struct stream_recv, link),
			  ERR_CANCELLED, 0);
	}
	while ((n = list_pop_head(&theirs))) {
		recv_fail(container_of(n, struct stream_recv, link),
			  ERR_PEER_CLOSED, 0);
	}
	while ((n = list_pop_head(&msgs))) {
		msg_free(container_of(n, struct stream_msg, link));
	}
}

static const struct kobject_ops endpoint_kobject_ops = {
	.destroy = endpoint_destroy,
	.on_last_handle = endpoint_last_handle,
};

err_t stream_create(struct kobject **a, struct kobject **b)
{
	struct stream *s = kzalloc(sizeof(*s));
	struct stream_endpoint *ep[2] = { NULL, NULL };

	if (!s) {
		return ERR_NO_MEMORY;
	}
	for (unsigned i = 0; i < 2; i++) {
		ep[i] = kzalloc(sizeof(*ep[i]));
		if (!ep[i]) {
			kfree(ep[0]);
			kfree(s);
			return ERR_NO_MEMORY;
		}
	}
	spin_init(&s->lock);
	s->live_endpoints = 2;
	s->next_conversation = 1;
	for (unsigned i = 0; i < 2; i++) {
		list_init(&s->sides[i].inbox);
		list_init(&s->sides[i].receivers);
		kobject_init(&ep[i]->obj, OBJECT_STREAM, &endpoint_kobject_ops);
		ep[i]->stream = s;
		ep[i]->side = i;
	}
	*a = &ep[0]->obj;
	*b = &ep[1]->obj;
	return ERR_OK;
}

static bool recv_cancel(struct queue_request *req)
{
	struct stream_recv *r = container_of(req, struct stream_recv, req);
	struct stream *s = r->ep->stream;
	bool cancelled = false;

	spin_lock(&s->lock);
	if (r->linked) {
		list_remove(&r->link);
		r->linked = false;
		cancelled = true;
	}
	spin_unlock(&s->lock);
	return cancelled;
}

static void recv_release(struct queue_request *req)
{
	struct stream_recv *r = container_of(req, struct stream_recv, req);

	kobject_put(&r->ep->obj);
	process_put(r->proc);
	kfree(r);
}

static const struct queue_request_ops recv_request_ops = {
	.cancel = recv_cancel,
	.release = recv_release,
};

static err_t endpoint_get(handle_t h, uint32_t rights,
			  struct stream_endpoint **out)
{
	struct kobject *obj;
	err_t err = handle_get(&process_current()->handles, h, OBJECT_STREAM,
			       rights, &obj, NULL);

	if (!err) {
		*out = container_of(obj, struct stream_endpoint, obj);
	}
	return err;
}

enum queue_submit stream_op_send(struct queue *q, const struct queue_sqe *sqe,
				 struct queue_cqe *cqe)
{
	struct process *self = process_current();
	struct stream_endpoint *ep;
	struct stream_msg *m = NULL;
	struct stream_recv *r = NULL;
	struct stream_side *peer;
	struct list_node *pos;
	struct stream *s;
	uint64_t len = sqe->arg[2];
	handle_t transfer = (handle_t)sqe->arg[3];
	struct kobject *carried = NULL; /* what the handle names */
	bool transit_undo = false;
	err_t err;

	err = endpoint_get(sqe->handle, RIGHT_WRITE, &ep);
	if (err) {
		goto out;
	}
	s = ep->stream;
	if (len > STREAM_MSG_MAX) {
		err = ERR_TOO_BIG;
		goto out_put;
	}
	if (sqe->arg[3] > UINT32_MAX) {
		err = ERR_BAD_HANDLE;
		goto out_put;
	}
	m = kmalloc(sizeof(*m) + len);
	if (!m) {
		err = ERR_NO_MEMORY;
		goto out_put;
	}
	*m = (struct stream_msg){ .length = len, .sender = self->id };
	err = uaccess_copy_in(m->data, sqe->arg[1], len);
	if (err) {
		goto out_put;
	}
	if (transfer) {
		err = handle_get(&self->handles, transfer, OBJECT_NONE,
				 RIGHT_TRANSFER, &carried, NULL);
		if (err) {
			goto out_put;
		}
		if (carried == &ep->obj) {
			err = ERR_INVALID; /* an endpoint cannot carry itself */
			goto out_put;
		}
	}

	spin_lock(&s->lock);
	peer = &s->sides[!ep->side];
	if (peer->closed) {
		err = ERR_PEER_CLOSED;
	} else if (sqe->arg[0] >= s->next_conversation) {
		err = ERR_NOT_FOUND;
	} else if (peer->inbox_bytes + len > STREAM_QUEUE_MAX) {
		err = ERR_WOULD_BLOCK;
	} else if (transfer) {
		/* The message's handle count (msg_free) comes first, so
		 * that removing the handle never makes it the last one
		 * here, under the lock. */
		kobject_handle_opened(carried);
		err = handle_remove(&self->handles, transfer, &m->handle,
				    &m->rights);
		if (err) {
			transit_undo = true;
		}
	}
	if (err) {
		spin_unlock(&s->lock);
		goto out_put;
	}
	if (sqe->arg[0] == 0) {
		m->conversation = s->next_conversation++;
		m->opens = true;
	} else {
		m->conversation = sqe->arg[0];
	}
	list_for_each(pos, &peer->receivers) {
		struct stream_recv *cand =
			container_of(pos, struct stream_recv, link);

		if (msg_matches(m, cand->conversation)) {
			r = cand;
			list_remove(&r->link);
			r->linked = false;
			break;
		}
	}
	if (r && len > r->capacity) {
		/* Too small a buffer: that receive fails, the message waits. */
		list_add_tail(&peer->inbox, &m->link);
		peer->inbox_bytes += len;
		spin_unlock(&s->lock);
		recv_fail(r, ERR_TOO_BIG, len);
		cqe->value = m->conversation;
		m = NULL;
	} else if (r) {
		spin_unlock(&s->lock);
		cqe->value = m->conversation;
		recv_deliver(r, m);
		m = NULL;
	} else {
		list_add_tail(&peer->inbox, &m->link);
		peer->inbox_bytes += len;
		cqe->value = m->conversation;
		m = NULL;
		spin_unlock(&s->lock);
	}
	cqe->result = (int64_t)len;
out_put:
	if (m) {
		msg_free(m);
	}
	if (carried) {
		if (transit_undo) {
			kobject_handle_closed(carried);
		}
		kobject_put(carried);
	}
	kobject_put(&ep->obj);
out:
	if (err) {
		cqe->result = -(int64_t)err;
	}
	return QUEUE_SUBMIT_DONE;
}

enum queue_submit stream_op_recv(struct queue *q, const struct queue_sqe *sqe,
				 struct queue_cqe *cqe)
{
	struct process *self = process_current();
	struct stream_endpoint *ep;
	struct stream_msg *m = NULL;
	struct stream_side *me;
	struct stream_recv *r;
	struct list_node *pos;
	struct stream *s;
	err_t err;

	err = endpoint_get(sqe->handle, RIGHT_READ, &ep);
	if (err) {
		cqe->result = -(int64_t)err;
		return QUEUE_SUBMIT_DONE;
	}
	if (sqe->arg[2] > STREAM_MSG_MAX * 16ul ||
	    !uaccess_range_ok(sqe->arg[1], sqe->arg[2]) ||
	    (sqe->arg[3] &&
	     !uaccess_range_ok(sqe->arg[3], sizeof(struct stream_recv_info)))) {
		kobject_put(&ep->obj);
		cqe->result = -(int64_t)ERR_FAULT;
		return QUEUE_SUBMIT_DONE;
	}
	r = kzalloc(sizeof(*r));
	if (!r) {
		kobject_put(&ep->obj);
		cqe->result = -(int64_t)ERR_NO_MEMORY;
		return QUEUE_SUBMIT_DONE;
	}
	r->ep = ep; /* the reference from endpoint_get */
	r->proc = self;
	process_get(self);
	r->conversation = sqe->arg[0];
	r->buf = sqe->arg[1];
	r->capacity = sqe->arg[2];
	r->info = sqe->arg[3];
	/* Started before the stream lock is taken (lock order). */
	queue_request_start(q, &r->req, sqe, &recv_request_ops);

	s = ep->stream;
	me = &s->sides[ep->side];
	spin_lock(&s->lock);
	list_for_each(pos, &me->inbox) {
		struct stream_msg *cand =
			container_of(pos, struct stream_msg, link);

		if (msg_matches(cand, r->conversation)) {
			m = cand;
			break;
		}
	}
	if (m && m->length > r->capacity) {
		uint64_t need = m->length;

		spin_unlock(&s->lock);
		recv_fail(r, ERR_TOO_BIG, need);
	} else if (m) {
		list_remove(&m->link);
		me->inbox_bytes -= m->length;
		spin_unlock(&s->lock);
		recv_deliver(r, m);
	} else if (s->sides[!ep->side].closed) {
		spin_unlock(&s->lock);
		recv_fail(r, ERR_PEER_CLOSED, 0);
	} else {
		list_add_tail(&me->receivers, &r->link);
		r->linked = true;
		spin_unlock(&s->lock);
	}
	return QUEUE_SUBMIT_PENDING;
}

int64_t sys_stream_create(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct kobject *a, *b;
	handle_t h[2] = { 0, 0 };
	err_t err;

	if (!uaccess_range_ok(a0, sizeof(h))) {
		return -(int64_t)ERR_FAULT;
	}
	err = stream_create(&a, &b);
	if (err) {
		return -(int64_t)err;
	}
	err = handle_insert(&p->handles, a, RIGHTS_ALL, &h[0]);
	if (!err) {
		err = handle_insert(&p->handles, b, RIGHTS_ALL, &h[1]);
	}
	if (!err) {
		err = uaccess_copy_out(a0, h, sizeof(h));
	}
	if (err) {
		if (h[0]) {
			handle_remove(&p->handles, h[0], NULL, NULL);
		}
		if (h[1]) {
			handle_remove(&p->handles, h[1], NULL, NULL);
		}
	}
	kobject_put(a);
	kobject_put(b);
	return err ? -(int64_t)err : 0;
}

/*
 * The kernel as a sender (see stream.h; used for the registry's start
 * stream, boot/registry.c): the delivery half of stream_op_send, with
 * the data in kernel memory and no process behind it (sender id 0).
 * Keep the two in step when the delivery path changes.
 */
err_t stream_send_kernel(struct kobject *obj, const void *data, size_t len,
			 struct kobject *handle, uint32_t rights)
{
	struct stream_endpoint *ep =
		container_of(obj, struct stream_endpoint, obj);
	struct stream *s = ep->stream;
	struct stream_side *peer = &s->sides[!ep->side];
	struct stream_recv *r = NULL;
	struct stream_msg *m;
	struct list_node *pos;

	if (len > STREAM_MSG_MAX) {
		return ERR_TOO_BIG;
	}
	m = kmalloc(sizeof(*m) + len);
	if (!m) {
		return ERR_NO_MEMORY;
	}
	*m = (struct stream_msg){ .length = len, .opens = true };
	memcpy(m->data, data, len);
	spin_lock(&s->lock);
	if (peer->closed || peer->inbox_bytes + len > STREAM_QUEUE_MAX) {
		err_t err = peer->closed ? ERR_PEER_CLOSED : ERR_WOULD_BLOCK;

		spin_unlock(&s->lock);
		kfree(m);
		return err;
	}
	m->handle = handle;
	m->rights = rights;
	if (handle) {
		kobject_handle_opened(handle); /* in transit, see msg_free */
	}
	m->conversation = s->next_conversation++;
	list_for_each(pos, &peer->receivers) {
		struct stream_recv *cand =
			container_of(pos, struct stream_recv, link);

		if (msg_matches(m, cand->conversation)) {
			r = cand;
			list_remove(&r->link);
			r->linked = false;
			break;
		}
	}
	if (r && len > r->capacity) {
		list_add_tail(&peer->inbox, &m->link);
		peer->inbox_bytes += len;
		spin_unlock(&s->lock);
		recv_fail(r, ERR_TOO_BIG, len);
	} else if (r) {
		spin_unlock(&s->lock);
		recv_deliver(r, m);
	} else {
		list_add_tail(&peer->inbox, &m->link);
		peer->inbox_bytes += len;
		spin_unlock(&s->lock);
	}
	return ERR_OK;
}
