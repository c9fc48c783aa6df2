/*
 * The registry's client stubs (lib/registry over lib/proto's client
 * side) against a fake registry scripted here: it answers each stub's
 * request with every error status the protocol defines for it, and with
 * malformed replies (wrong id, no reply bit, lying lengths, bad
 * property tails, missing handles, too big), then goes away mid-call.
 * The stubs must pass the errors on and refuse the rest, and a reply too
 * big for a stub must not block the stream for the next call.
 */
#include <base/fmt.h>
#include <base/string.h>
#include <fiber/fiber.h>
#include <keel/proto/registry.h>
#include <keel/stream.h>
#include <proto/proto.h>
#include <registry/registry.h>
#include <rt/rt.h>

#include "registry_test.h"

#define POLL_LIMIT 5000

enum stub {
	STUB_PUBLISH,
	STUB_UNPUBLISH,
	STUB_LOOKUP,
	STUB_WATCH,
	STUB_CONNECT,
};

static handle_t fake_srv, fake_cli;
static int64_t stub_result;
static bool stub_done;
static struct registry_watch stub_w;

static void close_handle(handle_t h)
{
	rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
}

static void stub_fiber(void *arg)
{
	static const char *const pairs[] = { "a=1", NULL };
	handle_t ends[2], h = 0;

	switch ((enum stub)(uintptr_t)arg) {
	case STUB_PUBLISH:
		rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
		close_handle(ends[0]);
		stub_result = registry_publish(&test_loop, fake_cli, pairs,
					       ends[1], NULL);
		break;
	case STUB_UNPUBLISH:
		stub_result = registry_unpublish(&test_loop, fake_cli, 1);
		break;
	case STUB_LOOKUP:
		stub_result = registry_lookup(&test_loop, fake_cli, pairs, 0,
					      &h, NULL);
		break;
	case STUB_WATCH:
		stub_result = registry_watch_start(&test_loop, fake_cli,
						   pairs, 0, &stub_w);
		break;
	case STUB_CONNECT:
		stub_result = registry_connect(&test_loop, fake_cli, &h);
		break;
	}
	if (h) {
		close_handle(h);
	}
	stub_done = true;
}

/* Waits (bounded) for the stub fiber to finish. */
static int64_t stub_wait(void)
{
	for (int tries = 0; !stub_done && tries < POLL_LIMIT; tries++) {
		sleep_ms(1);
	}
	return stub_done ? stub_result : 1000;
}

/* Runs stub @which, answers its request with @len bytes at @reply (its
 * id set to the request's | PROTO_REPLY unless @keep_id) and @h, and
 * returns what the stub returned. */
static int64_t script(enum stub which, void *reply, size_t len, handle_t h,
		      bool keep_id)
{
	uint8_t req[sizeof(struct registry_query)];
	struct proto_header rh;
	uint64_t conv = 0;
	int64_t r;

	stub_done = false;
	fiber_create(NULL, stub_fiber, (void *)(uintptr_t)which, 0);
	r = loop_stream_recv(&test_loop, fake_srv, 0, req, sizeof(req), NULL,
			     &conv);
	if (r < (int64_t)sizeof(rh)) {
		return 2000;
	}
	if (!keep_id) {
		uint32_t id;

		memcpy(&rh, req, sizeof(rh));
		id = rh.id | PROTO_REPLY;
		memcpy(reply, &id, sizeof(id));
	}
	loop_stream_send(&test_loop, fake_srv, conv, reply, len, h, NULL);
	return stub_wait();
}

/* An error-only reply with @err. */
static int64_t script_error(enum stub which, err_t err)
{
	struct proto_header h = { 0, sizeof(h), -(int32_t)err, 0 };

	return script(which, &h, sizeof(h), 0, false);
}

static handle_t new_stream_end(void)
{
	handle_t ends[2];

	rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	close_handle(ends[0]);
	return ends[1];
}

static void fake_expect(const char *what, int64_t got, int64_t want)
{
	char name[80];

	fmt_snprintf(name, sizeof(name), "fake/%s", what);
	expect(name, got, want);
}

static void test_errors_pass_through(void)
{
	static const struct {
		enum stub stub;
		err_t err;
		const char *name;
	} cases[] = {
		{ STUB_PUBLISH, ERR_INVALID, "publish_invalid" },
		{ STUB_PUBLISH, ERR_TOO_BIG, "publish_too_big" },
		{ STUB_PUBLISH, ERR_WRONG_TYPE, "publish_wrong_type" },
		{ STUB_PUBLISH, ERR_ACCESS, "publish_access" },
		{ STUB_PUBLISH, ERR_NO_SPACE, "publish_no_space" },
		{ STUB_UNPUBLISH, ERR_NOT_FOUND, "unpublish_not_found" },
		{ STUB_LOOKUP, ERR_NOT_FOUND, "lookup_not_found" },
		{ STUB_LOOKUP, ERR_INVALID, "lookup_invalid" },
		{ STUB_LOOKUP, ERR_TOO_BIG, "lookup_too_big" },
		{ STUB_WATCH, ERR_NO_SPACE, "watch_no_space" },
		{ STUB_WATCH, ERR_INVALID, "watch_invalid" },
		{ STUB_CONNECT, ERR_NO_SPACE, "connect_no_space" },
		{ STUB_LOOKUP, ERR_NOT_SUPPORTED, "lookup_not_supported" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_expect(cases[i].name,
			    script_error(cases[i].stub, cases[i].err),
			    -(int64_t)cases[i].err);
	}
}

static void test_malformed_replies(void)
{
	struct registry_endpoint e = { .id = 1, .matches = 1 };
	struct proto_header h = { 0, sizeof(h), 0, 0 };
	struct registry_id id = { .id = 9 };
	uint8_t big[3000] = { 0 };

	memcpy(e.props, "a=1", 4);
	e.props_size = 4;
	proto_header_set(&e, 0, REGISTRY_ENDPOINT_SIZE(4));
	fake_expect("lookup_good_reply",
		    script(STUB_LOOKUP, &e, REGISTRY_ENDPOINT_SIZE(4),
			   new_stream_end(), false),
		    0);
	fake_expect("lookup_reply_without_handle",
		    script(STUB_LOOKUP, &e, REGISTRY_ENDPOINT_SIZE(4), 0,
			   false),
		    -ERR_CORRUPT);
	e.props_size = 40;
	fake_expect("lookup_props_size_lies",
		    script(STUB_LOOKUP, &e, REGISTRY_ENDPOINT_SIZE(4),
			   new_stream_end(), false),
		    -ERR_CORRUPT);
	e.props_size = 3;
	proto_header_set(&e, 0, REGISTRY_ENDPOINT_SIZE(3));
	fake_expect("lookup_props_without_nul",
		    script(STUB_LOOKUP, &e, REGISTRY_ENDPOINT_SIZE(3),
			   new_stream_end(), false),
		    -ERR_CORRUPT);
	fake_expect("lookup_reply_too_short",
		    script(STUB_LOOKUP, &h, sizeof(h), new_stream_end(),
			   false),
		    -ERR_CORRUPT);

	proto_header_set(&id, REGISTRY_LOOKUP | PROTO_REPLY, sizeof(id));
	fake_expect("reply_with_another_id",
		    script(STUB_PUBLISH, &id, sizeof(id), 0, true),
		    -ERR_CORRUPT);
	proto_header_set(&id, REGISTRY_PUBLISH, sizeof(id));
	fake_expect("reply_without_reply_bit",
		    script(STUB_PUBLISH, &id, sizeof(id), 0, true),
		    -ERR_CORRUPT);
	proto_header_set(&id, 0, sizeof(id) + 8);
	fake_expect("reply_length_field_lies",
		    script(STUB_PUBLISH, &id, sizeof(id), 0, false),
		    -ERR_CORRUPT);
	proto_header_set(&id, 0, sizeof(id));
	id.hdr.status = -(int32_t)ERR_NO_SPACE;
	fake_expect("error_reply_with_a_body",
		    script(STUB_PUBLISH, &id, sizeof(id), 0, false),
		    -ERR_CORRUPT);
	h.status = 5;
	fake_expect("positive_status",
		    script(STUB_UNPUBLISH, &h, sizeof(h), 0, false),
		    -ERR_CORRUPT);
	h.status = -1000;
	fake_expect("status_beyond_error_codes",
		    script(STUB_UNPUBLISH, &h, sizeof(h), 0, false),
		    -ERR_CORRUPT);
	h.status = 0;
	fake_expect("connect_reply_without_handle",
		    script(STUB_CONNECT, &h, sizeof(h), 0, false),
		    -ERR_CORRUPT);
	proto_header_set(big, 0, sizeof(big));
	fake_expect("reply_too_big_for_the_stub",
		    script(STUB_PUBLISH, big, sizeof(big), 0, false),
		    -ERR_TOO_BIG);
	proto_header_set(&id, 0, sizeof(id));
	fake_expect("next_call_after_too_big",
		    script(STUB_PUBLISH, &id, sizeof(id), 0, false), 0);
}

static void test_watch_events(void)
{
	struct registry_endpoint e = { .id = 3 };
	struct proto_header ack = { 0, sizeof(ack), 0, 0 };
	struct registry_endpoint info;
	handle_t h = 0;

	fake_expect("watch_start", script(STUB_WATCH, &ack, sizeof(ack), 0,
					  false),
		    0);
	memcpy(e.props, "a=1", 4);
	e.props_size = 4;
	proto_header_set(&e, REGISTRY_LOOKUP | PROTO_REPLY,
			 REGISTRY_ENDPOINT_SIZE(4));
	loop_stream_send(&test_loop, fake_srv, stub_w.conversation, &e,
			 REGISTRY_ENDPOINT_SIZE(4), new_stream_end(), NULL);
	fake_expect("watch_event_with_wrong_id",
		    registry_watch_next(&stub_w, &h, &info), -ERR_CORRUPT);
	proto_header_set(&e, REGISTRY_EVENT | PROTO_REPLY,
			 REGISTRY_ENDPOINT_SIZE(4));
	loop_stream_send(&test_loop, fake_srv, stub_w.conversation, &e,
			 REGISTRY_ENDPOINT_SIZE(4), 0, NULL);
	fake_expect("watch_event_without_handle",
		    registry_watch_next(&stub_w, &h, &info), -ERR_CORRUPT);
	loop_stream_send(&test_loop, fake_srv, stub_w.conversation, &e,
			 REGISTRY_ENDPOINT_SIZE(4), new_stream_end(), NULL);
	fake_expect("watch_event", registry_watch_next(&stub_w, &h, &info), 0);
	fake_expect("watch_event_id", (int64_t)info.id, 3);
	close_handle(h);
}

void test_fake_server(void)
{
	handle_t ends[2];

	rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	fake_srv = ends[0];
	fake_cli = ends[1];
	test_errors_pass_through();
	test_malformed_replies();
	test_watch_events();
	/* The server goes away while a call waits for its reply. */
	stub_done = false;
	fiber_create(NULL, stub_fiber, (void *)(uintptr_t)STUB_LOOKUP, 0);
	sleep_ms(5);
	close_handle(fake_srv);
	fake_expect("server_gone_mid_call", stub_wait(), -ERR_PEER_CLOSED);
	fake_expect("server_gone_before_call",
		    registry_unpublish(&test_loop, fake_cli, 1),
		    -ERR_PEER_CLOSED);
	close_handle(fake_cli);
}
