/*
 * The registry: the first server the kernel starts. Servers publish
 * endpoints (the client end of a stream they serve, with string
 * properties); clients look them up by properties or watch for new ones
 * and get a duplicate of the published stream end. Protocol:
 * abi/keel/proto/registry.h; the server skeleton is lib/proto's.
 *
 * Streams served: main's argument is the registry's end of a stream only
 * the kernel holds the other end of; on it the kernel hands over, for
 * each boot program it starts, the registry's end of that program's
 * private stream (REGISTRY_KERNEL_CLIENT). REGISTRY_CONNECT makes more.
 *
 * Every table is a fixed array (limits in the protocol header), so no
 * client can make the registry allocate without bound. Each published
 * endpoint has a fiber waiting on its stream end for "peer closed": the
 * publisher's side is gone, the endpoint goes. That fiber alone frees
 * the endpoint's slot and closes its handle; unpublishing marks the
 * endpoint removed and cancels the wait. A watch lives as long as the
 * request that made it: its fiber waits on the watch's conversation for
 * the client's REGISTRY_UNWATCH (or the stream's end); publishers send
 * events to the watches in place when they publish.
 *
 * All of this runs in fibers of one OS thread, switching only where they
 * wait, so the tables need no locks; but every wait (each send) lets
 * other fibers change them, so slots are looked at again after one.
 */
#include <base/string.h>
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <keel/proto/registry.h>
#include <proto/proto.h>
#include <registry/registry.h>
#include <rt/rt.h>

#define QUEUE_ENTRIES 256
#define ENDPOINT_FIBER_STACK (16u * 1024)
#define KERNEL_FIBER_STACK (16u * 1024)
#define HANDOUT_RIGHTS \
	(RIGHT_READ | RIGHT_WRITE | RIGHT_DUPLICATE | RIGHT_TRANSFER)

int main(uint64_t kernel_stream);

struct conn {
	struct proto_conn pc;
	bool used;
	uint64_t process;	/* the client's process id */
	unsigned watches;
};

struct endpoint {
	bool used;
	bool removed;		/* unpublished: its fiber is ending */
	uint64_t id;		/* publishing order; never reused */
	uint64_t owner;		/* the publisher's process id */
	handle_t handle;	/* the stream end handed out */
	uint32_t rights;	/* what duplicates get */
	uint64_t wait_ctx;	/* its fiber's receive, for loop_cancel */
	uint32_t props_size;
	char props[REGISTRY_PROPS_MAX];
};

struct watch {
	bool used;
	bool lost;		/* an event could not be sent: none more */
	struct conn *conn;
	uint64_t conversation;
	uint64_t first_id;	/* publishers tell it of ids from here */
	uint32_t props_size;
	char props[REGISTRY_PROPS_MAX];
};

static struct loop loop;
static struct conn conns[REGISTRY_CONNECTIONS_MAX];
static struct endpoint endpoints[REGISTRY_ENDPOINTS_MAX];
static struct watch watches[REGISTRY_WATCHES_MAX];
static uint64_t next_id = 1;

static void close_handle(handle_t h)
{
	if (h) {
		rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
	}
}

static bool endpoint_live(const struct endpoint *e)
{
	return e->used && !e->removed;
}

/* --- connections --- */

static err_t handle_publish(struct proto_call *call);
static err_t handle_unpublish(struct proto_call *call);
static err_t handle_lookup(struct proto_call *call);
static err_t handle_watch(struct proto_call *call);
static err_t handle_connect(struct proto_call *call);

static const struct proto_handler handlers[] = {
	{ REGISTRY_PUBLISH, REGISTRY_QUERY_SIZE(0),
	  sizeof(struct registry_query), handle_publish },
	{ REGISTRY_UNPUBLISH, sizeof(struct registry_id),
	  sizeof(struct registry_id), handle_unpublish },
	{ REGISTRY_LOOKUP, REGISTRY_QUERY_SIZE(0),
	  sizeof(struct registry_query), handle_lookup },
	{ REGISTRY_WATCH, REGISTRY_QUERY_SIZE(0),
	  sizeof(struct registry_query), handle_watch },
	{ REGISTRY_CONNECT, sizeof(struct proto_header),
	  sizeof(struct proto_header), handle_connect },
};

static void conn_closed(struct proto_conn *pc)
{
	container_of(pc, struct conn, pc)->used = false;
}

static struct proto_server server = {
	.loop = &loop,
	.handlers = handlers,
	.handler_count = sizeof(handlers) / sizeof(handlers[0]),
	.max_in_flight = REGISTRY_REQUESTS_PER_CONNECTION,
	.conn_closed = conn_closed,
};

/* Streams served for @process. */
static unsigned conns_of(uint64_t process)
{
	unsigned n = 0;

	for (size_t i = 0; i < REGISTRY_CONNECTIONS_MAX; i++) {
		n += conns[i].used && conns[i].process == process;
	}
	return n;
}

/* Serves stream end @ep for @process (taken, or closed on failure). */
static err_t conn_add(handle_t ep, uint64_t process)
{
	if (conns_of(process) >= REGISTRY_CONNECTIONS_PER_PROCESS) {
		close_handle(ep);
		return ERR_NO_SPACE;
	}
	for (size_t i = 0; i < REGISTRY_CONNECTIONS_MAX; i++) {
		struct conn *c = &conns[i];
		err_t err;

		if (c->used) {
			continue;
		}
		err = proto_conn_start(&server, &c->pc, ep, c);
		if (err) {
			close_handle(ep);
			return err;
		}
		c->used = true;
		c->process = process;
		c->watches = 0;
		return ERR_OK;
	}
	close_handle(ep);
	return ERR_NO_SPACE;
}

/* Watches set up by @process. */
static unsigned watches_of(uint64_t process)
{
	unsigned n = 0;

	for (size_t i = 0; i < REGISTRY_WATCHES_MAX; i++) {
		n += watches[i].used && watches[i].conn->process == process;
	}
	return n;
}

/* --- requests --- */

/* Checks the property tail of query @call. */
static err_t query_check(const struct proto_call *call, unsigned *count)
{
	const struct registry_query *q = call->msg;

	if (q->props_size > REGISTRY_PROPS_MAX) {
		return ERR_TOO_BIG;
	}
	if (call->length != REGISTRY_QUERY_SIZE(q->props_size)) {
		return ERR_INVALID;
	}
	return registry_props_check(q->props, q->props_size, count);
}

/* Sends endpoint @e on conversation @conv of @c as @id (a lookup's
 * reply, or an event), with @dup, a new handle to it (consumed). */
static int64_t send_endpoint(struct proto_conn *c, uint64_t conv, uint32_t id,
			     const struct endpoint *e, uint32_t matches,
			     handle_t dup)
{
	struct registry_endpoint msg;

	msg.id = e->id;
	msg.matches = matches;
	msg.props_size = e->props_size;
	memcpy(msg.props, e->props, e->props_size);
	return proto_conn_send(c, conv, id | PROTO_REPLY, 0, &msg,
			       REGISTRY_ENDPOINT_SIZE(e->props_size), dup);
}

/* A new handle to @e's stream end for a client, or a negated err_t. */
static int64_t endpoint_dup(const struct endpoint *e)
{
	return rt_syscall2(SYS_HANDLE_DUPLICATE, e->handle, e->rights);
}

/* Tells watch @w of endpoint @e; a watch that cannot be told hears
 * nothing more (its client stopped reading). */
static void watch_tell(struct watch *w, const struct endpoint *e)
{
	int64_t dup = endpoint_dup(e);

	if (dup < 0 || send_endpoint(&w->conn->pc, w->conversation,
				     REGISTRY_EVENT, e, 0, (handle_t)dup) < 0) {
		w->lost = true;
	}
}

static bool watch_wants(const struct watch *w, const struct endpoint *e)
{
	return w->used && !w->lost &&
	       registry_props_match(e->props, e->props_size, w->props,
				    w->props_size);
}

/* Runs as a fiber per endpoint: waits until its publisher's side of the
 * stream is gone (or it is unpublished), then frees it. */
static void endpoint_fiber(void *arg)
{
	struct endpoint *e = arg;
	int64_t r = 0;

	while (!e->removed) {
		struct stream_recv_info info = { 0 };
		uint8_t buf[64];
		struct queue_sqe sqe = {
			.op = QUEUE_OP_STREAM_RECV,
			.handle = e->handle,
			.arg = { 0, (uint64_t)(uintptr_t)buf, sizeof(buf),
				 (uint64_t)(uintptr_t)&info },
		};

		r = loop_submit_ctx(&loop, &sqe, NULL, &e->wait_ctx);
		if (r < 0) {
			break;
		}
		/* The publisher opened a conversation towards the clients'
		 * end: not for us; drop it and wait on. */
		close_handle(info.handle);
	}
	rt_printf("endpoint %lu gone (%s)", e->id,
		  e->removed ? "unpublished" : error_str((err_t)-r));
	close_handle(e->handle);
	e->used = false;
}

/* Endpoints @process has published and not unpublished. */
static unsigned endpoints_of(uint64_t process)
{
	unsigned n = 0;

	for (size_t i = 0; i < REGISTRY_ENDPOINTS_MAX; i++) {
		n += endpoint_live(&endpoints[i]) &&
		     endpoints[i].owner == process;
	}
	return n;
}

static err_t handle_publish(struct proto_call *call)
{
	const struct registry_query *q = call->msg;
	struct endpoint *e = NULL;
	struct registry_id reply;
	unsigned count = 0;
	int64_t info;
	uint64_t id;
	err_t err = query_check(call, &count);

	if (err) {
		return err;
	}
	if (count == 0 || q->arg != 0 || !call->handle) {
		return ERR_INVALID;
	}
	info = rt_syscall2(SYS_HANDLE_INFO, call->handle, 0);
	if (info < 0) {
		return (err_t)-info;
	}
	if ((info & 0xffffffff) != OBJECT_STREAM) {
		return ERR_WRONG_TYPE;
	}
	if (((uint64_t)info >> 32 & HANDOUT_RIGHTS) != HANDOUT_RIGHTS) {
		return ERR_ACCESS;
	}
	if (endpoints_of(call->sender) >= REGISTRY_ENDPOINTS_PER_PROCESS) {
		return ERR_NO_SPACE;
	}
	for (size_t i = 0; i < REGISTRY_ENDPOINTS_MAX && !e; i++) {
		if (!endpoints[i].used) {
			e = &endpoints[i];
		}
	}
	if (!e) {
		return ERR_NO_SPACE;
	}
	id = next_id++;
	*e = (struct endpoint){
		.used = true,
		.id = id,
		.owner = call->sender,
		.handle = call->handle,
		.rights = (uint32_t)((uint64_t)info >> 32),
		.props_size = q->props_size,
	};
	memcpy(e->props, q->props, q->props_size);
	err = fiber_create(NULL, endpoint_fiber, e, ENDPOINT_FIBER_STACK);
	if (err) {
		e->used = false;
		return err;
	}
	call->handle = 0; /* the endpoint's now */
	rt_printf("endpoint %lu published by process %lu", id,
		  call->sender);
	reply.id = id;
	proto_reply(call, &reply, sizeof(reply), 0);
	for (size_t i = 0; i < REGISTRY_WATCHES_MAX; i++) {
		/* Sending waits: the endpoint may be gone, its slot reused. */
		if (!endpoint_live(e) || e->id != id) {
			break;
		}
		if (watch_wants(&watches[i], e) && id >= watches[i].first_id) {
			watch_tell(&watches[i], e);
		}
	}
	return ERR_OK;
}

static err_t handle_unpublish(struct proto_call *call)
{
	const struct registry_id *req = call->msg;

	for (size_t i = 0; i < REGISTRY_ENDPOINTS_MAX; i++) {
		struct endpoint *e = &endpoints[i];

		if (endpoint_live(e) && e->id == req->id &&
		    e->owner == call->sender) {
			e->removed = true;
			/* Its fiber ends when its receive does (or, not
			 * waiting yet, sees removed first). A full
			 * submission ring empties when others run. */
			while (e->used && e->id == req->id && e->wait_ctx &&
			       loop_cancel(&loop, e->wait_ctx) ==
				       -(int64_t)ERR_NO_SPACE) {
				fiber_yield();
			}
			return ERR_OK;
		}
	}
	return ERR_NOT_FOUND;
}

/* The live endpoint matching @q with the smallest id above @after. */
static struct endpoint *next_match(const struct registry_query *q,
				   uint64_t after)
{
	struct endpoint *best = NULL;

	for (size_t i = 0; i < REGISTRY_ENDPOINTS_MAX; i++) {
		struct endpoint *e = &endpoints[i];

		if (endpoint_live(e) && e->id > after &&
		    (!best || e->id < best->id) &&
		    registry_props_match(e->props, e->props_size, q->props,
					 q->props_size)) {
			best = e;
		}
	}
	return best;
}

static err_t handle_lookup(struct proto_call *call)
{
	const struct registry_query *q = call->msg;
	struct endpoint *e = NULL;
	uint32_t matches = 0;
	int64_t dup;
	err_t err = query_check(call, NULL);

	if (err) {
		return err;
	}
	for (struct endpoint *m = next_match(q, 0); m;
	     m = next_match(q, m->id)) {
		if (matches++ == q->arg) {
			e = m;
		}
	}
	if (!e) {
		return ERR_NOT_FOUND;
	}
	dup = endpoint_dup(e);
	if (dup < 0) {
		return (err_t)-dup;
	}
	call->replied = true;
	send_endpoint(call->conn, call->conversation, REGISTRY_LOOKUP, e,
		      matches, (handle_t)dup);
	return ERR_OK;
}

/* Sends @w an event for each endpoint published before it was set up
 * that it matches (REGISTRY_WATCH_EXISTING). */
static void watch_tell_existing(struct watch *w)
{
	uint64_t after = 0;

	for (;;) {
		struct endpoint *best = NULL;

		for (size_t i = 0; i < REGISTRY_ENDPOINTS_MAX; i++) {
			struct endpoint *e = &endpoints[i];

			if (endpoint_live(e) && e->id > after &&
			    e->id < w->first_id &&
			    (!best || e->id < best->id)) {
				best = e;
			}
		}
		if (!best) {
			return;
		}
		after = best->id;
		if (watch_wants(w, best)) {
			watch_tell(w, best);
		}
	}
}

static err_t handle_watch(struct proto_call *call)
{
	const struct registry_query *q = call->msg;
	struct conn *c = call->conn->ctx;
	struct watch *w = NULL;
	err_t err = query_check(call, NULL);

	if (err) {
		return err;
	}
	if (q->arg & ~(uint32_t)REGISTRY_WATCH_EXISTING) {
		return ERR_INVALID;
	}
	for (size_t i = 0; i < REGISTRY_WATCHES_MAX && !w; i++) {
		if (!watches[i].used) {
			w = &watches[i];
		}
	}
	if (!w || c->watches >= REGISTRY_WATCHES_PER_CONNECTION ||
	    watches_of(c->process) >= REGISTRY_WATCHES_PER_PROCESS) {
		return ERR_NO_SPACE;
	}
	*w = (struct watch){
		.used = true,
		.conn = c,
		.conversation = call->conversation,
		.first_id = next_id,
		.props_size = q->props_size,
	};
	memcpy(w->props, q->props, q->props_size);
	c->watches++;
	proto_reply_error(call, ERR_OK);
	if (q->arg & REGISTRY_WATCH_EXISTING) {
		watch_tell_existing(w);
	}
	/* Until the client says stop, or is gone. */
	for (;;) {
		struct proto_header end;
		uint8_t buf[64];
		int64_t r = proto_call_recv(call, buf, sizeof(buf), NULL, NULL);
		bool lost = w->lost;

		if (r == -(int64_t)ERR_INVALID || r == -(int64_t)ERR_TOO_BIG) {
			continue; /* malformed: nothing to answer to */
		}
		if (r >= 0) {
			memcpy(&end, buf, sizeof(end));
		}
		if (r >= 0 && end.id != REGISTRY_UNWATCH) {
			proto_call_send(call, end.id | PROTO_REPLY,
					-(int32_t)ERR_NOT_SUPPORTED, &end,
					sizeof(end), 0);
			continue;
		}
		/* Gone before the answer: the client may set up another
		 * watch as soon as it has it. */
		w->used = false;
		c->watches--;
		if (r >= 0) {
			proto_call_send(call, REGISTRY_UNWATCH | PROTO_REPLY,
					lost ? -(int32_t)ERR_NO_SPACE : 0,
					&end, sizeof(end), 0);
		}
		return ERR_OK;
	}
}

static err_t handle_connect(struct proto_call *call)
{
	struct proto_header reply;
	handle_t ends[2];
	int64_t r = rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends,
				0);
	err_t err;

	if (r < 0) {
		return (err_t)-r;
	}
	err = conn_add(ends[0], call->sender);
	if (err) {
		close_handle(ends[1]);
		return err;
	}
	proto_reply(call, &reply, sizeof(reply), ends[1]);
	return ERR_OK;
}

/* --- the kernel's stream --- */

/* Runs as a fiber: takes the boot programs' streams from the kernel. */
static void kernel_fiber(void *arg)
{
	handle_t ep = (handle_t)(uintptr_t)arg;

	for (;;) {
		struct registry_kernel_client m;
		struct stream_recv_info info = { 0 };
		int64_t r = loop_stream_recv(&loop, ep, 0, &m, sizeof(m), &info,
					     NULL);
		err_t err;

		if (r < 0) {
			rt_printf("kernel stream: %s",
				  error_str((err_t)-r));
			return;
		}
		if (r != sizeof(m) || m.hdr.id != REGISTRY_KERNEL_CLIENT ||
		    m.hdr.length != sizeof(m) || !info.handle) {
			close_handle(info.handle);
			continue;
		}
		m.name[sizeof(m.name) - 1] = '\0';
		err = conn_add(info.handle, m.process_id);
		if (err) {
			rt_printf("cannot serve %s (process %lu): %s",
				  m.name, m.process_id, error_str(err));
		}
	}
}

int main(uint64_t kernel_stream)
{
	err_t err = loop_init(&loop, QUEUE_ENTRIES);

	if (!err) {
		err = fiber_create(NULL, kernel_fiber,
				   (void *)(uintptr_t)kernel_stream,
				   KERNEL_FIBER_STACK);
	}
	if (err) {
		rt_printf("cannot start: %s", error_str(err));
		return 1;
	}
	rt_printf("serving");
	err = loop_run(&loop);
	rt_printf("event loop ended: %s", error_str(err));
	return err ? 1 : 0;
}
