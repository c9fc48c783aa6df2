/*
 * Client stubs of the registry protocol (registry.h), over the protocol
 * helper's client side (lib/proto): each request on a new conversation
 * of the caller's registry stream, the calling fiber parked until the
 * reply. A reply is checked (lengths, property tail) before anything in
 * it is believed: the registry is a server like any other.
 */
#include <base/string.h>
#include <proto/proto.h>
#include <registry/registry.h>
#include <rt/rt.h>

static void close_handle(handle_t h)
{
	if (h) {
		rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
	}
}

/* Checks a registry_endpoint message of @length bytes. */
static bool endpoint_ok(const struct registry_endpoint *e, size_t length)
{
	return length >= REGISTRY_ENDPOINT_SIZE(0) &&
	       e->props_size <= REGISTRY_PROPS_MAX &&
	       length == REGISTRY_ENDPOINT_SIZE(e->props_size) &&
	       registry_props_check(e->props, e->props_size, NULL) == ERR_OK;
}

/* Sends a query (@id) with @pairs and @arg, and waits for a reply of
 * @min..@cap bytes into @reply. */
static int64_t query(struct loop *l, handle_t reg, uint32_t id,
		     const char *const *pairs, uint32_t arg, handle_t handle,
		     void *reply, size_t min, size_t cap,
		     struct proto_result *res)
{
	struct registry_query q;
	size_t size;
	err_t err = registry_props_build(q.props, sizeof(q.props), pairs,
					 &size);

	if (err) {
		close_handle(handle);
		return -(int64_t)err;
	}
	q.props_size = (uint32_t)size;
	q.arg = arg;
	return proto_call(l, reg, id, &q, REGISTRY_QUERY_SIZE(size), handle,
			  reply, min, cap, res);
}

int64_t registry_publish(struct loop *l, handle_t reg,
			 const char *const *pairs, handle_t end, uint64_t *id)
{
	struct registry_id reply;
	int64_t r = query(l, reg, REGISTRY_PUBLISH, pairs, 0, end, &reply,
			  sizeof(reply), sizeof(reply), NULL);

	if (r == 0 && id) {
		*id = reply.id;
	}
	return r;
}

int64_t registry_unpublish(struct loop *l, handle_t reg, uint64_t id)
{
	struct registry_id req = { .id = id };
	struct proto_header reply;

	return proto_call(l, reg, REGISTRY_UNPUBLISH, &req, sizeof(req), 0,
			  &reply, sizeof(reply), sizeof(reply), NULL);
}

int64_t registry_lookup(struct loop *l, handle_t reg,
			const char *const *pairs, uint32_t index,
			handle_t *out, struct registry_endpoint *info)
{
	struct registry_endpoint reply;
	struct proto_result res = { 0 };
	int64_t r = query(l, reg, REGISTRY_LOOKUP, pairs, index, 0, &reply,
			  REGISTRY_ENDPOINT_SIZE(0), sizeof(reply), &res);

	if (r < 0) {
		return r;
	}
	if (!endpoint_ok(&reply, res.length) || !res.handle) {
		close_handle(res.handle);
		return -(int64_t)ERR_CORRUPT;
	}
	*out = res.handle;
	if (info) {
		memcpy(info, &reply, res.length);
	}
	return 0;
}

int64_t registry_watch_start(struct loop *l, handle_t reg,
			     const char *const *pairs, uint32_t flags,
			     struct registry_watch *w)
{
	struct proto_header reply;
	struct proto_result res = { 0 };
	int64_t r = query(l, reg, REGISTRY_WATCH, pairs, flags, 0, &reply,
			  sizeof(reply), sizeof(reply), &res);

	if (r < 0) {
		return r;
	}
	close_handle(res.handle);
	*w = (struct registry_watch){
		.loop = l,
		.reg = reg,
		.conversation = res.conversation,
	};
	return 0;
}

int64_t registry_watch_next(struct registry_watch *w, handle_t *out,
			    struct registry_endpoint *info)
{
	struct registry_endpoint ev;
	struct proto_result res = { 0 };
	int64_t r = proto_next(w->loop, w->reg, w->conversation, &ev,
			       sizeof(ev), &res);

	if (r < 0) {
		return r;
	}
	if (ev.hdr.id != (REGISTRY_EVENT | PROTO_REPLY) ||
	    !endpoint_ok(&ev, res.length) || !res.handle) {
		close_handle(res.handle);
		return -(int64_t)ERR_CORRUPT;
	}
	*out = res.handle;
	if (info) {
		memcpy(info, &ev, res.length);
	}
	return 0;
}

int64_t registry_watch_stop(struct registry_watch *w)
{
	struct proto_header req;
	int64_t r = proto_send(w->loop, w->reg, w->conversation,
			       REGISTRY_UNWATCH, &req, sizeof(req), 0);

	/* Events sent before the registry saw the request come first. */
	while (r == 0) {
		struct registry_endpoint ev;
		struct proto_result res = { 0 };

		r = proto_next(w->loop, w->reg, w->conversation, &ev,
			       sizeof(ev), &res);
		close_handle(res.handle);
		if (r == 0 && ev.hdr.id == (REGISTRY_UNWATCH | PROTO_REPLY)) {
			break;
		}
	}
	return r;
}

int64_t registry_connect(struct loop *l, handle_t reg, handle_t *out)
{
	struct proto_header req, reply;
	struct proto_result res = { 0 };
	int64_t r = proto_call(l, reg, REGISTRY_CONNECT, &req, sizeof(req), 0,
			       &reply, sizeof(reply), sizeof(reply), &res);

	if (r < 0) {
		return r;
	}
	if (!res.handle) {
		return -(int64_t)ERR_CORRUPT;
	}
	*out = res.handle;
	return 0;
}
