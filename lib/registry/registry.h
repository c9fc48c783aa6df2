/*
 * The registry's library (protocol: abi/keel/proto/registry.h): the
 * property format both sides check and match (pure, host-tested), and
 * the client stubs, which run in fibers over the event loop
 * (lib/proto). A program gets its registry stream as main's argument
 * (docs/native-api.md, "The registry").
 *
 * Client calls return 0 or a negated err_t: the registry's status, or a
 * transport error (-ERR_PEER_CLOSED: no registry any more).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>
#include <keel/handle.h>
#include <keel/proto/registry.h>

/* Checks a property tail of @size bytes (format in the protocol
 * header); stores the number of pairs in *@count (may be NULL).
 * ERR_TOO_BIG (tail, a key, a value or the number of pairs over its
 * limit), ERR_INVALID (not NUL-terminated, no '=', empty key, a byte
 * outside the allowed set, a key twice). */
err_t registry_props_check(const char *props, size_t size, unsigned *count);

/* The value of @key in the checked tail @props, or NULL. */
const char *registry_props_get(const char *props, size_t size,
			       const char *key);

/* Whether every pair of checked tail @want is in checked tail @have
 * with the same value (an empty @want matches everything). */
bool registry_props_match(const char *have, size_t have_size,
			  const char *want, size_t want_size);

/* Builds a tail in @buf (@cap bytes) from the NULL-terminated array
 * @pairs of "key=value" strings and checks it; stores its size in
 * *@size. ERR_TOO_BIG (does not fit), registry_props_check's errors. */
err_t registry_props_build(char *buf, size_t cap, const char *const *pairs,
			   size_t *size);

#ifndef HOST_TEST

#include <fiber/loop.h>

/* Publishes stream end @end (consumed) with properties @pairs
 * (NULL-terminated "key=value" strings); stores the endpoint's id in
 * *@id (may be NULL). */
int64_t registry_publish(struct loop *l, handle_t reg,
			 const char *const *pairs, handle_t end, uint64_t *id);

/* Unpublishes endpoint @id (published by this process). */
int64_t registry_unpublish(struct loop *l, handle_t reg, uint64_t id);

/* Looks up the (@index + 1)-th endpoint matching @pairs (NULL or empty:
 * any); stores a stream end to it in *@out and, if @info is not NULL,
 * its id, the number of matches and its properties there. */
int64_t registry_lookup(struct loop *l, handle_t reg,
			const char *const *pairs, uint32_t index,
			handle_t *out, struct registry_endpoint *info);

/* A watch in progress (one conversation). */
struct registry_watch {
	struct loop *loop;
	handle_t reg;
	uint64_t conversation;
};

/* Starts watching for endpoints matching @pairs, with
 * REGISTRY_WATCH_* @flags. */
int64_t registry_watch_start(struct loop *l, handle_t reg,
			     const char *const *pairs, uint32_t flags,
			     struct registry_watch *w);

/* Waits for the next endpoint of watch @w; stores a stream end to it in
 * *@out and its details in @info (may be NULL). -ERR_CORRUPT for a
 * message that is not an event. */
int64_t registry_watch_next(struct registry_watch *w, handle_t *out,
			    struct registry_endpoint *info);

/* Ends watch @w: asks the registry to stop and drops the events still
 * on the way (closing their handles). */
int64_t registry_watch_stop(struct registry_watch *w);

/* Asks for a new private stream to the registry; stores its end in
 * *@out. */
int64_t registry_connect(struct loop *l, handle_t reg, handle_t *out);

#endif /* HOST_TEST */
