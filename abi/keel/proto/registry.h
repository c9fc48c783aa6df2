/*
 * The registry protocol (user <-> user contract; the frame is
 * abi/keel/proto/proto.h). The registry is the first server the kernel
 * starts; every boot program gets a private stream to it (docs/
 * native-api.md, "The registry").
 *
 * Servers publish endpoints: the client end of a stream they serve, with
 * string properties. Clients look endpoints up by properties (every pair
 * given must be present with that value) or watch for new ones, and get
 * a duplicate of the published stream end. An endpoint is unpublished on
 * request or when the publisher's side of its stream closes.
 *
 * Properties travel as a tail of props_size bytes: a sequence of
 * NUL-terminated "key=value" strings, the last NUL included. A key is
 * 1..REGISTRY_KEY_MAX bytes of [A-Za-z0-9._-], a value 0..
 * REGISTRY_VALUE_MAX printable ASCII bytes (0x20..0x7e), at most
 * REGISTRY_PROP_COUNT_MAX pairs, no key twice. A message carrying
 * properties is exactly REGISTRY_QUERY_SIZE(props_size) or
 * REGISTRY_ENDPOINT_SIZE(props_size) bytes long.
 *
 * Requests (a new conversation each) and their replies:
 *
 * REGISTRY_PUBLISH    struct registry_query: props = the endpoint's
 *                     (at least one pair), arg = 0; the handle sent
 *                     along is the stream end to hand out (a stream,
 *                     with read, write, duplicate and transfer rights).
 *   reply: struct registry_id, the endpoint's id (never reused).
 *   ERR_INVALID (bad properties, no handle), ERR_TOO_BIG (a key, value
 *   or the whole set over its limit), ERR_WRONG_TYPE, ERR_ACCESS (the
 *   handle), ERR_NO_SPACE (REGISTRY_ENDPOINTS_MAX published, or
 *   REGISTRY_ENDPOINTS_PER_PROCESS by this process).
 * REGISTRY_UNPUBLISH  struct registry_id.
 *   reply: the header. ERR_NOT_FOUND (no such endpoint, or published by
 *   another process).
 * REGISTRY_LOOKUP     struct registry_query: props = the filter (may be
 *                     empty: matches all), arg = how many matches to
 *                     skip (in publishing order).
 *   reply: struct registry_endpoint (matches = how many endpoints match
 *   in all) with a duplicate of the endpoint's stream end (read, write,
 *   duplicate, transfer). ERR_NOT_FOUND (fewer matches than arg + 1),
 *   property errors.
 * REGISTRY_WATCH      struct registry_query: props = the filter, arg =
 *                     REGISTRY_WATCH_* flags.
 *   reply: the header (the watch is in place). Then, on the same
 *   conversation, one REGISTRY_EVENT | PROTO_REPLY message (struct
 *   registry_endpoint, matches = 0, with a handle as for LOOKUP) for
 *   every endpoint published from then on that matches; with
 *   REGISTRY_WATCH_EXISTING first one for each that matched already.
 *   The client ends the watch by sending REGISTRY_UNWATCH (the header
 *   alone) on the watch's conversation; the registry answers
 *   REGISTRY_UNWATCH | PROTO_REPLY and sends nothing more there. A
 *   watcher that leaves events unread until its stream is full loses the
 *   watch: it hears nothing more, and the registry answers its
 *   REGISTRY_UNWATCH with -ERR_NO_SPACE. ERR_NO_SPACE
 *   (REGISTRY_WATCHES_MAX in all, REGISTRY_WATCHES_PER_PROCESS for this
 *   process or REGISTRY_WATCHES_PER_CONNECTION on this stream), property
 *   errors. Any other message on the watch's conversation is answered
 *   -ERR_NOT_SUPPORTED (a malformed one not at all).
 * REGISTRY_CONNECT    the header alone.
 *   reply: the header with the client end of a new private stream to
 *   the registry (to hand to a child, say). ERR_NO_SPACE
 *   (REGISTRY_CONNECTIONS_MAX streams served, or
 *   REGISTRY_CONNECTIONS_PER_PROCESS for this process; the stream the
 *   kernel gave it counts).
 *
 * REGISTRY_KERNEL_CLIENT is sent by the kernel alone, on the stream the
 * registry gets at start (its main argument): a boot program is about to
 * start; the handle is the registry's end of that program's stream.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <keel/proto/proto.h>

#define REGISTRY_PROTOCOL 1

#define REGISTRY_PUBLISH PROTO_ID(REGISTRY_PROTOCOL, 1)
#define REGISTRY_UNPUBLISH PROTO_ID(REGISTRY_PROTOCOL, 2)
#define REGISTRY_LOOKUP PROTO_ID(REGISTRY_PROTOCOL, 3)
#define REGISTRY_WATCH PROTO_ID(REGISTRY_PROTOCOL, 4)
#define REGISTRY_UNWATCH PROTO_ID(REGISTRY_PROTOCOL, 5)
#define REGISTRY_EVENT PROTO_ID(REGISTRY_PROTOCOL, 6)
#define REGISTRY_CONNECT PROTO_ID(REGISTRY_PROTOCOL, 7)
#define REGISTRY_KERNEL_CLIENT PROTO_ID(REGISTRY_PROTOCOL, 0x100)

/* Properties. */
#define REGISTRY_PROPS_MAX 1024		/* bytes of the tail */
#define REGISTRY_PROP_COUNT_MAX 16
#define REGISTRY_KEY_MAX 31		/* bytes, NUL excluded */
#define REGISTRY_VALUE_MAX 127		/* bytes, NUL excluded */

/* What one registry serves at most, in all and to one process (so that
 * one cannot starve the others); beyond, ERR_NO_SPACE. */
#define REGISTRY_CONNECTIONS_MAX 32
#define REGISTRY_CONNECTIONS_PER_PROCESS 8
#define REGISTRY_ENDPOINTS_MAX 64
#define REGISTRY_ENDPOINTS_PER_PROCESS 16
#define REGISTRY_WATCHES_MAX 32
#define REGISTRY_WATCHES_PER_PROCESS 8
#define REGISTRY_WATCHES_PER_CONNECTION 4
#define REGISTRY_REQUESTS_PER_CONNECTION 8 /* handled at once; the rest
					    * wait in the stream */

/* REGISTRY_WATCH flags (registry_query.arg). */
#define REGISTRY_WATCH_EXISTING 0x1

struct registry_query {
	struct proto_header hdr;
	uint32_t props_size;
	uint32_t arg;
	char props[REGISTRY_PROPS_MAX];
};
_Static_assert(offsetof(struct registry_query, props) == 24,
	       "registry_query layout");
#define REGISTRY_QUERY_SIZE(props_size) \
	(offsetof(struct registry_query, props) + (props_size))

struct registry_id {
	struct proto_header hdr;
	uint64_t id;
};
_Static_assert(sizeof(struct registry_id) == 24, "registry_id layout");

struct registry_endpoint {
	struct proto_header hdr;
	uint64_t id;
	uint32_t matches;
	uint32_t props_size;
	char props[REGISTRY_PROPS_MAX];
};
_Static_assert(offsetof(struct registry_endpoint, props) == 32,
	       "registry_endpoint layout");
#define REGISTRY_ENDPOINT_SIZE(props_size) \
	(offsetof(struct registry_endpoint, props) + (props_size))

#define REGISTRY_CLIENT_NAME_MAX 32

struct registry_kernel_client {
	struct proto_header hdr;
	uint64_t process_id;
	char name[REGISTRY_CLIENT_NAME_MAX]; /* NUL-terminated */
};
_Static_assert(sizeof(struct registry_kernel_client) == 56,
	       "registry_kernel_client layout");
