/*
 * The protocol helper: fixed-layout request/reply messages over streams
 * (the frame is abi/keel/proto/proto.h), for servers and their clients
 * written on fibers (lib/fiber).
 *
 * Pure part (host-tested): filling a header, finding a message id in a
 * dispatch table, checking a request against the table and a reply
 * against what was asked.
 *
 * Client side: proto_call sends a request on a new conversation and
 * parks the calling fiber until the reply is in, so as many requests
 * can be in flight as there are fibers. proto_next and proto_send carry
 * on a conversation (a stream of replies, a follow-up request).
 *
 * Server side: proto_conn_start serves one stream end. A fiber receives
 * the opening message of each new conversation, checks it against the
 * dispatch table (answering malformed requests with an error itself),
 * then handles it while another fiber of the connection takes over the
 * receiving, up to max_in_flight requests at once; finished fibers wait
 * idle to be reused, so a request costs no fiber creation once the
 * connection is warm. A request is at most PROTO_REQUEST_MAX bytes; bulk
 * data belongs in memory objects. Longer messages are read and dropped
 * with an ERR_TOO_BIG reply, handles nobody took are closed: a hostile
 * client can hurt only its own stream.
 *
 * Handles: a handle given to proto_call, proto_send, proto_reply or
 * proto_call_send is consumed (it travels, or is closed if the send
 * fails).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fiber/loop.h>
#include <fiber/sync.h>
#include <keel/error.h>
#include <keel/handle.h>
#include <keel/proto/proto.h>

/* Largest request a lib/proto server receives whole. */
#define PROTO_REQUEST_MAX 8192u
/* Stack of each server fiber: the request buffer and the handler's. */
#define PROTO_FIBER_STACK (32u * 1024)

struct proto_call;

/* One message a server understands: requests of @id are min_length..
 * max_length bytes long (header included) and go to fn. fn answers with
 * proto_reply (or proto_reply_error); if it returns without having
 * replied, the helper replies with the header alone and the err_t fn
 * returned as status. */
struct proto_handler {
	uint32_t id;
	uint32_t min_length;
	uint32_t max_length;
	err_t (*fn)(struct proto_call *call);
};

/* Sets the header at the start of @msg: @id, @length, status 0. */
void proto_header_set(void *msg, uint32_t id, size_t length);

/* The entry of @table (of @count) for @id, or NULL. */
const struct proto_handler *proto_handler_find(
	const struct proto_handler *table, size_t count, uint32_t id);

/* Checks the frame alone of a request of @length bytes at @msg:
 * ERR_INVALID (shorter than a header, header length not @length, status
 * or reserved not 0, PROTO_REPLY set). */
err_t proto_request_frame_check(const void *msg, size_t length);

/* Checks the request of @length bytes at @msg against @table; stores
 * its entry in *@out. ERR_INVALID (a bad frame, or shorter than the
 * entry's minimum), ERR_NOT_SUPPORTED (unknown id), ERR_TOO_BIG (longer
 * than the entry allows). */
err_t proto_request_check(const void *msg, size_t length,
			  const struct proto_handler *table, size_t count,
			  const struct proto_handler **out);

/* Checks a message received on a conversation where a reply to
 * @request_id is expected: returns its status (0, or a negated err_t
 * from the server), or -ERR_CORRUPT when it is not such a reply (too
 * short, header length not @length, another id, status not an error
 * code, an error reply longer than the header, a success reply outside
 * min_length..max_length). */
int64_t proto_reply_check(const void *msg, size_t length, uint32_t request_id,
			  size_t min_length, size_t max_length);

/* Checks the frame alone of a message a server sent (a reply or an
 * event of a stream of them): returns its status, or -ERR_CORRUPT (too
 * short, header length not @length, PROTO_REPLY not set, bad status,
 * reserved set). */
int64_t proto_frame_check(const void *msg, size_t length);

#ifndef HOST_TEST

/* What a client call got back. */
struct proto_result {
	uint64_t conversation;	/* of the request */
	size_t length;		/* of the reply */
	handle_t handle;	/* that came with the reply, 0 if none */
};

/* From a fiber: sends the request at @req (@len bytes; its header is
 * filled in with @id and @len) on a new conversation of stream end @ep,
 * with @handle (0: none), and waits for the reply into @reply (@cap
 * bytes). Returns the reply's status (0 on success) or a transport
 * error (-ERR_PEER_CLOSED, ...; -ERR_CORRUPT for a malformed reply, see
 * proto_reply_check with @min_reply..@cap). On success *@res (may be
 * NULL) is filled and the reply's handle is the caller's; otherwise any
 * handle that came back is closed. */
int64_t proto_call(struct loop *l, handle_t ep, uint32_t id, void *req,
		   size_t len, handle_t handle, void *reply, size_t min_reply,
		   size_t cap, struct proto_result *res);

/* From a fiber: waits for the next message the server sends on
 * conversation @conv into @buf (@cap bytes), as in a stream of replies.
 * Returns its status or a transport error, -ERR_CORRUPT if its frame is
 * bad (proto_frame_check); the caller checks its id and length. The
 * handle in *@res is the caller's when 0 is returned. */
int64_t proto_next(struct loop *l, handle_t ep, uint64_t conv, void *buf,
		   size_t cap, struct proto_result *res);

/* From a fiber: sends a further request (@id, header filled in) on
 * conversation @conv. Returns 0 or a transport error. */
int64_t proto_send(struct loop *l, handle_t ep, uint64_t conv, uint32_t id,
		   void *msg, size_t len, handle_t handle);

/* From a fiber: reads and drops the message of @length bytes (as an
 * ERR_TOO_BIG receive reported it) waiting on conversation @conv of @ep
 * (0: the opening message of a new one), closing any handle it carries,
 * so that it stops blocking the receives behind it; its first @head_len
 * bytes are copied to @head (may be NULL). Returns its conversation id,
 * or a negated err_t (it may then still be there). */
int64_t proto_drain(struct loop *l, handle_t ep, uint64_t conv,
		    uint64_t length, void *head, size_t head_len);

struct proto_conn;

/* A server: its dispatch table and limits, shared by its connections. */
struct proto_server {
	struct loop *loop;
	const struct proto_handler *handlers;
	size_t handler_count;
	uint32_t max_in_flight;	/* requests handled at once per stream */
	/* Called once the connection's stream failed (peer closed) and all
	 * its fibers are done with it; its end is closed already. The
	 * server may reuse @conn from then on. May be NULL. */
	void (*conn_closed)(struct proto_conn *conn);
};

/* One stream end served. Private to lib/proto but for ctx. */
struct proto_conn {
	struct proto_server *server;
	handle_t ep;
	void *ctx;		/* the server's per-connection state */
	bool receiving;		/* a fiber receives, or is about to */
	bool closed;		/* the stream failed: no more requests */
	uint32_t in_flight;	/* requests being handled */
	uint32_t fibers;	/* fibers of this connection */
	/* Fibers waiting in @idle are idle_count + handoffs: those with
	 * nothing to do, and those told to become the receiver that have
	 * not run yet. */
	uint32_t idle_count;
	uint32_t handoffs;
	struct fiber_mutex lock; /* taken only around condition waits */
	struct fiber_cond idle;
};

/* One request being handled. */
struct proto_call {
	struct proto_conn *conn;
	uint64_t conversation;
	uint64_t sender;	/* the client's process id, from the kernel */
	const void *msg;	/* the request, checked against the table */
	size_t length;
	/* The handle that came with the request, 0 if none. A handler that
	 * keeps it sets this to 0; otherwise it is closed afterwards. */
	handle_t handle;
	bool replied;
};

/* Serves stream end @ep (the connection owns it from now on, and closes
 * it when it ends) with @srv: starts the connection's first fiber.
 * @ctx is kept in conn->ctx. ERR_INVALID (max_in_flight 0), fiber
 * creation errors (nothing started; @ep is still the caller's). */
err_t proto_conn_start(struct proto_server *srv, struct proto_conn *conn,
		       handle_t ep, void *ctx);

/* From a handler: replies with @msg (@len bytes, header filled in: the
 * request's id | PROTO_REPLY, status 0) and @handle. Returns 0 or a
 * transport error (the handle is closed then). A call replies once. */
int64_t proto_reply(struct proto_call *call, void *msg, size_t len,
		    handle_t handle);

/* From a handler: replies with the header alone and status -@err. */
int64_t proto_reply_error(struct proto_call *call, err_t err);

/* From a handler, after its reply: sends another message on the call's
 * conversation, its header filled in with @id (which should have
 * PROTO_REPLY set), @len and @status (0 or a negated err_t). Returns 0
 * or a transport error (the handle is closed then). */
int64_t proto_call_send(struct proto_call *call, uint32_t id, int32_t status,
			void *msg, size_t len, handle_t handle);

/* From a fiber: as proto_call_send, on conversation @conv of connection
 * @conn (say, a watch another request set up). */
int64_t proto_conn_send(struct proto_conn *conn, uint64_t conv, uint32_t id,
			int32_t status, void *msg, size_t len,
			handle_t handle);

/* From a handler: waits for the client's next message on the call's
 * conversation into @buf (@cap bytes), checked as a request frame
 * (status and reserved 0, header length right). Returns its length, or
 * a negated err_t: transport errors (-ERR_PEER_CLOSED when the client is
 * gone, -ERR_CANCELLED), -ERR_INVALID for a bad frame (the message is
 * consumed). A handle that came with it goes to *@handle (the caller's;
 * closed on error). While it waits, *@cancel (may be NULL) holds what
 * loop_cancel needs to end the wait. */
int64_t proto_call_recv(struct proto_call *call, void *buf, size_t cap,
			handle_t *handle, uint64_t *cancel);

#endif /* HOST_TEST */
