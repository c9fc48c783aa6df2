/*
 * The echo server of the registry test (registry_test.h), written on
 * lib/proto's server skeleton with ECHO_IN_FLIGHT requests at once.
 */
#include <fiber/sync.h>
#include <proto/proto.h>
#include <rt/rt.h>

#include "registry_test.h"

static unsigned held, held_max;
static bool released;
static unsigned closed;
static struct fiber_mutex hold_lock = FIBER_MUTEX_INIT(hold_lock);
static struct fiber_cond hold_cond = FIBER_COND_INIT(hold_cond);

static err_t echo_reply(struct proto_call *call)
{
	const struct echo_msg *req = call->msg;
	struct echo_msg reply = { .value = req->value + 1 };

	proto_reply(call, &reply, sizeof(reply), 0);
	return ERR_OK;
}

static err_t echo_hold(struct proto_call *call)
{
	fiber_mutex_lock(&hold_lock);
	held++;
	if (held > held_max) {
		held_max = held;
	}
	while (!released) {
		fiber_cond_wait(&hold_cond, &hold_lock);
	}
	held--;
	fiber_mutex_unlock(&hold_lock);
	return echo_reply(call);
}

static const struct proto_handler echo_handlers[] = {
	{ ECHO_ADD, sizeof(struct echo_msg), sizeof(struct echo_msg),
	  echo_reply },
	{ ECHO_HOLD, sizeof(struct echo_msg), sizeof(struct echo_msg),
	  echo_hold },
};

static void echo_conn_closed(struct proto_conn *conn)
{
	closed++;
}

static struct proto_server echo_server = {
	.loop = &test_loop,
	.handlers = echo_handlers,
	.handler_count = 2,
	.max_in_flight = ECHO_IN_FLIGHT,
	.conn_closed = echo_conn_closed,
};
static struct proto_conn echo_conns[4];
static unsigned echo_conns_used;

void echo_serve(handle_t ep)
{
	check("echo/serve",
	      echo_conns_used < 4 &&
		      proto_conn_start(&echo_server,
				       &echo_conns[echo_conns_used++], ep,
				       NULL) == ERR_OK,
	      "cannot serve");
}

unsigned echo_held(void)
{
	return held;
}

unsigned echo_held_max(void)
{
	return held_max;
}

void echo_release(void)
{
	released = true;
	fiber_cond_broadcast(&hold_cond);
}

unsigned echo_closed(void)
{
	return closed;
}

int64_t echo_add(handle_t ep, uint64_t value)
{
	struct echo_msg req = { .value = value }, reply;
	int64_t r = proto_call(&test_loop, ep, ECHO_ADD, &req, sizeof(req), 0,
			       &reply, sizeof(reply), sizeof(reply), NULL);

	return r < 0 ? r : (int64_t)reply.value;
}

void sleep_ms(uint64_t ms)
{
	loop_sleep_until(&test_loop, rt_clock_ns() + ms * 1000000ul);
}
