/*
 * Shared parts of the registry test (user/registry_test): the event
 * loop, the program's registry stream, and a small "echo" protocol the
 * test serves itself with lib/proto, so that it can publish a real
 * endpoint and talk to it through the handle the registry hands back.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <fiber/loop.h>
#include <keel/handle.h>
#include <keel/proto/proto.h>

#define ECHO_PROTOCOL 0x7e57
/* struct echo_msg: replies with value + 1. */
#define ECHO_ADD PROTO_ID(ECHO_PROTOCOL, 1)
/* struct echo_msg: waits until echo_release(), then as ECHO_ADD. */
#define ECHO_HOLD PROTO_ID(ECHO_PROTOCOL, 2)
#define ECHO_IN_FLIGHT 4

struct echo_msg {
	struct proto_header hdr;
	uint64_t value;
};

extern struct loop test_loop;
extern handle_t test_reg;

/* Reports case registry/@name. */
void expect(const char *name, int64_t got, int64_t want);
void check(const char *name, bool ok, const char *why);

/* Serves the echo protocol on stream end @ep (taken). */
void echo_serve(handle_t ep);
/* How many ECHO_HOLD requests are being held now, and at most so far. */
unsigned echo_held(void);
unsigned echo_held_max(void);
/* Lets the held requests (and later ones) go. */
void echo_release(void);
/* How many echo connections have ended (their clients all gone). */
unsigned echo_closed(void);
/* One ECHO_ADD call on @ep: returns the reply's value, or a negated
 * err_t. */
int64_t echo_add(handle_t ep, uint64_t value);

/* Parks the calling fiber for @ms milliseconds. */
void sleep_ms(uint64_t ms);

/* The hostile cases (hostile.c). */
void test_hostile(void);
/* The client stubs against a scripted fake registry (fake.c). */
void test_fake_server(void);
