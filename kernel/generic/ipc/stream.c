/*
 * Streams (see stream.h and abi/keel/stream.h).
 *
 * Data path: a message goes from the sender's memory to the receiver's
 * with one copy whenever one side already waits for the other:
 *  - a send that finds a matching receive waiting copies straight from
 *    its own memory into the receiver's buffer (vm_copy_user_to), or,
 *    when the receiver's queue is wide and the message small, into the
 *    receive's completion entry (inline);
 *  - a receive that finds a send waiting for room (back-pressure) copies
 *    straight from the sender's memory (vm_copy_user_from), or inline;
 *  - otherwise the message is copied into the kernel and waits in the
 *    peer's inbox (at most STREAM_QUEUE_MAX bytes per side); a receive
 *    copies it out in its own context. When the inbox is full, the send
 *    waits (a pending request, its bytes still in the sender's memory)
 *    until a receive takes it, unless it asked for STREAM_SEND_NOWAIT.
 * Messages of one conversation are received in the order sent: a
 * waiting receive matches nothing queued (it would have taken it), the
 * inbox holds older messages than the waiting sends, and once a send
 * waits, later ones wait behind it.
 *
 * A handle sent along leaves the sender's table when its message is
 * accepted (received, queued or waiting) and enters the receiver's when
 * it is received; messages dropped (closed endpoint, cancelled send)
 * drop their handles.
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

/* Messages up to this size are copied onto the sender's kernel stack
 * first: one small copy that checks the buffer before anything else. */
#define STREAM_SMALL 128

struct stream_side {
	bool closed;			/* its endpoint's last handle is gone */
	struct list_node inbox;		/* messages sent to this side */
	uint64_t inbox_bytes;
	struct list_node receivers;	/* this side's pending receives */
	struct list_node senders;	/* sends waiting for room in inbox */
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
	uint8_t data[QUEUE_INLINE_MAX];	/* inline payload (wide queue) */
};

/* A send waiting for room in the peer's inbox. */
struct stream_send {
	struct queue_request req;
	struct list_node link;		/* peer side's senders, stream lock */
	bool linked;
	struct stream_endpoint *ep;	/* the sender's, referenced */
	struct process *proc;		/* the sender, referenced */
	uint64_t conversation;
	bool opens;
	uaddr_t buf;
	size_t length;
	struct kobject *handle;		/* carried, or NULL */
	uint32_t rights;
};

/* A message on its way: its bytes in kernel memory (@kdata) or in
 * process @proc's memory at @ubuf. */
struct stream_src {
	const uint8_t *kdata;
	struct process *proc;
	uaddr_t ubuf;
	size_t length;
	uint64_t conversation;
	uint64_t sender;
	struct kobject *handle;		/* the reference goes with it */
	uint32_t rights;
};

_Static_assert(sizeof(struct stream_recv) <= QUEUE_REQUEST_BLOCK &&
		       sizeof(struct stream_send) <= QUEUE_REQUEST_BLOCK,
	       "stream request records");

static void msg_free(struct stream_msg *m)
{
	if (m->handle) {
		kobject_put(m->handle);
	}
	kfree(m);
}

static bool matches(uint64_t conversation, bool opens, uint64_t wanted)
{
	return wanted ? conversation == wanted : opens;
}

static void endpoint_destroy(struct kobject *obj)
{
	struct stream_endpoint *ep =
		container_of(obj, struct stream_endpoint, obj);
	struct stream *s = ep->stream;

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

/* A side's endpoint lost its last handle: its own pending receives and
 * its sends waiting at the peer end (ERR_CANCELLED), the peer's receives
 * and the peer's sends waiting here can never be satisfied any more
 * (ERR_PEER_CLOSED), and messages nobody will read are dropped. */
static void endpoint_last_handle(struct kobject *obj)
{
	struct stream_endpoint *ep =
		container_of(obj, struct stream_endpoint, obj);
	struct stream *s = ep->stream;
	struct stream_side *me = &s->sides[ep->side];
	struct stream_side *peer = &s->sides[!ep->side];
	struct list_node mine, theirs, my_sends, their_sends, msgs, *n;

	list_init(&mine);
	list_init(&theirs);
	list_init(&my_sends);
	list_init(&their_sends);
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
	while ((n = list_pop_head(&peer->senders))) {
		container_of(n, struct stream_send, link)->linked = false;
		list_add_tail(&my_sends, n);
	}
	while ((n = list_pop_head(&me->senders))) {
		container_of(n, struct stream_send, link)->linked = false;
		list_add_tail(&their_sends, n);
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
	while ((n = list_pop_head(&my_sends))) {
		queue_request_complete(
			&container_of(n, struct stream_send, link)->req,
			-(int64_t)ERR_CANCELLED, 0);
	}
	while ((n = list_pop_head(&their_sends))) {
		queue_request_complete(
			&container_of(n, struct stream_send, link)->req,
			-(int64_t)ERR_PEER_CLOSED, 0);
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
		list_init(&s->sides[i].senders);
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
	queue_request_free(req->queue, r);
}

static const struct queue_request_ops recv_request_ops = {
	.cancel = recv_cancel,
	.release = recv_release,
};

static bool send_cancel(struct queue_request *req)
{
	struct stream_send *snd = container_of(req, struct stream_send, req);
	struct stream *s = snd->ep->stream;
	bool cancelled = false;

	spin_lock(&s->lock);
	if (snd->linked) {
		list_remove(&snd->link);
		snd->linked = false;
		cancelled = true;
	}
	spin_unlock(&s->lock);
	return cancelled;
}

static void send_release(struct queue_request *req)
{
	struct stream_send *snd = container_of(req, struct stream_send, req);

	if (snd->handle) {
		kobject_put(snd->handle);
	}
	kobject_put(&snd->ep->obj);
	process_put(snd->proc);
	queue_request_free(req->queue, snd);
}

static const struct queue_request_ops send_request_ops = {
	.cancel = send_cancel,
	.release = send_release,
};

static err_t endpoint_get(handle_t h, uint32_t rights,
			  struct stream_endpoint **out)
{
	struct kobject *obj;
	err_t err = handle_get_own(h, OBJECT_STREAM, rights, &obj);

	if (!err) {
		*out = container_of(obj, struct stream_endpoint, obj);
	}
	return err;
}

/* The first receive of @side waiting for a message of @conversation
 * (@opens: it opens it). Stream lock held. */
static struct stream_recv *find_receiver(struct stream_side *side,
					 uint64_t conversation, bool opens)
{
	struct list_node *pos;

	list_for_each(pos, &side->receivers) {
		struct stream_recv *r =
			container_of(pos, struct stream_recv, link);

		if (matches(conversation, opens, r->conversation)) {
			return r;
		}
	}
	return NULL;
}

/* The oldest message for a receive of @wanted in @side's inbox, or the
 * oldest waiting send (*@snd). Stream lock held. */
static struct stream_msg *find_message(struct stream_side *side,
				       uint64_t wanted,
				       struct stream_send **snd)
{
	struct list_node *pos;

	*snd = NULL;
	list_for_each(pos, &side->inbox) {
		struct stream_msg *m =
			container_of(pos, struct stream_msg, link);

		if (matches(m->conversation, m->opens, wanted)) {
			return m;
		}
	}
	list_for_each(pos, &side->senders) {
		struct stream_send *cand =
			container_of(pos, struct stream_send, link);

		if (matches(cand->conversation, cand->opens, wanted)) {
			*snd = cand;
			break;
		}
	}
	return NULL;
}

static void unlink_recv(struct stream_recv *r)
{
	list_remove(&r->link);
	r->linked = false;
}

/* Hands @src's handle (if any) to @proc; returns its value in *@out. */
static err_t give_handle(struct process *proc, struct stream_src *src,
			 handle_t *out)
{
	err_t err = ERR_OK;

	*out = 0;
	if (src->handle) {
		err = handle_insert(&proc->handles, src->handle, src->rights,
				    out);
		kobject_put(src->handle);
		src->handle = NULL;
	}
	return err;
}

/* Fills in and completes waiting receive @r (unlinked) with @src, from
 * the sender's context: the bytes come from kernel memory or the current
 * process's. Returns false, with @r untouched but for its buffer, when
 * the sender's bytes cannot be read (the sender's fault). */
static bool push_to_recv(struct stream_recv *r, struct stream_src *src)
{
	struct stream_recv_info info = {
		.conversation = src->conversation,
		.length = src->length,
		.sender_process = src->sender,
	};
	bool inl = queue_is_wide(r->req.queue) &&
		   src->length <= QUEUE_INLINE_MAX;
	bool src_bad = false;
	err_t err = ERR_OK;

	if (inl && src->kdata) {
		memcpy(r->data, src->kdata, src->length);
	} else if (inl) {
		if (uaccess_copy_in(r->data, src->ubuf, src->length)) {
			return false;
		}
	} else if (src->kdata) {
		err = vm_copy_to(&r->proc->vm, r->buf, src->kdata,
				 src->length);
	} else {
		err = vm_copy_user_to(&r->proc->vm, r->buf, src->ubuf,
				      src->length, &src_bad);
		if (src_bad) {
			return false;
		}
	}
	if (!err) {
		err = give_handle(r->proc, src, &info.handle);
	}
	if (!err && r->info) {
		err = vm_copy_to(&r->proc->vm, r->info, &info, sizeof(info));
	}
	if (err) {
		recv_fail(r, err, src->conversation);
	} else if (inl) {
		queue_request_complete_data(&r->req, (int64_t)src->length,
					    src->conversation, r->data,
					    (uint32_t)src->length);
	} else {
		queue_request_complete(&r->req, (int64_t)src->length,
				       src->conversation);
	}
	return true;
}

/* Where a receive made by the current thread puts what it gets. */
struct recv_dest {
	uaddr_t buf;
	uaddr_t info;
	uint8_t *inline_buf;	/* a wide queue's payload space, or NULL */
};

/* Copies @src into the current process for receive @d (the receiver's
 * context): the bytes come from kernel memory or from another process
 * (a waiting send). Returns the receive's result; *@src_bad when the
 * sender's bytes could not be read. */
static err_t pull_into_self(const struct recv_dest *d, struct stream_src *src,
			    bool *src_bad)
{
	struct stream_recv_info info = {
		.conversation = src->conversation,
		.length = src->length,
		.sender_process = src->sender,
	};
	bool inl = d->inline_buf && src->length <= QUEUE_INLINE_MAX;
	bool dst_bad = false;
	err_t err;

	*src_bad = false;
	if (inl && src->kdata) {
		memcpy(d->inline_buf, src->kdata, src->length);
		err = ERR_OK;
	} else if (inl) {
		err = vm_copy_from(&src->proc->vm, d->inline_buf, src->ubuf,
				   src->length);
		*src_bad = err != ERR_OK;
	} else if (src->kdata) {
		err = uaccess_copy_out(d->buf, src->kdata, src->length);
	} else {
		err = vm_copy_user_from(&src->proc->vm, src->ubuf, d->buf,
					src->length, &dst_bad);
		*src_bad = err && !dst_bad;
	}
	if (*src_bad) {
		return err;
	}
	if (!err) {
		err = give_handle(process_current(), src, &info.handle);
	}
	if (!err && d->info) {
		err = uaccess_copy_out(d->info, &info, sizeof(info));
	}
	return err;
}

static void src_of_msg(struct stream_src *src, struct stream_msg *m)
{
	*src = (struct stream_src){
		.kdata = m->data,
		.length = m->length,
		.conversation = m->conversation,
		.sender = m->sender,
		.handle = m->handle,
		.rights = m->rights,
	};
	m->handle = NULL; /* the reference goes with src */
}

static void src_of_send(struct stream_src *src, struct stream_send *snd)
{
	*src = (struct stream_src){
		.proc = snd->proc,
		.ubuf = snd->buf,
		.length = snd->length,
		.conversation = snd->conversation,
		.sender = snd->proc->id,
		.handle = snd->handle,
		.rights = snd->rights,
	};
	snd->handle = NULL;
}

/* A receive waiting on @side, unlinked by a send whose bytes turned out
 * unreadable: gives it what else there is for it, or puts it back first
 * in line, or fails it if the stream is closed. Sender's context, no
 * lock held. Rare: a send from a buffer unmapped under it. */
static void recv_resettle(struct stream *s, struct stream_side *side,
			  struct stream_side *peer, struct stream_recv *r)
{
	for (;;) {
		struct stream_send *snd;
		struct stream_msg *m;
		struct stream_src src;
		uint8_t *bounce;

		spin_lock(&s->lock);
		if (side->closed) {
			spin_unlock(&s->lock);
			recv_fail(r, ERR_CANCELLED, 0);
			return;
		}
		m = find_message(side, r->conversation, &snd);
		if (m && m->length <= r->capacity) {
			list_remove(&m->link);
			side->inbox_bytes -= m->length;
			spin_unlock(&s->lock);
			src_of_msg(&src, m);
			push_to_recv(r, &src);
			msg_free(m);
			return;
		}
		if (snd && snd->length <= r->capacity) {
			list_remove(&snd->link);
			snd->linked = false;
			spin_unlock(&s->lock);
			/* The waiting sender is a third process here: through
			 * the kernel. */
			bounce = kmalloc(snd->length ? snd->length : 1);
			if (!bounce || vm_copy_from(&snd->proc->vm, bounce,
						    snd->buf, snd->length)) {
				queue_request_complete(
					&snd->req,
					-(int64_t)(bounce ? ERR_FAULT
							  : ERR_NO_MEMORY),
					0);
				kfree(bounce);
				continue;
			}
			src_of_send(&src, snd);
			src.kdata = bounce;
			push_to_recv(r, &src);
			queue_request_complete(&snd->req, (int64_t)src.length,
					       src.conversation);
			kfree(bounce);
			return;
		}
		if (!m && !snd && peer->closed) {
			spin_unlock(&s->lock);
			recv_fail(r, ERR_PEER_CLOSED, 0);
			return;
		}
		list_add_head(&side->receivers, &r->link);
		r->linked = true;
		spin_unlock(&s->lock);
		return;
	}
}

enum queue_submit stream_op_send(struct queue *q, const struct queue_sqe *sqe,
				 struct queue_cqe *cqe)
{
	struct process *self = process_current();
	uint64_t len = sqe->arg[2];
	uint64_t wanted = sqe->arg[0];
	handle_t transfer = (handle_t)sqe->arg[3];
	struct stream_src src;
	uint8_t small[STREAM_SMALL];
	struct stream_recv *too_small = NULL;
	struct kobject *taken = NULL;	/* handle_take'n, count to drop */
	struct stream_send *snd = NULL;
	struct stream_msg *m = NULL;
	struct stream_endpoint *ep;
	struct stream_side *peer;
	struct stream *s;
	int64_t result = 0;
	err_t err;

	/* Field by field: no zeroing of the whole record. */
	src.kdata = NULL;
	src.proc = self;
	src.ubuf = sqe->arg[1];
	src.length = len;
	src.conversation = 0;
	src.sender = self->id;
	src.handle = NULL;
	src.rights = 0;
	err = endpoint_get(sqe->handle, RIGHT_WRITE, &ep);
	if (err) {
		cqe->result = -(int64_t)err;
		return QUEUE_SUBMIT_DONE;
	}
	s = ep->stream;
	peer = &s->sides[!ep->side];
	if (len > STREAM_MSG_MAX) {
		err = ERR_TOO_BIG;
		goto out;
	}
	if (sqe->arg[3] > UINT32_MAX) {
		err = ERR_BAD_HANDLE;
		goto out;
	}
	if (sqe->arg[4] & ~(uint64_t)STREAM_SEND_NOWAIT) {
		err = ERR_INVALID;
		goto out;
	}
	if (len <= sizeof(small)) {
		err = uaccess_copy_in(small, src.ubuf, len);
		src.kdata = small;
	} else if (!uaccess_range_ok(src.ubuf, len)) {
		err = ERR_FAULT;
	} else if (transfer) {
		/* A message that carries a handle is copied in first: once
		 * the handle has left the sender's table, reading the bytes
		 * must not fail. */
		m = kmalloc(sizeof(*m) + len);
		if (!m) {
			err = ERR_NO_MEMORY;
		} else if (uaccess_copy_in(m->data, src.ubuf, len)) {
			err = ERR_FAULT;
		} else {
			src.kdata = m->data;
		}
	}
	if (!err && transfer) {
		struct kobject *obj;

		err = handle_get(&self->handles, transfer, OBJECT_NONE,
				 RIGHT_TRANSFER, &obj, NULL);
		if (!err) {
			kobject_put(obj);
			if (obj == &ep->obj) {
				err = ERR_INVALID; /* cannot carry itself */
			}
		}
	}
	if (err) {
		goto out;
	}

	for (;;) {
		struct stream_recv *r;

		if (too_small) { /* from the last round, lock dropped */
			recv_fail(too_small, ERR_TOO_BIG, len);
			too_small = NULL;
		}
		spin_lock(&s->lock);
		if (peer->closed) {
			err = ERR_PEER_CLOSED;
			break;
		}
		if (wanted >= s->next_conversation) {
			err = ERR_NOT_FOUND;
			break;
		}
		r = find_receiver(peer, wanted, wanted == 0);
		if (r && (len > r->capacity ||
			  (r->req.multishot &&
			   (len > QUEUE_INLINE_MAX || transfer)))) {
			/* Too small a buffer (a multishot receive only takes
			 * what fits inline): that receive ends with
			 * ERR_TOO_BIG, the message waits for another. */
			unlink_recv(r);
			too_small = r;
			r = NULL;
		}
		if (r && r->req.multishot) {
			/* It stays armed: posted to, not taken off. */
			enum queue_post posted;

			src.conversation =
				wanted ? wanted : s->next_conversation++;
			queue_request_get(&r->req);
			spin_unlock(&s->lock);
			posted = queue_request_post(&r->req, (int64_t)len,
						    src.conversation, src.kdata,
						    (uint32_t)len, r->data);
			queue_request_put(&r->req);
			if (posted == QUEUE_POST_GONE) {
				continue; /* it ended meanwhile */
			}
			result = (int64_t)len;
			goto out;
		}
		if (r) {
			/* Straight to the waiting receive. */
			src.conversation =
				wanted ? wanted : s->next_conversation++;
			unlink_recv(r);
			spin_unlock(&s->lock);
			if (transfer) {
				err = handle_remove(&self->handles, transfer,
						    &src.handle, &src.rights);
			}
			if (err || !push_to_recv(r, &src)) {
				err = err ? err : ERR_FAULT;
				recv_resettle(s, peer, &s->sides[ep->side], r);
				goto out;
			}
			result = (int64_t)len;
			goto out;
		}
		if (list_is_empty(&peer->senders) &&
		    peer->inbox_bytes + len <= STREAM_QUEUE_MAX) {
			/* Into the peer's inbox, through a kernel copy. */
			if (!m && src.kdata) {
				m = kmalloc(sizeof(*m) + len);
				if (!m) {
					err = ERR_NO_MEMORY;
					break;
				}
				memcpy(m->data, src.kdata, len);
			}
			if (!m) {
				spin_unlock(&s->lock);
				m = kmalloc(sizeof(*m) + len);
				if (!m) {
					err = ERR_NO_MEMORY;
					goto out;
				}
				if (uaccess_copy_in(m->data, src.ubuf, len)) {
					err = ERR_FAULT;
					goto out;
				}
				src.kdata = m->data;
				continue; /* the stream may have changed */
			}
			*m = (struct stream_msg){
				.length = len,
				.sender = self->id,
				.opens = wanted == 0,
				.conversation = wanted ? wanted
						       : s->next_conversation,
			};
			if (transfer) {
				/* Its last-handle callback may take this
				 * stream's lock: run after it is dropped. */
				err = handle_take(&self->handles, transfer,
						  &m->handle, &m->rights);
				if (err) {
					break;
				}
				taken = m->handle;
				kobject_get(taken);
			}
			if (!wanted) {
				s->next_conversation++;
			}
			src.conversation = m->conversation;
			list_add_tail(&peer->inbox, &m->link);
			peer->inbox_bytes += len;
			m = NULL;
			spin_unlock(&s->lock);
			result = (int64_t)len;
			goto out;
		}
		/* No room: back-pressure. */
		if (sqe->arg[4] & STREAM_SEND_NOWAIT) {
			err = ERR_WOULD_BLOCK;
			break;
		}
		if (!snd) {
			spin_unlock(&s->lock);
			snd = queue_request_alloc(q);
			if (!snd) {
				err = ERR_NO_MEMORY;
				goto out;
			}
			*snd = (struct stream_send){
				.ep = ep,
				.proc = self,
				.buf = src.ubuf,
				.length = len,
			};
			kobject_get(&ep->obj);
			process_get(self);
			list_init(&snd->link);
			/* Started before the stream lock (lock order). */
			queue_request_start(q, &snd->req, sqe,
					    &send_request_ops);
			continue;
		}
		if (transfer) {
			err = handle_take(&self->handles, transfer,
					  &snd->handle, &snd->rights);
			if (err) {
				break;
			}
			taken = snd->handle;
			kobject_get(taken);
		}
		snd->opens = wanted == 0;
		snd->conversation = wanted ? wanted : s->next_conversation++;
		list_add_tail(&peer->senders, &snd->link);
		snd->linked = true;
		spin_unlock(&s->lock);
		if (too_small) {
			recv_fail(too_small, ERR_TOO_BIG, len);
		}
		if (m) {
			kfree(m);
		}
		if (taken) {
			kobject_handle_closed(taken);
			kobject_put(taken);
		}
		kobject_put(&ep->obj);
		return QUEUE_SUBMIT_PENDING;
	}
	spin_unlock(&s->lock);
out:
	if (too_small) {
		recv_fail(too_small, ERR_TOO_BIG, len);
	}
	if (taken) { /* the stream lock is dropped now */
		kobject_handle_closed(taken);
		kobject_put(taken);
	}
	if (m) {
		kfree(m); /* never queued: carries no handle */
	}
	kobject_put(&ep->obj);
	if (snd) {
		/* Started, then settled at once after all. */
		queue_request_complete(&snd->req,
				       err ? -(int64_t)err : result,
				       src.conversation);
		return QUEUE_SUBMIT_PENDING;
	}
	cqe->result = err ? -(int64_t)err : result;
	cqe->value = err ? 0 : src.conversation;
	return QUEUE_SUBMIT_DONE;
}

/* Makes and starts the request of a receive that will wait (on @ep, for
 * @d). NULL when out of memory. No lock held. */
static struct stream_recv *recv_start(struct queue *q,
				      const struct queue_sqe *sqe,
				      struct stream_endpoint *ep,
				      const struct recv_dest *d,
				      size_t capacity)
{
	struct stream_recv *r = queue_request_alloc(q);

	if (!r) {
		return NULL;
	}
	r->ep = ep;
	kobject_get(&ep->obj);
	r->proc = process_current();
	process_get(r->proc);
	r->conversation = sqe->arg[0];
	r->buf = d->buf;
	r->capacity = capacity;
	r->info = d->info;
	r->linked = false;
	list_init(&r->link);
	/* Started before the stream lock is taken (lock order). */
	queue_request_start(q, &r->req, sqe, &recv_request_ops);
	return r;
}

/* QUEUE_OP_STREAM_RECV with QUEUE_SQE_MULTISHOT (a wide queue): takes
 * every message already there that fits inline, each posted with
 * QUEUE_CQE_MORE, then stays on the receivers' list for more. It ends
 * (ERR_TOO_BIG, value = the length; the message stays) at a message it
 * cannot take inline: too long, or carrying a handle. Consumes the
 * reference from endpoint_get. */
static enum queue_submit recv_multishot(struct queue *q,
					const struct queue_sqe *sqe,
					struct queue_cqe *cqe,
					struct stream_endpoint *ep,
					const struct recv_dest *d,
					size_t capacity)
{
	struct stream *s = ep->stream;
	struct stream_side *me = &s->sides[ep->side];
	struct stream_side *peer = &s->sides[!ep->side];
	uint64_t wanted = sqe->arg[0];
	struct stream_recv *r;

	if (d->info) {
		kobject_put(&ep->obj);
		cqe->result = -(int64_t)ERR_INVALID;
		return QUEUE_SUBMIT_DONE;
	}
	r = recv_start(q, sqe, ep, d, capacity);
	kobject_put(&ep->obj); /* r holds its own */
	if (!r) {
		cqe->result = -(int64_t)ERR_NO_MEMORY;
		return QUEUE_SUBMIT_DONE;
	}
	queue_request_get(&r->req); /* ours while we post to it here */
	for (;;) {
		uint8_t bytes[QUEUE_INLINE_MAX];
		enum queue_post posted;
		struct stream_send *snd;
		struct stream_msg *m;
		uint64_t len, conv;

		spin_lock(&s->lock);
		m = find_message(me, wanted, &snd);
		if (!m && !snd) {
			if (peer->closed) {
				spin_unlock(&s->lock);
				recv_fail(r, ERR_PEER_CLOSED, 0);
				break;
			}
			list_add_tail(&me->receivers, &r->link);
			r->linked = true;
			spin_unlock(&s->lock);
			break;
		}
		len = m ? m->length : snd->length;
		conv = m ? m->conversation : snd->conversation;
		if (len > QUEUE_INLINE_MAX || len > capacity ||
		    (m ? m->handle : snd->handle)) {
			spin_unlock(&s->lock);
			recv_fail(r, ERR_TOO_BIG, len);
			break;
		}
		if (m) {
			list_remove(&m->link);
			me->inbox_bytes -= len;
			spin_unlock(&s->lock);
			posted = queue_request_post(&r->req, (int64_t)len, conv,
						    m->data, (uint32_t)len,
						    r->data);
			if (posted == QUEUE_POST_GONE) {
				/* Cancelled meanwhile: the message goes back
				 * first in line. */
				spin_lock(&s->lock);
				list_add_head(&me->inbox, &m->link);
				me->inbox_bytes += len;
				spin_unlock(&s->lock);
				break;
			}
			msg_free(m);
		} else {
			list_remove(&snd->link);
			snd->linked = false;
			spin_unlock(&s->lock);
			if (vm_copy_from(&snd->proc->vm, bytes, snd->buf,
					 len)) {
				queue_request_complete(&snd->req,
						       -(int64_t)ERR_FAULT, 0);
				continue;
			}
			posted = queue_request_post(&r->req, (int64_t)len, conv,
						    bytes, (uint32_t)len,
						    r->data);
			if (posted == QUEUE_POST_GONE) {
				spin_lock(&s->lock);
				list_add_head(&me->senders, &snd->link);
				snd->linked = true;
				spin_unlock(&s->lock);
				break;
			}
			queue_request_complete(&snd->req, (int64_t)len, conv);
		}
		if (posted == QUEUE_POST_ENDED) {
			break;
		}
	}
	queue_request_put(&r->req);
	return QUEUE_SUBMIT_PENDING;
}

enum queue_submit stream_op_recv(struct queue *q, const struct queue_sqe *sqe,
				 struct queue_cqe *cqe)
{
	uint64_t wanted = sqe->arg[0];
	size_t capacity = sqe->arg[2];
	struct recv_dest d = {
		.buf = sqe->arg[1],
		.info = sqe->arg[3],
		.inline_buf = queue_is_wide(q) ? queue_cqe_data(cqe) : NULL,
	};
	struct stream_recv *r = NULL;
	struct stream_endpoint *ep;
	struct stream_side *me, *peer;
	struct stream *s;
	uint64_t value = 0;
	int64_t result;
	err_t err;

	err = endpoint_get(sqe->handle, RIGHT_READ, &ep);
	if (err) {
		cqe->result = -(int64_t)err;
		return QUEUE_SUBMIT_DONE;
	}
	if (capacity > STREAM_MSG_MAX * 16ul ||
	    !uaccess_range_ok(d.buf, capacity) ||
	    (d.info &&
	     !uaccess_range_ok(d.info, sizeof(struct stream_recv_info)))) {
		kobject_put(&ep->obj);
		cqe->result = -(int64_t)ERR_FAULT;
		return QUEUE_SUBMIT_DONE;
	}
	s = ep->stream;
	me = &s->sides[ep->side];
	peer = &s->sides[!ep->side];
	if (sqe->flags & QUEUE_SQE_MULTISHOT) {
		return recv_multishot(q, sqe, cqe, ep, &d, capacity);
	}
	/* Nothing to read, at a glance (no lock): the receive will wait, so
	 * its request is started first rather than after a look under the
	 * lock; the look below decides. */
	if (list_is_empty(&me->inbox) && list_is_empty(&me->senders)) {
		r = recv_start(q, sqe, ep, &d, capacity);
	}
	for (;;) {
		struct stream_send *snd;
		struct stream_msg *m;
		struct stream_src src;
		bool src_bad;

		spin_lock(&s->lock);
		m = find_message(me, wanted, &snd);
		if ((m && m->length > capacity) ||
		    (snd && snd->length > capacity)) {
			/* The message stays for a bigger buffer. */
			value = m ? m->length : snd->length;
			spin_unlock(&s->lock);
			err = ERR_TOO_BIG;
			break;
		}
		if (m) {
			list_remove(&m->link);
			me->inbox_bytes -= m->length;
			spin_unlock(&s->lock);
			src_of_msg(&src, m);
			err = pull_into_self(&d, &src, &src_bad);
			if (src.handle) {
				kobject_put(src.handle); /* receiver failed */
			}
			result = (int64_t)src.length;
			value = src.conversation;
			msg_free(m);
			break;
		}
		if (snd) {
			/* A sender waits for room: straight from its memory. */
			list_remove(&snd->link);
			snd->linked = false;
			spin_unlock(&s->lock);
			src_of_send(&src, snd);
			err = pull_into_self(&d, &src, &src_bad);
			if (src_bad) {
				snd->handle = src.handle; /* dropped with it */
				queue_request_complete(&snd->req,
						       -(int64_t)ERR_FAULT, 0);
				continue;
			}
			if (src.handle) {
				kobject_put(src.handle); /* receiver failed */
			}
			queue_request_complete(&snd->req, (int64_t)src.length,
					       src.conversation);
			result = (int64_t)src.length;
			value = src.conversation;
			break;
		}
		if (peer->closed) {
			spin_unlock(&s->lock);
			err = ERR_PEER_CLOSED;
			break;
		}
		if (!r) {
			spin_unlock(&s->lock);
			r = recv_start(q, sqe, ep, &d, capacity);
			if (!r) {
				err = ERR_NO_MEMORY;
				break;
			}
			continue;
		}
		list_add_tail(&me->receivers, &r->link);
		r->linked = true;
		spin_unlock(&s->lock);
		kobject_put(&ep->obj);
		return QUEUE_SUBMIT_PENDING;
	}
	kobject_put(&ep->obj);
	if (r) {
		/* Started, then answered at once after all: the payload was
		 * put in the completion's space, copy it to the request's. */
		if (!err && d.inline_buf && result <= QUEUE_INLINE_MAX) {
			memcpy(r->data, d.inline_buf, (size_t)result);
			queue_request_complete_data(&r->req, result, value,
						    r->data, (uint32_t)result);
		} else {
			queue_request_complete(&r->req,
					       err ? -(int64_t)err : result,
					       value);
		}
		return QUEUE_SUBMIT_PENDING;
	}
	cqe->result = err ? -(int64_t)err : result;
	cqe->value = value;
	if (!err && d.inline_buf && result <= QUEUE_INLINE_MAX) {
		queue_cqe_set_data(cqe, (uint32_t)result);
	}
	return QUEUE_SUBMIT_DONE;
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
