/*
 * Tests of the pure part of the protocol helper (lib/proto/proto.c):
 * headers, dispatch table lookup, request checks against a table (every
 * way a request can be malformed), reply and frame checks (every way a
 * reply can be), and random messages, each in an exactly sized heap copy
 * so that ASan sees any read past the message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <proto/proto.h>

#include "check.h"
#include "rng.h"

#define P 0x42
#define MSG_A PROTO_ID(P, 1)	/* exactly 24 bytes */
#define MSG_B PROTO_ID(P, 2)	/* 16..64 bytes */
#define MSG_C PROTO_ID(P, 3)	/* 16 bytes */

static err_t no_handler(struct proto_call *call)
{
	(void)call;
	return ERR_OK;
}

static const struct proto_handler table[] = {
	{ MSG_A, 24, 24, no_handler },
	{ MSG_B, 16, 64, no_handler },
	{ MSG_C, 16, 16, no_handler },
};
#define COUNT (sizeof(table) / sizeof(table[0]))

/* A heap copy of exactly @len bytes of @msg. */
static void *exact(const void *msg, size_t len)
{
	void *p = malloc(len ? len : 1);

	memcpy(p, msg, len);
	return p;
}

/* Checks a request of @len bytes whose header has @id, @length_field,
 * @status and @reserved. */
static err_t request(uint32_t id, size_t len, uint32_t length_field,
		     int32_t status, uint32_t reserved,
		     const struct proto_handler **out)
{
	uint8_t buf[256] = { 0 };
	struct proto_header h = { id, length_field, status, reserved };
	const struct proto_handler *entry = NULL;
	void *copy;
	err_t err;

	memcpy(buf, &h, sizeof(h));
	copy = exact(buf, len);
	err = proto_request_check(copy, len, table, COUNT, &entry);
	free(copy);
	if (out) {
		*out = entry;
	}
	return err;
}

static err_t good(uint32_t id, size_t len)
{
	return request(id, len, (uint32_t)len, 0, 0, NULL);
}

TEST(header_set_fills_all_fields)
{
	struct proto_header h;

	memset(&h, 0xff, sizeof(h));
	proto_header_set(&h, MSG_A, 24);
	CHECK_EQ(h.id, MSG_A);
	CHECK_EQ(h.length, 24);
	CHECK_EQ(h.status, 0);
	CHECK_EQ(h.reserved, 0);
}

TEST(ids_name_their_protocol)
{
	CHECK_EQ(PROTO_ID_PROTOCOL(MSG_B), P);
	CHECK_EQ(PROTO_ID(P, 2) & 0xffff, 2);
	CHECK((PROTO_ID(0x7fff, 0xffff) & PROTO_REPLY) == 0);
	CHECK_EQ(PROTO_ID(0xffff, 1), PROTO_ID(0x7fff, 1));
}

TEST(handler_find)
{
	CHECK(proto_handler_find(table, COUNT, MSG_B) == &table[1]);
	CHECK(proto_handler_find(table, COUNT, MSG_C) == &table[2]);
	CHECK(proto_handler_find(table, COUNT, PROTO_ID(P, 9)) == NULL);
	CHECK(proto_handler_find(table, COUNT, MSG_A | PROTO_REPLY) == NULL);
	CHECK(proto_handler_find(table, 0, MSG_A) == NULL);
	CHECK(proto_handler_find(NULL, 0, MSG_A) == NULL);
}

TEST(request_well_formed)
{
	const struct proto_handler *entry;

	CHECK_EQ(request(MSG_A, 24, 24, 0, 0, &entry), ERR_OK);
	CHECK(entry == &table[0]);
	CHECK_EQ(good(MSG_B, 16), ERR_OK);
	CHECK_EQ(good(MSG_B, 40), ERR_OK);
	CHECK_EQ(good(MSG_B, 64), ERR_OK);
	CHECK_EQ(good(MSG_C, 16), ERR_OK);
}

TEST(request_too_short_for_a_header)
{
	for (size_t len = 0; len < sizeof(struct proto_header); len++) {
		CHECK_EQ(request(MSG_C, len, 16, 0, 0, NULL), ERR_INVALID);
	}
}

TEST(request_length_field_must_match)
{
	CHECK_EQ(request(MSG_A, 24, 23, 0, 0, NULL), ERR_INVALID);
	CHECK_EQ(request(MSG_A, 24, 25, 0, 0, NULL), ERR_INVALID);
	CHECK_EQ(request(MSG_A, 24, 0, 0, 0, NULL), ERR_INVALID);
	CHECK_EQ(request(MSG_A, 24, 0xffffffff, 0, 0, NULL), ERR_INVALID);
}

TEST(request_status_and_reserved_must_be_zero)
{
	CHECK_EQ(request(MSG_C, 16, 16, -1, 0, NULL), ERR_INVALID);
	CHECK_EQ(request(MSG_C, 16, 16, 1, 0, NULL), ERR_INVALID);
	CHECK_EQ(request(MSG_C, 16, 16, 0, 1, NULL), ERR_INVALID);
}

TEST(request_unknown_or_reply_id)
{
	CHECK_EQ(good(PROTO_ID(P, 99), 16), ERR_NOT_SUPPORTED);
	CHECK_EQ(good(PROTO_ID(P + 1, 1), 24), ERR_NOT_SUPPORTED);
	CHECK_EQ(good(0, 16), ERR_NOT_SUPPORTED);
	CHECK_EQ(good(MSG_A | PROTO_REPLY, 24), ERR_INVALID);
}

TEST(request_length_bounds)
{
	CHECK_EQ(good(MSG_A, 16), ERR_INVALID);
	CHECK_EQ(good(MSG_A, 23), ERR_INVALID);
	CHECK_EQ(good(MSG_A, 25), ERR_TOO_BIG);
	CHECK_EQ(good(MSG_B, 65), ERR_TOO_BIG);
	CHECK_EQ(good(MSG_C, 17), ERR_TOO_BIG);
	CHECK_EQ(good(MSG_B, 200), ERR_TOO_BIG);
}

TEST(request_frame_check_alone)
{
	struct proto_header h = { PROTO_ID(P, 77), 16, 0, 0 };

	CHECK_EQ(proto_request_frame_check(&h, 16), ERR_OK);
	CHECK_EQ(proto_request_frame_check(&h, 15), ERR_INVALID);
	h.id |= PROTO_REPLY;
	CHECK_EQ(proto_request_frame_check(&h, 16), ERR_INVALID);
}

/* Checks a reply of @len bytes (@id, @length_field, @status) to MSG_B
 * expected to be 24..40 bytes. */
static int64_t reply(uint32_t id, size_t len, uint32_t length_field,
		     int32_t status, uint32_t reserved)
{
	uint8_t buf[256] = { 0 };
	struct proto_header h = { id, length_field, status, reserved };
	void *copy;
	int64_t r;

	memcpy(buf, &h, sizeof(h));
	copy = exact(buf, len);
	r = proto_reply_check(copy, len, MSG_B, 24, 40);
	free(copy);
	return r;
}

TEST(reply_well_formed)
{
	uint32_t id = MSG_B | PROTO_REPLY;

	CHECK_EQ(reply(id, 24, 24, 0, 0), 0);
	CHECK_EQ(reply(id, 40, 40, 0, 0), 0);
	CHECK_EQ(reply(id, 16, 16, -(int32_t)ERR_NOT_FOUND, 0),
		 -(int64_t)ERR_NOT_FOUND);
	CHECK_EQ(reply(id, 16, 16, -(int32_t)ERR_CHECKSUM, 0),
		 -(int64_t)ERR_CHECKSUM);
}

TEST(reply_malformed)
{
	uint32_t id = MSG_B | PROTO_REPLY;
	int64_t corrupt = -(int64_t)ERR_CORRUPT;

	for (size_t len = 0; len < 16; len++) {
		CHECK_EQ(reply(id, len, (uint32_t)len, 0, 0), corrupt);
	}
	CHECK_EQ(reply(id, 24, 32, 0, 0), corrupt);	/* length lies */
	CHECK_EQ(reply(MSG_B, 24, 24, 0, 0), corrupt);	/* no reply bit */
	CHECK_EQ(reply(MSG_A | PROTO_REPLY, 24, 24, 0, 0), corrupt);
	CHECK_EQ(reply(id, 16, 16, 0, 0), corrupt);	/* below minimum */
	CHECK_EQ(reply(id, 48, 48, 0, 0), corrupt);	/* above maximum */
	CHECK_EQ(reply(id, 24, 24, 3, 0), corrupt);	/* positive status */
	CHECK_EQ(reply(id, 16, 16, -(int32_t)ERR_COUNT, 0), corrupt);
	CHECK_EQ(reply(id, 16, 16, INT32_MIN, 0), corrupt);
	CHECK_EQ(reply(id, 24, 24, -(int32_t)ERR_INVALID, 0), corrupt);
	CHECK_EQ(reply(id, 24, 24, 0, 7), corrupt);	/* reserved */
}

TEST(frame_check_accepts_any_reply_id)
{
	struct proto_header h = { PROTO_ID(P, 50) | PROTO_REPLY, 16, 0, 0 };

	CHECK_EQ(proto_frame_check(&h, 16), 0);
	h.status = -(int32_t)ERR_NO_SPACE;
	CHECK_EQ(proto_frame_check(&h, 16), -(int64_t)ERR_NO_SPACE);
	h.id &= ~PROTO_REPLY;
	CHECK_EQ(proto_frame_check(&h, 16), -(int64_t)ERR_CORRUPT);
}

/* Random headers of random lengths: the checks never read outside the
 * message and what they accept obeys the table. */
TEST(random_messages)
{
	rng_seed(0x70c0);
	for (int i = 0; i < 20000; i++) {
		uint8_t buf[80];
		size_t len = rng() % sizeof(buf);
		const struct proto_handler *entry = NULL;
		struct proto_header h;
		void *copy;
		err_t err;
		int64_t r;

		for (size_t k = 0; k < sizeof(buf); k++) {
			buf[k] = (uint8_t)rng();
		}
		/* Often a plausible header, so the deeper checks run. */
		h.id = (rng() & 1) ? table[rng() % COUNT].id : (uint32_t)rng();
		h.length = (rng() & 1) ? (uint32_t)len : (uint32_t)rng();
		h.status = (rng() & 3) ? 0 : (int32_t)rng();
		h.reserved = (rng() & 3) ? 0 : (uint32_t)rng();
		memcpy(buf, &h, sizeof(h));
		copy = exact(buf, len);
		err = proto_request_check(copy, len, table, COUNT, &entry);
		if (err == ERR_OK) {
			CHECK(entry != NULL);
			CHECK(len >= entry->min_length &&
			      len <= entry->max_length);
		} else {
			CHECK(err == ERR_INVALID || err == ERR_TOO_BIG ||
			      err == ERR_NOT_SUPPORTED);
		}
		r = proto_reply_check(copy, len, MSG_B, 24, 40);
		CHECK(r <= 0 && r > -(int64_t)ERR_COUNT);
		r = proto_frame_check(copy, len);
		CHECK(r <= 0 && r > -(int64_t)ERR_COUNT);
		free(copy);
	}
}

int main(void)
{
	RUN(header_set_fills_all_fields);
	RUN(ids_name_their_protocol);
	RUN(handler_find);
	RUN(request_well_formed);
	RUN(request_too_short_for_a_header);
	RUN(request_length_field_must_match);
	RUN(request_status_and_reserved_must_be_zero);
	RUN(request_unknown_or_reply_id);
	RUN(request_length_bounds);
	RUN(request_frame_check_alone);
	RUN(reply_well_formed);
	RUN(reply_malformed);
	RUN(frame_check_accepts_any_reply_id);
	RUN(random_messages);
	return check_done();
}
