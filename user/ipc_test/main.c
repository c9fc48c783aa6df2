/*
 * In-guest tests of the fast IPC paths (issue #3): wide queues and
 * inline payloads at the size boundary, QUEUE_SQE_SKIP_SUCCESS, messages
 * copied straight to a waiting receive or from a waiting send, sends
 * that wait for room (cancelled, peer closed, own end closed, sender
 * gone), the hand-off between threads that ping-pong (several pairs at
 * once, so on -smp 4 across CPUs), cancellation racing delivery, and
 * supervision through a wide queue with QUEUE_OP_THREAD_RESUME. Threads
 * of this process play both sides; a supervised copy of it (fork) plays
 * the Linux program. KTEST lines.
 */
#include <base/string.h>
#include <keel/handle.h>
#include <keel/stream.h>
#include <keel/supervise.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>

#define KERNEL_ADDR 0xffffffff80100000ul
#define PAGE 4096ul
#define STACK_SIZE (64 * 1024ul)
#define MAX_THREADS 12
#define SEC 1000000000ul

int main(void);

/* Threads: each runs fn(ctx) on a stack of its own, then ends. */
struct thread_start {
	void (*fn)(void *ctx);
	void *ctx;
};

static struct thread_start starts[MAX_THREADS];
static unsigned nstarts;
static uint64_t stacks;

void thread_main(struct thread_start *s);
void thread_main(struct thread_start *s)
{
	s->fn(s->ctx);
	rt_thread_exit(0);
}

__asm__(".text\n"
	"thread_entry:\n"
	"	call thread_main\n"
	"	ud2\n");
void thread_entry(void);

static bool spawn(void (*fn)(void *ctx), void *ctx)
{
	struct thread_start *s;

	if (nstarts == MAX_THREADS) {
		return false;
	}
	s = &starts[nstarts];
	s->fn = fn;
	s->ctx = ctx;
	return rt_syscall6(SYS_THREAD_CREATE, 0, (uint64_t)thread_entry,
			   stacks + ++nstarts * STACK_SIZE - 8, (uint64_t)s, 0,
			   0) > 0;
}

/* A flag another thread sets when done; waited for with a futex. */
static void flag_set(volatile uint32_t *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
	rt_syscall2(SYS_FUTEX_WAKE, (uint64_t)flag, 1);
}

static void flag_wait(volatile uint32_t *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		rt_syscall6(SYS_FUTEX_WAIT, (uint64_t)flag, 0, SEC, 0, 0, 0);
	}
}

static struct queue_sqe *sqe_of(struct rt_queue *q, uint32_t op,
				uint32_t flags, uint32_t handle,
				uint64_t context)
{
	struct queue_sqe *sqe = rt_queue_sqe(q);

	sqe->op = op;
	sqe->flags = flags;
	sqe->handle = handle;
	sqe->context = context;
	return sqe;
}

static struct queue_sqe *send_sqe(struct rt_queue *q, uint32_t ep,
				  uint64_t conv, const void *buf, size_t len,
				  uint64_t context)
{
	struct queue_sqe *sqe =
		sqe_of(q, QUEUE_OP_STREAM_SEND, 0, ep, context);

	sqe->arg[0] = conv;
	sqe->arg[1] = (uint64_t)buf;
	sqe->arg[2] = len;
	return sqe;
}

static struct queue_sqe *recv_sqe(struct rt_queue *q, uint32_t ep,
				  uint64_t conv, void *buf, size_t cap,
				  uint64_t context)
{
	struct queue_sqe *sqe =
		sqe_of(q, QUEUE_OP_STREAM_RECV, 0, ep, context);

	sqe->arg[0] = conv;
	sqe->arg[1] = (uint64_t)buf;
	sqe->arg[2] = cap;
	return sqe;
}

/* Submits what was prepared, waits for @min completions (5 s at most). */
static int64_t submit(struct rt_queue *q, uint32_t min)
{
	uint32_t n = rt_queue_commit(q);

	return rt_queue_enter(q, n, min, 5 * SEC);
}

/* The next completion, its inline payload (if any, at most @cap bytes)
 * into @data. */
static bool reap_data(struct rt_queue *q, struct queue_cqe *cqe, void *data,
		      uint32_t cap)
{
	return rt_queue_reap_data(q, cqe, data, cap);
}

static bool reap(struct rt_queue *q, struct queue_cqe *cqe, void *unused)
{
	return rt_queue_reap(q, cqe);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(i * 7 + seed);
	}
}

static bool filled(const uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)(i * 7 + seed)) {
			return false;
		}
	}
	return true;
}

static uint32_t new_stream(uint32_t ep[2])
{
	return rt_syscall2(SYS_STREAM_CREATE, (uint64_t)ep, 0) == 0;
}

static void close_handle(uint64_t h)
{
	rt_syscall2(SYS_HANDLE_CLOSE, h, 0);
}

/* --- queues: flags, wide entries, skipped completions --- */

static void test_queue_flags(void)
{
	struct rt_queue narrow, wide, q;
	struct queue_cqe cqe;
	uint64_t addr;
	uint32_t ep[2];

	ktest_expect("ipc/queue_create_bad_flags",
		     rt_syscall6(SYS_QUEUE_CREATE, 4, 4, (uint64_t)&addr, 0x80,
				 0, 0),
		     -ERR_INVALID);
	rt_queue_create(&narrow, 4, 4);
	ktest_expect("ipc/queue_narrow_entry_size", narrow.cq_entry_size, 32);
	ktest_expect("ipc/queue_wide_create",
		     rt_queue_create_flags(&wide, 8, 8, QUEUE_CREATE_WIDE),
		     ERR_OK);
	ktest_expect("ipc/queue_wide_entry_size", wide.header->cq_entry_size,
		     128);

	/* SKIP_SUCCESS: a success posts nothing, an error still does. */
	q = wide;
	sqe_of(&q, QUEUE_OP_NOP, QUEUE_SQE_SKIP_SUCCESS, 0, 1)->arg[0] = 5;
	ktest_expect("ipc/skip_success_consumed", submit(&q, 0), 1);
	ktest_expect("ipc/skip_success_no_completion", rt_queue_ready(&q), 0);
	send_sqe(&q, 0x777, 0, "x", 1, 2)->flags = QUEUE_SQE_SKIP_SUCCESS;
	submit(&q, 1);
	ktest_check("ipc/skip_success_error_posted",
		    reap(&q, &cqe, 0) && cqe.context == 2 &&
			    cqe.result == -ERR_BAD_HANDLE,
		    "no error completion");
	/* A pending op with SKIP_SUCCESS: nothing when it succeeds, its
	 * error when cancelled. */
	new_stream(ep);
	char buf[16];
	recv_sqe(&q, ep[1], 0, buf, sizeof(buf), 3)->flags =
		QUEUE_SQE_SKIP_SUCCESS;
	submit(&q, 0);
	send_sqe(&q, ep[0], 0, "abc", 3, 4)->flags = QUEUE_SQE_SKIP_SUCCESS;
	submit(&q, 0);
	ktest_check("ipc/skip_success_pending_op_silent",
		    rt_queue_ready(&q) == 0 && buf[0] == 0,
		    "a completion was posted, or bytes went to the buffer");
	recv_sqe(&q, ep[1], 0, buf, sizeof(buf), 5)->flags =
		QUEUE_SQE_SKIP_SUCCESS;
	submit(&q, 0);
	sqe_of(&q, QUEUE_OP_CANCEL, QUEUE_SQE_SKIP_SUCCESS, 0, 6)->arg[0] = 5;
	submit(&q, 1);
	ktest_check("ipc/skip_success_cancelled_posted",
		    reap(&q, &cqe, 0) && cqe.context == 5 &&
			    cqe.result == -ERR_CANCELLED,
		    "no cancellation completion");
	ktest_expect("ipc/skip_success_cancel_itself_silent",
		     rt_queue_ready(&q), 0);
	close_handle(ep[0]);
	close_handle(ep[1]);
	close_handle(narrow.handle);
	close_handle(wide.handle);
}

/* --- inline payloads at the boundary, both orders, narrow queues --- */

static void inline_case(const char *name, struct rt_queue *q, uint32_t ep[2],
			size_t len, bool recv_first)
{
	static uint8_t msg[4096], buf[4096];
	uint8_t data[QUEUE_INLINE_MAX];
	struct queue_cqe cqe = { 0 };
	bool wide = q->cq_entry_size == 128;
	bool expect_inline = wide && len <= QUEUE_INLINE_MAX;
	bool ok;

	fill(msg, len, (unsigned)len);
	memset(buf, 0xaa, sizeof(buf));
	memset(data, 0, sizeof(data));
	if (recv_first) {
		recv_sqe(q, ep[1], 0, buf, sizeof(buf), 1);
		submit(q, 0);
		send_sqe(q, ep[0], 0, msg, len, 2)->flags =
			QUEUE_SQE_SKIP_SUCCESS;
		submit(q, 1);
	} else {
		send_sqe(q, ep[0], 0, msg, len, 2)->flags =
			QUEUE_SQE_SKIP_SUCCESS;
		recv_sqe(q, ep[1], 0, buf, sizeof(buf), 1);
		submit(q, 1);
	}
	ok = reap_data(q, &cqe, data, sizeof(data)) && cqe.context == 1 &&
	     cqe.result == (int64_t)len;
	if (expect_inline) {
		ok &= (cqe.flags & QUEUE_CQE_INLINE) &&
		      filled(data, len, len) && buf[0] == 0xaa;
	} else {
		ok &= !(cqe.flags & QUEUE_CQE_INLINE) && filled(buf, len, len);
	}
	ktest_check(name, ok, expect_inline ? "not inline, or wrong bytes"
					    : "inline, or wrong bytes");
}

static void test_inline(void)
{
	static const size_t sizes[] = { 0, 1, 95, 96, 97, 4096 };
	static const char *const names[2][2][6] = {
		{ { "ipc/narrow_queued_0", "ipc/narrow_queued_1",
		    "ipc/narrow_queued_95", "ipc/narrow_queued_96",
		    "ipc/narrow_queued_97", "ipc/narrow_queued_4096" },
		  { "ipc/narrow_direct_0", "ipc/narrow_direct_1",
		    "ipc/narrow_direct_95", "ipc/narrow_direct_96",
		    "ipc/narrow_direct_97", "ipc/narrow_direct_4096" } },
		{ { "ipc/inline_queued_0", "ipc/inline_queued_1",
		    "ipc/inline_queued_95", "ipc/inline_queued_96",
		    "ipc/inline_queued_97", "ipc/inline_queued_4096" },
		  { "ipc/inline_direct_0", "ipc/inline_direct_1",
		    "ipc/inline_direct_95", "ipc/inline_direct_96",
		    "ipc/inline_direct_97", "ipc/inline_direct_4096" } },
	};
	struct rt_queue q[2];
	uint32_t ep[2];

	rt_queue_create(&q[0], 8, 8);
	rt_queue_create_flags(&q[1], 8, 8, QUEUE_CREATE_WIDE);
	new_stream(ep);
	for (int w = 0; w < 2; w++) {
		for (int first = 0; first < 2; first++) {
			for (int i = 0; i < 6; i++) {
				inline_case(names[w][first][i], &q[w], ep,
					    sizes[i], first);
			}
		}
	}
	close_handle(ep[0]);
	close_handle(ep[1]);
	close_handle(q[0].handle);
	close_handle(q[1].handle);
}

/* --- multishot receives --- */

static struct queue_sqe *arm(struct rt_queue *q, uint32_t ep, uint64_t conv,
			     uint64_t context)
{
	struct queue_sqe *sqe = recv_sqe(q, ep, conv, 0, QUEUE_INLINE_MAX,
					 context);

	sqe->flags = QUEUE_SQE_MULTISHOT;
	return sqe;
}

static void test_multishot_recv(void)
{
	struct rt_queue q, sq, narrow;
	struct queue_cqe cqe;
	uint8_t data[QUEUE_INLINE_MAX];
	static uint8_t big[200];
	uint32_t ep[2];
	uint64_t conv;
	bool ok = true;

	rt_queue_create_flags(&q, 8, 4, QUEUE_CREATE_WIDE);
	rt_queue_create_flags(&sq, 8, 8, QUEUE_CREATE_WIDE);
	rt_queue_create(&narrow, 4, 4);
	new_stream(ep);

	/* Refused: a narrow queue, with SKIP_SUCCESS, with an info
	 * pointer, on an op that has no multishot form. */
	arm(&narrow, ep[1], 0, 1);
	submit(&narrow, 1);
	ktest_check("ipc/multishot_narrow_queue",
		    reap(&narrow, &cqe, 0) && cqe.result == -ERR_INVALID,
		    "accepted");
	arm(&q, ep[1], 0, 1)->flags |= QUEUE_SQE_SKIP_SUCCESS;
	submit(&q, 1);
	ktest_check("ipc/multishot_with_skip_success",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_INVALID,
		    "accepted");
	arm(&q, ep[1], 0, 1)->arg[3] = (uint64_t)data;
	submit(&q, 1);
	ktest_check("ipc/multishot_with_info",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_INVALID,
		    "accepted");
	sqe_of(&q, QUEUE_OP_NOP, QUEUE_SQE_MULTISHOT, 0, 1);
	submit(&q, 1);
	ktest_check("ipc/multishot_nop",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_INVALID,
		    "accepted");

	/* Two messages before it is armed, two after: four completions,
	 * each inline and with MORE, in order. */
	send_sqe(&sq, ep[0], 0, "m0", 2, 1);
	submit(&sq, 1);
	reap(&sq, &cqe, 0);
	conv = cqe.value;
	send_sqe(&sq, ep[0], conv, "m1", 2, 1)->flags = QUEUE_SQE_SKIP_SUCCESS;
	submit(&sq, 0);
	recv_sqe(&q, ep[1], 0, data, sizeof(data), 9); /* the opening one */
	submit(&q, 1);
	reap(&q, &cqe, 0);
	arm(&q, ep[1], conv, 10);
	submit(&q, 1);
	for (int i = 2; i < 4; i++) {
		char m[2] = { 'm', (char)('0' + i) };

		send_sqe(&sq, ep[0], conv, m, 2, 1)->flags =
			QUEUE_SQE_SKIP_SUCCESS;
		submit(&sq, 0);
	}
	rt_queue_enter(&q, 0, 3, 5 * SEC);
	for (int i = 1; i < 4; i++) {
		ok &= reap_data(&q, &cqe, data, sizeof(data)) &&
		      cqe.context == 10 && cqe.result == 2 &&
		      (cqe.flags & QUEUE_CQE_MORE) &&
		      (cqe.flags & QUEUE_CQE_INLINE) && data[1] == '0' + i;
	}
	ktest_check("ipc/multishot_each_message", ok,
		    "missing, wrong or out of order");

	/* A message it cannot take inline ends it (ERR_TOO_BIG, no MORE);
	 * the message waits for an ordinary receive. */
	fill(big, sizeof(big), 5);
	send_sqe(&sq, ep[0], conv, big, sizeof(big), 1)->flags =
		QUEUE_SQE_SKIP_SUCCESS;
	submit(&sq, 0);
	submit(&q, 1);
	ktest_check("ipc/multishot_ends_on_large_message",
		    reap(&q, &cqe, 0) && cqe.context == 10 &&
			    cqe.result == -ERR_TOO_BIG && cqe.value == 200 &&
			    !(cqe.flags & QUEUE_CQE_MORE),
		    "not ended");
	static uint8_t back[256];
	recv_sqe(&q, ep[1], conv, back, sizeof(back), 11);
	submit(&q, 1);
	ktest_check("ipc/multishot_large_message_kept",
		    reap(&q, &cqe, 0) && cqe.result == 200 &&
			    filled(back, 200, 5),
		    "the message was lost");

	/* A full ring ends it with the completion that did not fit, kept
	 * in the kernel until there is room (4 slots here). */
	arm(&q, ep[1], conv, 12);
	submit(&q, 0);
	for (int i = 0; i < 6; i++) {
		char m[2] = { 'f', (char)('0' + i) };

		send_sqe(&sq, ep[0], conv, m, 2, 1)->flags =
			QUEUE_SQE_SKIP_SUCCESS;
		submit(&sq, 0);
	}
	ok = true;
	int more = 0, last = -1;
	for (int i = 0; i < 5; i++) {
		rt_queue_enter(&q, 0, 1, 5 * SEC);
		if (!reap_data(&q, &cqe, data, sizeof(data)) ||
		    cqe.context != 12 || cqe.result != 2 ||
		    data[1] != '0' + i) {
			ok = false;
			break;
		}
		if (cqe.flags & QUEUE_CQE_MORE) {
			more++;
		} else {
			last = i;
			break;
		}
	}
	ktest_check("ipc/multishot_full_ring_ends_it",
		    ok && more == 4 && last == 4 && rt_queue_ready(&q) == 0,
		    "wrong completions around the full ring");
	recv_sqe(&q, ep[1], conv, data, sizeof(data), 13);
	submit(&q, 1);
	ktest_check("ipc/multishot_after_end_message_waits",
		    reap_data(&q, &cqe, data, sizeof(data)) &&
			    cqe.result == 2 && data[1] == '5',
		    "the next message was lost");

	/* Cancelled: its last completion, then nothing. */
	arm(&q, ep[1], conv, 14);
	submit(&q, 0);
	sqe_of(&q, QUEUE_OP_CANCEL, QUEUE_SQE_SKIP_SUCCESS, 0, 15)->arg[0] = 14;
	submit(&q, 1);
	ktest_check("ipc/multishot_cancelled",
		    reap(&q, &cqe, 0) && cqe.context == 14 &&
			    cqe.result == -ERR_CANCELLED &&
			    !(cqe.flags & QUEUE_CQE_MORE),
		    "not cancelled");
	send_sqe(&sq, ep[0], conv, "zz", 2, 1)->flags = QUEUE_SQE_SKIP_SUCCESS;
	submit(&sq, 0);
	rt_queue_enter(&q, 0, 1, SEC / 20);
	ktest_expect("ipc/multishot_cancelled_gets_nothing", rt_queue_ready(&q),
		     0);

	/* The peer closes: its last completion says so. */
	arm(&q, ep[1], conv, 16);
	submit(&q, 1); /* "zz" */
	reap(&q, &cqe, 0);
	close_handle(ep[0]);
	submit(&q, 1);
	ktest_check("ipc/multishot_peer_closed",
		    reap(&q, &cqe, 0) && cqe.context == 16 &&
			    cqe.result == -ERR_PEER_CLOSED &&
			    !(cqe.flags & QUEUE_CQE_MORE),
		    "not told");
	close_handle(ep[1]);
	close_handle(q.handle);
	close_handle(sq.handle);
	close_handle(narrow.handle);
}

/* --- copies straight between buffers, and their faults --- */

static void test_direct_copy(void)
{
	static uint8_t msg[STREAM_MSG_MAX], buf[STREAM_MSG_MAX];
	struct rt_queue q;
	struct queue_cqe cqe;
	uint32_t ep[2];
	bool ok;

	rt_queue_create_flags(&q, 8, 8, QUEUE_CREATE_WIDE);
	new_stream(ep);

	/* 64 KiB to a waiting receive, then with nobody waiting. */
	fill(msg, sizeof(msg), 3);
	recv_sqe(&q, ep[1], 0, buf, sizeof(buf), 1);
	submit(&q, 0);
	send_sqe(&q, ep[0], 0, msg, sizeof(msg), 2);
	submit(&q, 2);
	ok = reap(&q, &cqe, 0) && reap(&q, &cqe, 0);
	ktest_check("ipc/direct_64k_to_waiting_recv",
		    ok && filled(buf, sizeof(buf), 3), "wrong bytes");
	memset(buf, 0, sizeof(buf));
	fill(msg, sizeof(msg), 4);
	send_sqe(&q, ep[0], 0, msg, sizeof(msg), 3);
	recv_sqe(&q, ep[1], 0, buf, sizeof(buf), 4);
	submit(&q, 2);
	ok = reap(&q, &cqe, 0) && reap(&q, &cqe, 0);
	ktest_check("ipc/queued_64k", ok && filled(buf, sizeof(buf), 4),
		    "wrong bytes");

	/* A sender buffer with a hole: the send fails, the waiting
	 * receive stays and takes the next message. */
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 2 * PAGE, 0);
	int64_t two = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, 2 * PAGE, 0,
				  VM_READ | VM_WRITE);
	rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)two + PAGE, PAGE, 0, 0, 0);
	recv_sqe(&q, ep[1], 0, buf, sizeof(buf), 5);
	submit(&q, 0);
	send_sqe(&q, ep[0], 0, (void *)two, PAGE + 512, 6);
	submit(&q, 1);
	ktest_check("ipc/direct_sender_hole_fails",
		    reap(&q, &cqe, 0) && cqe.context == 6 &&
			    cqe.result == -ERR_FAULT,
		    "send did not fail");
	ktest_expect("ipc/direct_sender_hole_recv_still_waits",
		     rt_queue_ready(&q), 0);
	fill(msg, 300, 9);
	send_sqe(&q, ep[0], 0, msg, 300, 7)->flags = QUEUE_SQE_SKIP_SUCCESS;
	submit(&q, 1);
	ktest_check("ipc/direct_sender_hole_next_message",
		    reap(&q, &cqe, 0) && cqe.context == 5 &&
			    cqe.result == 300 && filled(buf, 300, 9),
		    "the waiting receive did not get the next message");

	/* A receive buffer that cannot be written: the receive fails, the
	 * sender is not blamed. */
	int64_t ro = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, PAGE, 0,
				 VM_READ);
	recv_sqe(&q, ep[1], 0, (void *)ro, PAGE, 8);
	submit(&q, 0);
	send_sqe(&q, ep[0], 0, msg, 1000, 9);
	submit(&q, 2);
	ok = reap(&q, &cqe, 0);
	ok &= (cqe.context == 8 && cqe.result == -ERR_FAULT) ||
	      (cqe.context == 9 && cqe.result == 1000);
	ok &= reap(&q, &cqe, 0);
	ok &= (cqe.context == 8 && cqe.result == -ERR_FAULT) ||
	      (cqe.context == 9 && cqe.result == 1000);
	ktest_check("ipc/direct_receiver_fault", ok,
		    "wrong results for a read-only receive buffer");
	/* Kernel and unmapped pointers, each side. */
	send_sqe(&q, ep[0], 0, (void *)KERNEL_ADDR, 200, 10);
	submit(&q, 1);
	ktest_check("ipc/send_kernel_buffer_large",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_FAULT, "accepted");
	recv_sqe(&q, ep[1], 0, (void *)KERNEL_ADDR, 200, 11);
	submit(&q, 1);
	ktest_check("ipc/recv_kernel_buffer",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_FAULT, "accepted");
	send_sqe(&q, ep[0], 0, msg, 4, 12)->arg[4] = 0x2;
	submit(&q, 1);
	ktest_check("ipc/send_bad_flags",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_INVALID,
		    "accepted");
	close_handle(ep[0]);
	close_handle(ep[1]);
	close_handle(q.handle);
	close_handle((uint64_t)mem);
}

/* --- sends that wait for room --- */

struct waiting_send {
	uint32_t ep;
	uint64_t conv;
	size_t len;
	unsigned seed;
	int64_t result;
	volatile uint32_t submitted, done;
	bool exit_early;	/* end the thread once the send is submitted */
	uint8_t buf[8192];
};

/* Sends @w->len bytes and waits for the send to complete (unless
 * exit_early: then it ends while the send still waits). */
static void waiting_sender(void *ctx)
{
	struct waiting_send *w = ctx;
	struct rt_queue q;
	struct queue_cqe cqe;

	rt_queue_create(&q, 4, 4);
	fill(w->buf, w->len, w->seed);
	send_sqe(&q, w->ep, w->conv, w->buf, w->len, 1);
	rt_queue_enter(&q, rt_queue_commit(&q), 0, 0);
	flag_set(&w->submitted);
	if (w->exit_early) {
		return; /* the queue stays: its handle is the process's */
	}
	w->result = rt_queue_enter(&q, 0, 1, 10 * SEC) < 0 || !reap(&q, &cqe, 0)
			    ? -1000
			    : cqe.result;
	close_handle(q.handle);
	flag_set(&w->done);
}

/* Fills @ep's peer inbox to STREAM_QUEUE_MAX bytes exactly with NOWAIT
 * sends (64 KiB ones, then smaller); returns how many messages it took,
 * -1 on an unexpected error. */
static int fill_inbox(struct rt_queue *q, uint32_t ep, uint64_t conv)
{
	static uint8_t big[STREAM_MSG_MAX];
	static const size_t sizes[] = { STREAM_MSG_MAX, 4096, 256, 16, 1 };
	struct queue_cqe cqe = { 0 };
	int n = 0;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]);) {
		send_sqe(q, ep, conv, big, sizes[i], 1)->arg[4] =
			STREAM_SEND_NOWAIT;
		submit(q, 1);
		if (!reap(q, &cqe, 0)) {
			return -1;
		}
		if (cqe.result == -ERR_WOULD_BLOCK) {
			i++;
		} else if (cqe.result == (int64_t)sizes[i]) {
			n++;
		} else {
			return -1;
		}
	}
	return n;
}

static struct waiting_send ws[4];

static void test_waiting_sends(void)
{
	static uint8_t buf[STREAM_MSG_MAX];
	struct rt_queue q;
	struct queue_cqe cqe;
	uint32_t ep[2];
	uint64_t conv;
	int n;
	bool ok = true;

	rt_queue_create(&q, 8, 8);
	new_stream(ep);
	send_sqe(&q, ep[0], 0, "open", 4, 1);
	submit(&q, 1);
	reap(&q, &cqe, 0);
	conv = cqe.value;
	n = fill_inbox(&q, ep[0], conv);
	ktest_check("ipc/inbox_full_nowait", n > 0, "could not fill it");

	/* A send that finds no room waits; a receive takes the queued
	 * messages first, then its bytes, straight from its buffer. */
	ws[0] = (struct waiting_send){ .ep = ep[0], .conv = conv,
				       .len = 5000, .seed = 11 };
	spawn(waiting_sender, &ws[0]);
	flag_wait(&ws[0].submitted);
	ktest_expect("ipc/waiting_send_pending", ws[0].done, 0);
	recv_sqe(&q, ep[1], 0, buf, sizeof(buf), 2); /* the opening one */
	submit(&q, 1);
	ok &= reap(&q, &cqe, 0) && cqe.result == 4;
	for (int i = 0; i < n; i++) {
		recv_sqe(&q, ep[1], conv, buf, sizeof(buf), 3);
		submit(&q, 1);
		ok &= reap(&q, &cqe, 0) && cqe.result > 0;
	}
	ktest_check("ipc/waiting_send_queued_first", ok && !ws[0].done,
		    "order broken, or the send completed early");
	recv_sqe(&q, ep[1], conv, buf, sizeof(buf), 4);
	submit(&q, 1);
	ktest_check("ipc/waiting_send_received",
		    reap(&q, &cqe, 0) && cqe.result == 5000 &&
			    filled(buf, 5000, 11),
		    "wrong bytes");
	flag_wait(&ws[0].done);
	ktest_expect("ipc/waiting_send_completes", ws[0].result, 5000);

	/* Cancelled while it waits: never delivered. */
	n = fill_inbox(&q, ep[0], conv);
	send_sqe(&q, ep[0], conv, buf, 64, 5);
	submit(&q, 0);
	ktest_expect("ipc/waiting_send_cancel_pending", rt_queue_ready(&q), 0);
	sqe_of(&q, QUEUE_OP_CANCEL, 0, 0, 6)->arg[0] = 5;
	submit(&q, 2);
	ok = true;
	for (int i = 0; i < 2; i++) {
		ok &= reap(&q, &cqe, 0) &&
		      ((cqe.context == 5 && cqe.result == -ERR_CANCELLED) ||
		       (cqe.context == 6 && cqe.result == 0));
	}
	ktest_check("ipc/waiting_send_cancelled", ok, "not cancelled");
	for (int i = 0; i < n; i++) {
		recv_sqe(&q, ep[1], conv, buf, sizeof(buf), 7);
		submit(&q, 1);
		reap(&q, &cqe, 0);
	}
	send_sqe(&q, ep[0], conv, "after", 5, 8)->flags =
		QUEUE_SQE_SKIP_SUCCESS;
	recv_sqe(&q, ep[1], conv, buf, sizeof(buf), 9);
	submit(&q, 1);
	ktest_check("ipc/waiting_send_cancelled_never_arrives",
		    reap(&q, &cqe, 0) && cqe.result == 5 && buf[0] == 'a',
		    "the cancelled message arrived");

	/* The sender thread ends while its send waits: the bytes are still
	 * in the process and arrive. */
	n = fill_inbox(&q, ep[0], conv);
	ws[1] = (struct waiting_send){ .ep = ep[0], .conv = conv, .len = 700,
				       .seed = 12, .exit_early = true };
	spawn(waiting_sender, &ws[1]);
	flag_wait(&ws[1].submitted);
	for (int i = 0; i < n; i++) {
		recv_sqe(&q, ep[1], conv, buf, sizeof(buf), 10);
		submit(&q, 1);
		reap(&q, &cqe, 0);
	}
	recv_sqe(&q, ep[1], conv, buf, sizeof(buf), 11);
	submit(&q, 1);
	ktest_check("ipc/waiting_send_sender_thread_gone",
		    reap(&q, &cqe, 0) && cqe.result == 700 &&
			    filled(buf, 700, 12),
		    "wrong bytes");

	/* The receiving end closes while a send waits: ERR_PEER_CLOSED. */
	n = fill_inbox(&q, ep[0], conv);
	ws[2] = (struct waiting_send){ .ep = ep[0], .conv = conv, .len = 100,
				       .seed = 13 };
	spawn(waiting_sender, &ws[2]);
	flag_wait(&ws[2].submitted);
	close_handle(ep[1]);
	flag_wait(&ws[2].done);
	ktest_expect("ipc/waiting_send_peer_closed", ws[2].result,
		     -ERR_PEER_CLOSED);
	close_handle(ep[0]);

	/* The sending end closes while its send waits: ERR_CANCELLED. */
	new_stream(ep);
	send_sqe(&q, ep[0], 0, "open", 4, 1);
	submit(&q, 1);
	reap(&q, &cqe, 0);
	conv = cqe.value;
	fill_inbox(&q, ep[0], conv);
	ws[3] = (struct waiting_send){ .ep = ep[0], .conv = conv, .len = 100,
				       .seed = 14 };
	spawn(waiting_sender, &ws[3]);
	flag_wait(&ws[3].submitted);
	close_handle(ep[0]);
	flag_wait(&ws[3].done);
	ktest_expect("ipc/waiting_send_own_end_closed", ws[3].result,
		     -ERR_CANCELLED);
	close_handle(ep[1]);
	close_handle(q.handle);
}

/* Two receives too small for the message a send brings while the
 * peer's inbox is full: the send meets them in two rounds (the second
 * after making its waiting request); both must end with ERR_TOO_BIG
 * (the first one was once forgotten). */
static void test_too_small_receivers(void)
{
	static uint8_t msg[100];
	struct rt_queue q, pq;
	struct queue_cqe cqe;
	uint32_t ep[2];
	uint64_t conv;
	char tiny[2];
	int too_big = 0;

	rt_queue_create(&q, 8, 8);
	rt_queue_create(&pq, 8, 8);
	new_stream(ep);
	send_sqe(&q, ep[0], 0, "open", 4, 1);
	recv_sqe(&q, ep[1], 0, msg, sizeof(msg), 2);
	submit(&q, 2);
	reap(&q, &cqe, 0);
	reap(&q, &cqe, 0);
	conv = cqe.value;
	fill_inbox(&q, ep[0], conv); /* no opening message among them */
	recv_sqe(&pq, ep[1], 0, tiny, 1, 3);
	recv_sqe(&pq, ep[1], 0, tiny, 1, 4);
	submit(&pq, 0);
	send_sqe(&q, ep[0], 0, msg, sizeof(msg), 5); /* opens one: waits */
	submit(&q, 0);
	rt_queue_enter(&pq, 0, 2, 2 * SEC);
	while (reap(&pq, &cqe, 0)) {
		too_big += cqe.result == -ERR_TOO_BIG && cqe.value == 100;
	}
	ktest_expect("ipc/too_small_receives_all_told", too_big, 2);
	sqe_of(&q, QUEUE_OP_CANCEL, 0, 0, 6)->arg[0] = 5;
	submit(&q, 2);
	close_handle(ep[0]);
	close_handle(ep[1]);
	close_handle(q.handle);
	close_handle(pq.handle);
}

/* A stream's other endpoint (its only handle) sent over the stream
 * itself: its last-handle close runs once the stream's lock is dropped
 * (it used to run under it and hang the CPU). Queued, and waiting. */
static void test_transfer_peer_endpoint(void)
{
	struct rt_queue q;
	struct queue_cqe cqe;
	uint32_t ep[2];
	uint64_t conv;

	rt_queue_create(&q, 8, 8);
	new_stream(ep);
	send_sqe(&q, ep[0], 0, "peer", 4, 1)->arg[3] = ep[1];
	submit(&q, 1);
	ktest_check("ipc/send_peer_endpoint_queued",
		    reap(&q, &cqe, 0) && cqe.result == 4, "send failed");
	send_sqe(&q, ep[0], 0, "more", 4, 2);
	submit(&q, 1);
	ktest_check("ipc/send_peer_endpoint_then_closed",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_PEER_CLOSED,
		    "the peer is not closed");
	close_handle(ep[0]);

	new_stream(ep);
	send_sqe(&q, ep[0], 0, "open", 4, 1);
	submit(&q, 1);
	reap(&q, &cqe, 0);
	conv = cqe.value;
	fill_inbox(&q, ep[0], conv);
	send_sqe(&q, ep[0], conv, "peer", 4, 3)->arg[3] = ep[1];
	submit(&q, 1);
	ktest_check("ipc/waiting_send_peer_endpoint",
		    reap(&q, &cqe, 0) && cqe.context == 3 &&
			    cqe.result == -ERR_PEER_CLOSED,
		    "the waiting send was not ended");
	close_handle(ep[0]);
	close_handle(q.handle);
}

/* --- ping-pong with the hand-off, several pairs at once --- */

#define PAIRS 3
#define ROUNDS 3000

struct pair {
	uint32_t ep[2];
	volatile uint32_t server_done, client_done;
	bool ok;
};

static struct pair pairs[PAIRS];

/* Answers each request n with n + 1000000 on its conversation. */
static void pong_server(void *ctx)
{
	struct pair *p = ctx;
	struct rt_queue q;
	struct queue_cqe cqe;
	uint64_t n, conv;

	rt_queue_create_flags(&q, 4, 4, QUEUE_CREATE_WIDE);
	recv_sqe(&q, p->ep[1], 0, 0, 8, 1);
	for (int i = 0; i < ROUNDS; i++) {
		if (submit(&q, 1) < 0 || !reap_data(&q, &cqe, &n, 8) ||
		    cqe.result != 8) {
			p->ok = false;
			break;
		}
		conv = cqe.value;
		n += 1000000;
		send_sqe(&q, p->ep[1], conv, &n, 8, 2)->flags =
			QUEUE_SQE_SKIP_SUCCESS;
		if (i + 1 < ROUNDS) {
			recv_sqe(&q, p->ep[1], conv, 0, 8, 1);
		}
	}
	submit(&q, 0);
	close_handle(q.handle);
	flag_set(&p->server_done);
}

static void ping_client(void *ctx)
{
	struct pair *p = ctx;
	struct rt_queue q;
	struct queue_cqe cqe;
	uint64_t n, reply, conv = 0;

	rt_queue_create_flags(&q, 4, 4, QUEUE_CREATE_WIDE);
	for (uint64_t i = 0; i < ROUNDS && p->ok; i++) {
		n = i;
		send_sqe(&q, p->ep[0], conv, &n, 8, 1)->flags =
			conv ? QUEUE_SQE_SKIP_SUCCESS : 0;
		if (!conv) {
			if (submit(&q, 1) < 0 || !reap(&q, &cqe, 0)) {
				p->ok = false;
				break;
			}
			conv = cqe.value;
		}
		recv_sqe(&q, p->ep[0], conv, 0, 8, 2);
		reply = 0;
		p->ok &= submit(&q, 1) >= 0 && reap_data(&q, &cqe, &reply, 8) &&
			 cqe.context == 2 && cqe.result == 8 &&
			 (cqe.flags & QUEUE_CQE_INLINE) && reply == i + 1000000;
	}
	close_handle(q.handle);
	flag_set(&p->client_done);
}

static void test_ping_pong(void)
{
	bool ok = true;

	for (int i = 0; i < PAIRS; i++) {
		pairs[i] = (struct pair){ .ok = true };
		ok &= new_stream(pairs[i].ep);
		ok &= spawn(pong_server, &pairs[i]);
	}
	for (int i = 0; i < PAIRS; i++) {
		ok &= spawn(ping_client, &pairs[i]);
	}
	for (int i = 0; i < PAIRS; i++) {
		flag_wait(&pairs[i].client_done);
		if (!pairs[i].ok) {
			close_handle(pairs[i].ep[0]); /* frees the server */
		}
		flag_wait(&pairs[i].server_done);
		ok &= pairs[i].ok;
		close_handle(pairs[i].ep[0]);
		close_handle(pairs[i].ep[1]);
	}
	ktest_check("ipc/ping_pong_pairs", ok,
		    "a reply was lost, late or wrong");
}

/* --- cancellation racing delivery --- */

#define RACE_MESSAGES 400

struct race {
	uint32_t ep[2];
	volatile uint32_t done;
};

static struct race race;

static void race_sender(void *ctx)
{
	struct race *r = ctx;
	struct rt_queue q;
	struct queue_cqe cqe;

	rt_queue_create(&q, 4, 4);
	for (uint64_t i = 1; i <= RACE_MESSAGES; i++) {
		send_sqe(&q, r->ep[0], 0, &i, 8, i);
		if (submit(&q, 1) < 0 || !reap(&q, &cqe, 0) ||
		    cqe.result != 8) {
			break;
		}
		if (i % 3 == 0) {
			rt_yield();
		}
	}
	close_handle(q.handle);
	flag_set(&r->done);
}

/* Each receive is cancelled right after it is submitted; each message
 * must come out exactly once: in a receive that was not cancelled, or
 * later from the inbox. */
static void test_cancel_race(void)
{
	static uint8_t seen[RACE_MESSAGES + 1];
	struct rt_queue q;
	struct queue_cqe cqe;
	uint64_t got, expect = 1;
	bool ok = true;
	int received = 0;

	rt_queue_create_flags(&q, 8, 8, QUEUE_CREATE_WIDE);
	race = (struct race){ .done = 0 };
	new_stream(race.ep);
	spawn(race_sender, &race);
	for (uint64_t k = 1; received < RACE_MESSAGES && k < 100000; k++) {
		bool cancelled = false, delivered = false;

		recv_sqe(&q, race.ep[1], 0, 0, 8, 2 * k);
		submit(&q, 0);
		if (k % 2) {
			rt_yield();
		}
		sqe_of(&q, QUEUE_OP_CANCEL, 0, 0, 2 * k + 1)->arg[0] = 2 * k;
		if (submit(&q, 2) < 0) {
			ok = false;
			break;
		}
		for (int i = 0; i < 2; i++) {
			got = 0;
			if (!reap_data(&q, &cqe, &got, 8)) {
				ok = false;
				break;
			}
			if (cqe.context == 2 * k + 1) {
				cancelled = cqe.result == 0;
				ok &= cqe.result == 0 ||
				      cqe.result == -ERR_NOT_FOUND;
			} else if (cqe.result == 8) {
				delivered = true;
				ok &= got == expect && got <= RACE_MESSAGES &&
				      !seen[got];
				if (got >= 1 && got <= RACE_MESSAGES) {
					seen[got] = 1;
				}
				expect++;
				received++;
			} else {
				ok &= cqe.result == -ERR_CANCELLED;
			}
		}
		/* Exactly one of the two won. */
		ok &= cancelled != delivered;
		if (!ok) {
			break;
		}
	}
	flag_wait(&race.done);
	ktest_check("ipc/cancel_racing_delivery",
		    ok && received == RACE_MESSAGES,
		    "a message lost, doubled or out of order");
	close_handle(race.ep[0]);
	close_handle(race.ep[1]);
	close_handle(q.handle);
}

/* --- supervision through a wide queue, resume as a queue op --- */

#define NR_GETPID 39
#define NR_EXIT_GROUP 231
#define NR_DONE 999	/* not Linux: "thread 2 is through" */

static int64_t linux_call(uint64_t nr, uint64_t a0)
{
	int64_t r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a0)
			 : "rcx", "r11", "memory");
	return r;
}

/* The supervised copy's threads make calls whose answers the supervisor
 * computes from the argument, and report whether all were right: thread
 * 1 in the process's exit code, thread 2 in a last call. */
void supervised_thread(uint64_t which);
void supervised_thread(uint64_t which)
{
	bool ok = true;

	for (uint64_t i = 0; i < 20; i++) {
		ok &= linux_call(NR_GETPID, which * 100 + i) ==
		      (int64_t)(which * 100 + i + 1000);
	}
	linux_call(which == 1 ? NR_EXIT_GROUP : NR_DONE, ok ? 0 : 1);
	for (;;) {
	}
}

__asm__(".text\n"
	"supervised_entry:\n"
	"	call supervised_thread\n"
	"	ud2\n");
void supervised_entry(void);

static const struct supervise_event *event_of(const struct queue_cqe *c)
{
	return (const struct supervise_event *)((const struct queue_cqe_wide *)
							c)
		->data;
}

/* Queues the answer @value to thread @tid's call. */
static void answer(struct rt_queue *q, uint32_t copy, uint64_t tid,
		   uint64_t value)
{
	struct queue_sqe *r = sqe_of(q, QUEUE_OP_THREAD_RESUME,
				     QUEUE_SQE_SKIP_SUCCESS, copy, 2);

	r->arg[0] = tid;
	r->arg[1] = THREAD_RESUME_RESULT;
	r->arg[2] = value;
}

/* Thread 1's first call is held unanswered while thread 2 (started only
 * then) makes all of its calls: answering thread 2 must not wake thread
 * 1. Everything through one wide queue, events inline, answers and the
 * next wait in one SYS_QUEUE_ENTER. */
static void test_supervision(void)
{
	struct rt_queue q, narrow;
	const struct queue_cqe *c;
	struct queue_cqe cqe;
	struct supervise_event ev;
	int64_t copy, tid, tid2;
	bool inline_ok = true, args_ok = true, held = false;
	bool held_stopped = false, second_ok = false;
	uint64_t held_arg = 0;
	int exit_code = -1;

	rt_queue_create_flags(&q, 8, 8, QUEUE_CREATE_WIDE);
	rt_queue_create(&narrow, 4, 4);
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, PROCESS_SUPERVISED);
	tid = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
			  (uint64_t)supervised_entry,
			  stacks + (MAX_THREADS + 1) * STACK_SIZE - 8, 1, 0, 0);
	tid2 = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
			   (uint64_t)supervised_entry,
			   stacks + (MAX_THREADS + 2) * STACK_SIZE - 8, 2,
			   THREAD_CREATE_SUSPENDED, 0);
	ktest_check("ipc/supervise_setup", copy > 0 && tid > 0 && tid2 > 0,
		    "fork or thread creation failed");

	/* Hostile uses of the new paths. */
	sqe_of(&narrow, QUEUE_OP_SUPERVISE, 0, (uint32_t)copy, 1)->arg[0] =
		KERNEL_ADDR;
	submit(&narrow, 1);
	ktest_check("ipc/supervise_narrow_kernel_buffer",
		    reap(&narrow, &cqe, 0) && cqe.result == -ERR_FAULT,
		    "accepted");
	sqe_of(&q, QUEUE_OP_THREAD_RESUME, 0, 0x555, 1)->arg[0] = (uint64_t)tid;
	submit(&q, 1);
	ktest_check("ipc/resume_op_bad_handle",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_BAD_HANDLE,
		    "accepted");
	sqe_of(&q, QUEUE_OP_THREAD_RESUME, 0, q.handle, 1)->arg[0] =
		(uint64_t)tid;
	submit(&q, 1);
	ktest_check("ipc/resume_op_wrong_type",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_WRONG_TYPE,
		    "accepted");
	sqe_of(&q, QUEUE_OP_THREAD_RESUME, 0, (uint32_t)copy, 1)->arg[0] =
		99999;
	submit(&q, 1);
	ktest_check("ipc/resume_op_no_such_thread",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_NOT_FOUND,
		    "accepted");
	sqe_of(&q, QUEUE_OP_THREAD_RESUME, 0, (uint32_t)copy, 1)->arg[0] =
		(uint64_t)tid2;
	submit(&q, 1);
	ktest_check("ipc/resume_op_unstarted_thread",
		    reap(&q, &cqe, 0) && cqe.result == -ERR_BUSY, "accepted");

	sqe_of(&q, QUEUE_OP_SUPERVISE, 0, (uint32_t)copy, 1);
	for (int guard = 0; guard < 200; guard++) {
		if (submit(&q, 1) < 0 || !(c = rt_queue_peek(&q)) ||
		    c->result < 0) {
			break;
		}
		inline_ok &= (c->flags & QUEUE_CQE_INLINE) != 0;
		ev = *event_of(c);
		rt_queue_advance(&q);
		if (ev.kind == SUPERVISE_EVENT_EXIT) {
			exit_code = (int)ev.args[0];
			break;
		}
		sqe_of(&q, QUEUE_OP_SUPERVISE, 0, (uint32_t)copy, 1);
		if (ev.kind != SUPERVISE_EVENT_SYSCALL) {
			args_ok = false;
			break;
		}
		if (ev.nr == NR_EXIT_GROUP) {
			rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy,
				    ev.args[0]);
			continue;
		}
		if (ev.nr == NR_DONE) {
			/* Thread 2 is through; thread 1 must still be
			 * stopped (its registers can be read). Thread 2
			 * stays stopped until the process is killed. */
			struct thread_regs regs;

			second_ok = ev.args[0] == 0;
			held_stopped =
				rt_syscall6(SYS_THREAD_REGS_GET, (uint64_t)copy,
					    (uint64_t)tid, (uint64_t)&regs, 0,
					    0, 0) == 0;
			answer(&q, (uint32_t)copy, (uint64_t)tid,
			       held_arg + 1000);
			continue;
		}
		args_ok &= ev.nr == NR_GETPID;
		if (ev.thread == (uint64_t)tid && !held) {
			held = true;
			held_arg = ev.args[0];
			args_ok &= rt_syscall6(SYS_THREAD_START, (uint64_t)copy,
					       (uint64_t)tid2, 2, 0, 0, 0) == 0;
			continue;
		}
		answer(&q, (uint32_t)copy, ev.thread, ev.args[0] + 1000);
	}
	ktest_check("ipc/supervise_inline_events", inline_ok,
		    "an event was not inline");
	ktest_check("ipc/supervise_event_contents", args_ok,
		    "wrong call number, or the start failed");
	ktest_check("ipc/resume_wakes_only_its_thread",
		    held && held_stopped && second_ok,
		    "the held thread was woken, or thread 2's answers wrong");
	ktest_expect("ipc/resume_op_answers_reach_threads", exit_code, 0);
	close_handle((uint64_t)copy);
	close_handle(q.handle);
	close_handle(narrow.handle);
}

/* A multishot QUEUE_OP_SUPERVISE: every call an event with MORE, the
 * EXIT event too, then ERR_PEER_CLOSED without MORE. */
static void test_supervision_multishot(void)
{
	struct rt_queue q;
	struct queue_cqe cqe;
	struct supervise_event ev;
	int64_t copy, tid;
	int calls = 0, exits = 0;
	bool more_ok = true, ended = false;

	rt_queue_create_flags(&q, 8, 8, QUEUE_CREATE_WIDE);
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, PROCESS_SUPERVISED);
	tid = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
			  (uint64_t)supervised_entry,
			  stacks + (MAX_THREADS + 3) * STACK_SIZE - 8, 1, 0, 0);
	sqe_of(&q, QUEUE_OP_SUPERVISE, QUEUE_SQE_MULTISHOT, (uint32_t)copy, 7);
	for (int guard = 0; guard < 100 && !ended && tid > 0; guard++) {
		if (submit(&q, 1) < 0 ||
		    !reap_data(&q, &cqe, &ev, sizeof(ev))) {
			break;
		}
		if (cqe.result < 0) {
			ended = cqe.result == -ERR_PEER_CLOSED &&
				!(cqe.flags & QUEUE_CQE_MORE);
			break;
		}
		more_ok &= (cqe.flags & QUEUE_CQE_MORE) && cqe.context == 7;
		if (ev.kind == SUPERVISE_EVENT_EXIT) {
			exits++;
			more_ok &= ev.args[0] == 0;
		} else if (ev.nr == NR_EXIT_GROUP) {
			rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy,
				    ev.args[0]);
		} else {
			answer(&q, (uint32_t)copy, ev.thread,
			       ev.args[0] + 1000);
			calls++;
		}
	}
	ktest_check("ipc/supervise_multishot_events",
		    calls == 20 && exits == 1 && more_ok,
		    "missing events, no MORE, or wrong answers");
	ktest_check("ipc/supervise_multishot_ends_peer_closed", ended,
		    "did not end after EXIT");
	close_handle((uint64_t)copy);
	close_handle(q.handle);
}

int main(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE,
				  (MAX_THREADS + 5) * STACK_SIZE, 0);

	stacks = (uint64_t)rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0,
				       (MAX_THREADS + 5) * STACK_SIZE, 0,
				       VM_READ | VM_WRITE);
	test_queue_flags();
	test_inline();
	test_multishot_recv();
	test_direct_copy();
	test_waiting_sends();
	test_too_small_receivers();
	test_transfer_peer_endpoint();
	test_ping_pong();
	test_cancel_race();
	test_supervision();
	test_supervision_multishot();
	rt_printf("ipc_test: %d failed", ktest_failures());
	return ktest_failures();
}
