/*
 * Hostile use of the registry and of a lib/proto server (the echo
 * server): raw messages that are too short, too long, lie about their
 * length, name unknown ids; malformed properties; wrong handles; more
 * publishes, watches and streams than allowed; floods of requests left
 * unread; a client that leaves with requests in flight. Each server
 * must answer with the right error, or ignore what it cannot answer,
 * and go on serving.
 */
#include <base/fmt.h>
#include <base/string.h>
#include <keel/proto/registry.h>
#include <keel/stream.h>
#include <proto/proto.h>
#include <registry/registry.h>
#include <rt/rt.h>

#include "registry_test.h"

#define TRANSPORT_ERROR 1000 /* raw_call: 1000 + err when sending failed */
#define FLOOD 200
#define POLL_LIMIT 5000

static void close_handle(handle_t h)
{
	rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
}

static int64_t handle_type(handle_t h)
{
	int64_t info = rt_syscall2(SYS_HANDLE_INFO, h, 0);

	return info < 0 ? info : (info & 0xffffffff);
}

/*
 * Sends @len raw bytes at @msg (with @h) on a new conversation of @ep
 * and waits for the answer. Returns its status (its id goes to *@id),
 * TRANSPORT_ERROR + err when the stream failed, TRANSPORT_ERROR * 2 for
 * an answer that is no reply frame.
 */
static int64_t raw_call(handle_t ep, const void *msg, size_t len, handle_t h,
			uint32_t *id)
{
	union {
		struct proto_header hdr;
		uint8_t bytes[64];
	} reply;
	struct stream_recv_info info = { 0 };
	uint64_t conv = 0;
	int64_t r = loop_stream_send(&test_loop, ep, 0, msg, len, h, &conv);

	if (r >= 0) {
		r = loop_stream_recv(&test_loop, ep, conv, &reply,
				     sizeof(reply), &info, NULL);
	}
	if (r < 0) {
		return TRANSPORT_ERROR - r;
	}
	if (info.handle) {
		close_handle(info.handle);
	}
	if (r < (int64_t)sizeof(reply.hdr) || reply.hdr.length != r ||
	    !(reply.hdr.id & PROTO_REPLY) ||
	    (reply.hdr.status != 0 && r != sizeof(reply.hdr))) {
		return TRANSPORT_ERROR * 2;
	}
	if (id) {
		*id = reply.hdr.id;
	}
	return reply.hdr.status;
}

/* A raw header-only request with @id and a length field of @length. */
static int64_t raw_header(handle_t ep, uint32_t id, uint32_t length,
			  int32_t status, uint32_t reserved)
{
	struct proto_header h = { id, length, status, reserved };

	return raw_call(ep, &h, sizeof(h), 0, NULL);
}

/* A raw query @id with @size bytes of properties and a props_size
 * field of @field. */
static int64_t raw_query(uint32_t id, const char *props, size_t size,
			 uint32_t field, uint32_t arg, handle_t h)
{
	struct registry_query q;

	memcpy(q.props, props, size);
	q.props_size = field;
	q.arg = arg;
	proto_header_set(&q, id, REGISTRY_QUERY_SIZE(size));
	return raw_call(test_reg, &q, REGISTRY_QUERY_SIZE(size), h, NULL);
}

static int64_t raw_lookup(const char *props, size_t size)
{
	return raw_query(REGISTRY_LOOKUP, props, size, (uint32_t)size, 0, 0);
}

/* A mapped, zeroed buffer of @size bytes (a memory object's). */
static void *big_buffer(size_t size)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, size, 0);
	int64_t addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, size, 0,
				   VM_READ | VM_WRITE);

	close_handle((handle_t)mem);
	return addr < 0 ? NULL : (void *)addr;
}

/* Reports case registry/@who/@what. */
static void expect_in(const char *who, const char *what, int64_t got,
		      int64_t want)
{
	char name[80];

	fmt_snprintf(name, sizeof(name), "%s/%s", who, what);
	expect(name, got, want);
}

/* Frames any lib/proto server must refuse, sent to @ep: @good_id is a
 * message it knows, @good_len that message's largest length. */
static void bad_frames(const char *who, handle_t ep, uint32_t good_id,
		       size_t good_len)
{
	static const uint8_t zero[8];
	uint8_t *big = big_buffer(STREAM_MSG_MAX);
	struct proto_header h = { good_id, 8, 0, 0 };
	uint32_t id = 0;

	expect_in(who, "empty_message", raw_call(ep, zero, 0, 0, &id),
		  -ERR_INVALID);
	expect_in(who, "empty_message_reply_id", id, PROTO_REPLY);
	expect_in(who, "shorter_than_header", raw_call(ep, &h, 8, 0, &id),
		  -ERR_INVALID);
	expect_in(who, "short_reply_names_request", id,
		  good_id | PROTO_REPLY);
	expect_in(who, "length_field_lies",
		  raw_header(ep, good_id, 100, 0, 0), -ERR_INVALID);
	expect_in(who, "length_field_zero", raw_header(ep, good_id, 0, 0, 0),
		  -ERR_INVALID);
	expect_in(who, "unknown_id",
		  raw_header(ep,
			     PROTO_ID(PROTO_ID_PROTOCOL(good_id), 0x7777),
			     16, 0, 0),
		  -ERR_NOT_SUPPORTED);
	expect_in(who, "other_protocols_id",
		  raw_header(ep, PROTO_ID(0x1234, 1), 16, 0, 0),
		  -ERR_NOT_SUPPORTED);
	expect_in(who, "reply_bit_in_request",
		  raw_header(ep, good_id | PROTO_REPLY, 16, 0, 0),
		  -ERR_INVALID);
	expect_in(who, "status_in_request", raw_header(ep, good_id, 16, -1, 0),
		  -ERR_INVALID);
	expect_in(who, "reserved_set", raw_header(ep, good_id, 16, 0, 1),
		  -ERR_INVALID);
	expect_in(who, "below_minimum_length",
		  raw_header(ep, good_id, 16, 0, 0), -ERR_INVALID);
	if (!big) {
		check(who, false, "no memory for the big messages");
		return;
	}
	/* Above the message's maximum, above the helper's buffer, and as
	 * big as a stream message gets: refused, drained, answered. */
	proto_header_set(big, good_id, good_len + 8);
	expect_in(who, "above_maximum_length",
		  raw_call(ep, big, good_len + 8, 0, NULL), -ERR_TOO_BIG);
	proto_header_set(big, good_id, PROTO_REQUEST_MAX + 1);
	expect_in(who, "above_request_max",
		  raw_call(ep, big, PROTO_REQUEST_MAX + 1, 0, NULL),
		  -ERR_TOO_BIG);
	proto_header_set(big, good_id, STREAM_MSG_MAX);
	expect_in(who, "stream_message_max",
		  raw_call(ep, big, STREAM_MSG_MAX, 0, &id), -ERR_TOO_BIG);
	expect_in(who, "too_big_reply_names_request", id,
		  good_id | PROTO_REPLY);
	rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)(uintptr_t)big, STREAM_MSG_MAX,
		    0, 0, 0);
}

/* Sends on @s until its peer is found closed (-ERR_PEER_CLOSED), a
 * bounded number of times; returns the last send's result. */
static int64_t wait_peer_closed(handle_t s)
{
	int64_t r = 0;

	for (int tries = 0; tries < POLL_LIMIT; tries++) {
		r = loop_stream_send(&test_loop, s, 0, "x", 1, 0, NULL);
		if (r < 0) {
			break;
		}
		sleep_ms(1);
	}
	return r;
}

static void test_echo_hostile(void)
{
	handle_t echo = 0, ends[2];
	struct echo_msg m = { .value = 1 };

	expect("echo/lookup",
	       registry_lookup(&test_loop, test_reg,
			       (const char *const[]){ "name=echo", NULL }, 0,
			       &echo, NULL),
	       0);
	bad_frames("echo", echo, ECHO_ADD, sizeof(struct echo_msg));
	/* A handle the handler did not take is closed by the helper. */
	rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	proto_header_set(&m, ECHO_ADD, sizeof(m));
	expect("echo/request_with_unwanted_handle",
	       raw_call(echo, &m, sizeof(m), ends[1], NULL), 0);
	expect("echo/unwanted_handle_closed", wait_peer_closed(ends[0]),
	       -ERR_PEER_CLOSED);
	close_handle(ends[0]);
	expect("echo/still_answers", echo_add(echo, 99), 100);
	close_handle(echo);
}

static void test_properties(void)
{
	char props[REGISTRY_PROPS_MAX + 64];
	size_t n = 0;

	expect("props_size_over_max",
	       raw_query(REGISTRY_LOOKUP, "a=1", 4, 5000, 0, 0), -ERR_TOO_BIG);
	expect("props_size_differs_from_message",
	       raw_query(REGISTRY_LOOKUP, "a=1\0b=2", 8, 4, 0, 0),
	       -ERR_INVALID);
	expect("props_size_past_message",
	       raw_query(REGISTRY_LOOKUP, "a=1", 4, 400, 0, 0), -ERR_INVALID);
	expect("props_no_nul", raw_lookup("name=x", 6), -ERR_INVALID);
	expect("props_no_equals", raw_lookup("name", 5), -ERR_INVALID);
	expect("props_empty_key", raw_lookup("=x", 3), -ERR_INVALID);
	expect("props_empty_pair", raw_lookup("a=1\0", 5), -ERR_INVALID);
	expect("props_bad_key_char", raw_lookup("na me=x", 8), -ERR_INVALID);
	expect("props_control_in_value", raw_lookup("name=\x01", 7),
	       -ERR_INVALID);
	expect("props_high_byte_in_value", raw_lookup("name=\xff", 7),
	       -ERR_INVALID);
	expect("props_duplicate_key", raw_lookup("a=1\0a=2", 8),
	       -ERR_INVALID);
	expect("props_empty_value_ok", raw_lookup("a=", 3), -ERR_NOT_FOUND);

	memset(props, 'k', REGISTRY_KEY_MAX + 1);
	memcpy(props + REGISTRY_KEY_MAX + 1, "=v", 3);
	expect("props_key_too_long", raw_lookup(props, REGISTRY_KEY_MAX + 4),
	       -ERR_TOO_BIG);
	memcpy(props + REGISTRY_KEY_MAX, "=v", 3);
	expect("props_longest_key_ok", raw_lookup(props, REGISTRY_KEY_MAX + 3),
	       -ERR_NOT_FOUND);
	memcpy(props, "k=", 2);
	memset(props + 2, 'v', REGISTRY_VALUE_MAX + 1);
	props[REGISTRY_VALUE_MAX + 3] = '\0';
	expect("props_value_too_long",
	       raw_lookup(props, REGISTRY_VALUE_MAX + 4), -ERR_TOO_BIG);
	for (int i = 0; i <= REGISTRY_PROP_COUNT_MAX; i++) {
		props[n++] = 'a' + (char)i;
		memcpy(props + n, "=1", 3);
		n += 3;
	}
	expect("props_too_many_pairs", raw_lookup(props, n), -ERR_TOO_BIG);
	expect("props_build_refuses_bad_key",
	       registry_lookup(&test_loop, test_reg,
			       (const char *const[]){ "bad key=1", NULL }, 0,
			       &(handle_t){ 0 }, NULL),
	       -ERR_INVALID);
}

static void test_publish_handles(void)
{
	handle_t ends[2], narrow, q;
	int64_t mem;

	rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	expect("publish_without_handle",
	       raw_query(REGISTRY_PUBLISH, "a=1", 4, 4, 0, 0), -ERR_INVALID);
	mem = rt_syscall2(SYS_MEMORY_CREATE, 4096, 0);
	expect("publish_memory_object",
	       raw_query(REGISTRY_PUBLISH, "a=1", 4, 4, 0, (handle_t)mem),
	       -ERR_WRONG_TYPE);
	narrow = (handle_t)rt_syscall2(SYS_HANDLE_DUPLICATE, ends[1],
				       RIGHT_READ | RIGHT_WRITE |
					       RIGHT_TRANSFER);
	expect("publish_without_duplicate_right",
	       raw_query(REGISTRY_PUBLISH, "a=1", 4, 4, 0, narrow),
	       -ERR_ACCESS);
	expect("publish_no_properties",
	       raw_query(REGISTRY_PUBLISH, "", 0, 0, 0, ends[1]),
	       -ERR_INVALID);
	rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	expect("publish_arg_set",
	       raw_query(REGISTRY_PUBLISH, "a=1", 4, 4, 1, ends[1]),
	       -ERR_INVALID);
	/* Refused before it left: a queue cannot be transferred. */
	q = (handle_t)rt_syscall6(SYS_QUEUE_CREATE, 4, 4,
				  (uint64_t)(uintptr_t)&(uint64_t){ 0 }, 0, 0,
				  0);
	expect("publish_untransferable_handle",
	       registry_publish(&test_loop, test_reg,
				(const char *const[]){ "a=1", NULL }, q, NULL),
	       -ERR_ACCESS);
	expect("publish_consumes_handle_on_failure", handle_type(q),
	       -ERR_BAD_HANDLE);
	expect("publish_stale_handle",
	       registry_publish(&test_loop, test_reg,
				(const char *const[]){ "a=1", NULL }, 0x4321,
				NULL),
	       -ERR_BAD_HANDLE);
	expect("call_on_bad_handle",
	       registry_lookup(&test_loop, 0x5555, NULL, 0, &q, NULL),
	       -ERR_BAD_HANDLE);
	mem = rt_syscall2(SYS_MEMORY_CREATE, 4096, 0);
	expect("call_on_memory_object",
	       registry_lookup(&test_loop, (handle_t)mem, NULL, 0, &q, NULL),
	       -ERR_WRONG_TYPE);
	close_handle((handle_t)mem);
}

static void test_limits(void)
{
	static const char *const many[] = { "class=many", NULL };
	uint64_t ids[REGISTRY_ENDPOINTS_PER_PROCESS + 1];
	handle_t servers[REGISTRY_ENDPOINTS_PER_PROCESS + 1];
	handle_t conns[REGISTRY_CONNECTIONS_MAX];
	int published = 0, connected = 0, tries = 0;
	int64_t r = 0;
	int mine;

	/* This process has one endpoint (echo) published now. */
	mine = 1;
	while (published < REGISTRY_ENDPOINTS_PER_PROCESS + 1) {
		handle_t client;

		rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)conns, 0);
		servers[published] = conns[0];
		client = conns[1];
		r = registry_publish(&test_loop, test_reg, many, client,
				     &ids[published]);
		if (r < 0) {
			close_handle(servers[published]);
			break;
		}
		published++;
	}
	expect("publishes_up_to_the_limit", published + mine,
	       REGISTRY_ENDPOINTS_PER_PROCESS);
	expect("publish_over_the_limit", r, -ERR_NO_SPACE);
	for (int i = 0; i < published; i++) {
		registry_unpublish(&test_loop, test_reg, ids[i]);
		close_handle(servers[i]);
	}
	expect("limit_freed_by_unpublish",
	       registry_lookup(&test_loop, test_reg, many, 0, &conns[0], NULL),
	       -ERR_NOT_FOUND);

	r = 0;
	while (connected < REGISTRY_CONNECTIONS_MAX) {
		r = registry_connect(&test_loop, test_reg, &conns[connected]);
		if (r < 0) {
			break;
		}
		connected++;
	}
	expect("connect_over_the_limit", r, -ERR_NO_SPACE);
	/* The stream the kernel gave this program counts. */
	expect("connect_limit_is_per_process", connected,
	       REGISTRY_CONNECTIONS_PER_PROCESS - 1);
	for (int i = 0; i < connected; i++) {
		close_handle(conns[i]);
	}
	/* Closed streams are reclaimed once their fibers have ended. */
	do {
		r = registry_connect(&test_loop, test_reg, &conns[0]);
		if (r == -ERR_NO_SPACE) {
			sleep_ms(1);
		}
	} while (r == -ERR_NO_SPACE && tries++ < POLL_LIMIT);
	expect("connect_after_streams_closed", r, 0);
	close_handle(conns[0]);
}

static void test_flood(void)
{
	struct registry_query q;
	uint64_t convs[FLOOD];
	int sent = 0, right = 0;
	handle_t second = 0;

	q.props_size = 0;
	q.arg = 1000; /* far past any match: NOT_FOUND */
	proto_header_set(&q, REGISTRY_LOOKUP, REGISTRY_QUERY_SIZE(0));
	for (int i = 0; i < FLOOD; i++) {
		sent += loop_stream_send(&test_loop, test_reg, 0, &q,
					 REGISTRY_QUERY_SIZE(0), 0,
					 &convs[i]) >= 0;
	}
	expect("flood_sent", sent, FLOOD);
	for (int i = 0; i < sent; i++) {
		struct proto_header reply;

		right += loop_stream_recv(&test_loop, test_reg, convs[i],
					  &reply, sizeof(reply), NULL,
					  NULL) == sizeof(reply) &&
			 reply.status == -(int32_t)ERR_NOT_FOUND;
	}
	expect("flood_all_answered", right, FLOOD);

	/* Messages on a finished conversation are nobody's: ignored. */
	for (int i = 0; i < 3; i++) {
		loop_stream_send(&test_loop, test_reg, convs[0], &q,
				 REGISTRY_QUERY_SIZE(0), 0, NULL);
	}
	expect("after_stray_messages", raw_call(test_reg, &q,
						REGISTRY_QUERY_SIZE(0), 0,
						NULL),
	       -ERR_NOT_FOUND);

	/* A client that leaves with requests and a watch in flight. */
	registry_connect(&test_loop, test_reg, &second);
	for (int i = 0; i < 20; i++) {
		loop_stream_send(&test_loop, second, 0, &q,
				 REGISTRY_QUERY_SIZE(0), 0, NULL);
	}
	proto_header_set(&q, REGISTRY_WATCH, REGISTRY_QUERY_SIZE(0));
	q.arg = 0;
	loop_stream_send(&test_loop, second, 0, &q, REGISTRY_QUERY_SIZE(0), 0,
			 NULL);
	close_handle(second);
}

static void test_watch_hostile(void)
{
	struct registry_watch w;
	struct proto_header h = { ECHO_ADD, sizeof(h), 0, 0 };
	uint8_t junk[8] = { 1, 2, 3 };
	uint8_t buf[64];
	struct proto_result res = { 0 };

	expect("unwatch_opening_a_conversation",
	       raw_header(test_reg, REGISTRY_UNWATCH, 16, 0, 0),
	       -ERR_NOT_SUPPORTED);
	expect("kernel_message_from_a_client",
	       raw_header(test_reg, REGISTRY_KERNEL_CLIENT, 16, 0, 0),
	       -ERR_NOT_SUPPORTED);
	expect("hostile_watch_start",
	       registry_watch_start(&test_loop, test_reg,
				    (const char *const[]){ "x=y", NULL }, 0,
				    &w),
	       0);
	/* Malformed: dropped without an answer. Unknown: refused. */
	loop_stream_send(&test_loop, test_reg, w.conversation, junk,
			 sizeof(junk), 0, NULL);
	loop_stream_send(&test_loop, test_reg, w.conversation, &h, sizeof(h),
			 0, NULL);
	expect("watch_refuses_unknown_message",
	       proto_next(&test_loop, test_reg, w.conversation, buf,
			  sizeof(buf), &res),
	       -ERR_NOT_SUPPORTED);
	expect("watch_survives_junk", registry_watch_stop(&w), 0);
}

void test_hostile(void)
{
	static const char *const echo[] = { "name=echo", NULL };
	handle_t h = 0, ends[2];

	bad_frames("frame", test_reg, REGISTRY_UNPUBLISH,
		   sizeof(struct registry_id));
	rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	expect("lookup_with_unwanted_handle",
	       raw_query(REGISTRY_LOOKUP, "", 0, 0, 1000, ends[1]),
	       -ERR_NOT_FOUND);
	expect("unwanted_handle_closed", wait_peer_closed(ends[0]),
	       -ERR_PEER_CLOSED);
	close_handle(ends[0]);
	test_echo_hostile();
	test_properties();
	test_publish_handles();
	test_limits();
	test_flood();
	test_watch_hostile();
	expect("still_answers",
	       registry_lookup(&test_loop, test_reg, echo, 0, &h, NULL), 0);
	expect("still_connects_to_echo", echo_add(h, 5), 6);
	close_handle(h);
}
