/*
 * In-guest test of the registry (servers/registry) and the protocol helper
 * (lib/proto): publishing, lookups by properties, watches, a request
 * and reply through the handle the registry hands out, unpublishing on
 * request and when the publisher's side closes, many requests in
 * flight on one stream; hostile use of both servers (hostile.c) and the
 * client stubs against a scripted fake server (fake.c). Afterwards the
 * registry must still answer. KTEST lines; the process exits with the
 * number of failed cases.
 *
 * main's argument is this boot program's stream to the registry.
 */
#include <base/fmt.h>
#include <base/string.h>
#include <fiber/fiber.h>
#include <keel/stream.h>
#include <proto/proto.h>
#include <registry/registry.h>
#include <rt/ktest.h>
#include <rt/rt.h>

#include "registry_test.h"

#define HOLD_FIBERS 12
#define POLL_LIMIT 5000 /* tries, 1 ms apart, before giving up */

int main(uint64_t reg);

struct loop test_loop;
handle_t test_reg;

void expect(const char *name, int64_t got, int64_t want)
{
	char full[96];

	fmt_snprintf(full, sizeof(full), "registry/%s", name);
	ktest_expect(full, got, want);
}

void check(const char *name, bool ok, const char *why)
{
	char full[96];

	fmt_snprintf(full, sizeof(full), "registry/%s", name);
	ktest_check(full, ok, why);
}

static void close_handle(handle_t h)
{
	rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
}

static int64_t handle_type(handle_t h)
{
	int64_t info = rt_syscall2(SYS_HANDLE_INFO, h, 0);

	return info < 0 ? info : (info & 0xffffffff);
}

/* A new stream: returns the end to serve, the other in *@client. */
static handle_t stream_pair(handle_t *client)
{
	handle_t ends[2] = { 0, 0 };

	rt_syscall2(SYS_STREAM_CREATE, (uint64_t)(uintptr_t)ends, 0);
	*client = ends[1];
	return ends[0];
}

/* A lookup whose handle is closed at once; @info may be NULL. */
static int64_t lookup(const char *const *pairs, uint32_t index,
		      struct registry_endpoint *info)
{
	handle_t h = 0;
	int64_t r = registry_lookup(&test_loop, test_reg, pairs, index, &h,
				    info);

	if (r == 0) {
		close_handle(h);
	}
	return r;
}

static uint64_t echo_id;

static void test_publish_and_lookup(void)
{
	static const char *const props[] = { "name=echo", "class=test",
					     "unit=0", NULL };
	struct registry_endpoint info;
	handle_t client, h = 0;
	const char *unit;

	expect("start_handle_is_stream", handle_type(test_reg),
	       OBJECT_STREAM);
	echo_serve(stream_pair(&client));
	expect("publish", registry_publish(&test_loop, test_reg, props, client,
					   &echo_id),
	       0);
	check("publish_gives_id", echo_id > 0, "id 0");
	expect("publish_handle_travelled", handle_type(client),
	       -ERR_BAD_HANDLE);

	expect("lookup_by_name",
	       registry_lookup(&test_loop, test_reg,
			       (const char *const[]){ "name=echo", NULL }, 0,
			       &h, &info),
	       0);
	expect("lookup_id", (int64_t)info.id, (int64_t)echo_id);
	expect("lookup_matches", info.matches, 1);
	unit = registry_props_get(info.props, info.props_size, "unit");
	check("lookup_props", unit && strcmp(unit, "0") == 0,
	      "properties not returned");
	expect("lookup_handle_is_stream", handle_type(h), OBJECT_STREAM);
	expect("request_through_lookup_handle", echo_add(h, 41), 42);
	close_handle(h);

	expect("lookup_all_pairs_match",
	       lookup((const char *const[]){ "class=test", "name=echo", NULL },
		      0, NULL),
	       0);
	expect("lookup_one_pair_differs",
	       lookup((const char *const[]){ "name=echo", "class=block",
					     NULL },
		      0, NULL),
	       -ERR_NOT_FOUND);
	expect("lookup_unknown_key",
	       lookup((const char *const[]){ "colour=red", NULL }, 0, NULL),
	       -ERR_NOT_FOUND);
	expect("lookup_value_is_exact",
	       lookup((const char *const[]){ "name=ech", NULL }, 0, NULL),
	       -ERR_NOT_FOUND);
	expect("lookup_empty_filter_matches_all", lookup(NULL, 0, &info), 0);
}

static void test_order_and_unpublish(void)
{
	static const char *const props[3][3] = {
		{ "class=multi", "unit=0", NULL },
		{ "class=multi", "unit=1", NULL },
		{ "class=multi", "unit=2", NULL },
	};
	static const char *const multi[] = { "class=multi", NULL };
	struct registry_endpoint info;
	handle_t servers[3], client;
	uint64_t ids[3] = { 0 };
	bool ordered = true;

	for (int i = 0; i < 3; i++) {
		servers[i] = stream_pair(&client);
		registry_publish(&test_loop, test_reg, props[i], client,
				 &ids[i]);
	}
	for (uint32_t i = 0; i < 3; i++) {
		ordered &= lookup(multi, i, &info) == 0 &&
			   info.id == ids[i] && info.matches == 3;
	}
	check("lookup_index_in_publishing_order", ordered,
	      "wrong endpoint or count at some index");
	expect("lookup_index_past_end", lookup(multi, 3, NULL),
	       -ERR_NOT_FOUND);

	expect("unpublish", registry_unpublish(&test_loop, test_reg, ids[1]),
	       0);
	expect("unpublished_is_gone",
	       lookup(multi, 1, &info) == 0 && info.id == ids[2] &&
		       info.matches == 2,
	       1);
	expect("unpublish_twice",
	       registry_unpublish(&test_loop, test_reg, ids[1]),
	       -ERR_NOT_FOUND);
	expect("unpublish_unknown_id",
	       registry_unpublish(&test_loop, test_reg, ~0ul),
	       -ERR_NOT_FOUND);
	expect("unpublish_id_zero",
	       registry_unpublish(&test_loop, test_reg, 0), -ERR_NOT_FOUND);
	registry_unpublish(&test_loop, test_reg, ids[0]);
	registry_unpublish(&test_loop, test_reg, ids[2]);
	expect("all_unpublished", lookup(multi, 0, NULL), -ERR_NOT_FOUND);
	for (int i = 0; i < 3; i++) {
		close_handle(servers[i]);
	}
}

/* --- many requests in flight on one stream --- */

static handle_t hold_ep;
static int hold_done, hold_right;

static void hold_fiber(void *arg)
{
	struct echo_msg req = { .value = (uint64_t)(uintptr_t)arg }, reply;

	if (proto_call(&test_loop, hold_ep, ECHO_HOLD, &req, sizeof(req), 0,
		       &reply, sizeof(reply), sizeof(reply), NULL) == 0 &&
	    reply.value == req.value + 1) {
		hold_right++;
	}
	hold_done++;
}

static void test_in_flight(void)
{
	int tries = 0;

	expect("in_flight_lookup",
	       registry_lookup(&test_loop, test_reg,
			       (const char *const[]){ "name=echo", NULL }, 0,
			       &hold_ep, NULL),
	       0);
	for (int i = 0; i < HOLD_FIBERS; i++) {
		fiber_create(NULL, hold_fiber, (void *)(uintptr_t)(i * 10), 0);
	}
	while (echo_held() < ECHO_IN_FLIGHT && tries++ < POLL_LIMIT) {
		sleep_ms(1);
	}
	expect("in_flight_reach_limit", echo_held(), ECHO_IN_FLIGHT);
	/* The others wait in the stream, not in the server. */
	sleep_ms(20);
	expect("in_flight_never_above_limit", echo_held_max(), ECHO_IN_FLIGHT);
	echo_release();
	tries = 0;
	while (hold_done < HOLD_FIBERS && tries++ < POLL_LIMIT) {
		sleep_ms(1);
	}
	expect("in_flight_all_answered", hold_right, HOLD_FIBERS);
	close_handle(hold_ep);
}

/* --- watches --- */

static void test_watch(void)
{
	static const char *const late[] = { "class=late", NULL };
	struct registry_endpoint info;
	struct registry_watch w, more[REGISTRY_WATCHES_PER_PROCESS];
	handle_t other_srv, late_srv, client, h = 0, second = 0, third = 0;
	uint64_t other_id = 0, late_id = 0;
	int64_t r;
	int started = 0;

	expect("watch_start",
	       registry_watch_start(&test_loop, test_reg, late, 0, &w), 0);
	other_srv = stream_pair(&client);
	registry_publish(&test_loop, test_reg,
			 (const char *const[]){ "class=other", NULL }, client,
			 &other_id);
	late_srv = stream_pair(&client);
	echo_serve(late_srv);
	expect("watch_publish",
	       registry_publish(&test_loop, test_reg,
				(const char *const[]){ "class=late",
						       "name=late1", NULL },
				client, &late_id),
	       0);
	expect("watch_event", registry_watch_next(&w, &h, &info), 0);
	expect("watch_event_is_the_match", (int64_t)info.id, (int64_t)late_id);
	expect("request_through_watch_handle", echo_add(h, 7), 8);
	close_handle(h);
	expect("watch_stop", registry_watch_stop(&w), 0);

	expect("watch_existing",
	       registry_watch_start(&test_loop, test_reg, late,
				    REGISTRY_WATCH_EXISTING, &w),
	       0);
	expect("watch_existing_event", registry_watch_next(&w, &h, &info), 0);
	expect("watch_existing_event_id", (int64_t)info.id, (int64_t)late_id);
	close_handle(h);
	expect("watch_existing_stop", registry_watch_stop(&w), 0);

	while (started < REGISTRY_WATCHES_PER_CONNECTION &&
	       registry_watch_start(&test_loop, test_reg, late, 0,
				    &more[started]) == 0) {
		started++;
	}
	expect("watch_per_connection_limit_reached", started,
	       REGISTRY_WATCHES_PER_CONNECTION);
	expect("watch_over_limit",
	       registry_watch_start(&test_loop, test_reg, late, 0, &w),
	       -ERR_NO_SPACE);
	/* More on another stream, up to the process's limit. */
	registry_connect(&test_loop, test_reg, &second);
	registry_connect(&test_loop, test_reg, &third);
	while (started < REGISTRY_WATCHES_PER_PROCESS &&
	       registry_watch_start(&test_loop, second, late, 0,
				    &more[started]) == 0) {
		started++;
	}
	expect("watch_per_process_limit_reached", started,
	       REGISTRY_WATCHES_PER_PROCESS);
	expect("watch_over_process_limit",
	       registry_watch_start(&test_loop, third, late, 0, &w),
	       -ERR_NO_SPACE);
	r = 0;
	for (int i = 0; i < started; i++) {
		r |= registry_watch_stop(&more[i]);
	}
	expect("watch_stop_all", r, 0);
	close_handle(second);
	close_handle(third);
	expect("watch_after_stops",
	       registry_watch_start(&test_loop, test_reg, late, 0, &w), 0);
	expect("watch_after_stops_stop", registry_watch_stop(&w), 0);
	expect("watch_bad_flags",
	       registry_watch_start(&test_loop, test_reg, late, 0x80, &w),
	       -ERR_INVALID);

	registry_unpublish(&test_loop, test_reg, other_id);
	registry_unpublish(&test_loop, test_reg, late_id);
	close_handle(other_srv);
}

/* Polls a lookup of @pairs until it fails; returns its last result. */
static int64_t lookup_until_gone(const char *const *pairs)
{
	int64_t r = 0;

	for (int tries = 0; tries < POLL_LIMIT; tries++) {
		r = lookup(pairs, 0, NULL);
		if (r != 0) {
			break;
		}
		sleep_ms(1);
	}
	return r;
}

static void test_publisher_death(void)
{
	static const char *const mortal[] = { "name=mortal", NULL };
	handle_t srv, client, h = 0;
	uint64_t id = 0;

	srv = stream_pair(&client);
	expect("mortal_publish",
	       registry_publish(&test_loop, test_reg, mortal, client, &id), 0);
	expect("mortal_lookup",
	       registry_lookup(&test_loop, test_reg, mortal, 0, &h, NULL), 0);
	close_handle(srv); /* the publisher's side goes */
	expect("unpublished_when_publisher_side_closes",
	       lookup_until_gone(mortal), -ERR_NOT_FOUND);
	expect("old_handle_sees_peer_closed", echo_add(h, 1),
	       -ERR_PEER_CLOSED);
	close_handle(h);
}

static void test_connect(void)
{
	static const char *const kept[] = { "name=kept", NULL };
	handle_t second = 0, srv, client;
	uint64_t id = 0;

	expect("connect", registry_connect(&test_loop, test_reg, &second), 0);
	expect("connect_handle_is_stream", handle_type(second), OBJECT_STREAM);
	expect("lookup_on_second_stream",
	       registry_lookup(&test_loop, second,
			       (const char *const[]){ "name=echo", NULL }, 0,
			       &client, NULL),
	       0);
	close_handle(client);
	/* Endpoints belong to the process, not to the stream used. */
	srv = stream_pair(&client);
	registry_publish(&test_loop, second, kept, client, &id);
	close_handle(second);
	expect("endpoint_outlives_publishing_stream", lookup(kept, 0, NULL), 0);
	expect("unpublish_from_other_stream",
	       registry_unpublish(&test_loop, test_reg, id), 0);
	close_handle(srv);
}

static void test_fiber(void *arg)
{
	test_publish_and_lookup();
	test_order_and_unpublish();
	test_in_flight();
	test_watch();
	test_publisher_death();
	test_connect();
	test_hostile();
	test_fake_server();
	rt_printf("registry_test: %d failed", ktest_failures());
	/* The echo server's fibers would wait for clients for ever. */
	rt_thread_exit(ktest_failures());
}

int main(uint64_t reg)
{
	test_reg = (handle_t)reg;
	if (loop_init(&test_loop, 64) != ERR_OK ||
	    fiber_create(NULL, test_fiber, NULL, 256 * 1024) != ERR_OK) {
		check("setup", false, "no loop or fiber");
		return 1;
	}
	loop_run(&test_loop);
	return ktest_failures();
}
