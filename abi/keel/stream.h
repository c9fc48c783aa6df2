/*
 * Streams (kernel <-> user contract): a connected pair of endpoints
 * carrying messages in conversations.
 *
 * A conversation is a private sub-channel of the stream, named by a
 * 64-bit id the kernel hands out: a client opens one by sending with
 * conversation 0 (the completion's value is the new id); the server
 * receives the opening message of any new conversation by receiving with
 * conversation 0 (the completion's value says which); from then on both
 * sides send and receive on that id. So many requests can be in flight
 * on one stream and each reply finds its request.
 *
 * Both operations go through a completion queue (abi/keel/queue.h), with
 * sqe.handle = the endpoint:
 *
 * QUEUE_OP_STREAM_SEND  arg[0] conversation (0: open a new one)
 *                       arg[1] buffer, arg[2] length (<= STREAM_MSG_MAX)
 *                       arg[3] a handle to transfer with the message (0:
 *                              none; it needs RIGHT_TRANSFER and leaves
 *                              the sender's table)
 *                       arg[4] STREAM_SEND_* flags
 *   completes once the message is received or queued at the peer (at
 *   once, unless the peer has STREAM_QUEUE_MAX bytes waiting: then the
 *   send waits, its bytes still in the sender's buffer, until a receive
 *   takes them): result = length; value = the conversation id.
 *   ERR_PEER_CLOSED, ERR_TOO_BIG, ERR_FAULT, ERR_WOULD_BLOCK (with
 *   STREAM_SEND_NOWAIT, instead of waiting), ERR_NOT_FOUND (a
 *   conversation never opened), ERR_INVALID (unknown flags),
 *   ERR_CANCELLED (a waiting send cancelled, or its endpoint closed; its
 *   handle is dropped), handle errors.
 *
 * QUEUE_OP_STREAM_RECV  arg[0] conversation (0: the opening message of a
 *                              new conversation)
 *                       arg[1] buffer, arg[2] capacity
 *                       arg[3] user pointer to a struct stream_recv_info
 *                              (0: not wanted)
 *   completes when a message arrives: result = its length, value = the
 *   conversation id, info filled in. On a wide queue (abi/keel/queue.h)
 *   a message of at most QUEUE_INLINE_MAX bytes comes in the completion
 *   entry's data instead of the buffer (QUEUE_CQE_INLINE). ERR_TOO_BIG
 *   (the message stays queued; value = its length), ERR_PEER_CLOSED once
 *   the peer is gone and nothing is left to read, ERR_FAULT,
 *   ERR_CANCELLED.
 *   With QUEUE_SQE_MULTISHOT (wide queues, arg[3] must be 0): stays
 *   armed and completes once per message, each inline with
 *   QUEUE_CQE_MORE (the buffer is not used); it ends at the first
 *   message it cannot take inline (longer than QUEUE_INLINE_MAX or than
 *   arg[2], or carrying a handle) with ERR_TOO_BIG, value = its length,
 *   the message left for another receive; or when cancelled, the peer
 *   gone, or the completion ring full (abi/keel/queue.h).
 *
 * A message is copied once, from the sender's memory to the receiver's,
 * when one side already waits for the other; otherwise it goes through
 * a kernel buffer.
 */
#pragma once

#include <stdint.h>

#define STREAM_MSG_MAX (64u * 1024)
#define STREAM_QUEUE_MAX (1024u * 1024)

/* QUEUE_OP_STREAM_SEND arg[4]. */
#define STREAM_SEND_NOWAIT 0x1	/* ERR_WOULD_BLOCK rather than wait */

struct stream_recv_info {
	uint64_t conversation;
	uint64_t length;
	uint64_t sender_process;	/* credentials: the sender's id */
	uint32_t handle;		/* received handle, 0 if none */
	uint32_t reserved;
};
_Static_assert(sizeof(struct stream_recv_info) == 32, "recv info layout");
