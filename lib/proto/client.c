/*
 * Client side of the protocol helper (proto.h): a request on a new
 * conversation, its reply, further messages on the conversation. All of
 * it runs in fibers over the event loop, so each call parks only its own
 * fiber.
 */
#include <keel/stream.h>
#include <proto/proto.h>
#include <rt/rt.h>

static void close_handle(handle_t h)
{
	if (h) {
		rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
	}
}

int64_t proto_send(struct loop *l, handle_t ep, uint64_t conv, uint32_t id,
		   void *msg, size_t len, handle_t handle)
{
	int64_t r;

	proto_header_set(msg, id, len);
	r = loop_stream_send(l, ep, conv, msg, len, handle, NULL);
	if (r < 0) {
		close_handle(handle);
		return r;
	}
	return 0;
}

/* Receives the next message of @conv; one too big for @cap is read and
 * dropped (-ERR_TOO_BIG) so that it does not block the conversation. */
static int64_t receive(struct loop *l, handle_t ep, uint64_t conv, void *buf,
		       size_t cap, struct proto_result *res)
{
	struct stream_recv_info info = { 0 };
	uint64_t value = 0;
	int64_t r;

	r = loop_stream_recv(l, ep, conv, buf, cap, &info, &value);
	if (r == -(int64_t)ERR_TOO_BIG) {
		proto_drain(l, ep, conv, value, NULL, 0);
		return r;
	}
	if (r < 0) {
		return r;
	}
	res->conversation = value;
	res->length = (size_t)r;
	res->handle = info.handle;
	return r;
}

int64_t proto_call(struct loop *l, handle_t ep, uint32_t id, void *req,
		   size_t len, handle_t handle, void *reply, size_t min_reply,
		   size_t cap, struct proto_result *res)
{
	struct proto_result got = { 0 };
	uint64_t conv = 0;
	int64_t r;

	proto_header_set(req, id, len);
	r = loop_stream_send(l, ep, 0, req, len, handle, &conv);
	if (r < 0) {
		close_handle(handle);
		return r;
	}
	r = receive(l, ep, conv, reply, cap, &got);
	if (r < 0) {
		return r;
	}
	got.conversation = conv;
	r = proto_reply_check(reply, got.length, id, min_reply, cap);
	if (r < 0) {
		close_handle(got.handle);
		got.handle = 0;
	}
	if (res) {
		*res = got;
	} else {
		close_handle(got.handle);
	}
	return r;
}

int64_t proto_next(struct loop *l, handle_t ep, uint64_t conv, void *buf,
		   size_t cap, struct proto_result *res)
{
	struct proto_result got = { 0 };
	int64_t r = receive(l, ep, conv, buf, cap, &got);

	if (r < 0) {
		return r;
	}
	r = proto_frame_check(buf, got.length);
	if (r < 0) {
		close_handle(got.handle);
		got.handle = 0;
	}
	if (res) {
		*res = got;
	} else {
		close_handle(got.handle);
	}
	return r;
}
