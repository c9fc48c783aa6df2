/*
 * Server side of the protocol helper (proto.h).
 *
 * The fibers of a connection take turns. Exactly one, the receiver,
 * waits for the opening message of the next conversation. Once it holds
 * a well-formed request it hands the receiving on (to an idle fiber of
 * the connection, else to a new one, unless max_in_flight requests are
 * being handled already: then the first handler to finish takes it
 * back), runs the handler with the request still in its own stack
 * buffer, and afterwards becomes the receiver again if the role is
 * vacant, or waits idle. Malformed requests are answered by the receiver
 * itself and go no further.
 *
 * When the stream fails (the client closed its end), the receiver marks
 * the connection closed and wakes the idle fibers, which end; handlers
 * still running end when they finish (their sends and receives on the
 * stream fail at once). The last fiber to end closes the stream end and
 * tells the server.
 *
 * Fibers of one OS thread switch only where they park, so the counters
 * below need no locks; the mutex exists because a condition wait needs
 * one.
 */
#include <base/string.h>
#include <keel/stream.h>
#include <proto/proto.h>
#include <rt/rt.h>

#define PAGE 4096u

static void close_handle(handle_t h)
{
	if (h) {
		rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
	}
}

int64_t proto_drain(struct loop *l, handle_t ep, uint64_t conv,
		    uint64_t length, void *head, size_t head_len)
{
	struct stream_recv_info info = { 0 };
	uint64_t size = (length + PAGE - 1) / PAGE * PAGE;
	uint64_t value = 0;
	int64_t mem, addr, r;

	if (length > PROTO_MSG_MAX) {
		return -(int64_t)ERR_TOO_BIG; /* a stream carries no more */
	}
	if (size == 0) {
		size = PAGE;
	}
	mem = rt_syscall2(SYS_MEMORY_CREATE, size, 0);
	if (mem < 0) {
		return mem;
	}
	addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, size, 0,
			   VM_READ | VM_WRITE);
	close_handle((handle_t)mem);
	if (addr < 0) {
		return addr;
	}
	r = loop_stream_recv(l, ep, conv, (void *)addr, size, &info, &value);
	if (r >= 0 && head) {
		memcpy(head, (const void *)addr,
		       head_len < (size_t)r ? head_len : (size_t)r);
	}
	rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)addr, size, 0, 0, 0);
	if (r < 0) {
		return r;
	}
	close_handle(info.handle);
	return (int64_t)value;
}

/* Sends the header alone as the reply to request @id on @conv. */
static int64_t reply_status(struct proto_conn *c, uint64_t conv, uint32_t id,
			    err_t err)
{
	struct proto_header h;

	proto_header_set(&h, id | PROTO_REPLY, sizeof(h));
	h.status = -(int32_t)err;
	return loop_stream_send(c->server->loop, c->ep, conv, &h, sizeof(h), 0,
				NULL);
}

/* The id a request of @len bytes at @msg claims, 0 if too short. */
static uint32_t claimed_id(const void *msg, size_t len)
{
	uint32_t id = 0;

	if (len >= sizeof(id)) {
		memcpy(&id, msg, sizeof(id));
	}
	return id & ~PROTO_REPLY;
}

/*
 * Waits for the next well-formed request on @c into @buf and fills
 * @call and @entry; answers the malformed ones on the way. Returns false
 * once the stream has failed.
 */
static bool conn_receive(struct proto_conn *c, uint8_t *buf,
			 struct proto_call *call,
			 const struct proto_handler **entry)
{
	struct proto_server *srv = c->server;

	for (;;) {
		struct stream_recv_info info = { 0 };
		uint64_t value = 0;
		int64_t r = loop_stream_recv(srv->loop, c->ep, 0, buf,
					     PROTO_REQUEST_MAX, &info, &value);
		err_t err;

		if (r == -(int64_t)ERR_TOO_BIG) {
			struct proto_header head = { 0 };
			int64_t conv = proto_drain(srv->loop, c->ep, 0, value,
						   &head, sizeof(head));

			if (conv < 0) {
				return false;
			}
			reply_status(c, (uint64_t)conv,
				     claimed_id(&head, sizeof(head)),
				     ERR_TOO_BIG);
			continue;
		}
		if (r < 0) {
			return false;
		}
		err = proto_request_check(buf, (size_t)r, srv->handlers,
					  srv->handler_count, entry);
		if (err) {
			close_handle(info.handle);
			reply_status(c, value, claimed_id(buf, (size_t)r), err);
			continue;
		}
		*call = (struct proto_call){
			.conn = c,
			.conversation = value,
			.sender = info.sender_process,
			.msg = buf,
			.length = (size_t)r,
			.handle = info.handle,
		};
		return true;
	}
}

static void conn_fiber(void *arg);

static err_t conn_spawn(struct proto_conn *c)
{
	err_t err = fiber_create(NULL, conn_fiber, c, PROTO_FIBER_STACK);

	if (!err) {
		c->fibers++;
	}
	return err;
}

/* The receiver took a request (counted in in_flight): someone else
 * receives the next one, if the connection may take more at once. */
static void conn_hand_off(struct proto_conn *c)
{
	c->receiving = false;
	if (c->in_flight >= c->server->max_in_flight) {
		return;
	}
	if (c->idle_count) {
		c->idle_count--;
		c->handoffs++;
		c->receiving = true;
		fiber_cond_signal(&c->idle);
	} else if (conn_spawn(c) == ERR_OK) {
		c->receiving = true;
	}
	/* Otherwise no fiber could be made: the first handler to finish
	 * receives again. */
}

/* Waits until told to become the receiver (returns true) or the
 * connection closed (false). */
static bool conn_idle(struct proto_conn *c)
{
	bool work;

	fiber_mutex_lock(&c->lock);
	c->idle_count++;
	while (!c->closed && !c->handoffs) {
		fiber_cond_wait(&c->idle, &c->lock);
	}
	if (c->handoffs) {
		c->handoffs--;
	} else {
		c->idle_count--;
	}
	work = !c->closed;
	fiber_mutex_unlock(&c->lock);
	return work;
}

static void conn_handle(const struct proto_handler *entry,
			struct proto_call *call)
{
	err_t err = entry->fn(call);

	if (!call->replied) {
		proto_reply_error(call, err);
	}
	close_handle(call->handle);
	call->handle = 0;
}

static void conn_fiber(void *arg)
{
	struct proto_conn *c = arg;
	uint8_t buf[PROTO_REQUEST_MAX] __attribute__((aligned(16)));

	for (;;) {
		const struct proto_handler *entry;
		struct proto_call call;

		if (!conn_receive(c, buf, &call, &entry)) {
			c->closed = true;
			c->receiving = false;
			fiber_cond_broadcast(&c->idle);
			break;
		}
		c->in_flight++;
		conn_hand_off(c);
		conn_handle(entry, &call);
		c->in_flight--;
		if (c->closed) {
			break;
		}
		if (!c->receiving) {
			c->receiving = true;
			continue;
		}
		if (!conn_idle(c)) {
			break;
		}
	}
	if (--c->fibers == 0) {
		close_handle(c->ep);
		c->ep = 0;
		if (c->server->conn_closed) {
			c->server->conn_closed(c);
		}
	}
}

err_t proto_conn_start(struct proto_server *srv, struct proto_conn *conn,
		       handle_t ep, void *ctx)
{
	err_t err;

	if (srv->max_in_flight == 0) {
		return ERR_INVALID;
	}
	*conn = (struct proto_conn){
		.server = srv,
		.ep = ep,
		.ctx = ctx,
		.receiving = true,
	};
	fiber_mutex_init(&conn->lock);
	fiber_cond_init(&conn->idle);
	err = conn_spawn(conn);
	if (err) {
		conn->ep = 0;
	}
	return err;
}

/* The id of @call's request. */
static uint32_t call_id(const struct proto_call *call)
{
	return claimed_id(call->msg, call->length);
}

int64_t proto_conn_send(struct proto_conn *conn, uint64_t conv, uint32_t id,
			int32_t status, void *msg, size_t len, handle_t handle)
{
	struct proto_header h;
	int64_t r;

	proto_header_set(&h, id, len);
	h.status = status;
	memcpy(msg, &h, sizeof(h));
	r = loop_stream_send(conn->server->loop, conn->ep, conv, msg, len,
			     handle, NULL);
	if (r < 0) {
		close_handle(handle);
		return r;
	}
	return 0;
}

int64_t proto_call_send(struct proto_call *call, uint32_t id, int32_t status,
			void *msg, size_t len, handle_t handle)
{
	return proto_conn_send(call->conn, call->conversation, id, status, msg,
			       len, handle);
}

int64_t proto_reply(struct proto_call *call, void *msg, size_t len,
		    handle_t handle)
{
	call->replied = true;
	return proto_call_send(call, call_id(call) | PROTO_REPLY, 0, msg, len,
			       handle);
}

int64_t proto_reply_error(struct proto_call *call, err_t err)
{
	int64_t r;

	call->replied = true;
	r = reply_status(call->conn, call->conversation, call_id(call), err);
	return r < 0 ? r : 0;
}

int64_t proto_call_recv(struct proto_call *call, void *buf, size_t cap,
			handle_t *handle, uint64_t *cancel)
{
	struct proto_conn *c = call->conn;
	struct stream_recv_info info = { 0 };
	struct queue_sqe sqe = {
		.op = QUEUE_OP_STREAM_RECV,
		.handle = c->ep,
		.arg = { call->conversation, (uint64_t)(uintptr_t)buf, cap,
			 (uint64_t)(uintptr_t)&info },
	};
	struct queue_cqe cqe = { 0 };
	int64_t r;

	r = loop_submit_ctx(c->server->loop, &sqe, &cqe, cancel);
	if (r == -(int64_t)ERR_TOO_BIG) {
		proto_drain(c->server->loop, c->ep, call->conversation,
			    cqe.value, NULL, 0);
		return r;
	}
	if (r < 0) {
		return r;
	}
	if (proto_request_frame_check(buf, (size_t)r) != ERR_OK) {
		close_handle(info.handle);
		return -(int64_t)ERR_INVALID;
	}
	if (handle) {
		*handle = info.handle;
	} else {
		close_handle(info.handle);
	}
	return r;
}
