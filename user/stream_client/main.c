/*
 * Stream client for the cross-process stream self-test (the server is
 * stream_echo, in another process): many conversations in flight on one
 * stream, each reply found by its conversation id; a memory object
 * handed to the server and written by it; credentials. KTEST lines.
 */
#include <keel/handle.h>
#include <keel/stream.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>

#define IN_FLIGHT 8

int main(uint64_t endpoint);

int main(uint64_t endpoint)
{
	static char msgs[IN_FLIGHT][16];
	static char replies[IN_FLIGHT][16];
	uint64_t convs[IN_FLIGHT];
	struct stream_recv_info infos[IN_FLIGHT];
	struct rt_queue q;
	struct queue_cqe cqe;
	bool ok = true;
	int got = 0;

	if (rt_queue_create(&q, 32, 32) != ERR_OK) {
		return 10;
	}
	/* Open eight conversations, then post the eight receives. */
	for (int i = 0; i < IN_FLIGHT; i++) {
		for (int j = 0; j < 15; j++) {
			msgs[i][j] = (char)('a' + (i + j) % 26);
		}
		msgs[i][15] = (char)i;
		ok &= rt_stream_send(&q, (uint32_t)endpoint, 0, msgs[i], 16, 0,
				     &cqe) == 16;
		convs[i] = cqe.value;
	}
	ktest_check("stream/xproc_open_conversations", ok, "send failed");
	for (int i = IN_FLIGHT - 1; i >= 0; i--) { /* in reverse order */
		struct queue_sqe *sqe = rt_queue_sqe(&q);

		sqe->op = QUEUE_OP_STREAM_RECV;
		sqe->handle = (uint32_t)endpoint;
		sqe->context = (uint64_t)i;
		sqe->arg[0] = convs[i];
		sqe->arg[1] = (uint64_t)replies[i];
		sqe->arg[2] = 16;
		sqe->arg[3] = (uint64_t)&infos[i];
	}
	rt_queue_commit(&q);
	rt_queue_enter(&q, IN_FLIGHT, 0, 0);
	while (got < IN_FLIGHT) {
		if (rt_queue_enter(&q, 0, 1, 5000000000ul) < 0) {
			break;
		}
		while (rt_queue_reap(&q, &cqe)) {
			int i = (int)cqe.context;

			ok &= cqe.result == 16 && cqe.value == convs[i] &&
			      infos[i].conversation == convs[i];
			for (int j = 0; j < 16; j++) {
				ok &= replies[i][j] == msgs[i][15 - j];
			}
			got++;
		}
	}
	ktest_expect("stream/xproc_replies", got, IN_FLIGHT);
	ktest_check("stream/xproc_replies_match_conversations", ok,
		    "a reply landed in the wrong conversation");
	ktest_check("stream/xproc_credentials",
		    infos[0].sender_process != 0 &&
			    infos[0].sender_process == infos[1].sender_process,
		    "no sender id");

	/* Hand a memory object over; the server writes into it. */
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 4096, 0);
	int64_t addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, 4096, 0,
				   VM_READ);
	char word[4] = "map";
	char back[4];

	ktest_expect("stream/xproc_send_handle",
		     rt_stream_send(&q, (uint32_t)endpoint, 0, word, 4,
				    (uint32_t)mem, &cqe),
		     4);
	ktest_expect("stream/xproc_handle_left_sender",
		     rt_syscall2(SYS_HANDLE_INFO, (uint64_t)mem, 0),
		     -ERR_BAD_HANDLE);
	ktest_expect("stream/xproc_reply_after_handle",
		     rt_stream_recv(&q, (uint32_t)endpoint, cqe.value, back, 4,
				    0, &cqe),
		     4);
	ktest_expect("stream/xproc_server_wrote_shared_memory",
		     (int64_t)*(volatile uint64_t *)addr, 0x5ee5ee5ee5l);

	/* 32 KiB each way: the server waits in its receive, so the request
	 * is copied straight into its address space; the reply likewise
	 * into ours when our receive is there first. */
	static char big[32768], big_back[32768];
	bool same = true;

	for (size_t i = 0; i < sizeof(big); i++) {
		big[i] = (char)(i * 13 + 5);
	}
	ktest_expect("stream/xproc_large_send",
		     rt_stream_send(&q, (uint32_t)endpoint, 0, big, sizeof(big),
				    0, &cqe),
		     (int64_t)sizeof(big));
	ktest_expect("stream/xproc_large_reply",
		     rt_stream_recv(&q, (uint32_t)endpoint, cqe.value, big_back,
				    sizeof(big_back), 0, &cqe),
		     (int64_t)sizeof(big));
	for (size_t i = 0; i < sizeof(big); i++) {
		same &= big_back[i] == big[sizeof(big) - 1 - i];
	}
	ktest_check("stream/xproc_large_reply_bytes", same, "wrong bytes");
	rt_printf("stream_client: %d failed", ktest_failures());
	return ktest_failures();
}
