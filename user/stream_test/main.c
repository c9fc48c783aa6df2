/*
 * In-guest tests of streams within one process (both endpoints here):
 * conversations keep their messages apart, receives wait for the right
 * conversation, too-small buffers, peer closed, cancellation of a
 * waiting receive, handle transfer into the same table, back-pressure,
 * and hostile use. KTEST lines.
 */
#include <keel/handle.h>
#include <keel/stream.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>

#define KERNEL_ADDR 0xffffffff80100000ul

int main(void);

static struct rt_queue q;	/* blocking send/recv helpers */
static struct rt_queue pq;	/* receives left pending, cancels */

static int64_t send(uint32_t ep, uint64_t conv, const void *buf, size_t len,
		    uint32_t h, uint64_t *conv_out)
{
	struct queue_cqe cqe;
	int64_t r = rt_stream_send(&q, ep, conv, buf, len, h, &cqe);

	if (conv_out) {
		*conv_out = cqe.value;
	}
	return r;
}

static int64_t recv(uint32_t ep, uint64_t conv, void *buf, size_t cap,
		    struct stream_recv_info *info, uint64_t *value)
{
	struct queue_cqe cqe;
	int64_t r = rt_stream_recv(&q, ep, conv, buf, cap, info, &cqe);

	if (value) {
		*value = cqe.value;
	}
	return r;
}

/* A send that fails rather than waits when the peer's inbox is full. */
static int64_t send_nowait(uint32_t ep, uint64_t conv, const void *buf,
			   size_t len)
{
	struct queue_sqe *sqe = rt_queue_sqe(&q);
	struct queue_cqe cqe;

	sqe->op = QUEUE_OP_STREAM_SEND;
	sqe->handle = ep;
	sqe->arg[0] = conv;
	sqe->arg[1] = (uint64_t)buf;
	sqe->arg[2] = len;
	sqe->arg[4] = STREAM_SEND_NOWAIT;
	rt_queue_commit(&q);
	if (rt_queue_enter(&q, 1, 1, ~0ul) != 1 || !rt_queue_reap(&q, &cqe)) {
		return -ERR_CORRUPT;
	}
	return cqe.result;
}

/* Submits a receive on pq without waiting for it. */
static void post_recv(uint32_t ep, uint64_t conv, void *buf, size_t cap,
		      uint64_t context)
{
	struct queue_sqe *sqe = rt_queue_sqe(&pq);

	sqe->op = QUEUE_OP_STREAM_RECV;
	sqe->handle = ep;
	sqe->context = context;
	sqe->arg[0] = conv;
	sqe->arg[1] = (uint64_t)buf;
	sqe->arg[2] = cap;
	rt_queue_commit(&pq);
	rt_queue_enter(&pq, 1, 0, 0);
}

int main(void)
{
	uint32_t ep[2];
	uint64_t c1, c2, value;
	char buf[64];
	struct stream_recv_info info;
	struct queue_cqe cqe;

	rt_queue_create(&q, 16, 16);
	rt_queue_create(&pq, 16, 16);
	ktest_expect("stream/create",
		     rt_syscall2(SYS_STREAM_CREATE, (uint64_t)ep, 0), 0);
	ktest_expect("stream/create_kernel_pointer",
		     rt_syscall2(SYS_STREAM_CREATE, KERNEL_ADDR, 0), -ERR_FAULT);
	ktest_expect("stream/handle_type",
		     rt_syscall2(SYS_HANDLE_INFO, ep[0], 0) & 0xffffffff,
		     OBJECT_STREAM);

	/* Two conversations; messages stay in theirs. */
	ktest_expect("stream/open_first", send(ep[0], 0, "one", 3, 0, &c1), 3);
	ktest_expect("stream/open_second", send(ep[0], 0, "two", 3, 0, &c2), 3);
	ktest_check("stream/distinct_ids", c1 && c2 && c1 != c2, "same id");
	ktest_expect("stream/follow_up", send(ep[0], c1, "one-b", 5, 0, 0), 5);
	ktest_expect("stream/recv_on_second",
		     recv(ep[1], c2, buf, sizeof(buf), &info, &value), 3);
	ktest_check("stream/recv_on_second_data",
		    buf[0] == 't' && value == c2 && info.conversation == c2 &&
			    info.length == 3,
		    "wrong message");
	ktest_expect("stream/recv_new_gets_first_opening",
		     recv(ep[1], 0, buf, sizeof(buf), 0, &value), 3);
	ktest_check("stream/recv_new_conversation_id", value == c1, "wrong id");
	ktest_expect("stream/recv_follow_up",
		     recv(ep[1], c1, buf, sizeof(buf), 0, 0), 5);
	ktest_expect("stream/reply_other_way",
		     send(ep[1], c1, "back", 4, 0, 0), 4);
	ktest_expect("stream/recv_reply",
		     recv(ep[0], c1, buf, sizeof(buf), 0, 0), 4);
	ktest_expect("stream/send_unopened_conversation",
		     send(ep[0], 999999, "x", 1, 0, 0), -ERR_NOT_FOUND);

	/* A waiting receive completes when its conversation gets data,
	 * not before, and not from another conversation. */
	post_recv(ep[1], c2, buf, sizeof(buf), 501);
	ktest_expect("stream/waiting_recv_pending", rt_queue_ready(&pq), 0);
	send(ep[0], c1, "other", 5, 0, 0);
	ktest_expect("stream/other_conversation_not_delivered",
		     rt_queue_ready(&pq), 0);
	send(ep[0], c2, "mine", 4, 0, 0);
	rt_queue_enter(&pq, 0, 1, 1000000000);
	ktest_check("stream/waiting_recv_completes",
		    rt_queue_reap(&pq, &cqe) && cqe.context == 501 &&
			    cqe.result == 4 && buf[0] == 'm',
		    "not delivered");
	recv(ep[1], c1, buf, sizeof(buf), 0, 0); /* drain "other" */

	/* Too small a buffer: an error, and the message stays. */
	send(ep[0], c1, "0123456789", 10, 0, 0);
	ktest_expect("stream/buffer_too_small",
		     recv(ep[1], c1, buf, 4, 0, &value), -ERR_TOO_BIG);
	ktest_expect("stream/too_big_says_length", value, 10);
	ktest_expect("stream/message_kept", recv(ep[1], c1, buf, 64, 0, 0),
		     10);

	/* Cancel a waiting receive. */
	post_recv(ep[1], c2, buf, sizeof(buf), 777);
	{
		struct queue_sqe *sqe = rt_queue_sqe(&pq);

		sqe->op = QUEUE_OP_CANCEL;
		sqe->context = 778;
		sqe->arg[0] = 777;
		rt_queue_commit(&pq);
		rt_queue_enter(&pq, 1, 2, 1000000000);
	}
	int64_t rc = 1, cc = 1;
	while (rt_queue_reap(&pq, &cqe)) {
		if (cqe.context == 777) {
			rc = cqe.result;
		} else if (cqe.context == 778) {
			cc = cqe.result;
		}
	}
	ktest_expect("stream/cancel_waiting_recv", rc, -ERR_CANCELLED);
	ktest_expect("stream/cancel_result", cc, 0);

	/* Hand a handle to ourselves through the stream. */
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 4096, 0);
	ktest_expect("stream/send_with_handle",
		     send(ep[0], c1, "h", 1, (uint32_t)mem, 0), 1);
	ktest_expect("stream/handle_gone_from_sender",
		     rt_syscall2(SYS_HANDLE_INFO, (uint64_t)mem, 0),
		     -ERR_BAD_HANDLE);
	ktest_expect("stream/recv_with_handle",
		     recv(ep[1], c1, buf, sizeof(buf), &info, 0), 1);
	ktest_expect("stream/received_handle_is_memory",
		     rt_syscall2(SYS_HANDLE_INFO, info.handle, 0) & 0xffffffff,
		     OBJECT_MEMORY);
	ktest_expect("stream/send_endpoint_over_itself",
		     send(ep[0], c1, "x", 1, ep[0], 0), -ERR_INVALID);
	int64_t notransfer = rt_syscall2(SYS_HANDLE_DUPLICATE, info.handle,
					 RIGHT_READ | RIGHT_MAP);
	ktest_expect("stream/transfer_needs_right",
		     send(ep[0], c1, "x", 1, (uint32_t)notransfer, 0),
		     -ERR_ACCESS);
	ktest_expect("stream/transfer_bad_handle",
		     send(ep[0], c1, "x", 1, 0x777777, 0), -ERR_BAD_HANDLE);

	/* Hostile arguments. */
	ktest_expect("stream/send_too_big",
		     send(ep[0], c1, buf, STREAM_MSG_MAX + 1, 0, 0),
		     -ERR_TOO_BIG);
	ktest_expect("stream/send_kernel_buffer",
		     send(ep[0], c1, (void *)KERNEL_ADDR, 8, 0, 0), -ERR_FAULT);
	ktest_expect("stream/send_unmapped_buffer",
		     send(ep[0], c1, (void *)0x30000000ul, 8, 0, 0), -ERR_FAULT);
	ktest_expect("stream/recv_kernel_buffer",
		     recv(ep[1], c1, (void *)KERNEL_ADDR, 8, 0, 0), -ERR_FAULT);
	ktest_expect("stream/send_on_queue_handle",
		     send(q.handle, 0, "x", 1, 0, 0), -ERR_WRONG_TYPE);
	ktest_expect("stream/send_bad_handle", send(0x1234, 0, "x", 1, 0, 0),
		     -ERR_BAD_HANDLE);
	int64_t ro = rt_syscall2(SYS_HANDLE_DUPLICATE, ep[0], RIGHT_READ);
	ktest_expect("stream/send_needs_write_right",
		     send((uint32_t)ro, 0, "x", 1, 0, 0), -ERR_ACCESS);

	/* Back-pressure: the peer's inbox is bounded (a send that would
	 * wait fails with STREAM_SEND_NOWAIT; ipc_test has waiting ones). */
	static char big[STREAM_MSG_MAX];
	int64_t last = 0;
	int sent = 0;
	while (sent < 64 && (last = send_nowait(ep[0], c1, big, sizeof(big))) ==
				    (int64_t)sizeof(big)) {
		sent++;
	}
	ktest_expect("stream/inbox_bounded", last, -ERR_WOULD_BLOCK);
	ktest_expect("stream/inbox_bound_is_1mib", sent,
		     STREAM_QUEUE_MAX / STREAM_MSG_MAX);

	/* Peer closed: what was sent can still be read, then PEER_CLOSED;
	 * sending to the closed side fails. */
	post_recv(ep[0], c2, buf, sizeof(buf), 901);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)ro, 0);
	ktest_expect("stream/close_endpoint",
		     rt_syscall2(SYS_HANDLE_CLOSE, ep[1], 0), 0);
	rt_queue_enter(&pq, 0, 1, 1000000000);
	ktest_check("stream/waiting_recv_sees_peer_closed",
		    rt_queue_reap(&pq, &cqe) && cqe.context == 901 &&
			    cqe.result == -ERR_PEER_CLOSED,
		    "not told");
	ktest_expect("stream/send_to_closed_peer",
		     send(ep[0], c1, "x", 1, 0, 0), -ERR_PEER_CLOSED);
	ktest_expect("stream/recv_from_closed_peer",
		     recv(ep[0], c1, buf, sizeof(buf), 0, 0), -ERR_PEER_CLOSED);
	rt_printf("stream_test: %d failed", ktest_failures());
	return ktest_failures();
}
