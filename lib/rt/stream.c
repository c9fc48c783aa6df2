/*
 * Blocking stream helpers (see rt.h): one entry, one completion. Servers
 * with many conversations in flight use the queue directly (or fibers).
 */
#include <keel/stream.h>
#include <rt/queue.h>
#include <rt/rt.h>

/* Submits what the caller put in the SQE and waits for the completion
 * (other completions are not expected here); an inline payload (wide
 * queue) is copied to @data, at most @cap bytes. */
static int64_t roundtrip(struct rt_queue *q, struct queue_cqe *cqe,
			 void *data, size_t cap)
{
	int64_t r;

	rt_queue_commit(q);
	r = rt_queue_enter(q, 1, 1, ~0ul);
	if (r < 0) {
		return r;
	}
	if (!rt_queue_reap_data(q, cqe, data,
				cap > QUEUE_INLINE_MAX ? QUEUE_INLINE_MAX
						       : (uint32_t)cap)) {
		return -(int64_t)ERR_CORRUPT;
	}
	return cqe->result;
}

int64_t rt_stream_send(struct rt_queue *q, uint32_t ep, uint64_t conv,
		       const void *buf, size_t len, uint32_t handle,
		       struct queue_cqe *cqe)
{
	struct queue_sqe *sqe = rt_queue_sqe(q);

	if (!sqe) {
		return -(int64_t)ERR_WOULD_BLOCK;
	}
	sqe->op = QUEUE_OP_STREAM_SEND;
	sqe->handle = ep;
	sqe->arg[0] = conv;
	sqe->arg[1] = (uint64_t)buf;
	sqe->arg[2] = len;
	sqe->arg[3] = handle;
	return roundtrip(q, cqe, 0, 0);
}

int64_t rt_stream_recv(struct rt_queue *q, uint32_t ep, uint64_t conv,
		       void *buf, size_t cap, struct stream_recv_info *info,
		       struct queue_cqe *cqe)
{
	struct queue_sqe *sqe = rt_queue_sqe(q);

	if (!sqe) {
		return -(int64_t)ERR_WOULD_BLOCK;
	}
	sqe->op = QUEUE_OP_STREAM_RECV;
	sqe->handle = ep;
	sqe->arg[0] = conv;
	sqe->arg[1] = (uint64_t)buf;
	sqe->arg[2] = cap;
	sqe->arg[3] = (uint64_t)info;
	return roundtrip(q, cqe, buf, cap);
}
