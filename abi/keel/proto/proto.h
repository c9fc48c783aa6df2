/*
 * The frame of every request/reply protocol between processes (user <->
 * user contract, carried over streams, abi/keel/stream.h).
 *
 * A request opens a conversation; its replies come back on that
 * conversation. Every message, either way, starts with struct
 * proto_header; what follows is a fixed-layout struct of the protocol
 * (one header per protocol in this folder), possibly ending in a
 * bounded, variable-length tail whose size a field of that struct gives.
 * The header's length is the whole message, header included, and must
 * equal what the stream delivered.
 *
 * Message ids name their protocol in the high half (PROTO_ID), so a
 * request sent to the wrong server is refused as unknown rather than
 * misread. A reply carries the request's id with PROTO_REPLY set and a
 * status: 0, or a negated err_t (abi/keel/error.h). An error reply is
 * the header alone. A request too short to carry a header is answered
 * with id PROTO_REPLY (no id known).
 *
 * Errors a server of lib/proto gives for malformed requests:
 * ERR_NOT_SUPPORTED (unknown id), ERR_INVALID (shorter than its struct,
 * header length different from the message, status or reserved field
 * set, PROTO_REPLY set, tail size inconsistent), ERR_TOO_BIG (longer
 * than the largest message the id allows).
 */
#pragma once

#include <stdint.h>

#include <keel/stream.h>

/* Message id: protocol number (1..0x7fff) and message number. */
#define PROTO_ID(proto, n) ((((uint32_t)(proto) & 0x7fffu) << 16) | \
			    ((uint32_t)(n) & 0xffffu))
#define PROTO_ID_PROTOCOL(id) (((id) >> 16) & 0x7fffu)
/* Set in the id of every message a server sends back. */
#define PROTO_REPLY 0x80000000u
/* No message of any protocol is longer than a stream message. */
#define PROTO_MSG_MAX STREAM_MSG_MAX

struct proto_header {
	uint32_t id;		/* PROTO_ID(); | PROTO_REPLY in replies */
	uint32_t length;	/* bytes of the whole message, this included */
	int32_t status;		/* replies: 0 or -err_t; requests: 0 */
	uint32_t reserved;	/* 0 */
};
_Static_assert(sizeof(struct proto_header) == 16, "proto_header layout");
