/*
 * Streams (abi/keel/stream.h): a connected pair of endpoints carrying
 * messages in conversations. Sending copies the message into the kernel
 * (or straight to a receive waiting for it); receiving completes on the
 * receiver's queue once the data is in its buffer.
 *
 * Locking: one spinlock per stream guards both sides. A receive request
 * is linked on its side's list under it; whoever unlinks it (a matching
 * send, the peer closing, cancellation) completes it, after dropping the
 * stream lock (see ipc/queue.h for the order).
 */
#pragma once

#include <keel/error.h>
#include <keel/handle.h>
#include <ipc/queue.h>

struct process;

/* Creates a stream; returns its two endpoints (one reference each). */
err_t stream_create(struct kobject **a, struct kobject **b);
/* Queue op handlers for QUEUE_OP_STREAM_SEND and _RECV. */
enum queue_submit stream_op_send(struct queue *q, const struct queue_sqe *sqe,
				 struct queue_cqe *cqe);
enum queue_submit stream_op_recv(struct queue *q, const struct queue_sqe *sqe,
				 struct queue_cqe *cqe);
/* Sends @len bytes at @data from the kernel itself on endpoint @ep (a
 * reference the caller holds, no handle), opening a new conversation,
 * with @handle (NULL: none; its reference passes to the stream on
 * success) carrying @rights. ERR_PEER_CLOSED, ERR_TOO_BIG,
 * ERR_WOULD_BLOCK, ERR_NO_MEMORY. */
err_t stream_send_kernel(struct kobject *ep, const void *data, size_t len,
			 struct kobject *handle, uint32_t rights);
